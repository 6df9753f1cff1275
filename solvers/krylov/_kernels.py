"""Numba kernels of conjugate gradients over canonical CSR arrays.

Whole solves run inside one compiled call (no Python between iterations). Kernels with
``prange`` loops exist in two flavours compiled from the same source: a serial one for small
systems, where threads cost more than they save, and a multithreaded one.
"""

import math

import numpy as np
from numba import njit, prange

from .._kernels import residual, residual_parallel, serial_and_parallel

CONVERGED, MAXITER, BREAKDOWN, NOT_SPD_A, NOT_SPD_M, FULL, DIVERGED = 1, 2, 3, 4, 5, 6, 7
"""Stop codes. FULL: the residual history is full; the caller grows it and calls again with
``start = k`` and the same work arrays and ``state``, and the solve goes on exactly as if it
had not stopped. DIVERGED: the true residual grew past ``divtol`` times the larger of the
first one and ``||b||``."""

TINY = float(np.finfo(np.float64).tiny)
"""The smallest normal float64. An inner product below it (a subnormal or zero) has lost
digits to underflow, so it is treated as underflow, never divided by."""


@njit(cache=True)
def scaled_curvature(indptr, indices, data, v):
    """``w^T A w`` for ``w = s v``, ``s`` the power of two that brings ``max |v|`` into
    [0.5, 1); NaN if ``v`` is zero or not finite.

    The curvature of the direction ``v`` measured where it cannot underflow (the scaling is
    exact): when ``v^T A v`` came out exactly zero, a positive value here says it underflowed,
    zero or a negative value that A is singular or indefinite along ``v``.
    """
    top = 0.0
    for i in range(v.shape[0]):
        a = abs(v[i])
        top = a if a > top else top
    if not (top > 0.0 and np.isfinite(top)):
        return np.nan
    s = math.ldexp(1.0, -math.frexp(top)[1])
    c = 0.0
    for i in range(v.shape[0]):
        row = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            row += data[jj] * (s * v[indices[jj]])
        c += (s * v[i]) * row
    return c


def _symmetry_probe(indptr, indices, data, u, v):
    """``(u^T A v, v^T A u, ||u|| ||A v|| + ||v|| ||A u||)`` in one pass over A: a random
    test of symmetry (the first two are equal when A is) and the scale of its rounding
    errors."""
    uav = 0.0
    vau = 0.0
    uu = 0.0
    vv = 0.0
    avav = 0.0
    auau = 0.0
    for i in prange(u.shape[0]):
        su = 0.0
        sv = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            j = indices[jj]
            a = data[jj]
            sv += a * v[j]
            su += a * u[j]
        uav += u[i] * sv
        vau += v[i] * su
        uu += u[i] * u[i]
        vv += v[i] * v[i]
        avav += sv * sv
        auau += su * su
    return uav, vau, np.sqrt(uu * avav) + np.sqrt(vv * auau)


def _spmv(indptr, indices, data, x, y):
    """``y = A x``."""
    for i in prange(y.shape[0]):
        s = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            s += data[p] * x[indices[p]]
        y[i] = s


