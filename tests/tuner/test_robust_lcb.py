"""RobustLCB, the default policy: the robustness scenarios in short form, unit invariance,
outstanding trials, persistence of a bounded state, and old state files."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from tuner import (
    CostScaleWarning,
    RobustLCB,
    TsallisINF,
    Tuner,
    UnimodalLCB,
    default_policy,
)
from tuner.errors import ParameterError
from tuner.scenarios import SCENARIOS, make_scenario, play

DATA = Path(__file__).parent / "data"


def _run(name, steps, seed=0, batch=1):
    s = make_scenario(name, steps=steps, seed=seed)
    policy = default_policy(s.arms, bounds=s.bounds, seed=seed)
    return s, policy, play(policy, s, batch=batch)


def _best_share(s, result, last=100, since=0):
    """Share of the last ``last`` choices that were the best fixed arm over the instances
    from ``since`` on."""
    best = int(np.argmin(s.costs[since:].sum(axis=0)))
    return float(np.mean(result.arms[-last:] == best))


def test_default_policy_is_robust_lcb():
    plain = default_policy(np.linspace(1.0, 1.95, 20), seed=3)
    contextual = default_policy(np.linspace(1.0, 1.95, 20), bounds=(0.0, 10.0))
    assert isinstance(plain, RobustLCB) and not plain.contextual
    assert isinstance(contextual, RobustLCB) and contextual.bounds == (0.0, 10.0)


@pytest.mark.parametrize("name", ["plateau", "double minimum", "bump", "outliers", "smooth",
                                  "pareto noise"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_trap_does_not_hold_it(name, seed):
    """Across a plateau of capped arms, out of a local minimum, past a bad arm next to the
    start, through rare capped instances and heavy-tailed noise: the best arm is played in
    most of the last 100 of 1000 steps (the old default walked down the plateau to omega = 1,
    stayed in the local minimum and stopped at the bad arm)."""
    s, _, result = _run(name, 1000, seed)
    assert _best_share(s, result) > 0.9


def test_on_the_plateau_it_probes_coarse_to_fine_and_beats_tsallis_inf():
    s, _, result = _run("plateau", 500)
    capped = np.flatnonzero(s.censored[0])
    assert capped.size == 15
    assert np.isin(result.arms, capped).sum() <= 6      # not every capped arm is tried
    tsallis = play(TsallisINF(s.arms, seed=0), s)
    assert result.total < tsallis.total


@pytest.mark.parametrize("name", ["jump", "jump with context"])
def test_after_a_jump_it_finds_the_new_best_arm(name):
    """The best omega jumps from 1.55 to 1.9 at step 1000 of 1200: a change is detected and
    the new best arm is played in most of the last 100 steps, with or without a context that
    says nothing about the cost (the old default kept its noise estimate, and in contextual
    mode never forgot)."""
    s, policy, result = _run(name, 1200)
    assert s.change == 1000
    assert policy.restarts >= 1
    assert _best_share(s, result, since=s.change) > 0.9
    assert result.costs[-100:].sum() < 1.3 * s.best_fixed_over(1100, 1200)


def test_slow_drift_is_tracked():
    s, _, result = _run("drift", 1000)
    assert result.total < 0.9 * s.best_fixed_total


@pytest.mark.parametrize("name", ["bounds too narrow", "bounds too wide"])
def test_misdeclared_bounds_cost_little(name):
    s, _, result = _run(name, 1000)
    assert result.total < 1.25 * s.best_fixed_total


def test_a_context_that_matters_is_used():
    s, _, result = _run("context", 1500)
    assert result.total < 0.75 * s.best_fixed_total          # far below any fixed arm


def test_outstanding_trials_spread_over_the_arms():
    """Twenty trials asked before any is told go to different arms (parallel workers do not
    all solve with the same value), and a batched run stays close to the best fixed arm."""
    t = Tuner(default_policy(np.linspace(1.0, 1.95, 20), seed=0))
    assert len({t.ask().arm for _ in range(20)}) == 20
    s, _, result = _run("quadratic", 1000, batch=100)
    assert result.total < 1.1 * s.best_fixed_total


def test_outstanding_trials_of_an_uncertain_policy_spread_too():
    s = make_scenario("smooth", steps=20, seed=0)
    t = Tuner(default_policy(s.arms, seed=0))
    for k in range(20):
        trial = t.ask()
        t.tell(trial, float(s.costs[k, trial.arm]))
    batch = [t.ask().arm for _ in range(30)]
    assert len(set(batch)) >= 2              # the previous default gave all 30 the same arm
    assert t.policy.pending.sum() == 30
    for trial in t.outstanding[:10]:
        t.cancel(trial)
    assert t.policy.pending.sum() == 20


@pytest.mark.parametrize("name", ["smooth", "context", "plateau", "jump"])
@pytest.mark.parametrize("scale", [1000.0, 1e-3])
def test_the_unit_of_the_costs_does_not_change_a_decision(name, scale):
    s = make_scenario(name, steps=600, seed=2)
    first = play(default_policy(s.arms, bounds=s.bounds, seed=2), s).arms
    second = play(default_policy(s.arms, bounds=s.bounds, seed=2), s, scale=scale).arms
    np.testing.assert_array_equal(first, second)


def test_the_faithful_learners_warn_when_costs_look_like_seconds():
    s = make_scenario("smooth", steps=300, seed=0)
    with pytest.warns(CostScaleWarning, match="learns from cost - 1"):
        scaled = play(TsallisINF(s.arms, seed=0), s, scale=1e-3).arms
    assert not np.array_equal(scaled, play(TsallisINF(s.arms, seed=0), s).arms)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CostScaleWarning)
        play(default_policy(s.arms, seed=0), s, scale=1e-3)       # no warning


def test_the_probability_of_a_choice_is_that_of_its_distribution():
    """``choose`` reports the probability ``probabilities`` gives its arm, and over many draws
    from one state the arms come up with those probabilities (chi-square, 1e-3 level)."""
    s = make_scenario("smooth", steps=40, seed=0)
    policy = default_policy(s.arms, seed=0)
    play(policy, s)
    p = policy.probabilities()
    assert p.sum() == pytest.approx(1.0) and p.min() >= 0.0
    state = policy.state_dict()
    draws = 4000
    counts = np.zeros(policy.n_arms)
    for _ in range(draws):
        fresh = RobustLCB.from_state_dict({**state, "rng": policy.state_dict()["rng"]})
        arm, prob = fresh.choose()
        assert prob == pytest.approx(p[arm])
        counts[arm] += 1
        policy._rng.random()                      # a new uniform for the next copy
    seen = p > 0
    expected = draws * p[seen]
    chi2 = float(((counts[seen] - expected) ** 2 / expected).sum())
    from scipy.stats import chi2 as chi2_dist
    assert chi2 < chi2_dist.ppf(0.999, seen.sum() - 1)
    assert counts[~seen].sum() == 0


@pytest.mark.parametrize("bounds", [None, (0.0, 4.0)])
def test_save_and_load_mid_run_continue_identically(tmp_path, bounds):
    """Saved with trials outstanding, after a change was detected and with censored costs:
    the loaded tuner asks and learns exactly as the original."""
    s = make_scenario("jump with context", steps=900, seed=4)
    s.censored[::37] = True

    def drive(tuner, steps):
        out = []
        for k in steps:
            trials = [tuner.ask(float(s.contexts[k]) * 4.0 if bounds else None)
                      for _ in range(3)]
            for trial in trials[:2]:
                tuner.tell(trial, float(s.costs[k, trial.arm]),
                           censored=bool(s.censored[k, trial.arm]))
            out.append([t.arm for t in trials])
            tuner.cancel(trials[2])
        return out

    whole = Tuner(default_policy(s.arms, bounds=bounds, seed=4))
    expected = drive(whole, range(900))
    assert whole.policy.restarts >= 1
    part = Tuner(default_policy(s.arms, bounds=bounds, seed=4))
    got = drive(part, range(800))
    pending = part.ask(0.5 if bounds else None)
    part.save(tmp_path / "t.json")
    loaded = Tuner.load(tmp_path / "t.json")
    assert loaded.outstanding == (pending,)
    loaded.cancel(pending)
    part.cancel(pending)
    got += drive(loaded, range(800, 900))
    assert got == expected


@pytest.mark.parametrize("bounds", [None, (0.0, 1.0)])
def test_the_saved_state_does_not_grow_with_the_run(tmp_path, bounds):
    """Random costs (every arm stays plausible, the worst case for the statistics kept):
    the state after 20 000 trials is as large as after 5 000, and under 100 KB."""
    rng = np.random.default_rng(0)
    t = Tuner(default_policy(np.linspace(1.0, 1.95, 20), bounds=bounds, seed=0),
              keep_history=False)
    sizes = []
    for steps in (5000, 15000):
        for _ in range(steps):
            trial = t.ask(float(rng.random()) if bounds else None)
            t.tell(trial, float(rng.uniform(20, 200)), censored=bool(rng.random() < 0.01))
        t.save(tmp_path / "t.json")
        sizes.append((tmp_path / "t.json").stat().st_size)
    assert sizes[1] < 100_000
    assert sizes[1] < 1.3 * sizes[0]
    assert "history" not in json.loads((tmp_path / "t.json").read_text())


@pytest.mark.parametrize("name", ["default_plain", "default_context", "tsallis"])
def test_a_state_file_of_the_previous_format_loads_and_continues(name):
    """Files written by the previous release (tuner format 1, with the history; the default
    policy was then UnimodalLCB): they load, keep their history, and continue exactly as the
    previous release did (its next 20 choices are recorded beside the files)."""
    t = Tuner.load(DATA / f"tuner_v1_{name}.json")
    assert len(t.history) == 60 and len(t.outstanding) == 1
    if name.startswith("default"):
        assert isinstance(t.policy, UnimodalLCB)
    expected = json.loads((DATA / "tuner_v1_continuations.json").read_text())[name]
    rng = np.random.default_rng(1)
    for _ in range(60):                       # the draws the recorded run had made
        rng.uniform(0, 10)
        rng.random()
    t.tell(t.outstanding[0], 11.0)
    got = []
    for _ in range(20):
        c = float(rng.uniform(0, 10))
        trial = t.ask(c if t.policy.contextual else None)
        t.tell(trial, (10.0 + 80.0 * (trial.value - 1.3 - 0.05 * c) ** 2)
               * (1 + 0.1 * rng.random()))
        got.append(trial.arm)
    assert got == expected


@pytest.mark.parametrize("kwargs", [{"explore": -0.1}, {"explore": float("nan")},
                                    {"levels": 0}, {"levels": 17}, {"confidence": -1.0},
                                    {"start": True}, {"min_count": 0}])
def test_bad_parameters_are_refused(kwargs):
    with pytest.raises((ParameterError, TypeError)):
        RobustLCB([1.0, 1.5, 1.9], (0.0, 1.0), **kwargs)


def test_every_scenario_is_built_and_replayed_by_each_kind_of_policy():
    for name in SCENARIOS:
        s = make_scenario(name, steps=60, seed=0)
        assert s.costs.shape == (60, 20) and np.all(s.costs > 0)
        assert np.all(s.costs[s.censored] == s.costs.max()) or not s.censored.any()
        for policy in (default_policy(s.arms, bounds=s.bounds, seed=0),
                       TsallisINF(s.arms, seed=0)):
            assert play(policy, s, batch=7).costs.shape == (60,)
    with pytest.raises(ValueError, match="unknown scenario"):
        make_scenario("nope")
    with pytest.raises(ParameterError, match="batch"):
        play(TsallisINF(s.arms, seed=0), s, batch=0)
    with pytest.raises(ValueError, match="scale"):
        play(TsallisINF(s.arms, seed=0), s, scale=float("nan"))


@pytest.mark.parametrize("field, index, value", [
    ("vector", 1, -2.0), ("vector", 3, -3.0), ("vector", 0, float("nan")),
    ("pending", 0, float("nan")), ("pending", 1, -1.0), ("pending", 2, 0.5),
    ("stats", (0, 0, 0, 1), -1.0), ("stamp", (0, 0), 1e9), ("vector", 13, 2.5),
    ("vector", 13, 99.0)])
def test_a_damaged_state_is_refused_when_loaded(field, index, value):
    from tuner._arrays import pack_array, unpack_array
    from tuner.errors import StateError

    policy = RobustLCB([1.0, 1.2, 1.4, 1.6], seed=0)
    for k in range(30):
        arm, p = policy.choose()
        policy.update(arm, p, 10.0 + k % 3)
    state = policy.state_dict()
    array = unpack_array(state[field])
    array[index] = value
    with pytest.raises(StateError, match="malformed RobustLCB state"):
        RobustLCB.from_state_dict({**state, field: pack_array(array)})
    with pytest.raises(StateError, match="malformed"):
        RobustLCB.from_state_dict({**state, "levels": 0, "bounds": [0.0, 1.0]})


def test_extreme_costs_are_handled():
    for low, high in ((1e-300, 1e300), (5e-324, 1.0), (1.0, 1.7e308)):
        policy = RobustLCB([1.0, 2.0, 3.0], seed=0)
        for cost in (low, high, low, high, 1.0):
            arm, p = policy.choose()
            policy.update(arm, p, cost)
        p = policy.probabilities()
        assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)


def test_a_choice_can_be_withdrawn_without_a_tuner():
    policy = RobustLCB([1.0, 1.5, 1.9], seed=0)
    arm, _ = policy.choose()
    assert policy.pending.sum() == 1
    policy.cancel(arm)
    assert policy.pending.sum() == 0


def test_a_policy_written_against_the_old_interface_still_works():
    """A user's Policy subclass whose ``_update`` takes no censored flag."""
    from tuner import Policy

    class Last(Policy):
        def __init__(self, arms, seed=None):
            super().__init__(arms, seed)
            self.seen = []

        def _probabilities(self, context):
            return np.full(self.n_arms, 1.0 / self.n_arms)

        def _update(self, arm, probability, cost, context):
            self.seen.append(cost)

        def _state(self):
            return {}

        @classmethod
        def _from_state(cls, state, rng):
            return cls(state["arms"], rng)

    t = Tuner(Last([1.0, 2.0], seed=0))
    t.tell(t.ask(), 5.0, censored=True)
    t.policy.update(0, 0.5, 7.0, censored=True)
    assert t.policy.seen == [5.0, 7.0]
