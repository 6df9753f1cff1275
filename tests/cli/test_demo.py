"""The ``relax`` command: the demo runs the tuned heat-equation sequence; bad input fails on
one line; the runs behind it report what each solve did."""

import re

import click
import numpy as np
import pytest
from click.testing import CliRunner

from cli.heat_runs import Method, run
from cli.main import main
from problems import KAPPA_BOUNDS, HeatEquation
from solvers import cg
from tuner import Tuner, default_policy


def test_demo_prints_the_comparison_table():
    result = CliRunner().invoke(main, ["demo", "--nx", "12", "--steps", "60", "--omega", "1.5"])
    assert result.exit_code == 0, result.output
    rows = {m.group(1): float(m.group(2)) for m in
            re.finditer(r"^(SSOR-PCG omega=\S+|SSOR-PCG tuned|plain CG)\s+([\d.]+)",
                        result.output, re.M)}
    assert set(rows) == {"SSOR-PCG omega=1", "SSOR-PCG omega=1.5", "plain CG", "SSOR-PCG tuned"}
    assert all(v > 0 for v in rows.values())
    assert "time vs omega=1" in result.output and "omega chosen" in result.output


def _replay(nx, steps, omegas):
    """Iterations of SSOR-PCG at the given per-step omegas (plain CG where an omega is None),
    advancing with each solution."""
    sim = HeatEquation(nx, t_end=steps * 1e-3)
    counts = []
    for k, system in enumerate(sim):
        M = None if omegas[k] is None else ("ssor", float(omegas[k]))
        res = cg(system.A, system.b, system.x0, M=M)
        assert np.allclose(res.x, np.linalg.solve(system.A.toarray(), system.b), atol=1e-6)
        counts.append(res.iterations)
        sim.advance(res.x)
    return counts


def test_a_fixed_run_reports_each_solves_iterations():
    r = run(10, 6, Method("w", "ssor", omega=1.5))
    assert r.iterations.tolist() == _replay(10, 6, [1.5] * 6)
    assert r.omegas.tolist() == [1.5] * 6 and np.all(r.seconds > 0)


def test_a_tuned_run_solves_at_the_tuners_choices_and_tells_the_iterations():
    def make():
        return Tuner(default_policy(np.linspace(1.0, 1.95, 20), bounds=KAPPA_BOUNDS))

    r = run(10, 8, Method("tuned", "tuned", make_tuner=make))
    history = r.tuner.history
    assert [h["value"] for h in history] == r.omegas.tolist()
    assert [h["cost"] for h in history] == r.iterations.astype(float).tolist()
    assert r.iterations.tolist() == _replay(10, 8, r.omegas)
    assert len(set(r.omegas.tolist())) > 1                    # it explores


def test_schedule_direct_and_cg_runs():
    schedule = np.array([1.0, 1.3, 1.6, 1.9])
    r = run(9, 4, Method("s", "schedule", schedule=schedule))
    assert r.omegas.tolist() == schedule.tolist()
    assert r.iterations.tolist() == _replay(9, 4, schedule)
    direct = run(9, 4, Method("d", "direct"))
    assert direct.iterations.tolist() == [0] * 4 and np.isnan(direct.omegas).all()
    plain = run(9, 4, Method("c", "cg"))
    assert plain.iterations.tolist() == _replay(9, 4, [None] * 4)
    with pytest.raises(ValueError, match="kind"):
        Method("x", "jacobi")
    with pytest.raises(ValueError, match="stride"):
        Method("d", "direct", stride=0)


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


def test_a_strided_direct_run_times_every_kth_step():
    r = run(9, 7, Method("d", "direct", stride=3))
    timed = ~np.isnan(r.seconds)
    assert timed.tolist() == [True, False, False, True, False, False, True]
    assert r.total_seconds == pytest.approx(np.mean(r.seconds[timed]) * 7)


def test_quick_demo_with_a_plot(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "demo.png"
    result = CliRunner().invoke(main, ["demo", "--quick", "--plot", str(path)])
    assert result.exit_code == 0, result.output
    assert "nx=60" in result.output and path.stat().st_size > 1000


def test_unexpected_errors_are_one_line_unless_debug():
    from cli.main import _Group

    @click.group(cls=_Group)
    @click.option("--debug", is_flag=True)
    def group(debug):
        pass

    @group.command()
    def boom():
        raise RuntimeError("kaput")

    quiet = CliRunner().invoke(group, ["boom"])
    assert quiet.exit_code == 1
    assert quiet.output.strip().startswith("relax: error: RuntimeError: kaput")
    loud = CliRunner().invoke(group, ["--debug", "boom"])
    assert isinstance(loud.exception, RuntimeError)
