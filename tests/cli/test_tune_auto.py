"""``relax tune heat --method auto``: every step solved by the configuration a tuner chose,
the report replays, the totals add up."""

import csv
import json

import numpy as np
import pytest
from cli_checks import assert_refused
from click.testing import CliRunner

import problems as pb
from cli.heat_runs import DT, RTOL
from cli.main import main
from solvers import Solver, auto_space, describe
from tuner import ConfigSpace


def _tune(*args):
    return CliRunner().invoke(main, ["tune", "heat", *map(str, args)])


def _configs(nx):
    """The auto space's configurations on the nx grid, by label."""
    space = ConfigSpace(auto_space(Solver(pb.HeatEquation(nx).system().A)))
    return {describe(space.config(i)): space.config(i) for i in range(len(space))}


def test_auto_report_replays_and_counts_the_configurations(tmp_path):
    out = tmp_path / "r.json"
    steps = 25
    result = _tune("--method", "auto", "--nx", 8, "--steps", steps, "--baseline", 1.5,
                   "-o", out)
    assert result.exit_code == 0, result.output
    assert "configurations chosen by auto" in result.stdout and "fixed 1.5" in result.stdout
    report = json.loads(out.read_text())
    rows, summary = report["rows"], report["summary"]
    assert len(rows) == steps and summary["method"] == "auto"
    assert sum(summary["chosen"].values()) == steps
    configs = _configs(8)
    assert set(summary["chosen"]) <= set(configs)
    assert set(summary["abandoned"]) <= set(configs)
    assert sum(summary["abandoned"].values()) == sum(bool(r["abandoned"]) for r in rows)
    assert summary["seconds"]["auto"] == pytest.approx(sum(r["seconds"] for r in rows))
    sim = pb.HeatEquation(8, t_end=steps * DT)
    solver = None
    for row in rows:                                        # the same steps, untuned
        if row["abandoned"]:
            break                                           # a backstop merged two solves
        inst = sim.system()
        assert row["kappa"] == inst.context
        if solver is None:
            solver = Solver(inst.A)
        else:
            solver.update(inst.A)
        res = solver.solve(inst.b, inst.x0, config=configs[row["config"]], rtol=RTOL)
        assert res.iterations == row["iterations"]
        sim.advance(res.x)


def test_auto_without_context_writes_csv(tmp_path):
    out = tmp_path / "r.csv"
    result = _tune("--method", "auto", "--no-context", "--nx", 6, "--steps", 8, "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out)))
    assert len(rows) == 8 and all(r["config"] for r in rows)
    assert np.all(np.array([int(r["iterations_fixed_1"]) for r in rows]) >= 0)


@pytest.mark.parametrize("args, message", [
    (["--policy", "tsallis-inf"], "--method auto tunes with --policy default only"),
    (["--method", "gauss"], "'gauss' is not one of"),
])
def test_auto_bad_requests_exit_2_before_any_work(args, message):
    assert_refused(_tune("--method", "auto", "--nx", 6, "--steps", 4, *args), message)


def test_auto_refuses_a_plot(tmp_path):
    pytest.importorskip("matplotlib")
    assert_refused(_tune("--method", "auto", "--nx", 6, "--steps", 4, "--plot",
                         tmp_path / "f.png"), "--plot")
