"""Exact continuous projection-DPP sampling (Legendre, uniform on [-1, 1]^d) against DPPy.

    python benchmarks/bench_dpp.py [--repeats 15]

Both sides draw the same point process: the projection DPP onto the polynomials with DPPy's
multi-indices (``MultivariateJacobiOPE(N, zeros((d, 2))).ordering``: the first N by maximal
degree), orthonormal for the uniform measure. DPPy samples by the chain rule with rejection
from its own proposal in d >= 2 and, in 1-D, from a tridiagonal random-matrix model (the
Jacobi beta-ensemble, an O(N^2) method of another kind). Ours: the chain rule with exact
Christoffel proposals (:func:`solvers.lsq.sample`, ``"dpp"``). Median seconds per draw of
``--repeats`` draws each, taken alternately, and the ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine

from solvers import lsq


def _seconds(draw):
    start = time.perf_counter()
    draw()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    from dppy.multivariate_jacobi_ope import MultivariateJacobiOPE

    print(f"machine: {machine()}\n")
    print(f"{'d':>2}{'N':>5}{'ours ms':>10}{'DPPy ms':>10}{'DPPy / ours':>13}")
    rng = np.random.default_rng(0)
    state = np.random.RandomState(0)                          # DPPy takes a RandomState
    for d in (1, 2, 3):
        for N in (50, 100):
            theirs = MultivariateJacobiOPE(N, np.zeros((d, 2)))
            basis = lsq.TensorBasis("legendre", indices=np.asarray(theirs.ordering))

            def ours(b=basis):
                return lsq.sample(b, b.m, "dpp", seed=rng)

            def other(t=theirs):
                return t.sample(random_state=state)

            ours(), other()                                   # compile, caches
            t_ours, t_theirs = [], []
            for _ in range(args.repeats):                     # alternate the two
                t_ours.append(_seconds(ours))
                t_theirs.append(_seconds(other))
            a, b = np.median(t_ours), np.median(t_theirs)
            print(f"{d:>2}{N:>5}{1e3 * a:10.2f}{1e3 * b:10.2f}{b / a:12.1f}x", flush=True)


if __name__ == "__main__":
    main()
