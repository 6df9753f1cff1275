"""Successive over-relaxation (SOR) and its symmetric form (SSOR) as standalone solvers."""

from __future__ import annotations

import time

import numpy as np

from .._kernels import SWEEP_PARALLEL_MIN_ROWS
from .._validate import check_callback, check_maxiter, check_omega
from ..backend import ArrayModules, check_backend, select, to_host
from ..errors import ParameterError
from ..ordering.multicolor import multicolor_pattern
from ..result import Result
from ..solver import INITIAL_HISTORY, ResidualHistory, Solver, on_gpu, whole_block
from . import _kernels, _multicolor_xp

SWEEPS = {"forward": _kernels.FORWARD, "backward": _kernels.BACKWARD,
          "symmetric": _kernels.SYMMETRIC}
_STATUS = {_kernels.CONVERGED: "converged", _kernels.MAXITER: "maxiter",
           _kernels.DIVERGED: "diverged"}

ORDERINGS = ("lexicographic", "multicolor")

#: A solve whose residual grows past this factor times the initial residual is stopped as
#: diverged. For SPD A the 2-norm residual of SOR can grow at most by sqrt(cond(A)), so this
#: never stops a convergent SOR with cond(A) < 1e16.
DIVERGENCE_FACTOR = 1e8


def sor(A, b, x0=None, *, omega=1.0, sweep="forward", rtol=1e-8, atol=0.0, maxiter=10_000,
        callback=None, backend=None, ordering="lexicographic", coloring="auto"):
    """Successive over-relaxation for ``A x = b``.

    Each iteration is one sweep ``x_i <- x_i + omega (b_i - sum_j A_ij x_j) / A_ii`` over the
    rows, using the values already updated in that sweep (Gauss-Seidel for ``omega = 1``).

    Parameters
    ----------
    A : sparse matrix or ndarray, shape (n, n)
        Any SciPy sparse format (converted once to canonical CSR) or a dense array. Every
        diagonal entry must be nonzero.
    b : ndarray, shape (n,)
        Right-hand side.
    x0 : ndarray, shape (n,), optional
        Starting guess (zeros by default). It is not modified.
    omega : float
        Relaxation parameter in the open interval (0, 2).
    sweep : {"forward", "backward", "symmetric"}
        Row order. ``"symmetric"`` is SSOR: a forward then a backward sweep per iteration.
    rtol, atol : float
        Stop when ``||b - A x||_2 <= max(rtol * ||b||_2, atol)`` (the true residual).
    maxiter : int
        Most iterations (sweeps, or sweep pairs for SSOR).
    callback : callable, optional
        Called as ``callback(xk)`` after each iteration that did not stop the solve.
    backend : {None, "cpu", "cupy"}
        Where to run: Numba kernels on the CPU, or CuPy on an NVIDIA GPU (multicolour
        ordering only). None: on the GPU when an input is a CuPy array, else on the CPU. The
        solution comes back where the inputs were (a CuPy array if any input was one).
    ordering : {"lexicographic", "multicolor"}
        The order of the rows in a sweep. ``"multicolor"`` relaxes the rows colour by colour
        (see ``coloring``), all rows of a colour at once, on every core: it is SOR on the
        matrix renumbered colour by colour, so its iterates differ from lexicographic SOR's
        (see Notes).
    coloring : {"auto", "red-black", "greedy"}, Coloring or array_like of int
        The colouring of a multicolour sweep (see :func:`solvers.color_rows`); ignored
        otherwise. A method name is computed once per sparsity pattern and cached.

    Returns
    -------
    Result
        ``x``, ``iterations``, ``converged``, ``residual_norm``, ``residuals``, ``status``
        (``"converged"``, ``"maxiter"`` or ``"diverged"``), ``seconds``.

    Raises
    ------
    ShapeError, DTypeError, NonFiniteError
        A not square, sizes that do not match, complex or non-numeric data, NaN or inf.
    ZeroDiagonalError
        A diagonal entry is zero or missing.
    ParameterError
        omega outside (0, 2), negative tolerances, a bad ``maxiter`` or ``sweep``.

    Notes
    -----
    Each sweep also computes the true residual of the iterate it starts from, so the
    convergence test costs no extra pass over ``A``; the last sweep, which overshoots, is
    undone exactly.

    Multicolour SOR is lexicographic SOR on ``P A P^T`` with ``P`` listing the rows colour
    by colour. For consistently ordered matrices (red-black on 5-point and 7-point stencils
    among them) its iteration matrix has the same spectrum as lexicographic SOR's, so the
    best omega and the rate are the same (Young's theory); with more colours (greedy
    colourings of other stencils) the iterates, the rate and the best omega can differ and
    a tuner should learn omega for the ordering it uses. Multicolour SSOR is a different
    preconditioner from lexicographic SSOR in every case and usually needs more iterations.

    Examples
    --------
    >>> import numpy as np
    >>> from problems import poisson
    >>> A = poisson((32, 32)); b = A @ np.ones(A.shape[0])
    >>> res = sor(A, b, omega=1.8)
    >>> res.converged, res.iterations < sor(A, b, omega=1.0).iterations
    (True, True)
    >>> bool(np.allclose(res.x, 1.0, atol=1e-6))
    True
    """
    started = time.perf_counter()
    return run_sor(Solver(A, copy=False), b, x0, omega=omega, sweep=sweep, rtol=rtol,
                   atol=atol, maxiter=maxiter, callback=callback, backend=backend,
                   ordering=ordering, coloring=coloring, started=started)


