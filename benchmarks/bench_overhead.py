"""What a prepared `solvers.Solver` costs beyond its kernels, and AMG-PCG with reuse.

    python benchmarks/bench_overhead.py [--quick] [--rounds 15] [--steps 300]

1. Fixed cost of one ``solver.cg`` call (after ``update``) with ``maxiter=1``, so that the
   iterations are negligible, on 2-D Poisson 24x24, 99x99 and 1000x1000, for M None and
   ("ssor", 1.5). Columns: (a) ``solver.cg(b, x0, maxiter=1, M=...)``; (b) the compiled
   kernel the solve runs (``pcg``, ``pcg_parallel`` from 50000 rows, or ``ssor_pcg``) with
   the same ``maxiter`` on preallocated arrays, ``x`` reset from ``x0`` by ``load_vector``
   as the solve resets it; (c) the rest of the O(n) vector work a solve cannot avoid:
   ``load_vector(b, buf)`` (copy and norm of b) and ``x.copy()`` (the solution handed out).
   (b) + (c) is the kernel plus "b and x0 copied in, x copied out": x0's copy is in (b),
   so that it is not counted twice. (a)-(b)-(c) is the fixed cost beyond that work (the
   median of the per-round differences) [target: at most 10 microseconds]. (d) runs (b)
   and (c) in one function, the kernel reading the copy of b as the solve does, so that
   (a)-(d) compares equal memory traffic (at n = 9801 the working set nears the L2 cache,
   and separately timed pieces run warmer than the solve). The one-shot
   ``solvers.cg(A, b, x0, maxiter=1, M=...)`` (a fresh preparation per call) is shown beside.
2. ``solver.update(A_next)`` with the same pattern, ``A_next`` a fresh
   ``csr_matrix((data, A.indices, A.indptr))`` each call as the heat equation builds them,
   against ``Solver(A_next)``; and, per step of a sequence, ``update + cg(maxiter=1, SSOR)``
   against ``cg(maxiter=1, SSOR)`` on unchanged values (the difference includes what the
   first solve after an update recomputes: diagonal, its check, the SSOR scalings).
3. Time per iteration of SSOR-PCG (Eisenstat's trick) and plain CG on 99x99 and 1000x1000:
   ``(t(maxiter=k) - t(maxiter=1)) / (k - 1)`` at tolerance 0, beside one SpMV and one
   streaming pass over a vector (``np.add(x, y, out=z)``) that explain their ratio.
4. AMG-PCG on the heat-equation sequence (nx = 25 and 100, warm-started from the previous
   step's solution, rtol 1e-8): relax ``Solver(A, amg_rebuild=...)`` with "never",
   ("growth", 1.5), "auto" and "always" (``update`` + ``cg(M="amg")`` per step) against SciPy's
   ``cg`` with one PyAMG smoothed-aggregation hierarchy built on the first matrix and reused,
   and SciPy + PyAMG rebuilt at every step. The methods run in lockstep, one step each in
   turn (the order rotating), so machine noise hits them alike; each method's first build
   is inside its first step's time.

Sections 1-3 interleave the contenders in rounds: per round, a batch of N calls of each (N
chosen so that a batch takes about 30 ms; the order rotating from round to round), and
report medians over the rounds of the time per call. ``--quick`` skips n = 1e6 and runs
fewer rounds and steps. Writes nothing.
"""

from __future__ import annotations

import argparse
import inspect
import os
from time import perf_counter

import numpy as np
import pyamg
import scipy
import scipy.sparse as sp
from _common import machine, print_table
from scipy.sparse.linalg import cg as scipy_cg

import solvers
from problems import HeatEquation, poisson
from solvers import Solver
from solvers._kernels import KRYLOV_PARALLEL_MIN_ROWS as PARALLEL_MIN_ROWS
from solvers._kernels import load_vector
from solvers.krylov import _kernels
from solvers.krylov.cg import DIVERGENCE_FACTOR

OMEGA = 1.5
SSOR = ("ssor", OMEGA)
TARGET_US = 10.0


