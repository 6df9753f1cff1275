"""The contract every policy shares, checked for each policy in ``tuner_cases.POLICIES``."""

import json

import numpy as np
import pytest
from tuner_cases import (
    CONTEXTUAL,
    CONTEXTUAL_IDS,
    EXCESS_MEANS,
    LEARNER_IDS,
    LEARNERS,
    POLICIES,
    POLICY_IDS,
    RANDOMISED,
    RANDOMISED_IDS,
    context_for,
    play_bandit,
)

from tuner import ContextOutOfBoundsWarning, Policy
from tuner.errors import ContextError, CostError, ParameterError, ParameterTypeError, StateError

policy_param = pytest.mark.parametrize("make", [f for _, f in POLICIES], ids=POLICY_IDS)
learner_param = pytest.mark.parametrize("make", [f for _, f in LEARNERS], ids=LEARNER_IDS)


def _play(policy, rounds, rng):
    """Choose and update ``rounds`` times with costs 1 + 10 |value - 1.3| + Uniform(0, 5)."""
    out = []
    for _ in range(rounds):
        context = context_for(policy, rng)
        arm, p = policy.choose(context)
        policy.update(arm, p, 1.0 + 10 * abs(policy.arms[arm] - 1.3) + 5 * rng.random(), context)
        out.append((arm, p))
    return out


@policy_param
def test_probabilities_are_a_distribution_throughout(make):
    policy = make(0)
    rng = np.random.default_rng(1)
    for _ in range(60):
        context = context_for(policy, rng)
        p = policy.probabilities(context)
        assert p.shape == policy.arms.shape
        assert np.all(p >= 0) and np.all(p <= 1)
        assert abs(p.sum() - 1.0) < 1e-12
        arm, prob = policy.choose(context)
        assert prob == p[arm] and prob > 0
        policy.update(arm, prob, 1.0 + 10 * rng.random(), context)


@pytest.mark.parametrize("make", [f for _, f in RANDOMISED], ids=RANDOMISED_IDS)
def test_first_choice_is_uniform(make):
    policy = make(0)
    p = policy.probabilities(0.5 if policy.contextual else None)
    np.testing.assert_allclose(p, np.full(policy.n_arms, 1 / policy.n_arms), rtol=1e-13)


@policy_param
def test_same_seed_same_choices_and_generator_seed_accepted(make):
    a, b = make(7), make(7)
    assert _play(a, 30, np.random.default_rng(2)) == _play(b, 30, np.random.default_rng(2))
    # A Generator as seed is used as is: two policies on equal generators agree.
    c, d = make(np.random.default_rng(5)), make(np.random.default_rng(5))
    assert _play(c, 10, np.random.default_rng(3)) == _play(d, 10, np.random.default_rng(3))


@policy_param
def test_state_dict_round_trip_continues_identically(make):
    original = make(11)
    rng = np.random.default_rng(4)
    _play(original, 40, rng)
    state = json.loads(json.dumps(original.state_dict()))        # plain JSON values only
    restored = Policy.from_state_dict(state)
    assert type(restored) is type(original)
    np.testing.assert_array_equal(restored.arms, original.arms)
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    for _ in range(40):
        context = context_for(original, rng_a)
        context_for(restored, rng_b)
        np.testing.assert_array_equal(original.probabilities(context),
                                      restored.probabilities(context))
        step_a = original.choose(context)
        step_b = restored.choose(context)
        assert step_a == step_b
        cost = 1.0 + 20 * rng_a.random()
        rng_b.random()
        original.update(*step_a, cost, context)
        restored.update(*step_b, cost, context)
    assert json.dumps(original.state_dict()) == json.dumps(restored.state_dict())


@policy_param
def test_state_of_one_class_is_refused_by_another(make):
    policy = make(0)
    state = policy.state_dict()
    other = "Fixed" if state["policy"] != "Fixed" else "TsallisINF"
    with pytest.raises(StateError, match="expected"):
        type(policy).from_state_dict({**state, "policy": other})
    with pytest.raises(StateError, match="version"):
        Policy.from_state_dict({**state, "version": 99})
    with pytest.raises(StateError):
        Policy.from_state_dict({"policy": "NoSuchPolicy"})


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.Philox, np.random.MT19937,
                                           np.random.SFC64])
