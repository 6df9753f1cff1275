"""Cost of one ask + tell for each policy, next to the solve it tunes.

    python benchmarks/bench_tuner.py [--rounds 2000] [--repeats 5]

Each policy first sees 500 rounds (so fits and losses are non-trivial), then the time of
``rounds`` ask + tell pairs is measured ``repeats`` times and the median per pair printed,
beside the time of one SOR solve (omega = 1.6) of the shifted-Laplacian instance of the same
sequence: the tuner's overhead as a fraction of the work it tunes.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine, print_table

import tuner
from problems import SHIFT_BOUNDS, shifted_laplacian_sequence
from solvers import sor

ARMS = np.linspace(1.0, 1.95, 20)
POLICIES = {
    "TsallisINF": lambda: tuner.TsallisINF(ARMS, seed=0),
    "TsallisINFCB": lambda: tuner.TsallisINFCB(ARMS, bounds=SHIFT_BOUNDS, seed=0),
    "ChebCB": lambda: tuner.ChebCB(ARMS, bounds=SHIFT_BOUNDS, seed=0),
    "default (no context)": lambda: tuner.default_policy(ARMS, seed=0),
    "default (context)": lambda: tuner.default_policy(ARMS, bounds=SHIFT_BOUNDS, seed=0),
    "Fixed (bookkeeping only)": lambda: tuner.Fixed(ARMS, value=ARMS[10], seed=0),
}


def seconds_per_pair(t, contexts, costs):
    start = time.perf_counter()
    for c, cost in zip(contexts, costs, strict=True):
        t.tell(t.ask(context=c if t.policy.contextual else None), cost)
    return (time.perf_counter() - start) / len(costs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    seq = shifted_laplacian_sequence(500 + args.rounds, seed=0)
    contexts = np.asarray(seq.shifts)
    costs = np.random.default_rng(0).uniform(20, 200, contexts.size)
    inst = seq[0]
    sor(inst.A, inst.b, omega=1.6)
    solve = []
    for _ in range(args.repeats * 20):
        t0 = time.perf_counter()
        res = sor(inst.A, inst.b, omega=1.6)
        solve.append(time.perf_counter() - t0)
    solve_s = float(np.median(solve))

    print(f"ask + tell per policy, 20 arms; machine: {machine()}")
    print(f"one SOR solve (n={inst.n}, omega=1.6, {res.iterations} iterations): "
          f"{1e6 * solve_s:.0f} us")
    rows = []
    for name, make in POLICIES.items():
        t = tuner.Tuner(make())
        seconds_per_pair(t, contexts[:500], costs[:500])
        samples = [seconds_per_pair(t, contexts[500:], costs[500:]) for _ in range(args.repeats)]
        pair = float(np.median(samples))
        rows.append((name, f"{1e6 * pair:.1f}", f"{pair / solve_s:.2f}"))
    print_table(rows, ("policy", "us per ask+tell", "fraction of one solve"))


if __name__ == "__main__":
    main()
