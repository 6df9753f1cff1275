"""The formula evaluator of ``relax fit``: values against NumPy, everything else refused."""

import numpy as np
import pytest

from cli.expression import ExpressionError, compile_expression


@pytest.mark.parametrize("text, expected", [
    ("exp(-x0**2)*cos(3*x1)", lambda X: np.exp(-X[:, 0] ** 2) * np.cos(3 * X[:, 1])),
    ("1/(1 + 25*x0**2)", lambda X: 1 / (1 + 25 * X[:, 0] ** 2)),
    ("-x1 + 2.5e-1 * pi - e", lambda X: -X[:, 1] + 0.25 * np.pi - np.e),
    ("sqrt(abs(x0)) + max(x0, x1) + atan(x1)",
     lambda X: np.sqrt(np.abs(X[:, 0])) + np.maximum(X[:, 0], X[:, 1]) + np.arctan(X[:, 1])),
    ("3", lambda X: np.full(X.shape[0], 3.0)),
])
def test_formulas_match_numpy(text, expected):
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    assert np.allclose(compile_expression(text, 2)(X), expected(X), rtol=1e-15)


@pytest.mark.parametrize("text, message", [
    ("__import__('os').system('true')", "not allowed|unknown function"),
    ("x0.__class__", "not allowed"),
    ("open('f')", "unknown function"),
    ("x2", "not a variable"),
    ("y + 1", "unknown name"),
    ("x0[0]", "not allowed"),
    ("lambda: 1", "not allowed"),
    ("'a' * 3", "only numbers"),
    ("x0 +", "cannot parse"),
    ("x0 if x0 else 1", "not allowed"),
    ("exp(x=1)", "positional"),
    ("x0 // 2", "not allowed"),
])
def test_anything_else_is_refused_before_running(text, message):
    with pytest.raises(ExpressionError, match=message):
        compile_expression(text, 2)
