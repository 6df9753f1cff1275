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


@pytest.mark.parametrize("text, expected", [
    ("9**9**9**9", np.inf),              # an integer power would take for ever: floats, inf
    ("2**10000", np.inf),
    ("1/0", np.inf),
    ("-1/0", -np.inf),
    ("(-8)**(1/3)", np.nan),             # no complex number from a negative base
    ("1e400 - 1e400", np.nan),
])
def test_arithmetic_is_in_floats_at_once(text, expected):
    values = compile_expression(text, 1)(np.zeros((3, 1)))
    np.testing.assert_array_equal(values, np.full(3, expected))


def test_min_and_max_take_two_or_more_and_leave_the_points_alone():
    X = np.random.default_rng(1).uniform(-1, 1, (40, 3))
    before = X.copy()
    values = compile_expression("max(x0, x1, x2) - min(x0, 0.5)", 3)(X)
    np.testing.assert_array_equal(values, X.max(axis=1) - np.minimum(X[:, 0], 0.5))
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("text, message", [
    ("1" + "0" * 400, "too large"),
    ("exp(x0, x1)", r"exp\(\) takes one argument; got 2"),
    ("min(x0)", r"min\(\) takes two or more arguments; got 1"),
    ("x0" + " + x0" * 3000, "at most 10000"),
    ("-" * 5000 + "1", "nested too deeply"),
    ("(" * 300 + "x0" + ")" * 300, "cannot parse"),
    ("y" * 500, r"unknown name 'y{50,}\.\.\.'"),          # long names are cut short
])
def test_oversized_or_malformed_formulas_are_refused(text, message):
    with pytest.raises(ExpressionError, match=message):
        compile_expression(text, 2)