def _pcg(indptr, indices, data, dinv, b, x, r, p, q, tol, divtol, bnorm, maxiter, residuals,
         start, state):
    """Conjugate gradients with ``z = dinv * r``, or ``z = r`` when ``dinv`` is None.

    ``dinv is None`` is resolved at compile time, so the unpreconditioned loops carry no
    branch. Stops when the recursively updated residual meets ``tol`` and the true residual
    ``b - A x`` confirms it; otherwise the true residual replaces the recursive one and the
    iteration restarts from the current ``x``. A recursive residual above ``divtol`` times
    the larger of the first one and ``bnorm`` (``||b||``) is checked the same way, and the
    solve stops as DIVERGED if the true one is above too. Returns ``(k, code)``;
    ``residuals[k]`` of the returned iterate is a true residual norm (unless it is NaN:
    BREAKDOWN).

    A negative ``p^T A p`` or ``r^T z`` proves A or M indefinite. A ``p^T A p`` below
    :data:`TINY` (zero or subnormal) is measured again on ``p`` scaled to unit size
    (:func:`scaled_curvature`): zero or negative there, A is singular or indefinite along
    ``p``; positive, the first one underflowed (a tiny residual). Underflow, of ``p^T A p``
    or of ``r^T z``, is answered by a restart from the true residual, or by BREAKDOWN when it
    happens right after a restart.

    ``start`` is 0 for a new solve, or the ``k`` of a FULL return to resume it: ``state``
    (three floats) keeps the scalars between the two calls.
    """
    n = b.shape[0]
    k = start
    if start == 0:
        restart = True
        restarted_at = -1
        rho = 0.0
        residuals[0] = residual(indptr, indices, data, b, x, r)
    else:
        rho, restart, restarted_at = state[0], state[1] != 0.0, int(state[2])
    limit = divtol * max(residuals[0], bnorm)
    while True:
        rnorm = residuals[k]
        if rnorm > limit:
            return k, DIVERGED
        if not np.isfinite(rnorm):
            return k, BREAKDOWN
        if rnorm <= tol:
            return k, CONVERGED
        if k >= maxiter:
            return k, MAXITER
        if k + 1 >= residuals.shape[0]:
            state[0], state[1], state[2] = rho, 1.0 if restart else 0.0, restarted_at
            return k, FULL
        if restart:
            rho = 0.0
            if dinv is None:
                for i in prange(n):
                    p[i] = r[i]
                    rho += r[i] * r[i]
            else:
                for i in prange(n):
                    p[i] = dinv[i] * r[i]
                    rho += r[i] * dinv[i] * r[i]
            if rho < 0.0:
                return k, NOT_SPD_M
            if not rho >= TINY:
                return k, BREAKDOWN
            restart = False
            restarted_at = k
        pq = 0.0
        for i in prange(n):
            s = 0.0
            for jj in range(indptr[i], indptr[i + 1]):
                s += data[jj] * p[indices[jj]]
            q[i] = s
            pq += s * p[i]
        if pq < 0.0 or pq < TINY and scaled_curvature(indptr, indices, data, p) <= 0.0:
            return k, NOT_SPD_A
        if not pq >= TINY and (restarted_at == k or not np.isfinite(pq)):
            return k, BREAKDOWN
        alpha = rho / pq if pq >= TINY else 0.0
        rr = 0.0
        rho_new = 0.0
        if dinv is None:
            for i in prange(n):
                x[i] += alpha * p[i]
                ri = r[i] - alpha * q[i]
                r[i] = ri
                rr += ri * ri
            rho_new = rr
        else:
            for i in prange(n):
                x[i] += alpha * p[i]
                ri = r[i] - alpha * q[i]
                r[i] = ri
                rr += ri * ri
                rho_new += ri * dinv[i] * ri
        if rho_new < 0.0:
            return k, NOT_SPD_M
        if pq >= TINY:
            k += 1
            residuals[k] = np.sqrt(rr)
        if (not pq >= TINY or not rho_new >= TINY or residuals[k] <= tol or k >= maxiter
                or residuals[k] > limit):
            # Confirm with the true residual; on a mismatch it replaces the recursive one.
            residuals[k] = residual(indptr, indices, data, b, x, r)
            restart = True
            continue
        beta = rho_new / rho
        rho = rho_new
        if dinv is None:
            for i in prange(n):
                p[i] = r[i] + beta * p[i]
        else:
            for i in prange(n):
                p[i] = dinv[i] * r[i] + beta * p[i]


spmv, spmv_parallel = serial_and_parallel(_spmv)
symmetry_probe, symmetry_probe_parallel = serial_and_parallel(_symmetry_probe)
pcg, pcg_parallel = serial_and_parallel(_pcg, residual=residual_parallel)


def _lower_solve(indptr, indices, data, diag_pos, dinv, r, y, color_ptr):
    """Solve ``(D/omega + L) y = r``, with ``dinv = omega / D``, block by block."""
    for c in range(color_ptr.shape[0] - 1):
        for i in prange(color_ptr[c], color_ptr[c + 1]):
            s = r[i]
            for p in range(indptr[i], diag_pos[i]):
                s -= data[p] * y[indices[p]]
            y[i] = s * dinv[i]


def _upper_solve(indptr, indices, data, diag_pos, dinv, r, y, color_ptr):
    """Solve ``(D/omega + U) y = r``, with ``dinv = omega / D``, blocks and rows reversed."""
    for c in range(color_ptr.shape[0] - 2, -1, -1):
        start, stop = color_ptr[c], color_ptr[c + 1]
        for k in prange(start, stop):
            i = stop - 1 - (k - start)
            s = r[i]
            for p in range(diag_pos[i] + 1, indptr[i + 1]):
                s -= data[p] * y[indices[p]]
            y[i] = s * dinv[i]


