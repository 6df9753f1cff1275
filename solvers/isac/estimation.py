"""Stage 2 of PLAIN: the frequencies of one dimension at a time.

The mode-m unfolding of the (compressed) tensor gives the other dimensions as snapshots; its
sample covariance, forward-backward averaged (and optionally smoothed over sub-arrays),
yields the model order (AIC or MDL, Wax and Kailath 1985) and the frequencies by root-MUSIC
or ESPRIT, off the grid.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

ESTIMATORS = ("root-music", "esprit")
CRITERIA = ("mdl", "aic")

#: Eigenvalues below this fraction of the largest count as zero (noiseless data).
RANK_TOLERANCE = 1e-10


def unfold(T, mode: int) -> np.ndarray:
    """The mode-``mode`` unfolding: rows along that dimension, columns over the others."""
    return np.moveaxis(T, mode, 0).reshape(T.shape[mode], -1)


def covariance(T, mode: int, *, forward_backward=True, subarray=None):
    """Sample covariance of the mode unfolding and its number of snapshots.

    ``subarray`` (a length L < the dimension) averages the covariances of the L-long shifted
    sub-arrays (spatial smoothing: it separates coherent harmonics, at the cost of aperture).
    """
    X = unfold(T, mode)
    if subarray is not None:
        L = int(subarray)
        if not 1 <= L <= X.shape[0]:
            raise ParameterError(f"subarray must be in [1, {X.shape[0]}]; got {subarray!r}")
        X = np.concatenate([X[s:s + L] for s in range(X.shape[0] - L + 1)], axis=1)
    R = X @ X.conj().T / X.shape[1]
    if forward_backward:
        R = 0.5 * (R + R[::-1, ::-1].conj())
    return R, X.shape[1] * (2 if forward_backward else 1)


def model_order(eigenvalues, snapshots: int, criterion="mdl", max_order=None) -> int:
    """Number of harmonics by AIC or MDL on the eigenvalues (any order).

    Eigenvalues below ``RANK_TOLERANCE`` times the largest are zero: noiseless data have
    exactly that rank.
    """
    if criterion not in CRITERIA:
        raise ParameterError(f"criterion must be one of {CRITERIA}; got {criterion!r}")
    lam = np.sort(np.maximum(np.real(eigenvalues), 0.0))[::-1]
    M = lam.size
    top = M - 1 if max_order is None else min(int(max_order), M - 1)
    if lam[0] <= 0.0:
        return 0
    tiny = lam <= RANK_TOLERANCE * lam[0]
    if tiny.any():
        return int(min(np.argmax(tiny), top))
    best, best_k = np.inf, 0
    for k in range(top + 1):
        noise = lam[k:]
        arithmetic = noise.mean()
        geometric = np.exp(np.mean(np.log(noise)))
        likelihood = (M - k) * snapshots * np.log(arithmetic / geometric)
        penalty = k * (2 * M - k) * (1.0 if criterion == "aic" else 0.5 * np.log(snapshots))
        value = (2 * likelihood if criterion == "aic" else likelihood) + penalty
        if value < best:
            best, best_k = value, k
    return best_k


def _check_order(R, order) -> int:
    M = R.shape[0]
    if not 0 <= order < M:
        raise ParameterError(f"order must be in [0, {M - 1}] for a {M}-long dimension; got "
                             f"{order}")
    return M


def root_music(R, order: int) -> np.ndarray:
    """Frequencies of ``order`` harmonics from the noise subspace of R (root-MUSIC)."""
    M = _check_order(R, order)
    if order == 0:
        return np.empty(0)
    w, V = np.linalg.eigh(R)
    En = V[:, : M - order]                        # eigh sorts ascending: the noise subspace
    C = En @ En.conj().T
    coefficients = np.array([np.trace(C, offset=d) for d in range(M - 1, -M, -1)])
    roots = np.roots(coefficients)
    inside = roots[np.abs(roots) <= 1.0]
    chosen = inside[np.argsort(1.0 - np.abs(inside))[:order]]
    return np.sort(np.angle(chosen) / (2 * np.pi))


def esprit(R, order: int) -> np.ndarray:
    """Frequencies of ``order`` harmonics from the rotational invariance of the signal
    subspace (least-squares ESPRIT)."""
    M = _check_order(R, order)
    if order == 0:
        return np.empty(0)
    _, V = np.linalg.eigh(R)
    Es = V[:, M - order:]
    Phi = np.linalg.lstsq(Es[:-1], Es[1:], rcond=None)[0]
    return np.sort(np.angle(np.linalg.eigvals(Phi)) / (2 * np.pi))


def estimate_dimension(T, mode, *, estimator="root-music", criterion="mdl", order=None,
                       forward_backward=True, subarray=None, max_order=None):
    """Frequencies and noise level along one dimension: ``(frequencies, noise_variance)``.

    Examples
    --------
    >>> from solvers.isac.harmonics import synthesize
    >>> T = synthesize([[0.1, 0.2], [-0.05, 0.3]], [1.0, 0.5], (10, 8))
    >>> f, _ = estimate_dimension(T, 0)
    >>> np.round(f, 8).tolist()
    [-0.05, 0.1]
    """
    if estimator not in ESTIMATORS:
        raise ParameterError(f"estimator must be one of {ESTIMATORS}; got {estimator!r}")
    R, snapshots = covariance(T, mode, forward_backward=forward_backward, subarray=subarray)
    w = np.linalg.eigvalsh(R)
    k = model_order(w, snapshots, criterion, max_order) if order is None else int(order)
    noise = float(np.mean(np.sort(w)[: R.shape[0] - k])) if k < R.shape[0] else 0.0
    find = root_music if estimator == "root-music" else esprit
    return find(R, k), max(noise, 0.0)
