"""``relax solve --method auto``: a sensible configuration for the system, and the report
names it (as it names the configuration of every method)."""

import json

import numpy as np
import pytest
from cli_checks import assert_refused
from click.testing import CliRunner
from scipy.sparse.linalg import spsolve

from cli.main import main
from problems import poisson, write_matrix
from solvers import Solver
from solvers.methods import default_config, describe


def _solve(*args):
    return CliRunner().invoke(main, ["solve", *map(str, args)])


@pytest.mark.parametrize("grid", [(12, 12), (80, 80)])
def test_auto_uses_the_default_configuration_and_reports_it(tmp_path, grid):
    A = poisson(grid)
    write_matrix(tmp_path / "A.mtx", A)
    b = np.random.default_rng(0).normal(size=A.shape[0])
    np.save(tmp_path / "b.npy", b)
    result = _solve(tmp_path / "A.mtx", "--rhs", tmp_path / "b.npy", "--method", "auto",
                    "--json", "-o", tmp_path / "x.npy")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["method"] == "auto" and report["converged"]
    assert report["config"] == describe(default_config(Solver(A)))
    assert report["config"] == ("direct" if grid == (12, 12) else "cg+ssor(omega=1.5)")
    np.testing.assert_allclose(np.load(tmp_path / "x.npy"), spsolve(A.tocsc(), b), atol=1e-6)


def test_the_text_report_names_the_configuration(tmp_path):
    write_matrix(tmp_path / "A.mtx", poisson((6, 6)))
    result = _solve(tmp_path / "A.mtx", "--method", "auto")
    assert result.exit_code == 0, result.output
    assert "config            direct" in result.stdout


@pytest.mark.parametrize("args, label", [
    ([], "cg"),
    (["--precond", "jacobi"], "cg+jacobi"),
    (["--precond", "amg"], "cg+amg(rebuild=1)"),
    (["--precond", "ssor", "--omega", "1.4"], "cg+ssor(omega=1.4)"),
    (["--method", "sor", "--omega", "1.7"], "sor(omega=1.7)"),
    (["--method", "ssor", "--omega", "1.2"], "ssor(omega=1.2)"),
])
def test_fixed_methods_report_their_configuration(tmp_path, args, label):
    write_matrix(tmp_path / "A.mtx", poisson((8, 8)))
    result = _solve(tmp_path / "A.mtx", "--json", *args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["config"] == label


@pytest.mark.parametrize("args, message", [
    (["--omega", "1.2"], "--omega does not apply to --method auto"),
    (["--precond", "jacobi"], "--precond jacobi applies to --method cg only"),
])
def test_auto_refuses_the_knobs_it_chooses(tmp_path, args, message):
    write_matrix(tmp_path / "A.mtx", poisson((6, 6)))
    assert_refused(_solve(tmp_path / "A.mtx", "--method", "auto", *args), message)
