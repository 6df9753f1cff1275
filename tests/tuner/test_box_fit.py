"""The compiled bounded least squares of ChebCB against SciPy's BVLS on the full data matrix."""

import numpy as np
import pytest
from numpy.polynomial import chebyshev
from scipy.optimize import lsq_linear

from tuner.policies._lsq import _box_fit, bounded_refit, box_fit, min_norm_fit


def _objective(theta, F, y):
    return float(np.sum((F @ theta - y) ** 2))


def _case(seed):
    """Chebyshev features of few or repeated contexts (often rank-deficient), steep targets."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 8))
    rows = int(rng.integers(1, 3 * m))
    distinct = rng.uniform(-1, 1, int(rng.integers(1, rows + 1)))
    x = rng.choice(distinct, rows)
    F = chebyshev.chebvander(x, m - 1)
    y = rng.normal(0, 1, rows) + 5 * rng.normal() * x**3
    upper = rng.uniform(0.01, 2.0, m)
    return F, y, upper


@pytest.mark.parametrize("seed", range(300))
def test_box_fit_attains_the_bvls_optimum(seed):
    F, y, upper = _case(seed)
    G, h = F.T @ F, F.T @ y
    theta, converged = _box_fit(G, h, -upper, upper)
    assert converged                                   # no silent fallback to SciPy
    assert np.all(np.abs(theta) <= upper)
    reference = lsq_linear(F, y, bounds=(-upper, upper), method="bvls", tol=1e-14).x
    best = _objective(reference, F, y)
    assert _objective(theta, F, y) <= best + 1e-9 * max(1.0, float(y @ y))
    if np.linalg.matrix_rank(F) == F.shape[1]:         # unique minimiser
        np.testing.assert_allclose(theta, reference, atol=1e-7)


def test_fixed_coordinates_stay_at_their_value():
    G = np.eye(3)
    h = np.array([2.0, 2.0, -3.0])
    theta = box_fit(G, h, np.array([-1.0, 0.5, -1.0]), np.array([1.0, 0.5, 1.0]))
    assert theta.tolist() == [1.0, 0.5, -1.0]


def test_inside_the_box_the_refit_is_the_minimum_norm_fit():
    F = chebyshev.chebvander(np.array([-0.5, 0.5]), 3)        # 2 rows, 4 features
    y = np.array([0.1, 0.2])
    G, h = F.T @ F, F.T @ y
    theta, residual = bounded_refit(G, h, float(y @ y), np.full(4, 10.0))
    np.testing.assert_allclose(theta, np.linalg.pinv(F) @ y, atol=1e-12)
    np.testing.assert_allclose(min_norm_fit(G, h), np.linalg.pinv(F) @ y, atol=1e-12)
    assert residual == pytest.approx(0.0, abs=1e-14)


def test_refit_residual_is_the_residual_of_the_data():
    rng = np.random.default_rng(3)
    F = chebyshev.chebvander(rng.uniform(-1, 1, 40), 5)
    y = 30 * F[:, 1] ** 3 + rng.normal(size=40)
    upper = np.full(6, 0.5)
    theta, residual = bounded_refit(F.T @ F, F.T @ y, float(y @ y), upper)
    assert np.abs(theta).max() == pytest.approx(0.5)              # the box was active
    assert residual == pytest.approx(_objective(theta, F, y), rel=1e-10)
