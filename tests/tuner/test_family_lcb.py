"""Configuration spaces and FamilyLCB, the default policy over them: construction errors,
learning the best configuration per context, the backstop's estimate, persistence."""

import json

import numpy as np
import pytest

import solvers
from tuner import ConfigSpace, FamilyLCB, RobustLCB, Tuner, default_policy
from tuner.errors import ParameterError, ParameterTypeError, StateError

SPACE = {"cg": {}, "jacobi": {}, "ssor": {"omega": [1.0, 1.2, 1.4, 1.6, 1.8]}}


def test_space_enumerates_families_in_order_and_knobs_sorted():
    space = ConfigSpace({"amg": {"rebuild": [16, 1, 4]}, "cg": {}})
    assert [space.config(i) for i in range(len(space))] == [
        {"method": "amg", "rebuild": 1}, {"method": "amg", "rebuild": 4},
        {"method": "amg", "rebuild": 16}, {"method": "cg"}]
    assert space.family_range(1) == range(3, 4)
    assert space.index({"rebuild": 4, "method": "amg"}) == 1


def test_space_with_two_knobs_is_their_product_last_fastest():
    space = ConfigSpace({"f": {"a": [1, 2], "b": [0.5, 0.25]}})
    assert [(c["a"], c["b"]) for c in map(space.config, range(4))] == [
        (1, 0.25), (1, 0.5), (2, 0.25), (2, 0.5)]
    assert space.label(3) == "f(a=2, b=0.5)"


@pytest.mark.parametrize("spec, match", [
    ({"ssr": {}}, "unknown family 'ssr'"),
    ({"ssor": {"omeg": [1.2]}}, "no knob 'omeg'"),
    ({"ssor": {"omega": [1.2, 2.5]}}, "omega must be in"),
    ({"amg": {"rebuild": [0]}}, "rebuild must be an integer >= 1"),
])
def test_space_checked_against_the_catalog_at_construction(spec, match):
    with pytest.raises(ValueError, match=match):
        ConfigSpace(spec, catalog=solvers.METHODS)


def test_catalog_fills_a_knob_left_out_with_its_default():
    space = ConfigSpace({"ssor": {}}, catalog=solvers.METHODS)
    assert space.config(0) == {"method": "ssor", "omega": 1.0}


@pytest.mark.parametrize("spec, error", [
    ({}, ParameterTypeError), ([("cg", {})], ParameterTypeError),
    ({"cg": {"omega": []}}, ParameterError), ({"cg": {"w": [1.0, 1.0]}}, ParameterError),
    ({"cg": {"w": [float("nan")]}}, ParameterError), ({"cg": {"method": [1]}}, ParameterError),
    ({"cg": {"w": ["a"]}}, ParameterTypeError), ({"": {}}, ParameterTypeError),
])
def test_space_refuses_malformed_specs(spec, error):
    with pytest.raises(error):
        ConfigSpace(spec)


def test_unknown_configuration_is_an_error():
    with pytest.raises(ParameterError, match="not a configuration"):
        ConfigSpace(SPACE).index({"method": "ssor", "omega": 1.3})


def _cost(config, context, rng):
    """Plain CG is best below context 5, SSOR at omega 1.4 above; 5% log-normal noise."""
    noise = np.exp(0.05 * rng.standard_normal())
    if config["method"] == "cg":
        return 1e-3 * (1.0 + 0.3 * context) * noise
    if config["method"] == "jacobi":
        return 1e-3 * (1.2 + 0.3 * context) * noise
    return 1e-3 * (2.5 + 0.05 * context + 20.0 * (config["omega"] - 1.4) ** 2) * noise


def test_learns_the_best_configuration_of_each_context():
    rng = np.random.default_rng(1)
    tuner = Tuner(default_policy(SPACE, bounds=(0.0, 10.0), seed=0), keep_history=False)
    chosen = []
    for _step in range(3000):
        context = float(rng.uniform(0.0, 10.0))
        trial = tuner.ask(context)
        tuner.tell(trial, _cost(trial.value, context, rng))
        chosen.append((context, trial.value))
    last = chosen[-500:]
    low = [c for x, c in last if x < 3.0]
    high = [c for x, c in last if x > 8.0]
    assert np.mean([c == {"method": "cg"} for c in low]) > 0.85
    assert np.mean([c == {"method": "ssor", "omega": 1.4} for c in high]) > 0.75
    assert tuner.best(9.0)[0] == {"method": "ssor", "omega": 1.4}
    assert tuner.best(1.0)[0] == {"method": "cg"}


def test_every_family_is_tried_before_the_estimates_decide():
    policy = FamilyLCB(SPACE, min_plays=2, seed=0)
    families = []
    for _ in range(6):
        arm, p = policy.choose()
        families.append(policy.value_of(arm)["method"])
        policy.update(arm, p, 1.0)
    assert sorted(families) == ["cg", "cg", "jacobi", "jacobi", "ssor", "ssor"]