lower_solve, lower_solve_parallel = serial_and_parallel(_lower_solve)
upper_solve, upper_solve_parallel = serial_and_parallel(_upper_solve)


def _ssor_apply(indptr, indices, data, diag_pos, dinv, scale, r, z, work, color_ptr):
    """``z = M^{-1} r`` for ``M = (D/w + L) (D/w)^{-1} (D/w + U) / (2 - w)``.

    ``scale = 2 - omega``; ``work`` is scratch of length n.
    """
    lower_solve(indptr, indices, data, diag_pos, dinv, r, work, color_ptr)
    for i in prange(r.shape[0]):
        work[i] /= dinv[i]
    upper_solve(indptr, indices, data, diag_pos, dinv, work, z, color_ptr)
    for i in prange(r.shape[0]):
        z[i] *= scale


ssor_apply, ssor_apply_parallel = serial_and_parallel(
    _ssor_apply, lower_solve=lower_solve_parallel, upper_solve=upper_solve_parallel)


def _backward_block(indptr, indices, data, diag_pos, dinv, rbar, beta, p, t, start, stop):
    """Rows ``start:stop`` (last first) of ``p <- D/w rbar + beta p; t = Uw^{-1} p``."""
    for k in prange(start, stop):
        i = stop - 1 - (k - start)
        pi = rbar[i] / dinv[i] + beta * p[i]
        p[i] = pi
        s = pi
        for jj in range(diag_pos[i] + 1, indptr[i + 1]):
            s -= data[jj] * t[indices[jj]]
        t[i] = s * dinv[i]


def _forward_block(indptr, indices, data, diag_pos, dinv, kdiag, rbar, p, t, w, start, stop):
    """Rows ``start:stop`` of ``w = Lw^{-1} (p + K t)``; returns their share of ``p.(t + w)``
    and of ``||Lw rbar||^2``."""
    pq = 0.0
    rr = 0.0
    for i in prange(start, stop):
        s = p[i] + kdiag[i] * t[i]
        lr = rbar[i] / dinv[i]
        for jj in range(indptr[i], diag_pos[i]):
            j = indices[jj]
            s -= data[jj] * w[j]
            lr += data[jj] * rbar[j]
        w[i] = s * dinv[i]
        pq += p[i] * (t[i] + w[i])
        rr += lr * lr
    return pq, rr


EARLY_CHECK = 1.0
"""SSOR-PCG checks the true residual of a new iterate at once when its residual, predicted
from the preconditioned norm, is below this multiple of the tolerance."""


