"""Tuning the sample budget of weighted least squares over a sequence of functions.

    python benchmarks/experiment_lsq_tuning.py [--instances 300] [--sampler volume]

The sequence: Runge-type functions ``1 / (1 + a x^2)`` on [-1, 1] whose parameter ``a``
drifts between 2 (smooth) and 40 (nearly Runge's), fitted in Legendre polynomials of degree
14 (m = 15). The target: a cross-validated error estimate (the fit's ``cv_error``) at most
``--target`` times the largest best-approximation error over the family, so every function
can meet it with enough samples and the hard ones need more. Arms: the sample budget n / m
(ordered). A function's cost is its number of evaluations n, plus, when the estimate misses
the target (or cannot be computed, as at n = m), a redo at the largest budget. Every arm runs
on every function (the cost table); the learners then choose against it (seeds 0-2): the
default policy without and with ``a`` as context, and Tsallis-INF. Also shown: how often an
accepted fit's true error (on a Gauss rule) is above the target.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import machine, print_tuning_summary, replay

import tuner
from problems import runge_family
from solvers import lsq

RATIOS = (1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
DEGREE = 14
A_RANGE = (2.0, 40.0)


def parameters(count, seed=0):
    """The drifting parameter a of each function (a slow sine and some jitter)."""
    rng = np.random.default_rng(seed)
    k = np.arange(count)
    mid, half = 0.5 * (A_RANGE[0] + A_RANGE[1]), 0.5 * (A_RANGE[1] - A_RANGE[0])
    a = mid + half * np.sin(2 * np.pi * k / 150.0) + rng.normal(0.0, 2.0, count)
    return np.clip(a, *A_RANGE)


def cost_table(a_values, basis, rule, target, sampler):
    m = basis.m
    sizes = [int(round(r * m)) for r in RATIOS]
    n = np.tile(np.array(sizes, dtype=float), (a_values.size, 1))
    missed = np.zeros(n.shape, dtype=bool)
    wrong = np.zeros(n.shape, dtype=bool)                 # accepted, but truly above target
    for k, a in enumerate(a_values):
        f = runge_family(a)
        for j, size in enumerate(sizes):
            r = lsq.fit(f, basis, size, sampler=sampler, seed=1000 * k + j)
            missed[k, j] = not r.cv_error <= target       # NaN (n = m) counts as a miss
            wrong[k, j] = not missed[k, j] and lsq.l2_error(f, r, rule) > target
    return n, missed, wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--sampler", default="volume", choices=lsq.SAMPLERS)
    parser.add_argument("--target", type=float, default=2.0,
                        help="the target as a multiple of the family's largest best error")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    basis = lsq.TensorBasis("legendre", DEGREE)
    rule = lsq.reference_rule(basis)
    worst = max(lsq.best_approximation(runge_family(a), basis, rule).error
                for a in np.linspace(*A_RANGE, 9))
    target = args.target * worst
    a_values = parameters(args.instances)
    print(f"{args.instances} functions 1 / (1 + a x^2), a in {A_RANGE}; Legendre degree "
          f"{DEGREE} (m = {basis.m}); sampler {args.sampler}; target cv_error <= "
          f"{target:.3e} ({args.target:g} x the largest best error)\nmachine: {machine()}")
    n, missed, wrong = cost_table(a_values, basis, rule, target, args.sampler)
    cost = n + missed * n[:, -1:]
    values = np.array(RATIOS)
    rows = {f"fixed n/m = {r:g}": np.full((1, args.instances), j) for j, r in enumerate(RATIOS)}
    rows["default policy"] = np.array([replay(tuner.default_policy(values, seed=s), cost)
                                       for s in range(args.seeds)])
    rows["default + context a"] = np.array([
        replay(tuner.default_policy(values, bounds=A_RANGE, seed=s), cost, a_values)
        for s in range(args.seeds)])
    rows["Tsallis-INF"] = np.array([replay(tuner.TsallisINF(values, seed=s), cost)
                                    for s in range(args.seeds)])
    rows["per-instance best"] = np.argmin(cost, axis=1)[None, :]
    print_tuning_summary(rows, cost, {
        "misses": (8, ".1f", lambda c, k: missed[k, c].sum()),
        "accepted but wrong": (20, ".1f", lambda c, k: wrong[k, c].sum())},
        unit="evaluations")

if __name__ == "__main__":
    main()
