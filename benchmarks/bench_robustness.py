"""The tuner's robustness suite: scenarios that trap a policy, each policy against the best
fixed arm in hindsight.

    python benchmarks/bench_robustness.py [--steps 3000] [--seeds 3] [--scenario NAME ...]

Every scenario of :mod:`tuner.scenarios` (20 arms linspace(1, 1.95, 20), SOR-like cost
curves) is replayed for each seed by the default policy, the previous default
(``UnimodalLCB``), Tsallis-INF and ChebCB (given a constant context where the scenario has
none), one trial at a time, and by the default policy with batches of 10 and 100 outstanding
trials (asked before any is told). Printed: the mean over seeds of each total divided by the
best fixed arm's total in hindsight, and the instance-optimal total (the best arm of every
instance) on the same scale. "blind 100" is what a run would cost whose first 100 trials,
asked before any cost is known, all went to the start arm (the middle of the grid) and all
others to the best fixed arm: what a batch of 100 cannot avoid. For the scenarios with an
abrupt change, "after" is the default's cost over the last steps from 300 after the change,
against the best fixed arm over those steps, worst seed. Last, the unit test of every
policy: the same run with the costs told in another unit (times 1/1000), and whether its
choices changed.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import machine, print_table

import tuner
from tuner.scenarios import SCENARIOS, SMOOTH, make_scenario, play

RECOVERY = 300
"""Steps after an abrupt change by which the default should be back near the best arm."""


def learners(scenario, seed):
    bounds = scenario.bounds or (0.0, 1.0)
    return {
        "default": tuner.default_policy(scenario.arms, bounds=scenario.bounds, seed=seed),
        "UnimodalLCB": tuner.UnimodalLCB(scenario.arms, scenario.bounds, seed=seed),
        "Tsallis-INF": tuner.TsallisINF(scenario.arms, seed=seed),
        "ChebCB": tuner.ChebCB(scenario.arms, bounds=bounds, seed=seed),
    }


def run(name, steps, seeds):
    ratios = {}
    after = []
    for seed in seeds:
        s = make_scenario(name, steps=steps, seed=seed)
        best = s.best_fixed_total
        for label, policy in learners(s, seed).items():
            result = play(policy, s)
            ratios.setdefault(label, []).append(result.total / best)
            if label == "default" and s.change is not None:
                start = s.change + RECOVERY
                after.append(result.costs[start:].sum() / s.best_fixed_over(start, steps))
        for batch in (10, 100):
            policy = tuner.default_policy(s.arms, bounds=s.bounds, seed=seed)
            ratios.setdefault(f"B={batch}", []).append(play(policy, s, batch=batch).total / best)
        ratios.setdefault("optimum", []).append(s.optimal_total / best)
        column = s.costs.sum(axis=0)
        start, fixed = (s.arms.size - 1) // 2, int(np.argmin(column))
        blind = s.costs[:100, start].sum() + column[fixed] - s.costs[:100, fixed].sum()
        ratios.setdefault("blind 100", []).append(blind / best)
    return {k: float(np.mean(v)) for k, v in ratios.items()}, (max(after) if after else None)


def unit_check(steps):
    """(policy, scenario) -> whether telling costs x 1000 changed any choice."""
    rows = []
    for name in ("smooth", "context"):
        s = make_scenario(name, steps=steps, seed=0)
        for label in ("default", "Tsallis-INF", "ChebCB"):
            first = play(learners(s, 0)[label], s).arms
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", tuner.CostScaleWarning)
                second = play(learners(s, 0)[label], s, scale=1e-3).arms
            rows.append((f"{label} on {name}", "same" if np.array_equal(first, second)
                         else f"{int(np.sum(first != second))} of {steps} differ"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--scenario", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    args = parser.parse_args()

    print(f"robustness suite: T = {args.steps}, seeds 0..{args.seeds - 1}; total / best fixed arm "
          f"in hindsight (mean over seeds; after +{RECOVERY}: worst seed); "
          f"machine: {machine()}")
    rows = []
    start = time.perf_counter()
    for name in args.scenario:
        r, after = run(name, args.steps, range(args.seeds))
        rows.append((name + (" *" if name in SMOOTH else ""), f"{r['default']:.3f}",
                     f"{r['UnimodalLCB']:.3f}", f"{r['Tsallis-INF']:.3f}", f"{r['ChebCB']:.3f}",
                     "1.000", f"{r['optimum']:.3f}", f"{r['B=10']:.3f}", f"{r['B=100']:.3f}",
                     f"{r['blind 100']:.3f}", "-" if after is None else f"{after:.3f}"))
    print_table(rows, ("scenario (* smooth)", "default", "UnimodalLCB", "Tsallis-INF", "ChebCB",
                       "best fixed", "optimum", "B=10", "B=100", "blind 100",
                       f"after +{RECOVERY}"))
    print(f"({time.perf_counter() - start:.0f} s)")
    print("\ncosts told x 1/1000 (seconds instead of milliseconds), seed 0: choices")
    print_table(unit_check(args.steps), ("policy", "choices"))


if __name__ == "__main__":
    main()
