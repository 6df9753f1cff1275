"""``relax demo``: the heat-equation sequence solved by the method and knobs chosen online by
wall-clock (``auto``), against every fixed configuration, SciPy's cg, SciPy's cg with a PyAMG
hierarchy built once, and a direct solve (see :mod:`cli.auto_compare` for how they are run
and timed).
"""

from __future__ import annotations

import click
import numpy as np
from click.core import ParameterSource

from solvers import Solver, auto_space

from .auto_compare import HeatSequence, compare, configurations, summary_lines
from .console import note, progressbar
from .heat_runs import DT, check_grid
from .tune import _matplotlib, plot_option

QUICK = {"nx": 60, "steps": 1000, "repeats": 1}
"""What ``--quick`` sets, for the options not given on the command line."""


def apply_quick(ctx: click.Context, params: dict) -> dict:
    """``params`` with :data:`QUICK`'s values for the options the user did not give.

    Examples
    --------
    >>> ctx = click.Context(demo)
    >>> ctx.set_parameter_source("nx", ParameterSource.COMMANDLINE)
    >>> ctx.set_parameter_source("steps", ParameterSource.DEFAULT)
    >>> apply_quick(ctx, {"nx": 200, "steps": 2000, "repeats": 3})
    {'nx': 200, 'steps': 1000, 'repeats': 1}
    """
    given = {name for name in QUICK
             if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)}
    return {**params, **{name: value for name, value in QUICK.items() if name not in given}}


def plot_configurations(path, run, *, title) -> None:
    """The configuration ``auto`` solved each step with (one row per configuration, a mark
    where the backstop stopped another first) and the seconds of each step, the diffusivity
    on a twin axis."""
    _matplotlib()
    import matplotlib.pyplot as plt

    labels = sorted(set(run.configs), key=run.configs.index)
    rows = {label: i for i, label in enumerate(labels)}
    steps = np.arange(len(run.configs))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 2.2 + 0.3 * len(labels)),
                                      sharex=True, height_ratios=[max(len(labels), 2), 3])
    top.plot(steps, [rows[c] for c in run.configs], "|", markersize=6)
    stopped = [k for k, a in enumerate(run.abandoned) if a]
    if stopped:
        top.plot(stopped, [rows[run.configs[k]] for k in stopped], "x", color="tab:red",
                 markersize=4, label="backstop stopped another first")
        top.legend(loc="upper right", fontsize=7)
    top.set_yticks(range(len(labels)), labels, fontsize=7)
    top.set_ylabel("configuration")
    twin = top.twinx()
    twin.plot(steps, run.contexts, color="tab:gray", linewidth=0.6, alpha=0.6)
    twin.set_ylabel("diffusivity", color="tab:gray")
    bottom.semilogy(steps, 1e3 * np.asarray(run.seconds), ".", markersize=2)
    bottom.set_ylabel("ms per step")
    bottom.set_xlabel("time step")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


@click.command()
@click.option("--nx", default=80, show_default=True, type=click.IntRange(min=3),
              help="Grid intervals per side: (nx - 1)^2 unknowns.")
@click.option("--steps", default=2000, show_default=True, type=click.IntRange(min=1),
              help=f"Crank-Nicolson time steps of {DT:g} (one period of the diffusivity is "
                   "1000 steps).")
@click.option("--repeats", default=2, show_default=True, type=click.IntRange(1, 99),
              help="Rounds: every method runs the whole simulation this many times, in a "
                   "rotated order; the table gives the median of its totals.")
@click.option("--quick", is_flag=True,
              help=f"A short run: nx={QUICK['nx']}, {QUICK['steps']} steps, "
                   f"{QUICK['repeats']} repeats, for those of these options not given "
                   "(an option given explicitly keeps its value).")
@plot_option("Write a PNG of the configuration chosen at every step and its time.")
@click.pass_context
def demo(ctx, nx, steps, repeats, quick, plot):
    """Solve the 2-D heat equation, choosing the method and its knobs online by wall-clock.

    Each step's linear system (warm-started, rtol 1e-8) is solved by the configuration a
    tuner chooses: plain, Jacobi- or SSOR-preconditioned CG (omega in 1.0 ... 1.9), a direct
    solve, and, on large grids, multicolour SSOR and AMG (solvers.auto_space); the tuner is
    told the seconds each solve takes, with the diffusivity as context. The same simulation
    is run by every fixed configuration (so the best single one in hindsight is known), by
    SciPy's cg, by SciPy's cg with a PyAMG hierarchy built once and reused, and by a direct
    solve per step; the table gives each one's time against auto's. The sequence is the
    second experiment of Learning to Relax (Khodak et al., ICLR 2024), on a smaller grid.
    """
    if quick:
        nx, steps, repeats = (apply_quick(ctx, {"nx": nx, "steps": steps, "repeats": repeats})
                              [name] for name in ("nx", "steps", "repeats"))
    check_grid(nx, steps, 2)             # the methods run one after another
    sequence = HeatSequence(nx, steps)
    methods = len(configurations(auto_space(Solver(next(iter(sequence))[0])))) + 4
    click.echo(f"Heat equation, nx={nx} ({(nx - 1) ** 2} unknowns), {steps} steps, "
               f"warm-started solves to rtol 1e-8: the method chosen online by wall-clock "
               f"(auto) against {methods - 1} others; each runs the whole simulation, "
               f"{repeats} round{'s' if repeats > 1 else ''}, medians.")
    with progressbar(steps * methods * repeats, "solving") as bar:
        comparison = compare(sequence, rounds=repeats, probe=min(50, steps), cut=5.0,
                             progress=bar.update)
    click.echo("\n".join(summary_lines(comparison)))
    if plot:
        plot_configurations(plot, comparison.autos[0],
                            title=f"heat equation nx={nx}: the configuration auto chose")
        note(f"figure: {plot}")