def run_sor(solver: Solver, b, x0, *, omega, sweep, rtol, atol, maxiter, callback, backend,
            ordering, coloring, started):
    """SOR/SSOR on a prepared system: the body of :func:`sor` and :meth:`Solver.sor`."""
    if sweep not in SWEEPS:
        raise ParameterError(f"sweep must be one of {tuple(SWEEPS)}; got {sweep!r}")
    if ordering not in ORDERINGS:
        raise ParameterError(f"ordering must be one of {ORDERINGS}; got {ordering!r}")
    if solver.csr is None:
        raise ParameterError("SOR needs the entries of A; got a LinearOperator")
    gpu = on_gpu(solver, b, x0)
    device = select(check_backend(backend, name="sor") or ("cupy" if gpu else "cpu"))
    omega = check_omega(omega)
    maxiter = check_maxiter(maxiter, 10_000)
    if callback is not None:
        callback = check_callback(callback)
    csr = solver.csr
    b, x, tol, scale = solver.load(b, x0, rtol, atol)
    _nonzero_diagonal(solver)
    info = {"method": "ssor" if sweep == "symmetric" else "sor", "omega": omega,
            "sweep": sweep, "ordering": ordering, "backend": device}
    if device == "cupy":
        if ordering != "multicolor":
            raise ParameterError("on the GPU, SOR runs in multicolour order only: pass "
                                 "ordering='multicolor'")
        return _on_array_namespace(ArrayModules("cupy"), csr, b, x, omega, sweep, coloring,
                                   tol, scale, maxiter, callback, info, started, gpu)

    kernel = _kernels.iterate
    if ordering == "multicolor":
        from ..krylov.cg import colored_system

        colored = colored_system(solver, coloring)
        arrays = (*colored.arrays, colored.diagonal_positions,
                  _relaxation(solver, omega, colored.diagonal, "sor multicolor"))
        b, x = colored.to_colored(b), colored.to_colored(x)
        color_ptr = colored.pattern.color_ptr
        if csr.n >= SWEEP_PARALLEL_MIN_ROWS:
            kernel = _kernels.iterate_parallel
        original = colored.to_original
    else:
        arrays = (csr.indptr, csr.indices, csr.data, csr.diagonal_positions,
                  _relaxation(solver, omega, csr.diagonal, "sor"))
        color_ptr = whole_block(csr.n)
        original = None
    x_prev = solver.work("x_prev")
    history = solver.history
    args = (*arrays, b, x, x_prev, color_ptr, SWEEPS[sweep], tol, DIVERGENCE_FACTOR)
    step = maxiter + 1 if callback is None else 1
    k, code = 0, _kernels.RUNNING
    while code == _kernels.RUNNING:           # a chunk per callback, or per full history
        if k + 1 >= history.array.size:
            history.grow(maxiter + 1)
        stop = min(k + step, maxiter + 1, history.array.size - 1)
        k, code = kernel(*args, k, stop, maxiter, history.array)
        if code == _kernels.RUNNING and callback is not None:
            callback((x if original is None else original(x)) / scale)

    x = x.copy() if original is None else original(x)
    if original is not None:
        info["colors"] = colored.pattern.coloring.n_colors
    return Result.from_iterations(x, k, _STATUS[code], history.array, scale=scale,
                                  started=started, info=info)


