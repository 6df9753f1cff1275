"""``relax fit``: weighted least squares in a tensor basis, of a formula or of a CSV of data."""

from __future__ import annotations

import csv
import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from solvers import lsq

from . import console
from .errors import InputError
from .expression import ExpressionError, compile_expression
from .limits import check_memory, human_bytes

BASES = ("legendre", "hermite", "chebyshev", "fourier")
MEASURES = {"legendre": "uniform on [-1, 1]", "hermite": "normal N(0, 1) on the real line",
            "chebyshev": "arcsine density 1 / (pi sqrt(1 - x^2)) on [-1, 1]",
            "fourier": "uniform on [0, 1), for sines and cosines"}
"""The measure mu of each family: where the points are drawn and errors measured."""
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


WORK_LIMIT = 1e11
"""Most floating-point operations one fit may plan: tens of seconds on a laptop."""

COUNT_CAP = 1_000_000
"""Basis sizes are counted exactly up to here. A larger basis is refused on any machine: its
n >= m points make at least ``2 m^3`` operations, far above :data:`WORK_LIMIT`."""


def basis_size(index_set: str, dim: int, degree: int, cap: int = COUNT_CAP) -> int | None:
    """m, the size of the index set, counted without listing it; None when it exceeds ``cap``.

    Examples
    --------
    >>> basis_size("total", 10, 10), basis_size("full", 3, 4), basis_size("hyperbolic", 2, 3)
    (184756, 125, 8)
    >>> basis_size("total", 10**6, 10**6) is None, basis_size("full", 10**9, 0)
    (True, 1)
    """
    if degree == 0:
        return 1
    if index_set == "hyperbolic":
        return _hyperbolic_size(dim, degree, cap)
    m = 1
    if index_set == "full":
        for _ in range(dim):
            m *= degree + 1
            if m > cap:
                return None
        return m
    top, k = degree + dim, min(degree, dim)            # m = C(degree + dim, k)
    for i in range(1, k + 1):
        m = m * (top - k + i) // i
        if m > cap:
            return None
    return m


