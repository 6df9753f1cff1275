"""solvers/lsq/boosted.py: the BOWLS sample size, the stability it guarantees, the greedy
removal."""

import numpy as np
import pytest

from solvers import ParameterError
from solvers.lsq import TensorBasis, bowls_sample_size, fit, sample


def test_sample_size_of_the_reference_setting():
    assert bowls_sample_size(11, delta=0.9, eta=0.01) == 265        # the spec's number
    d = -0.5 + 1.5 * np.log(1.5)
    assert bowls_sample_size(20, delta=0.5, eta=0.1) == int(np.ceil(20 * np.log(400) / d))


@pytest.mark.parametrize("family", ["legendre", "hermite"])
def test_boosted_keeps_the_gram_matrix_within_delta(family):
    B = TensorBasis(family, 10)
    s = sample(B, None, "boosted", seed=0)
    info = s.info
    assert info["delta"] == 0.9 and info["stable"]
    assert len(info["candidate_deviations"]) >= 10
    assert info["selected_deviation"] == min(info["candidate_deviations"])
    assert B.m <= s.n == 265 - info["removed"]
    Phi = B.evaluate(s.points)
    lam = np.linalg.eigvalsh(Phi.T @ (s.weights[:, None] * Phi) / s.n)
    assert np.isclose(np.abs(lam - 1).max(), info["deviation"]) and info["deviation"] <= 0.9


def test_greedy_removal_stops_at_delta():
    B = TensorBasis("legendre", 5, dim=2)                          # m = 21
    tight = sample(B, 120, "boosted", delta=0.6, seed=1)
    loose = sample(B, 120, "boosted", delta=0.9, seed=1)
    assert tight.info["stable"] and tight.info["deviation"] <= 0.6
    assert loose.info["stable"] and loose.info["deviation"] <= 0.9
    assert tight.n > loose.n >= B.m


def test_unreachable_delta_is_reported_not_hidden():
    B = TensorBasis("legendre", 5, dim=2)
    s = sample(B, 30, "boosted", delta=0.1, maxiter=2, seed=1)
    assert not s.info["stable"] and s.info["removed"] == 0 and s.n == 30
    assert len(s.info["candidate_deviations"]) == 20
    assert s.info["deviation"] == min(s.info["candidate_deviations"]) > 0.1


def test_max_rounds_is_the_deprecated_spelling_of_maxiter():
    B = TensorBasis("legendre", 5, dim=2)
    with pytest.warns(DeprecationWarning, match=r"max_rounds= is deprecated.*use maxiter="):
        s = sample(B, 30, "boosted", delta=0.1, max_rounds=2, seed=1)
    assert len(s.info["candidate_deviations"]) == 20
    with pytest.warns(DeprecationWarning, match="max_rounds"):
        r = fit(lambda X: X[:, 0], B, 30, sampler="boosted", delta=0.1, max_rounds=1, seed=1)
    assert len(r.info["candidate_deviations"]) == 10
    with pytest.warns(DeprecationWarning), pytest.raises(ParameterError, match="give maxiter "
                                                                              "alone"):
        sample(B, 30, "boosted", maxiter=3, max_rounds=2)


def test_fit_reports_the_boosted_diagnostics():
    B = TensorBasis("legendre", 10)
    r = fit(lambda X: 1 / (1 + 5 * X[:, 0] ** 2), B, sampler="boosted", seed=2)
    assert r.gram_deviation == pytest.approx(r.info["deviation"])
    assert r.info["delta"] == 0.9


@pytest.mark.parametrize("delta", [0.0, 1.0, -0.1, "0.5"])
def test_bad_delta(delta):
    with pytest.raises(ParameterError, match="delta must lie in"):
        sample(TensorBasis("legendre", 3), 20, "boosted", delta=delta)