def per_call(functions, rounds, target=0.03, prepare=None):
    """Seconds per call of each function, one sample per round: ``{name: array}``.

    Per round, each function runs a batch of N calls (N fixed per function, chosen so that
    a batch takes about ``target`` seconds), the functions one after the other, starting
    one further each round (so that none always follows the same one).
    ``prepare[name](count)``, if given, readies the next ``count`` calls, untimed.
    """
    prepare = prepare or {}
    counts = {}
    for name, f in functions.items():                    # warm-up and calibration
        ready = prepare.get(name, lambda count: None)
        ready(1)
        f()
        elapsed, calls = 0.0, 0
        while elapsed < target / 3 and calls < 20_000:
            ready(1)
            start = perf_counter()
            f()
            elapsed += perf_counter() - start
            calls += 1
        counts[name] = max(1, round(target * calls / elapsed))
    samples = {name: np.empty(rounds) for name in functions}
    names = list(functions)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            f, count = functions[name], counts[name]
            prepare.get(name, lambda count: None)(count)
            start = perf_counter()
            for _ in range(count):
                f()
            samples[name][r] = (perf_counter() - start) / count
    return samples


def med(samples) -> float:
    return float(np.median(samples))


def us(seconds: float) -> str:
    return f"{1e6 * seconds:.1f}"


def scaled(A, s: float) -> sp.csr_matrix:
    """A fresh matrix with ``A``'s pattern arrays and values ``s A``, as the heat equation
    builds each step's matrix."""
    return sp.csr_matrix((s * A.data, A.indices, A.indptr), shape=A.shape)


def bare_kernel(solver: Solver, M, b, x0, tol):
    """``(run, x)``: ``run()`` makes one call of the compiled kernel ``solver.cg`` runs, on
    preallocated arrays, ``x`` reset from ``x0`` first (by ``load_vector``, as the solve
    does)."""
    csr = solver.csr
    n = csr.n
    arrays = (csr.indptr, csr.indices, csr.data)
    x = np.empty(n)
    residuals = np.empty(3)
    state = np.zeros(4)
    bnorm = float(np.linalg.norm(b))
    if M is None:
        kernel = _kernels.pcg_parallel if n >= PARALLEL_MIN_ROWS else _kernels.pcg
        r, p, q = np.empty(n), np.empty(n), np.empty(n)

        def run():
            load_vector(x0, x)
            return kernel(*arrays, None, b, x, r, p, q, tol, DIVERGENCE_FACTOR, bnorm, 1,
                          residuals, 0, state)
    else:
        # Arguments by parameter name, so that the call follows the kernel's signature.
        d = csr.diagonal
        values = {"indptr": csr.indptr, "indices": csr.indices, "data": csr.data,
                  "diag_pos": csr.diagonal_positions, "dinv": OMEGA / d, "dw": d / OMEGA,
                  "kdiag": (1.0 - 2.0 / OMEGA) * d, "b": b, "x": x, "tol": tol, "maxiter": 1,
                  "divtol": DIVERGENCE_FACTOR, "bnorm": bnorm,
                  "residuals": residuals, "color_ptr": np.array([0, n], dtype=np.int64),
                  "start": 0, "state": state,
                  **{name: np.empty(n) for name in ("rbar", "p", "t", "w", "work")}}
        args = tuple(values[name]
                     for name in inspect.signature(_kernels.ssor_pcg.py_func).parameters)

        def run():
            load_vector(x0, x)
            return _kernels.ssor_pcg(*args)
    return run, x


def fixed_cost_row(m, M, rounds, rng):
    """A row of table 1: Poisson m x m, preconditioner M."""
    A0 = poisson((m, m))
    n = A0.shape[0]
    b, x0 = rng.standard_normal(n), rng.standard_normal(n)
    A = scaled(A0, 1.001)
    solver = Solver(A0)
    assert solver.update(A)
    tol = 1e-8 * float(np.linalg.norm(b))
    kernel = bare_kernel(solver, M, b, x0, tol)[0]
    res, ref = solver.cg(b, x0, maxiter=1, M=M), solver.cg(b, x0, maxiter=1, M=M)
    assert res.iterations == 1 and np.array_equal(res.x, ref.x)
    bb, xx = np.empty(n), np.empty(n)
    inline_kernel, xd = bare_kernel(solver, M, bb, x0, tol)

    def vector_work():
        load_vector(b, bb)
        return xx.copy()

    def inline():
        load_vector(b, bb)
        inline_kernel()
        return xd.copy()

    t = per_call({
        "a": lambda: solver.cg(b, x0, maxiter=1, M=M),
        "b": kernel,
        "c": vector_work,
        "d": inline,
        "one-shot": lambda: solvers.cg(A, b, x0, maxiter=1, M=M),
    }, rounds)
    assert np.array_equal(xd, res.x)
    fixed = med(t["a"] - t["b"] - t["c"])
    return (n, "None" if M is None else f"ssor {OMEGA}", us(med(t["a"])), us(med(t["b"])),
            us(med(t["a"] - t["b"])), us(med(t["c"])), us(fixed),
            "yes" if 1e6 * fixed <= TARGET_US else "NO", us(med(t["d"])),
            us(med(t["a"] - t["d"])), us(med(t["one-shot"])))


