"""problems/functions.py: values, shapes and the closed forms quoted in the docstrings."""

import math

import numpy as np
import pytest
from scipy import integrate

from problems import (
    FUNCTIONS,
    gaussian_bump,
    genz_oscillatory,
    genz_product_peak,
    runge,
    runge_family,
    smooth_2d,
    smooth_5d,
)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_named_functions_give_one_finite_value_per_point(name):
    tf = FUNCTIONS[name]
    d = tf.dim or 3
    X = np.random.default_rng(0).uniform(-1, 1, (17, d))
    y = tf(X)
    assert y.shape == (17,) and np.all(np.isfinite(y))
    assert tf.measure in ("uniform", "gaussian")


def test_values():
    x = np.array([[0.0], [0.2], [1.0]])
    assert np.allclose(runge(x), [1.0, 0.5, 1 / 26])
    assert np.allclose(FUNCTIONS["runge_bowls"](x), 1 / (1 + 5 * x[:, 0] ** 2))
    assert np.allclose(runge_family(5.0)(x), FUNCTIONS["runge_bowls"](x))
    assert np.allclose(gaussian_bump(np.array([1.0, 3.0])), [1.0, math.exp(-1)])
    assert np.isclose(smooth_2d(np.array([[0.5, -0.25]]))[0], math.exp(-0.15625) * math.cos(0.0))
    assert np.isclose(genz_oscillatory(np.array([[0.1, 0.2]]), c=[1.0, 2.0], u=0.0)[0],
                      math.cos(0.5))
    assert np.isclose(genz_product_peak(np.array([[0.25, 1.25]]))[0], 4.0 * 0.8)


def test_smooth_5d_norm_closed_form_in_one_dimension():
    # the 1-D factor of the quoted closed form, by quadrature
    d = 5
    factor = integrate.quad(lambda x: math.exp(-2 * x * x / d) / 2, -1, 1)[0]
    assert math.isclose(factor, math.sqrt(math.pi * d / 8) * math.erf(math.sqrt(2 / d)),
                        rel_tol=1e-12)
    assert smooth_5d(np.zeros((2, 5))).tolist() == [1.0, 1.0]


def test_bad_input():
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        smooth_2d(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="a must be positive"):
        runge_family(0.0)
