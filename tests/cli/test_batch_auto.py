"""``relax batch --method auto`` and the fixed configurations: every row names the
configuration that solved it, a tuned run resumes exactly, and inputs of one pattern share one
prepared solver."""

import csv
import json

import numpy as np
import pytest
import scipy.sparse as sp
from cli_checks import assert_refused, run_killed_at_tell
from cli_checks import make_inputs as _make_inputs
from click.testing import CliRunner

import cli.batch as batch_module
import solvers
from cli.batch_state import BatchState
from cli.main import main
from problems import load_system, poisson, save_system

BOUNDS = ["--context", "context", "--bounds", "-0.15", "0.65"]


def _batch(*args):
    return CliRunner().invoke(main, ["batch", *map(str, args)])


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _check_auto(inputs, out, state):
    """Every input once; each row's configuration is its trial's, labelled as the library
    labels it, and the tuner learned exactly the seconds of the rows, each trial once."""
    rows = _rows(out)
    assert sorted(r["input"] for r in rows) == sorted(inputs)
    saved = BatchState.load(state)
    assert saved.pending == {} and saved.done == set(inputs)
    learned = {h["id"]: h for h in saved.learned}
    assert sorted(learned) == sorted(int(r["trial"]) for r in rows)
    for r in rows:
        h = learned[int(r["trial"])]
        assert r["config"] == solvers.describe(h["value"])
        assert h["cost"] == max(float(r["seconds"]), 1e-9)
        assert r["omega"] == ("" if "omega" not in h["value"] else str(h["value"]["omega"]))
    return rows, learned


def test_auto_rows_are_the_library_solves_of_the_configurations_chosen(tmp_path):
    inputs = _make_inputs(tmp_path / "in", 12)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    result = _batch(tmp_path / "in", "--method", "auto", "--state", state, "--out", out)
    assert result.exit_code == 0, result.output
    rows, learned = _check_auto(inputs, out, state)
    space = BatchState.load(state).tuner.policy.space
    assert space.families == tuple(solvers.auto_space(solvers.Solver(load_system(inputs[0]).A)))
    assert len({r["config"].split("(")[0] for r in rows}) >= len(space.families)   # each tried
    for r in rows:
        system = load_system(r["input"])
        again = solvers.Solver(system.A).solve(system.b, config=learned[int(r["trial"])]["value"])
        assert int(r["iterations"]) == again.iterations and r["converged"] == "True"
    rerun = _batch(tmp_path / "in", "--method", "auto", "--state", state, "--out", out)
    assert rerun.exit_code == 0 and "0 to solve" in rerun.stderr


def test_auto_with_a_context_and_json_lines_on_stdout(tmp_path):
    _make_inputs(tmp_path / "in", 6)
    result = _batch(tmp_path / "in", "--method", "auto", *BOUNDS)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6 and all(r["config"] and r["context"] is not None for r in rows)


def test_auto_resumes_after_a_crash_between_the_row_and_the_tell(tmp_path, monkeypatch):
    inputs = _make_inputs(tmp_path / "in", 10)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    args = [tmp_path / "in", "--method", "auto", *BOUNDS, "--state", state, "--out", out]
    second = run_killed_at_tell(monkeypatch, lambda: _batch(*args), lambda: _rows(out))
    assert second.exit_code == 0
    _check_auto(inputs, out, state)                     # told from its row, exactly once


def test_auto_reuses_the_configuration_of_a_pending_trial(tmp_path, monkeypatch):
    inputs = _make_inputs(tmp_path / "in", 8)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    args = [tmp_path / "in", "--method", "auto", "--state", state, "--out", out]
    real_solve = batch_module.solve_loaded
    calls = {"n": 0}

    def dying_solve(*a, **k):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real_solve(*a, **k)

    monkeypatch.setattr(batch_module, "solve_loaded", dying_solve)
    assert _batch(*args).exit_code != 0
    (pending_id, pending_input), = BatchState.load(state).pending.items()
    given = BatchState.load(state).trials[pending_id][0]
    monkeypatch.setattr(batch_module, "solve_loaded", real_solve)
    assert _batch(*args).exit_code == 0
    rows, _ = _check_auto(inputs, out, state)
    row = next(r for r in rows if r["input"] == pending_input)
    assert int(row["trial"]) == pending_id and row["config"] == solvers.describe(given)


def test_a_deleted_auto_results_file_is_rebuilt_with_the_configurations_chosen(tmp_path):
    """Each input solved again with its trial's configuration; the tuner keeps what it
    learned from the first solves (the new rows' seconds are their own)."""
    inputs = _make_inputs(tmp_path / "in", 8)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    args = [tmp_path / "in", "--method", "auto", "--state", state, "--out", out]
    assert _batch(*args).exit_code == 0
    first = {r["input"]: (r["trial"], r["config"], r["iterations"]) for r in _rows(out)}
    learned = BatchState.load(state).learned
    out.unlink()
    again = _batch(*args)
    assert again.exit_code == 0 and "8 inputs the tuner has learned from" in again.stderr
    assert {r["input"]: (r["trial"], r["config"], r["iterations"])
            for r in _rows(out)} == first
    assert BatchState.load(state).learned == learned and len(first) == len(inputs)


