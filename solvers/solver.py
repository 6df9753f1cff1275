"""A prepared system: validate and convert ``A`` once, solve many right-hand sides and many
matrices of one sparsity pattern.

Simulation loops solve thousands of systems that share a pattern. A :class:`Solver` keeps
what does not change between their solves: the canonical CSR arrays and the diagonal, the
work vectors and the residual history, and, built when first needed, what depends on the
method (the multicolour renumbering, the SSOR scalings of each omega, an AMG hierarchy).
:meth:`Solver.update` takes the next matrix of a sequence; with the same pattern only the
values are refreshed. :func:`solvers.cg`, :func:`solvers.sor` and :func:`solvers.ssor` are
one-shot uses of a :class:`Solver`: one code path.
"""

from __future__ import annotations

import math
import numbers
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from ._kernels import load_vector, refresh_values
from ._sparse import CSRArrays, prepare_csr
from ._validate import as_vector, check_tolerances, scale_for
from .backend import is_gpu_array, to_host
from .errors import DTypeError, NonFiniteError, ParameterError, ShapeError
from .krylov._kernels import FULL
from .tuned import settle
from .tuned import solve as tuned_solve

INITIAL_HISTORY = 1024
"""Residual norms kept before the history first grows (it doubles as needed)."""

AMG_RULES = ("always", "never", "auto")


class ResidualHistory:
    """A growable history of residual norms: a solve stores ``maxiter + 1`` norms at most,
    but allocates only as many as it reaches (doubling), so a large ``maxiter`` costs
    nothing until it is used.

    Examples
    --------
    >>> h = ResidualHistory(4)
    >>> h[9] = 1.5
    >>> h[9], h.array.size >= 10
    (1.5, True)
    """

    def __init__(self, capacity: int = INITIAL_HISTORY):
        self.array = np.empty(max(int(capacity), 2))

    def grow(self, limit: int) -> np.ndarray:
        """Double the capacity (to at most ``limit``), keeping the values; the new array."""
        size = min(max(2 * self.array.size, 2), max(int(limit), self.array.size + 1))
        grown = np.empty(size)
        grown[: self.array.size] = self.array
        self.array = grown
        return grown

    def __setitem__(self, k: int, value: float) -> None:
        while k >= self.array.size:
            self.grow(2 * k + 2)
        self.array[k] = value

    def __getitem__(self, k: int) -> float:
        return float(self.array[k])


def run_resumable(kernel, history: ResidualHistory, maxiter: int):
    """Call ``kernel(residuals, start)`` until it stops for another reason than a full
    history (code ``FULL``); returns ``(k, code)``."""
    k, code = kernel(history.array, 0)
    while code == FULL:
        k, code = kernel(history.grow(maxiter + 1), k)
    return k, code


_WHOLE: dict = {}


def whole_block(n: int) -> np.ndarray:
    """``color_ptr`` of one block of ``n`` rows: a lexicographic sweep (kept per ``n``)."""
    ptr = _WHOLE.get(n)
    if ptr is None:
        ptr = _WHOLE[n] = np.array([0, n], dtype=np.int64)
    return ptr


def check_amg_rule(rule):
    """An AMG rebuild rule (see :class:`AMGReuse`), checked."""
    if isinstance(rule, str) and rule in AMG_RULES:
        return rule
    if isinstance(rule, numbers.Integral) and not isinstance(rule, bool) and rule >= 1:
        return int(rule)
    if (isinstance(rule, tuple) and len(rule) == 2 and rule[0] == "growth"
            and isinstance(rule[1], numbers.Real) and not isinstance(rule[1], bool)
            and math.isfinite(rule[1]) and rule[1] > 1.0):
        return ("growth", float(rule[1]))
    raise ParameterError(f"amg_rebuild must be 'always', 'never', 'auto', an integer k >= 1 "
                         f"or ('growth', factor > 1); got {rule!r}")


