"""``relax demo``: the heat-equation sequence, SSOR-PCG tuned online, against fixed choices.

The runs go in lockstep and every step's solve is timed several times, the runs taking
turns, so that a busy spell of a shared machine slows them all alike; the table gives the
median time and the spread of the speed-ups over the repeats.
"""

from __future__ import annotations

import click
import numpy as np
from click.core import ParameterSource

import tuner
from problems import KAPPA_BOUNDS, HeatEquation

from .console import note, progressbar
from .heat_runs import DT, Method, check_grid, run_interleaved, warm_up
from .tune import ARMS, OMEGA, plot_option, plot_sequence

BASE, CG, TUNED = "SSOR-PCG omega=1", "plain CG", "SSOR-PCG tuned"
QUICK = {"nx": 60, "steps": 1000, "repeats": 3}
"""What ``--quick`` sets, for the options not given on the command line."""


def demo_methods(omegas=()):
    """SSOR-PCG at omega = 1 and at each of ``omegas``, plain CG, and SSOR-PCG tuned by the
    default policy with the diffusivity as context.

    Examples
    --------
    >>> [m.label for m in demo_methods([1.5, 1.0])]
    ['SSOR-PCG omega=1', 'SSOR-PCG omega=1.5', 'plain CG', 'SSOR-PCG tuned']
    """
    fixed = dict.fromkeys([1.0, *omegas])
    methods = [Method(f"SSOR-PCG omega={w:g}", "ssor", omega=w) for w in fixed]
    methods.append(Method(CG, "cg"))
    methods.append(Method(TUNED, "tuned", make_tuner=lambda: tuner.Tuner(
        tuner.default_policy(ARMS, bounds=KAPPA_BOUNDS, seed=0))))
    return methods


def times_better(ratio: float, worse: str, spread=None) -> str:
    """``ratio`` (the reference's cost over this method's) as "1.80x" or "0.80x (slower)",
    with ``spread`` (the lowest and highest ratio over the repeats) as "±" half its width,
    in percent of the ratio; "(tie)" when the spread reaches both sides of 1.

    Examples
    --------
    >>> times_better(1.8, "slower"), times_better(0.8, "slower"), times_better(0.36, "more")
    ('1.80x', '0.80x (slower)', '0.36x (more)')
    >>> times_better(2.04, "slower", (1.98, 2.1)), times_better(1.01, "slower", (0.97, 1.05))
    ('2.04x ±2.9%', '1.01x (tie) ±4.0%')
    """
    text = f"{ratio:.2f}x"
    if spread is not None and spread[0] < 1.0 < spread[1]:
        text += " (tie)"
    elif ratio < 1.0:
        text += f" ({worse})"
    if spread is not None:
        text += f" ±{50.0 * (spread[1] - spread[0]) / ratio:.1f}%"
    return text


def _faster(reference, r) -> str:
    """How many times faster ``r`` is than ``reference``, with the spread over the repeats."""
    if r is reference:
        return "-"
    ratios = reference.repeat_totals / r.repeat_totals
    spread = (ratios.min(), ratios.max()) if ratios.size > 1 else None
    return times_better(reference.total_seconds / r.total_seconds, "slower", spread)


COLUMNS = (("", "method", -20), ("iters", "per step", 8), ("ms", "per step", 8),
           ("fewer iters", "than omega=1", -13), ("faster than", "omega=1", -20),
           ("faster than", "plain CG", -20))
"""The table's columns: title, subtitle, width (negative: aligned left)."""


def _row(*cells) -> str:
    return "  ".join(f"{cell:>{w}}" if w > 0 else f"{cell:<{-w}}"
                     for cell, (_, _, w) in zip(cells, COLUMNS, strict=True)).rstrip()


def format_table(runs) -> str:
    """Iterations and milliseconds per step, how many times fewer iterations than omega = 1,
    and how many times faster than omega = 1 and than plain CG.

    Examples
    --------
    >>> from cli.heat_runs import Run
    >>> def fake(label, iterations, *ms):            # one step, timed len(ms) times
    ...     seconds = np.array([ms]) / 1e3
    ...     return Run(label, np.array([iterations]), np.array([1.0]),
    ...                np.median(seconds, axis=1), repeat_seconds=seconds)
    >>> runs = [fake(BASE, 20, 4.0, 4.4, 3.9), fake(CG, 60, 3.9, 4.3, 4.0),
    ...         fake(TUNED, 10, 2.0, 2.1, 2.05)]
    >>> print(format_table({r.label: r for r in runs}))
                             iters        ms  fewer iters    faster than           faster than
    method                per step  per step  than omega=1   omega=1               plain CG
    SSOR-PCG omega=1         20.00     4.000  -              -                     1.00x (tie) ±2.5%
    plain CG                 60.00     4.000  0.33x (more)   1.00x (tie) ±2.5%     -
    SSOR-PCG tuned           10.00     2.050  2.00x          1.95x ±4.9%           1.95x ±2.5%
    """
    base, plain = runs[BASE], runs[CG]
    lines = [_row(*(title for title, _, _ in COLUMNS)),
             _row(*(subtitle for _, subtitle, _ in COLUMNS))]
    for label, r in runs.items():
        fewer = "-" if r is base else times_better(
            base.mean_iterations / r.mean_iterations, "more")
        lines.append(_row(label, f"{r.mean_iterations:.2f}", f"{1e3 * r.seconds_per_step:.3f}",
                          fewer, _faster(base, r), _faster(plain, r)))
    return "\n".join(lines)


