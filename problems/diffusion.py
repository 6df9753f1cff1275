"""Diffusion with a variable coefficient on the unit square: the systems where AMG shines."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._csr import as_csr
from ._rng import as_generator
from .errors import ParameterError


def variable_diffusion(coefficient) -> sp.csr_matrix:
    """The 5-point finite-volume matrix of ``-div(a grad u)`` on an ``m x m`` grid of cells
    with zero Dirichlet boundary values, unscaled (a constant ``a = 1`` gives
    :func:`~problems.poisson`).

    Parameters
    ----------
    coefficient : array_like, shape (m, m)
        The coefficient ``a > 0`` in each cell; the coefficient of a face between two cells
        is their harmonic mean, of a boundary face the cell's own (so the matrix is
        symmetric positive definite).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(m * m, m * m)``, row-major over the grid.

    Examples
    --------
    >>> from problems import poisson
    >>> A = variable_diffusion(np.ones((4, 4)))
    >>> bool(abs(A - poisson((4, 4))).max() < 1e-12)
    True
    """
    a = np.asarray(coefficient, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ParameterError(f"coefficient must be a square 2-D array; got shape {a.shape}")
    if not (np.isfinite(a).all() and (a > 0).all()):
        raise ParameterError("coefficient must be finite and > 0 in every cell")
    m = a.shape[0]
    east = 2.0 * a[:, :-1] * a[:, 1:] / (a[:, :-1] + a[:, 1:])     # faces between columns
    north = 2.0 * a[:-1, :] * a[1:, :] / (a[:-1, :] + a[1:, :])    # faces between rows
    diagonal = np.zeros((m, m))
    diagonal[:, :-1] += east
    diagonal[:, 1:] += east
    diagonal[:-1, :] += north
    diagonal[1:, :] += north
    diagonal[:, 0] += a[:, 0]                                      # boundary faces
    diagonal[:, -1] += a[:, -1]
    diagonal[0, :] += a[0, :]
    diagonal[-1, :] += a[-1, :]
    horizontal = np.zeros((m, m))
    horizontal[:, :-1] = -east
    vertical = -north.ravel()
    A = sp.diags([diagonal.ravel(), horizontal.ravel()[:-1], horizontal.ravel()[:-1],
                  vertical, vertical], [0, 1, -1, m, -m], format="csr")
    return as_csr(A)


def random_coefficient(m: int, *, contrast: float = 3.0, time: float = 0.0, modes: int = 6,
                       seed=None) -> np.ndarray:
    """A smooth random log-normal coefficient on an ``m x m`` grid that drifts with ``time``:
    ``exp(contrast * g)`` with ``g`` a sum of ``modes`` random plane waves of unit variance
    whose phases move with ``time`` (the same waves for the same seed).

    Examples
    --------
    >>> a = random_coefficient(16, seed=0)
    >>> a.shape, bool((a > 0).all())
    ((16, 16), True)
    >>> bool(np.allclose(random_coefficient(16, seed=0), a))
    True
    """
    rng = as_generator(seed)
    k = rng.uniform(1.0, 6.0, size=(modes, 2)) * rng.choice([-1.0, 1.0], size=(modes, 2))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=modes)
    speed = rng.uniform(0.5, 1.5, size=modes)
    x = (np.arange(m) + 0.5) / m
    X, Y = np.meshgrid(x, x, indexing="ij")
    g = sum(np.cos(np.pi * (k[j, 0] * X + k[j, 1] * Y) + phase[j] + speed[j] * time)
            for j in range(modes))
    return np.exp(contrast * g * np.sqrt(2.0 / modes))
