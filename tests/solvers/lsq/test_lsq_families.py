"""solvers/lsq/families.py: values against SciPy's polynomials, orthonormality against
NumPy's Gauss rules; Legendre and Chebyshev on an interval [a, b] against NumPy's series with
``domain=[a, b]``."""

import numpy as np
import pytest
from lsq_reference import FAMILY_NAMES, gauss_rule, phi
from numpy.polynomial import Chebyshev as NumpyChebyshev
from numpy.polynomial import Legendre as NumpyLegendre
from numpy.polynomial import chebyshev, legendre

from solvers import ParameterError
from solvers.lsq import Chebyshev, Fourier, Hermite, Legendre, family

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


INTERVALS = [(0.0, 1.0), (2.0, 7.5), (-30.0, -10.0), (-1.0, 1.0)]


@pytest.mark.parametrize("a, b", INTERVALS)
def test_legendre_on_an_interval_matches_numpy_with_a_domain(a, b):
    x = np.linspace(a, b, 37)
    V = Legendre(interval=(a, b)).evaluate(x, DEGREE)
    ref = np.stack([np.sqrt(2 * k + 1) * NumpyLegendre.basis(k, domain=[a, b])(x)
                    for k in range(DEGREE + 1)], axis=1)
    assert np.allclose(V, ref, rtol=1e-11, atol=1e-11 * np.abs(ref).max())
    # orthonormal for the uniform probability measure on [a, b]: NumPy's Gauss rule, mapped
    s, w = legendre.leggauss(DEGREE + 2)
    V = Legendre(interval=(a, b)).evaluate(a + (b - a) * (s + 1) / 2, DEGREE)
    assert np.abs(V.T @ (w[:, None] / 2 * V) - np.eye(DEGREE + 1)).max() < 1e-12


@pytest.mark.parametrize("a, b", INTERVALS)
def test_chebyshev_on_an_interval_matches_numpy_with_a_domain(a, b):
    x = np.linspace(a, b, 37)
    V = Chebyshev(interval=(a, b)).evaluate(x, DEGREE)
    ref = np.stack([(1.0 if k == 0 else np.sqrt(2)) * NumpyChebyshev.basis(k, domain=[a, b])(x)
                    for k in range(DEGREE + 1)], axis=1)
    assert np.allclose(V, ref, rtol=1e-11, atol=1e-11 * np.abs(ref).max())
    s, w = chebyshev.chebgauss(DEGREE + 2)             # weights pi / q: the arcsine law's q / pi
    V = Chebyshev(interval=(a, b)).evaluate(a + (b - a) * (s + 1) / 2, DEGREE)
    assert np.abs(V.T @ (w[:, None] / np.pi * V) - np.eye(DEGREE + 1)).max() < 1e-12


@pytest.mark.parametrize("cls", [Legendre, Chebyshev])
def test_own_rule_on_an_interval_integrates_numpy_series_exactly(cls):
    a, b = 3.0, 4.5
    fam = cls(interval=(a, b))
    x, w = fam.quadrature(8)
    assert x.min() > a and x.max() < b
    series = (NumpyLegendre if cls is Legendre else NumpyChebyshev)
    p = series(np.random.default_rng(0).standard_normal(16), domain=[a, b])   # degree 15
    if cls is Legendre:
        exact = (p.integ(lbnd=a))(b) / (b - a)
    else:
        exact = p.coef[0]                # int T_k d(arcsine) = 0 for k >= 1
    assert np.isclose(w @ p(x), exact, rtol=1e-12, atol=1e-12)


def test_families_by_name_with_an_interval():
    assert family("legendre", interval=(0, 2)).interval == (0.0, 2.0)
    assert family("chebyshev", interval=[1, 3]).measure.a == 1.0
    assert family("fourier", interval=(0, 5)).interval == (0.0, 5.0)
    assert repr(Legendre()) == "Legendre()" and repr(Chebyshev(interval=(0, 1))) == \
        "Chebyshev(interval=(0.0, 1.0))"
    with pytest.raises(ParameterError, match="hermite is orthonormal on the whole real line"):
        family("hermite", interval=(0, 1))
    with pytest.raises(ParameterError, match="already has its own"):
        family(Legendre(), interval=(0, 1))
    for bad in [(1.0, 1.0), (0.0, np.inf), (2, 1), "ab", (1,), None]:
        with pytest.raises(ParameterError, match="interval must"):
            Legendre(interval=bad)
    assert isinstance(family("hermite"), Hermite)
