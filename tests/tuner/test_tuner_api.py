"""The ask/tell Tuner: trials, delayed feedback, censored costs, history and mistakes."""

import dataclasses

import numpy as np
import pytest

from tuner import ChebCB, ContextOutOfBoundsWarning, Fixed, Trial, TsallisINF, Tuner
from tuner.errors import ContextError, CostError, ParameterTypeError, TrialError


def test_ask_returns_a_frozen_trial_with_the_arm_value():
    tuner = Tuner(TsallisINF([1.0, 1.5, 1.9], seed=0))
    trial = tuner.ask()
    assert isinstance(trial, Trial) and trial.id == 0 and trial.context is None
    assert trial.value == tuner.policy.arms[trial.arm]
    assert trial.probability == pytest.approx(1 / 3, rel=1e-13)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trial.value = 2.0
    assert tuner.outstanding == (trial,)


def test_delayed_feedback_in_any_order():
    tuner = Tuner(TsallisINF([1.0, 1.5], seed=0))
    first, second, third = tuner.ask(), tuner.ask(), tuner.ask()
    assert [t.id for t in tuner.outstanding] == [0, 1, 2]
    tuner.tell(second, 6.0)
    tuner.tell(first.id, 11.0)                     # an id works too
    assert tuner.outstanding == (third,)
    assert [r["id"] for r in tuner.history] == [1, 0]
    # The policy got each trial's own arm and probability: K_i += (c - 1) / p_i.
    expected = np.zeros(2)
    expected[second.arm] += 5.0 / second.probability
    expected[first.arm] += 10.0 / first.probability
    np.testing.assert_allclose(tuner.policy.losses, expected)
    tuner.tell(third, 2.0)
    assert tuner.outstanding == ()


def test_history_records_everything_including_censored_costs():
    tuner = Tuner(ChebCB([1.0, 1.5], bounds=(0.0, 1.0), seed=0))
    trial = tuner.ask(context=0.25)
    tuner.tell(trial, 10_000, censored=True)
    (record,) = tuner.history
    assert record == {"id": 0, "arm": trial.arm, "value": trial.value,
                      "probability": trial.probability, "context": 0.25, "cost": 10000.0,
                      "censored": True}
    assert tuner.policy.t == 1                     # the cap was learned from, not dropped
    tuner.history[0]["cost"] = -1                  # the tuner's records are not exposed
    assert tuner.history[0]["cost"] == 10000.0


def test_non_contextual_policy_records_a_given_context():
    tuner = Tuner(TsallisINF([1.0, 1.5], seed=0))
    trial = tuner.ask(context=3)
    assert trial.context == 3.0
    tuner.tell(trial, 4.0)
    assert tuner.history[0]["context"] == 3.0


def test_contextual_policy_clips_and_records_the_clipped_context():
    tuner = Tuner(ChebCB([1.0, 1.5], bounds=(0.0, 1.0), seed=0))
    with pytest.raises(ContextError, match="contextual"):
        tuner.ask()
    with pytest.warns(ContextOutOfBoundsWarning, match="outside the bounds"):
        trial = tuner.ask(context=1.7)
    assert trial.context == 1.0
    tuner.tell(trial, 3.0)                         # no second warning on tell
    assert tuner.history[0]["context"] == 1.0


@pytest.mark.parametrize("cost", [float("nan"), float("inf"), -3.0, 0.0])
def test_bad_costs_are_refused_and_the_trial_stays_outstanding(cost):
    tuner = Tuner(TsallisINF([1.0, 1.5], seed=0))
    trial = tuner.ask()
    with pytest.raises(CostError, match="cost must be a finite number > 0"):
        tuner.tell(trial, cost)
    assert tuner.outstanding == (trial,) and tuner.history == []
    with pytest.raises(ParameterTypeError, match="cost"):
        tuner.tell(trial, "7")
    with pytest.raises(ParameterTypeError, match="censored"):
        tuner.tell(trial, 7.0, censored="yes")
    tuner.tell(trial, 7.0)


def test_unknown_and_already_told_trials():
    tuner = Tuner(TsallisINF([1.0, 1.5], seed=0))
    trial = tuner.ask()
    tuner.tell(trial, 2.0)
    with pytest.raises(TrialError, match="already told"):
        tuner.tell(trial, 2.0)
    with pytest.raises(TrialError, match="unknown"):
        tuner.tell(5, 2.0)
    with pytest.raises(TrialError, match="unknown"):
        tuner.tell(Trial(id=-1, arm=0, value=1.0, probability=0.5), 2.0)
    pending = tuner.ask()
    forged = dataclasses.replace(pending, arm=1 - pending.arm)
    with pytest.raises(TrialError, match="does not match"):
        tuner.tell(forged, 2.0)
    with pytest.raises(ParameterTypeError, match="trial"):
        tuner.tell("0", 2.0)
    assert isinstance(TrialError("x"), ValueError)


def test_policy_must_be_a_policy():
    with pytest.raises(ParameterTypeError, match="policy"):
        Tuner(np.linspace(1, 2, 5))


def test_costs_below_one_are_accepted():
    tuner = Tuner(Fixed(1.2))
    trial = tuner.ask()
    tuner.tell(trial, 0.25)
    assert tuner.history[0]["cost"] == 0.25