class AMGReuse:
    """An AMG hierarchy kept across the matrices of a sequence, rebuilt by a rule.

    Rules: "always" (at every new matrix), "never" (the first hierarchy serves the whole
    sequence), ``k`` (every k new matrices), ``("growth", f)`` (when a solve takes more than
    f times, and at least 2 more than, the iterations of the first solve after the last
    build), and "auto": when the time that the extra iterations (over that first solve's)
    have cost since the last build reaches the time the build took, the choice of a ski
    rental, which never pays more than twice the better of rebuilding and keeping. Its
    decisions follow measured times, so two runs can rebuild at different steps; the other
    rules are reproducible.
    """

    def __init__(self, rule):
        self.rule = check_amg_rule(rule)
        self.builds = 0
        self.reset()

    def reset(self) -> None:
        """Forget the hierarchy (the matrix has another pattern)."""
        self.apply = None
        self.changes = 0                  # new matrices since the last build
        self.reference = None             # (iterations, seconds per iteration) after it
        self.lost = 0.0                   # seconds the extra iterations cost since
        self.build_seconds = 0.0
        self.due = False

    def matrix_changed(self) -> None:
        self.changes += 1

    def preconditioner(self, matrix: sp.csr_matrix):
        """``M^{-1}`` of one V-cycle, (re)built here if the rule says so."""
        if self.apply is None or (self.changes and self._rebuild_now()):
            started = time.perf_counter()
            self.apply = build_amg(matrix.copy())
            self.reset_counts(time.perf_counter() - started)
        return self.apply

    def reset_counts(self, build_seconds: float) -> None:
        self.builds += 1
        self.changes, self.reference, self.lost, self.due = 0, None, 0.0, False
        self.build_seconds = build_seconds

    def _rebuild_now(self) -> bool:
        rule = self.rule
        if rule == "always":
            return True
        if isinstance(rule, int):
            return self.changes >= rule
        return self.due

    def observe(self, iterations: int, seconds: float) -> None:
        """Take the iterations and seconds of a solve preconditioned by the hierarchy."""
        if self.reference is None:
            self.reference = (max(int(iterations), 1), seconds / max(int(iterations), 1))
            return
        base, per_iteration = self.reference
        if isinstance(self.rule, tuple):
            self.due = iterations > self.rule[1] * base and iterations >= base + 2
        elif self.rule == "auto":
            self.lost += max(iterations - base, 0) * per_iteration
            self.due = self.lost >= self.build_seconds


