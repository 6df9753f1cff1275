"""Configurations: a solving method named by a plain dict, and the catalog of those there are.

A configuration is ``{"method": family, knob: value, ...}``. The families:

==================  =======================================  =========================
family              what runs                                knobs
==================  =======================================  =========================
``cg``              CG, no preconditioner                    none
``jacobi``          CG preconditioned by the diagonal        none
``ssor``            CG preconditioned by SSOR                ``omega`` in (0, 2)
``ssor-multicolor`` the same, sweeps colour by colour        ``omega`` in (0, 2)
``amg``             CG preconditioned by one AMG V-cycle     ``rebuild`` (int >= 1)
``sor``             SOR iterations (nonsymmetric systems)    ``omega`` in (0, 2)
``direct``          sparse LU (SuperLU), factor reused       none
==================  =======================================  =========================

``rebuild`` is the AMG hierarchy's rebuild interval: it is rebuilt once ``rebuild`` new
matrices have come since the last build (see :class:`~solvers.solver.AMGReuse`). A direct
solve keeps its factorization until the solver's matrix changes.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Mapping
from functools import partial

import numpy as np
import scipy.sparse as sp

from .errors import ParameterError, ShapeError
from .result import Result

FAMILY = "method"
"""The key that names a configuration's family."""

CG_FAMILIES = ("cg", "jacobi", "ssor", "ssor-multicolor", "amg")
"""The families that run CG: they need a symmetric positive definite matrix."""

DIRECT_MAX_ROWS = 20_000
"""Largest system for which :func:`auto_space` offers a direct solve."""
AMG_MIN_ROWS = 10_000
"""Smallest system for which :func:`auto_space` offers AMG (below, a V-cycle's Python
overhead outweighs its gain)."""
MULTICOLOR_MIN_ROWS = 10_000
"""Smallest system for which :func:`auto_space` offers multicolour SSOR (its sweeps run in
parallel from this size on)."""
OMEGAS = tuple(round(1.0 + 0.1 * i, 1) for i in range(10))
"""The omega grid of :func:`auto_space`: 1.0, 1.1, ..., 1.9."""
REBUILDS = (1, 4, 16, 64)
"""The AMG rebuild intervals of :func:`auto_space`."""
LARGE_ROWS = 100_000
"""From this size on :func:`auto_space` lists AMG first (the family a tuner tries first) and
:func:`default_config` picks it."""


class Knob:
    """The range of one knob: ``check(value)`` returns the value or raises ParameterError.

    Examples
    --------
    >>> omega = Knob("omega", 0.0, 2.0, default=1.0)
    >>> omega(1.5)
    1.5
    >>> omega(2.0)
    Traceback (most recent call last):
    ...
    solvers.errors.ParameterError: omega must be in (0, 2); got 2.0
    """

    def __init__(self, name, low, high, *, integer=False, default=None):
        self.name, self.low, self.high, self.integer = name, low, high, integer
        self.default = default

    def __call__(self, value):
        if isinstance(value, np.generic):
            value = value.item()
        if self.integer:
            if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
                    or value < self.low):
                raise ParameterError(f"{self.name} must be an integer >= {self.low}; "
                                     f"got {value!r}")
            return int(value)
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not math.isfinite(value) or not self.low < value < self.high):
            raise ParameterError(f"{self.name} must be in ({self.low:g}, {self.high:g}); "
                                 f"got {value!r}")
        return float(value)

    def __repr__(self) -> str:
        return f"Knob({self.name!r}, {self.low!r}, {self.high!r})"


_OMEGA = Knob("omega", 0.0, 2.0, default=1.0)

METHODS: dict[str, dict[str, Knob]] = {
    "cg": {},
    "jacobi": {},
    "ssor": {"omega": _OMEGA},
    "ssor-multicolor": {"omega": _OMEGA},
    "amg": {"rebuild": Knob("rebuild", 1, None, integer=True, default=1)},
    "sor": {"omega": _OMEGA},
    "direct": {},
}
"""The families and their knobs (``knob(value)`` checks a value): the catalog a
:class:`tuner.ConfigSpace` checks a space against (``catalog=solvers.METHODS``)."""


