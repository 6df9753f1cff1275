"""solvers/lsq/induced.py: the samplers of phi_k^2 dmu are exact.

The inversion maps uniforms u to points x; the closed-form CDF (NumPy's polynomial algebra,
not the code under test) must give back u: ``F_k(x) = u`` to 1e-10. Legendre's rejection
sampler is checked against the same CDF by Kolmogorov-Smirnov tests, and its envelope bound.
"""

import numpy as np
import pytest
from lsq_reference import FAMILY_NAMES, induced_cdf

from solvers.lsq import family
from solvers.lsq._kernels import legendre_envelope_ratio
from solvers.lsq.induced import induced_tables, invert_induced, sample_induced


@pytest.mark.parametrize("name", FAMILY_NAMES)
@pytest.mark.parametrize("k", [0, 1, 2, 5, 12])
def test_inverse_cdf_is_exact(name, k):
    n = 2000
    u = np.random.default_rng(k).random(n)
    x = invert_induced(family(name), np.full(n, k), u)
    if name == "chebyshev":
        # x = -cos t loses digits of t near +-1 (intrinsic to floating-point x); away from the
        # ends the map is well conditioned
        keep = np.abs(x) < 0.999
        x, u = x[keep], u[keep]
    assert np.abs(induced_cdf(name, k, x) - u).max() < 1e-10


def test_mixed_degrees_in_one_call():
    n = 3000
    degrees = np.random.default_rng(5).integers(0, 9, n)
    u = np.random.default_rng(6).random(n)
    x = invert_induced(family("legendre"), degrees, u)
    F = np.array([induced_cdf("legendre", int(k), xi)
                  for k, xi in zip(degrees, x, strict=True)])
    assert np.abs(F - u).max() < 1e-10


@pytest.mark.parametrize("k", [0, 1, 3, 10, 40])
def test_legendre_rejection_sampler_matches_the_exact_cdf(k):
    from scipy import stats

    x = sample_induced(family("legendre"), np.full(4000, k), np.random.default_rng(k))
    assert stats.kstest(x, lambda t: induced_cdf("legendre", k, t)).pvalue > 1e-3


def test_the_arcsine_envelope_bounds_every_legendre_density():
    tables = induced_tables(family("legendre"), 200)
    x = np.cos(np.linspace(0.0, np.pi, 100_001))
    for k in (0, 1, 2, 7, 50, 200):
        ratio = np.empty(x.size)
        legendre_envelope_ratio(x, np.full(x.size, k), tables.a, tables.b, ratio)
        assert ratio.max() <= 1.0 and ratio.max() > 0.75        # a bound, and not a loose one


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_tables_hold_unit_masses(name):
    tables = induced_tables(family(name), 25)
    assert np.all(np.diff(tables.cdf, axis=1) >= 0)
    assert np.abs(tables.cdf[:, -1] - 1).max() < 1e-12


def test_high_hermite_degree_agrees_with_numerical_integration():
    from scipy import integrate, special, stats

    k = 30
    x = sample_induced(family("hermite"), np.full(12, k), np.random.default_rng(1))
    u = np.random.default_rng(1).random(12)

    def dens(t):
        return special.eval_hermitenorm(k, t) ** 2 / special.factorial(k) * stats.norm.pdf(t)

    F = np.array([integrate.quad(dens, -np.inf, xi, epsabs=1e-13, epsrel=1e-13, limit=400)[0]
                  for xi in x])
    assert np.abs(F - u).max() < 1e-9
