"""Wall-clock of the heat-equation loop through a prepared ``solvers.Solver``: SSOR-PCG with
omega tuned online (default policy, the diffusivity as context) against plain CG and every
fixed omega of the tuner's grid, in one run.

    python benchmarks/bench_heat_loop.py [--nx 25 100 200] [--steps 1500 500 300]
        [--repeats 3]

Every method runs the whole simulation (its own solutions are the next warm starts) through
its own ``Solver``, updated to each step's matrix (the same pattern, new values); a step's
time is the update, the solve and, for the tuned run, the tuner's ask and tell. The runs go
in lockstep: at every step each method's solve is timed ``--repeats`` times, the methods
taking turns, and the median counts, so a busy spell of the machine hits every method alike.
Prints iterations and milliseconds per step, each method's time against plain CG's, and the
tuned run's time spent in its tuner.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import machine

import tuner
from cli.heat_runs import Method, run_interleaved, warm_up
from problems import KAPPA_BOUNDS

ARMS = np.linspace(1.0, 1.95, 20)


def methods(omegas=None):
    tuned = Method("SSOR-PCG tuned", "tuned", make_tuner=lambda: tuner.Tuner(
        tuner.default_policy(ARMS, bounds=KAPPA_BOUNDS, seed=0)))
    fixed = [Method(f"SSOR-PCG {w:.2f}", "ssor", omega=float(w))
             for w in (ARMS if omegas is None else omegas)]
    return [Method("plain CG", "cg"), tuned, *fixed]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nx", type=int, nargs="+", default=[25, 100, 200])
    parser.add_argument("--steps", type=int, nargs="+", default=[1500, 500, 300])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--omegas", type=float, nargs="*", default=None,
                        help="the fixed omegas to run (default: every arm of the tuner)")
    args = parser.parse_args()
    if len(args.steps) != len(args.nx):
        parser.error("give one --steps per --nx")
    print(f"machine: {machine()}")
    for nx, steps in zip(args.nx, args.steps, strict=True):
        warm_up(nx)
        runs = run_interleaved(nx, steps, methods(args.omegas), repeats=args.repeats)
        cg_time = runs["plain CG"].total_seconds
        print(f"\nnx = {nx} ({(nx - 1) ** 2} unknowns), {steps} steps, median of "
              f"{args.repeats} timings per step")
        print(f"{'method':<18}{'iters/step':>11}{'ms/step':>10}{'time / plain CG':>17}")
        for label, r in sorted(runs.items(), key=lambda item: item[1].total_seconds):
            print(f"{label:<18}{r.mean_iterations:>11.2f}{1e3 * r.seconds_per_step:>10.4f}"
                  f"{r.total_seconds / cg_time:>16.3f}x")
        tuned_run = runs["SSOR-PCG tuned"]
        tuned = tuned_run.total_seconds
        fixed = {k: r.total_seconds for k, r in runs.items() if k.startswith("SSOR-PCG 1")}
        best = min(fixed, key=fixed.get)
        print(f"tuned: {cg_time / tuned:.2f}x faster than plain CG, "
              f"{fixed[best] / tuned:.3f}x faster than the best fixed omega ({best[9:]}); "
              f"its tuner (ask + tell) {1e6 * tuned_run.tuner_seconds.mean():.1f} us per "
              f"step, {tuned_run.tuner_seconds.sum() / tuned:.1%} of its time")


if __name__ == "__main__":
    main()
