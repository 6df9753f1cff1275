"""solvers/lsq/fit.py: exact recovery in V_m, quasi-optimality, the diagnostics (Gram matrix
and leave-one-out error against brute force), several outputs and complex data (against
NumPy's least squares), bases on an interval [a, b] (against NumPy's series with a domain),
and bad input."""

import re

import numpy as np
import pytest
from lsq_reference import tensor_phi
from numpy.polynomial import Chebyshev as NumpyChebyshev
from numpy.polynomial import Legendre as NumpyLegendre

from problems import runge
from solvers import DTypeError, NonFiniteError, ParameterError, ShapeError
from solvers.backend import gpu_available
from solvers.errors import InputError
from solvers.lsq import (
    SAMPLERS,
    FeatureBasis,
    RankDeficientError,
    TensorBasis,
    best_approximation,
    fit,
    fit_data,
    l2_error,
    reference_rule,
)

BASES = {
    "legendre-1d": lambda: TensorBasis("legendre", 10),
    "hermite-chebyshev-2d": lambda: TensorBasis(["hermite", "chebyshev"], 3),
    "fourier-legendre-3d": lambda: TensorBasis(["fourier", "legendre", "legendre"], 2),
    "features-1d": lambda: FeatureBasis(lambda X: TensorBasis("legendre", 6).evaluate(X),
                                        lambda n, rng: rng.uniform(-1, 1, (n, 1)), dim=1,
                                        pool_size=4000, seed=0),
}


def _n(method, m):
    return None if method in ("dpp", "discrete-dpp", "boosted") else 3 * m


@pytest.mark.parametrize("method", SAMPLERS)
@pytest.mark.parametrize("basis", list(BASES))
def test_functions_in_the_space_are_recovered_exactly(basis, method):
    B = BASES[basis]()
    c = np.random.default_rng(1).standard_normal(B.m)
    options = {"n_candidates": 3} if method == "boosted" else {}
    r = fit(lambda X: B.evaluate(X) @ c, B, _n(method, B.m), sampler=method, seed=2, **options)
    assert np.abs(r.coefficients - c).max() < 1e-10
    X = B.measure.sample(20, seed=3)
    assert np.allclose(r(X), B.evaluate(X) @ c, atol=1e-9)
    assert r.sampler == method and r.n == r.points.shape[0] == r.values.size
    if r.n > B.m:
        assert r.cv_error < 1e-8


def _ratios(method, n, B, f, rule, best, draws=50):
    return np.array([l2_error(f, fit(f, B, n, sampler=method, seed=s), rule) / best
                     for s in range(draws)])


@pytest.fixture(scope="module")
def runge_setting():
    B = TensorBasis("legendre", 10)
    rule = reference_rule(B)
    return B, rule, best_approximation(runge, B, rule).error


@pytest.mark.parametrize("method", ["christoffel", "volume", "repeated-dpp"])
def test_quasi_optimal_with_m_log_m_points(method, runge_setting):
    B, rule, best = runge_setting
    n = int(np.ceil(2 * B.m * np.log(B.m)))             # 53 for m = 11
    ratios = _ratios(method, n, B, runge, rule, best)
    assert np.all(ratios >= 1 - 1e-9)                    # nothing beats the projection
    assert np.mean(ratios <= 3) >= 0.9


def test_dpp_interpolation_is_quasi_optimal_in_mean_square(runge_setting):
    # n = m: the DPP fit interpolates and E||f - f_hat||^2 = (m + 1) ||f - P_m f||^2 (volume
    # sampling), a ratio near sqrt(m + 1) = 3.5 on average with a heavy tail: 90% of the
    # draws lie within 2 sqrt(m + 1).
    B, rule, best = runge_setting
    ratios = _ratios("dpp", None, B, runge, rule, best)
    assert np.mean(ratios <= 2 * np.sqrt(B.m + 1)) >= 0.9
    assert np.median(ratios) < 3


def test_gram_diagnostics_against_a_dense_computation():
    B = TensorBasis(["legendre", "hermite"], 3)
    r = fit(lambda X: np.sin(X[:, 0]) * X[:, 1], B, 40, sampler="christoffel", seed=4)
    Phi = B.evaluate(r.points)
    G = Phi.T @ (r.weights[:, None] * Phi) / r.n
    lam = np.linalg.eigvalsh(G)
    assert np.isclose(r.gram_deviation, np.abs(lam - 1).max(), rtol=1e-10)
    assert np.isclose(r.condition, lam[-1] / lam[0], rtol=1e-8)
    assert np.allclose(r.weights, B.m / B.christoffel(r.points))


