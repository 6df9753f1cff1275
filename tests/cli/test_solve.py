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
from click.testing import CliRunner
from scipy.sparse.linalg import spsolve

from cli.main import main
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
    (["A.mtx", "--rhs", "short.npy"], "has 5 entries; the matrix has 144 rows"),
    (["A.mtx", "--rhs", "b.txt"], ".npy or .mtx"),
    (["A.mtx", "--method", "sor", "--precond", "jacobi"], "applies to --method cg only"),
    (["A.mtx", "--omega", "2.5"], "2.5"),
    (["A.mtx", "-o", "x.txt"], ".npy"),
    (["A.mtx", "--method", "gauss"], "gauss"),
])
def test_bad_input_is_one_line_and_status_2(files, args, message):
    tmp, _, _ = files
    result = _invoke(args, tmp)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


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