def test_best_estimate_is_in_the_unit_told_and_none_before_costs():
    policy = FamilyLCB({"cg": {}}, seed=0)
    assert policy.best() is None
    for _ in range(30):
        arm, p = policy.choose()
        policy.update(arm, p, 2e-3)
    arm, cost = policy.best()
    assert policy.value_of(arm) == {"method": "cg"}
    assert cost == pytest.approx(2e-3, rel=0.05)


def test_decisions_do_not_depend_on_the_unit():
    def run(scale):
        rng = np.random.default_rng(3)
        policy = FamilyLCB(SPACE, bounds=(0.0, 10.0), seed=0)
        out = []
        for _ in range(800):
            context = float(rng.uniform(0.0, 10.0))
            arm, p = policy.choose(context)
            policy.update(arm, p, scale * _cost(policy.value_of(arm), context, rng), context)
            out.append(arm)
        return out
    a, b = run(1.0), run(1000.0)
    assert sum(x != y for x, y in zip(a, b, strict=True)) <= 2


def test_excluded_family_is_never_chosen_and_excluding_all_is_an_error():
    policy = FamilyLCB(SPACE, seed=0)
    policy.exclude("cg")
    policy.exclude("jacobi")
    assert policy.excluded == ("cg", "jacobi")
    assert all(policy.value_of(policy.choose()[0])["method"] == "ssor" for _ in range(50))
    with pytest.raises(ParameterError, match="not a family"):
        policy.exclude("amg")
    policy.exclude("ssor")
    with pytest.raises(ParameterError, match="every family"):
        policy.choose()


def test_probabilities_match_a_distribution_over_every_configuration():
    policy = FamilyLCB(SPACE, seed=0)
    rng = np.random.default_rng(0)
    for _ in range(100):
        arm, p = policy.choose()
        policy.update(arm, p, _cost(policy.value_of(arm), 5.0, rng))
    p = policy.probabilities()
    assert p.shape == (7,) and p.sum() == pytest.approx(1.0) and (p >= 0).all()


def test_save_and_load_mid_run_continues_identically(tmp_path):
    rng = np.random.default_rng(2)
    tuner = Tuner(default_policy(SPACE, bounds=(0.0, 10.0), seed=5))
    for _ in range(200):
        c = float(rng.uniform(0, 10))
        trial = tuner.ask(c)
        tuner.tell(trial, _cost(trial.value, c, rng))
    waiting = tuner.ask(3.0)                          # outstanding across the save
    tuner.save(tmp_path / "t.json")
    loaded = Tuner.load(tmp_path / "t.json")
    assert loaded.outstanding[0].value == waiting.value
    assert isinstance(loaded.policy, FamilyLCB)
    state = json.loads((tmp_path / "t.json").read_text())
    assert state["outstanding"][0]["value"] == waiting.value     # a plain dict in JSON
    for t in (tuner, loaded):
        t.tell(waiting.id, 1e-3)
    r1, r2 = np.random.default_rng(9), np.random.default_rng(9)
    for _ in range(100):
        c = float(r1.uniform(0, 10))
        assert c == float(r2.uniform(0, 10))
        a, b = tuner.ask(c), loaded.ask(c)
        assert a == b
        tuner.tell(a, _cost(a.value, c, r1))
        loaded.tell(b, _cost(b.value, c, r2))


def test_damaged_state_is_refused(tmp_path):
    tuner = Tuner(default_policy(SPACE, seed=0))
    tuner.tell(tuner.ask(), 1.0)
    state = tuner.state_dict()
    state["policy"]["plays"] = [-1, 0, 0]
    with pytest.raises(StateError):
        Tuner.from_state_dict(state)
    state = tuner.state_dict()
    state["policy"]["families"] = state["policy"]["families"][:2]
    with pytest.raises(StateError):
        Tuner.from_state_dict(state)
    state = tuner.state_dict()
    state["outstanding"] = [{"id": 1, "arm": 0, "value": {"method": "jacobi"},
                             "probability": 1.0, "context": None}]
    state["next_id"] = 2
    with pytest.raises(StateError, match="not arm 0"):
        Tuner.from_state_dict(state)


def test_plain_omega_tuner_still_builds_and_loads_as_before(tmp_path):
    policy = default_policy(np.linspace(1.0, 1.9, 10), seed=0)
    assert isinstance(policy, RobustLCB)
    tuner = Tuner(policy)
    trial = tuner.ask()
    assert isinstance(trial.value, float)
    tuner.tell(trial, 12.0)
    tuner.save(tmp_path / "w.json")
    assert isinstance(Tuner.load(tmp_path / "w.json").ask().value, float)


def test_tuner_exclude_needs_a_space():
    with pytest.raises(ParameterTypeError, match="no families"):
        Tuner(RobustLCB([1.0, 1.5])).exclude("cg")


def test_default_policy_checks_a_space_against_a_catalog_at_construction():
    with pytest.raises(ParameterError, match="unknown family 'ssr'"):
        default_policy({"ssr": {}}, catalog=solvers.METHODS)
    with pytest.raises(ParameterError, match="catalog"):
        default_policy([1.0, 1.5], catalog=solvers.METHODS)
    assert default_policy({"cg": {}}, catalog=solvers.METHODS).space.families == ("cg",)
