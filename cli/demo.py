"""``relax demo``: SSOR-preconditioned CG on the heat-equation sequence, fixed omegas compared."""

from __future__ import annotations

import sys
import time

import click
import numpy as np

from problems import HeatEquation
from solvers import cg

DEFAULT_OMEGAS = (1.0, 1.3, 1.5, 1.75, 1.95)


def compare_fixed_omegas(sim, omegas, *, rtol=1e-8, progress=None):
    """Solve every step of ``sim`` with SSOR-PCG at each omega and with plain CG.

    All configurations solve the same system from the same warm start (the previous step's
    solution); the simulation advances with the first configuration's solution. Returns
    ``{label: (iterations per step, seconds per step)}``.
    """
    configs = [(f"SSOR-PCG omega={w:g}", ("ssor", w)) for w in omegas] + [("CG", None)]
    iters = {label: [] for label, _ in configs}
    secs = {label: [] for label, _ in configs}
    warm_up = sim.system()
    for _, M in configs:  # compile the kernels before anything is timed
        cg(warm_up.A, warm_up.b, warm_up.x0, rtol=rtol, M=M)
    for system in sim:
        first = None
        for label, M in configs:
            t0 = time.perf_counter()
            res = cg(system.A, system.b, system.x0, rtol=rtol, M=M)
            secs[label].append(time.perf_counter() - t0)
            if not res.converged:
                raise click.ClickException(f"{label} did not converge at step "
                                           f"{system.meta['step']} ({res.status})")
            iters[label].append(res.iterations)
            first = res.x if first is None else first
        sim.advance(first)
        if progress is not None:
            progress(1)
    return {label: (np.array(iters[label]), np.array(secs[label])) for label, _ in configs}


def format_table(results):
    """The comparison as text: mean iterations and milliseconds per step, and the speed-up."""
    base = results["SSOR-PCG omega=1"][0].mean()
    lines = [f"{'method':<24}{'mean iters':>12}{'ms/step':>10}{'iters vs omega=1':>18}"]
    for label, (it, s) in results.items():
        lines.append(f"{label:<24}{it.mean():>12.2f}{1e3 * s.mean():>10.3f}"
                     f"{base / it.mean():>17.2f}x")
    fixed = {k: v for k, v in results.items() if k.startswith("SSOR")}
    best = min(fixed, key=lambda k: fixed[k][0].sum())
    lines.append(f"best fixed omega: {best.split('=')[1]} "
                 f"({fixed[best][0].mean():.2f} iterations per step)")
    return "\n".join(lines)


@click.command()
@click.option("--nx", default=100, show_default=True, type=click.IntRange(min=3),
              help="Grid intervals per side; (nx-1)^2 unknowns.")
@click.option("--steps", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Crank-Nicolson steps of dt=1e-3 (one diffusivity period is 1000).")
@click.option("--omega", "omegas", multiple=True,
              type=click.FloatRange(0.0, 2.0, min_open=True, max_open=True),
              help=f"Fixed omegas to compare (repeatable); default {DEFAULT_OMEGAS}.")
def demo(nx, steps, omegas):
    """Solve the 2-D heat equation with SSOR-preconditioned CG at fixed omegas."""
    omegas = tuple(omegas) or DEFAULT_OMEGAS
    if 1.0 not in omegas:
        omegas = (1.0, *omegas)
    sim = HeatEquation(nx, t_end=steps * 1e-3)
    click.echo(f"Heat equation, nx={nx} ({sim.system().n} unknowns), {len(sim)} steps, "
               f"warm-started SSOR-PCG (rtol 1e-8) at omega in {omegas} and plain CG")
    with click.progressbar(length=len(sim), label="solving", file=sys.stderr) as bar:
        results = compare_fixed_omegas(sim, omegas, progress=bar.update)
    click.echo(format_table(results))
