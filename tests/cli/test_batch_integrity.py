"""``relax batch`` never loses, duplicates or fakes a result: the results file is the record.

Each data-loss path is reproduced as a user (or a crash) would cause it: the results file
deleted while the state is kept, a results file made with other options, a row torn by a
kill, a bad input among good ones, and kill -9 at random moments; the outcome is compared
with an uninterrupted run.
"""

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
from click.testing import CliRunner

import cli.batch_results as batch_results
from cli.batch_state import BatchState
from cli.main import main
from problems import poisson, save_system

ROOT = Path(__file__).resolve().parents[2]
TUNED = ["--method", "sor", "--context", "context", "--bounds", "-0.15", "0.65"]
SAME = ("input", "trial", "omega", "context", "iterations", "converged", "status",
        "residual_norm")


def _batch(*args):
    return CliRunner().invoke(main, ["batch", *map(str, args)])


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _values(path):
    """Every row's fields that a rerun must reproduce (not the time), by input."""
    rows = _rows(path)
    assert len({r["input"] for r in rows}) == len(rows), "an input has two rows"
    return {r["input"]: tuple(r[k] for k in SAME) for r in rows}


def _learned(state):
    """The tuner's observations: (trial id, omega, cost), each trial once."""
    history = BatchState.load(state).learned
    ids = [h["id"] for h in history]
    assert len(ids) == len(set(ids)), "a trial was told twice"
    return sorted((h["id"], h["value"], h["cost"]) for h in history)


def _reference(tmp_path, count):
    """An uninterrupted tuned run: its inputs, rows and observations."""
    inputs = _make_inputs(tmp_path / "in", count)
    out, state = tmp_path / "ref.csv", tmp_path / "ref.state"
    result = _batch(tmp_path / "in", *TUNED, "--state", state, "--out", out)
    assert result.exit_code == 0, result.output
    return inputs, _values(out), _learned(state)


def test_a_deleted_results_file_is_rebuilt_not_reported_done(tmp_path):
    inputs, rows, learned = _reference(tmp_path, 20)
    out, state = tmp_path / "ref.csv", tmp_path / "ref.state"
    out.unlink()
    again = _batch(tmp_path / "in", *TUNED, "--state", state, "--out", out)
    assert again.exit_code == 0, again.output
    assert "20 inputs the tuner has learned from have no row" in again.stderr
    assert "0 already done, 20 to solve" in again.stderr
    assert _values(out) == rows                          # the same omegas, the same results
    assert _learned(state) == learned                    # and nothing told twice


def test_a_row_deleted_from_the_middle_is_solved_again(tmp_path):
    inputs, rows, learned = _reference(tmp_path, 12)
    out, state = tmp_path / "ref.csv", tmp_path / "ref.state"
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:5] + lines[6:]))       # options, header, rows 0-2, 4-...
    again = _batch(tmp_path / "in", *TUNED, "--state", state, "--out", out)
    assert again.exit_code == 0, again.output
    assert "1 inputs the tuner has learned from have no row" in again.stderr
    assert _values(out) == rows and _learned(state) == learned


def test_rows_unknown_to_a_new_state_are_reported_once(tmp_path):
    _make_inputs(tmp_path / "in", 6)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    assert _batch(tmp_path / "in", *TUNED, "--out", out).exit_code == 0
    again = _batch(tmp_path / "in", *TUNED, "--out", out, "--state", state)
    assert again.exit_code == 0, again.output
    lines = [line for line in again.stderr.splitlines() if "does not hold" in line]
    assert len(lines) == 1 and lines[0].startswith("relax batch: 6 rows")
    assert "6 already done, 0 to solve" in again.stderr


def test_results_of_other_options_are_refused_until_overwrite(tmp_path):
    _make_inputs(tmp_path / "in", 4)
    out = tmp_path / "r.csv"
    assert _batch(tmp_path / "in", "--method", "sor", "--tune", "fixed:1.5",
                  "--out", out).exit_code == 0
    before = out.read_text()
    other = _batch(tmp_path / "in", "--method", "cg", "--tune", "fixed:1.5", "--out", out)
    assert other.exit_code == 2
    assert other.stderr.count("\n") == 1 and "--method 'sor' (now 'cg')" in other.stderr
    assert "--overwrite" in other.stderr and out.read_text() == before
    fresh = _batch(tmp_path / "in", "--method", "cg", "--tune", "fixed:1.5", "--out", out,
                   "--overwrite")
    assert fresh.exit_code == 0, fresh.output
    rows = _rows(out)
    assert len(rows) == 4 and all(int(r["iterations"]) > 0 for r in rows)
    assert json.loads(out.read_text().splitlines()[0][len(batch_results.CSV_MARK):])[
        "method"] == "cg"


