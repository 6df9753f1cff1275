"""Cost of `relax batch` per instance, and its throughput on a local Dask cluster.

    python benchmarks/bench_batch.py [--small 200] [--large 12] [--workers 2]

1. Overhead: ``--small`` shifted-Laplacian systems (n = 100, a fraction of a millisecond
   each) are solved by SOR at omega = 1.6, first by calling the solver on each loaded system
   (the solve alone), then by `relax batch` (file read + solve + tuner + journal row + state
   file), with a fixed omega and with the default policy and the shift as context. Prints the
   seconds per instance of each and the difference.
2. Throughput: ``--large`` Poisson systems that take about a second each by plain CG, solved by
   `relax batch` serially and on a local Dask cluster of ``--workers`` workers. Numba runs one
   thread per process here (NUMBA_NUM_THREADS=1), so the workers do not compete for cores.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _common import machine  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from cli.main import main as relax  # noqa: E402
from problems import load_system, poisson, save_system, shifted_laplacian_sequence  # noqa: E402
from solvers import cg, sor  # noqa: E402


def timed_batch(args):
    start = time.perf_counter()
    result = CliRunner().invoke(relax, ["batch", *args])
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return time.perf_counter() - start


def overhead(directory: Path, count: int):
    for inst in shifted_laplacian_sequence(count, seed=0):
        save_system(directory / f"sl_{inst.meta['index']:05d}.npz", inst.A, inst.b,
                    context=inst.context)
    files = sorted(directory.glob("*.npz"))
    systems = [load_system(f) for f in files]
    sor(systems[0].A, systems[0].b, omega=1.6)                    # compile
    start = time.perf_counter()
    for s in systems:
        sor(s.A, s.b, omega=1.6)
    alone = (time.perf_counter() - start) / count
    timed_batch([str(files[0]), "--method", "sor", "--tune", "fixed:1.6"])       # warm up
    rows = [("solve alone (loaded system, sor)", alone)]
    for label, extra in (("relax batch, fixed:1.6", ["--tune", "fixed:1.6"]),
                         ("relax batch, default + context",
                          ["--context", "context", "--bounds", "-0.15", "0.65"])):
        out = directory / f"{len(rows)}.csv"
        state = directory / f"{len(rows)}.json"
        seconds = timed_batch([str(directory), "--method", "sor", *extra, "--out", str(out),
                               "--state", str(state)])
        rows.append((label, seconds / count))
    print(f"\n1. per instance, {count} shifted-Laplacian systems (n = 100), SOR:")
    for label, s in rows:
        print(f"  {label:<34}{1e3 * s:>9.3f} ms   (+{1e3 * (s - alone):.3f} ms over the solve)")


def throughput(directory: Path, count: int, workers: int):
    A = poisson((400, 400))
    rng = np.random.default_rng(0)
    for i in range(count):
        save_system(directory / f"p_{i:03d}.npz", A, rng.normal(size=A.shape[0]))
    one = load_system(next(directory.glob("*.npz")))
    start = time.perf_counter()
    res = cg(one.A, one.b, rtol=1e-8)
    print(f"\n2. {count} Poisson systems (n = {A.shape[0]}), plain CG: one solve "
          f"{time.perf_counter() - start:.2f} s ({res.iterations} iterations)")
    common = [str(directory), "--method", "cg", "--precond", "none", "--tune", "fixed:1.0"]
    serial = timed_batch([*common, "--out", str(directory / "serial.csv")])
    parallel = timed_batch([*common, "--out", str(directory / "dask.csv"),
                            "--workers", str(workers)])
    print(f"  serial              {serial:7.2f} s   {count / serial:.2f} instances/s")
    print(f"  Dask, {workers} workers     {parallel:7.2f} s   {count / parallel:.2f} instances/s"
          f"   ({serial / parallel:.2f}x the serial throughput, cluster start-up included)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "small"), Path(tmp, "large")
        small.mkdir()
        large.mkdir()
        overhead(small, args.small)
        throughput(large, args.large, args.workers)


if __name__ == "__main__":
    main()
