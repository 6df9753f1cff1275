"""UnimodalLCB, the default policy: local search, confidence bounds, the context tree."""

import math

import numpy as np
import pytest

from tuner import UnimodalLCB
from tuner.errors import ParameterError

GRID = np.linspace(1.0, 1.95, 20)


def _play(policy, cost, rounds, contexts=None):
    played = []
    for t in range(rounds):
        c = None if contexts is None else float(contexts[t])
        arm, p = policy.choose(c)
        assert p == 1.0
        policy.update(arm, p, cost(policy.arms[arm], c), c)
        played.append(arm)
    return np.array(played)


def test_walks_downhill_and_never_tries_far_arms():
    """A deterministic unimodal cost with its minimum at 1.75: starting from the median
    (1.45) the search only visits the arms between the start and the minimum, plus one beyond."""
    policy = UnimodalLCB(GRID)
    played = _play(policy, lambda w, c: 10.0 + 200.0 * (w - 1.75) ** 2, 300)
    visited = np.unique(GRID[played])
    assert visited.min() >= 1.40 - 1e-12 and visited.max() <= 1.80 + 1e-12
    assert GRID[policy.leader()] == pytest.approx(1.75)
    assert np.mean(GRID[played[-100:]] == GRID[15]) > 0.8


def test_a_hand_computed_lower_confidence_bound_step():
    """Three arms; after 1.5 paid 10, 10, 10, 10 and 1.0 and 2.0 paid 11 and 10.5 once, the
    bounds are mean (1 - confidence cv sqrt(2 log N / n)) with cv from two degrees of freedom
    of the prior: 1.5 leads but 2.0's bound is lower, so 2.0 is played."""
    policy = UnimodalLCB([1.0, 1.5, 2.0])
    for arm, cost in ((1, 10.0), (0, 11.0), (2, 10.5), (1, 10.0), (1, 10.0), (1, 10.0)):
        policy.update(arm, 1.0, cost)
    # Only arm 1's cell has two or more costs; it adds three degrees of freedom and no deviation.
    cv = math.sqrt((0.0 + 2 * 0.5**2) / (3 + 2))
    spread = cv * math.sqrt(2 * math.log(6))
    bounds = [11.0 * (1 - spread), 10.0 * (1 - spread / 2), 10.5 * (1 - spread)]
    assert int(np.argmin(bounds)) == 2
    assert policy.leader() == 1
    assert policy.choose() == (2, 1.0)


def test_unsorted_arms_are_searched_in_value_order():
    arms = [1.6, 1.0, 1.8, 1.2, 1.4]
    policy = UnimodalLCB(arms, start=1.0)
    played = _play(policy, lambda w, c: 5.0 + 40.0 * (w - 1.4) ** 2, 100)
    assert arms[policy.leader()] == 1.4
    # From 1.0 the search passes 1.2 to reach 1.4 and probes 1.6 beyond it, never 1.8.
    assert set(np.asarray(arms)[played]) <= {1.0, 1.2, 1.4, 1.6}


def test_learns_a_different_best_arm_in_each_region_of_contexts():
    """The best omega moves with the context (1.1 below 0.5, 1.85 above): the contextual
    policy finds both; the plain one can only settle for a compromise."""
    rng = np.random.default_rng(0)
    contexts = rng.uniform(0.0, 1.0, 3000)

    def cost(w, c):
        target = 1.1 if c < 0.5 else 1.85
        return (10.0 + 100.0 * (w - target) ** 2) * (1.0 + 0.05 * rng.random())

    policy = UnimodalLCB(GRID, bounds=(0.0, 1.0))
    played = _play(policy, cost, contexts.size, contexts)
    assert GRID[policy.leader(0.2)] == pytest.approx(1.1)
    assert GRID[policy.leader(0.8)] == pytest.approx(1.85)
    tail = slice(2000, None)
    right = np.where(contexts[tail] < 0.5, 1.1, 1.85)
    assert np.mean(np.isclose(GRID[played[tail]], right)) > 0.85


def test_decisions_refine_where_contexts_are_frequent():
    """Every context in [0.30, 0.31]: after enough costs the deciding bin is a fine one
    (few costs outside that narrow region), at the coarse root before."""
    policy = UnimodalLCB(GRID, bounds=(0.0, 1.0), min_count=8)
    assert policy.counts(0.305).sum() == 0
    contexts = np.linspace(0.30, 0.31, 400)
    _play(policy, lambda w, c: 10.0 + 50 * (w - 1.5) ** 2, 400, contexts)
    # level 7 bins are 1/128 wide: [0.297, 0.305) and [0.305, 0.3125)
    assert policy.counts(0.303).sum() < 400
    assert policy.counts(0.303).sum() >= 8
    assert policy.counts(0.9).sum() == 400            # nothing seen there: the root decides


def test_noisy_costs_keep_decisions_coarse():
    """With costs varying by about 80% within a bin, a bin needs (cv / 0.15)^2, about 28 times
    more costs before it decides: after 2000 rounds the deciding bin still spans at least a
    sixteenth of the interval (with ``min_count`` alone a 1/128 bin of about 16 costs would)."""
    rng = np.random.default_rng(1)
    policy = UnimodalLCB(GRID, bounds=(0.0, 1.0))
    contexts = rng.uniform(0.0, 1.0, 2000)
    _play(policy, lambda w, c: 1.0 + rng.exponential(5.0 + 20 * (w - 1.5) ** 2), 2000, contexts)
    assert policy.counts(0.5).sum() >= 2000 / 16


def test_non_contextual_ignores_the_context():
    policy = UnimodalLCB(GRID)
    assert not policy.contextual
    _play(policy, lambda w, c: 10.0 + (w - 1.2) ** 2, 30)
    assert policy.choose(0.3) == policy.choose(None) == policy.choose(123.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"levels": 0}, "levels"),
    ({"levels": 21}, "levels"),
    ({"min_count": 0}, "min_count"),
    ({"confidence": -1.0}, "confidence"),
    ({"confidence": float("nan")}, "confidence"),
    ({"confidence": True}, "confidence"),
    ({"start": "middle"}, "start"),
])
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        UnimodalLCB(GRID, (0.0, 1.0), **kwargs)


def test_without_context_a_drifting_sequence_is_tracked():
    """The best omega moves from 1.2 to 1.8 and back every 300 costs, and the cost level with
    it: the forgetting memory takes over and the policy beats every fixed omega."""
    rng = np.random.default_rng(2)
    phases = (np.arange(3000) // 300) % 2

    def cost(w, t):
        target, level = (1.2, 5.0) if phases[t] == 0 else (1.8, 20.0)
        return level * (1.0 + 4.0 * (w - target) ** 2) * (1.0 + 0.05 * rng.random())

    policy = UnimodalLCB(GRID)
    paid = []
    for t in range(phases.size):
        arm, p = policy.choose()
        paid.append(cost(policy.arms[arm], t))
        policy.update(arm, p, paid[-1])
    fixed = [np.mean([cost(w, t) for t in range(phases.size)]) for w in GRID]
    assert np.mean(paid) < 0.95 * min(fixed)
    assert policy._error[1] < policy._error[0]           # the forgetting memory decides


def test_without_context_a_stationary_sequence_keeps_the_full_memory():
    rng = np.random.default_rng(3)
    policy = UnimodalLCB(GRID)
    _play(policy, lambda w, c: (10.0 + 500 * (w - 1.6) ** 2) * rng.lognormal(0, 0.3), 3000)
    assert policy._error[0] < policy._error[1]
    assert GRID[policy.leader()] == pytest.approx(1.6)
