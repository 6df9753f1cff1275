"""``relax solve``: one linear system from files, by SOR, SSOR, (preconditioned) CG, or the
configuration :meth:`solvers.Solver.solve` picks for it (``--method auto``)."""

from __future__ import annotations

import json
import time
import warnings
import zipfile
from pathlib import Path

import click
import numpy as np
from click.core import ParameterSource

from problems import load_system, read_matrix
from solvers import Solver, describe

from .errors import InputError
from .options import FiniteFloatRange
from .outputs import check_output_file, output_file_option

PRECONDITIONERS = ("none", "jacobi", "ssor", "amg")
METHODS = ("sor", "ssor", "cg", "auto")
AMG_REBUILD = 1
"""The AMG rebuild interval of ``--precond amg``: a new hierarchy for every new matrix."""
_KINDS = {"c": "complex numbers", "U": "text", "S": "bytes", "O": "Python objects",
          "M": "dates", "m": "time spans"}


def read_rhs(path, n: int) -> np.ndarray:
    """A right-hand side from ``.npy`` (a vector) or ``.mtx`` (a column), of length ``n``,
    real and finite; :class:`~cli.errors.InputError` saying what is wrong otherwise."""
    path = Path(path)
    if path.suffix == ".npy":
        if not path.exists():
            raise FileNotFoundError(f"no such file: {str(path)!r}")
        try:
            b = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            raise InputError(f"--rhs: {str(path)!r} is not a .npy file of numbers") from None
    elif path.suffix == ".mtx":
        b = read_matrix(path).toarray()
    else:
        raise InputError(f"--rhs must be a .npy or .mtx file; got {str(path)!r}")
    b = np.asarray(b)
    if b.dtype.kind not in "biuf":
        raise InputError(f"--rhs: {str(path)!r} holds "
                         f"{_KINDS.get(b.dtype.kind, b.dtype.name + ' values')}, not real "
                         f"numbers")
    if b.ndim > 1 and sum(k > 1 for k in b.shape) > 1:
        raise InputError(f"--rhs: {str(path)!r} is not a vector: it has shape "
                         f"{' x '.join(map(str, b.shape))}")
    b = b.astype(np.float64).ravel()
    if b.size != n:
        raise InputError(f"the right-hand side {str(path)!r} has {b.size} entries; "
                         f"the matrix has {n} rows")
    bad = int(np.count_nonzero(~np.isfinite(b)))
    if bad:
        raise InputError(f"--rhs: {str(path)!r} has {bad} NaN or infinite entries")
    return b


def _matrix(ctx, param, value):
    """MATRIX: a .mtx or .npz file name (a .npz must be a zip archive, as NumPy writes)."""
    path = Path(value)
    if path.suffix.lower() not in (".mtx", ".npz"):
        raise click.BadParameter(f"must be a .mtx or .npz file; got {value!r}")
    if path.suffix.lower() == ".npz" and path.is_file() and not zipfile.is_zipfile(path):
        raise click.BadParameter(f"{value!r} is not a .npz file (a zip archive of arrays)")
    return value


def _deprecated_output(ctx, param, value):
    """--output, the old name of -o/--out: checked alike (the command warns)."""
    return None if value is None else str(check_output_file(value, (".npy",), "--output"))


def check_method(method, precond) -> None:
    """A preconditioner is for CG only."""
    if method != "cg" and precond != "none":
        raise click.UsageError(f"--precond {precond} applies to --method cg only")


def configuration(method, precond, omega) -> dict | None:
    """The configuration (see :mod:`solvers.methods`) that ``--method``, ``--precond`` and
    omega name; None for SSOR iterations, which are not one of the catalog's.

    Examples
    --------
    >>> configuration("cg", "ssor", 1.6), configuration("cg", "none", None)
    ({'method': 'ssor', 'omega': 1.6}, {'method': 'cg'})
    >>> configuration("ssor", "none", 1.2) is None
    True
    """
    if method == "sor":
        return {"method": "sor", "omega": omega}
    if method == "ssor":
        return None
    fixed = {"none": {"method": "cg"}, "jacobi": {"method": "jacobi"},
             "amg": {"method": "amg", "rebuild": AMG_REBUILD}}
    return fixed.get(precond, {"method": "ssor", "omega": omega})


def config_label(method, precond, omega) -> str:
    """The label of that configuration, as :func:`solvers.describe` writes it
    (``ssor(omega=W)`` for SSOR iterations).

    Examples
    --------
    >>> config_label("cg", "jacobi", None), config_label("ssor", "none", 1.2)
    ('cg+jacobi', 'ssor(omega=1.2)')
    """
    config = configuration(method, precond, omega)
    return f"ssor(omega={omega:g})" if config is None else describe(config)


