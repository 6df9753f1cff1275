"""One CG iteration: relax against SciPy's ``cg`` on the 2-D Poisson matrix.

    python benchmarks/bench_cg.py [--grid 1000] [--repeats 7]

Both run the same number of unpreconditioned iterations (tolerance 0); the time per
iteration is the slope between two iteration counts, so setup costs cancel. Also compares
SSOR-preconditioned CG (Eisenstat's trick) with SciPy's ``cg`` given our SSOR operator.
"""

from __future__ import annotations

import argparse

import numpy as np
import pyamg
from _common import machine, marginal_times, print_table, streaming_bandwidth
from scipy.sparse.linalg import cg as scipy_cg

from solvers import cg, ssor_preconditioner


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    A = pyamg.gallery.poisson((args.grid, args.grid), format="csr")
    n, nnz = A.shape[0], A.nnz
    b = np.random.default_rng(0).standard_normal(n)
    M = ssor_preconditioner(A, 1.5)

    def make_runner(name, k):
        if name == "relax CG":
            return lambda: cg(A, b, rtol=0.0, maxiter=k)
        if name == "scipy CG":
            return lambda: scipy_cg(A, b, rtol=0.0, maxiter=k)
        if name == "relax SSOR-PCG":
            return lambda: cg(A, b, rtol=0.0, maxiter=k, M=("ssor", 1.5))
        return lambda: scipy_cg(A, b, rtol=0.0, maxiter=k, M=M)

    make_runner.names = ("relax CG", "scipy CG", "relax SSOR-PCG", "scipy SSOR-PCG")
    per_iter = marginal_times(make_runner, (5, 45), args.repeats)
    # Bytes one CG iteration must move at least: the matrix once, x, r, p read and
    # written, q written.
    bytes_moved = 12 * nnz + 4 * (n + 1) + 56 * n
    bw = streaming_bandwidth()

    print(f"CG iteration, 2-D Poisson {args.grid}x{args.grid}: n={n}, nnz={nnz}\n"
          f"machine: {machine()}")
    print("streaming bandwidth: " + ", ".join(f"{k} {v:.1f} GB/s" for k, v in bw.items()))
    rows = [(name, f"{1e3 * t:.2f}", f"{bytes_moved / t / 1e9:.1f}" if "SSOR" not in name
             else "-") for name, t in per_iter.items()]
    print_table(rows, ("", "ms/iteration", "effective GB/s"))
    print(f"ratio scipy/relax, plain CG: {per_iter['scipy CG'] / per_iter['relax CG']:.2f}x; "
          f"SSOR-PCG (omega=1.5): "
          f"{per_iter['scipy SSOR-PCG'] / per_iter['relax SSOR-PCG']:.2f}x")


if __name__ == "__main__":
    main()