def test_leave_one_out_error_against_refits():
    B = TensorBasis("legendre", 5)
    f = lambda X: np.exp(X[:, 0]) * np.cos(3 * X[:, 0])  # noqa: E731
    r = fit(f, B, 25, seed=5)
    Phi = B.evaluate(r.points)
    sq = []
    for i in range(r.n):
        keep = np.arange(r.n) != i
        sw = np.sqrt(r.weights[keep])
        c, *_ = np.linalg.lstsq(sw[:, None] * Phi[keep], sw * r.values[keep], rcond=None)
        sq.append(r.weights[i] * (r.values[i] - Phi[i] @ c) ** 2)
    assert np.isclose(r.cv_error, np.sqrt(np.mean(sq)), rtol=1e-9)
    truth = l2_error(f, r, reference_rule(B))
    assert truth / 3 < r.cv_error < 3 * truth


def test_interpolation_has_no_leave_one_out_estimate():
    r = fit(runge, TensorBasis("legendre", 6), sampler="dpp", seed=0)
    assert r.n == 7 and np.isnan(r.cv_error)


def test_fit_data():
    B = TensorBasis("legendre", 4, dim=2)
    X = np.random.default_rng(6).uniform(-1, 1, (60, 2))
    y = X[:, 0] ** 2 - X[:, 0] * X[:, 1] ** 3
    plain = fit_data(X, y, B)
    assert np.all(plain.weights == 1) and plain.sampler == "data"
    assert np.allclose(plain(X), y, atol=1e-12)
    chris = fit_data(X, y, B, weights="christoffel")
    assert np.allclose(chris.weights, B.m / B.christoffel(X))
    w = np.linspace(1, 2, 60)
    assert np.allclose(fit_data(X, y, B, weights=w).coefficients, plain.coefficients, atol=1e-12)
    # unit weights are ordinary least squares
    c, *_ = np.linalg.lstsq(B.evaluate(X), y + X[:, 1] ** 6, rcond=None)
    assert np.allclose(fit_data(X, y + X[:, 1] ** 6, B).coefficients, c, atol=1e-12)


def _weighted_lstsq(Phi, w, Y):
    """NumPy's least squares on the weighted design: the reference for fit_data."""
    sw = np.sqrt(w)
    rhs = sw * Y if Y.ndim == 1 else sw[:, None] * Y
    return np.linalg.lstsq(sw[:, None] * Phi, rhs, rcond=None)[0]


def _loo(Phi, w, y):
    """The leave-one-out error of one real or complex output by n refits (brute force)."""
    n = y.size
    sq = []
    for i in range(n):
        keep = np.arange(n) != i
        c = _weighted_lstsq(Phi[keep], w[keep], y[keep])
        sq.append(w[i] * abs(y[i] - Phi[i] @ c) ** 2)
    return np.sqrt(np.mean(sq))


@pytest.fixture
def data_2d():
    names, rng = ("legendre", "hermite"), np.random.default_rng(7)
    B = TensorBasis(list(names), 3)
    X = np.c_[rng.uniform(-1, 1, 40), rng.standard_normal(40)]
    Y = np.stack([np.sin(2 * X[:, 0]) * X[:, 1], np.exp(X[:, 0] - X[:, 1] ** 2 / 4),
                  X[:, 0] ** 5 + X[:, 1]], axis=1)
    return B, X, Y, tensor_phi(names, B.indices, X), np.linspace(0.5, 2.0, 40)


@pytest.mark.parametrize("weighted", [False, True])
def test_several_outputs_are_fitted_column_by_column(data_2d, weighted):
    B, X, Y, Phi, w = data_2d
    w = w if weighted else np.ones(len(X))
    r = fit_data(X, Y, B, weights=w if weighted else None)
    assert r.coefficients.shape == (B.m, 3) and r.values.shape == (40, 3)
    assert np.allclose(r.coefficients, _weighted_lstsq(Phi, w, Y), rtol=1e-10, atol=1e-12)
    Z = np.random.default_rng(8).uniform(-1, 1, (9, 2))
    out = r(Z)
    assert out.shape == (9, 3)
    assert r.cv_error.shape == (3,)
    for j in range(3):
        one = fit_data(X, Y[:, j], B, weights=w if weighted else None)
        assert np.allclose(r.coefficients[:, j], one.coefficients, rtol=1e-12, atol=1e-14)
        assert np.allclose(out[:, j], one(Z), rtol=1e-12, atol=1e-14)
        assert np.isclose(r.cv_error[j], _loo(Phi, w, Y[:, j]), rtol=1e-9)
    assert np.allclose(out, tensor_phi(("legendre", "hermite"), B.indices, Z)
                       @ r.coefficients, rtol=1e-12, atol=1e-13)


