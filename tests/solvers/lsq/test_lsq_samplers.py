"""solvers/lsq/samplers.py: the i.i.d. samplers' distributions (KS and chi-square against
closed-form CDFs, also on an interval [a, b]), the composite samplers' structure, seeding,
the deprecated spellings, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsq_reference import FAMILY_NAMES, christoffel_cdf, induced_cdf
from numpy.polynomial import Chebyshev as NumpyChebyshev
from numpy.polynomial import Legendre as NumpyLegendre
from scipy import integrate, stats

from solvers import ParameterError, ParameterTypeError, lsq
from solvers.lsq import SAMPLERS, TensorBasis, WeightedSample, sample

P_MIN = 1e-3


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_christoffel_1d_matches_k_m_over_m(name):
    B = TensorBasis(name, 10)
    s = sample(B, 4000, "christoffel", seed=11)
    x = s.points[:, 0]
    assert stats.kstest(x, lambda t: christoffel_cdf(name, B.indices[:, 0], t)).pvalue > P_MIN
    assert np.allclose(s.weights, B.m / B.christoffel(s.points))


@pytest.mark.parametrize("names", [("legendre", "hermite"), ("chebyshev", "fourier")])
def test_christoffel_2d_marginals(names):
    B = TensorBasis(list(names), 5)
    X = sample(B, 4000, "christoffel", seed=12).points
    for c, name in enumerate(names):
        cdf = lambda t, c=c, name=name: christoffel_cdf(name, B.indices[:, c], t)  # noqa: E731
        assert stats.kstest(X[:, c], cdf).pvalue > P_MIN


def test_christoffel_2d_joint_chi_square():
    # k_m / m is the mixture over j of products of 1-D densities: bin probabilities are
    # (1/m) sum_j prod_c (F_{j_c}(hi_c) - F_{j_c}(lo_c)), with closed-form F.
    B = TensorBasis("legendre", 4, dim=2)
    n = 20000
    X = sample(B, n, "christoffel", seed=13).points
    edges = np.array([-1, -0.95, -0.8, -0.5, 0, 0.5, 0.8, 0.95, 1.0])
    counts, _, _ = np.histogram2d(X[:, 0], X[:, 1], bins=[edges, edges])
    prob = np.zeros_like(counts)
    for a in B.indices:
        m0 = np.diff(induced_cdf("legendre", int(a[0]), edges))
        m1 = np.diff(induced_cdf("legendre", int(a[1]), edges))
        prob += np.outer(m0, m1) / B.m
    assert abs(prob.sum() - 1) < 1e-12
    stat, p = stats.chisquare(counts.ravel(), n * prob.ravel())
    assert p > P_MIN


def test_mc_samples_mu_with_unit_weights():
    B = TensorBasis(["hermite", "legendre"], 3)
    s = sample(B, 3000, "mc", seed=1)
    assert np.all(s.weights == 1.0)
    assert stats.kstest(s.points[:, 0], stats.norm.cdf).pvalue > P_MIN
    assert stats.kstest(s.points[:, 1], stats.uniform(-1, 2).cdf).pvalue > P_MIN


def test_volume_sampling_structure_and_marginal():
    B = TensorBasis("legendre", 6)
    pts = []
    for seed in range(60):
        s = sample(B, 20, "volume", seed=seed)
        assert s.points.shape == (20, 1)
        assert np.allclose(s.weights, B.m / B.christoffel(s.points))
        pts.append(s.points[seed % 20, 0])     # one point per draw: i.i.d. k_m / m
    assert stats.kstest(pts, lambda t: christoffel_cdf("legendre", B.indices[:, 0], t)).pvalue \
        > P_MIN


def test_repeated_dpp_returns_exactly_n_points():
    B = TensorBasis("legendre", 3, dim=2)            # m = 10
    s = sample(B, 25, "repeated-dpp", seed=0)
    assert s.points.shape == (25, 2) and s.info["draws"] == 3
    for draw in (s.points[:10], s.points[10:20]):
        assert np.linalg.matrix_rank(B.evaluate(draw)) == 10
    assert sample(B, 30, "repeated-dpp", seed=0).info["draws"] == 3


@pytest.mark.parametrize("method", SAMPLERS)
def test_seeding_is_reproducible(method):
    B = TensorBasis("legendre", 3, dim=2)
    n = None if method in ("dpp", "discrete-dpp", "boosted") else 20
    options = {"n_candidates": 2} if method == "boosted" else {}
    a = sample(B, n, method, seed=5, **options)
    b = sample(B, n, method, seed=5, **options)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.weights, b.weights)
    rng = np.random.default_rng(5)
    c = sample(B, n, method, seed=rng, **options)
    d = sample(B, n, method, seed=rng, **options)
    assert np.array_equal(c.points, a.points) and not np.array_equal(c.points, d.points)


@pytest.mark.parametrize("method", ["volume", "repeated-dpp", "boosted"])
def test_too_few_points(method):
    B = TensorBasis("legendre", 10)
    with pytest.raises(ParameterError, match=f"sampler '{method}' needs n >= m; got n=5 < m=11"):
        sample(B, 5, method)


@pytest.mark.parametrize("method", ["dpp", "discrete-dpp"])
def test_dpp_takes_exactly_m_points(method):
    with pytest.raises(ParameterError, match="exactly m = 11 points; got n=20"):
        sample(TensorBasis("legendre", 10), 20, method)


def test_bad_arguments():
    B = TensorBasis("legendre", 3)
    with pytest.raises(ParameterError, match="sampler must be one of"):
        sample(B, 10, "sobol")
    with pytest.raises(ParameterError, match=r"takes the options.*got \['delta'\]"):
        sample(B, 10, "christoffel", delta=0.5)
    with pytest.raises(ParameterError, match="n must be an integer >= 1; got 0"):
        sample(B, 0, "christoffel")
    with pytest.raises(ParameterError, match="seed must be"):
        sample(B, 10, "christoffel", seed=-1)
    with pytest.raises(ParameterTypeError, match="seed must be"):
        sample(B, 10, "christoffel", seed="abc")


@settings(max_examples=25, deadline=None)
@given(method=st.sampled_from(["mc", "christoffel", "volume", "repeated-dpp"]),
       extra=st.integers(0, 25), seed=st.integers(0, 2**32 - 1))
def test_every_sampler_returns_n_points_with_their_weights(method, extra, seed):
    B = TensorBasis(["legendre", "hermite"], 3)                   # m = 10
    s = sample(B, B.m + extra, method, seed=seed)
    assert s.points.shape == (B.m + extra, 2) and np.all(np.isfinite(s.points))
    want = np.ones(s.n) if method == "mc" else B.m / B.christoffel(s.points)
    assert np.allclose(s.weights, want) and np.all(s.weights > 0)


def _legendre_interval_cdf(degree, a, b):
    """The CDF of k_m / m for Legendre degree <= ``degree`` on [a, b]: NumPy's series with
    a domain, squared and integrated in x."""
    density = sum((2 * k + 1) * NumpyLegendre.basis(k, domain=[a, b]) ** 2
                  for k in range(degree + 1)) / ((degree + 1) * (b - a))
    return density.integ(lbnd=a)


def _chebyshev_interval_cdf(degree, a, b, grid=20001):
    """The CDF of k_m / m for Chebyshev degree <= ``degree`` on [a, b]:
    ``int_a^x k_m(u) / m du / (pi sqrt((u - a) (b - u)))``, with ``u = a + (b - a)(1 - cos t)/2``
    (smooth in t), by Romberg-accurate cumulative Simpson sums on a fine grid in t."""
    t = np.linspace(0, np.pi, grid)
    u = a + (b - a) * (1 - np.cos(t)) / 2
    k_m = sum((1.0 if k == 0 else 2.0) * NumpyChebyshev.basis(k, domain=[a, b])(u) ** 2
              for k in range(degree + 1))
    F = integrate.cumulative_simpson(k_m / (degree + 1) / np.pi, x=t, initial=0.0)
    return lambda x: np.interp(x, u, F)


@pytest.mark.parametrize("a, b", [(2.0, 7.5), (-30.0, -10.0)])
@pytest.mark.parametrize("name", ["legendre", "chebyshev"])
def test_christoffel_on_an_interval_matches_k_m_over_m(name, a, b):
    degree = 10
    B = TensorBasis(name, degree, interval=(a, b))
    s = sample(B, 4000, "christoffel", seed=21)
    x = s.points[:, 0]
    assert x.min() >= a and x.max() <= b
    cdf = (_legendre_interval_cdf if name == "legendre" else _chebyshev_interval_cdf)(
        degree, a, b)
    assert abs(cdf(b) - 1.0) < 1e-9
    assert stats.kstest(x, cdf).pvalue > P_MIN
    assert np.allclose(s.weights, B.m / B.christoffel(s.points))


@pytest.mark.parametrize("name, reference", [("legendre", stats.uniform(2.0, 5.5)),
                                             ("chebyshev", stats.arcsine(2.0, 5.5))])
def test_mc_on_an_interval_samples_mu(name, reference):
    B = TensorBasis(name, 4, interval=(2.0, 7.5))
    assert stats.kstest(sample(B, 3000, "mc", seed=2).points[:, 0], reference.cdf).pvalue \
        > P_MIN


def test_dpp_on_an_interval_has_the_christoffel_marginal():
    # every point of the projection DPP is marginally k_m / m dmu: one point per draw
    a, b = 2.0, 7.5
    B = TensorBasis("legendre", 6, interval=(a, b))
    pts = [sample(B, None, "dpp", seed=s).points[s % B.m, 0] for s in range(400)]
    assert stats.kstest(pts, _legendre_interval_cdf(6, a, b)).pvalue > P_MIN


def test_the_sampler_keyword_is_sampler_and_method_still_works_with_a_warning():
    B = TensorBasis("legendre", 5)
    new = sample(B, 20, sampler="volume", seed=4)
    with pytest.warns(DeprecationWarning, match=r"method= is deprecated.*use sampler="):
        old = sample(B, 20, method="volume", seed=4)
    assert old.sampler == new.sampler == "volume"
    assert np.array_equal(old.points, new.points)
    with pytest.warns(DeprecationWarning), pytest.raises(ParameterError, match="give sampler "
                                                                              "alone"):
        sample(B, 20, sampler="volume", method="mc")
    with pytest.warns(DeprecationWarning, match="WeightedSample.method is deprecated"):
        assert new.method == "volume"


def test_the_deprecated_names_warn_and_stand_for_the_new_ones():
    with pytest.warns(DeprecationWarning, match=r"solvers.lsq.Sample is deprecated.*"
                                                r"WeightedSample"):
        from solvers.lsq import Sample
    assert Sample is WeightedSample
    with pytest.warns(DeprecationWarning, match="solvers.lsq.METHODS is deprecated"):
        assert lsq.METHODS == SAMPLERS
    with pytest.warns(DeprecationWarning, match="solvers.lsq.Sample is deprecated"):
        assert lsq.samplers.Sample is WeightedSample
    assert "Sample" not in lsq.__all__ and "METHODS" not in lsq.__all__
    with pytest.raises(AttributeError, match="has no attribute 'Samples'"):
        lsq.Samples  # noqa: B018
