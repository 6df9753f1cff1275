"""Weighted least squares: the error ratio ||f - f_hat|| / ||f - P_m f|| of each sampler
against the sample budget n / m.

    python benchmarks/bench_lsq.py [--draws 100] [--cases runge,smooth_2d,smooth_5d]

Cases: Runge's function 1 / (1 + 25 x^2) with Legendre of degree 10 (m = 11), the smooth
2-D function exp(-(x^2 + y^2) / 2) cos(x + 2 y) with total degree 6 (m = 28), and
exp(-|x|^2 / 5) in 5-D with total degree 3 (m = 56), all for the uniform measure on
[-1, 1]^d. Samplers: Monte Carlo (unweighted), i.i.d. Christoffel ("optimal"), the
projection DPP (n = m only), volume-rescaled sampling, repeated DPP and boosted (its n is the
size of the candidate sets; greedy removal then shrinks it: the mean final n / m is shown).
Errors in L^2(mu) on a Gauss rule (Monte Carlo with 2^17 points in 5-D), ``--draws`` seeded
draws per cell. For each sampler: the fraction of draws with ratio <= 3 and the median ratio
at each n / m, and the smallest n / m of the grid at which >= 90% of draws have ratio <= 3.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine

import problems
from solvers import lsq

CASES = {
    "runge": (problems.runge, 1, 10),
    "smooth_2d": (problems.smooth_2d, 2, 6),
    "smooth_5d": (problems.smooth_5d, 5, 3),
}
SAMPLERS = ("mc", "christoffel", "dpp", "volume", "repeated-dpp", "boosted")
RATIOS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


def _ratios(f, basis, rule, best, sampler, n, draws):
    ratios, sizes = [], []
    for seed in range(draws):
        try:
            r = lsq.fit(f, basis, n, sampler=sampler, seed=seed)
        except np.linalg.LinAlgError:                   # a rank-deficient design (MC)
            ratios.append(np.inf)
            sizes.append(n)
            continue
        ratios.append(lsq.l2_error(f, r, rule) / best)
        sizes.append(r.n)
    return np.array(ratios), float(np.mean(sizes))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--boosted-draws", type=int, default=None,
                        help="fewer draws for the boosted sampler (its greedy removal costs "
                             "about a second per draw at m = 56)")
    args = parser.parse_args()
    print(f"machine: {machine()}; {args.draws} draws per cell"
          + (f" ({args.boosted_draws} for boosted)" if args.boosted_draws else ""))
    for name in args.cases.split(","):
        f, dim, degree = CASES[name]
        basis = lsq.TensorBasis("legendre", degree, dim=dim)
        rule = lsq.reference_rule(basis)
        best = lsq.best_approximation(f, basis, rule).error
        m = basis.m
        print(f"\n{name}: d = {dim}, total degree {degree}, m = {m}, best error {best:.3e}")
        print(f"  {'sampler':<14}" + "".join(f"{r:>11g}" for r in RATIOS)
              + "   n/m for 90% <= 3   (cells: % of draws <= 3, median ratio)")
        start = time.perf_counter()
        for sampler in SAMPLERS:
            cells, first, finals = [], None, []
            for ratio in RATIOS:
                n = int(round(ratio * m))
                if sampler == "dpp" and n != m:
                    cells.append(f"{'-':>11}")
                    continue
                draws = args.draws if sampler != "boosted" else (args.boosted_draws
                                                                 or args.draws)
                r, final = _ratios(f, basis, rule, best, sampler, n, draws)
                share = float(np.mean(r <= 3.0))
                finals.append(final / m)
                cells.append(f"{100 * share:>4.0f}%{np.median(r):>6.2f}")
                if first is None and share >= 0.9:
                    first = ratio
            label = "-" if first is None else f"{first:g}"
            print(f"  {sampler:<14}" + "".join(cells) + f"   {label:>8}", flush=True)
            if sampler == "boosted":
                print(f"  {'(final n/m)':<14}" + "".join(f"{v:>11.2f}" for v in finals))
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