def _nonzero_diagonal(solver: Solver) -> None:
    """Check once per matrix values that no diagonal entry is zero."""
    if "nonzero diagonal" not in solver.values_cache:
        solver.csr.nonzero_diagonal("SOR")
        solver.values_cache["nonzero diagonal"] = True


def _relaxation(solver: Solver, omega: float, d: np.ndarray, key: str) -> np.ndarray:
    """``omega / d``, kept per omega while the values last."""
    cache = solver.values_cache
    w = cache.get((key, omega))
    if w is None:
        if len(cache) > 64:
            for stale in [k for k in cache if isinstance(k, tuple) and k[0] == key]:
                del cache[stale]
        w = cache[(key, omega)] = omega / d
    return w


def ssor(A, b, x0=None, *, omega=1.0, rtol=1e-8, atol=0.0, maxiter=10_000, callback=None,
         backend=None, ordering="lexicographic", coloring="auto"):
    """Symmetric SOR for ``A x = b``: one forward plus one backward sweep per iteration.

    Takes the same arguments and returns the same :class:`Result` as :func:`sor` (without
    ``sweep``).

    Examples
    --------
    >>> import numpy as np
    >>> from problems import poisson
    >>> A = poisson((16, 16)); b = A @ np.ones(A.shape[0])
    >>> res = ssor(A, b, omega=1.5)
    >>> res.status, res.info["method"]
    ('converged', 'ssor')
    """
    return sor(A, b, x0, omega=omega, sweep="symmetric", rtol=rtol, atol=atol, maxiter=maxiter,
               callback=callback, backend=backend, ordering=ordering, coloring=coloring)


def _on_array_namespace(modules, csr, b, x, omega, sweep, coloring, tol, scale, maxiter,
                        callback, info, started, on_gpu):
    """Multicolour SOR/SSOR by whole-array operations in ``modules`` (CuPy on a GPU; NumPy
    runs the same code in the tests). ``b``, ``x`` are the checked host vectors; the
    solution comes back on the GPU if ``on_gpu``, else on the host."""
    colored = multicolor_pattern(csr, coloring).renumber(csr)
    to_dev = modules.asarray
    residuals = ResidualHistory(min(maxiter + 1, INITIAL_HISTORY))
    blocks = [(s, e, None if L is None else modules.as_matrix(L),
               None if U is None else modules.as_matrix(U))
              for s, e, L, U in colored.color_blocks()]
    d = to_dev(colored.diagonal)
    order = to_dev(colored.pattern.order)

    def original(v):
        out = modules.xp.empty_like(v)
        out[order] = v
        return out

    report = None if callback is None else (lambda xk: callback(original(xk) / scale))
    xc = to_dev(colored.to_colored(x))
    k, code = _multicolor_xp.iterate(blocks, d, to_dev(omega / colored.diagonal),
                                     to_dev(colored.to_colored(b)), xc, SWEEPS[sweep], tol,
                                     DIVERGENCE_FACTOR, maxiter, residuals, report)
    x = original(xc)
    modules.synchronize()
    if not on_gpu:
        x = to_host(x)
    info["colors"] = colored.pattern.coloring.n_colors
    return Result.from_iterations(x, k, _STATUS[code], residuals.array, scale=scale,
                                  started=started, info=info)