def fixed_cost(grids, rounds):
    print("\n1. Fixed cost of one solver.cg call after update, maxiter=1 (microseconds per "
          "call, medians)")
    rng = np.random.default_rng(0)
    rows = [fixed_cost_row(m, M, rounds, rng) for m in grids for M in (None, SSOR)]
    print_table(rows, ("n", "M", "(a) solver.cg", "(b) kernel", "(a)-(b)", "(c) vectors",
                       "(a)-(b)-(c)", f"<= {TARGET_US:g} us", "(d) inline", "(a)-(d)",
                       "solvers.cg one-shot"))
    print("(b): kernel incl. x reset from x0 (load_vector); (c): load_vector(b) + x.copy(); "
          "(d): (b) and (c) in one\nfunction, the kernel reading the copy of b (the solve's "
          "memory traffic); differences: medians of\nper-round differences. Python's "
          "fixed cost does not grow with n: read it at n=576; at larger n the\ndifferences "
          "also hold cache and allocation effects and the noise of O(n) work.")


def update_row(m, rounds, rng):
    """A row of table 2: Poisson m x m."""
    A = poisson((m, m))
    n = A.shape[0]
    b, x0 = rng.standard_normal(n), rng.standard_normal(n)
    # Two value arrays in turn, each matrix object fresh (its canonical-format flag not yet
    # computed), as a simulation hands over a new matrix per step.
    datas = (1.001 * A.data, 0.999 * A.data)
    queues = {}

    def fresh(name, count):
        queues[name] = iter([sp.csr_matrix((datas[i % 2], A.indices, A.indptr),
                                           shape=A.shape) for i in range(count)])

    updated, stepped, steady = Solver(A), Solver(A), Solver(A)
    steady.cg(b, x0, maxiter=1, M=SSOR)

    def do_update():
        assert updated.update(next(queues["update"]))

    def do_fresh():
        return Solver(next(queues["Solver"]))

    def do_step():
        stepped.update(next(queues["update+cg"]))
        return stepped.cg(b, x0, maxiter=1, M=SSOR)

    def do_fresh_step():
        return Solver(next(queues["Solver+cg"])).cg(b, x0, maxiter=1, M=SSOR)

    names = ("update", "Solver", "update+cg", "Solver+cg")
    prepare = {name: (lambda count, name=name: fresh(name, count)) for name in names}
    t = per_call({"update": do_update, "Solver": do_fresh, "update+cg": do_step,
                  "Solver+cg": do_fresh_step,
                  "cg": lambda: steady.cg(b, x0, maxiter=1, M=SSOR)},
                 rounds, prepare=prepare)
    return (n, us(med(t["update"])), us(med(t["Solver"])),
            f"{med(t['Solver']) / med(t['update']):.1f}x", us(med(t["cg"])),
            us(med(t["update+cg"])), us(med(t["update+cg"] - t["cg"])),
            us(med(t["Solver+cg"])))


def update_cost(grids, rounds):
    print("\n2. Same-pattern update against a fresh preparation (microseconds per call, "
          "medians)")
    rng = np.random.default_rng(1)
    rows = [update_row(m, rounds, rng) for m in grids]
    print_table(rows, ("n", "update", "Solver(A_next)", "ratio", "cg SSOR", "update+cg SSOR",
                       "per-step extra", "Solver+cg SSOR"))
    print("cg SSOR: cg(b, x0, maxiter=1, M=('ssor', 1.5)) on unchanged values; per-step extra: "
          "(update+cg) - cg, median of per-round differences")


def by_name(kernel, values):
    """The arguments of a compiled kernel taken from ``values`` by parameter name."""
    return tuple(values[name] for name in inspect.signature(kernel.py_func).parameters)