def explain_table(repeats: int) -> str:
    """What the speed-up columns of :func:`format_table` mean, for ``repeats`` timings.

    Examples
    --------
    >>> print(explain_table(1))
    Nx fewer iters / faster: the reference needs N times the iterations / the time of this
    method (below 1x this method needs more / is slower).
    """
    text = ("Nx fewer iters / faster: the reference needs N times the iterations / the time "
            "of this method\n(below 1x this method needs more / is slower).")
    if repeats > 1:
        text += (f"\nms per step: the median of {repeats} timings of each step's solve, the "
                 f"runs taking turns;\n±: half the spread of the speed-up over the {repeats} "
                 "repeats; (tie): the spread reaches both sides of 1x.")
    return text


def apply_quick(ctx: click.Context, params: dict) -> dict:
    """``params`` with :data:`QUICK`'s values for the options the user did not give.

    Examples
    --------
    >>> ctx = click.Context(demo)
    >>> ctx.set_parameter_source("nx", ParameterSource.COMMANDLINE)
    >>> ctx.set_parameter_source("steps", ParameterSource.DEFAULT)
    >>> apply_quick(ctx, {"nx": 200, "steps": 2000, "repeats": 3})
    {'nx': 200, 'steps': 1000, 'repeats': 3}
    """
    given = {name for name in QUICK
             if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)}
    return {**params, **{name: value for name, value in QUICK.items() if name not in given}}


def omega_summary(tuned_run, bins=(0.0, 0.1, 1.0, 3.0, 6.0, 10.0)):
    """The omega the tuner chose most often in each diffusivity range, over the last half.

    Examples
    --------
    >>> from cli.heat_runs import Run
    >>> tuned = Run(TUNED, np.ones(4), np.array([1.0, 1.2, 1.5, 1.7]), np.ones(4),
    ...             contexts=np.array([0.05, 0.05, 0.05, 8.0]))
    >>> omega_summary(tuned)
    'kappa in [0, 0.1]: 1.50; kappa in [6, 10]: 1.70'
    """
    half = slice(tuned_run.contexts.size // 2, None)
    k, w = tuned_run.contexts[half], tuned_run.omegas[half]
    parts = []
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        sel = (k >= lo) & ((k < hi) | (hi == bins[-1]))
        if sel.any():
            values, counts = np.unique(w[sel], return_counts=True)
            parts.append(f"kappa in [{lo:g}, {hi:g}]: {values[np.argmax(counts)]:.2f}")
    return "; ".join(parts)


@click.command()
@click.option("--nx", default=80, show_default=True, type=click.IntRange(min=3),
              help="Grid intervals per side: (nx - 1)^2 unknowns.")
@click.option("--steps", default=2000, show_default=True, type=click.IntRange(min=1),
              help=f"Crank-Nicolson time steps of {DT:g} (one period of the diffusivity is "
                   "1000 steps).")
@click.option("--repeats", default=3, show_default=True, type=click.IntRange(1, 99),
              help="Timings of each step's solve (the runs take turns); the table gives "
                   "their median and the spread of the speed-ups.")
@click.option("--omega", "omegas", multiple=True, type=OMEGA,
              help="Also run SSOR-PCG at this fixed omega, in (0, 2) (repeatable). "
                   "[default: none]")
@click.option("--quick", is_flag=True,
              help=f"A short run: nx={QUICK['nx']}, {QUICK['steps']} steps, "
                   f"{QUICK['repeats']} repeats, for those of these options not given "
                   "(an option given explicitly keeps its value).")
@plot_option("Write a PNG of the omega chosen and the iterations per step.")
@click.pass_context
def demo(ctx, nx, steps, repeats, omegas, quick, plot):
    """Solve the 2-D heat equation, choosing SSOR-PCG's omega online at every step.

    Each step's linear system is solved by CG preconditioned with SSOR; the default tuner
    picks omega from 20 values in [1, 1.95], using the diffusivity as context and the
    iteration count as cost. The same simulation is run at omega = 1 and with plain CG for
    comparison, in lockstep, each step timed --repeats times. This is the second experiment
    of Learning to Relax (Khodak et al., ICLR 2024), on a smaller grid.
    """
    if quick:
        nx, steps, repeats = (apply_quick(ctx, {"nx": nx, "steps": steps, "repeats": repeats})
                              [name] for name in ("nx", "steps", "repeats"))
    methods = demo_methods(omegas)
    check_grid(nx, steps, len(methods))
    sim = HeatEquation(nx, t_end=steps * DT)
    click.echo(f"Heat equation, nx={nx} ({sim.n} unknowns), {len(sim)} steps, warm-started "
               f"CG (rtol 1e-8), each step timed {repeats} times: SSOR-PCG with omega tuned "
               f"online, against {', '.join(m.label for m in methods if m.kind != 'tuned')}")
    warm_up(nx)
    with progressbar(len(sim) * len(methods), "solving") as bar:
        runs = run_interleaved(nx, steps, methods, repeats=repeats, progress=bar.update)
    click.echo(format_table(runs))
    click.echo(explain_table(repeats))
    tuned = runs[TUNED]
    click.echo(f"omega chosen (last half of the run): {omega_summary(tuned)}")
    if plot:
        plot_sequence(plot, tuned.omegas, tuned.iterations.astype(float), tuned.contexts,
                      title=f"heat equation nx={nx}: SSOR-PCG with omega tuned online",
                      cost_label="iterations per step")
        note(f"figure: {plot}")
