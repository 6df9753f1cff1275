"""Experiment 1 of "Learning to Relax": SOR on randomly shifted Laplacians.

    python benchmarks/experiment_shifted_laplacian.py [--T 5000] [--seeds 3]
        [--variance high low] [--figure docs/figures/shifted_laplacian.png]

For each variance setting and seed, every instance is solved by SOR (x0 = 0, rtol 1e-8, at
most 10000 sweeps) at each of the 20 arms linspace(1, 1.95, 20) and at the asymptotically
optimal omega of the instance. SOR from zero is deterministic, so this table gives the cost of
every fixed arm, the best fixed arm in hindsight and the instance-optimal policies, and the
learners (Tsallis-INF, Tsallis-INF-CB with 5 bins, ChebCB with 6 Chebyshev features, and the
default policy without and with the shift as context) are run against it through the ask/tell
Tuner. Prints mean SOR iterations per instance, averaged over
seeds; with --figure (needs matplotlib) draws instances remaining against total iterations.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import learners

import tuner
from problems import SHIFT_BOUNDS, shifted_laplacian_sequence
from solvers import Solver

ARMS = np.linspace(1.0, 1.95, 20)
PAPER_FIXED = (1.0, 1.2, 1.4, 1.6, 1.8)
LEARNERS = learners(ARMS, SHIFT_BOUNDS, "shift")


def sor_iterations(solver, instance, omega):
    res = solver.sor(instance.b, omega=omega, rtol=1e-8, maxiter=10_000)
    return res.iterations, res.status != "converged"


def cost_table(seq):
    """Iterations of every arm on every instance, and of the formula's optimal omega (each
    instance prepared once for its 21 solves)."""
    costs = np.empty((len(seq), ARMS.size))
    censored = np.zeros_like(costs, dtype=bool)
    oracle = np.empty(len(seq))
    for t, inst in enumerate(seq):
        solver = Solver(inst.A)
        for a, omega in enumerate(ARMS):
            costs[t, a], censored[t, a] = sor_iterations(solver, inst, omega)
        oracle[t] = sor_iterations(solver, inst, inst.meta["omega_opt"])[0]
    return costs, censored, oracle


def run_learner(seq, make_policy, seed, costs, censored):
    def solve(instance, value):
        t, a = instance.meta["index"], int(np.argmin(np.abs(ARMS - value)))
        return costs[t, a], bool(censored[t, a])

    report = tuner.run_sequence(seq, solve, tuner.Tuner(make_policy(seed)))
    return np.asarray(report.costs, dtype=float)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--T", type=int, default=5000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--variance", nargs="+", default=["high", "low"])
    parser.add_argument("--figure", default=None)
    args = parser.parse_args()

    curves = {}
    for variance in args.variance:
        rows = {}
        for seed in range(args.seeds):
            seq = shifted_laplacian_sequence(args.T, variance=variance, seed=seed)
            costs, censored, oracle = cost_table(seq)
            per_method = {f"omega = {w:g}": costs[:, int(np.argmin(np.abs(ARMS - w)))]
                          for w in PAPER_FIXED}
            best = int(np.argmin(costs.sum(axis=0)))
            per_method[f"best fixed (omega = {ARMS[best]:.2f})"] = costs[:, best]
            per_method["instance-optimal (formula)"] = oracle
            per_method["instance-optimal (best arm)"] = costs.min(axis=1)
            for name, make in LEARNERS.items():
                per_method[name] = run_learner(seq, make, seed, costs, censored)
            for name, c in per_method.items():
                key = name if not name.startswith("best fixed") else "best fixed"
                rows.setdefault(key, []).append((c.mean(), name))
            if seed == 0:
                curves[variance] = per_method
        best_fixed = np.mean([m for m, _ in rows["best fixed"]])
        optimal = np.mean([m for m, _ in rows["instance-optimal (best arm)"]])
        print(f"\nshifted Laplacians, {variance} variance: T = {args.T}, seeds 0..{args.seeds - 1}"
              f" (mean SOR iterations per instance; ratios to the best fixed arm and to the"
              f" best arm of each instance)")
        for key, vals in rows.items():
            mean = float(np.mean([m for m, _ in vals]))
            label = vals[0][1] if key != "best fixed" else \
                "best fixed (" + ", ".join(sorted({n.split('(')[1][:-1] for _, n in vals})) + ")"
            print(f"  {label:<40}{mean:>9.2f}{mean / best_fixed:>8.2f}x{mean / optimal:>8.2f}x")

    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4.5), squeeze=False)
        for ax, (variance, per_method) in zip(axes[0], curves.items(), strict=True):
            colours = plt.get_cmap("tab20").colors
            for i, (name, c) in enumerate(per_method.items()):
                learner = name in LEARNERS
                ax.plot(np.cumsum(c), np.arange(c.size, 0, -1), label=name,
                        color=colours[(2 * i) % 20 + (i >= 10)],
                        linestyle="-" if learner else "--", linewidth=2.2 if learner else 1.0)
            ax.set_xlabel("total SOR iterations")
            ax.set_ylabel("instances remaining")
            ax.set_title(f"shifted Laplacians, {variance} variance (seed 0)")
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.figure, dpi=120)
        print(f"figure: {args.figure}")


if __name__ == "__main__":
    main()