def per_iteration_row(m, rounds, rng):
    """A row of table 3 and the line explaining it: Poisson m x m."""
    A = poisson((m, m))
    n = A.shape[0]
    k = 200 if n < 100_000 else 50
    b = rng.standard_normal(n)
    solver = Solver(A)
    for M in (None, SSOR):
        for its in (1, k):
            got = solver.cg(b, maxiter=its, rtol=0.0, M=M).iterations
            assert got == its, (M, its, got)
    csr = solver.csr
    x, y, z = rng.standard_normal(n), np.empty(n), np.empty(n)
    spmvs = {"spmv": _kernels.spmv}
    if n >= PARALLEL_MIN_ROWS:
        spmvs["spmv_parallel"] = _kernels.spmv_parallel
    sweep = by_name(_kernels.lower_solve, {
        "indptr": csr.indptr, "indices": csr.indices, "data": csr.data,
        "diag_pos": csr.diagonal_positions, "dinv": OMEGA / csr.diagonal, "r": x, "y": y,
        "color_ptr": np.array([0, n], dtype=np.int64)})
    functions = {
        ("cg", 1): lambda: solver.cg(b, maxiter=1, rtol=0.0),
        ("cg", k): lambda: solver.cg(b, maxiter=k, rtol=0.0),
        ("ssor", 1): lambda: solver.cg(b, maxiter=1, rtol=0.0, M=SSOR),
        ("ssor", k): lambda: solver.cg(b, maxiter=k, rtol=0.0, M=SSOR),
        "add": lambda: np.add(x, z, out=y),
        "sweep": lambda: _kernels.lower_solve(*sweep),
        **{name: (lambda f=f: f(csr.indptr, csr.indices, csr.data, x, y))
           for name, f in spmvs.items()},
    }
    t = per_call(functions, rounds)
    it_cg = med((t[("cg", k)] - t[("cg", 1)]) / (k - 1))
    it_ssor = med((t[("ssor", k)] - t[("ssor", 1)]) / (k - 1))
    spmv = {name: med(t[name]) for name in spmvs}
    stream, sweep = med(t["add"]), med(t["sweep"])
    parallel = n >= PARALLEL_MIN_ROWS
    cg_spmv = spmv["spmv_parallel" if parallel else "spmv"]
    row = (n, k, us(it_cg), us(it_ssor), f"{it_ssor / it_cg:.2f}",
           " / ".join(us(v) for v in spmv.values()), us(sweep), us(stream))
    line = (f"  n={n}: plain CG ({'pcg_parallel' if parallel else 'pcg'}) = "
            f"{it_cg / cg_spmv:.2f} {'parallel ' if parallel else ''}SpMV = 1 SpMV + "
            f"{(it_cg - cg_spmv) / stream:.1f} vector passes;\n"
            f"  SSOR-PCG (ssor_pcg, one core) = {it_ssor / spmv['spmv']:.2f} serial SpMV "
            f"= 2 sweeps ({2 * sweep / spmv['spmv']:.2f} SpMV) + "
            f"{(it_ssor - 2 * sweep) / stream:.1f} vector passes")
    return row, line


def per_iteration(grids, rounds):
    print("\n3. Time per iteration, SSOR-PCG (omega 1.5, Eisenstat's trick) against plain CG, "
          "tolerance 0")
    rng = np.random.default_rng(2)
    rows, lines = zip(*(per_iteration_row(m, rounds, rng) for m in grids), strict=True)
    print_table(list(rows), ("n", "k", "CG us/it", "SSOR-PCG us/it", "ratio",
                             "SpMV us (serial / parallel)", "sweep us", "np.add us"))
    print("per iteration: (t(maxiter=k) - t(maxiter=1)) / (k - 1), medians over rounds; "
          "sweep: one triangular\nsolve (D/w + L) y = r (lower_solve, lexicographic); a "
          "vector pass: np.add(x, z, out=y) (3 vectors, one core)")
    print("\n".join(lines))
    print("  Eisenstat: an SSOR-PCG iteration makes a backward and a forward triangular "
          "sweep (upper + lower\n  triangle: about one SpMV of matrix traffic, plus the "
          "diagonal positions and scalings) and a fused\n  update of x and rbar; each "
          "sweep carries a dependency from row to row (y[i] needs y[i-1]), and runs\n"
          "  on one core, where an SpMV's rows are independent.")


def relax_method(A0, rule):
    solver = Solver(A0, amg_rebuild=rule)

    def solve(inst):
        solver.update(inst.A)
        res = solver.cg(inst.b, inst.x0, rtol=1e-8, M="amg")
        return res.x, res.iterations, res.converged

    solve.solver = solver
    return solve


def sa_solver(A):
    """PyAMG smoothed aggregation, its random start vectors seeded for reproducibility."""
    saved = np.random.get_state()  # noqa: NPY002 (PyAMG draws from the global generator)
    try:
        np.random.seed(0)  # noqa: NPY002
        return pyamg.smoothed_aggregation_solver(A)
    finally:
        np.random.set_state(saved)  # noqa: NPY002


def scipy_method(rebuild):
    kept = {}

    def solve(inst):
        if rebuild or "M" not in kept:
            kept["M"] = sa_solver(inst.A).aspreconditioner()
            kept["builds"] = kept.get("builds", 0) + 1
        count = [0]

        def callback(xk):
            count[0] += 1

        x, info = scipy_cg(inst.A, inst.b, x0=inst.x0, rtol=1e-8, M=kept["M"],
                           callback=callback)
        return x, count[0], info == 0

    solve.kept = kept
    return solve


