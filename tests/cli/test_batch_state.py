"""The batch state file: snapshot + event lines, replayed exactly, compacted, crash-tolerant."""

import json

import numpy as np
import pytest

import cli.batch_state as batch_state
from cli.batch_state import BatchState
from cli.errors import InputError
from tuner import ChebCB, TsallisINF, Tuner

ARMS = np.linspace(1.0, 1.9, 10)


def _cost(value, context):
    return 10.0 + 40.0 * (value - 1.3 - 0.5 * context) ** 2


def _drive(state, inputs, lag, rng):
    """Ask for each input, telling results ``lag`` asks late (as with Dask workers)."""
    waiting = []
    for path in inputs:
        context = float(rng.uniform(0.0, 1.0))
        waiting.append(state.ask(path, context))
        if len(waiting) > lag:
            trial = waiting.pop(0)
            state.tell(trial.id, _cost(trial.value, trial.context), censored=False)
    return waiting


@pytest.mark.parametrize("make_policy", [
    lambda: TsallisINF(ARMS, seed=3),
    lambda: ChebCB(ARMS, bounds=(0.0, 1.0), seed=3),
])
def test_a_reloaded_state_continues_exactly_like_the_uninterrupted_run(tmp_path, make_policy):
    inputs = [f"in{i}.npz" for i in range(60)]
    whole = BatchState.create(None, Tuner(make_policy()))
    left_whole = _drive(whole, inputs, lag=2, rng=np.random.default_rng(0))

    path = tmp_path / "run.state"
    first = BatchState.create(path, Tuner(make_policy()))
    rng = np.random.default_rng(0)
    waiting = _drive(first, inputs[:35], lag=2, rng=rng)
    first.close_log()                                       # killed: no final snapshot
    assert len(path.read_text().splitlines()) > 1          # events after the snapshot
    resumed = BatchState.load(path)
    assert resumed.pending == {t.id: inputs[t.id] for t in waiting}
    assert resumed.done == set(inputs[:33])
    # continue as the uninterrupted run did: the two waiting trials are told in turn
    carried = list(resumed.tuner.outstanding)
    for path_ in inputs[35:]:
        carried.append(resumed.ask(path_, float(rng.uniform(0.0, 1.0))))
        trial = carried.pop(0)
        resumed.tell(trial.id, _cost(trial.value, trial.context), censored=False)
    assert resumed.learned == whole.learned
    assert [t.id for t in carried] == [t.id for t in left_whole]


def test_a_result_appends_a_line_and_snapshots_are_amortised(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_state, "MIN_SNAPSHOT_INTERVAL", 2000)
    path = tmp_path / "run.state"
    state = BatchState.create(path, Tuner(TsallisINF(ARMS, seed=0)))
    files = []                                             # a snapshot replaces the file
    for i in range(200):
        trial = state.ask(f"in{i}.npz", None)
        state.tell(trial.id, 5.0 + trial.arm, censored=False)
        files.append(path.stat().st_ino)
    snapshots = sum(a != b for a, b in zip(files[:-1], files[1:], strict=True))
    assert 1 <= snapshots <= 10                            # not a rewrite per result
    lines = path.read_text().splitlines()
    assert all(set(json.loads(line)) & {"ask", "tell"} for line in lines[1:])
    assert len(BatchState.load(path).learned) == 200


def test_a_torn_last_line_is_dropped_and_the_file_compacted(tmp_path):
    path = tmp_path / "run.state"
    state = BatchState.create(path, Tuner(TsallisINF(ARMS, seed=0)))
    trial = state.ask("a.npz", None)
    state.tell(trial.id, 7.0, censored=False)
    state.close_log()
    with open(path, "a") as f:
        f.write('{"ask": 1, "inp')                          # a write cut short
    resumed = BatchState.load(path)
    assert resumed.done == {"a.npz"} and resumed.pending == {}
    assert len(path.read_text().splitlines()) == 1         # compacted to one snapshot


@pytest.mark.parametrize("corrupt", [
    lambda lines: lines[:1] + ['{"ask": 0, "input": "a.npz", "context": null, "value": 1.95}'],
    lambda lines: lines[:1] + ['{"tell": 5, "cost": 3.0, "censored": false}'],
    lambda lines: lines[:1] + ["not json"] + lines[1:],
    lambda lines: ['{"format": "relax.batch", "version": 99}'],
    lambda lines: ["[]"],
])
def test_an_inconsistent_file_is_refused_and_left_untouched(tmp_path, corrupt):
    path = tmp_path / "run.state"
    state = BatchState.create(path, Tuner(TsallisINF(ARMS, seed=0)))
    state.close()
    text = "\n".join(corrupt(path.read_text().splitlines())) + "\n"
    path.write_text(text)
    with pytest.raises(InputError, match="start afresh"):
        BatchState.load(path)
    assert path.read_text() == text
