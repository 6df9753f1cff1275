"""Preconditioned conjugate gradients."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from .._kernels import KRYLOV_PARALLEL_MIN_ROWS, SWEEP_PARALLEL_MIN_ROWS
from .._sparse import CSRArrays
from .._validate import check_callback, check_maxiter, check_omega
from ..backend import ArrayModules, check_backend, select, to_host
from ..errors import NotSPDError, ParameterError, ShapeError
from ..ordering.multicolor import multicolor_pattern
from ..relaxation.sor import DIVERGENCE_FACTOR
from ..result import Result
from ..solver import Solver, on_gpu, run_resumable, whole_block
from . import _kernels
from ._kernels import TINY
from ._multicolor_xp import block_ssor
from .preconditioners import _ssor_operator

#: Below this omega, SSOR-PCG applies the preconditioner as two triangular solves instead of
#: Eisenstat's trick, whose ``(1 - 2/omega) D`` term loses digits to cancellation.
EISENSTAT_MIN_OMEGA = 0.05

_STATUS = {_kernels.CONVERGED: "converged", _kernels.MAXITER: "maxiter",
           _kernels.BREAKDOWN: "breakdown", _kernels.DIVERGED: "diverged"}


def cg(A, b, x0=None, *, rtol=1e-8, atol=0.0, maxiter=None, M=None, callback=None,
       backend=None, ordering="lexicographic"):
    """Preconditioned conjugate gradients for symmetric positive definite ``A x = b``.

    Parameters
    ----------
    A : sparse matrix, ndarray or LinearOperator, shape (n, n)
        Symmetric positive definite, ``n >= 1``. Sparse and dense matrices are converted once
        to canonical float64 CSR and run in compiled kernels.
    b : ndarray, shape (n,)
        Right-hand side.
    x0 : ndarray, shape (n,), optional
        Starting guess (warm start); zeros by default. It is not modified.
    rtol, atol : float
        Stop when ``||b - A x||_2 <= max(rtol * ||b||_2, atol)``. The test is made on the
        recursively updated residual and confirmed on the true residual before stopping.
    maxiter : int, optional
        Most iterations; ``10 n`` by default.
    M : None, "jacobi", ("ssor", omega), "amg", or an operator
        The preconditioner. ``"jacobi"``: diagonal scaling. ``("ssor", omega)``: symmetric SOR,
        applied by Eisenstat's trick so an iteration costs two triangular sweeps and no
        product with ``A``. ``"amg"``: one V-cycle of PyAMG smoothed aggregation. An operator
        (LinearOperator, matrix or callable) applies ``M^{-1}``, SciPy's convention.
    callback : callable, optional
        Called as ``callback(xk)`` after each iteration.
    backend : {None, "cpu", "cupy"}
        Where to run: Numba kernels on the CPU, or CuPy on an NVIDIA GPU (M None,
        ``"jacobi"`` or ``("ssor", omega)`` with ``ordering="multicolor"``). None: on the GPU
        when an input is a CuPy array. The solution comes back where the inputs were.
    ordering : {"lexicographic", "multicolor"}
        The order of the SSOR preconditioner's sweeps, the keyword of :func:`solvers.sor`,
        :func:`solvers.ssor` and :func:`solvers.ssor_preconditioner`: with ``"multicolor"``
        they go colour by colour, each colour's rows at once on every core, a different
        preconditioner (usually more iterations, each cheaper). The former spelling
        ``M=("ssor", omega, "multicolor")`` still works and warns.

    Returns
    -------
    Result
        ``status`` is ``"converged"``; ``"maxiter"``; ``"diverged"`` when the true residual
        grows past :data:`~solvers.relaxation.sor.DIVERGENCE_FACTOR` (``1e8``) times the
        larger of ``||b - A x0||`` and ``||b||``, which CG on an SPD matrix cannot do unless
        ``cond(A) > 1e16`` (its residual grows at most by ``sqrt(cond(A))``), so A or M is
        not SPD or hopelessly ill-conditioned; or ``"breakdown"``: NaN, or inner products
        that underflow even right after a restart from the true residual (a residual below
        about 1e-154, reached with ``rtol=0`` or a tiny ``atol``). ``x`` is float64:
        float32 and integer inputs are promoted, and the solve runs in double precision
        (SciPy's ``cg`` keeps single precision). ``Result.scipy_info`` is SciPy's integer
        ``info``.

    Raises
    ------
    NotSPDError
        A is not symmetric (a random probe, see Notes); or CG met a direction of
        non-positive curvature (``p^T A p <= 0``: A is indefinite or singular) or a
        non-positive preconditioned residual norm (``r^T M^{-1} r <= 0``): A or M is not
        symmetric positive definite. For a nonsymmetric system use :func:`solvers.sor`.
    ZeroDiagonalError
        With ``M="jacobi"`` or ``("ssor", omega)``, a zero on the diagonal (such an A is not
        SPD either).
    ShapeError, DTypeError, NonFiniteError, ParameterError
        Bad input, named in the message (an empty, 0 x 0, A is a ShapeError; complex
        input a DTypeError).

    Notes
    -----
    ``b = 0`` returns ``x = 0`` at once (converged, 0 iterations), whatever ``x0`` and ``M``.

    Before the first iteration on a matrix, two vectors ``u, v`` (seeded, uniform in
    [-1, 1)) test its symmetry: A is refused when ``|u^T A v - v^T A u|`` exceeds
    ``1e-8`` times the size of the terms summed (see :func:`check_symmetric`). That costs
    one pass over the matrix (or two products with a LinearOperator) and is kept while the
    matrix's values last (:meth:`solvers.Solver.update` with new values tests again).

    A curvature ``p^T A p`` that comes out zero (or subnormal) is measured again on ``p``
    scaled by a power of two to unit size, where it cannot underflow: still zero (or
    negative), A is singular or indefinite along ``p`` and :class:`NotSPDError` is raised,
    whatever the scale of A and b; positive, the first value underflowed (a residual far
    below any useful tolerance, e.g. with ``rtol=0``) and CG restarts from the true
    residual.

    Examples
    --------
    >>> import numpy as np
    >>> from problems import poisson
    >>> A = poisson((32, 32)); b = A @ np.ones(A.shape[0])
    >>> plain, pre = cg(A, b), cg(A, b, M=("ssor", 1.5))
    >>> plain.converged, pre.converged, pre.iterations < plain.iterations
    (True, True, True)
    >>> x, info = pre.as_scipy()          # SciPy's (x, info): 0 means converged
    >>> info, x.dtype
    (0, dtype('float64'))
    >>> cg(A, np.zeros(A.shape[0]), np.ones(A.shape[0])).iterations
    0
    >>> cg(np.array([[2.0, 1.0], [0.0, 2.0]]), np.ones(2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    solvers.errors.NotSPDError: A is not symmetric: ...
    """
    started = time.perf_counter()
    return run_cg(Solver(A, copy=False), b, x0, rtol=rtol, atol=atol, maxiter=maxiter, M=M,
                  callback=callback, backend=backend, started=started, ordering=ordering)


def run_cg(solver: Solver, b, x0, *, rtol, atol, maxiter, M, callback, backend, started,
           ordering="lexicographic"):
    """CG on a prepared system: the body of :func:`cg` and :meth:`solvers.Solver.cg`."""
    gpu = on_gpu(solver, b, x0)
    device = select(check_backend(backend, name="cg") or ("cupy" if gpu else "cpu"))
    if callback is not None:
        callback = check_callback(callback)
    csr = solver.csr
    n = solver.n
    maxiter = check_maxiter(maxiter, 10 * n)
    b, x, tol, scale = solver.load(b, x0, rtol, atol)
    if type(M) is tuple and len(M) == 3:
        warnings.warn("M=('ssor', omega, 'multicolor') is deprecated: pass M=('ssor', omega), "
                      "ordering='multicolor' (the keyword of sor, ssor and "
                      "ssor_preconditioner)", DeprecationWarning, stacklevel=3)
    kind, param, parsed = _parsed_preconditioner(solver, M)
    ordering = _ordering(ordering, kind, parsed)
    if device == "cupy" and (csr is None or (kind not in ("none", "jacobi")
                                             and ordering != "multicolor")):
        raise ParameterError("on the GPU, A must be a matrix and M None, 'jacobi' or "
                             "('ssor', omega) with ordering='multicolor'")
    check_symmetric(solver)
    history = solver.history
    info = {"method": "cg", "preconditioner": _label(kind, param, ordering), "backend": device}
    if solver.b_norm == 0.0:                   # b = 0: x = 0 is the solution, exactly
        history[0] = 0.0
        x = np.zeros(n)
        return Result.from_iterations(ArrayModules("cupy").asarray(x) if gpu else x, 0,
                                      "converged", history.array, started=started, info=info)
    compiled = kind in ("none", "jacobi") or (kind == "ssor" and param >= EISENSTAT_MIN_OMEGA)
    if device == "cupy":
        x, k, code = _on_array_namespace(ArrayModules("cupy"), csr, kind, param, b, x, tol,
                                         maxiter, history, callback, scale, gpu,
                                         solver.b_norm)
    elif csr is not None and callback is None and compiled:
        k, code = _compiled(solver, kind, param, ordering, b, x, tol, maxiter)
        x = x.copy()
    else:
        matvec = solver.operator.matvec if csr is None else _csr_matvec(csr)
        psolve = _preconditioner_operator(kind, param, ordering, solver)
        report = None if callback is None else (lambda xk: callback(xk / scale))
        x = x.copy()
        iterating = time.perf_counter()
        k, code = _generic(matvec, psolve, b, x, tol, maxiter, history, report,
                           bnorm=solver.b_norm)
        if kind == "amg":
            solver.amg.observe(k, time.perf_counter() - iterating)

    if code == _kernels.NOT_SPD_A:
        raise NotSPDError("CG met a direction p with p^T A p <= 0: A is not symmetric "
                          "positive definite (it is singular or indefinite)")
    if code == _kernels.NOT_SPD_M:
        raise NotSPDError("CG met a residual r with r^T M^{-1} r <= 0: the preconditioner "
                          "is not symmetric positive definite")
    return Result.from_iterations(x, k, _STATUS[code], history.array, scale=scale,
                                  started=started, info=info)


def _ordering(ordering, kind, parsed) -> str:
    """The SSOR preconditioner's row ordering from the ``ordering`` keyword (or the
    deprecated third entry of an ``M`` tuple, ``parsed``)."""
    if ordering == "lexicographic":
        return parsed
    if ordering != "multicolor":
        raise ParameterError(f"ordering must be 'lexicographic' or 'multicolor'; got "
                             f"{ordering!r}")
    if kind != "ssor":
        raise ParameterError("ordering='multicolor' orders the sweeps of the SSOR "
                             "preconditioner: pass M=('ssor', omega) with it")
    return ordering


def _label(kind, param, ordering):
    """The preconditioner as ``Result.info`` names it: ``"none"``, ``"jacobi"``, ``"amg"``,
    ``"operator"``, ``("ssor", omega)`` or ``("ssor", omega, "multicolor")``."""
    preconditioner = kind if param is None or kind == "operator" else (kind, param)
    if ordering == "multicolor":
        preconditioner += (ordering,)
    return preconditioner


def check_symmetric(solver: Solver) -> None:
    """Raise :class:`NotSPDError` if a random probe finds the solver's ``A`` not symmetric.

    With ``u, v`` uniform in [-1, 1) (the same for every matrix of a size: seeded), A is
    taken for nonsymmetric when ``|u^T A v - v^T A u|`` exceeds :data:`SYMMETRY_RTOL` times
    ``||u|| ||A v|| + ||v|| ||A u||``; the rounding errors of the two products are far below
    that. One pass over the matrix (the cost of about two products with it), or two products
    with a LinearOperator; the verdict is kept while the matrix's values last.
    """
    cache = solver.values_cache
    verdict = cache.get("asymmetry")
    if verdict is None:
        u, v = _probe_vectors(solver)
        if solver.csr is not None:
            csr = solver.csr
            probe = _kernels.symmetry_probe_parallel if csr.n >= KRYLOV_PARALLEL_MIN_ROWS \
                else _kernels.symmetry_probe
            uav, vau, size = probe(csr.indptr, csr.indices, csr.data, u, v)
        else:
            av = _as_float_vector(solver.operator.matvec(v))
            au = _as_float_vector(solver.operator.matvec(u))
            uav, vau = float(u @ av), float(v @ au)
            size = float(np.linalg.norm(u) * np.linalg.norm(av)
                         + np.linalg.norm(v) * np.linalg.norm(au))
        symmetric = not abs(uav - vau) > SYMMETRY_RTOL * size    # NaN: left to CG
        verdict = cache["asymmetry"] = "" if symmetric else (
            f"A is not symmetric: u^T A v = {uav:.6g} but v^T A u = {vau:.6g} for a random "
            f"pair u, v. CG needs a symmetric positive definite matrix; for a nonsymmetric "
            f"system use solvers.sor (it converges when A is, e.g., diagonally dominant) or "
            f"a direct solve")
    if verdict:
        raise NotSPDError(verdict)


SYMMETRY_RTOL = 1e-8
"""Relative size of ``u^T A v - v^T A u`` from which :func:`check_symmetric` refuses A."""

SYMMETRY_SEED = 20240611
"""Seed of the probe vectors of :func:`check_symmetric`."""


def _probe_vectors(solver: Solver):
    """The probe vectors ``u, v`` of :func:`check_symmetric`, drawn once per pattern."""
    probe = solver.pattern_cache.get("symmetry probe")
    if probe is None:
        rng = np.random.default_rng(SYMMETRY_SEED)
        probe = solver.pattern_cache["symmetry probe"] = tuple(rng.uniform(-1.0, 1.0,
                                                                           (2, solver.n)))
    return probe


def _as_float_vector(v):
    return np.asarray(v, dtype=np.float64).ravel()


def _parsed_preconditioner(solver: Solver, M):
    """:func:`_parse_preconditioner`, kept per solver for the hashable ``M``s (None, names,
    ``("ssor", omega)`` tuples)."""
    if M is None:
        return _NO_PRECONDITIONER
    cache = solver.pattern_cache
    if type(M) is str or type(M) is tuple:
        try:
            hit = cache.get(("M", M))
        except TypeError:                          # unhashable: parse (and refuse) it
            return _parse_preconditioner(M, solver.csr is not None)
        if hit is None:
            hit = _parse_preconditioner(M, solver.csr is not None)
            if len(cache) > PARSED_KEPT:
                for stale in [k for k in cache if k[0] == "M"]:
                    del cache[stale]
            cache[("M", M)] = hit
        return hit
    return _parse_preconditioner(M, solver.csr is not None)


PARSED_KEPT = 256
"""Parsed preconditioner arguments kept per solver."""


_NO_PRECONDITIONER = ("none", None, "lexicographic")


def _parse_preconditioner(M, have_matrix):
    """Return ``(kind, param, ordering)`` with kind in none/jacobi/ssor/amg/operator."""
    ordering = "lexicographic"
    if M is None:
        return "none", None, ordering
    if isinstance(M, str):
        if M not in ("jacobi", "amg"):
            raise ParameterError(f"M must be None, 'jacobi', ('ssor', omega), 'amg' or an "
                                 f"operator; got {M!r}")
        kind, param = M, None
    elif isinstance(M, tuple):
        if len(M) not in (2, 3) or M[0] != "ssor" or M[2:] not in ((), ("multicolor",)):
            raise ParameterError(f"a tuple M must be ('ssor', omega) or ('ssor', omega, "
                                 f"'multicolor'); got {M!r}")
        kind, param = "ssor", check_omega(M[1])
        if len(M) == 3:
            ordering = "multicolor"
    elif isinstance(M, LinearOperator) or sp.issparse(M) or isinstance(M, np.ndarray) \
            or callable(M):
        return "operator", M, ordering
    else:
        raise ParameterError(f"M must be None, 'jacobi', ('ssor', omega), 'amg' or an "
                             f"operator; got {type(M).__name__}")
    if not have_matrix:
        raise ParameterError(f"M={M!r} needs the entries of A; with a LinearOperator A "
                             f"pass M as an operator")
    return kind, param, ordering


def _compiled(solver: Solver, kind, omega, ordering, b, x, tol, maxiter):
    """The compiled CG kernels on the solver's arrays and work vectors; ``x`` is updated
    in place."""
    csr = solver.csr
    n = csr.n
    arrays = (csr.indptr, csr.indices, csr.data)
    state = solver.state
    if kind == "ssor":
        if ordering == "multicolor":
            return _multicolor_ssor_pcg(solver, omega, b, x, tol, maxiter)
        dinv, kdiag = _ssor_scalings(solver, omega, csr.diagonal)
        work = solver.work_set("cg", 5)
        whole = whole_block(n)
        return run_resumable(
            lambda residuals, start: _kernels.ssor_pcg(
                *arrays, csr.diagonal_positions, dinv, kdiag, b, x, *work, tol,
                DIVERGENCE_FACTOR, solver.b_norm, maxiter, residuals, whole, start, state),
            solver.history, maxiter)
    dinv = 1.0 / _positive_diagonal(solver, "Jacobi-preconditioned CG") \
        if kind == "jacobi" else None
    kernel = _kernels.pcg_parallel if n >= KRYLOV_PARALLEL_MIN_ROWS else _kernels.pcg
    r, p, q = solver.work_set("cg", 3)
    return run_resumable(
        lambda residuals, start: kernel(*arrays, dinv, b, x, r, p, q, tol, DIVERGENCE_FACTOR,
                                        solver.b_norm, maxiter, residuals, start, state),
        solver.history, maxiter)


def _positive_diagonal(solver: Solver, method: str) -> np.ndarray:
    """The diagonal, checked positive once per matrix values."""
    d = solver.values_cache.get("positive diagonal")
    if d is None:
        d = solver.values_cache["positive diagonal"] = solver.csr.positive_diagonal(method)
    return d


def _ssor_scalings(solver: Solver, omega: float, d: np.ndarray, key="ssor"):
    """``omega / d`` and ``(1 - 2 / omega) d`` for Eisenstat's trick, in the solver's
    vectors: computed (with the check that ``d`` is positive) once per omega and values."""
    dinv, kdiag = solver.work(key + " dinv"), solver.work(key + " kdiag")
    if solver.values_cache.get(key) != omega:
        solver.values_cache.pop(key, None)
        if not _kernels.eisenstat_scalings(d, omega, dinv, kdiag) > 0.0:
            solver.csr.positive_diagonal("SSOR-preconditioned CG")        # raises
        solver.values_cache[key] = omega
    return dinv, kdiag


def colored_system(solver: Solver, coloring="auto"):
    """The solver's matrix renumbered colour by colour: the pattern's part kept while the
    pattern lasts, the values' part while the values do."""
    key = ("colored", coloring) if isinstance(coloring, str) else None
    colored = None if key is None else solver.values_cache.get(key)
    if colored is None:
        pattern = None if key is None else solver.pattern_cache.get(key)
        if pattern is None:
            pattern = multicolor_pattern(solver.csr, coloring)
            if key is not None:
                solver.pattern_cache[key] = pattern
        colored = pattern.renumber(solver.csr)
        if key is not None:
            solver.values_cache[key] = colored
    return colored


def _multicolor_ssor_pcg(solver: Solver, omega, b, x, tol, maxiter):
    """SSOR-PCG on the matrix renumbered colour by colour; ``x`` is updated in place."""
    colored = colored_system(solver)
    dinv, kdiag = _ssor_scalings(solver, omega, colored.diagonal, key="ssor multicolor")
    xc = colored.to_colored(x)
    bc = colored.to_colored(b)
    work = solver.work_set("cg", 5)
    kernel = _kernels.ssor_pcg_parallel if solver.n >= SWEEP_PARALLEL_MIN_ROWS \
        else _kernels.ssor_pcg
    k, code = run_resumable(
        lambda residuals, start: kernel(*colored.arrays, colored.diagonal_positions, dinv,
                                        kdiag, bc, xc, *work, tol, DIVERGENCE_FACTOR,
                                        solver.b_norm, maxiter, residuals,
                                        colored.pattern.color_ptr, start, solver.state),
        solver.history, maxiter)
    x[:] = colored.to_original(xc)
    return k, code


def _csr_matvec(csr: CSRArrays):
    kernel = _kernels.spmv_parallel if csr.n >= KRYLOV_PARALLEL_MIN_ROWS else _kernels.spmv

    def matvec(v):
        out = np.empty(csr.n)
        kernel(csr.indptr, csr.indices, csr.data, np.ascontiguousarray(v, np.float64), out)
        return out

    return matvec


def _preconditioner_operator(kind, param, ordering, solver: Solver):
    """``psolve(r) -> M^{-1} r`` for the generic loop."""
    if kind == "none":
        return None
    if kind == "jacobi":
        dinv = 1.0 / _positive_diagonal(solver, "Jacobi-preconditioned CG")
        return lambda r: dinv * r
    if kind == "ssor":
        return _ssor_operator(solver.csr, param, ordering).matvec
    if kind == "amg":
        return solver.amg.preconditioner(solver.csr.matrix)
    M = param
    n = solver.n
    if callable(M) and not isinstance(M, LinearOperator) and not sp.issparse(M):
        return lambda r: np.asarray(M(r), dtype=np.float64).ravel()
    op = aslinearoperator(M)
    if op.shape != (n, n):
        raise ShapeError(f"M has shape {op.shape} but A is {n} x {n}")
    return lambda r: np.asarray(op.matvec(r), dtype=np.float64).ravel()


def _on_array_namespace(modules, csr, kind, omega, b, x, tol, maxiter, residuals, callback,
                        scale, on_gpu, bnorm):
    """CG by whole-array operations in ``modules`` (CuPy on a GPU; NumPy runs the same code
    in the tests), with no, Jacobi or multicolour SSOR preconditioning. Returns
    ``(x, k, code)``, ``x`` on the GPU if ``on_gpu``, else on the host."""
    to_dev = modules.asarray
    if kind == "ssor":
        csr.positive_diagonal("SSOR-preconditioned CG")
        colored = multicolor_pattern(csr).renumber(csr)
        A = modules.as_matrix(colored.matrix())
        blocks = [(s, e, None if L is None else modules.as_matrix(L),
                   None if U is None else modules.as_matrix(U))
                  for s, e, L, U in colored.color_blocks()]
        psolve = block_ssor(blocks, to_dev(colored.diagonal), omega)
        order = to_dev(colored.pattern.order)
        b, x = colored.to_colored(b), colored.to_colored(x)

        def original(v):
            out = modules.xp.empty_like(v)
            out[order] = v
            return out
    else:
        A = modules.as_matrix(csr.matrix)
        psolve = None
        if kind == "jacobi":
            dinv = to_dev(1.0 / csr.positive_diagonal("Jacobi-preconditioned CG"))

            def psolve(r):
                return dinv * r

        def original(v):
            return v
    report = None if callback is None else (lambda xk: callback(original(xk) / scale))
    x = to_dev(x)
    k, code = _generic(A.dot, psolve, to_dev(b), x, tol, maxiter, residuals, report,
                       modules.xp, bnorm=bnorm)
    x = original(x)
    modules.synchronize()
    return (x if on_gpu else to_host(x)), k, code


def _generic(matvec, psolve, b, x, tol, maxiter, residuals, callback, xp=np, *, bnorm):
    """The same iteration as the compiled kernels, one Python step at a time.

    Used for operators (LinearOperator A, AMG or user preconditioners), callbacks and the
    GPU (``xp`` is the array module of ``b`` and ``x``). Same rules: a negative curvature
    or ``r^T z`` means not SPD; one below ``TINY`` (zero or subnormal) is measured again on
    the vector scaled to unit size, where zero or a negative value means not SPD and a
    positive one underflow, which earns one restart from the true residual; a true residual
    above ``DIVERGENCE_FACTOR`` times the larger of the first one and ``bnorm`` is DIVERGED.
    """
    k = 0
    r = b - matvec(x)
    residuals[0] = float(xp.linalg.norm(r))
    limit = DIVERGENCE_FACTOR * max(residuals[0], bnorm)
    restart = True
    restarted_at = -1
    rho = 0.0
    p = None
    while True:
        rnorm = residuals[k]
        if rnorm > limit:
            return k, _kernels.DIVERGED
        if not np.isfinite(rnorm):
            return k, _kernels.BREAKDOWN
        if rnorm <= tol:
            return k, _kernels.CONVERGED
        if k >= maxiter:
            return k, _kernels.MAXITER
        z = r if psolve is None else psolve(r)
        rho_new = float(r @ z)
        if rho_new < 0.0 or rho_new < TINY and psolve is not None and _scaled(
                psolve, r, xp) <= 0.0:
            return k, _kernels.NOT_SPD_M
        if restart:
            if not rho_new >= TINY:
                return k, _kernels.BREAKDOWN
            p = z.copy()
            restart = False
            restarted_at = k
        elif rho_new >= TINY:
            p = z + (rho_new / rho) * p
        rho = rho_new
        q = matvec(p)
        pq = float(p @ q)
        if pq < 0.0 or pq < TINY and _scaled(matvec, p, xp) <= 0.0:
            return k, _kernels.NOT_SPD_A
        if not (pq >= TINY and rho >= TINY):
            if restarted_at == k or not np.isfinite(pq):
                return k, _kernels.BREAKDOWN
        else:
            alpha = rho / pq
            x += alpha * p
            r -= alpha * q
            k += 1
            residuals[k] = float(xp.linalg.norm(r))
            if callback is not None:
                callback(x)
            if not (residuals[k] <= tol or k >= maxiter or residuals[k] > limit):
                continue
        # Confirm with the true residual; on a mismatch it replaces the recursive one.
        r = b - matvec(x)
        residuals[k] = float(xp.linalg.norm(r))
        restart = True


def _scaled(operator, v, xp=np) -> float:
    """``w^T op(w)`` for ``w = s v``, ``s`` the power of two that brings ``max |v|`` into
    [0.5, 1) (see :func:`_kernels.scaled_curvature`); NaN if ``v`` is zero or not finite."""
    top = float(xp.abs(v).max())
    if not (top > 0.0 and np.isfinite(top)):
        return np.nan
    w = v * math.ldexp(1.0, -math.frexp(top)[1])
    return float(w @ xp.asarray(operator(w)).ravel())
