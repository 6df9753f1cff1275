"""``relax demo``: the heat-equation sequence, SSOR-PCG tuned online, against fixed choices."""

from __future__ import annotations

import sys

import click
import numpy as np

import tuner
from problems import KAPPA_BOUNDS, HeatEquation

from .heat_runs import Method, run, warm_up
from .tune import plot_sequence

ARMS = np.linspace(1.0, 1.95, 20)


def demo_methods(omegas=()):
    """SSOR-PCG at omega = 1 and at each of ``omegas``, plain CG, and SSOR-PCG tuned by the
    default policy with the diffusivity as context."""
    fixed = [1.0, *[w for w in omegas if w != 1.0]]
    methods = [Method(f"SSOR-PCG omega={w:g}", "ssor", omega=w) for w in fixed]
    methods.append(Method("plain CG", "cg"))
    methods.append(Method("SSOR-PCG tuned", "tuned", make_tuner=lambda: tuner.Tuner(
        tuner.default_policy(ARMS, bounds=KAPPA_BOUNDS, seed=0))))
    return methods


def format_table(runs):
    """Mean iterations, total and per-step time, and the speed-ups against omega = 1 and CG."""
    base = runs["SSOR-PCG omega=1"]
    cg_run = runs["plain CG"]
    lines = [f"{'method':<22}{'iters/step':>11}{'total s':>9}{'ms/step':>9}"
             f"{'iters vs omega=1':>18}{'time vs omega=1':>17}{'time vs CG':>12}"]
    for label, r in runs.items():
        it = r.mean_iterations
        lines.append(f"{label:<22}{it:>11.2f}{r.total_seconds:>9.2f}"
                     f"{1e3 * r.seconds_per_step:>9.3f}{base.mean_iterations / it:>17.2f}x"
                     f"{base.total_seconds / r.total_seconds:>16.2f}x"
                     f"{cg_run.total_seconds / r.total_seconds:>11.2f}x")
    return "\n".join(lines)


def omega_summary(tuned_run, kappas, bins=(0.0, 0.1, 1.0, 3.0, 6.0, 10.0)):
    """The omega the tuner chose most often in each diffusivity range, over the last half."""
    half = slice(kappas.size // 2, None)
    k, w = kappas[half], tuned_run.omegas[half]
    parts = []
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        sel = (k >= lo) & ((k < hi) | (hi == bins[-1]))
        if sel.any():
            values, counts = np.unique(w[sel], return_counts=True)
            parts.append(f"kappa in [{lo:g}, {hi:g}]: {values[np.argmax(counts)]:.2f}")
    return "; ".join(parts)


@click.command()
@click.option("--nx", default=100, show_default=True, type=click.IntRange(min=3),
              help="Grid intervals per side; (nx-1)^2 unknowns.")
@click.option("--steps", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Crank-Nicolson steps of dt=1e-3 (one diffusivity period is 1000).")
@click.option("--omega", "omegas", multiple=True,
              type=click.FloatRange(0.0, 2.0, min_open=True, max_open=True),
              help="Also run SSOR-PCG at this fixed omega (repeatable).")
@click.option("--quick", is_flag=True, help="A run of a few seconds (nx=60, 1000 steps).")
@click.option("--plot", type=click.Path(dir_okay=False),
              help="Write a PNG of the chosen omega and the per-step iterations.")
def demo(nx, steps, omegas, quick, plot):
    """Solve the 2-D heat equation, choosing SSOR-PCG's omega online at every step.

    Each step's system is solved by CG preconditioned with SSOR; the default tuner picks omega
    from 20 values in [1, 1.95], using the diffusivity as context and the iteration count as
    cost. The same simulation is run at omega = 1 and with plain CG for comparison.
    """
    if quick:
        nx, steps = 60, 1000
    methods = demo_methods(omegas)
    sim = HeatEquation(nx, t_end=steps * 1e-3)
    click.echo(f"Heat equation, nx={nx} ({sim.n} unknowns), {len(sim)} steps, warm-started "
               f"CG (rtol 1e-8): SSOR-PCG with omega tuned online, against "
               f"{', '.join(m.label for m in methods if m.kind != 'tuned')}")
    warm_up(nx)
    runs = {}
    with click.progressbar(length=len(sim) * len(methods), label="solving",
                           file=sys.stderr) as bar:
        for method in methods:
            runs[method.label] = run(nx, steps, method, progress=bar.update)
    click.echo(format_table(runs))
    tuned = runs["SSOR-PCG tuned"]
    kappas = np.array([record["context"] for record in tuned.tuner.history])
    click.echo(f"omega chosen (last half of the run): {omega_summary(tuned, kappas)}")
    if plot:
        plot_sequence(plot, tuned.omegas, tuned.iterations.astype(float), kappas,
                      title=f"heat equation nx={nx}: SSOR-PCG with omega tuned online",
                      cost_label="iterations per step")
        click.echo(f"figure: {plot}", err=True)
