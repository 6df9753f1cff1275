"""``relax batch``: every input solved once, resumable after a kill, the same on Dask."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from cli_checks import make_inputs as _make_inputs
from cli_checks import run_killed_at_tell
from click.testing import CliRunner

import cli.batch as batch_module
import solvers
from cli.batch_state import BatchState
from cli.main import main
from problems import load_system, save_system
from solvers import sor

ROOT = Path(__file__).resolve().parents[2]
BOUNDS = ["--bounds", "-0.15", "0.65"]


def _batch(*args):
    return CliRunner().invoke(main, ["batch", *args])


def _rows(path):
    """The rows of a CSV results file, read as a user would (the options line is a comment)."""
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _check_complete(inputs, out, state):
    """Every input exactly once in the journal, and the tuner learned exactly those rows."""
    rows = _rows(out)
    assert sorted(r["input"] for r in rows) == sorted(inputs)
    saved = BatchState.load(state)
    assert saved.pending == {} and saved.done == set(inputs)
    history = saved.learned
    assert sorted(h["id"] for h in history) == sorted(int(r["trial"]) for r in rows)
    by_id = {h["id"]: h for h in history}
    for r in rows:
        h = by_id[int(r["trial"])]
        assert h["value"] == float(r["omega"]) and h["cost"] == max(float(r["iterations"]), 1)
    return rows


def test_fixed_omega_rows_are_the_solver_results(tmp_path):
    inputs = _make_inputs(tmp_path / "in", 8)
    out = tmp_path / "r.csv"
    result = _batch(str(tmp_path / "in"), "--method", "sor", "--tune", "fixed:1.6",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert [r["input"] for r in rows] == inputs
    for r in rows:
        inst = load_system(r["input"])
        assert int(r["iterations"]) == sor(inst.A, inst.b, omega=1.6).iterations
        assert r["converged"] == "True" and float(r["omega"]) == 1.6


def test_tuned_batch_state_and_journal_agree_and_a_finished_run_is_left_alone(tmp_path):
    inputs = _make_inputs(tmp_path / "in", 20)
    out, state = tmp_path / "r.csv", tmp_path / "s.json"
    args = [str(tmp_path / "in"), "--method", "sor", "--context", "context", *BOUNDS,
            "--state", str(state), "--out", str(out)]
    assert _batch(*args).exit_code == 0
    rows = _check_complete(inputs, out, state)
    assert len({r["omega"] for r in rows}) > 1                   # it tunes
    before = (out.read_text(), state.read_text())
    again = _batch(*args)
    assert again.exit_code == 0 and "0 to solve" in again.output
    assert (out.read_text(), state.read_text()) == before


def test_jsonl_journal_and_stdout(tmp_path):
    _make_inputs(tmp_path / "in", 3)
    out = tmp_path / "r.jsonl"
    assert _batch(str(tmp_path / "in"), "--method", "ssor", "--tune", "fixed:1.2",
                  "--out", str(out)).exit_code == 0
    head, *rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert head["relax_batch_results"]["method"] == "ssor"
    assert len(rows) == 3 and all(r["converged"] for r in rows)
    printed = _batch(str(tmp_path / "in"), "--tune", "fixed:1.2", "--method", "ssor")
    assert [json.loads(line)["iterations"] for line in printed.stdout.splitlines()] == \
        [r["iterations"] for r in rows]


def test_a_crash_between_journal_and_tell_is_recovered(tmp_path, monkeypatch):
    """Killed after the row was written but before the tuner learned it: the resumed run
    tells the tuner from the journal and solves nothing twice."""
    inputs = _make_inputs(tmp_path / "in", 10)
    out, state = tmp_path / "r.csv", tmp_path / "s.json"
    args = [str(tmp_path / "in"), "--method", "sor", "--state", str(state), "--out", str(out)]
    second = run_killed_at_tell(monkeypatch, lambda: _batch(*args), lambda: _rows(out))
    assert second.exit_code == 0
    _check_complete(inputs, out, state)


def test_a_crash_during_a_solve_reuses_the_pending_trial(tmp_path, monkeypatch):
    inputs = _make_inputs(tmp_path / "in", 10)
    out, state = tmp_path / "r.csv", tmp_path / "s.json"
    args = [str(tmp_path / "in"), "--method", "sor", "--state", str(state), "--out", str(out)]
    real_solve = batch_module.solve_loaded
    calls = {"n": 0}

    def dying_solve(*a, **k):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real_solve(*a, **k)

    monkeypatch.setattr(batch_module, "solve_loaded", dying_solve)
    assert _batch(*args).exit_code != 0
    (pending_id, pending_input), = BatchState.load(state).pending.items()
    assert pending_input == inputs[5] and len(_rows(out)) == 5
    monkeypatch.setattr(batch_module, "solve_loaded", real_solve)
    assert _batch(*args).exit_code == 0
    rows = _check_complete(inputs, out, state)
    assert int(rows[5]["trial"]) == int(pending_id)     # solved with the trial it was given


def test_killed_subprocess_resumes_with_every_instance_once(tmp_path):
    """A real SIGKILL to `relax batch` at two moments, then a resumed run to the end."""
    inputs = _make_inputs(tmp_path / "in", 300)
    out, state = tmp_path / "r.csv", tmp_path / "s.json"
    command = [sys.executable, "-m", "cli.main", "batch", str(tmp_path / "in"), "--method",
               "sor", "--context", "context", *BOUNDS, "--state", str(state), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for threshold in (30, 120):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_text().count("\n") > threshold:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the batch finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    _check_complete(inputs, out, state)


def test_dask_local_cluster_gives_the_serial_results(tmp_path):
    pytest.importorskip("dask.distributed")
    inputs = _make_inputs(tmp_path / "in", 12)
    serial, parallel = tmp_path / "a.csv", tmp_path / "b.csv"
    common = [str(tmp_path / "in"), "--method", "sor", "--tune", "fixed:1.7"]
    assert _batch(*common, "--out", str(serial)).exit_code == 0
    result = _batch(*common, "--out", str(parallel), "--workers", "2")
    assert result.exit_code == 0, result.output

    def content(path):
        return sorted((r["input"], r["omega"], r["iterations"], r["status"], r["residual_norm"])
                      for r in _rows(path))
    assert content(serial) == content(parallel)
    tuned, state = tmp_path / "c.csv", tmp_path / "s.json"
    assert _batch(str(tmp_path / "in"), "--method", "sor", "--workers", "2", "--state",
                  str(state), "--out", str(tuned)).exit_code == 0
    _check_complete(inputs, tuned, state)


def test_a_corrupted_state_file_is_left_untouched(tmp_path):
    _make_inputs(tmp_path / "in", 2)
    state = tmp_path / "s.json"
    state.write_text("{not json")
    result = _batch(str(tmp_path / "in"), "--state", str(state))
    assert result.exit_code == 2
    assert "start afresh" in result.output and state.read_text() == "{not json"


@pytest.mark.parametrize("args, message, status", [
    (["IN", "--tune", "bogus"], "unknown policy", 2),
    (["IN", "--context", "context"], "--bounds", 2),
    (["IN", "--bounds", "0", "1"], "--bounds applies with --context only", 2),
    (["IN", "--method", "sor", "--precond", "amg"], "cg only", 2),
    (["IN", "--precond", "jacobi", "--tune", "tsallis-inf"], "no omega to tune", 2),
    (["IN", "--out", "r.txt"], ".csv or .jsonl", 2),
    (["IN", "--arms", "1:2"], "START:STOP:COUNT", 2),
    (["missing.npz"], "no such file", 2),
    (["notes.txt"], ".mtx or .npz", 2),
    (["EMPTY"], "no .mtx or .npz", 2),
    (["IN", "--workers", "2", "--scheduler", "tcp://x:1"], "exclude", 2),
    (["IN", "--scheduler", "tcp://127.0.0.1:1", "--tune", "fixed:1.5"], "cannot reach", 1),
    (["IN", "--arms", "1:2.5:10"], "0 < START <= STOP < 2", 2),
    (["IN", "--arms", "1.5:1.0:10"], "0 < START <= STOP < 2", 2),
    (["IN", "--arms", "1:1.9:0"], "1 <= COUNT", 2),
    (["IN", "--tune", "fixed:2.5"], "omega must lie in (0, 2)", 2),
    (["IN", "--tune", "fixed:abc"], "fixed:W needs a number", 2),
    (["IN", "--context", "context", "--bounds", "1", "0"], "finite A < B", 2),
    (["IN", "--context", "context", "--bounds", "0", "nan"], "not a finite number", 2),
    (["IN", "--rtol", "nan"], "not a finite number", 2),
    (["IN", "--context", "nosuch", "--bounds", "0", "1"], "no numeric context field", 2),
    (["IN", "--out", "nofolder/r.csv"], "does not exist", 2),
    (["IN", "--out", "IN"], "is a directory", 2),
    (["IN", "-o", "r.csv", "--state", "r.csv"], "different files", 2),
    (["IN", "--state", "nofolder/s.state"], "does not exist", 2),
    (["IN", "--rtol", "0"], "--rtol", 2),
    (["IN", "--nosuch"], "No such option", 2),
])
def test_bad_requests(tmp_path, args, message, status):
    _make_inputs(tmp_path / "in", 2)
    (tmp_path / "empty").mkdir()
    args = [{"IN": str(tmp_path / "in"), "EMPTY": str(tmp_path / "empty")}.get(a, a)
            for a in args]
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = _batch(*args)
    finally:
        os.chdir(old)
    assert result.exit_code == status, result.output
    assert message in result.stderr and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("relax: error:")]
    assert len(errors) == 1 and message in errors[0] and "Usage:" not in result.stderr


def test_context_from_a_metadata_field(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i, shift in enumerate((0.0, 0.3)):
        A = np.diag(np.full(4, 2.0 + shift))
        save_system(d / f"s{i}.npz", A, np.ones(4), meta={"shift": shift})
    out = tmp_path / "r.csv"
    result = _batch(str(d), "--method", "ssor", "--context", "shift", "--bounds", "0", "1",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [float(r["context"]) for r in _rows(out)] == [0.0, 0.3]
    bad = _batch(str(d), "--context", "nosuch", "--bounds", "0", "1")
    assert bad.exit_code == 2 and "no numeric context field 'nosuch'" in bad.output


def test_resuming_with_other_options_is_refused(tmp_path):
    _make_inputs(tmp_path / "in", 3)
    state = tmp_path / "s.state"
    args = [str(tmp_path / "in"), "--method", "sor", "--state", str(state)]
    assert _batch(*args, "--tune", "fixed:1.5").exit_code == 0
    before = state.read_text()
    result = _batch(*args, "--tune", "fixed:1.6")
    assert result.exit_code == 2, result.output
    assert "--tune 'fixed:1.5' (now 'fixed:1.6')" in result.output
    assert "start afresh" in result.output and state.read_text() == before
    assert _batch(*args, "--tune", "fixed:1.5").exit_code == 0      # the same run: nothing to do


def test_inputs_sharing_a_pattern_reuse_one_preparation(tmp_path, monkeypatch):
    from solvers import Solver

    inputs = _make_inputs(tmp_path / "in", 8)
    A = sp.csr_matrix(np.diag(np.full(5, 4.0)))
    save_system(tmp_path / "in" / "z_other.npz", A, np.ones(5))
    preparations = []
    real = Solver._prepare

    def counting(self, A, copy):
        preparations.append(A.shape)
        return real(self, A, copy)

    monkeypatch.setattr(batch_module, "_SOLVER", [None])
    monkeypatch.setattr(Solver, "_prepare", counting)
    out = tmp_path / "r.csv"
    result = _batch(str(tmp_path / "in"), "--method", "ssor", "--tune", "fixed:1.3",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    assert preparations == [(100, 100), (5, 5)]          # once per pattern, not per input
    rows = _rows(out)
    for r in rows[:len(inputs)]:
        inst = load_system(r["input"])
        assert int(r["iterations"]) == solvers.ssor(inst.A, inst.b, omega=1.3).iterations
