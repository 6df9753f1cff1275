"""Numba kernels of the samplers: the inverse CDF of phi_k^2 dmu and the DPP chain rules.

Plain loops over arrays; no Python objects. ``kind`` codes are those of :mod:`.families`.
"""

import math

import numpy as np
from numba import njit

_SQRT_2PI = math.sqrt(2.0 * math.pi)


@njit(cache=True)
def _phi_squared(x, k, a, b, start=1.0):
    """``(start phi_k(x))^2`` for the orthonormal polynomials with recurrence coefficients
    a, b (the recurrence is linear: starting from ``start`` scales every phi_k)."""
    prev = 0.0
    cur = start
    for j in range(k):
        nxt = ((x - a[j]) * cur - b[j] * prev) / b[j + 1]
        prev = cur
        cur = nxt
    return cur * cur


@njit(cache=True)
def induced_density(t, k, kind, a, b):
    """The density of phi_k^2 dmu in the variable t of the family (see families.py)."""
    if kind == 0:      # uniform on [-1, 1], x = -cos t
        return 0.5 * _phi_squared(-math.cos(t), k, a, b) * math.sin(t)
    if kind == 1:      # arcsine on [-1, 1], x = -cos t
        return _phi_squared(-math.cos(t), k, a, b) / math.pi
    if kind == 2:      # N(0, 1), x = t; phi_k(t) exp(-t^2 / 4) stays bounded
        return _phi_squared(t, k, a, b, math.exp(-0.25 * t * t)) / _SQRT_2PI
    # Fourier on [0, 1): 1, 2 cos^2(2 pi f t), 2 sin^2(2 pi f t)
    if k == 0:
        return 1.0
    f = (k + 1) // 2
    if k % 2 == 1:
        c = math.cos(2.0 * math.pi * f * t)
    else:
        c = math.sin(2.0 * math.pi * f * t)
    return 2.0 * c * c


@njit(cache=True)
def _integral(t0, t, k, kind, a, b, gx, gw):
    """Gauss-Legendre integral of the density over [t0, t]."""
    half = 0.5 * (t - t0)
    mid = 0.5 * (t + t0)
    s = 0.0
    for j in range(gx.shape[0]):
        s += gw[j] * induced_density(mid + half * gx[j], k, kind, a, b)
    return s * half


@njit(cache=True)
def induced_inverse_cdf(u, degrees, kind, a, b, edges, cdf, gx, gw, out):
    """``out[i]`` = F_k^{-1}(u[i]) with k = degrees[i], F_k the CDF of phi_k^2 dmu in t.

    ``cdf[k, c]`` is F_k at ``edges[c]`` (exact up to rounding; see induced.py). The cell
    holding u is found by bisection; inside it, Newton's method on the exact CDF (the cell's
    left value plus a Gauss-Legendre integral) with a bisection safeguard, to full precision.
    """
    ncell = edges.shape[0] - 1
    for i in range(u.shape[0]):
        k = degrees[i]
        target = u[i] * cdf[k, ncell]
        lo_c = 0
        hi_c = ncell
        while hi_c - lo_c > 1:
            mid = (lo_c + hi_c) // 2
            if cdf[k, mid] <= target:
                lo_c = mid
            else:
                hi_c = mid
        t0 = edges[lo_c]
        t1 = edges[lo_c + 1]
        rest = target - cdf[k, lo_c]
        mass = cdf[k, lo_c + 1] - cdf[k, lo_c]
        lo = t0
        hi = t1
        t = t0 + (t1 - t0) * (rest / mass if mass > 0.0 else 0.5)
        if t >= t1 or t <= t0:
            t = 0.5 * (t0 + t1)
        for _ in range(200):
            g = _integral(t0, t, k, kind, a, b, gx, gw) - rest
            if abs(g) <= 1e-16:          # CDFs are normalised to 1: u is met to 1e-16
                break
            if g > 0.0:
                hi = t
            else:
                lo = t
            if hi - lo <= 4e-16 * max(abs(t), 1.0):
                break
            dens = induced_density(t, k, kind, a, b)
            new = t - g / dens if dens > 0.0 else lo - 1.0
            if not (lo < new < hi):
                new = 0.5 * (lo + hi)
            t = new
        out[i] = t


