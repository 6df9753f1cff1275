"""solvers/lsq/families.py: values against SciPy's polynomials, orthonormality against
NumPy's Gauss rules."""

import numpy as np
import pytest
from lsq_reference import FAMILY_NAMES, gauss_rule, phi

from solvers import ParameterError
from solvers.lsq import Fourier, family

DEGREE = 20


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_values_match_scipy(name):
    x = np.linspace(-0.99, 0.99, 41) if name != "fourier" else np.linspace(0, 0.99, 41)
    if name == "hermite":
        x = 4 * x
    V = family(name).evaluate(x, DEGREE)
    assert V.shape == (x.size, DEGREE + 1)
    ref = np.stack([phi(name, k, x) for k in range(DEGREE + 1)], axis=1)
    assert np.allclose(V, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_orthonormal_against_gauss_quadrature(name):
    x, w = gauss_rule(name, DEGREE + 2)
    V = family(name).evaluate(x, DEGREE)
    G = V.T @ (w[:, None] * V)
    assert np.abs(G - np.eye(DEGREE + 1)).max() < 1e-12


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_own_rule_agrees_with_numpy(name):
    fam = family(name)
    x, w = fam.quadrature(7)
    xr, wr = gauss_rule(name, 7)
    order = np.argsort(x)
    assert np.allclose(x[order], np.sort(xr), atol=1e-14)
    assert np.allclose(w[order], wr[np.argsort(xr)], atol=1e-15)


def test_fourier_on_another_interval_is_orthonormal():
    fam = Fourier(interval=(-1.0, 1.0))
    x, w = fam.quadrature(32)
    V = fam.evaluate(x, 9)
    assert np.abs(V.T @ (w[:, None] * V) - np.eye(10)).max() < 1e-13
    assert np.allclose(fam.evaluate(np.array([-1.0]), 2), fam.evaluate(np.array([1.0]), 2))


def test_bad_family_and_degree():
    with pytest.raises(ParameterError, match="family must be one of"):
        family("laguerre")
    with pytest.raises(ParameterError, match="degree must be an integer >= 0; got -1"):
        family("legendre").evaluate(np.zeros(3), -1)
    with pytest.raises(ParameterError, match="interval"):
        Fourier(interval=(1.0, 0.0))
