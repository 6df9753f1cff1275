"""Numba kernels of row colourings: greedy, two-colouring, checking, pattern fingerprints.

All take the symmetrised sparsity pattern (``indptr``, ``indices``; a row's neighbours are
the columns it holds, the diagonal ignored).
"""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def greedy(indptr, indices):
    """First-fit colouring in row order: each row takes the smallest colour none of its
    earlier neighbours has. Uses at most (largest degree + 1) colours."""
    n = indptr.shape[0] - 1
    colors = np.full(n, -1, dtype=np.int32)
    max_degree = 0
    for i in range(n):
        max_degree = max(max_degree, indptr[i + 1] - indptr[i])
    seen = np.full(max_degree + 2, -1, dtype=np.int64)   # seen[c] == i: c taken near row i
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            c = colors[indices[p]]
            if c >= 0:
                seen[c] = i
        c = 0
        while seen[c] == i:
            c += 1
        colors[i] = c
    return colors


@njit(cache=True)
def two_colors(indptr, indices):
    """A colouring with two colours (red-black) by breadth-first search, or all -1 when the
    graph has an odd cycle (is not bipartite). Each connected part starts red at its first
    row."""
    n = indptr.shape[0] - 1
    colors = np.full(n, -1, dtype=np.int32)
    queue = np.empty(n, dtype=np.int64)
    for root in range(n):
        if colors[root] >= 0:
            continue
        colors[root] = 0
        head, tail = 0, 1
        queue[0] = root
        while head < tail:
            i = queue[head]
            head += 1
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                if j == i:
                    continue
                if colors[j] < 0:
                    colors[j] = 1 - colors[i]
                    queue[tail] = j
                    tail += 1
                elif colors[j] == colors[i]:
                    colors[:] = -1
                    return colors
    return colors


@njit(cache=True)
def first_conflict(indptr, indices, colors):
    """The first row with a neighbour of its own colour, or -1 if the colouring is proper."""
    n = indptr.shape[0] - 1
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j != i and colors[j] == colors[i]:
                return i
    return -1


@njit(cache=True)
def fingerprint(indptr, indices):
    """A 64-bit hash of a sparsity pattern (FNV-1a over the index values)."""
    h = np.uint64(14695981039346656037)
    prime = np.uint64(1099511628211)
    for k in range(indptr.shape[0]):
        h = (h ^ np.uint64(indptr[k])) * prime
    for k in range(indices.shape[0]):
        h = (h ^ np.uint64(indices[k])) * prime
    return h


@njit(cache=True, parallel=True)
def gather(v, index):
    """``v[index]`` as a new array, on every core."""
    out = np.empty(index.shape[0], dtype=v.dtype)
    for k in prange(index.shape[0]):
        out[k] = v[index[k]]
    return out


@njit(cache=True, parallel=True)
def scatter(v, index):
    """``out[index] = v`` for a permutation ``index``, on every core."""
    out = np.empty(v.shape[0], dtype=v.dtype)
    for k in prange(index.shape[0]):
        out[index[k]] = v[k]
    return out
