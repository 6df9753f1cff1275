"""The heat-equation sequence with multicolour SSOR-PCG, omega tuned online, on every core.

    python benchmarks/bench_heat_multicolor.py [--nx 200] [--steps 1000] [--repeats 3]

Every method runs the whole simulation (its own solutions are the next warm starts): plain
CG, and SSOR-PCG with omega chosen by the default policy (the diffusivity as context), with
the lexicographic SSOR preconditioner and with the multicolour one, the latter on one thread
and on all of them. A step's time is the solve plus the tuner's ask and tell (the system's
assembly is common to all and left out); the total is the median of ``--repeats``
interleaved runs. Prints mean iterations, the total seconds and the ratios.
"""

from __future__ import annotations

import argparse

import numba
import numpy as np
from _common import machine
from heat_cost_table import ARMS

import tuner
from cli.heat_runs import Method, run, warm_up
from problems import KAPPA_BOUNDS


def _tuned(label, ordering):
    return Method(label, "tuned", ordering=ordering,
                  make_tuner=lambda: tuner.Tuner(tuner.default_policy(
                      ARMS, bounds=KAPPA_BOUNDS, seed=0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nx", type=int, default=200)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    threads = numba.config.NUMBA_NUM_THREADS
    methods = [
        (Method("plain CG", "cg"), threads),
        (_tuned("tuned SSOR-PCG, lexicographic", "lexicographic"), threads),
        (_tuned("tuned SSOR-PCG, multicolour, 1 thread", "multicolor"), 1),
        (_tuned(f"tuned SSOR-PCG, multicolour, {threads} threads", "multicolor"), threads),
    ]
    print(f"heat equation nx={args.nx}, {args.steps} steps, default policy with the "
          f"diffusivity as context\nmachine: {machine()}")
    warm_up(args.nx)
    seconds = {m.label: [] for m, _ in methods}
    runs = {}
    for _ in range(args.repeats):
        for method, count in methods:
            numba.set_num_threads(count)
            runs[method.label] = r = run(args.nx, args.steps, method)
            seconds[method.label].append(r.total_seconds)
    numba.set_num_threads(threads)
    total = {label: float(np.median(s)) for label, s in seconds.items()}
    plain, lexicographic = total["plain CG"], total["tuned SSOR-PCG, lexicographic"]
    print(f"{'method':<40}{'iters':>8}{'total s':>10}{'vs lexicographic':>18}"
          f"{'vs plain CG':>13}")
    for label, r in runs.items():
        print(f"{label:<40}{r.mean_iterations:8.2f}{total[label]:10.2f}"
              f"{lexicographic / total[label]:17.2f}x{plain / total[label]:12.2f}x")
    mc = runs[f"tuned SSOR-PCG, multicolour, {threads} threads"]
    print(f"multicolour: omegas chosen over the last 10% of the steps: median "
          f"{np.median(mc.omegas[-len(mc.omegas) // 10:]):.2f} (lexicographic: "
          f"{np.median(runs['tuned SSOR-PCG, lexicographic'].omegas[-args.steps // 10:]):.2f})")


if __name__ == "__main__":
    main()
