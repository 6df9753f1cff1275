"""Multicolour SOR/SSOR written once against an array namespace (NumPy or CuPy).

The same algorithm as the Numba kernels on the renumbered matrix, one colour at a time as
whole-array operations: for the rows ``s:e`` of colour c, with ``L`` their columns of
earlier colours and ``U`` of later ones,

    u = b[s:e] - d[s:e] x[s:e] - U x[e:]          (forward sweep)
    x[s:e] += w[s:e] (u - L x[:s])

and the residual of the iterate the sweep started from, ``u - L x_prev[:s]``, comes with it
(``x_prev`` keeps the values each colour had before its update). The backward sweep mirrors
it. One scalar crosses to the host per iteration (the residual norm). Returns and stopping
rules are those of :func:`solvers.relaxation._kernels.iterate`.
"""

from __future__ import annotations

import math

from ._kernels import BACKWARD, MAXITER, RUNNING, SYMMETRIC, stop_code


def _sweep(blocks, d, w, b, x, x_prev, backward, measure):
    """One sweep; returns the device scalar ``||r(x_prev)||^2`` (0 when not measuring)."""
    rr = 0.0
    for s, e, lower, upper in (reversed(blocks) if backward else blocks):
        done, waiting = (upper, lower) if backward else (lower, upper)
        u = b[s:e] - d[s:e] * x[s:e]
        if waiting is not None:
            u -= waiting @ (x[:s] if backward else x[e:])
        t = u
        if done is not None:
            new = x[e:] if backward else x[:s]
            t = u - done @ new
            if measure:
                old = x_prev[e:] if backward else x_prev[:s]
                u = u - done @ old
        if measure:
            rr = rr + u @ u
        x_prev[s:e] = x[s:e]
        x[s:e] += w[s:e] * t
    return rr


def _residual_squared(blocks, d, b, x):
    rr = 0.0
    for s, e, lower, upper in blocks:
        r = b[s:e] - d[s:e] * x[s:e]
        if lower is not None:
            r -= lower @ x[:s]
        if upper is not None:
            r -= upper @ x[e:]
        rr = rr + r @ r
    return rr


def iterate(blocks, d, w, b, x, mode, tol, divtol, maxiter, residuals, callback=None):
    """Iterate until convergence, divergence or ``maxiter``; ``x`` is updated in place.

    ``blocks`` are the colour blocks of the renumbered matrix in the namespace of ``x``
    (see :meth:`~solvers.ordering.multicolor.MulticolorSystem.color_blocks`), ``d`` its
    diagonal and ``w = omega / d``. ``callback(x)`` runs after every iteration that did not
    stop. Returns ``(k, code)``.
    """
    x_prev = x.copy()
    for k in range(maxiter + 1):
        swept = k < maxiter
        if swept:
            rr = _sweep(blocks, d, w, b, x, x_prev, mode == BACKWARD, True)
        else:
            rr = _residual_squared(blocks, d, b, x)
        rnorm = math.sqrt(float(rr))
        residuals[k] = rnorm
        code = stop_code(rnorm, residuals[0], tol, divtol, k, maxiter)
        if code != RUNNING:
            if swept:
                x[:] = x_prev
            return k, code
        if mode == SYMMETRIC:
            _sweep(blocks, d, w, b, x, x_prev, True, False)
        if callback is not None:
            callback(x)
    return maxiter, MAXITER
