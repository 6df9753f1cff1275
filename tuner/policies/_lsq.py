"""Least squares from normal equations: the plain (minimum-norm) fit and the box-bounded refit.

A fit to data ``(F, y)`` is kept as its Gram matrix ``G = F^T F`` and moment ``h = F^T y``, so
refitting costs ``O(m^3)`` whatever the number of rows. The objective is
``||F theta - y||^2 = theta^T G theta - 2 h^T theta + y^T y``.

The kernels are compiled: ChebCB refits after every cost, and a bounded refit by
``scipy.optimize.lsq_linear`` costs about half a millisecond, ten times the rest of a decision.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Eigenvalues of ``G`` below this fraction of the largest are treated as zero (``F``'s
#: singular values below ``1e-6`` of its largest).
RCOND = 1e-12

#: Active-set iterations before the bounded fit gives up (it then reports failure).
_MAX_ACTIVE_SET_STEPS = 100


@njit(cache=True)
def _solve_on(G, rhs, free):
    """Minimum-norm solution of ``G[free][:, free] z = rhs[free]``, scattered into a full vector
    (zero outside ``free``); eigenvalues below ``RCOND`` of the largest are dropped."""
    m = G.shape[0]
    idx = np.flatnonzero(free)
    k = idx.size
    out = np.zeros(m)
    if k == 0:
        return out
    sub = np.empty((k, k))
    r = np.empty(k)
    for a in range(k):
        r[a] = rhs[idx[a]]
        for b in range(k):
            sub[a, b] = G[idx[a], idx[b]]
    w, V = np.linalg.eigh(sub)
    top = max(w[k - 1], 0.0)
    coef = V.T @ r
    for a in range(k):
        coef[a] = coef[a] / w[a] if (w[a] > RCOND * top and w[a] > 0.0) else 0.0
    z = V @ coef
    for a in range(k):
        out[idx[a]] = z[a]
    return out


@njit(cache=True)
def _min_norm_fit(G, h):
    return _solve_on(G, h, np.ones(G.shape[0], dtype=np.bool_))


def min_norm_fit(G: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The minimum-norm least-squares solution ``pinv(G) h`` (``pinv(F) y`` in exact arithmetic).

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> min_norm_fit(F.T @ F, F.T @ y).round(12)
    array([1., 2.])
    """
    return _min_norm_fit(_as_float(G), _as_float(h))


