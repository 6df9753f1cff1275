"""The one result type of every iterative solver in the suite."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

STATUSES = ("converged", "maxiter", "diverged", "breakdown")


@dataclass
class Result:
    """Outcome of an iterative solve.

    Attributes
    ----------
    x : ndarray
        The returned iterate (a new array; the caller's ``x0`` is never modified).
    iterations : int
        Iterations performed to reach ``x`` (sweeps for SOR, forward+backward pairs for SSOR).
    converged : bool
        True only if the true residual ``||b - A x||_2`` meets ``max(rtol * ||b||_2, atol)``.
    residual_norm : float
        ``||b - A x||_2`` of the returned ``x``.
    residuals : ndarray
        Residual norm history, entry k for iterate k (entry 0 is the starting guess).
    status : str
        One of ``"converged"``, ``"maxiter"``, ``"diverged"``, ``"breakdown"``.
    seconds : float
        Wall-clock time of the whole call, validation included.
    info : dict
        Solver-specific extras (e.g. the preconditioner used). Not SciPy's integer ``info``
        (a dict is true whenever it is not empty): that one is :attr:`scipy_info`.

    Examples
    --------
    >>> import numpy as np
    >>> r = Result(x=np.zeros(2), iterations=0, converged=True, residual_norm=0.0,
    ...            residuals=np.zeros(1), status="converged", seconds=0.0)
    >>> r.status, r.cost, r.scipy_info
    ('converged', 0, 0)
    """

    x: np.ndarray
    iterations: int
    converged: bool
    residual_norm: float
    residuals: np.ndarray
    status: str
    seconds: float
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}; got {self.status!r}")

    @classmethod
    def from_iterations(cls, x, k, status, residuals, *, scale=1.0, started=None, info=None):
        """Build the result of a run that stopped at iterate ``k``.

        ``x`` and ``residuals`` (history buffer) belong to the system scaled by ``scale``.
        """
        if scale != 1.0:
            x = x / scale
            residuals = residuals / scale
        return cls(x=x, iterations=int(k), converged=status == "converged",
                   residual_norm=float(residuals[k]), residuals=residuals[: k + 1].copy(),
                   status=status,
                   seconds=0.0 if started is None else time.perf_counter() - started,
                   info=info or {})

    @property
    def scipy_info(self) -> int:
        """The outcome as the integer ``info`` of ``scipy.sparse.linalg.cg`` and its kin.

        0: converged. Positive: stopped at ``maxiter`` without converging, the number of
        iterations done (at least 1, so that it never reads as success; SciPy returns
        ``maxiter``, the same number). Negative: ``-1`` for ``"breakdown"``, ``-2`` for
        ``"diverged"`` (SciPy's "illegal input or breakdown"; our solvers raise errors for
        illegal input instead).

        Examples
        --------
        >>> import numpy as np
        >>> from solvers import cg
        >>> A = np.array([[4.0, 1.0], [1.0, 3.0]]); b = np.array([1.0, 2.0])
        >>> cg(A, b).scipy_info, cg(A, b, maxiter=1).scipy_info
        (0, 1)
        """
        if self.converged:
            return 0
        if self.status == "maxiter":
            return max(int(self.iterations), 1)
        return -2 if self.status == "diverged" else -1

    def as_scipy(self) -> tuple[np.ndarray, int]:
        """``(x, info)``, what ``scipy.sparse.linalg.cg`` returns (see :attr:`scipy_info`).

        Examples
        --------
        >>> import numpy as np
        >>> from solvers import cg
        >>> x, info = cg(np.diag([2.0, 2.0]), np.array([2.0, 4.0])).as_scipy()
        >>> x.tolist(), info
        ([1.0, 2.0], 0)
        """
        return self.x, self.scipy_info

    @property
    def cost(self) -> int:
        """The iteration count, the cost a tuner is told."""
        return self.iterations

    def __repr__(self) -> str:
        return (
            f"Result(status={self.status!r}, iterations={self.iterations}, "
            f"residual_norm={self.residual_norm:.3e}, seconds={self.seconds:.3g}, n={self.x.size})"
        )
