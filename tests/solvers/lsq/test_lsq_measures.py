"""solvers/lsq/measures.py: samplers (KS against SciPy's distributions), Gauss rules (exact
moments), densities, and a user's sampler."""

import math

import numpy as np
import pytest
from scipy import stats

from solvers import ParameterError, ShapeError
from solvers.lsq import Arcsine, Gaussian, ProductMeasure, SampledMeasure, Uniform


@pytest.mark.parametrize("measure, reference", [
    (Uniform(), stats.uniform(-1, 2)),
    (Uniform(0.0, 3.0), stats.uniform(0, 3)),
    (Gaussian(), stats.norm()),
    (Arcsine(), stats.arcsine(-1, 2)),
    (Arcsine(0.5, 3.0), stats.arcsine(0.5, 2.5)),
    (Arcsine(-0.8, 0.7), stats.arcsine(-0.8, 1.5)),
])
def test_measures_sample_and_integrate(measure, reference):
    x = measure.sample(4000, seed=3)
    assert stats.kstest(x, reference.cdf).pvalue > 1e-3
    nodes, w = measure.quadrature(6)
    for k in range(12):             # exact moments up to degree 11
        assert math.isclose(w @ nodes ** k, reference.moment(k), rel_tol=1e-12, abs_tol=1e-11)
    xs = np.linspace(-0.9, 0.9, 7)
    assert np.allclose(measure.density(xs), reference.pdf(xs))


def test_arcsine_needs_an_interval():
    with pytest.raises(ParameterError, match="Arcsine needs finite a < b"):
        Arcsine(1.0, 1.0)
    assert repr(Arcsine()) == "Arcsine()" and repr(Arcsine(0, 2)) == "Arcsine(0.0, 2.0)"


def test_sampled_measure_checks_the_sampler():
    mu = SampledMeasure(lambda n, rng: rng.random((n, 3)), dim=2)
    with pytest.raises(ShapeError, match=r"must return shape \(5, 2\)"):
        mu.sample(5)
    with pytest.raises(ParameterError, match="callable"):
        SampledMeasure(3, dim=1)


def test_product_measure_rule_and_samples():
    mu = ProductMeasure([Uniform(), Gaussian()])
    X, w = mu.quadrature(4)
    assert X.shape == (16, 2) and math.isclose(w.sum(), 1.0)
    assert math.isclose(w @ (X[:, 0] ** 2 * X[:, 1] ** 2), 1 / 3)
    Y = mu.sample(3000, seed=0)
    assert stats.kstest(Y[:, 1], stats.norm.cdf).pvalue > 1e-3
    with pytest.raises(ParameterError, match="at least one factor"):
        ProductMeasure([])
