"""``relax solve``: one linear system from files, by SOR, SSOR or (preconditioned) CG."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import numpy as np

from problems import load_system, read_matrix
from solvers import cg, sor, ssor

PRECONDITIONERS = ("none", "jacobi", "ssor", "amg")


def read_rhs(path, n: int) -> np.ndarray:
    """A right-hand side from ``.npy`` (a vector) or ``.mtx`` (a column), of length ``n``."""
    path = Path(path)
    if path.suffix == ".npy":
        if not path.exists():
            raise FileNotFoundError(f"no such file: {str(path)!r}")
        b = np.load(path, allow_pickle=False)
    elif path.suffix == ".mtx":
        b = read_matrix(path).toarray()
    else:
        raise ValueError(f"--rhs must be a .npy or .mtx file; got {str(path)!r}")
    b = np.asarray(b, dtype=np.float64).ravel()
    if b.size != n:
        raise ValueError(f"the right-hand side {str(path)!r} has {b.size} entries; "
                         f"the matrix has {n} rows")
    return b


def solve_system(A, b, x0, *, method, precond, omega, rtol, maxiter):
    """Solve with the named method; returns the :class:`~solvers.Result`."""
    if method == "cg":
        M = {"none": None, "jacobi": "jacobi", "amg": "amg"}.get(precond, ("ssor", omega))
        return cg(A, b, x0, rtol=rtol, maxiter=maxiter, M=M)
    if precond != "none":
        raise click.UsageError(f"--precond {precond} applies to --method cg only")
    solver = sor if method == "sor" else ssor
    return solver(A, b, x0, omega=omega, rtol=rtol,
                  **({} if maxiter is None else {"maxiter": maxiter}))


def report(res, A, b, *, method, precond, omega, seconds) -> dict:
    """The solve's outcome as a flat dict (what ``--json`` prints)."""
    norm_b = float(np.linalg.norm(b))
    return {
        "method": method,
        "precond": precond if method == "cg" else None,
        "omega": omega if (method != "cg" or precond == "ssor") else None,
        "n": int(A.shape[0]),
        "nnz": int(A.nnz),
        "iterations": int(res.iterations),
        "converged": bool(res.converged),
        "status": res.status,
        "residual_norm": float(res.residual_norm),
        "relative_residual": float(res.residual_norm) / norm_b if norm_b > 0 else 0.0,
        "seconds": seconds,
    }


@click.command()
@click.argument("matrix", type=click.Path(dir_okay=False))
@click.option("--rhs", type=click.Path(dir_okay=False),
              help="Right-hand side (.npy vector or .mtx column); default: from MATRIX's file "
                   "(see problems.load_system), else A @ ones.")
@click.option("--method", type=click.Choice(["sor", "ssor", "cg"]), default="cg",
              show_default=True)
@click.option("--precond", type=click.Choice(PRECONDITIONERS), default="none",
              show_default=True, help="Preconditioner of CG.")
@click.option("--omega", type=click.FloatRange(0.0, 2.0, min_open=True, max_open=True),
              default=1.0, show_default=True, help="Relaxation of SOR, SSOR or the SSOR "
              "preconditioner.")
@click.option("--rtol", type=click.FloatRange(0.0, min_open=True), default=1e-8,
              show_default=True)
@click.option("--maxiter", type=click.IntRange(min=1), default=None,
              help="Most iterations (solver default if omitted).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the solution to this .npy file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def solve(matrix, rhs, method, precond, omega, rtol, maxiter, output, as_json):
    """Solve one system A x = b read from MATRIX (.mtx or .npz).

    Prints iterations, residual, status and time; exits with status 1 if the solve did not
    converge.
    """
    if output is not None and not output.endswith(".npy"):
        raise click.UsageError(f"-o must name a .npy file; got {output!r}")
    system = load_system(matrix)
    b = system.b if rhs is None else read_rhs(rhs, system.A.shape[0])
    start = time.perf_counter()
    res = solve_system(system.A, b, system.x0, method=method, precond=precond, omega=omega,
                       rtol=rtol, maxiter=maxiter)
    seconds = time.perf_counter() - start
    out = report(res, system.A, b, method=method, precond=precond, omega=omega,
                 seconds=seconds)
    if output is not None:
        np.save(output, res.x)
    if as_json:
        click.echo(json.dumps(out))
    else:
        for key, value in out.items():
            if value is not None:
                click.echo(f"{key:<18}{value}")
    if not res.converged:
        click.echo(f"relax: error: {method} did not converge ({res.status}) after "
                   f"{res.iterations} iterations", err=True)
        raise SystemExit(1)
