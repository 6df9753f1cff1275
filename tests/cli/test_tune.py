"""``relax tune``: the reports hold what each solve really cost; bad requests fail early."""

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

import problems as pb
from cli.heat_runs import Method, run
from cli.main import main
from cli.policy_names import make_policy
from solvers import sor


def _tune(*args):
    return CliRunner().invoke(main, ["tune", *args])


@pytest.mark.parametrize("policy", ["default", "tsallis-inf", "chebcb", "fixed:1.6"])
def test_shifted_laplacian_report_matches_independent_solves(tmp_path, policy):
    out = tmp_path / "r.csv"
    result = _tune("shifted-laplacian", "--count", "12", "--seed", "4", "--policy", policy,
                   "--baseline", "1.0", "--baseline", "1.7", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "instance-optimal" in result.output
    rows = list(csv.DictReader(open(out)))
    assert len(rows) == 12
    seq = pb.shifted_laplacian_sequence(12, seed=4)
    for row in rows[::5]:
        inst = seq[int(row["index"])]
        assert float(row["shift"]) == inst.context
        for key, omega in (("iterations", float(row["omega"])), ("iterations_fixed_1.7", 1.7),
                           ("iterations_optimal", inst.meta["omega_opt"])):
            assert float(row[key]) == sor(inst.A, inst.b, omega=omega, maxiter=10_000).iterations
    if policy == "fixed:1.6":
        assert {row["omega"] for row in rows} == {"1.6"}


def test_heat_report_replays(tmp_path):
    out = tmp_path / "r.json"
    result = _tune("heat", "--nx", "8", "--steps", "15", "--baseline", "1.0", "--baseline",
                   "1.5", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    rows = report["rows"]
    assert len(rows) == 15 and report["summary"]["policy"] == "default"
    omegas = np.array([r["omega"] for r in rows])
    replay = run(8, 15, Method("replay", "schedule", schedule=omegas))
    assert [r["iterations"] for r in rows] == replay.iterations.tolist()
    fixed = run(8, 15, Method("w", "ssor", omega=1.5))
    assert [r["iterations_fixed_1.5"] for r in rows] == fixed.iterations.tolist()
    assert rows[0]["kappa"] == pb.HeatEquation(8).system().context


def test_plot_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "f.png"
    result = _tune("heat", "--nx", "6", "--steps", "5", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 1000


@pytest.mark.parametrize("args, message", [
    (["heat", "--policy", "bogus"], "unknown policy 'bogus'"),
    (["heat", "--policy", "chebcb", "--no-context"], "needs a context"),
    (["heat", "--policy", "fixed:abc"], "fixed:W needs a number"),
    (["shifted-laplacian", "--out", "r.txt"], ".csv or .json"),
    (["heat", "--nx", "2"], "2"),
])
def test_bad_requests_exit_2_before_any_work(args, message):
    result = _tune(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "simulating" not in result.output


def test_policy_names():
    arms = [1.0, 1.5]
    assert make_policy("default", arms).contextual is False
    assert make_policy("default", arms, bounds=(0.0, 1.0)).contextual is True
    assert type(make_policy("tsallis-inf-cb", arms, bounds=(0.0, 1.0))).__name__ == \
        "TsallisINFCB"