def _ssor_pcg(indptr, indices, data, diag_pos, dinv, kdiag, b, x, rbar, p, t, w, work, tol,
              divtol, bnorm, maxiter, residuals, color_ptr, start, state):
    """SSOR-preconditioned CG by Eisenstat's trick: no product with A inside the loop.

    With ``Lw = D/w + L``, ``Uw = D/w + U`` and ``K = (1 - 2/w) D``, so that
    ``A = Lw + Uw + K``, CG runs on ``Lw^{-1} A Uw^{-1}`` (preconditioned by ``D/w``), whose
    product with p is ``t + Lw^{-1} (p + K t)`` with ``t = Uw^{-1} p``: two triangular
    sweeps. The iterates are those of PCG with the SSOR preconditioner on ``A x = b``;
    ``x`` is updated directly (``x += alpha t``). ``dinv = w / D``, ``kdiag = K``.
    The triangular sweeps go block by block (``color_ptr``, as in the SOR kernels).

    The residual ``r = Lw rbar`` of ``x_k`` is measured inside the forward sweep of
    iteration k+1, so convergence is seen one sweep pair late and ``x_k`` (not yet updated)
    is returned. Returns ``(k, code)`` like :func:`pcg`, with the same rules for divergence
    and for a zero curvature, whose scaled measure is ``t^T A t`` (equal to
    ``p^T Lw^{-1} A Uw^{-1} p`` for symmetric A, as ``Uw = Lw^T``). For tiny omega, ``K``
    grows like ``1/omega`` and ``t + w`` cancels: the caller keeps omega above
    ``EISENSTAT_MIN_OMEGA``.

    ``start`` and ``state`` (four floats) resume a FULL return, as in :func:`pcg`.
    """
    n = b.shape[0]
    blocks = color_ptr.shape[0] - 1
    k = start
    if start == 0:
        rho = 0.0
        beta = 0.0
        residuals[0] = residual(indptr, indices, data, b, x, work)
        if not np.isfinite(residuals[0]):
            return 0, BREAKDOWN
        if residuals[0] <= tol:
            return 0, CONVERGED
        if maxiter == 0:
            return 0, MAXITER
        restart = True
        restarted_at = -1
    else:
        rho, beta, restart, restarted_at = state[0], state[1], state[2] != 0.0, int(state[3])
    limit = divtol * max(residuals[0], bnorm)
    while True:
        if k >= residuals.shape[0]:
            state[0], state[1], state[2], state[3] = rho, beta, 1.0 if restart else 0.0, \
                restarted_at
            return k, FULL
        if restart:
            lower_solve(indptr, indices, data, diag_pos, dinv, work, rbar, color_ptr)
            rho = 0.0
            for i in prange(n):
                rho += rbar[i] * rbar[i] / dinv[i]
            if not rho >= TINY:
                return k, BREAKDOWN
            beta = 0.0
            p[:] = 0.0
            restart = False
            restarted_at = k
        for c in range(blocks - 1, -1, -1):
            backward_block(indptr, indices, data, diag_pos, dinv, rbar, beta, p, t,
                           color_ptr[c], color_ptr[c + 1])
        pq = 0.0
        rr = 0.0
        for c in range(blocks):
            pq_c, rr_c = forward_block(indptr, indices, data, diag_pos, dinv, kdiag, rbar, p,
                                       t, w, color_ptr[c], color_ptr[c + 1])
            pq += pq_c
            rr += rr_c
        rnorm = residuals[0] if k == 0 else np.sqrt(rr)
        if k > 0:
            residuals[k] = rnorm
        if rnorm <= tol or k >= maxiter or rnorm > limit:
            true = residual(indptr, indices, data, b, x, work)
            residuals[k] = true
            if true <= tol:
                return k, CONVERGED
            if true > limit:
                return k, DIVERGED
            if not np.isfinite(true):
                return k, BREAKDOWN
            if k >= maxiter:
                return k, MAXITER
            if k > 0 and restarted_at != k:    # once: then the restarted step goes on
                restart = True
                continue
        if not np.isfinite(rnorm) or not np.isfinite(pq):
            return k, BREAKDOWN
        if pq < 0.0 or pq < TINY and scaled_curvature(indptr, indices, data, t) <= 0.0:
            return k, NOT_SPD_A
        if not pq >= TINY:  # underflow: restart from the true residual, once
            if restarted_at == k:
                return k, BREAKDOWN
            residuals[k] = residual(indptr, indices, data, b, x, work)
            restart = True
            continue
        alpha = rho / pq
        rho_new = 0.0
        for i in prange(n):
            x[i] += alpha * t[i]
            ri = rbar[i] - alpha * (t[i] + w[i])
            rbar[i] = ri
            rho_new += ri * ri / dinv[i]
        beta = rho_new / rho
        ratio = rnorm / np.sqrt(rho)           # ||r_k|| per unit of the preconditioned norm
        rho = rho_new
        k += 1
        # The residual of the new iterate is seen only in the next forward sweep. When its
        # preconditioned norm predicts convergence, one product with A checks it now and
        # spares that sweep pair; otherwise the iteration goes on as if nothing happened.
        if k < residuals.shape[0] and ratio * np.sqrt(rho) <= EARLY_CHECK * tol:
            true = residual(indptr, indices, data, b, x, work)
            if true <= tol:
                residuals[k] = true
                return k, CONVERGED
        if not rho >= TINY:  # the preconditioned norm underflowed: go on from the true residual
            residual(indptr, indices, data, b, x, work)
            restart = True


backward_block, backward_block_parallel = serial_and_parallel(_backward_block)
forward_block, forward_block_parallel = serial_and_parallel(_forward_block)
ssor_pcg, ssor_pcg_parallel = serial_and_parallel(
    _ssor_pcg, lower_solve=lower_solve_parallel, backward_block=backward_block_parallel,
    forward_block=forward_block_parallel, residual=residual_parallel)


@njit(cache=True, error_model="numpy")
def eisenstat_scalings(d, omega, dinv, kdiag):
    """Fill ``dinv = omega / d`` and ``kdiag = (1 - 2/omega) d`` (the scalings of
    :func:`ssor_pcg`) and return ``min(d)``, which must be positive."""
    c = 1.0 - 2.0 / omega
    low = np.inf
    for i in range(d.shape[0]):
        di = d[i]
        dinv[i] = omega / di
        kdiag[i] = c * di
        if di < low:
            low = di
    return low
