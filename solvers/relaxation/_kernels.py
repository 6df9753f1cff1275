"""Numba kernels of SOR/SSOR: fused sweeps over canonical CSR arrays.

A sweep also yields the true residual of the iterate it starts from: while row i is relaxed,
the entries left of the diagonal are summed twice, once with the new values (for the update)
and once with the previous iterate ``x_prev`` (for ``b - A x_prev``). The solver therefore
learns ``||r_k||`` during sweep k+1 and, when ``x_k`` meets the tolerance, returns ``x_k``
exactly from ``x_prev``: one pass over the matrix per sweep instead of two.
"""

import numpy as np
from numba import njit

from .._kernels import residual

FORWARD, BACKWARD, SYMMETRIC = 0, 1, 2
RUNNING, CONVERGED, MAXITER, DIVERGED = 0, 1, 2, 3


@njit(cache=True)
def sweep_forward(indptr, indices, data, diag_pos, w, b, x, x_prev):
    """One forward sweep ``x <- x + w * (b - A x)`` row by row; returns ``||b - A x_prev||^2``.

    ``w`` holds omega / A[i, i]. On return ``x_prev`` holds the iterate the sweep started from.
    """
    rr = 0.0
    for i in range(b.shape[0]):
        d = diag_pos[i]
        # Right of the diagonal (and the diagonal) the values are still the old ones.
        upper = b[i]
        for p in range(d, indptr[i + 1]):
            upper -= data[p] * x[indices[p]]
        lower_new = 0.0
        lower_old = 0.0
        for p in range(indptr[i], d):
            j = indices[p]
            lower_new += data[p] * x[j]
            lower_old += data[p] * x_prev[j]
        r_old = upper - lower_old
        rr += r_old * r_old
        x_prev[i] = x[i]
        x[i] += w[i] * (upper - lower_new)
    return rr


@njit(cache=True)
def sweep_backward(indptr, indices, data, diag_pos, w, b, x, x_prev):
    """The mirror image of :func:`sweep_forward`, rows from last to first."""
    rr = 0.0
    for i in range(b.shape[0] - 1, -1, -1):
        d = diag_pos[i]
        lower = b[i]
        for p in range(indptr[i], d + 1):
            lower -= data[p] * x[indices[p]]
        upper_new = 0.0
        upper_old = 0.0
        for p in range(d + 1, indptr[i + 1]):
            j = indices[p]
            upper_new += data[p] * x[j]
            upper_old += data[p] * x_prev[j]
        r_old = lower - upper_old
        rr += r_old * r_old
        x_prev[i] = x[i]
        x[i] += w[i] * (lower - upper_new)
    return rr


@njit(cache=True)
def iterate(indptr, indices, data, diag_pos, w, b, x, x_prev, mode, tol, divtol,
            start, stop, maxiter, residuals):
    """Run iterations ``start+1 .. stop`` of SOR (mode FORWARD/BACKWARD) or SSOR (SYMMETRIC).

    ``residuals[k]`` receives ``||r_k||``, known one sweep after ``x_k``. Returns
    ``(k, code)``: on CONVERGED, MAXITER or DIVERGED, ``x`` holds iterate k exactly; on
    RUNNING (``stop`` reached first), ``x`` holds iterate ``stop`` and k = stop.
    """
    for k in range(start, stop + 1):
        swept = k < maxiter
        if swept:
            # This sweep turns x_k into x_{k+1} and measures ||r_k||.
            if mode == BACKWARD:
                rr = sweep_backward(indptr, indices, data, diag_pos, w, b, x, x_prev)
            else:
                rr = sweep_forward(indptr, indices, data, diag_pos, w, b, x, x_prev)
            rnorm = np.sqrt(rr)
        else:
            # The last allowed iterate: its residual alone, x_prev as scratch.
            rnorm = residual(indptr, indices, data, b, x, x_prev)
        residuals[k] = rnorm
        code = RUNNING
        if not np.isfinite(rnorm) or rnorm > divtol * residuals[0]:
            code = DIVERGED
        elif rnorm <= tol:
            code = CONVERGED
        elif k >= maxiter:
            code = MAXITER
        if code != RUNNING:
            if swept:
                x[:] = x_prev
            return k, code
        if mode == SYMMETRIC:
            sweep_backward(indptr, indices, data, diag_pos, w, b, x, x_prev)
        if k + 1 == stop:
            return stop, RUNNING
    return stop, RUNNING