@pytest.mark.parametrize("damage, message", [
    (lambda lines: ["input,trial\n", "x.npz,1\n"], "does not record the options"),
    (lambda lines: [lines[0], "something,else\n", *lines[2:]], "line 2 is not the header"),
    (lambda lines: [lines[0].replace('"sor"', '"ssor"'), *lines[1:]], "--method 'ssor'"),
])
def test_a_foreign_results_file_is_refused_and_left_untouched(tmp_path, damage, message):
    _make_inputs(tmp_path / "in", 2)
    out = tmp_path / "r.csv"
    args = [tmp_path / "in", "--method", "sor", "--tune", "fixed:1.5", "--out", out]
    assert _batch(*args).exit_code == 0
    content = "".join(damage(out.read_text().splitlines(keepends=True)))
    out.write_text(content)
    result = _batch(*args)
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and out.read_text() == content


def test_a_damaged_middle_row_is_named_and_left_untouched(tmp_path):
    _make_inputs(tmp_path / "in", 5)
    out = tmp_path / "r.csv"
    args = [tmp_path / "in", "--method", "sor", "--tune", "fixed:1.5", "--out", out]
    assert _batch(*args).exit_code == 0
    lines = out.read_text().splitlines(keepends=True)
    lines[3] = "garbage,1,2\n"
    damaged = "".join(lines)
    out.write_text(damaged)
    result = _batch(*args)
    assert result.exit_code == 2 and "line 4 is damaged" in result.stderr
    assert out.read_text() == damaged


def test_a_torn_last_row_is_dropped_and_its_input_solved_again(tmp_path, monkeypatch):
    """Killed while writing a row: half a line on disk, the trial pending in the state."""
    inputs, rows, learned = _reference(tmp_path, 10)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    real_append = batch_results.ResultsFile.append
    calls = {"n": 0}

    def tearing_append(self, row):
        calls["n"] += 1
        if calls["n"] == 7:
            with open(self.path, "a") as f:
                f.write(f"{row['input']},{row['trial']},1.")
            raise KeyboardInterrupt
        real_append(self, row)

    monkeypatch.setattr(batch_results.ResultsFile, "append", tearing_append)
    assert _batch(tmp_path / "in", *TUNED, "--state", state, "--out", out).exit_code != 0
    assert not out.read_text().endswith("\n")
    monkeypatch.setattr(batch_results.ResultsFile, "append", real_append)
    again = _batch(tmp_path / "in", *TUNED, "--state", state, "--out", out)
    assert again.exit_code == 0, again.output
    assert "dropped a row" in again.stderr and "torn" in again.stderr
    assert _values(out) == rows and _learned(state) == learned


@pytest.mark.parametrize("cut", [1, 7, 30])
def test_a_torn_row_of_a_told_trial_is_rebuilt(tmp_path, cut):
    """A finished run whose file lost the end of its last line: rebuilt, not retold."""
    inputs, rows, learned = _reference(tmp_path, 8)
    out, state = tmp_path / "ref.csv", tmp_path / "ref.state"
    text = out.read_text()
    out.write_text(text[:-cut])
    again = _batch(tmp_path / "in", *TUNED, "--state", state, "--out", out)
    assert again.exit_code == 0, again.output
    assert _values(out) == rows and _learned(state) == learned


def test_jsonl_results_resume_after_a_torn_row_and_a_deleted_file(tmp_path):
    _make_inputs(tmp_path / "in", 6)
    out, state = tmp_path / "r.jsonl", tmp_path / "s.state"
    args = [tmp_path / "in", *TUNED, "--state", state, "--out", out]
    assert _batch(*args).exit_code == 0

    def rows():
        head, *body = [json.loads(line) for line in out.read_text().splitlines()]
        assert head["relax_batch_results"]["method"] == "sor"
        return sorted((r["input"], r["trial"], r["omega"], r["iterations"]) for r in body)

    first = rows()
    out.write_text(out.read_text()[:-10])
    assert _batch(*args).exit_code == 0 and rows() == first
    out.unlink()
    assert _batch(*args).exit_code == 0 and rows() == first


