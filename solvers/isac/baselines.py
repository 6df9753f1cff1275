"""Baselines for PLAIN on the full tensor: FFT peaks, sequential and joint estimation.

* :func:`fft_peaks`: the N-D periodogram (zero-padded), its largest local peaks with a
  parabolic sub-bin correction, amplitudes by least squares: cheap and resolution-limited.
* :func:`sequential`: one dimension after another on the full tensor: the first dimension's
  frequencies from all the others as snapshots, then, for each, the next dimension's from the
  tensor beamformed onto it, and so on.
* :func:`joint_esprit`: multidimensional ESPRIT with spatial smoothing over sub-tensors: one
  covariance of the smoothed sub-tensors, its signal subspace, the shift invariance of every
  dimension, paired by diagonalising a random combination (automatic pairing). Super-resolving
  and expensive: the joint estimator PLAIN is measured against.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._validate import as_generator
from .estimation import covariance, esprit, model_order
from .fusion import refit_amplitudes
from .harmonics import steering, synthesize


def fft_peaks(H, count: int, oversample: int = 2):
    """``(frequencies (count, N), amplitudes)`` from the largest periodogram peaks."""
    size = tuple(n * oversample for n in H.shape)
    power = np.abs(np.fft.fftn(H, s=size, axes=tuple(range(H.ndim)))) ** 2
    peak = np.ones(power.shape, dtype=bool)
    for m in range(H.ndim):
        peak &= power >= np.roll(power, 1, axis=m)
        peak &= power >= np.roll(power, -1, axis=m)
    order = np.argsort(power[peak])[::-1][:count]
    indices = np.argwhere(peak)[order]
    F = np.empty((indices.shape[0], H.ndim))
    logp = np.log(power + 1e-300)
    for p, idx in enumerate(indices):
        for m in range(H.ndim):
            left, right = list(idx), list(idx)
            left[m] = (idx[m] - 1) % size[m]
            right[m] = (idx[m] + 1) % size[m]
            a, b, c = logp[tuple(left)], logp[tuple(idx)], logp[tuple(right)]
            shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) < 0 else 0.0
            F[p, m] = ((idx[m] + shift) / size[m] + 0.5) % 1.0 - 0.5
    return F, refit_amplitudes(H, F)


def sequential(H, count=None, *, criterion="mdl", smoothing=0.5, stats=None):
    """Frequencies estimated one dimension after another on the full tensor.

    The last dimension has a single snapshot per branch: it is smoothed over sub-arrays of
    ``smoothing`` times its length. Beamforming leaks the other objects into every branch,
    so the combinations found are pruned by their least-squares amplitudes (the ``count``
    largest, or those above three noise standard deviations). ``stats`` (a dict), if given,
    receives ``branches``: how many branches each dimension's estimation ran on.
    """
    branches = [((), H)]
    counts = []
    for _ in range(H.ndim):
        counts.append(len(branches))
        next_branches = []
        for prefix, T in branches:
            last = T.ndim == 1
            sub = max(2, int(smoothing * T.shape[0])) if last else None
            R, snapshots = covariance(T, 0, subarray=sub)
            k = model_order(np.linalg.eigvalsh(R), snapshots, criterion)
            for f in esprit(R, k):
                if last:
                    next_branches.append(((*prefix, f), None))
                else:
                    a = steering(f, T.shape[0])[:, 0]
                    next_branches.append(((*prefix, f), np.tensordot(a.conj(), T, axes=(0, 0))))
        branches = next_branches
    F = np.array([prefix for prefix, _ in branches]).reshape(-1, H.ndim)
    if stats is not None:
        stats["branches"] = counts + [len(branches)]
    return _prune(H, F, count)


def _prune(H, F, count):
    """The candidates whose least-squares amplitudes stand out, refitted."""
    beta = refit_amplitudes(H, F)
    magnitude = np.abs(beta)
    if count is not None:
        keep = np.argsort(magnitude)[::-1][:int(count)]
    else:
        residual = H - synthesize(F, beta, H.shape)
        sigma = np.sqrt(np.mean(np.abs(residual) ** 2))
        keep = np.flatnonzero(magnitude > max(3.0 * sigma / np.sqrt(H.size),
                                              1e-6 * magnitude.max(initial=0.0)))
    F = F[np.sort(keep)]
    return F, refit_amplitudes(H, F)


def joint_esprit(H, count=None, *, subtensor=None, stride=None, criterion="mdl", seed=0):
    """Multidimensional ESPRIT on smoothed sub-tensors of ``H`` (automatic pairing).

    ``subtensor`` is the sub-tensor size (by default about a third of each dimension, at most
    12); ``stride`` takes every stride-th sub-tensor position per dimension (1: all).
    """
    shape = H.shape
    sub = tuple(min(12, max(2, n // 3)) for n in shape) if subtensor is None else \
        tuple(subtensor)
    step = (1,) * H.ndim if stride is None else tuple(stride)
    starts = [range(0, n - s + 1, st) for n, s, st in zip(shape, sub, step, strict=True)]
    columns = []
    for origin in itertools.product(*starts):
        block = H[tuple(slice(o, o + s) for o, s in zip(origin, sub, strict=True))]
        columns.append(block.ravel())
    X = np.array(columns).T
    R = X @ X.conj().T / X.shape[1]
    J = np.eye(R.shape[0])[::-1]
    R = 0.5 * (R + J @ R.conj() @ J)
    w, V = np.linalg.eigh(R)
    k = model_order(w, 2 * X.shape[1], criterion) if count is None else int(count)
    Es = V[:, V.shape[1] - k:]
    index = np.arange(R.shape[0]).reshape(sub)
    phis = []
    for m in range(H.ndim):
        first = np.take(index, np.arange(sub[m] - 1), axis=m).ravel()
        second = np.take(index, np.arange(1, sub[m]), axis=m).ravel()
        phis.append(np.linalg.lstsq(Es[first], Es[second], rcond=None)[0])
    weights = as_generator(seed).standard_normal(H.ndim)
    _, T = np.linalg.eig(sum(c * P for c, P in zip(weights, phis, strict=True)))
    Tinv = np.linalg.inv(T)
    F = np.stack([np.angle(np.diag(Tinv @ P @ T)) / (2 * np.pi) for P in phis], axis=1)
    return F, refit_amplitudes(H, F)