def check_config(config) -> dict:
    """``config`` checked against :data:`METHODS`: a new dict with every knob of its family
    (defaults filled in).

    Examples
    --------
    >>> check_config({"method": "ssor", "omega": 1.6})
    {'method': 'ssor', 'omega': 1.6}
    >>> check_config({"method": "ssr"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    solvers.errors.ParameterError: unknown method 'ssr'; the methods are amg, cg, direct, ...
    """
    if not isinstance(config, Mapping) or FAMILY not in config:
        raise ParameterError(f"a configuration is a dict with a {FAMILY!r} entry, such as "
                             f"{{'method': 'ssor', 'omega': 1.6}}; got {config!r:.200}")
    family = config[FAMILY]
    knobs = METHODS.get(family) if isinstance(family, str) else None
    if knobs is None:
        raise ParameterError(f"unknown method {family!r}; the methods are "
                             f"{', '.join(sorted(METHODS))}")
    extra = set(config) - set(knobs) - {FAMILY}
    if extra:
        raise ParameterError(f"method {family!r} has no knob {sorted(extra)[0]!r} (its knobs: "
                             f"{', '.join(knobs) or 'none'})")
    out = {FAMILY: family}
    for name, knob in knobs.items():
        out[name] = knob(config.get(name, knob.default))
    return out


def describe(config) -> str:
    """A configuration as one word: ``cg``, ``cg+jacobi``, ``cg+ssor(omega=1.6)``,
    ``cg+amg(rebuild=4)``, ``sor(omega=1.2)``, ``direct``.

    Examples
    --------
    >>> describe({"method": "ssor", "omega": 1.6}), describe({"method": "cg"})
    ('cg+ssor(omega=1.6)', 'cg')
    """
    config = check_config(config)
    family = config[FAMILY]
    knobs = ",".join(f"{k}={v:g}" for k, v in config.items() if k != FAMILY)
    text = family + (f"({knobs})" if knobs else "")
    return text if family in ("cg", "sor", "direct") else "cg+" + text


def applicable(solver) -> tuple[str, ...]:
    """The families that can solve ``solver``'s matrix, with the reason for each left out:
    CG families need a symmetric matrix with a positive diagonal, SOR and SSOR a nonzero
    diagonal, and all but plain CG a matrix (not a LinearOperator)."""
    return tuple(f for f in METHODS if _why_not(solver, f) is None)


def _why_not(solver, family: str) -> str | None:
    """Why ``family`` cannot solve the solver's matrix (None if it can)."""
    csr = solver.csr
    if csr is None:
        return None if family == "cg" else "A is a LinearOperator"
    properties = _properties(solver)
    if family in CG_FAMILIES and not properties["spd_candidate"]:
        return ("A is not symmetric" if not properties["symmetric"]
                else "A's diagonal is not positive")
    if family in ("ssor", "ssor-multicolor", "sor") and properties["zero_diagonal"]:
        return "A has a zero on its diagonal"
    return None


def _properties(solver) -> dict:
    """Symmetry and diagonal of the solver's matrix, found once per sparsity pattern
    (O(nnz)); a later matrix of the pattern that is not SPD is caught by CG itself."""
    found = solver.pattern_cache.get("properties")
    if found is None:
        A = solver.csr.matrix
        diagonal = solver.csr.diagonal
        asymmetry = abs(A - A.T)
        scale = float(abs(A).max()) if A.nnz else 0.0
        symmetric = asymmetry.nnz == 0 or float(asymmetry.max()) <= 1e-12 * scale
        found = solver.pattern_cache["properties"] = {
            "symmetric": symmetric,
            "spd_candidate": symmetric and bool((diagonal > 0).all()),
            "zero_diagonal": bool((diagonal == 0).any()),
        }
    return found


def auto_space(solver, *, direct_max_rows=DIRECT_MAX_ROWS) -> dict:
    """The configurations worth trying on ``solver``'s matrix, as a space for
    :class:`tuner.ConfigSpace` (``{family: {knob: values}}``).

    A symmetric matrix with a positive diagonal gets plain CG, Jacobi-PCG and SSOR-PCG
    (omega in :data:`OMEGAS`), and from :data:`MULTICOLOR_MIN_ROWS` and :data:`AMG_MIN_ROWS`
    rows on multicolour SSOR-PCG and AMG-PCG (rebuild every :data:`REBUILDS` matrices);
    another matrix gets SOR. Up to ``direct_max_rows`` rows a direct solve is offered too.

    Raises
    ------
    ParameterError
        When no family applies, saying why for each.

    Examples
    --------
    >>> from problems import poisson
    >>> from solvers import Solver
    >>> sorted(auto_space(Solver(poisson((20, 20)))))
    ['cg', 'direct', 'jacobi', 'ssor']
    >>> import scipy.sparse as sp
    >>> sorted(auto_space(Solver(sp.csr_matrix([[2.0, 1.0], [0.0, 2.0]]))))
    ['direct', 'sor']
    """
    n = solver.n
    wanted = {"cg": {}, "jacobi": {}, "ssor": {"omega": list(OMEGAS)}}
    if n >= MULTICOLOR_MIN_ROWS:
        wanted["ssor-multicolor"] = {"omega": list(OMEGAS)}
    if n >= AMG_MIN_ROWS:
        wanted["amg"] = {"rebuild": list(REBUILDS)}
    wanted["sor"] = {"omega": list(OMEGAS)}
    if n <= direct_max_rows:
        wanted["direct"] = {}
    if n >= LARGE_ROWS:                 # the first tried: AMG first on a large system
        wanted = {f: wanted[f] for f in sorted(wanted, key=lambda f: f not in ("amg",))}
    reasons = {f: _why_not(solver, f) for f in wanted}
    space = {f: knobs for f, knobs in wanted.items() if reasons[f] is None}
    if any(f in space for f in CG_FAMILIES):
        space.pop("sor", None)          # stationary SOR never beats SSOR-PCG on an SPD matrix
    if not space:
        raise ParameterError("no method applies: " + "; ".join(
            f"{f}: {why}" for f, why in reasons.items()))
    return space


