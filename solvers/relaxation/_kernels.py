"""Numba kernels of SOR/SSOR: fused sweeps over canonical CSR arrays.

A sweep also yields the true residual of the iterate it starts from: while row i is relaxed,
the entries left of the diagonal are summed twice, once with the new values (for the update)
and once with the previous iterate ``x_prev`` (for ``b - A x_prev``). The solver therefore
learns ``||r_k||`` during sweep k+1 and, when ``x_k`` meets the tolerance, returns ``x_k``
exactly from ``x_prev``: one pass over the matrix per sweep instead of two.

Rows are visited block by block: ``color_ptr`` cuts them into consecutive blocks whose rows
are not coupled to each other (the colours of a multicolour renumbering), relaxed in
parallel by the ``_parallel`` twins. ``color_ptr = [0, n]`` with the serial kernels is
lexicographic SOR (the serial kernels visit a block's rows in order, forward or backward).
"""

import numpy as np
from numba import njit, prange

from .._kernels import residual, serial_and_parallel

FORWARD, BACKWARD, SYMMETRIC = 0, 1, 2
RUNNING, CONVERGED, MAXITER, DIVERGED = 0, 1, 2, 3


def _sweep_forward(indptr, indices, data, diag_pos, w, b, x, x_prev, color_ptr):
    """One forward sweep ``x <- x + w * (b - A x)`` row by row; returns ``||b - A x_prev||^2``.

    ``w`` holds omega / A[i, i]. On return ``x_prev`` holds the iterate the sweep started from.
    """
    rr = 0.0
    for c in range(color_ptr.shape[0] - 1):
        rr += forward_block(indptr, indices, data, diag_pos, w, b, x, x_prev,
                             color_ptr[c], color_ptr[c + 1])
    return rr


def _forward_block(indptr, indices, data, diag_pos, w, b, x, x_prev, start, stop):
    rr = 0.0
    for i in prange(start, stop):
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


def _sweep_backward(indptr, indices, data, diag_pos, w, b, x, x_prev, color_ptr):
    """The mirror image of :func:`sweep_forward`: blocks, and rows in them, last to first."""
    rr = 0.0
    for c in range(color_ptr.shape[0] - 2, -1, -1):
        rr += backward_block(indptr, indices, data, diag_pos, w, b, x, x_prev,
                              color_ptr[c], color_ptr[c + 1])
    return rr


def _backward_block(indptr, indices, data, diag_pos, w, b, x, x_prev, start, stop):
    rr = 0.0
    for k in prange(start, stop):
        i = stop - 1 - (k - start)
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
def stop_code(rnorm, r0, tol, divtol, k, maxiter):
    """Whether iterate k, of residual norm ``rnorm``, ends the solve: DIVERGED (not finite,
    or grown past ``divtol`` times the first, ``r0``), CONVERGED, MAXITER, or RUNNING."""
    if not np.isfinite(rnorm) or rnorm > divtol * r0:
        return DIVERGED
    if rnorm <= tol:
        return CONVERGED
    if k >= maxiter:
        return MAXITER
    return RUNNING


def _iterate(indptr, indices, data, diag_pos, w, b, x, x_prev, color_ptr, mode, tol, divtol,
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
                rr = sweep_backward(indptr, indices, data, diag_pos, w, b, x, x_prev,
                                    color_ptr)
            else:
                rr = sweep_forward(indptr, indices, data, diag_pos, w, b, x, x_prev,
                                   color_ptr)
            rnorm = np.sqrt(rr)
        else:
            # The last allowed iterate: its residual alone, x_prev as scratch.
            rnorm = residual(indptr, indices, data, b, x, x_prev)
        residuals[k] = rnorm
        code = stop_code(rnorm, residuals[0], tol, divtol, k, maxiter)
        if code != RUNNING:
            if swept:
                x[:] = x_prev
            return k, code
        if mode == SYMMETRIC:
            sweep_backward(indptr, indices, data, diag_pos, w, b, x, x_prev, color_ptr)
        if k + 1 == stop:
            return stop, RUNNING
    return stop, RUNNING


forward_block, forward_block_parallel = serial_and_parallel(_forward_block)
backward_block, backward_block_parallel = serial_and_parallel(_backward_block)
sweep_forward, sweep_forward_parallel = serial_and_parallel(
    _sweep_forward, has_prange=False, forward_block=forward_block_parallel)
sweep_backward, sweep_backward_parallel = serial_and_parallel(
    _sweep_backward, has_prange=False, backward_block=backward_block_parallel)
iterate, iterate_parallel = serial_and_parallel(
    _iterate, has_prange=False, sweep_forward=sweep_forward_parallel,
    sweep_backward=sweep_backward_parallel)
