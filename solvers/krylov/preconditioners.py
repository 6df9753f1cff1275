"""Preconditioners for CG, each also usable as ``M`` in ``scipy.sparse.linalg.cg``."""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .._kernels import SWEEP_PARALLEL_MIN_ROWS
from .._sparse import CSRArrays, prepare_csr
from .._validate import check_omega
from ..errors import ParameterError
from ..ordering.multicolor import multicolor_pattern
from ..relaxation.sor import ORDERINGS
from . import _kernels


def ssor_preconditioner(A, omega=1.0, ordering="lexicographic") -> LinearOperator:
    """The SSOR preconditioner as an operator applying ``M^{-1}``.

    ``M = (D + omega L) D^{-1} (D + omega L)^T / (omega (2 - omega))`` with ``D`` the diagonal
    and ``L`` the strict lower triangle of ``A`` (symmetric, positive diagonal). Applying
    ``M^{-1}`` is one forward and one backward triangular sweep.

    Parameters
    ----------
    A : sparse matrix or ndarray, shape (n, n)
        Symmetric positive definite.
    omega : float
        Relaxation parameter in (0, 2).
    ordering : {"lexicographic", "multicolor"}
        The order of the rows in the sweeps (see :func:`solvers.sor`); ``"multicolor"``
        uses the ``"auto"`` colouring and every core.

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        ``M^{-1}``, in the convention of SciPy's ``M`` argument.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.sparse.linalg import cg as scipy_cg
    >>> from problems import poisson
    >>> A = poisson((16, 16)); b = np.ones(A.shape[0])
    >>> x, info = scipy_cg(A, b, rtol=1e-10, M=ssor_preconditioner(A, 1.5))
    >>> info, bool(np.linalg.norm(b - A @ x) <= 1e-10 * np.linalg.norm(b))
    (0, True)
    """
    omega = check_omega(omega)
    if ordering not in ORDERINGS:
        raise ParameterError(f"ordering must be one of {ORDERINGS}; got {ordering!r}")
    return _ssor_operator(prepare_csr(A), omega, ordering)


def _ssor_operator(csr: CSRArrays, omega: float, ordering="lexicographic") -> LinearOperator:
    csr.positive_diagonal("the SSOR preconditioner")
    work = np.empty(csr.n)
    if ordering == "multicolor":
        colored = multicolor_pattern(csr).renumber(csr)
        arrays = (*colored.arrays, colored.diagonal_positions)
        dinv = omega / colored.diagonal
        color_ptr = colored.pattern.color_ptr
        kernel = _kernels.ssor_apply_parallel if csr.n >= SWEEP_PARALLEL_MIN_ROWS \
            else _kernels.ssor_apply
        into, back = colored.to_colored, colored.to_original
    else:
        arrays = (csr.indptr, csr.indices, csr.data, csr.diagonal_positions)
        dinv = omega / csr.diagonal
        color_ptr = np.array([0, csr.n], dtype=np.int64)
        kernel = _kernels.ssor_apply
        into = back = None

    def apply(r):
        r = np.ascontiguousarray(np.ravel(r), dtype=np.float64)
        if into is not None:
            r = into(r)
        z = np.empty_like(r)
        kernel(*arrays, dinv, 2.0 - omega, r, z, work, color_ptr)
        return z if back is None else back(z)

    return LinearOperator((csr.n, csr.n), matvec=apply, dtype=np.float64)
