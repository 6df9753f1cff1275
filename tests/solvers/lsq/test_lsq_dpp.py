"""solvers/lsq/dpp.py: the projection DPPs are the right point processes.

* every draw has exactly m distinct points and a full-rank design;
* one-point marginals are k_m / m (KS against closed-form CDFs, one point per draw so the
  sample is i.i.d.);
* two-point structure: the variance of linear statistics ``sum_i g(x_i)`` equals the DPP's
  ``tr(M_{g^2}) - ||M_g||_F^2`` (z-test), far below the i.i.d. value (repulsion);
* Hermite: the same law as the eigenvalues of GUE matrices; Legendre: the same law as
  DPPy's samplers (tridiagonal Jacobi model in 1-D, its chain rule in 2-D);
* discrete DPP: inclusion probabilities K_ii and K_ii K_jj - K_ij^2.
"""

import numpy as np
import pytest
from lsq_reference import christoffel_cdf, linear_statistic_variances
from scipy import stats

from solvers.lsq import FeatureBasis, TensorBasis, sample
from solvers.lsq.dpp import discrete_dpp, projection_dpp

P_MIN = 1e-3


@pytest.mark.parametrize("names, p, kind", [
    (("legendre",), 15, "total"), (("hermite",), 15, "total"), (("chebyshev",), 15, "total"),
    (("fourier",), 15, "total"), (("legendre", "legendre"), 9, "total"),
    (("hermite", "legendre", "chebyshev"), 5, "total"), (("legendre",) * 2, 9, "hyperbolic"),
])
def test_exactly_m_distinct_points_and_full_rank(names, p, kind):
    B = TensorBasis(list(names), p, index_set=kind)
    for seed in range(3):
        s = sample(B, None, "dpp", seed=seed)
        assert s.points.shape == (B.m, B.dim)
        assert len(np.unique(s.points, axis=0)) == B.m
        assert np.linalg.matrix_rank(B.evaluate(s.points)) == B.m
        assert s.info["proposals"] >= B.m
        assert np.allclose(s.weights, B.m / B.christoffel(s.points))


@pytest.mark.parametrize("name", ["legendre", "hermite", "chebyshev", "fourier"])
def test_one_point_marginal_is_k_m_over_m(name):
    B = TensorBasis(name, 7)
    rng = np.random.default_rng(21)
    # the point at position r mod m of draw r: every chain-rule position is checked
    x = [projection_dpp(B, rng)[0][r % B.m, 0] for r in range(600)]
    assert stats.kstest(x, lambda t: christoffel_cdf(name, B.indices[:, 0], t)).pvalue > P_MIN


def _variance_z(values, exact):
    """z-score of the sample variance of i.i.d. values against the exact variance."""
    v = np.asarray(values) - np.mean(values)
    R = v.size
    s2 = v @ v / (R - 1)
    m4 = np.mean(v ** 4)
    se = np.sqrt(max(m4 - s2 * s2 * (R - 3) / (R - 1), 0.0) / R)
    return (s2 - exact) / se


@pytest.mark.parametrize("names, p, g", [
    (("legendre",), 10, lambda X: X[:, 0]),
    (("legendre",), 10, lambda X: X[:, 0] ** 2 + X[:, 0] ** 3),
    (("legendre", "legendre"), 3, lambda X: X[:, 0] + X[:, 1] ** 2),
    (("hermite",), 7, lambda X: X[:, 0] ** 2),
    (("chebyshev", "fourier"), 3, lambda X: X[:, 0] + np.cos(2 * np.pi * X[:, 1])),
], ids=["legendre-x", "legendre-x2+x3", "legendre2d", "hermite-x2", "chebyshev-fourier"])
def test_linear_statistics_have_the_dpp_variance(names, p, g):
    B = TensorBasis(list(names), p)
    var_dpp, var_iid = linear_statistic_variances(names, B.indices, g)
    assert var_dpp < var_iid / 3                       # the test can tell them apart
    rng = np.random.default_rng(7)
    values = [g(projection_dpp(B, rng)[0]).sum() for _ in range(500)]
    assert abs(_variance_z(values, var_dpp)) < 4
    iid = [g(B.sample_christoffel(B.m, rng)).sum() for _ in range(500)]
    assert abs(_variance_z(iid, var_iid)) < 4


def _min_gap(x):
    return np.diff(np.sort(x)).min()


def test_hermite_dpp_is_the_gue_spectrum():
    # GUE with density ~ exp(-tr H^2 / 2): eigenvalues form the Hermite projection DPP
    m, R = 8, 800
    rng = np.random.default_rng(3)
    B = TensorBasis("hermite", m - 1)
    ours = [projection_dpp(B, rng)[0][:, 0] for _ in range(R)]
    gue = []
    for _ in range(R):
        A = rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))
        gue.append(np.linalg.eigvalsh((A + A.conj().T) / 2))
    pick = rng.integers(m, size=R)
    assert stats.ks_2samp([d[i] for d, i in zip(ours, pick, strict=True)],
                          [d[i] for d, i in zip(gue, pick, strict=True)]).pvalue > P_MIN
    assert stats.ks_2samp([_min_gap(d) for d in ours], [_min_gap(d) for d in gue]).pvalue > P_MIN


