"""The deterministic Cramer-Rao bound of the multidimensional harmonic model.

``y = sum_p beta_p a(f_p1) o ... o a(f_pN) + n``, n white complex Gaussian of variance
sigma^2 per entry, unknowns: every frequency and every amplitude (real and imaginary part).
The Fisher information is ``(2 / sigma^2) Re(J^H J)``; every column of J is a rank-1 tensor
(the derivative of one term), so each entry is a product of per-dimension inner products and
J is never formed.
"""

from __future__ import annotations

import numpy as np

from .harmonics import steering


def fisher_information(frequencies, amplitudes, shape, noise_variance) -> np.ndarray:
    """The Fisher information of the real parameters, ordered per object as
    ``(f_1, ..., f_N, Re beta, Im beta)``."""
    F = np.atleast_2d(np.asarray(frequencies, dtype=np.float64))
    beta = np.asarray(amplitudes, dtype=np.complex128).ravel()
    P, N = F.shape
    vectors = [steering(F[:, m], n) for m, n in enumerate(shape)]
    ramps = [2j * np.pi * np.arange(n)[:, None] * vectors[m] for m, n in enumerate(shape)]
    # Each real parameter's derivative: a coefficient and, per dimension, which factor.
    columns = []
    for p in range(P):
        for m in range(N):
            columns.append((p, beta[p], m))            # d/df_pm: ramp in dimension m
        columns.append((p, 1.0 + 0j, None))             # d/dRe beta_p
        columns.append((p, 1j, None))                   # d/dIm beta_p
    k = len(columns)
    J = np.empty((k, k), dtype=np.complex128)
    for i, (p, ci, mi) in enumerate(columns):
        for j, (q, cj, mj) in enumerate(columns):
            value = np.conj(ci) * cj
            for m in range(N):
                u = ramps[m][:, p] if mi == m else vectors[m][:, p]
                v = ramps[m][:, q] if mj == m else vectors[m][:, q]
                value *= np.vdot(u, v)
            J[i, j] = value
    return 2.0 / noise_variance * J.real


def crb_frequencies(frequencies, amplitudes, shape, noise_variance) -> np.ndarray:
    """Bounds on the variance of each frequency estimate, shape (P, N).

    Examples
    --------
    >>> bound = crb_frequencies([[0.1]], [1.0], (64,), 1.0)    # one tone: the textbook
    >>> bool(np.isclose(bound[0, 0], 6 / (4 * np.pi ** 2 * 64 * (64 ** 2 - 1))))
    True
    """
    F = np.atleast_2d(frequencies)
    P, N = F.shape
    inverse = np.linalg.inv(fisher_information(F, amplitudes, shape, noise_variance))
    diagonal = np.diag(inverse).reshape(P, N + 2)
    return diagonal[:, :N]
