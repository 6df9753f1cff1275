"""Timing helpers shared by the benchmark scripts: interleaved repeats, medians, bandwidth."""

from __future__ import annotations

import os
import platform
import time

import numba
import numpy as np
from numba import njit, prange


def median_times(functions, repeats):
    """Run each function ``repeats`` times, interleaved, and return the median seconds of each.

    Interleaving spreads drifts of the machine (frequency, neighbours) over all contenders.
    """
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, f in functions.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def marginal_times(make_runner, counts, repeats):
    """Seconds per iteration as the slope between two iteration counts.

    ``make_runner(name, k)`` returns a callable running k iterations of contender ``name``;
    fixed per-call costs (validation, conversion, setup) cancel in the difference.
    """
    lo, hi = counts
    names = make_runner.names
    funcs = {}
    for name in names:
        funcs[(name, lo)] = make_runner(name, lo)
        funcs[(name, hi)] = make_runner(name, hi)
    for f in funcs.values():  # warm-up: JIT compilation and page faults
        f()
    med = median_times(funcs, repeats)
    return {name: (med[(name, hi)] - med[(name, lo)]) / (hi - lo) for name in names}


@njit(parallel=True, cache=True)
def _triad(a, b, c, s):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def streaming_bandwidth(n=16_000_000, repeats=7):
    """Measured streaming bandwidth in GB/s: NumPy copy (one core) and a triad on all cores."""
    b = np.random.default_rng(0).random(n)
    c = b.copy()
    a = np.empty(n)
    _triad(a, b, c, 0.5)
    med = median_times({"copy": lambda: np.copyto(a, b),
                        "triad": lambda: _triad(a, b, c, 0.5)}, repeats)
    return {"copy (1 core)": 2 * a.nbytes / med["copy"] / 1e9,
            f"triad ({numba.get_num_threads()} threads)": 3 * a.nbytes / med["triad"] / 1e9}


def machine():
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"numba threads {numba.get_num_threads()}, numpy {np.__version__}")


def print_table(rows, header):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)))


def learners(arms, bounds, context_name):
    """The learners the experiments compare: ``{name: factory(seed) -> policy}``."""
    import tuner

    return {
        "Tsallis-INF": lambda seed: tuner.TsallisINF(arms, seed=seed),
        "Tsallis-INF-CB": lambda seed: tuner.TsallisINFCB(arms, bounds=bounds, seed=seed),
        "ChebCB": lambda seed: tuner.ChebCB(arms, bounds=bounds, seed=seed),
        "default (no context)": lambda seed: tuner.default_policy(arms, seed=seed),
        f"default ({context_name} context)":
            lambda seed: tuner.default_policy(arms, bounds=bounds, seed=seed),
    }


def replay(policy, cost, contexts=None):
    """The arm a tuner with ``policy`` picks at each row of a cost table (rows: instances,
    columns: arms), told the table's cost; ``contexts`` per row for contextual policies."""
    import tuner

    t = tuner.Tuner(policy)
    chosen = np.empty(cost.shape[0], dtype=int)
    for k in range(cost.shape[0]):
        trial = t.ask() if contexts is None else t.ask(float(contexts[k]))
        chosen[k] = trial.arm
        t.tell(trial, float(cost[k, trial.arm]))
    return chosen


def print_tuning_summary(rows, cost, columns, unit="cost"):
    """The totals of a replayed tuning experiment: each row's total cost (mean over its
    seeds), its ratio to the best fixed arm (rows named "fixed ..."), and ``columns``:
    ``{title: (width, format, value(choices, instances))}``, averaged over the seeds."""
    k = np.arange(cost.shape[0])
    totals = {name: np.mean([cost[k, c].sum() for c in ch]) for name, ch in rows.items()}
    best = min((v, name) for name, v in totals.items() if name.startswith("fixed"))
    width = max(len(name) for name in rows) + 2
    print(f"\n{'method':<{width}}{unit:>12}{'vs best fixed':>15}"
          + "".join(f"{title:>{w}}" for title, (w, _, _) in columns.items()))
    for name, choices in rows.items():
        cells = "".join(f"{np.mean([value(c, k) for c in choices]):{w}{fmt}}"
                        for w, fmt, value in columns.values())
        print(f"{name:<{width}}{totals[name]:12.0f}{totals[name] / best[0]:14.2f}x{cells}")
    print(f"best fixed in hindsight: {best[1]}")
