"""The ``relax`` command: the demo prints a real comparison; bad input fails on one line."""

import re

import click
import numpy as np
from click.testing import CliRunner

from cli.demo import compare_fixed_omegas
from cli.main import main
from problems import HeatEquation


def test_demo_prints_the_comparison_table():
    result = CliRunner().invoke(main, ["demo", "--nx", "12", "--steps", "30"])
    assert result.exit_code == 0, result.output
    rows = {m.group(1): float(m.group(2)) for m in
            re.finditer(r"^(SSOR-PCG omega=\S+|CG)\s+([\d.]+)", result.output, re.M)}
    assert set(rows) == {"SSOR-PCG omega=1", "SSOR-PCG omega=1.3", "SSOR-PCG omega=1.5",
                         "SSOR-PCG omega=1.75", "SSOR-PCG omega=1.95", "CG"}
    assert all(v > 0 for v in rows.values())
    assert "best fixed omega" in result.output


def test_comparison_counts_match_independent_solves():
    """Each reported count is that solve's iteration count on that step's system.

    The replay advances the simulation as the comparison does, with omega=1's solution.
    """
    from solvers import cg

    results = compare_fixed_omegas(HeatEquation(10, t_end=0.005), (1.0, 1.5))
    sim = HeatEquation(10, t_end=0.005)
    for k, system in enumerate(sim):
        solves = {w: cg(system.A, system.b, system.x0, M=("ssor", w)) for w in (1.0, 1.5)}
        for w, res in solves.items():
            assert res.iterations == results[f"SSOR-PCG omega={w:g}"][0][k]
            assert np.allclose(res.x, np.linalg.solve(system.A.toarray(), system.b), atol=1e-6)
        sim.advance(solves[1.0].x)
    assert len(results["CG"][0]) == 5


def test_bad_option_exits_nonzero_without_traceback():
    result = CliRunner().invoke(main, ["demo", "--nx", "2"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_bad_omega_is_rejected_before_any_work():
    result = CliRunner().invoke(main, ["demo", "--nx", "8", "--steps", "2", "--omega", "2.5"])
    assert result.exit_code == 2
    assert "2.5" in result.output and "Heat equation" not in result.output


def test_input_errors_become_one_line_and_exit_2():
    from cli.main import _Group
    from solvers import sor

    @click.group(cls=_Group)
    def group():
        pass

    @group.command()
    def bad():
        sor(np.eye(2), np.ones(3))

    result = CliRunner().invoke(group, ["bad"])
    assert result.exit_code == 2
    assert result.output.strip() == "relax: error: A has 2 rows but b has 3 entries"
