"""relax on an NVIDIA GPU (CuPy) against CuPy's own CG and against relax on the CPU.

    python benchmarks/bench_gpu.py [--grid 1000] [--cube 128] [--repeats 7]

For the 2-D Poisson matrix (grid x grid unknowns) and the 3-D one (cube^3 unknowns):
the time per multicolour (red-black) SOR sweep and per CG iteration (no preconditioner) of
relax on the GPU, of ``cupyx.scipy.sparse.linalg.cg`` and of relax on the CPU (all cores),
each as the slope between a short and a long run (fixed per-call costs cancel), with the
effective bandwidth (the bytes a CSR sweep or CG iteration must move, over the time) next
to the GPU's peak (from its memory clock and bus width) and a measured device copy.
Needs CuPy and a usable GPU (pip install '.[gpu]'); without them it says so and stops.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _common import machine, print_table

from problems import poisson
from solvers import cg, sor
from solvers.backend import gpu_available


def _gpu_info(cupy):
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    peak = 2 * props["memoryClockRate"] * 1e3 * props["memoryBusWidth"] / 8 / 1e9
    a = cupy.empty(2**28 // 8)
    b = cupy.empty_like(a)
    cupy.copyto(b, a)
    cupy.cuda.get_current_stream().synchronize()
    start = time.perf_counter()
    for _ in range(20):
        cupy.copyto(b, a)
    cupy.cuda.get_current_stream().synchronize()
    copy = 20 * 2 * a.nbytes / (time.perf_counter() - start) / 1e9
    return name, peak, copy


def _slope(run, counts, repeats, sync):
    """Seconds per iteration: median over repeats of (t(hi) - t(lo)) / (hi - lo)."""
    lo, hi = counts
    run(lo)
    run(hi)
    times = {lo: [], hi: []}
    for _ in range(repeats):
        for k in (lo, hi):
            sync()
            start = time.perf_counter()
            run(k)
            sync()
            times[k].append(time.perf_counter() - start)
    return (np.median(times[hi]) - np.median(times[lo])) / (hi - lo)


def measure(label, A_host, repeats, cupy):
    import cupyx.scipy.sparse
    import cupyx.scipy.sparse.linalg

    n, nnz = A_host.shape[0], A_host.nnz
    b_host = np.random.default_rng(0).standard_normal(n)
    A, b = cupyx.scipy.sparse.csr_matrix(A_host), cupy.asarray(b_host)

    def sync():
        cupy.cuda.get_current_stream().synchronize()

    def cupy_cg(k):
        try:
            cupyx.scipy.sparse.linalg.cg(A, b, rtol=1e-30, maxiter=k)
        except TypeError:                                   # CuPy 13 spells it tol
            cupyx.scipy.sparse.linalg.cg(A, b, tol=1e-30, maxiter=k)

    sweep = {
        "relax GPU": lambda k: sor(A, b, omega=1.5, rtol=0.0, maxiter=k,
                                   ordering="multicolor"),
        "relax CPU": lambda k: sor(A_host, b_host, omega=1.5, rtol=0.0, maxiter=k,
                                   ordering="multicolor"),
    }
    iteration = {
        "relax GPU": lambda k: cg(A, b, rtol=1e-30, maxiter=k),
        "cupyx cg": cupy_cg,
        "relax CPU": lambda k: cg(A_host, b_host, rtol=1e-30, maxiter=k),
    }
    sweep_bytes = 12 * nnz + 4 * (n + 1) + 24 * n
    cg_bytes = 12 * nnz + 4 * (n + 1) + 8 * n * 10       # SpMV + ~10 vector passes
    rows = []
    for what, runs, nbytes in (("SOR sweep", sweep, sweep_bytes),
                               ("CG iteration", iteration, cg_bytes)):
        for name, run in runs.items():
            seconds = _slope(run, (4, 54), repeats, sync)
            rows.append((f"{what}, {name}", f"{1e3 * seconds:.3f}",
                         f"{nbytes / seconds / 1e9:.0f}"))
    print(f"\n{label}: n={n}, nnz={nnz}")
    print_table(rows, ("", "ms", "effective GB/s"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=1000)
    parser.add_argument("--cube", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if not gpu_available():
        print("no usable GPU (CuPy and an NVIDIA device are needed): nothing to measure")
        return 0
    import cupy

    name, peak, copy = _gpu_info(cupy)
    print(f"GPU: {name}, peak bandwidth {peak:.0f} GB/s, device copy {copy:.0f} GB/s\n"
          f"CPU: {machine()}")
    measure(f"2-D Poisson {args.grid} x {args.grid}", poisson((args.grid, args.grid)),
            args.repeats, cupy)
    measure(f"3-D Poisson {args.cube}^3", poisson((args.cube,) * 3), args.repeats, cupy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