def amg_heat(sizes, steps):
    print(f"\n4. AMG-PCG on the heat-equation sequence, {steps} steps, rtol 1e-8, warm start "
          f"(x0 = previous step's solution)")
    print(f"  stopping rules: relax: ||b - A x||_2 <= rtol ||b||_2, tested on the recursive "
          f"residual and confirmed\n  on the true residual before it stops. SciPy "
          f"{scipy.__version__} cg: ||r_k||_2 < max(rtol ||b||_2, atol) on the recursively\n"
          f"  updated, unpreconditioned residual r_k, checked at the top of each iteration; "
          f"the true residual\n  is never computed. PyAMG {pyamg.__version__}: one V-cycle of "
          f"smoothed aggregation per application (relax's\n  M=\"amg\" is the same operator). "
          f"SciPy's iterations are counted by a callback.")
    for nx in sizes:
        sim = HeatEquation(nx, t_end=steps * 1e-3)
        first = sim.system()
        methods = {
            "relax never": relax_method(first.A, "never"),
            "relax growth 1.5": relax_method(first.A, ("growth", 1.5)),
            "relax auto": relax_method(first.A, "auto"),
            "relax always": relax_method(first.A, "always"),
            "SciPy + PyAMG reused": scipy_method(rebuild=False),
            "SciPy + PyAMG rebuilt": scipy_method(rebuild=True),
        }
        for warm in (relax_method(first.A, "always"), scipy_method(rebuild=True)):
            warm(first)                                  # compile, import, fill caches
        names = list(methods)
        times = {name: [] for name in names}
        iters = {name: [] for name in names}
        worst = dict.fromkeys(names, 0.0)
        for step, inst in enumerate(sim):
            bound = 1e-8 * float(np.linalg.norm(inst.b))
            results = {}
            for j in range(len(names)):
                name = names[(step + j) % len(names)]
                start = perf_counter()
                results[name] = methods[name](inst)
                times[name].append(perf_counter() - start)
            for name, (x, k, ok) in results.items():
                true = float(np.linalg.norm(inst.b - inst.A @ x))
                assert ok, f"{name} did not converge at step {step}"
                if name.startswith("relax"):
                    assert true <= bound * (1 + 1e-6), (name, step, true / bound)
                iters[name].append(k)
                worst[name] = max(worst[name], true / bound)
            sim.advance(results["relax never"][0])
        ref = np.array(times["SciPy + PyAMG reused"])
        rows = []
        for name in names:
            t = np.array(times[name])
            builds = (methods[name].solver.amg_builds if name.startswith("relax")
                      else methods[name].kept["builds"])
            rows.append((name, f"{np.mean(iters[name]):.2f}", builds,
                         f"{1e3 * np.median(t):.3f}", f"{1e3 * np.mean(t):.3f}",
                         f"{np.median(t) / np.median(ref):.2f}",
                         f"{np.median(t / ref):.2f}", f"{np.mean(t) / np.mean(ref):.2f}",
                         f"{worst[name]:.3f}"))
        print(f"\n  nx={nx} (n={sim.n}):")
        print_table(rows, ("  method", "its/step", "AMG builds", "median ms/step",
                           "mean ms/step", "vs SciPy reused", "paired", "total",
                           "max ||r||/(rtol||b||)"))
    print("  vs SciPy reused: ratio of the medians; paired: median over the steps of the "
          "step's time over SciPy\n  reused's; total: ratio of the means (the whole "
          "sequence, rebuild steps included). relax times\n  include update(A) per step.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: no n = 1e6, fewer rounds and steps")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of interleaved batches (default 15, 5 with --quick)")
    parser.add_argument("--steps", type=int, default=None,
                        help="heat-equation steps (default 300, 30 with --quick)")
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 15)
    steps = args.steps or (30 if args.quick else 300)
    grids = (24, 99) if args.quick else (24, 99, 1000)

    print(f"machine: {machine()}")
    print("load average at start: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    started = perf_counter()
    for section in (lambda: fixed_cost(grids, rounds), lambda: update_cost(grids, rounds),
                    lambda: per_iteration(grids[1:], rounds), lambda: amg_heat((25, 100), steps)):
        section()
        print(f"({perf_counter() - started:.0f} s; 1-minute load average "
              f"{os.getloadavg()[0]:.2f}, this run included)")
    print(f"\ntotal {perf_counter() - started:.0f} s; load average at end: "
          + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
