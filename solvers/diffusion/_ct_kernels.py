"""Numba kernel building the parallel-beam CT system matrix (Joseph's method).

Geometry: pixel (i, j) of an n x n image sits at ``x = j - c``, ``y = c - i`` with
``c = n // 2``; detector bin k at ``t = k - n_det // 2``; the ray of angle theta and bin k is
``{t (cos, sin) + s (-sin, cos)}``. A ray steps along the axis it is most aligned with (rows
when |cos| >= |sin|), meeting each row (column) once and splitting the step length 1/|cos|
(1/|sin|) between the two nearest pixels of that row (column) by linear interpolation.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _ray(n, theta, t, cols, vals):
    """Pixels and weights of one ray into ``cols``/``vals``; returns how many."""
    c = n // 2
    cs, sn = np.cos(theta), np.sin(theta)
    count = 0
    if abs(cs) >= abs(sn):
        scale = 1.0 / abs(cs)
        for i in range(n):
            y = c - i
            s = (y - t * sn) / cs
            u = t * cs - s * sn + c
            j0 = int(np.floor(u))
            f = u - j0
            for j, w in ((j0, 1.0 - f), (j0 + 1, f)):
                if 0 <= j < n and w > 0.0:
                    cols[count] = i * n + j
                    vals[count] = w * scale
                    count += 1
    else:
        scale = 1.0 / abs(sn)
        for j in range(n):
            x = j - c
            s = (t * cs - x) / sn
            v = c - (t * sn + s * cs)
            i0 = int(np.floor(v))
            f = v - i0
            for i, w in ((i0, 1.0 - f), (i0 + 1, f)):
                if 0 <= i < n and w > 0.0:
                    cols[count] = i * n + j
                    vals[count] = w * scale
                    count += 1
    return count


@njit(cache=True)
def system_matrix(n, thetas, n_det):
    """CSR arrays ``(indptr, indices, data)`` of the (len(thetas) * n_det) x (n * n) matrix."""
    rays = thetas.shape[0] * n_det
    cols = np.empty(2 * n, dtype=np.int64)
    vals = np.empty(2 * n)
    indptr = np.zeros(rays + 1, dtype=np.int64)
    for a in range(thetas.shape[0]):
        for k in range(n_det):
            r = a * n_det + k
            indptr[r + 1] = indptr[r] + _ray(n, thetas[a], k - n_det // 2, cols, vals)
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1])
    for a in range(thetas.shape[0]):
        for k in range(n_det):
            r = a * n_det + k
            m = _ray(n, thetas[a], k - n_det // 2, cols, vals)
            indices[indptr[r]:indptr[r] + m] = cols[:m]
            data[indptr[r]:indptr[r] + m] = vals[:m]
    return indptr, indices, data
