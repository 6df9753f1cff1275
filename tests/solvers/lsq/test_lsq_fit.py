"""solvers/lsq/fit.py: exact recovery in V_m, quasi-optimality, the diagnostics (Gram matrix
and leave-one-out error against brute force), and bad input."""

import numpy as np
import pytest

from problems import runge
from solvers import DTypeError, NonFiniteError, ParameterError, ShapeError
from solvers.backend import gpu_available
from solvers.lsq import (
    METHODS,
    FeatureBasis,
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


@pytest.mark.parametrize("method", METHODS)
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
    with pytest.raises(ShapeError, match=r"y must have shape \(8,\)"):
        fit_data(X, np.zeros(7), B)
    with pytest.raises(ParameterError, match="weights must be positive"):
        fit_data(X, np.zeros(8), B, weights=np.r_[np.ones(7), -1.0])
    with pytest.raises(ParameterError, match="weights must be None, 'christoffel'"):
        fit_data(X, np.zeros(8), B, weights="optimal")
    with pytest.raises(np.linalg.LinAlgError, match="rank deficient"):
        fit_data(np.zeros((8, 1)), np.zeros(8), B)


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