@njit(cache=True)
def legendre_envelope_ratio(x, degrees, a, b, out):
    """``out[i]`` = phi_k(x_i)^2 (1/2) / (2 / (pi sqrt(1 - x_i^2))), k = degrees[i]: the
    density of phi_k^2 dmu (mu uniform on [-1, 1]) over twice the arcsine density, which
    bounds it (Bernstein's inequality in the form (1 - x^2)^(1/4) |P_k(x)| <=
    sqrt(2 / (pi (k + 1/2))), Antonov-Kholshevnikov / Lorch)."""
    for i in range(x.shape[0]):
        out[i] = 0.25 * math.pi * _phi_squared(x[i], degrees[i], a, b) * math.sqrt(
            max(1.0 - x[i] * x[i], 0.0))


@njit(cache=True)
def _append_orthonormal(Q, count, v):
    """Orthogonalise v against the rows ``Q[:count]`` (Gram-Schmidt twice, for
    orthogonality to rounding) and store it normalised in ``Q[count]``."""
    m = v.shape[0]
    for _ in range(2):
        for l in range(count):
            s = 0.0
            for j in range(m):
                s += Q[l, j] * v[j]
            for j in range(m):
                v[j] -= s * Q[l, j]
    norm = 0.0
    for j in range(m):
        norm += v[j] * v[j]
    norm = math.sqrt(norm)
    for j in range(m):
        Q[count, j] = v[j] / norm


@njit(cache=True, fastmath=True)       # lets the dot products use SIMD
def chain_rule_accept(Phi, kvals, u, Q, count, target, accepted):
    """Rejection steps of the continuous projection-DPP chain rule over a batch of proposals.

    Proposal i (features ``Phi[i]``, ``kvals[i] = ||Phi[i]||^2``, drawn from k_m / m) is
    accepted when ``u[i] kvals[i] < ||(I - P) Phi[i]||^2``, P the projector onto the span of
    the accepted features, whose orthonormal basis is ``Q[:count]``. An accepted proposal's
    index goes to ``accepted[count]`` and its normalised residual (orthogonalised twice) to
    ``Q[count]``. Stops when ``count == target`` or the batch is used up.
    Returns ``(count, proposals used)``.
    """
    B, m = Phi.shape
    r = np.empty(m)
    for i in range(B):
        if count >= target:
            return count, i
        # ||(I - P) phi||^2 = ||phi||^2 - sum_l (q_l . phi)^2: dot products only, to decide
        r2 = kvals[i]
        for l in range(count):
            s = 0.0
            for j in range(m):
                s += Q[l, j] * Phi[i, j]
            r2 -= s * s
        if u[i] * kvals[i] < r2:
            for j in range(m):
                r[j] = Phi[i, j]
            _append_orthonormal(Q, count, r)
            accepted[count] = i
            count += 1
    return count, B


@njit(cache=True)
def discrete_projection_dpp(U, u, out):
    """The chain rule of the projection DPP with kernel ``U U^T`` (U: N x m, orthonormal
    columns) for ``len(out)`` steps: item i is picked with probability proportional to the
    squared distance of ``U[i]`` to the span of the rows already picked.
    """
    N, m = U.shape
    size = out.shape[0]
    r2 = np.empty(N)
    for i in range(N):
        s = 0.0
        for j in range(m):
            s += U[i, j] * U[i, j]
        r2[i] = s
    E = np.zeros((size, m))
    v = np.empty(m)
    for step in range(size):
        total = 0.0
        for i in range(N):
            total += r2[i]
        target = u[step] * total
        pick = -1
        acc = 0.0
        for i in range(N):
            if r2[i] > 0.0:
                acc += r2[i]
                pick = i
                if acc > target:
                    break
        for j in range(m):
            v[j] = U[pick, j]
        _append_orthonormal(E, step, v)
        for i in range(N):
            s = 0.0
            for j in range(m):
                s += U[i, j] * E[step, j]
            r2[i] = max(r2[i] - s * s, 0.0)
        r2[pick] = 0.0
        out[step] = pick
