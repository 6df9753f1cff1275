"""Numba kernels shared by the solvers: plain loops over canonical CSR arrays."""

import numpy as np
from numba import njit

_EXPONENT = np.uint64(0x7FF0000000000000)
_MAGNITUDE = np.uint64(0x7FFFFFFFFFFFFFFF)


@njit(cache=True)
def count_special(a):
    """Numbers of non-finite entries and of zeros in a float64 array, in one pass.

    Works on the bit patterns (all exponent bits set: NaN or infinity; all magnitude bits
    clear: +-0), which the compiler vectorises, unlike a loop with an early exit.
    """
    u = a.view(np.uint64)
    nonfinite = 0
    zeros = 0
    for i in range(u.shape[0]):
        nonfinite += (u[i] & _EXPONENT) == _EXPONENT
        zeros += (u[i] & _MAGNITUDE) == 0
    return nonfinite, zeros


@njit(cache=True)
def diagonal(indptr, indices, data):
    """Position of each row's diagonal entry in ``indices`` and its value.

    Positions have the dtype of ``indptr`` (one specialisation per index dtype in the
    kernels). Where a row stores no diagonal entry the value is 0 and the position
    meaningless: solvers reject zero diagonals before any kernel splits rows at them.
    Indices must be sorted.
    """
    n = indptr.shape[0] - 1
    pos = np.zeros(n, dtype=indptr.dtype)
    values = np.zeros(n)
    for i in range(n):
        p = indptr[i]
        end = indptr[i + 1]
        while p < end and indices[p] < i:
            p += 1
        if p < end and indices[p] == i:
            pos[i] = p
            values[i] = data[p]
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
