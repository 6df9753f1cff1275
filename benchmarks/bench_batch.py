"""Cost of `relax batch` per instance, and its throughput on a local Dask cluster.

    python benchmarks/bench_batch.py [--small 200] [--large 24] [--workers 2]
    python benchmarks/bench_batch.py --large 0        # the overhead per instance alone

1. Overhead: ``--small`` systems of two kinds, shifted Laplacians (n = 100, a fraction of a
   millisecond each, by SOR at omega = 1.6) and 2-D Poisson 100 x 100 (n = 10000, by CG
   with SSOR(1.5), a few milliseconds each), are solved first by calling the solver on each
   loaded system (the solve alone), then by `relax batch` (file read + solve + tuner +
   results row + state file), with a fixed omega and with the default policy (and the shift
   as context). Prints the seconds per instance of each and the difference.
2., 3. Throughput: ``--large`` systems that take about a second each, solved by `relax batch`
   serially and on Dask with ``--workers`` workers: a cluster started by the batch itself
   (``--workers``, start-up included) and one already running and warmed up
   (``--scheduler``). Two kinds: Poisson 400 x 400 by plain CG (memory-bound: its 10 MB of
   matrix are streamed from memory at every iteration) and Poisson 100 x 100 by SOR at
   omega = 1 (in cache). Numba runs one thread per process here (NUMBA_NUM_THREADS=1), so
   the workers do not compete for cores. Each row also states the seconds per instance
   beyond the solve alone (for Dask: the run's seconds times the workers, per instance).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import multiprocessing  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _common import machine, median_times  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from cli.batch import solve_input  # noqa: E402
from cli.main import main as relax  # noqa: E402
from problems import load_system, poisson, save_system, shifted_laplacian_sequence  # noqa: E402
from solvers import cg, sor  # noqa: E402


def timed_batch(args):
    start = time.perf_counter()
    result = CliRunner().invoke(relax, ["batch", *args])
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return time.perf_counter() - start


def _shifted_laplacians(directory: Path, count: int):
    for inst in shifted_laplacian_sequence(count, seed=0):
        save_system(directory / f"sl_{inst.meta['index']:05d}.npz", inst.A, inst.b,
                    context=inst.context)


def _overhead_case(directory: Path, label: str, solve, batch_args, tuned_args, rounds=3):
    """Per-instance seconds of the solve alone, of reading + solving, and of `relax batch`
    with a fixed omega and tuned: medians over ``rounds`` rounds, the four taking turns."""
    files = sorted(directory.glob("*.npz"))
    count = len(files)
    systems = [load_system(f) for f in files]
    solve(systems[0])                                             # compile
    timed_batch([str(files[0]), *batch_args, "--tune", "fixed:1.6"])          # warm up

    def alone():
        for s in systems:
            solve(s)

    def read_solve():
        for f in files:
            solve(load_system(f))

    def batch(extra, k):
        out = directory.parent / f"{directory.name}_{k}.csv"
        state = directory.parent / f"{directory.name}_{k}.state"
        timed_batch([str(directory), *batch_args, *extra, "--out", str(out), "--state",
                     str(state), "--overwrite"])

    variants = {"solve alone (loaded system)": alone, "file read + solve": read_solve,
                "relax batch, fixed omega": lambda: batch(["--tune", "fixed:1.6"], 0),
                "relax batch, default policy": lambda: batch(tuned_args, 1)}
    rows = [(name, seconds / count)
            for name, seconds in median_times(variants, rounds).items()]
    alone_s = rows[0][1]
    print(f"\n1. per instance, {count} x {label} (medians of {rounds} rounds):")
    for name, s in rows:
        print(f"  {name:<34}{1e3 * s:>9.3f} ms   (+{1e3 * (s - alone_s):.3f} ms over the solve)")


def overhead(directory: Path, count: int):
    small = directory / "shifted"
    small.mkdir()
    _shifted_laplacians(small, count)
    _overhead_case(small, "shifted Laplacian (n = 100), SOR",
                   lambda s: sor(s.A, s.b, omega=1.6), ["--method", "sor"],
                   ["--context", "context", "--bounds", "-0.15", "0.65"])
    grid = _poisson_inputs(directory / "poisson", 100, count)
    _overhead_case(grid, "Poisson 100 x 100 (n = 10000), CG + SSOR",
                   lambda s: cg(s.A, s.b, rtol=1e-8, M=("ssor", 1.6)), ["--method", "cg"],
                   [])


def _poisson_inputs(directory: Path, m: int, count: int) -> Path:
    directory.mkdir(parents=True)
    A = poisson((m, m))
    rng = np.random.default_rng(0)
    for i in range(count):
        save_system(directory / f"p_{i:03d}.npz", A, rng.normal(size=A.shape[0]))
    return directory


def _warm_cluster(workers: int, directory: Path, solve: list[str]):
    """A local cluster like `relax batch --workers` starts, its workers warmed up (imports
    and compiled kernels loaded) by a one-input batch."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    warm = directory.parent / f"{directory.name}_warm"
    warm.mkdir()
    first = next(directory.glob("*.npz"))
    (warm / first.name).symlink_to(first)
    for _ in range(workers):
        timed_batch([str(warm), *solve, "--scheduler", cluster.scheduler_address])
    return cluster, client