def _hyperbolic_size(dim, degree, cap):
    """The number of a in N^dim with prod(a_k + 1) <= degree + 1 (None beyond ``cap``):
    the sum over j of C(dim, j) times the number of j-tuples of integers >= 2 whose product
    is at most degree + 1 (j <= log2(degree + 1), so a few rounds whatever ``dim``)."""
    if 1 + dim * degree > cap:                         # the indices along the axes alone
        return None
    top = degree + 1
    root = math.isqrt(top)
    values = sorted({top // b for b in range(1, root + 1)} | set(range(1, root + 1)))
    tuples = dict.fromkeys(values, 1)                  # j = 0: the empty tuple
    m, j = 0, 0
    while j <= dim and tuples[top]:
        m += math.comb(dim, j) * tuples[top]
        if m > cap:
            return None
        tuples = {v: _sum_of_quotients(v, tuples) for v in values}
        j += 1
    return m


def _sum_of_quotients(v, counts):
    """``sum_{b=2..v} counts[v // b]``, by blocks of b with the same quotient."""
    total, b = 0, 2
    while b <= v:
        q = v // b
        last = v // q
        total += (last - b + 1) * counts[q]
        b = last + 1
    return total


@dataclass(frozen=True)
class Need:
    """What a stage of a fit needs: bytes of memory at its peak, floating-point operations."""

    memory: float
    work: float

    def then(self, *later: Need) -> Need:
        """This stage, then the ``later`` ones: the largest peak and the total work."""
        stages = (self, *later)
        return Need(max(s.memory for s in stages), sum(s.work for s in stages))


def fit_need(basis: str, m: int, n: int, dim: int, degree: int, sampler: str,
             reference_nodes: int = 0) -> Need:
    """An estimate of what a fit of ``m`` basis functions on ``n`` points needs, from the
    sizes the library's algorithms work on: the multi-indices (listed by Python loops), the
    1-D tables of the exact Christoffel sampler, the sampler's own arrays, the n x m design
    matrix and its QR factorisation, and the basis on the reference rule. ``sampler`` is a
    :data:`solvers.lsq.SAMPLERS` name, or "data" for given points.

    Examples
    --------
    >>> small = fit_need("legendre", 10, 47, 2, 3, "christoffel")
    >>> small.memory < 2**20, small.work < 1e8
    (True, True)
    >>> f"{fit_need('legendre', 184756, 4480995, 10, 10, 'christoffel').memory:.1e}"
    '3.3e+13'
    """
    p, f = degree + 1, 8.0                       # values per 1-D family; bytes per float
    listing = Need(f * m * dim, 100.0 * m * dim * dim)
    solve = Need(f * (5 * n * m + 2 * n * p + n * dim),
                 2.0 * n * m * m + 6.0 * n * dim * p + 1.0 * n * dim * m)
    stages = [listing, _sampling_need(basis, m, n, dim, degree, sampler), solve]
    if reference_nodes:
        chunk = min(reference_nodes, 1 << 14)
        stages.append(Need(f * (chunk * (3 * m + 2 * p) + reference_nodes * dim + 2 * m * m),
                           2.0 * reference_nodes * m * m
                           + 3.0 * reference_nodes * dim * (6 * p + m)))
    return stages[0].then(*stages[1:])


def _sampling_need(basis, m, n, dim, degree, sampler):
    """The sampler's share of :func:`fit_need`."""
    p, f = degree + 1, 8.0
    if sampler in ("data", "mc"):
        return Need(f * n * dim, 10.0 * n * dim)
    if sampler == "discrete-dpp":
        pool = max(4096, 50 * m)
        return Need(f * 3 * pool * m, 2.0 * pool * m * m + 6.0 * pool * dim * p)
    entries = 16.0 * lsq.family(basis).n_cells(degree) * p     # the 1-D tables
    need = Need(f * 3 * entries, 30.0 * entries + 60.0 * n * dim * p)
    if sampler in ("dpp", "volume", "repeated-dpp"):
        proposals = 1.25 * m * (math.log(m) + 1) + 16            # per draw, m H_m and more
        draws = math.ceil(n / m) if sampler == "repeated-dpp" else 1
        need = need.then(Need(f * (m * m + 2 * proposals * m),
                              draws * proposals * (m * m + 70.0 * dim * p + dim * m)))
    elif sampler == "boosted":                   # 10 candidates, then removals of 32 trials
        need = need.then(Need(f * (3 * n * m + 64 * m * m),
                              10 * (2.0 * n * m * m + 10.0 * m ** 3)
                              + (n - m) * 33 * 10.0 * m ** 3))
    return need


def _refuse_if_too_big(need: Need, what: str, option: str, hint: str = "") -> None:
    """Exit status 2 when ``need`` exceeds the memory limit or :data:`WORK_LIMIT`."""
    check_memory(need.memory, what, option)
    if need.work > WORK_LIMIT:
        raise click.BadParameter(
            f"{what} would need about {need.work:.1e} floating-point operations (and "
            f"{human_bytes(need.memory)} of memory); the limit is {WORK_LIMIT:.0e} operations, "
            f"tens of seconds of computing{hint}", param_hint=option)


def _describe(m, n, basis, index_set, degree, d):
    """The fit a size message speaks of (m None: more than :data:`COUNT_CAP`)."""
    size = f"m = {m}" if m is not None else f"more than {COUNT_CAP}"
    points = f"n = {n} points" if m is not None else "at least as many points"
    return (f"a fit of {size} {basis} basis function{'s' if m != 1 else ''} ({index_set} "
            f"degree {degree} in {d} dimension{'s' if d > 1 else ''}) on {points}")


def check_fit_size(basis, index_set, d, degree, sampler, n=None):
    """The number of points of a fit (``n``, else the sampler's default for m), after
    checking that the fit fits: exit status 2, before any work, if not."""
    m = basis_size(index_set, d, degree)
    size = COUNT_CAP + 1 if m is None else m
    if n is None:
        n = size if m is None else lsq.default_sample_size(m, sampler)
    _refuse_if_too_big(fit_need(basis, size, n, d, degree, sampler),
                       _describe(m, n, basis, index_set, degree, d), "--degree",
                       "; lower --degree or --dim" + ("" if sampler == "data" else " or --n"))
    return n


def planned_fit(basis, index_set, d, degree, sampler, n, reference):
    """The basis, the number of points and the reference rule (or None) of a fit of a
    formula, each size checked before it is built (:func:`check_fit_size`)."""
    n = check_fit_size(basis, index_set, d, degree, sampler, n)
    B = lsq.TensorBasis(basis, degree, dim=d, index_set=index_set)
    rule = lsq.reference_rule(B) if reference else None
    if rule is not None:
        nodes = int(rule.weights.size)
        _refuse_if_too_big(fit_need(basis, B.m, n, d, degree, sampler, nodes),
                           f"{_describe(B.m, n, basis, index_set, degree, d)}, with the "
                           f"reference errors on {nodes} points", "--degree",
                           "; pass --no-reference to skip the reference errors, or lower "
                           "--degree")
    return B, n, rule


LARGE_BASIS = 500
"""A fit with at least this many basis functions shows its progress (on a terminal)."""


def _fit_formula(f, B, n, sampler, seed, rule):
    """Sample and fit, then (with a reference ``rule``) measure the errors of the fit and of
    the best approximation; returns ``(fit, seconds of the fit, (error, best) or None)``,
    with a progress bar over the three stages for a large basis."""
    with console.progressbar(1 if rule is None else 3, f"fitting (m = {B.m})",
                             hidden=B.m < LARGE_BASIS) as bar:
        start = time.perf_counter()
        result = lsq.fit(f, B, n, sampler=sampler, seed=seed)
        seconds = time.perf_counter() - start
        bar.update(1)
        if rule is None:
            return result, seconds, None
        error = lsq.l2_error(f, result, rule)
        bar.update(1)
        best = lsq.best_approximation(f, B, rule).error
        bar.update(1)
    return result, seconds, (error, best)


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
        _check_csv_size(path)
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


CELL_BYTES = 80
"""Memory one cell of a CSV takes while it is read (a Python string and its slot)."""


def _check_csv_size(path: Path, head: int = 1 << 16) -> None:
    """Refuse (exit status 2) a CSV whose cells, counted from its first ``head`` bytes,
    would not fit in memory while read."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        sample = handle.read(head)
    cells = size * (sample.count(b",") + sample.count(b"\n") + 1) / max(len(sample), 1)
    check_memory(cells * CELL_BYTES + size, f"reading {str(path)!r} ({human_bytes(size)}, "
                 f"about {cells:.2g} numbers)", "--data")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _finite(f, basis):
    """``f`` that raises a one-line :class:`InputError` where a value is NaN or infinite."""
    def checked(X):
        values = f(X)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            point = ", ".join(f"{v:.6g}" for v in X[i])
            raise InputError(f"--function: the formula is {values[i]} at x = ({point}) "
                             f"({int(bad.sum())} of {bad.size} points); it must be finite "
                             f"wherever --basis {basis} draws points ({MEASURES[basis]})")
        return values

    return checked


def _formula(text, d, basis):
    """The formula as a checked function of (n, d) arrays, or a one-line error."""
    try:
        return _finite(compile_expression(text, d), basis)
    except ExpressionError as exc:
        raise InputError(f"--function: {exc}") from None


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


SAMPLERS_HELP = (
    "How the n points are drawn (--function only): christoffel, independent points of the "
    "optimal density k_m(x)/m dmu (k_m(x) = sum of the squared basis functions at x); mc, "
    "independent points of mu; dpp, a determinantal point process: exactly m points that "
    "repel each other; discrete-dpp, the same on a random pool of max(4096, 50 m) points of "
    "mu; volume, m DPP points plus n - m Christoffel points; repeated-dpp, independent DPP "
    "draws until n points; boosted, boosted optimal weighted least squares (BOWLS): the "
    "best-conditioned of 10 Christoffel samples, thinned while the fit stays stable.")


@click.command()
@click.option("--function", "function", metavar="FORMULA",
              help="The function f to fit: a formula in x0 .. x{d-1}, e.g. "
                   "'exp(-x0**2)*cos(3*x1)' (what it may use: see above). Give --function "
                   "or --data.")
@click.option("--data", type=click.Path(dir_okay=False), metavar="CSV",
              help="Samples to fit: a CSV file whose columns are x0 .. x{d-1}, then the "
                   "value y; a first line of names is skipped. Give --function or --data.")
@click.option("--basis", type=click.Choice(BASES), default="legendre", show_default=True,
              help="1-D orthonormal family used in every dimension; it sets the measure mu "
                   "the points are drawn from and errors are measured in: "
                   + "; ".join(f"{name}, {mu}" for name, mu in MEASURES.items()) + ".")
@click.option("--dim", type=click.IntRange(1), default=None,
              help="Number of variables d, >= 1.  [default: the formula's largest variable "
                   "index + 1, or the CSV's columns - 1]")
@click.option("--degree", type=click.IntRange(0), required=True,
              help="Polynomial degree p >= 0 of the approximation space (required); see "
                   "--index-set. A fit whose estimated memory or work (over "
                   f"{WORK_LIMIT:.0e} floating-point operations) is too large is refused "
                   "at once.")
@click.option("--index-set", type=click.Choice(lsq.INDEX_SETS), default="total",
              show_default=True,
              help="Which products of 1-D functions of degrees a_1 .. a_d span the space: "
                   "total, a_1 + ... + a_d <= p (m = C(p + d, d) functions); hyperbolic, "
                   "(a_1 + 1) ... (a_d + 1) <= p + 1 (far fewer in high dimension); full, "
                   "every a_k <= p (m = (p + 1)^d).")
@click.option("--sampler", type=click.Choice(lsq.SAMPLERS), default="christoffel",
              show_default=True, help=SAMPLERS_HELP)
@click.option("--n", "n", type=click.IntRange(1), default=None,
              help="Number of points, >= 1 (--function only).  [default: m for dpp and "
                   "discrete-dpp; for boosted, the BOWLS size m log(200 m) / 0.32, at which "
                   "a Christoffel sample is stable with probability 0.99; else "
                   "max(m, 2 m ln m)]")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the random points, an integer >= 0 (--function only).")
@click.option("--reference/--no-reference", default=True, show_default=True,
              help="Also measure the L2(mu) errors of the fit and of the best approximation "
                   "in the space, on a fine rule: a tensor Gauss rule of up to 131072 "
                   "nodes, else 131072 random points of mu (--function only; costly in high "
                   "dimension or degree).")
@click.option("--weights", type=click.Choice(["none", "christoffel"]), default="none",
              show_default=True,
              help="Weights of the least-squares fit of --data: none, all 1 (for points "
                   "drawn from mu); christoffel, m / k_m(x) (for points drawn from the "
                   "optimal density k_m(x)/m dmu).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object, with the coefficients and multi-indices, instead "
                   "of the text report.")
def fit(function, data, basis, dim, degree, index_set, sampler, n, seed, reference, weights,
        as_json):
    """Fit a formula or data by weighted least squares in a tensor basis.

    The approximation lies in V_m, spanned by the m products phi_a(x) = prod_k phi_{a_k}(x_k)
    of a 1-D family orthonormal in L2(mu), a in the index set of the degree. mu is, per
    dimension: legendre, uniform on [-1, 1]; hermite, N(0, 1); chebyshev, arcsine on [-1, 1];
    fourier, uniform on [0, 1).

    With --function, the formula (numbers, x0 .. x{d-1}, pi, e, + - * / **, exp, log, sqrt,
    sin, cos, ..., min and max of two or more: parsed, never run as Python; all arithmetic in
    floating point) is evaluated at n points drawn by --sampler, and the L2(mu) error of the
    fit is measured on a fine quadrature next to the error of the best approximation in V_m.

    With --data, the CSV's last column is y and the others are the points; the fit is plain
    least squares, or weighted by m / k_m(x) with --weights christoffel.

    \b
    Output
    ------
    m, n, the sampler; ||G - I||_2 for the weighted Gram matrix
    G = Phi^T W Phi / n, and the condition number of G (stability); the
    leave-one-out cross-validated error estimate (n/a when n = m: the fit
    interpolates); the time of sampling and fitting, in seconds; then the
    L2(mu) error, the best-approximation error and their ratio (--function),
    or the residual RMS (--data). --json: one object with these, the
    coefficients and the multi-indices (a row of "indices" per coefficient).

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
        f = _formula(function, d, basis)
        B, n, rule = planned_fit(basis, index_set, d, degree, sampler, n, reference)
        result, seconds, errors = _fit_formula(f, B, n, sampler, seed, rule)
        report = {"function": function}
    else:
        X, y, header = read_csv(data)
        d = X.shape[1]
        if dim is not None and dim != d:
            raise InputError(f"--dim {dim} does not match {data!r}: its {d + 1} columns give "
                             f"d = {d} (x0 .. x{d - 1}, then y)")
        check_fit_size(basis, index_set, d, degree, "data", X.shape[0])
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
        if rule is not None:
            error, best = errors
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
