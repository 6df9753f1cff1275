"""ChebCB against hand-computed steps, an independent bounded least-squares fit, and a known
per-arm cost curve."""

import json
import math

import numpy as np
import pytest
from numpy.polynomial import chebyshev
from scipy.optimize import lsq_linear

from tuner import ChebCB
from tuner.errors import ParameterError, ParameterTypeError
from tuner.policies.chebcb import inverse_gap_weights


def test_inverse_gap_weights_by_hand():
    # d = 3, eta = 4, y = [0.2, 0.0, 0.5]: others 1 / (3 + 4 * gap), best the rest.
    p = inverse_gap_weights(np.array([0.2, 0.0, 0.5]), 4.0)
    np.testing.assert_allclose(p, [1 / 3.8, 1 - 1 / 3.8 - 1 / 5.0, 1 / 5.0], rtol=1e-15)
    np.testing.assert_allclose(inverse_gap_weights(np.array([1.0, 3.0]), 0.0), [0.5, 0.5])
    # Ties with the best get 1 / d; the first minimiser is "the best".
    np.testing.assert_allclose(inverse_gap_weights(np.array([0.0, 0.0, 1.0]), 1.0),
                               [1 - 1 / 3 - 1 / 4, 1 / 3, 1 / 4])


def test_two_updates_match_hand_computation():
    """degree = 1 (a constant model per arm), two arms, context interval [0, 1]."""
    policy = ChebCB([1.0, 2.0], bounds=(0.0, 1.0), degree=1, seed=0)
    assert policy.eta == 0.0
    np.testing.assert_array_equal(policy.probabilities(0.3), [0.5, 0.5])

    # Cost 5 for arm 0: K = 5, L = 0, N = 2, scale = 10, theta_0 = (5 - 1) / 10 = 0.4 (box 1/2).
    # R = (0 - 0.4)^2 (the prediction was 0), resnorm = 0, alpha = 0:
    # eta = 2 * 1 * sqrt(2 * 1 / 0.16).
    policy.update(0, 0.5, 5.0, context=0.3)
    assert policy.scale == 10.0
    np.testing.assert_allclose(policy.theta, [[0.4], [0.0]], rtol=1e-14)
    eta = 2 * math.sqrt(2 / 0.16)
    assert policy.eta == pytest.approx(eta, rel=1e-13)
    p_other = 1 / (2 + eta * 0.4)                 # arm 1 (prediction 0) is the best
    np.testing.assert_allclose(policy.probabilities(0.9), [p_other, 1 - p_other], rtol=1e-13)

    # Cost 3 for arm 1: K = 5, L = (5 - 3) / 1, N = 2 + 4 * 2 / 5 * (1 + log 1) = 3.6, scale = 18.
    # Both arms are refitted: theta = [4 / 18, 2 / 18] (inside |theta_0| <= 1 / 3.6).
    policy.update(1, 1 - p_other, 3.0, context=0.7)
    assert policy.scale == pytest.approx(18.0, rel=1e-15)
    np.testing.assert_allclose(policy.theta, [[4 / 18], [2 / 18]], rtol=1e-13)
    # R: both played arms were predicted 0 (no fit yet); errors are taken at the current scale.
    r = (0.0 - 4 / 18) ** 2 + (0.0 - 2 / 18) ** 2
    alpha = (math.pi + 2 / math.pi * math.log(3)) / (2 * 18 * 2) * 2.0
    eta = 2 * 2 * math.sqrt(2 * 2 / (r - 0.0 + 2 * alpha**2 * 2))
    assert policy.eta == pytest.approx(eta, rel=1e-12)
    p_other = 1 / (2 + eta * (4 / 18 - 2 / 18))
    np.testing.assert_allclose(policy.probabilities(0.1), [p_other, 1 - p_other], rtol=1e-12)
    np.testing.assert_allclose(policy.predict(0.5), [5.0, 3.0], rtol=1e-13)


def _features(contexts, m, bounds=(0.0, 1.0)):
    a, b = bounds
    return chebyshev.chebvander(2 * (np.asarray(contexts) - a) / (b - a) - 1, m - 1)