def test_one_output_as_a_column_keeps_its_column():
    B = TensorBasis("legendre", 3)
    X = np.linspace(-1, 1, 12)[:, None]
    r = fit_data(X, np.exp(X), B)
    assert r.coefficients.shape == (4, 1) and r(X).shape == (12, 1)
    assert np.allclose(r.coefficients[:, 0], fit_data(X, np.exp(X[:, 0]), B).coefficients)


def test_complex_data_fit_real_and_imaginary_parts_apart(data_2d):
    B, X, Y, Phi, w = data_2d
    y = Y[:, 0] + 1j * Y[:, 1]
    r = fit_data(X, y, B, weights=w)
    assert r.coefficients.dtype == np.complex128 and r.values.dtype == np.complex128
    assert np.allclose(r.coefficients, _weighted_lstsq(Phi, w, y), rtol=1e-10, atol=1e-12)
    re, im = fit_data(X, Y[:, 0], B, weights=w), fit_data(X, Y[:, 1], B, weights=w)
    assert np.allclose(r.coefficients.real, re.coefficients, rtol=1e-12, atol=1e-14)
    assert np.allclose(r.coefficients.imag, im.coefficients, rtol=1e-12, atol=1e-14)
    Z = X[:5] + 0.1
    assert np.allclose(r(Z).real, re(Z)) and np.allclose(r(Z).imag, im(Z))
    assert np.isclose(r.cv_error, np.hypot(re.cv_error, im.cv_error), rtol=1e-10)
    assert np.isclose(r.cv_error, _loo(Phi, w, y), rtol=1e-9)


def test_complex_data_with_several_outputs(data_2d):
    B, X, Y, Phi, w = data_2d
    Yc = Y[:, :2] + 1j * Y[:, 1:]
    r = fit_data(X, Yc, B, weights="christoffel")
    wc = B.m / np.sum(Phi ** 2, axis=1)
    assert np.allclose(r.coefficients, _weighted_lstsq(Phi, wc, Yc), rtol=1e-10, atol=1e-12)
    for j in range(2):
        assert np.allclose(r.coefficients[:, j].real,
                           fit_data(X, Y[:, j], B, weights="christoffel").coefficients)
        assert np.allclose(r.coefficients[:, j].imag,
                           fit_data(X, Y[:, j + 1], B, weights="christoffel").coefficients)