def default_config(solver) -> dict:
    """A sensible configuration for one solve of ``solver``'s matrix without a tuner: a
    direct solve up to 5 000 rows, else AMG-PCG from 100 000 rows and SSOR-PCG (omega 1.5)
    below for an SPD-looking matrix, SOR (omega 1) for another, plain CG for an operator."""
    families = applicable(solver)
    if solver.n <= 5_000 and "direct" in families:
        return {FAMILY: "direct"}
    if "amg" in families and solver.n >= LARGE_ROWS:
        return {FAMILY: "amg", "rebuild": 1}
    if "ssor" in families:
        return {FAMILY: "ssor", "omega": 1.5}
    if "sor" in families:
        return {FAMILY: "sor", "omega": 1.0}
    return {FAMILY: "cg"}


def run_config(solver, config: dict, b, x0, *, rtol, atol, maxiter) -> Result:
    """One solve of ``solver``'s system by the (checked) configuration ``config``."""
    solve, options = solve_call(solver, config)
    return solve(b, x0, rtol=rtol, atol=atol, maxiter=maxiter, **options)


_PRECONDITIONERS = {"cg": None, "jacobi": "jacobi", "amg": "amg"}


def solve_call(solver, config: dict):
    """The solver's bound method and its keyword arguments that solve by ``config``
    (``solve(b, x0, rtol=, atol=, maxiter=, **options)``), for a caller that solves many
    times by one configuration. An AMG configuration sets the solver's rebuild rule."""
    family = config[FAMILY]
    if family == "direct":
        return partial(_direct_call, solver), {}
    if family == "sor":
        return solver.sor, {"omega": config["omega"]}
    if family == "amg":
        solver.amg.rule = int(config["rebuild"])
    if family == "ssor":
        return solver.cg, {"M": ("ssor", config["omega"])}
    if family == "ssor-multicolor":
        return solver.cg, {"M": ("ssor", config["omega"]), "ordering": "multicolor"}
    return solver.cg, {"M": _PRECONDITIONERS[family]}


def _direct_call(solver, b, x0, *, rtol, atol, maxiter):
    return _direct(solver, b, rtol, atol)


def _direct(solver, b, rtol, atol) -> Result:
    """Sparse LU of the solver's matrix (kept until its values change), one solve and, if
    its residual misses the tolerance, one step of iterative refinement."""
    from scipy.sparse.linalg import splu

    started = time.perf_counter()
    if solver.csr is None:
        raise ShapeError("a direct solve needs A as a matrix, not a LinearOperator")
    bb, _, tol, scale = solver.load(b, None, rtol, atol)
    A = solver.csr.matrix
    factor = solver.values_cache.get("lu")
    factorized = factor is None
    if factorized:
        try:
            factor = splu(sp.csc_matrix(A))
        except RuntimeError as exc:             # exactly singular
            factor = exc
        solver.values_cache["lu"] = factor
    if isinstance(factor, RuntimeError):
        x, residual, status = np.zeros(solver.n), float(np.linalg.norm(bb)), "breakdown"
    else:
        x = factor.solve(bb)
        residual = float(np.linalg.norm(bb - A @ x))
        if not residual <= tol:
            x += factor.solve(bb - A @ x)
            residual = float(np.linalg.norm(bb - A @ x))
        status = "converged" if residual <= tol else "breakdown"
    return Result.from_iterations(x, 0, status, np.array([residual]), scale=scale,
                                  started=started, info={"factorized": factorized})
