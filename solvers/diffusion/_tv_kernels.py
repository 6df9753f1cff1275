"""Numba kernel of total-variation denoising (Chambolle's projection algorithm, 2004)."""

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def tv_denoise(f, weight, iterations, tau):
    """``argmin_u ||u - f||^2 / 2 + weight TV(u)`` (isotropic TV) of each 2-D image of the
    stack ``f`` (shape (k, H, W)), by ``iterations`` fixed-point steps on the dual field."""
    out = np.empty_like(f)
    k, h, w = f.shape
    for m in prange(k):
        px = np.zeros((h, w))
        py = np.zeros((h, w))
        u = np.empty((h, w))
        for _ in range(iterations):
            # u = f - weight div p
            for i in range(h):
                for j in range(w):
                    d = px[i, j] - (px[i, j - 1] if j > 0 else 0.0) if j < w - 1 else \
                        -px[i, j - 1]
                    d += py[i, j] - (py[i - 1, j] if i > 0 else 0.0) if i < h - 1 else \
                        -py[i - 1, j]
                    u[i, j] = f[m, i, j] - weight * d
            for i in range(h):
                for j in range(w):
                    gx = u[i, j + 1] - u[i, j] if j < w - 1 else 0.0
                    gy = u[i + 1, j] - u[i, j] if i < h - 1 else 0.0
                    scale = 1.0 + tau / weight * np.sqrt(gx * gx + gy * gy)
                    px[i, j] = (px[i, j] - tau / weight * gx) / scale
                    py[i, j] = (py[i, j] - tau / weight * gy) / scale
        for i in range(h):
            for j in range(w):
                d = px[i, j] - (px[i, j - 1] if j > 0 else 0.0) if j < w - 1 else -px[i, j - 1]
                d += py[i, j] - (py[i - 1, j] if i > 0 else 0.0) if i < h - 1 else \
                    -py[i - 1, j]
                out[m, i, j] = f[m, i, j] - weight * d
    return out
