"""Numba kernels shared by the solvers: plain loops over canonical CSR arrays."""

import types

import numpy as np
from numba import njit, prange

SWEEP_PARALLEL_MIN_ROWS = 10_000
"""Rows from which the multicolour sweeps (SOR, SSOR, SSOR-PCG's colour-by-colour
preconditioner) run multithreaded: each colour is one parallel loop over its rows."""
KRYLOV_PARALLEL_MIN_ROWS = 50_000
"""Rows from which CG's own loops (products with A, vector updates, inner products) run
multithreaded: their work per row is a few flops, so threads pay only on larger systems."""


def serial_and_parallel(func, *, has_prange=True, **parallel_globals):
    """Compile ``func`` twice: plain, and as a multithreaded twin under a distinct name.

    Its ``prange`` loops run as plain loops in the first and across threads in the second
    (compiled with ``parallel=True`` when ``has_prange``). ``parallel_globals`` rebind the
    names of callees in the twin (to their own multithreaded twins).
    """
    serial = njit(cache=True)(func)
    globals_ = {**func.__globals__, **parallel_globals} if parallel_globals else \
        func.__globals__
    twin = types.FunctionType(func.__code__, globals_, func.__name__ + "_parallel",
                              func.__defaults__, func.__closure__)
    twin.__qualname__ = func.__qualname__ + "_parallel"
    twin.__doc__ = func.__doc__
    return serial, njit(cache=True, parallel=has_prange)(twin)


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
def norm2(v):
    """``||v||_2`` by a plain sum of squares (the caller keeps ``v`` in a safe range)."""
    s = 0.0
    for i in range(v.shape[0]):
        s += v[i] * v[i]
    return np.sqrt(s)


def _residual(indptr, indices, data, b, x, r):
    """Fill ``r = b - A x`` and return ``||r||_2``."""
    rr = 0.0
    for i in prange(b.shape[0]):
        s = b[i]
        for p in range(indptr[i], indptr[i + 1]):
            s -= data[p] * x[indices[p]]
        r[i] = s
        rr += s * s
    return np.sqrt(rr)


residual, residual_parallel = serial_and_parallel(_residual)


@njit(cache=True)
def load_vector(src, dst):
    """Copy ``src`` into ``dst`` and return, from the same pass, the number of non-finite
    entries, the largest magnitude and the sum of squares (in the order of :func:`norm2`)."""
    top = 0.0
    ss = 0.0
    for i in range(src.shape[0]):
        v = src[i]
        dst[i] = v
        a = abs(v)
        top = a if a > top else top
        ss += v * v
    nonfinite = 0
    if not np.isfinite(ss):            # a NaN or an infinity, or squares past 1e308
        nonfinite = count_special(dst)[0]
        if nonfinite:
            top = np.inf
    return nonfinite, top, ss


@njit(cache=True)
def refresh_values(new_indptr, new_indices, new_data, indptr, indices, data, diag_pos,
                   diagonal):
    """Take ``new_data`` into ``data`` if the new pattern equals ``(indptr, indices)``.

    Returns -1 (and changes nothing) if the patterns differ, the number of non-finite new
    values (and changes nothing) if there are any, else 0 after copying the values and
    gathering the ``diagonal`` at ``diag_pos`` (0 where a row stores no diagonal entry), in
    two passes: compare and check, then copy and gather.
    """
    n = indptr.shape[0] - 1
    nnz = data.shape[0]
    if new_indptr.shape[0] != n + 1 or new_data.shape[0] != nnz:
        return -1
    for i in range(n + 1):
        if new_indptr[i] != indptr[i]:
            return -1
    u = new_data.view(np.uint64)
    nonfinite = 0
    for p in range(nnz):
        if new_indices[p] != indices[p]:
            return -1
        nonfinite += (u[p] & _EXPONENT) == _EXPONENT
    if nonfinite:
        return nonfinite
    for i in range(n):
        start, stop = indptr[i], indptr[i + 1]
        for p in range(start, stop):
            data[p] = new_data[p]
        q = diag_pos[i]
        diagonal[i] = data[q] if start <= q < stop and indices[q] == i else 0.0
    return 0
