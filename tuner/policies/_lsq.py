"""Least squares from normal equations: the plain (minimum-norm) fit and the box-bounded refit.

A fit to data ``(F, y)`` is kept as its Gram matrix ``G = F^T F`` and moment ``h = F^T y``, so
refitting costs ``O(m^3)`` whatever the number of rows. The objective is
``||F theta - y||^2 = theta^T G theta - 2 h^T theta + y^T y``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import lsq_linear

#: Eigenvalues of ``G`` below this fraction of the largest are treated as zero (``F``'s
#: singular values below ``1e-6`` of its largest).
RCOND = 1e-12


def _range_factor(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``V`` and ``w`` with ``G ~= V diag(w) V^T`` on its numerical range (``w > 0``)."""
    w, V = np.linalg.eigh(G)
    keep = w > RCOND * max(float(w[-1]), 0.0) if w.size else np.zeros(0, dtype=bool)
    keep &= w > 0.0
    return V[:, keep], w[keep]


def min_norm_fit(G: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The minimum-norm least-squares solution ``pinv(G) h`` (``pinv(F) y`` in exact arithmetic).

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> min_norm_fit(F.T @ F, F.T @ y)
    array([1., 2.])
    """
    V, w = _range_factor(G)
    return V @ ((V.T @ h) / w)


def box_fit(G: np.ndarray, h: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Minimise ``theta^T G theta - 2 h^T theta`` subject to ``lb <= theta <= ub``.

    Coordinates with ``lb == ub`` are fixed; the rest is solved by bounded-variable least
    squares (``scipy.optimize.lsq_linear``, BVLS) on ``R theta ~ R^{-T} h`` with
    ``R = diag(sqrt(w)) V^T`` from ``G``'s eigendecomposition restricted to its range, which has
    the same minimisers.

    Examples
    --------
    >>> import numpy as np
    >>> G = np.eye(2); h = np.array([2.0, -0.5])          # unconstrained optimum (2, -0.5)
    >>> box_fit(G, h, np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    array([ 1. , -0.5])
    """
    theta = np.clip(np.zeros_like(h), lb, ub)
    free = lb < ub
    if not free.any():
        return theta
    fixed = ~free
    h_free = h[free] - G[np.ix_(free, fixed)] @ theta[fixed]
    V, w = _range_factor(G[np.ix_(free, free)])
    if w.size == 0:
        return theta
    root = np.sqrt(w)
    A = root[:, None] * V.T
    b = (V.T @ h_free) / root
    result = lsq_linear(A, b, bounds=(lb[free], ub[free]), method="bvls")
    theta[free] = np.clip(result.x, lb[free], ub[free])
    return theta


def squared_residual(theta: np.ndarray, G: np.ndarray, h: np.ndarray, yy: float) -> float:
    """``||F theta - y||^2`` from ``G``, ``h`` and ``yy = y^T y`` (clipped at zero)."""
    return max(float(theta @ G @ theta - 2.0 * h @ theta + yy), 0.0)
