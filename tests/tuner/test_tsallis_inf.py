"""Tsallis-INF against hand-computed steps: the normaliser solved independently by brentq."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from tuner import Policy, TsallisINF
from tuner.errors import ParameterError, ParameterTypeError
from tuner.policies.tsallis_inf import tsallis_newton


def reference_probabilities(losses, scale, t):
    """p_i = 4 / (eta (K_i / s - x))^2 with eta = 2 / sqrt(t), x < min K / s by brentq."""
    z = np.asarray(losses, dtype=float) / scale
    eta = 2.0 / math.sqrt(t)

    def excess(x):
        return float(np.sum(4.0 / (eta * (z - x)) ** 2)) - 1.0

    top = z.min() - 2.0 / eta                   # the best arm alone has p = 1 here
    bottom = z.min() - 2.0 * math.sqrt(z.size) / eta
    x = brentq(excess, bottom, top, xtol=1e-15, rtol=1e-15, maxiter=500) \
        if excess(top) > 0 and excess(bottom) < 0 else (top if excess(top) == 0 else bottom)
    return 4.0 / (eta * (z - x)) ** 2


def literal_reference(z, eta):
    """The reference's loop as written: 20 Newton steps from x = -1, no safeguard."""
    x = -1.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(20):
            p = 4.0 * (eta * (z - x)) ** -2.0
            x = x - (p.sum() - 1.0) / (eta * np.sum(p**1.5))
        return 4.0 * (eta * (z - x)) ** -2.0, x


def test_two_arm_steps_match_hand_computation():
    policy = TsallisINF([1.0, 2.0], seed=0)
    np.testing.assert_allclose(policy.probabilities(), [0.5, 0.5], rtol=1e-15)

    # Round 1: arm 0, drawn with p = 0.5, costs 3: K = [(3 - 1) / 0.5, 0] = [4, 0], s = 3 - 1.
    policy.update(0, 0.5, 3.0)
    assert (policy.t, policy.scale, policy.eta) == (2, 2.0, 2 / math.sqrt(2))
    np.testing.assert_array_equal(policy.losses, [4.0, 0.0])
    # x solves 2 / (2 - x)^2 + 2 / x^2 = 1 for x < 0; x = -1.6786...
    expected = reference_probabilities([4.0, 0.0], 2.0, 2)
    np.testing.assert_allclose(policy.probabilities(), expected, atol=1e-12)
    assert expected[1] > expected[0]

    # Round 2: arm 1 with p = 0.6, cost 6: K = [4, 5 / 0.6], s = mean(3, 6) - 1 = 3.5.
    policy.update(1, 0.6, 6.0)
    assert (policy.t, policy.scale) == (3, 3.5)
    np.testing.assert_allclose(policy.losses, [4.0, 5.0 / 0.6], rtol=1e-15)
    expected = reference_probabilities([4.0, 5.0 / 0.6], 3.5, 3)
    np.testing.assert_allclose(policy.probabilities(), expected, atol=1e-12)


def test_four_arm_step_and_x_match_brentq():
    losses, scale, t = np.array([10.0, 3.0, 7.5, 40.0]), 2.5, 9
    p, x = tsallis_newton(losses / scale, 2 / 3)
    np.testing.assert_allclose(p, reference_probabilities(losses, scale, t), atol=1e-12)
    np.testing.assert_allclose(4 / ((2 / 3) * (losses / scale - x)) ** 2, p, rtol=1e-12)
    assert x < (losses / scale).min()


def test_equals_the_literal_reference_where_no_safeguard_fires():
    z = np.array([0.3, 0.0, 1.2, 0.7])
    for eta in (2.0, 1.0, 0.5):
        p, x = tsallis_newton(z, eta)
        literal_p, literal_x = literal_reference(z, eta)
        np.testing.assert_allclose(p, literal_p, rtol=1e-13)
        assert x == pytest.approx(literal_x, rel=1e-13)


def test_safeguard_keeps_x_below_the_pole_where_the_literal_loop_fails():
    # Large losses (late rounds): from x = -1 the plain Newton step overshoots past min z.
    z, eta = np.array([500.0, 520.0, 900.0]), 2 / math.sqrt(400)
    _, literal_x = literal_reference(z, eta)
    assert not literal_x < z.min()                  # the plain loop leaves the valid region
    p, x = tsallis_newton(z, eta)
    assert x < z.min()
    assert abs(p.sum() - 1.0) < 1e-12
    np.testing.assert_allclose(p, reference_probabilities(z, 1.0, 400), atol=1e-12)


