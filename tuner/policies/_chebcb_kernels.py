"""Numba kernels of ChebCB's decision and update: features, inverse-gap weights, the refits."""

import numpy as np
from numba import njit

from ._lsq import _bounded_refit


@njit(cache=True)
def chebyshev_features(x, m):
    """``T_0(x) ... T_{m-1}(x)`` by the three-term recurrence."""
    f = np.empty(m)
    f[0] = 1.0
    if m > 1:
        f[1] = x
    for k in range(2, m):
        f[k] = 2.0 * x * f[k - 1] - f[k - 2]
    return f


@njit(cache=True)
def inverse_gap(y, eta):
    """``p_i = 1 / (d + eta (y_i - y*))`` off the best arm (first minimiser), the best the rest."""
    d = y.size
    best = 0
    for i in range(1, d):
        if y[i] < y[best]:
            best = i
    p = np.empty(d)
    total = 0.0
    for i in range(d):
        gap = y[i] - y[best]
        p[i] = 1.0 / (d + eta * gap) if gap > 0.0 else 1.0 / d
        if i != best:
            total += p[i]
    p[best] = 1.0 - total
    return p


@njit(cache=True)
def weights_at(theta, x, eta):
    """Inverse-gap weights of the predictions ``theta @ T(x)``."""
    return inverse_gap(theta @ chebyshev_features(x, theta.shape[1]), eta)


@njit(cache=True)
def accumulate(gram, moment, square, count, theta, arm, x, loss):
    """Add one observation ``(T(x), loss)`` to arm ``arm``'s normal equations; return the
    arm's prediction for it under its current coefficients."""
    f = chebyshev_features(x, theta.shape[1])
    m = f.size
    for a in range(m):
        moment[arm, a] += loss * f[a]
        for b in range(m):
            gram[arm, a, b] += f[a] * f[b]
    square[arm] += loss * loss
    count[arm] += 1
    return theta[arm] @ f


@njit(cache=True)
def refit(gram, moment, square, count, theta, residual, arm, everyone, scale, upper):
    """Refit arm ``arm`` (every arm played so far when ``everyone``) at ``scale``; return the
    arms whose bounded fit did not settle (to be redone outside)."""
    failed = []
    for i in range(theta.shape[0]):
        if (everyone and count[i] > 0) or i == arm:
            th, res, ok = _bounded_refit(gram[i], moment[i] / scale, square[i] / scale**2, upper)
            theta[i] = th
            residual[i] = res
            if not ok:
                failed.append(i)
    return np.array(failed, dtype=np.int64)
