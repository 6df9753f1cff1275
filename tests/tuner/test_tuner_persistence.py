"""Tuner.save / Tuner.load: atomic JSON, and a resumed run continues identically."""

import json
import os

import numpy as np
import pytest
from tuner_cases import POLICIES, POLICY_IDS

from tuner import Tuner, read_log
from tuner.errors import StateError


def _cost(trial, rng):
    return 1.0 + 8.0 * abs(trial.value - 1.35) * (1 + (trial.context or 0.0)) + rng.random()


def _rounds(tuner, rounds, rng):
    """``rounds`` ask/tell rounds; returns (arm, probability, value) of each."""
    out = []
    for _ in range(rounds):
        context = float(rng.random()) if tuner.policy.contextual else None
        trial = tuner.ask(context)
        tuner.tell(trial, _cost(trial, rng))
        out.append((trial.arm, trial.probability, trial.value))
    return out


@pytest.mark.parametrize("make", [f for _, f in POLICIES], ids=POLICY_IDS)
def test_resumed_run_equals_uninterrupted_run(make, tmp_path):
    whole = _rounds(Tuner(make(21)), 100, np.random.default_rng(5))

    rng = np.random.default_rng(5)
    log = tmp_path / "trials.jsonl"
    tuner = Tuner(make(21), log=log)
    first = _rounds(tuner, 50, rng)
    path = tmp_path / "tuner.json"
    tuner.save(path)
    del tuner
    resumed = Tuner.load(path, log=log)
    second = _rounds(resumed, 50, rng)
    assert first + second == whole                # same arms, probabilities, values
    assert len(resumed.history) == 50             # the history is not in the state ...
    records = read_log(log)                       # ... the log has the whole run
    assert [(r["arm"], r["probability"], r["value"]) for r in records] == whole
    assert [r["id"] for r in records] == list(range(100))


def test_outstanding_trials_survive_a_save(tmp_path):
    def run(interrupt):
        tuner = Tuner(POLICIES[2][1](3))           # ChebCB
        asked = [tuner.ask(c) for c in (0.1, 0.5, 0.9)]
        if interrupt:
            tuner.save(tmp_path / "t.json")
            tuner = Tuner.load(tmp_path / "t.json")
            assert tuner.outstanding == tuple(asked)
        tuner.tell(asked[2].id, 5.0)
        tuner.tell(asked[0].id, 9.0, censored=True)
        tuner.tell(asked[1], 3.0)
        return [tuner.ask(c) for c in (0.2, 0.8)], tuner.history
    assert run(False) == run(True)


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "tuner.json"
    tuner = Tuner(POLICIES[0][1](0))
    _rounds(tuner, 5, np.random.default_rng(0))
    tuner.save(path)
    before = path.read_text()
    assert json.loads(before)["format"] == "relax.tuner"

    _rounds(tuner, 5, np.random.default_rng(1))

    def fail(*args):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        tuner.save(path)
    assert path.read_text() == before              # the old state is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tuner.json"]
    monkeypatch.undo()
    tuner.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tuner.json"]
    assert Tuner.load(path).state_dict()["next_id"] == 10


def test_loading_something_else_fails_clearly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StateError, match="not a JSON tuner file"):
        Tuner.load(bad)
    bad.write_text(json.dumps({"format": "other"}))
    with pytest.raises(StateError, match="not a saved tuner"):
        Tuner.load(bad)
    good = Tuner(POLICIES[0][1](0)).state_dict()
    bad.write_text(json.dumps({**good, "version": 99}))
    with pytest.raises(StateError, match="version"):
        Tuner.load(bad)
    broken = {**good, "policy": {**good["policy"], "losses": [1.0]}}
    bad.write_text(json.dumps(broken))
    with pytest.raises(StateError, match="malformed"):
        Tuner.load(bad)


@pytest.mark.parametrize("field, value", [("arm", 99), ("arm", -1), ("probability", 0.0),
                                          ("probability", 2.0), ("value", 123.0)])
def test_a_tampered_outstanding_trial_is_refused_on_loading(tmp_path, field, value):
    """Outstanding trials are told to the policy without re-checking, so loading checks them:
    an arm out of range would otherwise index past the policy's arrays."""
    tuner = Tuner(POLICIES[0][1](0))
    tuner.ask()
    state = tuner.state_dict()
    state["outstanding"][0][field] = value
    path = tmp_path / "t.json"
    path.write_text(json.dumps(state))
    with pytest.raises(StateError, match="malformed"):
        Tuner.load(path)


def test_packed_arrays_round_trip_bit_for_bit_and_refuse_damage():
    from tuner._arrays import pack_array, unpack_array

    rng = np.random.default_rng(0)
    for array in (rng.normal(size=(5, 1, 127, 20)) * 10.0 ** rng.integers(-300, 300, 1),
                  np.zeros((0, 3)), np.array([np.finfo(float).tiny, -0.0, 1e308])):
        back = unpack_array(json.loads(json.dumps(pack_array(array))))
        assert back.shape == array.shape
        assert back.tobytes() == np.ascontiguousarray(array, dtype=float).tobytes()
    record = pack_array(np.arange(6.0))
    with pytest.raises(TypeError, match="shape"):
        unpack_array(record, (7,))
    with pytest.raises(TypeError, match="malformed"):
        unpack_array({**record, "zlib64": record["zlib64"][:-8]})
    with pytest.raises(TypeError, match="malformed"):
        unpack_array({"shape": [2]})


def test_the_log_keeps_every_told_trial_and_drops_a_torn_last_line(tmp_path):
    log = tmp_path / "trials.jsonl"
    tuner = Tuner(POLICIES[0][1](0), keep_history=False, log=log)
    _rounds(tuner, 7, np.random.default_rng(0))
    assert tuner.history == []
    records = read_log(log)
    assert [r["id"] for r in records] == list(range(7))
    with open(log, "a") as f:
        f.write('{"id": 7, "arm"')                  # a crash while the line was written
    assert len(read_log(log)) == 7


def test_a_line_appended_after_a_torn_one_stays_whole(tmp_path):
    log = tmp_path / "trials.jsonl"
    tuner = Tuner(POLICIES[0][1](0), log=log)
    _rounds(tuner, 3, np.random.default_rng(0))
    with open(log, "a") as f:
        f.write('{"id": 3, "ar')                      # a crash mid-line
    _rounds(tuner, 2, np.random.default_rng(1))       # the run goes on (or is resumed)
    assert [r["id"] for r in read_log(log)] == [0, 1, 2, 3, 4]


def test_bad_tuner_options_are_refused():
    from tuner.errors import ParameterTypeError

    with pytest.raises(ParameterTypeError, match="keep_history"):
        Tuner(POLICIES[0][1](0), keep_history="yes")
    with pytest.raises(TypeError):
        Tuner(POLICIES[0][1](0), log=3.5)
