"""Cost of one ask + tell for each policy, next to the solve it tunes; the default policy's
first call and its saved state after a long run.

    python benchmarks/bench_tuner.py [--rounds 2000] [--repeats 5] [--long 100000]

Each policy first sees 500 rounds (so fits and losses are non-trivial), then the time of
``rounds`` ask + tell pairs is measured ``repeats`` times and the median per pair printed,
beside the time of one SOR solve (omega = 1.6) of the shifted-Laplacian instance of the same
sequence: the tuner's overhead as a fraction of the work it tunes.

Then, for the default policy: the first ask + tell in a fresh process (compiled code loaded
from Numba's cache, which a first run on a machine fills), apart from importing the package;
and, after ``long`` trials, the size of the saved tuner and the median time of ten saves
(``Tuner.save``: JSON written to a temporary file, synced and renamed), with costs drawn at
random (every arm stays plausible, so every statistic fills up: the largest state) and on the
``context`` scenario of :mod:`tuner.scenarios`, with and without context.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from _common import machine, print_table

import tuner
from problems import SHIFT_BOUNDS, shifted_laplacian_sequence
from solvers import sor
from tuner.scenarios import make_scenario

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
    parser.add_argument("--long", type=int, default=100_000,
                        help="trials before the saved state is measured")
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
    first_call()
    long_run_state(args.long)


FIRST_CALL = """
import time
start = time.perf_counter()
import numpy as np
import tuner
imported = time.perf_counter()
t = tuner.Tuner(tuner.default_policy(np.linspace(1.0, 1.95, 20), bounds={bounds}, seed=0))
t.tell(t.ask({context}), 10.0)
print(imported - start, time.perf_counter() - imported)
"""


def first_call():
    """Import time and the first ask + tell of the default policy in fresh processes."""
    rows = []
    for label, bounds, context in (("no context", None, None), ("context", (0.0, 1.0), 0.5)):
        code = FIRST_CALL.format(bounds=bounds, context=context)
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # cache
        runs = [subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                               text=True).stdout.split() for _ in range(3)]
        imported, first = np.median(np.array(runs, dtype=float), axis=0)
        rows.append((label, f"{imported:.2f}", f"{first:.3f}"))
    print("\ndefault policy in a fresh process (medians of 3, compiled code cached):")
    print_table(rows, ("default policy", "import tuner (s)", "first ask + tell (s)"))


def long_run_state(trials):
    """Saved size and save time of the default policy's tuner after ``trials`` trials."""
    rng = np.random.default_rng(0)
    scenario = make_scenario("context", steps=trials, seed=0)
    workloads = {
        "random costs": (rng.uniform(0.0, 1.0, trials), rng.uniform(20, 200, (trials, 20)),
                         rng.random((trials, 20)) < 0.01),
        "context scenario": (scenario.contexts / 4.0, scenario.costs, scenario.censored),
    }
    rows = []
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "tuner.json")
    for name, (contexts, costs, censored) in workloads.items():
        for bounds in (None, (0.0, 1.0)):
            t = tuner.Tuner(tuner.default_policy(ARMS, bounds=bounds, seed=0),
                            keep_history=False)
            for k in range(trials):
                trial = t.ask(float(contexts[k]) if bounds else None)
                t.tell(trial, float(costs[k, trial.arm]), censored=bool(censored[k, trial.arm]))
            times = []
            for _ in range(10):
                start = time.perf_counter()
                t.save(path)
                times.append(time.perf_counter() - start)
            rows.append((name, "context" if bounds else "no context",
                         f"{os.path.getsize(path) / 1024:.1f}",
                         f"{1e3 * float(np.median(times)):.2f}"))
    print(f"\ndefault policy's tuner after {trials} trials:")
    print_table(rows, ("costs", "policy", "saved KB", "ms per save"))


if __name__ == "__main__":
    main()