def _bad_inputs(directory, kind):
    """20 good inputs and, at position 10, a bad one of ``kind``."""
    inputs = _make_inputs(directory, 20)
    bad = directory / "sl_0009b.npz"
    if kind == "unreadable":
        bad.write_bytes(b"this is not a zip file")
    elif kind == "not-spd":
        A = -poisson((6, 6))
        save_system(bad, A, np.ones(A.shape[0]), context=0.1)
    else:
        A = sp.csr_matrix(np.array([[0.0, 1.0], [1.0, 2.0]]))
        save_system(bad, A, np.ones(2), context=0.1)
    return inputs, str(bad)


@pytest.mark.parametrize("kind, method, message", [
    ("unreadable", "sor", "sl_0009b.npz"),
    ("not-spd", "cg", "not"),
    ("zero-diagonal", "sor", "diagonal"),
])
def test_one_bad_input_gets_an_error_row_and_the_batch_goes_on(tmp_path, kind, method,
                                                               message):
    inputs, bad = _bad_inputs(tmp_path / "in", kind)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    tune = ["--context", "context", "--bounds", "-0.15", "0.65"]
    command = [sys.executable, "-m", "cli.main", "batch", str(tmp_path / "in"), "--method",
               method, *tune, "--state", str(state), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1] == f"relax batch: 20 converged, 1 error: see {out}"
    rows = {r["input"]: r for r in _rows(out)}
    assert sorted(rows) == sorted([*inputs, bad])
    assert rows[bad]["status"] == "error" and rows[bad]["converged"] == "False"
    assert bad in rows[bad]["message"] and message in rows[bad]["message"]
    assert all(rows[p]["status"] == "converged" for p in inputs)
    saved = BatchState.load(state)
    assert saved.pending == {} and bad not in saved.done     # withdrawn, not learned
    assert len(saved.learned) == 20
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 1 and "0 to solve" in rerun.stderr    # the error row counts


def test_a_diverging_or_capped_input_makes_the_exit_status_1(tmp_path):
    _make_inputs(tmp_path / "in", 3)
    result = _batch(tmp_path / "in", "--method", "sor", "--tune", "fixed:1.5", "--maxiter",
                    "2", "--out", tmp_path / "r.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == \
        f"relax batch: 3 maxiter: see {tmp_path / 'r.csv'}"


@pytest.mark.slow
def test_kill_9_at_random_moments_then_a_rerun_equals_an_uninterrupted_run(tmp_path):
    inputs, rows, learned = _reference(tmp_path, 250)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    command = [sys.executable, "-m", "cli.main", "batch", str(tmp_path / "in"), *TUNED,
               "--state", str(state), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = np.random.default_rng(7)
    for threshold in [0, *sorted(rng.integers(1, 240, size=5))]:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and threshold:
            if out.exists() and out.read_text().count("\n") > threshold + 2:
                break
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.004 if threshold else 1.5))   # any moment of a row
        assert proc.poll() is None, "the batch finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _values(out) == rows
    assert _learned(state) == learned


def test_bad_inputs_on_dask_workers_get_error_rows(tmp_path):
    pytest.importorskip("dask.distributed")
    inputs, bad = _bad_inputs(tmp_path / "in", "unreadable")
    zero = str(tmp_path / "in" / "sl_0003z.npz")
    save_system(zero, sp.csr_matrix(np.array([[0.0, 1.0], [1.0, 2.0]])), np.ones(2),
                context=0.2)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    result = _batch(tmp_path / "in", *TUNED, "--workers", "2", "--state", state, "--out", out)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == f"relax batch: 20 converged, 2 error: see {out}"
    rows = {r["input"]: r for r in _rows(out)}
    assert sorted(rows) == sorted([*inputs, bad, zero])
    assert rows[bad]["status"] == rows[zero]["status"] == "error"
    assert "diagonal" in rows[zero]["message"] and rows[bad]["trial"] == ""   # no context
    saved = BatchState.load(state)
    assert saved.pending == {} and len(saved.learned) == 20