def solve_system(A, b, x0, *, method, precond, omega, rtol, maxiter, solver=None):
    """Solve with the named method; returns the :class:`~solvers.Result`. ``solver`` is a
    :class:`~solvers.Solver` already prepared for ``A`` (a one-shot one by default).
    ``method="auto"`` solves with the solver's default configuration for ``A``
    (:func:`solvers.methods.default_config`); its label is ``info["config"]``."""
    check_method(method, precond)
    solver = Solver(A, copy=False) if solver is None else solver
    if method == "auto":
        return solver.solve(b, x0, rtol=rtol, maxiter=maxiter)
    limit = {} if maxiter is None else {"maxiter": maxiter}
    if method == "cg":
        M = {"none": None, "jacobi": "jacobi", "amg": "amg"}.get(precond, ("ssor", omega))
        return solver.cg(b, x0, rtol=rtol, M=M, **limit)
    return getattr(solver, method)(b, x0, omega=omega, rtol=rtol, **limit)


def report(res, A, b, *, method, precond, omega, seconds) -> dict:
    """The solve's outcome as a flat dict (what ``--json`` prints); ``config`` names the
    configuration that solved it (the one picked, for ``--method auto``)."""
    norm_b = float(np.linalg.norm(b))
    auto = method == "auto"
    return {
        "method": method,
        "precond": precond if method == "cg" else None,
        "omega": omega if not auto and (method != "cg" or precond == "ssor") else None,
        "config": res.info["config"] if auto else config_label(method, precond, omega),
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
@click.argument("matrix", type=click.Path(dir_okay=False), callback=_matrix)
@click.option("--rhs", type=click.Path(dir_okay=False),
              help="Right-hand side b: a .npy vector or a .mtx column.  [default: the b "
                   "stored in MATRIX's .npz file, else A @ ones]")
@click.option("--method", type=click.Choice(METHODS), default="cg",
              show_default=True,
              help="sor: successive over-relaxation; ssor: its symmetric form (a forward "
                   "then a backward sweep); cg: conjugate gradients (A symmetric positive "
                   "definite); auto: a sensible configuration for A (a direct solve for a "
                   "small system, SSOR-PCG or AMG-PCG for a larger SPD one, SOR otherwise), "
                   "reported as 'config'.")
@click.option("--precond", type=click.Choice(PRECONDITIONERS), default="none",
              show_default=True,
              help="Preconditioner of CG: none; jacobi (the diagonal); ssor (one SSOR sweep "
                   "pair, relaxation --omega); amg (algebraic multigrid).")
@click.option("--omega", type=FiniteFloatRange(0.0, 2.0, min_open=True, max_open=True),
              default=1.0, show_default=True,
              help="Relaxation factor of SOR, SSOR or the SSOR preconditioner, in (0, 2).")
@click.option("--rtol", type=FiniteFloatRange(0.0, min_open=True), default=1e-8,
              show_default=True,
              help="Stop when the residual norm ||b - A x|| is at most rtol ||b||; > 0.")
@click.option("--maxiter", type=click.IntRange(min=1), default=None,
              help="Most iterations, >= 1.  [default: 10000 for SOR and SSOR, 10 n for CG, "
                   "n the number of unknowns]")
@output_file_option((".npy",), "Write the solution x to this .npy file (checked before "
                    "solving).")
@click.option("--output", "output", type=click.Path(dir_okay=False), hidden=True,
              callback=_deprecated_output, help="Deprecated name of -o/--out.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def solve(matrix, rhs, method, precond, omega, rtol, maxiter, out, output, as_json):
    """Solve one system A x = b read from MATRIX (.mtx or .npz).

    Prints iterations, residual, status and time (in seconds); exits with status 1 if the
    solve did not converge.
    """
    check_method(method, precond)
    if method == "auto" and _given("omega"):
        raise click.UsageError("--omega does not apply to --method auto (it picks the "
                               "configuration, omega included)")
    if output is not None:
        if out is not None:
            raise click.UsageError("give -o/--out only (--output is its deprecated old name)")
        warnings.warn("--output is deprecated; use -o/--out", FutureWarning, stacklevel=1)
    path = out if out is not None else output
    system = load_system(matrix)
    b = system.b if rhs is None else read_rhs(rhs, system.A.shape[0])
    start = time.perf_counter()
    res = solve_system(system.A, b, system.x0, method=method, precond=precond, omega=omega,
                       rtol=rtol, maxiter=maxiter)
    seconds = time.perf_counter() - start
    summary = report(res, system.A, b, method=method, precond=precond, omega=omega,
                     seconds=seconds)
    if path is not None:
        np.save(path, res.x)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        for key, value in summary.items():
            if value is not None:
                click.echo(f"{key:<18}{value}")
    if not res.converged:
        click.echo(f"relax: error: {summary['config']} did not converge ({res.status}) after "
                   f"{res.iterations} iterations", err=True)
        raise SystemExit(1)


def _given(name: str) -> bool:
    """Whether option ``name`` of the running command was given (not its default)."""
    source = click.get_current_context().get_parameter_source(name)
    return source is not None and source is not ParameterSource.DEFAULT