def test_any_bit_generator_state_survives_json(bit_generator):
    make = POLICIES[0][1]
    original = make(np.random.Generator(bit_generator(3)))
    restored = Policy.from_state_dict(json.loads(json.dumps(original.state_dict())))
    assert [original.choose() for _ in range(20)] == [restored.choose() for _ in range(20)]


@policy_param
@pytest.mark.parametrize("cost", [float("nan"), float("inf"), -1.0, 0.0])
def test_update_rejects_bad_costs(make, cost):
    policy = make(0)
    context = 0.5 if policy.contextual else None
    with pytest.raises(CostError, match="cost"):
        policy.update(0, 0.5, cost, context)


@policy_param
def test_update_rejects_bad_arm_and_probability(make):
    policy = make(0)
    context = 0.5 if policy.contextual else None
    with pytest.raises(ParameterError, match="arm_index"):
        policy.update(policy.n_arms, 0.5, 2.0, context)
    with pytest.raises(ParameterTypeError, match="arm_index"):
        policy.update(1.0, 0.5, 2.0, context)
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ParameterError, match="probability"):
            policy.update(0, bad, 2.0, context)
    with pytest.raises(ParameterTypeError, match="cost"):
        policy.update(0, 0.5, "12", context)


@pytest.mark.parametrize("make", [f for _, f in CONTEXTUAL], ids=CONTEXTUAL_IDS)
def test_contextual_policy_needs_a_finite_context(make):
    policy = make(0)
    assert policy.contextual
    for call in (policy.probabilities, policy.choose):
        with pytest.raises(ContextError, match="contextual"):
            call()
    with pytest.raises(ContextError, match="contextual"):
        policy.update(0, 0.5, 2.0)
    for bad in (float("nan"), float("inf"), "0.3"):
        with pytest.raises(ContextError, match="context"):
            policy.probabilities(bad)


@pytest.mark.parametrize("make", [f for _, f in CONTEXTUAL], ids=CONTEXTUAL_IDS)
def test_out_of_bounds_context_is_clipped_with_a_warning(make):
    policy = make(0)
    rng = np.random.default_rng(0)
    for _ in range(30):                    # learn something so that contexts matter
        c = float(rng.random())
        arm, p = policy.choose(c)
        policy.update(arm, p, 1 + 10 * (c - 0.2 * arm) ** 2, c)
    with pytest.warns(ContextOutOfBoundsWarning, match="clipped to 1.0"):
        high = policy.probabilities(7.5)
    with pytest.warns(ContextOutOfBoundsWarning, match="clipped to 0.0"):
        low = policy.probabilities(-3.0)
    np.testing.assert_array_equal(high, policy.probabilities(1.0))
    np.testing.assert_array_equal(low, policy.probabilities(0.0))
    with pytest.warns(ContextOutOfBoundsWarning):
        assert policy.check_context(2.0) == 1.0


@learner_param
def test_average_cost_approaches_the_best_arm(make):
    """On 5 arms with costs 1 + Exponential(mean_i), the cost over the last quarter of T rounds
    comes closer to the best arm's as T grows (T = 200 vs 2000, averaged over two seeds), or
    for a learner whose exploration never dies out (RobustLCB), stays within 0.1 of it."""
    best = 1.0 + EXCESS_MEANS.min()
    excess = {}
    for rounds in (200, 2000):
        tails = [play_bandit(make(seed), rounds, seed + 100)[-rounds // 4:].mean()
                 for seed in (0, 1)]
        excess[rounds] = float(np.mean(tails)) - best
    if any(make is f for name, f in LEARNERS if name.startswith("RobustLCB")):
        assert excess[2000] < max(excess[200], 0.1)
    else:
        assert excess[2000] < excess[200]
    assert excess[2000] < 0.3           # the gap to the second-best arm is 2
