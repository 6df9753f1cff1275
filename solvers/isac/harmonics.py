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


def khatri_rao(matrices) -> np.ndarray:
    """Column-wise Kronecker product of matrices with P columns each, rows in C order: row
    ``(i0, i1, ...)`` of the result is ``M0[i0] * M1[i1] * ...``."""
    out = np.asarray(matrices[0])
    for M in matrices[1:]:
        out = (out[:, None, :] * np.asarray(M)[None, :, :]).reshape(-1, out.shape[1])
    return out


def projections(T, vectors) -> list[np.ndarray]:
    """For every object p and dimension m, ``T`` contracted with ``conj(vectors[k][:, p])``
    along every dimension k but m: a list over m of arrays (P, T.shape[m]).

    ``vectors`` holds one matrix (T.shape[k], P) per dimension. Two passes over ``T`` whatever
    the number of objects and dimensions (the last dimension first, then all the others at
    once), instead of one contraction per object and dimension.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> T = rng.standard_normal((3, 4, 5))
    >>> V = [rng.standard_normal((n, 2)) + 0j for n in T.shape]
    >>> z = projections(T, V)
    >>> bool(np.allclose(z[1][1], np.einsum("ijk,i,k->j", T, V[0][:, 1], V[2][:, 1])))
    True
    """
    P = vectors[0].shape[1]
    if T.ndim == 1:
        return [np.broadcast_to(T, (P, T.size)).astype(np.complex128)]
    last = T.shape[-1]
    flat = T.reshape(-1, last)
    leading = khatri_rao([v.conj() for v in vectors[:-1]])      # (prod(leading), P)
    Y = (flat @ vectors[-1].conj()).reshape(T.shape[:-1] + (P,))
    out = []
    for m in range(T.ndim - 1):
        others = [vectors[k].conj() for k in range(T.ndim - 1) if k != m]
        Z = np.moveaxis(Y, m, 0).reshape(T.shape[m], -1, P)
        W = khatri_rao(others) if others else np.ones((1, P))
        out.append(np.einsum("irp,rp->pi", Z, W))
    out.append(leading.T @ flat)
    return out


def correlations(T, vectors) -> np.ndarray:
    """``<atom_p, T>`` for the rank-1 atoms with per-dimension vectors (n_k, P): one pass."""
    if T.ndim == 1:
        return vectors[0].conj().T @ T
    leading = khatri_rao([v.conj() for v in vectors[:-1]])
    z_last = leading.T @ T.reshape(-1, T.shape[-1])
    return np.einsum("pi,ip->p", z_last, vectors[-1].conj())


def gram(vectors) -> np.ndarray:
    """``<atom_p, atom_q>`` of the rank-1 atoms with per-dimension vectors (n_k, P)."""
    G = np.ones((vectors[0].shape[1],) * 2, dtype=np.complex128)
    for V in vectors:
        G *= V.conj().T @ V
    return G


def wrap(f):
    """Frequencies mapped into [-1/2, 1/2)."""
    return (np.asarray(f) + 0.5) % 1.0 - 0.5
