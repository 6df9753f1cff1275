"""Per-step SSOR-PCG iteration counts of the heat-equation sequence, for every arm.

    python benchmarks/heat_cost_table.py --nx 100 [--steps 5000] [--out DIR]

Runs the Crank-Nicolson simulation of experiment 2 of "Learning to Relax" and, at every step,
solves the step's system by SSOR-preconditioned CG (rtol 1e-8, warm start at the previous
step's solution) at each of the 20 arms ``linspace(1, 1.95, 20)``, by plain CG, and at the
step's instance-optimal omega in ``[1, 1.95]``: a golden-section search on the bracket of
the best arm (``+-0.05``), keeping the best omega it evaluated. All runs of a step start from
the same state; the simulation advances with the omega = 1 solution (every solution meets the same
tolerance, so which one is a detail of 1e-8 relative size). A second pass evaluates the
96-point grid ``linspace(1, 1.95, 96)`` between the neighbours of the best arm in total, which
gives the best fixed omega on that grid when the totals are unimodal in omega (checked).

Iteration counts are deterministic, so the table is computed once per size and saved as
``heat_nx{nx}_T{steps}.npz``; ``experiment_heat.py`` replays the learners against it and
times the live runs.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from problems import HeatEquation
from solvers import Solver

ARMS = np.linspace(1.0, 1.95, 20)
GRID = np.linspace(1.0, 1.95, 96)
RTOL = 1e-8
BRACKET = 0.05
GOLDEN_EVALUATIONS = 6


_PREPARED: dict = {}


def ssor_iterations(instance, omega: float) -> tuple[int, np.ndarray]:
    """SSOR-PCG on the step's system through one prepared Solver per grid size (every
    step's matrix has the grid's pattern: an update copies its values)."""
    solver = _PREPARED.get(instance.A.shape)
    if solver is None:
        solver = _PREPARED[instance.A.shape] = Solver(instance.A)
    else:
        solver.update(instance.A)
    res = solver.cg(instance.b, instance.x0, rtol=RTOL, M=("ssor", float(omega)))
    if not res.converged:
        raise RuntimeError(f"SSOR-PCG at omega={omega} failed at step "
                           f"{instance.meta['step']}: {res.status}")
    return res.iterations, res.x


def golden_section(f, lo: float, hi: float, evaluations: int, known: dict) -> tuple[float, int]:
    """Golden-section search for the smallest ``f`` on ``[lo, hi]``; returns the best point
    evaluated, ``known`` included (iteration counts are integers, so ties keep the first)."""
    inv_phi = (math.sqrt(5.0) - 1.0) / 2.0
    seen = dict(known)

    def value(w):
        if w not in seen:
            seen[w] = f(w)
        return seen[w]

    a, b = lo, hi
    c, d = b - inv_phi * (b - a), a + inv_phi * (b - a)
    for _ in range(max(evaluations - 2, 1)):
        if value(c) <= value(d):
            b, d = d, c
            c = b - inv_phi * (b - a)
        else:
            a, c = c, d
            d = a + inv_phi * (b - a)
    best = min(seen, key=lambda w: (seen[w], abs(w - 0.5 * (lo + hi))))
    return best, seen[best]


def _progress(nx, k, steps, started):
    if k % max(steps // 20, 1) == 0 or k == steps:
        print(f"  nx={nx}: step {k}/{steps} ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr, flush=True)


def first_pass(nx: int, steps: int) -> dict:
    sim = HeatEquation(nx, t_end=steps * 1e-3)
    T = len(sim)
    iters = np.empty((T, ARMS.size), dtype=np.int32)
    kappa = np.empty(T)
    cg_iters = np.empty(T, dtype=np.int32)
    opt_omega = np.empty(T)
    opt_iters = np.empty(T, dtype=np.int32)
    started = time.perf_counter()
    for k, inst in enumerate(sim):
        kappa[k] = inst.context
        x_next = None
        for j, omega in enumerate(ARMS):
            iters[k, j], x = ssor_iterations(inst, omega)
            x_next = x if j == 0 else x_next
        plain = _PREPARED[inst.A.shape].cg(inst.b, inst.x0, rtol=RTOL)
        cg_iters[k] = plain.iterations
        j = int(np.argmin(iters[k]))
        lo, hi = max(ARMS[j] - BRACKET, ARMS[0]), min(ARMS[j] + BRACKET, ARMS[-1])
        known = {float(w): int(c) for w, c in zip(ARMS, iters[k], strict=True) if lo <= w <= hi}
        opt_omega[k], opt_iters[k] = golden_section(
            lambda w, inst=inst: ssor_iterations(inst, w)[0], lo, hi, GOLDEN_EVALUATIONS, known)
        sim.advance(x_next)
        _progress(nx, k + 1, T, started)
    return {"kappa": kappa, "iters": iters, "cg_iters": cg_iters,
            "opt_omega": opt_omega, "opt_iters": opt_iters}


def refine_best_fixed(nx: int, steps: int, iters: np.ndarray) -> dict:
    """Iterations at the 96-grid points strictly between the best arm's neighbours."""
    totals = iters.sum(axis=0)
    j = int(np.argmin(totals))
    lo = ARMS[max(j - 1, 0)]
    hi = ARMS[min(j + 1, ARMS.size - 1)]
    on_arms = np.isclose(GRID[:, None], ARMS[None, :]).any(axis=1)
    points = GRID[(GRID > lo) & (GRID < hi) & ~on_arms]
    sim = HeatEquation(nx, t_end=steps * 1e-3)
    grid_iters = np.empty((len(sim), points.size), dtype=np.int32)
    started = time.perf_counter()
    for k, inst in enumerate(sim):
        for i, omega in enumerate(points):
            grid_iters[k, i] = ssor_iterations(inst, omega)[0]
        sim.advance(ssor_iterations(inst, ARMS[0])[1])
        _progress(nx, k + 1, len(sim), started)
    descents = np.diff(totals)
    unimodal = bool(np.all(np.diff(np.sign(descents[descents != 0])) >= 0))
    return {"grid_omegas": points, "grid_iters": grid_iters, "unimodal": unimodal}


def compute(nx: int, steps: int, out: Path) -> Path:
    path = out / f"heat_nx{nx}_T{steps}.npz"
    if path.exists():
        return path
    table = first_pass(nx, steps)
    table.update(refine_best_fixed(nx, steps, table["iters"]))
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, arms=ARMS, nx=nx, steps=steps, **table)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nx", type=int, nargs="+", required=True)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    for nx in args.nx:
        print(compute(nx, args.steps, args.out))


if __name__ == "__main__":
    main()