@pytest.mark.parametrize("name, numpy_series, norm", [
    ("legendre", NumpyLegendre, lambda k: np.sqrt(2 * k + 1)),
    ("chebyshev", NumpyChebyshev, lambda k: np.where(k == 0, 1.0, np.sqrt(2))),
])
@pytest.mark.parametrize("a, b", [(0.0, 1.0), (2.0, 7.5), (-30.0, -10.0)])
def test_fit_data_on_an_interval_matches_numpy_with_a_domain(name, numpy_series, norm, a, b):
    deg = 6
    rng = np.random.default_rng(9)
    x = rng.uniform(a, b, 50)
    y = np.cos(3 * (x - a) / (b - a)) + ((x - a) / (b - a)) ** 7
    w = rng.uniform(0.5, 2, 50)
    ref = numpy_series.fit(x, y, deg, domain=[a, b], w=np.sqrt(w))  # w on the residuals
    r = fit_data(x[:, None], y, TensorBasis(name, deg, interval=(a, b)), weights=w)
    k = np.arange(deg + 1)
    assert np.allclose(r.coefficients * norm(k), ref.coef, rtol=1e-9, atol=1e-11)
    xs = np.linspace(a, b, 17)
    assert np.allclose(r(xs[:, None]), ref(xs), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("method", SAMPLERS)
@pytest.mark.parametrize("name, numpy_series, norm", [
    ("legendre", NumpyLegendre, lambda k: np.sqrt(2 * k + 1)),
    ("chebyshev", NumpyChebyshev, lambda k: np.where(k == 0, 1.0, np.sqrt(2))),
])
def test_every_sampler_fits_on_an_interval(method, name, numpy_series, norm):
    a, b, deg = 2.0, 5.0, 7
    coef = np.random.default_rng(10).standard_normal(deg + 1)
    f = numpy_series(coef, domain=[a, b])              # a polynomial of the space on [a, b]
    B = TensorBasis(name, deg, interval=(a, b))
    options = {"n_candidates": 3} if method == "boosted" else {}
    r = fit(lambda X: f(X[:, 0]), B, _n(method, B.m), sampler=method, seed=3, **options)
    assert r.points.min() >= a and r.points.max() <= b
    assert np.allclose(r.coefficients * norm(np.arange(deg + 1)), coef, atol=1e-9)
    xs = np.linspace(a, b, 11)
    assert np.allclose(r(xs[:, None]), f(xs), atol=1e-9)


def test_bad_function_values():
    B = TensorBasis("legendre", 3)
    with pytest.raises(NonFiniteError, match=r"f\(X\) holds 1 NaN or infinite value"):
        fit(lambda X: np.where(X[:, 0] > X[:, 0].max() - 1e-12, np.nan, 1.0), B, 10, seed=0)
    with pytest.raises(ShapeError, match=r"f\(X\) must have shape \(10,\).*got shape \(10, 1\)"):
        fit(lambda X: X, B, 10, seed=0)
    with pytest.raises(ShapeError, match=r"got shape \(\)"):
        fit(lambda X: 1.0, B, 10, seed=0)
    with pytest.raises(DTypeError, match="complex"):
        fit(lambda X: X[:, 0] + 1j, B, 10, seed=0)
    with pytest.raises(ParameterError, match="f must be callable"):
        fit(3.0, B, 10)


def test_too_few_points_for_a_fit():
    B = TensorBasis("legendre", 10)
    with pytest.raises(ParameterError, match="needs n >= m; got n=5 < m=11"):
        fit(runge, B, 5, sampler="christoffel")
    with pytest.raises(ParameterError, match="needs n >= m; got n=5 < m=11"):
        fit_data(np.zeros((5, 1)), np.zeros(5), B)


def test_bad_data():
    B = TensorBasis("legendre", 2)
    X = np.linspace(-1, 1, 8)[:, None]
    with pytest.raises(ShapeError, match=r"y must have shape \(8,\) or \(8, k\)"):
        fit_data(X, np.zeros(7), B)
    for shape in [(8, 0), (8, 2, 2), (7, 2), ()]:
        with pytest.raises(ShapeError, match=rf"got shape {re.escape(str(shape))}"):
            fit_data(X, np.zeros(shape), B)
    with pytest.raises(NonFiniteError, match=r"1 NaN or infinite value\(s\) of 16, e.g. at "
                                             r"the point with index 3"):
        fit_data(X, np.ones((8, 2)) + np.where(np.arange(16).reshape(8, 2) == 7, np.inf, 0), B)
    with pytest.raises(NonFiniteError, match="index 5"):
        fit_data(X, np.where(np.arange(8) == 5, complex(1, np.nan), 1j), B)
    with pytest.raises(DTypeError, match="unsupported dtype"):
        fit_data(X, np.array(["a"] * 8), B)
    with pytest.raises(ParameterError, match="weights must be positive"):
        fit_data(X, np.zeros(8), B, weights=np.r_[np.ones(7), -1.0])
    with pytest.raises(ParameterError, match="weights must be None, 'christoffel'"):
        fit_data(X, np.zeros(8), B, weights="optimal")
    with pytest.raises(RankDeficientError, match="rank deficient") as caught:
        fit_data(np.zeros((8, 1)), np.zeros(8), B)
    assert isinstance(caught.value, np.linalg.LinAlgError)      # as before
    assert isinstance(caught.value, InputError)                 # a user's mistake: CLI exit 2


@pytest.mark.gpu
@pytest.mark.skipif(not gpu_available(), reason="needs CuPy and a usable NVIDIA GPU")
def test_a_fit_evaluates_on_cupy_arrays():
    import cupy

    B = TensorBasis(["legendre", "hermite"], 4)
    r = fit(lambda X: np.cos(X[:, 0]) * X[:, 1], B, 60, seed=0)
    X = B.measure.sample(30, seed=1)
    out = r(cupy.asarray(X))
    assert isinstance(out, cupy.ndarray)
    assert np.allclose(out.get(), r(X), rtol=1e-12, atol=1e-12)