class Solver:
    """A prepared system ``A``, solved by CG, SOR or SSOR for many right-hand sides, and
    updated to the next matrix of a sequence.

    Parameters
    ----------
    A : sparse matrix, ndarray or LinearOperator, shape (n, n)
        Any SciPy sparse format or a dense array (validated and converted once to canonical
        CSR), a CuPy matrix (kept on the host, moved to the GPU by the GPU solves), or, for
        CG only, a LinearOperator.
    amg_rebuild : "always", "never", "auto", int or ("growth", float)
        When ``M="amg"`` rebuilds its hierarchy after :meth:`update`: at every new matrix,
        never (the hierarchy of the first matrix serves the whole sequence), when the time
        lost to extra iterations reaches the time of a build ("auto"), every ``k`` updates,
        or when a solve takes more than ``factor`` times the iterations of the first solve
        after the last build (see :class:`AMGReuse`). A stale hierarchy is still a valid
        preconditioner: convergence is always judged on the true residual of the current
        matrix. The build's time is charged to the solve that makes it.

    Notes
    -----
    The solver owns copies of what it keeps: changing the caller's matrix in place after
    ``Solver(A)`` or ``update(A)`` changes nothing here; call :meth:`update` to solve with
    the new values. Work vectors are reused from one solve to the next, so a solver runs
    one solve at a time (use one solver per thread); every :class:`~solvers.Result` owns
    its arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from problems import poisson
    >>> A = poisson((32, 32)); b = A @ np.ones(A.shape[0])
    >>> solver = Solver(A)
    >>> solver.cg(b, M=("ssor", 1.5)).converged
    True
    >>> solver.update(2.0 * A)          # same pattern: only the values are refreshed
    True
    >>> bool(np.allclose(solver.cg(2.0 * b).x, 1.0))
    True
    """

    def __init__(self, A, *, amg_rebuild="always", copy=True):
        self.amg = AMGReuse(amg_rebuild)
        self.lease = None          # a configuration a tuned solve keeps (solvers.tuned.Lease)
        self._prepare(A, copy)

    # -- the matrix ------------------------------------------------------------------------

    def _prepare(self, A, copy: bool) -> None:
        """Validate and convert ``A``; on an error the solver is left as it was."""
        on_gpu = is_gpu_array(A)
        if isinstance(A, LinearOperator):
            if A.shape[0] != A.shape[1]:
                raise ShapeError(f"A must be square; got shape {A.shape}")
            if np.issubdtype(np.dtype(A.dtype), np.complexfloating):
                raise DTypeError(f"A is complex ({A.dtype}); only real systems are "
                                 "supported")
            operator, csr = A, None           # kept as given: an operator cannot be copied
        else:
            csr = prepare_csr(to_host(A))
            if copy and sp.issparse(A) and not on_gpu and _shares(csr, A):
                csr = _owned(csr)
            operator = None
        if A.shape[0] == 0:
            raise ShapeError(f"A is empty (shape {tuple(A.shape)}): a system needs at least "
                             f"one unknown")
        self.matrix_on_gpu, self.operator, self.csr = on_gpu, operator, csr
        self.n = int(A.shape[0])
        self.b_norm = math.nan
        self.pattern_cache: dict = {}
        self.values_cache: dict = {}
        self._work: dict = {}
        self.history = ResidualHistory(min(INITIAL_HISTORY, 10 * self.n + 1))
        self.state = np.zeros(4)
        self.amg.reset()

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.n)

    @property
    def amg_rebuild(self):
        """The AMG rebuild rule."""
        return self.amg.rule

    @property
    def amg_builds(self) -> int:
        """How many AMG hierarchies this solver has built."""
        return self.amg.builds

    def update(self, A, *, same_pattern=None) -> bool:
        """Take the next matrix of a sequence.

        Parameters
        ----------
        A : sparse matrix, ndarray or LinearOperator, shape (n, n)
            The new matrix. If it has the pattern of the current one (same shape, same
            stored positions once canonical) only its values are copied and checked (for
            NaN, and by the solves for their diagonal); otherwise the solver is prepared
            afresh, as by ``Solver(A)``.
        same_pattern : bool, optional
            True: a different pattern is an error (:class:`~solvers.ShapeError`) rather
            than a full preparation. False: prepare afresh without comparing.

        Returns
        -------
        bool
            True if only the values were refreshed.
        """
        if same_pattern is not False and self.csr is not None and self._refresh(A):
            self.values_cache.clear()
            self.amg.matrix_changed()
            return True
        if same_pattern:
            raise ShapeError("update(A, same_pattern=True): A does not have the sparsity "
                             "pattern (or shape) of the solver's matrix")
        self._prepare(A, copy=True)
        return False

    def _refresh(self, A) -> bool:
        """Copy the values of ``A`` if it has the current pattern; False if it has not."""
        if (isinstance(A, LinearOperator) or is_gpu_array(A)) or tuple(A.shape) != self.shape:
            return False
        old = self.csr
        if not (sp.issparse(A) and A.format == "csr" and A.dtype == np.float64
                and A.indices.dtype == old.matrix.indices.dtype
                and A.indptr.dtype == old.matrix.indptr.dtype):
            if not sp.issparse(A) and not isinstance(A, np.ndarray):
                return False
            A = prepare_csr(A).matrix
        # Equal to the solver's canonical pattern, A is canonical too: no format check.
        diagonal = np.empty(self.n)
        code = refresh_values(A.indptr.view(old.indptr.dtype),
                              A.indices.view(old.indices.dtype), np.ascontiguousarray(A.data),
                              old.indptr, old.indices, old.data, old.diagonal_positions,
                              diagonal)
        if code < 0:
            return False
        if code:
            raise NonFiniteError(f"A has {code} NaN or infinite entries")
        self.csr = old.with_values(old.data, diagonal)
        return True

    # -- what the solves share -------------------------------------------------------------

    def work(self, name: str) -> np.ndarray:
        """A work vector of length n kept between solves (its contents are garbage)."""
        w = self._work.get(name)
        if w is None:
            w = self._work[name] = np.empty(self.n)
        return w

    def work_set(self, name: str, count: int) -> tuple[np.ndarray, ...]:
        """``count`` work vectors kept between solves, as one tuple."""
        ws = self._work.get((name, count))
        if ws is None:
            ws = self._work[(name, count)] = tuple(self.work(f"{name}{i}")
                                                   for i in range(count))
        return ws

    def load(self, b, x0, rtol, atol):
        """Checked, scaled copies of ``b`` and ``x0`` in the solver's vectors, the stopping
        threshold and the scale (see :func:`solvers._validate.prepare_rhs`); ``b_norm``
        becomes ``||b||_2`` of the scaled ``b`` (zero exactly when ``b`` is)."""
        rtol, atol = check_tolerances(rtol, atol)
        bb, xx = self.work("b"), self.work("x")
        nonfinite, top, ss = load_vector(as_vector(_host(b), self.n, "b"), bb)
        if nonfinite:
            raise NonFiniteError("b has NaN or infinite entries")
        if x0 is None:
            xx.fill(0.0)
        elif load_vector(as_vector(_host(x0), self.n, "x0"), xx)[0]:
            raise NonFiniteError("x0 has NaN or infinite entries")
        scale = scale_for(top)
        if scale != 1.0:
            bb *= scale
            xx *= scale
            ss = float(np.dot(bb, bb))
        self.b_norm = math.sqrt(ss)
        return bb, xx, max(rtol * self.b_norm, atol * scale), scale

    # -- the solves ------------------------------------------------------------------------

    def cg(self, b, x0=None, *, rtol=1e-8, atol=0.0, maxiter=None, M=None, callback=None,
           backend=None, ordering="lexicographic"):
        """Preconditioned CG; the arguments and the :class:`~solvers.Result` of
        :func:`solvers.cg`."""
        return _method("cg")(self, b, x0, rtol=rtol, atol=atol, maxiter=maxiter, M=M,
                             callback=callback, backend=backend, started=time.perf_counter(),
                             ordering=ordering)

    def sor(self, b, x0=None, *, omega=1.0, sweep="forward", rtol=1e-8, atol=0.0,
            maxiter=10_000, callback=None, backend=None, ordering="lexicographic",
            coloring="auto"):
        """SOR; the arguments and the :class:`~solvers.Result` of :func:`solvers.sor`."""
        return _method("sor")(self, b, x0, omega=omega, sweep=sweep, rtol=rtol, atol=atol,
                       maxiter=maxiter, callback=callback, backend=backend,
                       ordering=ordering, coloring=coloring, started=time.perf_counter())

    def ssor(self, b, x0=None, *, omega=1.0, rtol=1e-8, atol=0.0, maxiter=10_000,
             callback=None, backend=None, ordering="lexicographic", coloring="auto"):
        """SSOR; the arguments and the :class:`~solvers.Result` of :func:`solvers.ssor`."""
        return self.sor(b, x0, omega=omega, sweep="symmetric", rtol=rtol, atol=atol,
                        maxiter=maxiter, callback=callback, backend=backend,
                        ordering=ordering, coloring=coloring)

    def solve(self, b, x0=None, *, config=None, tuner=None, context=None, rtol=1e-8, atol=0.0,
              maxiter=None, backstop=2.0, cost="seconds"):
        """Solve by a configuration: given, chosen by a tuner, or a sensible default.

        Parameters
        ----------
        b, x0 : array_like, shape (n,)
            Right-hand side and starting guess (zeros if None); ``x0`` is ignored by a
            direct solve.
        config : dict, optional
            The method, e.g. ``{"method": "ssor", "omega": 1.6}`` (see
            :mod:`solvers.methods`). Without it and without a tuner, a default for the
            matrix (:func:`solvers.methods.default_config`).
        tuner : object, optional
            A tuner over a configuration space (a :class:`tuner.Tuner` whose policy is
            ``tuner.default_policy(solvers.auto_space(solver))``, or any object with
            ``ask(context)``, ``tell(trial, cost, censored=)``, ``cancel(trial)`` and,
            for the backstop, ``best(context, exclude)``). The solve asks it for the
            configuration and tells it the cost.
        context : float, optional
            Describes the instance, for a contextual tuner.
        rtol, atol, maxiter
            As for :meth:`cg`.
        backstop : float > 1 or None
            A configuration the tuner explores may spend up to ``backstop`` times the
            estimated cost of the best configuration it knows for this context; then it is
            stopped, charged what it spent (a censored cost) and the solve is finished with
            that best configuration from where it stopped. Iterations are stopped; a
            setup (an AMG build, an LU factorization) runs to its end.
        cost : "seconds", "model" or callable
            What the tuner is told: the solve's wall-clock seconds, setup included
            ("seconds"); ``iterations x seconds per iteration + setups x seconds per
            setup`` with both calibrated on the family's first solves on this solver and
            then fixed ("model": reproducible, blind to a busy machine); or
            ``cost(result, config)``.

        Returns
        -------
        Result
            ``info["config"]`` names the configuration that produced ``x`` (e.g.
            ``"cg+ssor(omega=1.6)"``); ``info["abandoned"]`` the one the backstop or a
            failure stopped, if any. A matrix found not positive definite by CG is not an
            error while the tuner has a method that needs no CG: the CG families are
            excluded and the step finished by another.

        Notes
        -----
        Where a decision (ask, estimate, tell: tens of microseconds) would cost more than
        3% of a solve, the configuration chosen is kept for the next solves (up to 64,
        while the context stays within 1/16 of the policy's context interval) and the tuner
        is told their mean cost when it is let go (see :meth:`settle`). A configuration
        chosen to explore (not the tuner's best at the context) is never kept.

        Examples
        --------
        >>> import numpy as np, tuner
        >>> from problems import poisson
        >>> from solvers import Solver, auto_space
        >>> A = poisson((30, 30)); b = np.ones(A.shape[0])
        >>> solver = Solver(A)
        >>> solver.solve(b, config={"method": "ssor", "omega": 1.6}).info["config"]
        'cg+ssor(omega=1.6)'
        >>> t = tuner.Tuner(tuner.default_policy(auto_space(solver), seed=0))
        >>> results = [solver.solve(b, tuner=t) for _ in range(20)]
        >>> all(r.converged for r in results)
        True
        """
        return tuned_solve(self, b, x0, config=config, tuner=tuner, context=context, rtol=rtol,
                     atol=atol, maxiter=maxiter, backstop=backstop, cost=cost)

    def settle(self) -> None:
        """Tell the tuner of :meth:`solve` the cost of the configuration this solver still
        keeps, if any.

        Where a decision would cost more than a few percent of a solve (small, fast
        systems), :meth:`solve` keeps the configuration a tuner chose for several solves
        (up to 64, while the context stays close) and tells the tuner their mean cost when
        it lets go of it; until then that trial is outstanding. Call this at the end of a
        loop or before saving the tuner, so that it has learned from every solve.
        """
        settle(self)

    def __repr__(self) -> str:
        kind = "operator" if self.csr is None else f"nnz={self.csr.data.size}"
        return f"Solver(n={self.n}, {kind}, amg_rebuild={self.amg_rebuild!r})"


