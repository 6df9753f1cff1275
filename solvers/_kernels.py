"""Numba kernels shared by the solvers: plain loops over canonical CSR arrays."""

import numpy as np
from numba import njit


@njit(cache=True)
def all_finite(a):
    """True if no entry of ``a`` is NaN or infinite (no temporary array)."""
    for i in range(a.shape[0]):
        if not np.isfinite(a[i]):
            return False
    return True


@njit(cache=True)
def diagonal(indptr, indices, data):
    """Position of each row's diagonal entry (-1 where not stored) and its value (0 there).

    Indices must be sorted. Solvers reject a missing diagonal before any kernel splits rows
    at these positions.
    """
    n = indptr.shape[0] - 1
    pos = np.empty(n, dtype=np.int64)
    values = np.zeros(n)
    for i in range(n):
        p = indptr[i]
        end = indptr[i + 1]
        while p < end and indices[p] < i:
            p += 1
        if p < end and indices[p] == i:
            pos[i] = p
            values[i] = data[p]
        else:
            pos[i] = -1
    return pos, values


@njit(cache=True)
def residual(indptr, indices, data, b, x, r):
    """Fill ``r = b - A x`` and return ``||r||_2``."""
    rr = 0.0
    for i in range(b.shape[0]):
        s = b[i]
        for p in range(indptr[i], indptr[i + 1]):
            s -= data[p] * x[indices[p]]
        r[i] = s
        rr += s * s
    return np.sqrt(rr)
