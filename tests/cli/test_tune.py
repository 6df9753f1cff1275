"""``relax tune``: the reports hold what each solve really cost; bad requests fail early."""

import csv
import json
import sys

import numpy as np
import pytest
from cli_checks import assert_refused
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
                   "--baseline", "1.0", "--baseline", "1.7", "-o", str(out))
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
    (["shifted-laplacian", "--out", "r.txt"], "must end in .csv or .json"),
    (["shifted-laplacian", "-o", "no-such-folder/r.csv"], "does not exist"),
    (["heat", "-o", "."], "is a directory"),
    (["heat", "--plot", "f.svg"], "must end in .png"),
    (["heat", "--plot", "no-such-folder/f.png"], "does not exist"),
    (["heat", "--nx", "2"], "--nx"),
    (["heat", "--nx", "100000"], "would need about"),
    (["heat", "--baseline", "2.5"], "--baseline"),
    (["shifted-laplacian", "--count", "10000000000000"], "would need about"),
    (["shifted-laplacian", "--baseline", "0"], "--baseline"),
])
def test_bad_requests_exit_2_before_any_work(args, message):
    assert_refused(_tune(*args), message)


def test_huge_grid_message_gives_the_need_and_the_limit():
    line = _tune("heat", "--nx", "100000").stderr
    assert "9,999,800,001 unknowns" in line and "TiB of memory; the limit is" in line


def test_plot_without_matplotlib_is_refused_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for command in ("heat", "shifted-laplacian"):
        assert_refused(_tune(command, "--plot", str(tmp_path / "f.png")), "needs matplotlib")


def test_help_explains_the_experiments():
    for command in ("heat", "shifted-laplacian"):
        page = _tune(command, "--help").stdout
        assert "Learning to Relax (Khodak et al." in page
        assert "-o, --out" in page and "[default: 0]" in page


def test_policy_names():
    arms = [1.0, 1.5]
    assert make_policy("default", arms).contextual is False
    assert make_policy("default", arms, bounds=(0.0, 1.0)).contextual is True
    assert type(make_policy("tsallis-inf-cb", arms, bounds=(0.0, 1.0))).__name__ == \
        "TsallisINFCB"
