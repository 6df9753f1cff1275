"""One forward SOR sweep: relax against PyAMG's C++ sweep on the 2-D Poisson matrix.

    python benchmarks/bench_sor.py [--grid 1000] [--repeats 9]

Prints the time per sweep inside a multi-sweep call (fixed per-call costs cancel), the
end-to-end time of a one-sweep call, the ratio PyAMG / relax, and the effective bandwidth of
each next to the machine's streaming bandwidth, for lexicographic SOR and for multicolour
(red-black) SOR on one thread and on all of them. relax's sweep also computes the residual
of the iterate it starts from (its convergence test); PyAMG's does not.
"""

from __future__ import annotations

import argparse

import numba
import numpy as np
import pyamg
from _common import machine, marginal_times, median_times, print_table, streaming_bandwidth
from pyamg.relaxation.relaxation import sor as pyamg_sor

from solvers import sor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--omega", type=float, default=1.5)
    args = parser.parse_args()

    A = pyamg.gallery.poisson((args.grid, args.grid), format="csr")
    n, nnz = A.shape[0], A.nnz
    rng = np.random.default_rng(0)
    b, x0 = rng.standard_normal(n), rng.standard_normal(n)
    omega = args.omega

    threads = numba.config.NUMBA_NUM_THREADS

    def make_runner(name, k):
        if name == "relax":
            return lambda: sor(A, b, x0, omega=omega, rtol=0.0, maxiter=k)
        if name.startswith("multicolor"):
            count = 1 if name.endswith("1 thread") else threads

            def run():
                numba.set_num_threads(count)
                sor(A, b, x0, omega=omega, rtol=0.0, maxiter=k, ordering="multicolor")
            return run
        x = x0.copy()
        return lambda: pyamg_sor(A, x, b, omega, iterations=k, sweep="forward")

    make_runner.names = ("relax", "multicolor, 1 thread", f"multicolor, {threads} threads",
                         "pyamg")
    per_sweep = marginal_times(make_runner, (4, 34), args.repeats)
    one_call = median_times({name: make_runner(name, 1) for name in make_runner.names},
                            args.repeats)
    # Bytes a CSR sweep must move at least: values and column indices, row pointers,
    # x read and written, b read.
    bytes_moved = 12 * nnz + 4 * (n + 1) + 24 * n
    bw = streaming_bandwidth()

    print(f"SOR forward sweep, 2-D Poisson {args.grid}x{args.grid}: n={n}, nnz={nnz}, "
          f"omega={omega}\nmachine: {machine()}")
    print("streaming bandwidth: " + ", ".join(f"{k} {v:.1f} GB/s" for k, v in bw.items()))
    rows = []
    for name in make_runner.names:
        rows.append((name, f"{1e3 * per_sweep[name]:.2f}", f"{1e3 * one_call[name]:.2f}",
                     f"{bytes_moved / per_sweep[name] / 1e9:.1f}"))
    print_table(rows, ("", "ms/sweep", "ms one-sweep call", "effective GB/s"))
    print(f"ratio pyamg/relax per sweep: {per_sweep['pyamg'] / per_sweep['relax']:.2f}x; "
          f"one-sweep call: {one_call['pyamg'] / one_call['relax']:.2f}x")
    multi, single = per_sweep[f"multicolor, {threads} threads"], \
        per_sweep["multicolor, 1 thread"]
    print(f"ratio pyamg/multicolor ({threads} threads) per sweep: "
          f"{per_sweep['pyamg'] / multi:.2f}x; speed-up 1 -> {threads} threads: "
          f"{single / multi:.2f}x")


if __name__ == "__main__":
    main()
