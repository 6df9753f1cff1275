"""The ``relax`` command: the demo runs the tuned heat-equation sequence; bad input fails on
one line; the runs behind it report what each solve did."""

import re
import sys

import click
import numpy as np
import pytest
from cli_checks import assert_refused
from click.testing import CliRunner

from cli.heat_runs import Method, run, run_interleaved
from cli.main import main
from problems import KAPPA_BOUNDS, HeatEquation
from solvers import cg
from tuner import Tuner, default_policy


def _demo(*args):
    return CliRunner().invoke(main, ["demo", *args])


def test_demo_prints_auto_against_every_configuration_and_the_peers():
    result = _demo("--nx", "12", "--steps", "60", "--repeats", "2")
    assert result.exit_code == 0, result.output
    rows = dict(re.findall(r"^(\S.*?)\s{2,}\d+\.\d{3}\s+\d+\.\d{4}\s+(\d+\.\d{3})x",
                           result.stdout, re.M))
    for name in ("auto", "cg", "cg+jacobi", "cg+ssor(omega=1)", "cg+ssor(omega=1.9)",
                 "direct", "SciPy cg", "SciPy cg + PyAMG (built once)", "direct (spsolve)"):
        assert name in rows, result.stdout
    assert rows["auto"] == "1.000"
    best = re.search(r"best single configuration in hindsight \((\S+)\): (\d+\.\d+)",
                     result.stdout)
    fixed = {k: float(v) for k, v in rows.items()
             if k not in ("auto", "SciPy cg", "SciPy cg + PyAMG (built once)",
                          "direct (spsolve)")}
    assert best.group(1) == min(fixed, key=fixed.get)
    assert float(best.group(2)) == pytest.approx(1.0 / fixed[best.group(1)], rel=0.01)
    for peer in ("plain CG", "SSOR-PCG omega=1", "SciPy cg", "SciPy cg + PyAMG", "direct"):
        assert re.search(rf"{re.escape(peer)} \d+\.\d\dx", result.stdout), peer
    assert "auto's configurations" in result.stdout and "2 rounds" in result.stdout
    assert result.stderr == ""               # no progress bar when stderr is not a terminal


def test_quick_keeps_the_options_given():
    result = _demo("--quick", "--nx", "12", "--steps", "20", "--repeats", "1")
    assert result.exit_code == 0, result.output
    assert "nx=12 " in result.stdout and "20 steps" in result.stdout
    assert "1 round," in result.stdout


def test_quick_sets_the_options_not_given():
    from click.core import ParameterSource

    from cli.demo import QUICK, apply_quick, demo

    ctx = click.Context(demo)
    ctx.set_parameter_source("steps", ParameterSource.COMMANDLINE)
    assert apply_quick(ctx, {"nx": 80, "steps": 7, "repeats": 5}) == \
        {"nx": QUICK["nx"], "steps": 7, "repeats": QUICK["repeats"]}


@pytest.mark.parametrize("args, message", [
    (["--nx", "2"], "--nx"),
    (["--repeats", "0"], "--repeats"),
    (["--nx", "100000"], "would need about"),
    (["--quick", "--nx", "100000"], "the limit is"),
    (["--plot", "figure.pdf"], "must end in .png"),
    (["--plot", "no-such-folder/figure.png"], "does not exist"),
])
def test_bad_options_are_refused_before_any_work(args, message):
    assert_refused(_demo(*args), message)


def test_plot_without_matplotlib_is_refused_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert_refused(_demo("--plot", str(tmp_path / "f.png")), "needs matplotlib")


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
        return Tuner(default_policy(np.linspace(1.0, 1.95, 20), bounds=KAPPA_BOUNDS, seed=0))

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


def test_interleaved_runs_solve_as_runs_alone_and_time_every_repeat():
    methods = [Method("w", "ssor", omega=1.5), Method("c", "cg"),
               Method("d", "direct", stride=2)]
    calls = []
    runs = run_interleaved(9, 5, methods, repeats=3, progress=calls.append)
    assert calls == [1] * 15
    for method in methods:
        together, alone = runs[method.label], run(9, 5, method)
        assert together.iterations.tolist() == alone.iterations.tolist()
        assert together.repeat_seconds.shape == (5, 3)
        assert np.array_equal(together.seconds, np.median(together.repeat_seconds, axis=1),
                              equal_nan=True)
    assert np.isnan(runs["d"].repeat_seconds[1::2]).all()
    assert runs["d"].repeat_totals.shape == (3,) and np.isfinite(runs["d"].repeat_totals).all()
    with pytest.raises(ValueError, match="distinct labels"):
        run_interleaved(9, 2, [methods[0], methods[0]])


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


def test_demo_with_a_plot(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "demo.png"
    result = _demo("--nx", "10", "--steps", "20", "--repeats", "1", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 1000 and "figure:" in result.stderr


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
