"""``relax solve``: answers checked against SciPy and the library; every bad input on one line."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from cli_checks import assert_one_line_error
from click.testing import CliRunner
from scipy.sparse.linalg import spsolve

from cli import limits
from cli.main import main
from cli.solve import solve
from problems import poisson, write_matrix
from solvers import sor

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path):
    A = poisson((12, 12))
    write_matrix(tmp_path / "A.mtx", A)
    b = np.random.default_rng(0).normal(size=A.shape[0])
    np.save(tmp_path / "b.npy", b)
    np.save(tmp_path / "short.npy", np.ones(5))
    (tmp_path / "broken.mtx").write_text("%%MatrixMarket matrix coordinate real general\n3 3\n")
    np.save(tmp_path / "text.npy", np.array(["a"] * 144))
    np.save(tmp_path / "complex.npy", np.ones(144) * 1j)
    np.save(tmp_path / "square.npy", np.ones((12, 12)))
    np.save(tmp_path / "column.npy", b[:, None])
    np.save(tmp_path / "nan.npy", np.where(np.arange(144) < 3, np.nan, b))
    (tmp_path / "junk.npy").write_text("not numpy")
    (tmp_path / "junk.npz").write_text("not a zip")
    (tmp_path / "A.txt").write_text("1")
    return tmp_path, A, b


def _invoke(args, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["solve", *args])
    finally:
        os.chdir(old)


@pytest.mark.parametrize("extra", [[], ["--precond", "jacobi"], ["--precond", "ssor", "--omega",
                                                                    "1.4"], ["--precond", "amg"]])
def test_cg_solution_matches_a_direct_solve(files, extra):
    tmp, A, b = files
    result = _invoke(["A.mtx", "--rhs", "b.npy", "-o", "x.npy", "--json", *extra], tmp)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["converged"] and out["n"] == 144 and out["nnz"] == A.nnz
    assert out["relative_residual"] <= 1e-8
    np.testing.assert_allclose(np.load(tmp / "x.npy"), spsolve(A.tocsc(), b), atol=1e-6)


def test_sor_reports_the_library_iterations(files):
    tmp, A, b = files
    result = _invoke(["A.mtx", "--rhs", "b.npy", "--method", "sor", "--omega", "1.7", "--json"],
                     tmp)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["iterations"] == sor(A, b, omega=1.7).iterations
    assert out["omega"] == 1.7 and out["precond"] is None


def test_default_rhs_is_a_times_ones_and_text_report(files):
    tmp, _, _ = files
    result = _invoke(["A.mtx", "--method", "ssor", "--omega", "1.2", "-o", "x.npy"], tmp)
    assert result.exit_code == 0, result.output
    assert "status            converged" in result.output
    np.testing.assert_allclose(np.load(tmp / "x.npy"), np.ones(144), atol=1e-6)


def test_not_converging_is_a_failure_with_status_1(files):
    tmp, _, _ = files
    result = _invoke(["A.mtx", "--method", "sor", "--maxiter", "2"], tmp)
    assert result.exit_code == 1
    assert "did not converge (maxiter) after 2 iterations" in result.output


@pytest.mark.parametrize("args, message", [
    (["missing.mtx"], "no such file"),
    (["broken.mtx"], "broken.mtx"),
    (["A.txt"], "Invalid value for 'MATRIX': must be a .mtx or .npz file; got 'A.txt'"),
    (["junk.npz"], "'junk.npz' is not a .npz file (a zip archive of arrays)"),
    (["A.mtx", "--rhs", "short.npy"], "has 5 entries; the matrix has 144 rows"),
    (["A.mtx", "--rhs", "b.txt"], ".npy or .mtx"),
    (["A.mtx", "--rhs", "text.npy"], "--rhs: 'text.npy' holds text, not real numbers"),
    (["A.mtx", "--rhs", "complex.npy"], "holds complex numbers, not real numbers"),
    (["A.mtx", "--rhs", "square.npy"], "'square.npy' is not a vector: it has shape 12 x 12"),
    (["A.mtx", "--rhs", "nan.npy"], "'nan.npy' has 3 NaN or infinite entries"),
    (["A.mtx", "--rhs", "junk.npy"], "'junk.npy' is not a .npy file of numbers"),
    (["A.mtx", "--method", "sor", "--precond", "jacobi"], "applies to --method cg only"),
    (["A.mtx", "--omega", "2.5"], "2.5 is not in the range 0.0<x<2.0"),
    (["A.mtx", "--omega", "nan"], "Invalid value for '--omega': nan is not a finite number"),
    (["A.mtx", "--rtol", "nan"], "Invalid value for '--rtol': nan is not a finite number"),
    (["A.mtx", "--rtol", "inf"], "inf is not a finite number"),
    (["A.mtx", "--maxiter", "0"], "0 is not in the range x>=1"),
    (["A.mtx", "-o", "x.txt"], "Invalid value for -o/--out: must end in .npy; got 'x.txt'"),
    (["A.mtx", "--out", "nowhere/x.npy"], "the folder 'nowhere' does not exist"),
    (["A.mtx", "-o", "."], "'.' is a directory"),
    (["A.mtx", "--output", "x.txt"], "Invalid value for --output: must end in .npy"),
    (["A.mtx", "--output", "x.npy", "-o", "y.npy"], "give -o/--out only"),
    (["A.mtx", "--method", "gauss"], "'gauss' is not one of"),
])
def test_bad_input_is_one_line_and_status_2(files, monkeypatch, args, message):
    tmp, _, _ = files
    monkeypatch.setattr(limits, "physical_memory", lambda: 16 * 2**30)   # the same everywhere
    result = _invoke(args, tmp)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert_one_line_error(result.stderr, message)
    assert not (tmp / "x.npy").exists() and not (tmp / "y.npy").exists()


def test_a_column_rhs_is_a_vector(files):
    tmp, A, b = files
    result = _invoke(["A.mtx", "--rhs", "column.npy", "--out", "x.npy"], tmp)
    assert result.exit_code == 0, result.output
    np.testing.assert_allclose(np.load(tmp / "x.npy"), spsolve(A.tocsc(), b), atol=1e-6)


def test_output_is_a_deprecated_name_of_out(files):
    tmp, _, _ = files
    result = _invoke(["A.mtx", "--output", "x.npy"], tmp)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "relax: warning: --output is deprecated; use -o/--out"
    np.testing.assert_allclose(np.load(tmp / "x.npy"), np.ones(144), atol=1e-6)
    assert "--output" not in _invoke(["--help"], tmp).stdout


def test_the_output_path_is_checked_before_solving(files, monkeypatch):
    tmp, _, _ = files
    monkeypatch.setattr("cli.solve.load_system", lambda *a: pytest.fail("read the matrix"))
    result = _invoke(["A.mtx", "-o", "missing/x.npy"], tmp)
    assert result.exit_code == 2


def test_every_option_has_help_with_its_default():
    for param in solve.params:
        if param.param_type_name == "option" and not param.hidden:
            assert param.help, param.name
            assert param.show_default or param.is_flag or "[default:" in param.help \
                or param.name == "out", param.name


def test_the_installed_script_runs_as_a_subprocess(files):
    """Through the ``relax`` console script when installed, else ``python -m cli.main``."""
    tmp, _, _ = files
    script = shutil.which("relax")
    command = [script] if script else [sys.executable, "-m", "cli.main"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*command, "solve", "A.mtx", "--json"], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["converged"] is True
    bad = subprocess.run([*command, "solve", "nope.mtx"], cwd=tmp, env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "relax: error: no such file: 'nope.mtx'"
    assert bad.stdout == ""


def test_a_non_square_matrix_is_refused(tmp_path):
    write_matrix(tmp_path / "R.mtx", sp.random(4, 3, density=1.0, random_state=0))
    result = _invoke(["R.mtx"], tmp_path)
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["--help"],
    ["problems", "list"],
    ["problems", "make", "poisson", "--shape", "5,5", "--out", "made"],
    ["tune", "shifted-laplacian", "--count", "5", "--out", "tuned.csv"],
    ["tune", "heat", "--nx", "6", "--steps", "5"],
    ["batch", "A.mtx", "--method", "sor"],
    ["demo", "--nx", "6", "--steps", "5"],
    ["recon", "ct", "--size", "16", "--method", "classical"],
])
def test_every_command_runs_as_a_subprocess(files, args):
    tmp, _, _ = files
    script = shutil.which("relax")
    command = [script] if script else [sys.executable, "-m", "cli.main"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*command, *args], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_a_huge_maxiter_costs_nothing_until_used(files):
    """The residual history grows with the iterations made, not with --maxiter."""
    tmp, A, b = files
    result = _invoke(["A.mtx", "--rhs", "b.npy", "--maxiter", "100000000000", "--json"], tmp)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["converged"]