def test_fits_equal_an_independent_bounded_least_squares():
    """Each arm's coefficients are the least-squares fit to its whole history at the current
    scale, refitted inside the box when the plain fit leaves it (checked with lsq_linear on the
    full data matrix, which the policy never stores)."""
    arms = np.array([1.0, 1.3, 1.6])
    policy = ChebCB(arms, bounds=(0.0, 1.0), degree=4, seed=1)
    rng = np.random.default_rng(2)
    seen = {i: ([], []) for i in range(3)}
    for _ in range(150):
        c = float(rng.random())
        arm, p = policy.choose(c)
        # A steep curve for arm 0 makes its plain fit leave the box.
        cost = 1.0 + (40.0 * c**3 if arm == 0 else 5.0 + 3.0 * c) + rng.random()
        policy.update(arm, p, cost, c)
        seen[arm][0].append(c)
        seen[arm][1].append(cost)
    costs = np.concatenate([seen[i][1] for i in range(3)])
    spread, top = costs.max() - costs.min(), costs.max()
    big_n = 2 + 4 * spread / top * (1 + math.log(4))
    scale = top * big_n
    assert policy.scale == pytest.approx(scale, rel=1e-14)
    upper = np.array([1 / big_n] + [2 * spread / (scale * j) for j in range(1, 4)])
    bounded = 0
    for i in range(3):
        F = _features(seen[i][0], 4)
        y = (np.array(seen[i][1]) - 1.0) / scale
        assert F.shape[0] >= 4
        plain = np.linalg.lstsq(F, y, rcond=None)[0]
        if np.all(np.abs(plain) <= upper):
            expected = plain
        else:
            bounded += 1
            expected = lsq_linear(F, y, bounds=(-upper, upper), method="bvls", tol=1e-14).x
        np.testing.assert_allclose(policy.theta[i], expected, atol=1e-9)
    assert bounded >= 1                           # the bounded refit was exercised


def test_recovers_known_cost_curves():
    """cost_i(c) = 1 + 10 (c - v_i)^2 + Uniform(0, 1) for arms v_i = 0, 0.25, ..., 1: after 500
    rounds the predicted best arm is the true best (nearest v_i) for most contexts."""
    arms = np.linspace(0.0, 1.0, 5)
    agree = []
    for seed in (0, 1):
        policy = ChebCB(arms, bounds=(0.0, 1.0), seed=seed)
        rng = np.random.default_rng(seed + 10)
        for _ in range(500):
            c = float(rng.random())
            arm, p = policy.choose(c)
            policy.update(arm, p, 1.0 + 10.0 * (c - arms[arm]) ** 2 + rng.random(), c)
        grid = np.linspace(0.0, 1.0, 101)
        truth = np.argmin(np.abs(grid[:, None] - arms[None, :]), axis=1)
        predicted = np.array([np.argmin(policy.predict(c)) for c in grid])
        agree.append(np.mean(predicted == truth))
        # And it mostly plays the best arm by now.
        chosen = [policy.choose(c)[0] for c in grid]
        assert np.mean(chosen == truth) > 0.6
    assert min(agree) >= 0.75


def test_state_size_does_not_grow_with_history():
    policy = ChebCB([1.0, 1.5, 1.9], bounds=(0.0, 1.0), seed=0)
    rng = np.random.default_rng(0)

    def play(rounds):
        for _ in range(rounds):
            c = float(rng.random())
            arm, p = policy.choose(c)
            policy.update(arm, p, 2.0 + 10 * rng.random(), c)

    play(20)
    size = len(json.dumps(policy.state_dict()))
    play(400)
    assert len(json.dumps(policy.state_dict())) < 1.2 * size


def test_equal_costs_leave_exploration_uniform():
    policy = ChebCB([1.0, 1.5, 1.9], bounds=(0.0, 1.0), seed=0)
    for c in np.linspace(0, 1, 10):
        arm, p = policy.choose(c)
        policy.update(arm, p, 1.0, c)          # every cost is the ideal 1: nothing to learn
    assert policy.eta == 0.0
    np.testing.assert_allclose(policy.probabilities(0.4), np.full(3, 1 / 3))


@pytest.mark.parametrize("bounds, error", [
    ((1.0, 1.0), ParameterError), ((1.0, 0.0), ParameterError),
    ((0.0, float("inf")), ParameterError), ((float("nan"), 1.0), ParameterError),
    ((0.0,), ParameterTypeError), (None, ParameterTypeError), (("a", 1.0), ParameterTypeError),
])
def test_bad_bounds(bounds, error):
    with pytest.raises(error, match="bounds"):
        ChebCB([1.0, 1.5], bounds=bounds)


@pytest.mark.parametrize("degree, error", [(0, ParameterError), (-2, ParameterError),
                                           (2.5, ParameterTypeError), (True, ParameterTypeError)])
def test_bad_degree(degree, error):
    with pytest.raises(error, match="degree"):
        ChebCB([1.0, 1.5], bounds=(0.0, 1.0), degree=degree)