def _as_float(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


@njit(cache=True)
def _box_fit(G, h, lb, ub):
    """Primal active-set method; returns ``(theta, converged)``."""
    m = h.size
    theta = _min_norm_fit(G, h)
    # state: 0 free, -1 held at the lower bound, +1 held at the upper bound
    state = np.zeros(m, dtype=np.int64)
    for i in range(m):
        if lb[i] == ub[i] or theta[i] <= lb[i]:
            theta[i], state[i] = lb[i], -1
        elif theta[i] >= ub[i]:
            theta[i], state[i] = ub[i], 1
    size = 0.0
    for i in range(m):
        size = max(size, abs(h[i]))
        for j in range(m):
            size = max(size, abs(G[i, j]) * max(abs(lb[j]), abs(ub[j])))
    tol = 1e-13 * size
    for _ in range(_MAX_ACTIVE_SET_STEPS):
        free = state == 0
        rhs = h - G @ np.where(free, 0.0, theta)
        z = _solve_on(G, rhs, free)
        alpha, block, block_state = 1.0, -1, 0
        for i in range(m):
            if not free[i]:
                continue
            p = z[i] - theta[i]
            if p < 0.0 and theta[i] + p < lb[i]:
                step = (lb[i] - theta[i]) / p
                if step < alpha:
                    alpha, block, block_state = step, i, -1
            elif p > 0.0 and theta[i] + p > ub[i]:
                step = (ub[i] - theta[i]) / p
                if step < alpha:
                    alpha, block, block_state = step, i, 1
        for i in range(m):
            if free[i]:
                theta[i] = min(max(theta[i] + alpha * (z[i] - theta[i]), lb[i]), ub[i])
        if block >= 0:
            theta[block] = lb[block] if block_state == -1 else ub[block]
            state[block] = block_state
            continue
        # optimal on the free set: release the bound with the most wrongly signed gradient
        g = G @ theta - h
        worst, release = tol, -1
        for i in range(m):
            if lb[i] == ub[i]:
                continue
            if state[i] == -1 and -g[i] > worst:
                worst, release = -g[i], i
            elif state[i] == 1 and g[i] > worst:
                worst, release = g[i], i
        if release < 0:
            return theta, True
        state[release] = 0
    return theta, False


def box_fit(G: np.ndarray, h: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Minimise ``theta^T G theta - 2 h^T theta`` subject to ``lb <= theta <= ub``.

    A primal active-set method from the clipped minimum-norm fit: solve for the free
    coordinates with the others held at their bounds, step towards that solution until a
    bound blocks, and release the held coordinate whose gradient points most into the box
    when none does. Each subproblem is a minimum-norm solve, so a rank-deficient ``G``
    (fewer distinct contexts than features) is handled. Should the method not settle (it
    always has in tests), the same problem is handed to ``scipy.optimize.lsq_linear``.

    Examples
    --------
    >>> import numpy as np
    >>> G = np.eye(2); h = np.array([2.0, -0.5])          # unconstrained optimum (2, -0.5)
    >>> box_fit(G, h, np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    array([ 1. , -0.5])
    """
    G, h, lb, ub = _as_float(G), _as_float(h), _as_float(lb), _as_float(ub)
    theta, converged = _box_fit(G, h, lb, ub)
    return theta if converged else _box_fit_bvls(G, h, lb, ub)


@njit(cache=True)
def _squared_residual(theta, G, h, yy):
    return max(theta @ (G @ theta) - 2.0 * (h @ theta) + yy, 0.0)


@njit(cache=True)
def _bounded_refit(G, h, yy, upper):
    """ChebCB's refit: the minimum-norm fit, redone inside ``|theta| <= upper`` if it leaves
    that box; returns ``(theta, squared residual, converged)``."""
    theta = _min_norm_fit(G, h)
    converged = True
    if np.any(np.abs(theta) > upper):
        theta, converged = _box_fit(G, h, -upper, upper)
    return theta, _squared_residual(theta, G, h, yy), converged


def bounded_refit(G, h, yy: float, upper) -> tuple[np.ndarray, float]:
    """The least-squares fit within ``|theta| <= upper`` and its squared residual.

    The unbounded minimum-norm fit when it lies in the box, else :func:`box_fit`.

    Examples
    --------
    >>> import numpy as np
    >>> theta, r = bounded_refit(np.eye(2), np.array([2.0, -0.5]), 5.0, np.array([1.0, 1.0]))
    >>> theta.tolist(), float(r)
    ([1.0, -0.5], 1.75)
    """
    G, h, upper = _as_float(G), _as_float(h), _as_float(upper)
    theta, residual, converged = _bounded_refit(G, h, float(yy), upper)
    if not converged:
        theta = _box_fit_bvls(G, h, -upper, upper)
        residual = _squared_residual(theta, G, h, float(yy))
    return theta, float(residual)


def _box_fit_bvls(G, h, lb, ub):
    """The bounded fit by BVLS on ``R theta ~ R^{-T} h``, ``G = R^T R`` on its range."""
    from scipy.optimize import lsq_linear

    w, V = np.linalg.eigh(G)
    keep = (w > RCOND * max(float(w[-1]), 0.0)) & (w > 0.0)
    if not keep.any():
        return np.clip(np.zeros_like(h), lb, ub)
    root = np.sqrt(w[keep])
    A = root[:, None] * V[:, keep].T
    b = (V[:, keep].T @ h) / root
    free = lb < ub
    x = np.clip(np.zeros_like(h), lb, ub)
    if free.any():
        res = lsq_linear(A[:, free], b - A[:, ~free] @ x[~free], bounds=(lb[free], ub[free]),
                         method="bvls")
        x[free] = np.clip(res.x, lb[free], ub[free])
    return x