def test_newton_normalisation_converges_across_random_losses():
    rng = np.random.default_rng(0)
    for _ in range(500):
        k = int(rng.integers(1, 40))
        z = rng.exponential(10.0 ** rng.uniform(-2, 6), size=k)
        eta = 2.0 / math.sqrt(10.0 ** rng.uniform(0, 7))
        p, x = tsallis_newton(z, eta)
        assert abs(p.sum() - 1.0) < 1e-12        # before the final renormalisation
        assert x < z.min()


@settings(max_examples=150, deadline=None)
@given(
    losses=st.lists(st.floats(-1e6, 1e9, allow_nan=False), min_size=1, max_size=25),
    n_costs=st.integers(0, 10**6),
    mean_cost=st.floats(0.01, 1e5),
)
def test_probabilities_are_a_distribution(losses, n_costs, mean_cost):
    state = TsallisINF(np.arange(len(losses), dtype=float), seed=0).state_dict()
    state.update(losses=losses, n_costs=n_costs, cost_sum=mean_cost * n_costs)
    p = Policy.from_state_dict(state).probabilities()
    assert np.all(np.isfinite(p)) and np.all(p >= 0) and np.all(p <= 1)
    assert abs(p.sum() - 1.0) < 1e-12


def test_scale_falls_back_to_one_when_mean_cost_is_at_most_one():
    policy = TsallisINF([1.0, 2.0, 3.0], seed=0)
    policy.update(0, 1 / 3, 1.0)                    # mean cost 1: mean - 1 = 0
    assert policy.scale == 1.0
    np.testing.assert_allclose(policy.probabilities(), np.full(3, 1 / 3), rtol=1e-13)
    policy.update(1, 1 / 3, 0.5)                    # a cost below 1 is a negative loss
    assert policy.scale == 1.0
    np.testing.assert_allclose(policy.losses, [0.0, -1.5, 0.0])
    p = policy.probabilities()
    np.testing.assert_allclose(p, reference_probabilities([0.0, -1.5, 0.0], 1.0, 3), atol=1e-12)
    assert p[1] > p[0] == pytest.approx(p[2])


def test_delayed_updates_use_their_own_probabilities():
    policy = TsallisINF([1.0, 1.5], seed=3)
    first, second = policy.choose(), policy.choose()     # same round: same distribution
    assert first[1] == 0.5 and second[1] == 0.5
    policy.update(second[0], 0.25, 5.0)
    policy.update(first[0], 0.8, 2.0)
    expected = np.zeros(2)
    expected[second[0]] += 4.0 / 0.25
    expected[first[0]] += 1.0 / 0.8
    np.testing.assert_allclose(policy.losses, expected)
    assert policy.t == 3 and policy.scale == 2.5


@pytest.mark.parametrize("arms, error, match", [
    ([], ParameterError, "at least one"),
    ([1.0, float("nan")], ParameterError, "finite"),
    ([1.0, float("inf")], ParameterError, "finite"),
    ([1.0, 1.5, 1.0], ParameterError, "distinct"),
    ([[1.0, 1.5]], ParameterError, "1-D"),
    (1.5, ParameterError, "1-D"),
    (["a", "b"], ParameterTypeError, "real"),
    ([1 + 1j, 2.0], ParameterTypeError, "real"),
])
def test_bad_arms(arms, error, match):
    with pytest.raises(error, match=match):
        TsallisINF(arms)


@pytest.mark.parametrize("seed, error", [(-1, ParameterError), (1.5, ParameterTypeError),
                                         (True, ParameterTypeError), ("0", ParameterTypeError)])
def test_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        TsallisINF([1.0, 2.0], seed=seed)


def test_arms_are_read_only_floats_in_the_given_order():
    policy = TsallisINF([3, 1, 2])
    assert policy.arms.dtype == np.float64
    np.testing.assert_array_equal(policy.arms, [3.0, 1.0, 2.0])
    with pytest.raises(ValueError):
        policy.arms[0] = 5.0