_METHODS: dict = {}


def _method(name: str):
    """The body of a solve (``run_cg``, ``run_sor``), imported on first use: their modules
    import this one."""
    run = _METHODS.get(name)
    if run is None:
        if name == "cg":
            from .krylov.cg import run_cg as run
        else:
            from .relaxation.sor import run_sor as run
        _METHODS[name] = run
    return run


def build_amg(A: sp.csr_matrix):
    """``M^{-1}`` of one V-cycle of PyAMG's smoothed aggregation on ``A``, the same at every
    build: PyAMG draws the start vectors of its spectral-radius estimates from NumPy's
    global generator, which is seeded here for the build and then restored."""
    import pyamg

    saved = np.random.get_state()  # noqa: NPY002 (PyAMG draws from the global generator)
    try:
        np.random.seed(0)  # noqa: NPY002
        return pyamg.smoothed_aggregation_solver(A).aspreconditioner().matvec
    finally:
        np.random.set_state(saved)  # noqa: NPY002


def _host(v):
    """``v`` on the host (a NumPy array passes untouched, without a look at its type's
    module)."""
    return v if type(v) is np.ndarray else to_host(v)


def on_gpu(solver: Solver, b, x0) -> bool:
    """Whether the solve's matrix, ``b`` or ``x0`` lives on a GPU."""
    return solver.matrix_on_gpu or (type(b) is not np.ndarray and is_gpu_array(b)) or (
        x0 is not None and type(x0) is not np.ndarray and is_gpu_array(x0))


def _shares(csr: CSRArrays, A) -> bool:
    """Whether the prepared arrays are (views of) the caller's."""
    mine = (csr.data, csr.indices, csr.indptr)
    theirs = [getattr(A, name, None) for name in ("data", "indices", "indptr")]
    return any(t is not None and np.may_share_memory(m, t) for m in mine for t in theirs)


def _owned(csr: CSRArrays) -> CSRArrays:
    M = csr.matrix.copy()
    unsigned = csr.indices.dtype
    return CSRArrays(M, M.indptr.view(unsigned), M.indices.view(unsigned), M.data)