def _process_pool(directory: Path, workers: int, m: int) -> float:
    """Seconds for a pool of warmed-up processes to solve the inputs, without tuner, journal
    or Dask: what the machine allows for this many processes at once."""
    files = sorted(str(f) for f in directory.glob("*.npz"))
    args = (("cg", "none") if m == 400 else ("sor", "none")) + (1e-8, 100000, 1.0)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.starmap(solve_input, [(files[0], *args)] * workers)           # warm up
        start = time.perf_counter()
        pool.starmap(solve_input, [(f, *args) for f in files], chunksize=1)
        return time.perf_counter() - start


def throughput(directory: Path, count: int, workers: int):
    """Serial against Dask on two kinds of one-second instances."""
    cases = (
        ("Poisson 400 x 400 (n = 160000), plain CG: memory-bound", 400,
         ["--method", "cg", "--precond", "none", "--tune", "fixed:1.0"]),
        ("Poisson 100 x 100 (n = 10000), SOR omega = 1: in cache", 100,
         ["--method", "sor", "--tune", "fixed:1.0", "--maxiter", "100000"]),
    )
    for k, (label, m, solve) in enumerate(cases):
        inputs = _poisson_inputs(directory / f"case{k}", m, count)
        one = load_system(next(inputs.glob("*.npz")))
        timed_batch([str(next(inputs.glob("*.npz"))), *solve])               # compile
        times = []
        for _ in range(3):
            start = time.perf_counter()
            res = (cg(one.A, one.b, rtol=1e-8) if m == 400 else
                   sor(one.A, one.b, omega=1.0, rtol=1e-8, maxiter=100000))
            times.append(time.perf_counter() - start)
        alone = float(np.median(times))
        print(f"\n{2 + k}. {count} x {label}: one solve {alone:.2f} s (median of 3) "
              f"({res.iterations} iterations)")
        serial = timed_batch([str(inputs), *solve, "--out", str(directory / f"s{k}.csv")])
        cold = timed_batch([str(inputs), *solve, "--out", str(directory / f"c{k}.csv"),
                            "--workers", str(workers)])
        ceiling = _process_pool(inputs, workers, m)
        cluster, client = _warm_cluster(workers, inputs, solve)
        try:
            warm = timed_batch([str(inputs), *solve, "--out", str(directory / f"w{k}.csv"),
                                "--scheduler", cluster.scheduler_address])
        finally:
            client.close()
            cluster.close()
        print(f"  serial                          {serial:7.2f} s   "
              f"{count / serial:.2f} instances/s   "
              f"+{1e3 * (serial / count - alone):.0f} ms per instance over the solve")
        for name, seconds in ((f"Dask --workers {workers} (start-up incl.)", cold),
                              (f"Dask, {workers} warm workers", warm),
                              (f"ceiling: {workers} warm processes", ceiling)):
            extra = seconds * workers / count - alone
            print(f"  {name:<32}{seconds:7.2f} s   {count / seconds:.2f} instances/s   "
                  f"({serial / seconds:.2f}x serial, +{1e3 * extra:.0f} ms per instance "
                  f"and worker)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "small"), Path(tmp, "large")
        small.mkdir()
        large.mkdir()
        overhead(small, args.small)
        if args.large:                       # --large 0: the overhead alone
            throughput(large, args.large, args.workers)


if __name__ == "__main__":
    main()
