"""Flop counts of PLAIN's stages and of the baselines, from the sizes of their operations.

Conventions: a complex multiply-add is 8 real flops and a complex add 2; a complex matrix
product (m x k)(k x n) is 8 m k n; a complex FFT of L points 5 L log2 L; the eigen-
decomposition of a Hermitian n x n matrix with its vectors 4 * 9 n^3, its eigenvalues alone
4 * 4/3 n^3; the eigenvalues of a general complex n x n matrix (polynomial roots) 4 * 10 n^3;
a least-squares solve (m x n, n right-hand sides) 8 * 2 m n^2. Only the dense operations are
counted (no copies, comparisons or Python overhead); data-dependent counts (candidates per
dimension) are set to the number of objects P; the sequential estimator's branches are
those of the run.
"""

from __future__ import annotations

import numpy as np


def _hermitian_eig(n, vectors=True):
    return 4 * (9 if vectors else 4 / 3) * n ** 3


def _fft(points):
    return 5 * points * np.log2(points)


def plain_stages(shape, factors, P, *, polish_sweeps=2, refine_sweeps=1, padding=2):
    """Flops of each PLAIN stage (compress, estimate, fuse, polish, refine or refit)."""
    numel = int(np.prod(shape))
    compressed = [n // f for n, f in zip(shape, factors, strict=True)]
    small = int(np.prod(compressed))
    size, compress = numel, 0.0
    for f in factors:
        if f > 1:
            compress += 2 * size                          # one complex add per entry
            size //= f
    estimate = 0.0
    for c in compressed:
        estimate += 8 * c * small                         # covariance of the unfolding
        estimate += _hermitian_eig(c, False) + _hermitian_eig(c)   # order, then subspace
        estimate += 8 * c * c * c + 4 * 10 * (2 * c - 2) ** 3     # projector, roots
    fuse, current = 0.0, small
    for c in compressed:                                  # correlations with the candidates
        fuse += 8 * current * P
        current = current // c * P
    padded = int(np.prod([max(16, padding * c) for c in compressed]))
    polish = P * (_fft(padded) + 3 * 8 * small) if polish_sweeps else 0.0
    polish += polish_sweeps * 3 * 8 * small * P           # two projection passes + amplitudes
    last = refine_sweeps * 3 * 8 * numel * P + 8 * numel * P
    return {"compress": compress, "estimate": estimate, "fuse": fuse, "polish": polish,
            "refine" if refine_sweeps else "refit": last}


def baselines(shape, P, *, joint_subtensor, joint_stride, branches=None, oversample=2):
    """Flops of the full-tensor baselines (FFT peaks, sequential, joint ESPRIT).

    ``branches``: the sequential estimator's branch count per dimension and the number of
    candidates at the end (``sequential(..., stats=...)``); P, P^2, ... if not given.
    """
    numel = int(np.prod(shape))
    padded = numel * oversample ** len(shape)
    fft = _fft(padded) + 8 * numel * P
    if branches is None:
        branches = [P ** m for m in range(len(shape) + 1)]
    seq, size = 0.0, numel
    for m, n in enumerate(shape):
        last = m == len(shape) - 1
        rows = max(2, n // 2) if last else n
        snapshots = (n - rows + 1) if last else size // n
        seq += branches[m] * (8 * rows * rows * snapshots + _hermitian_eig(rows, False)
                              + _hermitian_eig(rows) + 8 * 2 * rows * P * P)
        if not last:
            seq += branches[m + 1] * 8 * size             # beamform onto each frequency
            size //= n
    seq += 8 * numel * (branches[-1] + P)                 # prune: two amplitude refits
    S = int(np.prod(joint_subtensor))
    positions = int(np.prod([len(range(0, n - s + 1, st)) for n, s, st in
                             zip(shape, joint_subtensor, joint_stride, strict=True)]))
    joint = 8 * S * S * positions + _hermitian_eig(S)
    joint += len(shape) * 8 * 2 * S * P * P + 4 * 10 * P ** 3 + 8 * numel * P
    return {"FFT peaks": fft, "sequential (full)": seq, "joint ESPRIT (full)": joint}
