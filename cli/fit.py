"""``relax fit``: weighted least squares in a tensor basis, of a formula or of a CSV of data."""

from __future__ import annotations

import csv
import json
import math
import re
import time
from pathlib import Path

import click
import numpy as np

from solvers import lsq

from .errors import InputError
from .expression import ExpressionError, compile_expression

BASES = ("legendre", "hermite", "chebyshev", "fourier")
_VARIABLE = re.compile(r"\bx(\d+)\b")
_FUNCTION_ONLY = ("sampler", "n", "seed", "reference")
_DATA_ONLY = ("weights",)


def formula_dim(text: str) -> int:
    """The dimension a formula implies: its largest variable index + 1 (1 with no variable).

    Examples
    --------
    >>> formula_dim("exp(-x0**2) * cos(3*x1)"), formula_dim("x3 + 1"), formula_dim("pi")
    (2, 4, 1)
    """
    return max((int(k) + 1 for k in _VARIABLE.findall(text)), default=1)


def read_csv(path):
    """Points X (n, d), values y (n,) and whether a header was skipped, from a CSV whose
    columns are x0 .. x{d-1} then y. A first line that is not all numbers is a header; blank
    lines are skipped. Raises :class:`InputError` naming the line of the first problem.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = os.path.join(tmp, "d.csv")
    ...     _ = open(p, "w").write("x0,x1,y\\n0.5,1,2\\n-1,0,3\\n")
    ...     X, y, header = read_csv(p)
    >>> X.tolist(), y.tolist(), header
    ([[0.5, 1.0], [-1.0, 0.0]], [2.0, 3.0], True)
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"--data: no such file: {str(path)!r}")
    if not path.is_file():
        raise InputError(f"--data: not a file: {str(path)!r}")
    rows = []
    try:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            for row in reader:
                cells = [c.strip() for c in row]
                if any(cells):
                    rows.append((reader.line_num, cells))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"--data: cannot read {str(path)!r} as CSV: {exc}") from None
    header = bool(rows) and not all(_is_number(c) for c in rows[0][1])
    data = rows[1:] if header else rows
    if not data:
        raise InputError(f"--data: {str(path)!r} holds no data rows"
                         + (" (only a header)" if header else ""))
    first, ncols = rows[0][0], len(rows[0][1])
    if ncols < 2:
        raise InputError(f"--data: {str(path)!r} needs at least 2 columns (x0 .. x{{d-1}}, "
                         f"then y); line {first} has {ncols}")
    values = np.empty((len(data), ncols))
    for i, (line, cells) in enumerate(data):
        if len(cells) != ncols:
            raise InputError(f"--data: {str(path)!r} is ragged: line {line} has {len(cells)} "
                             f"columns, line {first} has {ncols}")
        for j, cell in enumerate(cells):
            if not _is_number(cell):
                raise InputError(f"--data: {str(path)!r} line {line}, column {j + 1}: "
                                 f"{cell!r} is not a number")
            values[i, j] = float(cell)
            if not math.isfinite(values[i, j]):
                raise InputError(f"--data: {str(path)!r} line {line}, column {j + 1}: "
                                 f"{cell!r} is not finite (NaN or infinity)")
    return values[:, :-1], values[:, -1].copy(), header


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _finite(f):
    """``f`` that raises a one-line :class:`InputError` where a value is NaN or infinite."""
    def checked(X):
        values = f(X)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            point = ", ".join(f"{v:.6g}" for v in X[i])
            raise InputError(f"--function: the formula is {values[i]} at x = ({point}) "
                             f"({int(bad.sum())} of {bad.size} points); it must be finite on "
                             f"the support of mu")
        return values

    return checked


def _float(value):
    """A JSON-safe float: None for NaN or infinity."""
    value = float(value)
    return value if math.isfinite(value) else None


def _check_mode(ctx, function, data):
    if (function is None) == (data is None):
        raise click.UsageError("give exactly one of --function (a formula) and --data "
                               "(a CSV file)")
    wrong, mode = (_DATA_ONLY, "--data") if function is not None else (_FUNCTION_ONLY,
                                                                       "--function")
    for name in wrong:
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
            param = next(p for p in ctx.command.params if p.name == name)
            option = "/".join(param.opts + param.secondary_opts)
            raise click.UsageError(f"{option} applies with {mode} only")


@click.command()
@click.option("--function", "function", metavar="FORMULA",
              help="f in x0 .. x{d-1}, e.g. 'exp(-x0**2)*cos(3*x1)'.")
@click.option("--data", type=click.Path(dir_okay=False), metavar="CSV",
              help="Columns x0 .. x{d-1}, then y; a header line is optional.")
@click.option("--basis", type=click.Choice(BASES), default="legendre", show_default=True,
              help="1-D family of every dimension (and so the measure mu).")
@click.option("--dim", type=click.IntRange(1), default=None,
              help="d (default: from the formula's variables, or the CSV's columns).")
@click.option("--degree", type=click.IntRange(0), required=True,
              help="Degree of the index set.")
@click.option("--index-set", type=click.Choice(lsq.INDEX_SETS), default="total",
              show_default=True)
@click.option("--sampler", type=click.Choice(lsq.METHODS), default="christoffel",
              show_default=True, help="How the n points are drawn (--function).")
@click.option("--n", "n", type=click.IntRange(1), default=None,
              help="Number of points (--function; default: m for the DPPs, the BOWLS size "
                   "for boosted, else 2 m log m).")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the sampler (--function).")
@click.option("--reference/--no-reference", default=True, show_default=True,
              help="Measure the L2(mu) errors of the fit and of the best approximation "
                   "(--function; costly for d >= 4).")
@click.option("--weights", type=click.Choice(["none", "christoffel"]), default="none",
              show_default=True,
              help="Weights of --data: 1 (points of mu), or m / k_m(x) (points of k_m/m dmu).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object, with the coefficients and multi-indices.")
def fit(function, data, basis, dim, degree, index_set, sampler, n, seed, reference, weights,
        as_json):
    """Fit a formula or data by weighted least squares in a tensor basis.

    The approximation lies in V_m, spanned by the m products phi_a(x) = prod_k phi_{a_k}(x_k)
    of a 1-D family orthonormal in L2(mu), a in the index set of the degree. mu is, per
    dimension: legendre, uniform on [-1, 1]; hermite, N(0, 1); chebyshev, arcsine on [-1, 1];
    fourier, uniform on [0, 1).

    With --function, the formula (numbers, x0 .. x{d-1}, pi, e, + - * / **, exp, log, sqrt,
    sin, cos, ...: parsed, never run as Python) is evaluated at n points drawn by --sampler,
    and the L2(mu) error of the fit is measured on a fine quadrature next to the error of the
    best approximation in V_m.

    With --data, the CSV's last column is y and the others are the points; the fit is plain
    least squares, or weighted by m / k_m(x) with --weights christoffel.

    \b
    Output
    ------
    m, n, the sampler; ||G - I||_2 for the weighted Gram matrix
    G = Phi^T W Phi / n, and the condition number of G (stability); the
    leave-one-out cross-validated error estimate (n/a when n = m: the fit
    interpolates); the time of sampling and fitting; then the L2(mu) error,
    the best-approximation error and their ratio (--function), or the residual
    RMS (--data). --json: one object with these, the coefficients and the
    multi-indices (a row of "indices" per coefficient).

    \b
    Examples
    --------
    relax fit --function 'exp(-x0**2)*cos(3*x1)' --dim 2 --degree 10 --sampler dpp
    relax fit --function '1/(1 + 25*x0**2)' --degree 20 --sampler volume --n 60 --json
    relax fit --data samples.csv --basis legendre --degree 5 --weights christoffel
    """
    ctx = click.get_current_context()
    _check_mode(ctx, function, data)
    if function is not None:
        d = formula_dim(function) if dim is None else dim
        try:
            f = _finite(compile_expression(function, d))
        except ExpressionError as exc:
            raise InputError(f"--function: {exc}") from None
        B = lsq.TensorBasis(basis, degree, dim=d, index_set=index_set)
        n = lsq.default_sample_size(B.m, sampler) if n is None else n
        start = time.perf_counter()
        result = lsq.fit(f, B, n, sampler=sampler, seed=seed)
        seconds = time.perf_counter() - start
        report = {"function": function}
    else:
        X, y, header = read_csv(data)
        d = X.shape[1]
        if dim is not None and dim != d:
            raise InputError(f"--dim {dim} does not match {data!r}: its {d + 1} columns give "
                             f"d = {d} (x0 .. x{d - 1}, then y)")
        B = lsq.TensorBasis(basis, degree, dim=d, index_set=index_set)
        start = time.perf_counter()
        result = lsq.fit_data(X, y, B, weights=None if weights == "none" else weights)
        seconds = time.perf_counter() - start
        report = {"data": str(data), "header": header, "weights": weights}
    report.update({"basis": basis, "dim": d, "degree": degree, "index_set": index_set,
                   "m": B.m, "n": result.n, "sampler": result.sampler})
    if function is not None:
        report["seed"] = seed
    report.update({"gram_deviation": result.gram_deviation, "condition": result.condition,
                   "cv_error": _float(result.cv_error), "seconds": round(seconds, 6)})
    if function is not None:
        report.update(error=None, best_error=None, ratio=None)
        if reference:
            rule = lsq.reference_rule(B)
            error = lsq.l2_error(f, result, rule)
            best = lsq.best_approximation(f, B, rule).error
            report.update(error=error, best_error=best,
                          ratio=_float(error / best) if best > 0 else None,
                          reference=rule.kind, reference_nodes=int(rule.weights.size))
    else:
        residual = y - np.asarray(result(X))
        report["residual_rms"] = float(np.sqrt(np.mean(residual ** 2)))
    if as_json:
        report["coefficients"] = [float(c) for c in result.coefficients]
        report["indices"] = B.indices.tolist()
        click.echo(json.dumps(report))
        return
    for label, value in _lines(report):
        click.echo(f"{label:<28}{value}")


def _lines(r):
    """(label, text) pairs of the plain-text report."""
    if "function" in r:
        yield "function", r["function"]
    else:
        yield "data", (f"{r['data']} ({r['n']} rows"
                       + (", header skipped)" if r["header"] else ")"))
    yield "basis", f"{r['basis']}, {r['index_set']} degree {r['degree']}, dim {r['dim']}"
    yield "m", r["m"]
    yield "n", r["n"]
    if "function" in r:
        yield "sampler", f"{r['sampler']} (seed {r['seed']})"
    else:
        yield "weights", r["weights"]
    yield "Gram deviation ||G - I||_2", f"{r['gram_deviation']:.3g}"
    yield "condition number of G", f"{r['condition']:.3g}"
    cv = r["cv_error"]
    yield "cross-validated error", (f"{cv:.3e}" if cv is not None else
                                    "n/a (n = m: the fit interpolates)" if r["n"] == r["m"]
                                    else "n/a (a point has leverage 1)")
    yield "time", f"{r['seconds']:.3f} s"
    if "function" not in r:
        yield "residual RMS", f"{r['residual_rms']:.3e}"
    elif r["error"] is not None:
        yield "L2(mu) error", f"{r['error']:.3e}"
        yield "best approximation error", (f"{r['best_error']:.3e}  ({r['reference']} rule, "
                                           f"{r['reference_nodes']} nodes)")
        yield "ratio error / best", "n/a" if r["ratio"] is None else f"{r['ratio']:.3g}"