def _dppy():
    mod = pytest.importorskip("dppy.multivariate_jacobi_ope",
                              reason="DPPy is not installed (pip install 'relax[test]')")
    return mod.MultivariateJacobiOPE


def test_legendre_dpp_agrees_with_dppy_1d():
    # DPPy's Jacobi ensemble with a = b = 0 is the Legendre projection DPP (reference measure
    # Lebesgue on [-1, 1], the same process); in 1-D it samples by the tridiagonal model of
    # Killip and Nenciu, an algorithm independent of the chain rule.
    MultivariateJacobiOPE = _dppy()
    m, R = 11, 1000
    dppy = MultivariateJacobiOPE(m, np.zeros((1, 2)))
    state = np.random.RandomState(0)
    theirs = [dppy.sample(random_state=state)[:, 0] for _ in range(R)]
    B = TensorBasis("legendre", m - 1)
    rng = np.random.default_rng(0)
    ours = [projection_dpp(B, rng)[0][:, 0] for _ in range(R)]
    assert all(len(t) == m for t in theirs)
    pick, pick_theirs = rng.integers(m, size=(2, R))       # one uniformly random point a draw
    assert stats.ks_2samp([d[i] for d, i in zip(ours, pick, strict=True)],
                          [d[i] for d, i in zip(theirs, pick_theirs, strict=True)]).pvalue > P_MIN
    assert stats.ks_2samp([_min_gap(d) for d in ours], [_min_gap(d) for d in theirs]).pvalue \
        > P_MIN
    assert stats.ks_2samp([d.max() for d in ours], [d.max() for d in theirs]).pvalue > P_MIN


def test_tensor_legendre_dpp_agrees_with_dppy_2d():
    # DPPy orders multi-indices by largest degree: its first 9 are the full set of degree 2.
    MultivariateJacobiOPE = _dppy()
    dppy = MultivariateJacobiOPE(9, np.zeros((2, 2)))
    B = TensorBasis("legendre", 2, dim=2, index_set="full")
    assert {tuple(a) for a in dppy.ordering} == {tuple(a) for a in B.indices.tolist()}
    R = 400
    state = np.random.RandomState(1)
    theirs = [dppy.sample(random_state=state) for _ in range(R)]
    rng = np.random.default_rng(1)
    ours = [projection_dpp(B, rng)[0] for _ in range(R)]

    def nearest(X):
        D = np.linalg.norm(X[:, None] - X[None], axis=2) + np.diag(np.full(len(X), np.inf))
        return D.min()

    for c in range(2):
        assert stats.ks_2samp([d[r % 9, c] for r, d in enumerate(ours)],
                              [d[r % 9, c] for r, d in enumerate(theirs)]).pvalue > P_MIN
    assert stats.ks_2samp([nearest(d) for d in ours], [nearest(d) for d in theirs]).pvalue > P_MIN


def test_discrete_dpp_inclusion_probabilities():
    rng = np.random.default_rng(4)
    N, m, R = 30, 4, 4000
    Phi = rng.standard_normal((N, m)) * np.linspace(0.2, 2.0, N)[:, None]
    U, _ = np.linalg.qr(Phi)
    K = U @ U.T                                           # the marginal kernel
    counts = np.zeros(N)
    pair = np.zeros((N, N))
    for _ in range(R):
        idx = discrete_dpp(Phi, rng)
        assert len(set(idx.tolist())) == m
        counts[idx] += 1
        pair[np.ix_(idx, idx)] += 1
    p = np.diag(K)
    assert abs(p.sum() - m) < 1e-12
    z = (counts - R * p) / np.sqrt(R * p * (1 - p))
    assert np.abs(z).max() < 4.5
    for i, j in [(0, 29), (28, 29), (10, 20)]:
        q = K[i, i] * K[j, j] - K[i, j] ** 2
        assert abs(pair[i, j] - R * q) < 4.5 * np.sqrt(R * q * (1 - q)) + 1


def test_feature_basis_dpp_draws_from_its_pool():
    B = FeatureBasis(lambda X: TensorBasis("legendre", 5).evaluate(X),
                     lambda n, rng: rng.uniform(-1, 1, (n, 1)), dim=1, pool_size=3000, seed=0)
    s = sample(B, None, "dpp", seed=1)
    assert s.points.shape == (6, 1) and len(np.unique(s.points)) == 6
    assert np.isin(s.points[:, 0], B.pool[:, 0]).all()
    t = sample(B, None, "discrete-dpp", pool=np.linspace(-1, 1, 50), seed=1)
    assert np.isin(t.points[:, 0], np.linspace(-1, 1, 50)).all()


def test_discrete_dpp_on_a_drawn_pool():
    B = TensorBasis("hermite", 4, dim=2)
    s = sample(B, None, "discrete-dpp", pool_size=500, seed=2)
    assert s.points.shape == (B.m, 2) and s.info["pool_size"] == 500
    assert np.linalg.matrix_rank(B.evaluate(s.points)) == B.m