def test_an_input_the_chosen_configuration_cannot_solve_gets_an_error_row(tmp_path,
                                                                         monkeypatch):
    """A nonsymmetric input after symmetric ones: the CG families of the space cannot solve
    it (the space here leaves out the direct solve, which could)."""
    real = batch_module.make_tuner
    monkeypatch.setattr(batch_module, "make_tuner", lambda space, **k: real(
        {f: knobs for f, knobs in space.items() if f != "direct"}, **k))
    inputs = _make_inputs(tmp_path / "in", 6)
    odd = tmp_path / "in" / "z_nonsymmetric.npz"
    save_system(odd, sp.csr_matrix(np.array([[4.0, 1.0], [0.0, 4.0]])), np.ones(2))
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    result = _batch(tmp_path / "in", "--method", "auto", "--state", state, "--out", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"relax batch: 6 converged, 1 error: see {out}"
    rows = {r["input"]: r for r in _rows(out)}
    bad = rows[str(odd)]
    assert bad["status"] == "error" and "cannot solve this system" in bad["message"]
    assert bad["config"]                                # the configuration tried
    saved = BatchState.load(state)
    assert saved.pending == {} and str(odd) not in saved.done and len(saved.learned) == 6
    assert set(inputs) <= set(rows)


def _expected(method, precond, omega, A, b):
    """The iterations of the library call a fixed configuration stands for, and its label."""
    if method == "sor":
        return solvers.sor(A, b, omega=omega).iterations, f"sor(omega={omega:g})"
    if method == "ssor":
        return solvers.ssor(A, b, omega=omega).iterations, f"ssor(omega={omega:g})"
    if precond == "ssor":
        return solvers.cg(A, b, M=("ssor", omega)).iterations, f"cg+ssor(omega={omega:g})"
    M, label = {"none": (None, "cg"), "jacobi": ("jacobi", "cg+jacobi"),
                "amg": ("amg", "cg+amg(rebuild=1)")}[precond]
    return solvers.cg(A, b, M=M).iterations, label


@pytest.mark.parametrize("args, method, precond, omega", [
    (["--method", "cg", "--precond", "none"], "cg", "none", None),
    (["--method", "cg", "--precond", "jacobi"], "cg", "jacobi", None),
    (["--method", "cg", "--precond", "amg"], "cg", "amg", None),
    (["--method", "cg", "--precond", "ssor", "--tune", "fixed:1.6"], "cg", "ssor", 1.6),
    (["--method", "cg", "--tune", "fixed:1.3"], "cg", "ssor", 1.3),
    (["--method", "sor", "--tune", "fixed:1.5"], "sor", "none", 1.5),
    (["--method", "ssor", "--tune", "fixed:1.2"], "ssor", "none", 1.2),
])
def test_fixed_configurations_name_themselves_and_solve_as_the_library(tmp_path, args,
                                                                       method, precond, omega):
    inputs = _make_inputs(tmp_path / "in", 4)
    out = tmp_path / "r.csv"
    result = _batch(tmp_path / "in", *args, "--out", out)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert [r["input"] for r in rows] == inputs
    for r in rows:
        system = load_system(r["input"])
        iterations, label = _expected(method, precond, omega, system.A, system.b)
        assert r["config"] == label and int(r["iterations"]) == iterations
        assert r["converged"] == "True"
        tuned = omega is not None
        assert (r["trial"] != "") == tuned and r["omega"] == ("" if not tuned else str(omega))


def test_a_batch_without_a_tuner_resumes_from_its_results(tmp_path):
    inputs = _make_inputs(tmp_path / "in", 5)
    out = tmp_path / "r.csv"
    args = [tmp_path / "in", "--method", "cg", "--precond", "none", "--out", out]
    assert _batch(*args).exit_code == 0
    text = out.read_text()
    out.write_text("".join(text.splitlines(keepends=True)[:-2]))   # the last two rows lost
    again = _batch(*args)
    assert again.exit_code == 0 and "2 to solve" in again.stderr
    assert sorted(r["input"] for r in _rows(out)) == sorted(inputs)
    old = _batch(tmp_path / "in", "--method", "cg", "--precond", "none", "--tune",
                 "fixed:1.0", "--out", out)                 # the form that worked before
    assert old.exit_code == 0 and "0 to solve" in old.stderr and "no effect" in old.stderr


@pytest.mark.parametrize("args, message", [
    (["--method", "auto", "--precond", "jacobi"], "--precond jacobi applies to --method cg"),
    (["--method", "auto", "--precond", "none"], "--method auto chooses the preconditioner"),
    (["--method", "auto", "--tune", "tsallis-inf"], "--method auto tunes with --tune default"),
    (["--method", "auto", "--tune", "fixed:1.5"], "--method auto tunes with --tune default"),
    (["--method", "auto", "--arms", "1:1.5:3"], "--arms applies to omega"),
    (["--precond", "none", "--tune", "chebcb"], "--precond none has no omega to tune"),
    (["--precond", "jacobi", "--state", "s.state"], "leave out --state"),
    (["--precond", "amg", "--context", "context", "--bounds", "0", "1"],
     "leave out --context"),
    (["--precond", "none", "--arms", "1:1.5:3"], "leave out --arms"),
    (["--precond", "none", "--tune", "fixed:abc"], "fixed:W needs a number"),
    (["--method", "sor", "--precond", "amg"], "applies to --method cg only"),
    (["--method", "gauss"], "'gauss' is not one of"),
])
def test_bad_combinations_are_one_line_usage_errors(tmp_path, monkeypatch, args, message):
    _make_inputs(tmp_path / "in", 2)
    monkeypatch.chdir(tmp_path)
    assert_refused(_batch("in", *args), message)
    assert not (tmp_path / "s.state").exists()


def test_resuming_an_omega_run_as_auto_is_refused(tmp_path):
    _make_inputs(tmp_path / "in", 2)
    state = tmp_path / "s.state"
    assert _batch(tmp_path / "in", "--method", "sor", "--state", state).exit_code == 0
    result = _batch(tmp_path / "in", "--method", "auto", "--state", state)
    assert result.exit_code == 2 and "--method 'sor' (now 'auto')" in result.stderr


def test_a_results_file_without_the_config_column_is_refused(tmp_path):
    _make_inputs(tmp_path / "in", 2)
    out = tmp_path / "r.csv"
    legacy = ("input,trial,omega,context,iterations,converged,status,residual_norm,seconds,"
              "message")
    for options in ('{"method": "cg"}', '{"method": "sor", "precond": "none"}'):
        old = f"# relax batch results {options}\n{legacy}\n"
        out.write_text(old)
        assert_refused(_batch(tmp_path / "in", "--out", out), "earlier relax batch")
        assert out.read_text() == old                               # left untouched
    jsonl = tmp_path / "r.jsonl"
    row = dict.fromkeys(legacy.split(","), 1)
    old = json.dumps({"relax_batch_results": {}}) + "\n" + json.dumps(row) + "\n"
    jsonl.write_text(old)
    assert_refused(_batch(tmp_path / "in", "--out", jsonl), "earlier relax batch")
    assert jsonl.read_text() == old


def test_same_pattern_inputs_share_one_solver_across_files(tmp_path, monkeypatch):
    """The batch prepares once per pattern and updates the values for the next file (the
    auto space's first input included: its solver is the one its solve uses)."""
    inputs = _make_inputs(tmp_path / "in", 6)
    save_system(tmp_path / "in" / "z_other.npz", poisson((4, 4)), np.ones(16))
    preparations, updates = [], []
    real_prepare, real_update = solvers.Solver._prepare, solvers.Solver.update

    def counting_prepare(self, A, copy):
        preparations.append(A.shape)
        return real_prepare(self, A, copy)

    def counting_update(self, A, **k):
        updates.append(real_update(self, A, **k))
        return updates[-1]

    monkeypatch.setattr(batch_module, "_SOLVER", [None])
    monkeypatch.setattr(solvers.Solver, "_prepare", counting_prepare)
    monkeypatch.setattr(solvers.Solver, "update", counting_update)
    result = _batch(tmp_path / "in", "--method", "auto", "--out", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    mine = [shape for shape in preparations if shape != (36, 36)]   # not the warm-up's
    assert mine == [(100, 100), (16, 16)]
    assert updates.count(True) >= len(inputs) and updates.count(False) == 1


def test_an_amg_hierarchy_is_kept_across_files_by_the_rebuild_rule(monkeypatch):
    """What the batch does per input: eight matrices of one pattern (other values), solved by
    AMG-PCG rebuilt every 4 matrices, build two hierarchies in one solver."""
    monkeypatch.setattr(batch_module, "_SOLVER", [None])
    A = poisson((20, 20)).tocsr()
    rng = np.random.default_rng(0)
    config = {"method": "amg", "rebuild": 4}
    for k in range(8):
        system = type("System", (), {"A": A * (1.0 + 0.01 * k), "b": rng.normal(size=400),
                                      "x0": None})
        fields = batch_module.solve_loaded(system, "auto", None, 1e-8, None, config)
        assert fields["status"] == "converged" and fields["config"] == "cg+amg(rebuild=4)"
    assert batch_module._SOLVER[0].amg_builds == 2


def test_auto_on_dask_workers_keeps_the_contract(tmp_path):
    pytest.importorskip("dask.distributed")
    inputs = _make_inputs(tmp_path / "in", 8)
    out, state = tmp_path / "r.csv", tmp_path / "s.state"
    result = _batch(tmp_path / "in", "--method", "auto", "--workers", "2", "--state", state,
                    "--out", out)
    assert result.exit_code == 0, result.output
    _check_auto(inputs, out, state)
