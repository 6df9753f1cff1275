"""The multidimensional harmonic model: steering vectors, rank-1 tensors, mode products.

A tensor of N dimensions holds ``sum_p beta_p a(f_p1) o a(f_p2) o ... o a(f_pN)`` with
``a(f)_i = exp(j 2 pi f i)``, ``f`` a normalised frequency (cycles per sample, unambiguous in
[-1/2, 1/2)).
"""

from __future__ import annotations

import numpy as np


def steering(frequencies, length: int) -> np.ndarray:
    """Columns ``exp(j 2 pi f i)``, ``i = 0 .. length-1``, one per frequency: shape (length, k)."""
    f = np.atleast_1d(np.asarray(frequencies, dtype=np.float64))
    return np.exp(2j * np.pi * np.arange(length)[:, None] * f[None, :])


def mode_product(T, M, mode: int):
    """``T x_mode M``: the matrix ``M`` (rows x T.shape[mode]) applied along one mode."""
    moved = np.moveaxis(T, mode, 0)
    out = np.tensordot(M, moved, axes=(1, 0))
    return np.moveaxis(out, 0, mode)


def rank_one(vectors) -> np.ndarray:
    """The outer product of the vectors (one per dimension)."""
    out = np.asarray(vectors[0])
    for v in vectors[1:]:
        out = np.multiply.outer(out, v)
    return out


def synthesize(frequencies, amplitudes, shape) -> np.ndarray:
    """``sum_p beta_p a(f_p1) o ... o a(f_pN)`` for frequencies of shape (P, N).

    Examples
    --------
    >>> H = synthesize([[0.1, -0.2]], [2.0], (4, 3))
    >>> H.shape, bool(np.isclose(H[1, 2], 2.0 * np.exp(2j * np.pi * (0.1 - 0.4))))
    ((4, 3), True)
    """
    F = np.atleast_2d(np.asarray(frequencies, dtype=np.float64))
    beta = np.asarray(amplitudes, dtype=np.complex128).ravel()
    if F.shape != (beta.size, len(shape)):
        raise ValueError(f"frequencies must have shape ({beta.size}, {len(shape)}); got "
                         f"{F.shape}")
    factors = [steering(F[:, m], n) for m, n in enumerate(shape)]
    out = np.zeros(tuple(shape), dtype=np.complex128)
    for p in range(beta.size):
        out += beta[p] * rank_one([Fm[:, p] for Fm in factors])
    return out


def wrap(f):
    """Frequencies mapped into [-1/2, 1/2)."""
    return (np.asarray(f) + 0.5) % 1.0 - 0.5
