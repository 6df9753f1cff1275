"""Method and knobs chosen online by wall-clock (``Solver.solve`` with a tuner over
``solvers.auto_space``) against every fixed configuration of that space and the peers a user
would pick: SciPy's cg, SciPy's cg preconditioned by a PyAMG hierarchy built once and reused,
and a direct solve.

    python benchmarks/bench_autotune.py heat --nx 25 50 100 --steps 5000 5000 5000
    python benchmarks/bench_autotune.py heat --nx 200 --steps 5000 --rounds 1 --probe 1000 --cut 1.5
    python benchmarks/bench_autotune.py amg --m 500 --steps 100 --rounds 1 --probe 2 --cut 3
    python benchmarks/bench_autotune.py small --m 40 --steps 3000
    python benchmarks/bench_autotune.py overhead

Sequences: ``heat`` is the heat equation of "Learning to Relax" (the diffusivity is the
context); ``amg`` solves ``-div(a grad u) = 1`` on an m x m grid with a smooth random
log-normal coefficient of contrast e^6 that drifts from step to step (AMG's home ground);
``small`` solves the same with a large shift (``A + 4 mean(diag) I``: small and well
conditioned, plain CG's home ground). Every solve is warm-started at the previous solution,
to rtol 1e-8.

How the methods are run and timed: :mod:`cli.auto_compare` (each runs the whole sequence on
its own, ``--rounds`` rotated rounds, medians; every method's first ``--probe`` steps run
first, and a method whose first steps cost more than ``--cut`` times the fastest fixed one's
is not run further but extrapolated from them, marked ``est.``).

``overhead`` times one auto decision (ask, the backstop's estimate, the tell and the
bookkeeping of ``Solver.solve`` around the solve) in steady state.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine

import tuner
from cli.auto_compare import DiffusionSequence, HeatSequence, compare, summary_lines
from problems import variable_diffusion
from solvers import Solver, auto_space


def overhead(steps=20_000):
    """Steady-state seconds of ask + estimate + tell + ``Solver.solve``'s bookkeeping: a
    solve's time minus its solver's own (``Result.seconds``), on a tiny system whose solves
    are too fast for leases to be worth less than every decision (``--lease`` off: each solve
    decides), and with leases as they come."""
    A = variable_diffusion(np.ones((8, 8)))
    b = np.ones(A.shape[0])
    rng = np.random.default_rng(0)
    for lease in (False, True):
        solver = Solver(A)
        t = tuner.Tuner(tuner.default_policy(auto_space(solver), bounds=(0.0, 10.0), seed=0),
                        keep_history=False)
        spent = np.empty(steps)
        for k in range(steps):
            context = float(rng.uniform(0.0, 10.0))
            started = time.perf_counter()
            res = solver.solve(b, tuner=t, context=context)
            if not lease:
                solver.settle()                  # tell now: every solve is a decision
            spent[k] = time.perf_counter() - started - res.seconds
        tail = spent[steps // 2:]
        what = "leases as they come" if lease else "a decision at every solve"
        print(f"auto overhead per solve, {what} (last {steps // 2} of {steps}): "
              f"median {1e6 * np.median(tail):.1f} us, mean {1e6 * tail.mean():.1f} us")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sequence", choices=["heat", "amg", "small", "overhead"])
    parser.add_argument("--nx", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--m", type=int, default=None)
    parser.add_argument("--steps", type=int, nargs="+", default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe", type=int, default=None)
    parser.add_argument("--cut", type=float, default=5.0)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if args.sequence == "overhead":
        overhead()
        return
    if args.sequence == "heat":
        steps = args.steps or [5000, 5000, 5000, 1000]
        if len(steps) != len(args.nx):
            parser.error("give one --steps per --nx")
        seqs = [HeatSequence(nx, s) for nx, s in zip(args.nx, steps, strict=True)]
        probe = args.probe or 200
    elif args.sequence == "amg":
        seqs = [DiffusionSequence(args.m or 500, (args.steps or [60])[0])]
        probe = args.probe or 3
    else:
        seqs = [DiffusionSequence(args.m or 40, (args.steps or [3000])[0], shift=4.0)]
        probe = args.probe or 50
    for seq in seqs:
        comparison = compare(seq, rounds=args.rounds, probe=probe, cut=args.cut)
        print(f"\n{seq}, median of {args.rounds} rounds")
        print("\n".join(summary_lines(comparison)))


if __name__ == "__main__":
    main()
