"""Stage 3 of PLAIN: pair the per-dimension frequencies into objects.

Greedy orthogonal matching pursuit over the Kronecker dictionary of candidate atoms (every
combination of one candidate frequency per dimension), with least-squares refits of all the
chosen atoms' amplitudes after each choice. The dictionary is never formed: correlations are
mode products with the per-dimension steering matrices, and the Gram matrix of rank-1 atoms
is the product of per-dimension inner products. The least-squares core alone (the largest
entries of ``T x1 A1^+ ... xN AN^+``) is the cheaper alternative.
"""

from __future__ import annotations

import numpy as np

from .harmonics import correlations, gram, mode_product, steering


def omp(T, candidates, *, max_atoms=None, noise_variance=0.0, tolerance=3.0):
    """Choose atoms (one candidate per dimension each) for ``T`` greedily.

    Parameters
    ----------
    T : ndarray
        The (compressed) tensor.
    candidates : list of 1-D arrays
        Candidate frequencies of each dimension.
    max_atoms : int, optional
        At most this many atoms (the product of the candidate counts by default).
    noise_variance : float
        Per-entry noise variance: stop once the residual energy is within ``tolerance``
        standard deviations of the noise energy ``noise_variance * T.size``.

    Returns
    -------
    (frequencies (P, N), amplitudes (P,))
    """
    shape = T.shape
    A = [steering(f, n) for f, n in zip(candidates, shape, strict=True)]
    if any(a.shape[1] == 0 for a in A):
        return np.empty((0, len(shape))), np.empty(0, dtype=np.complex128)
    C = T
    for m, a in enumerate(A):
        C = mode_product(C, a.conj().T, m)             # correlations with every atom
    limit = int(np.prod(C.shape)) if max_atoms is None else int(max_atoms)
    energy = float(np.vdot(T, T).real)
    # Stop when what is left is noise (its energy within `tolerance` standard deviations), or
    # when a new atom explains less than one noise atom would; 1e-10 of the energy stands
    # for the rounding of noiseless data.
    floor = max(noise_variance * T.size + tolerance * noise_variance * np.sqrt(T.size),
                1e-10 * energy)
    least_gain = max(tolerance * noise_variance, 1e-10 * energy)
    previous_energy = energy
    scale = np.sqrt(np.prod(shape))                     # every atom has norm sqrt(numel)
    chosen: list[tuple[int, ...]] = []
    beta = np.empty(0, dtype=np.complex128)
    residual_corr = C.copy()
    while len(chosen) < limit:
        score = np.abs(residual_corr) / scale
        for idx in chosen:
            score[idx] = -1.0
        idx = np.unravel_index(int(np.argmax(score)), score.shape)
        chosen.append(tuple(int(i) for i in idx))
        vecs = [a[:, [c[m] for c in chosen]] for m, a in enumerate(A)]
        b = np.array([C[c] for c in chosen])
        new_beta = np.linalg.solve(gram(vecs), b)
        residual_energy = energy - float(np.vdot(b, new_beta).real)
        if previous_energy - residual_energy < least_gain:
            chosen.pop()                                  # explains nothing: stop without it
            break
        beta, previous_energy = new_beta, residual_energy
        # residual correlations: C - sum_i beta_i <atoms, atom_i>
        cross = [a.conj().T @ v for a, v in zip(A, vecs, strict=True)]
        fitted = np.zeros(C.shape, dtype=np.complex128)
        for i in range(len(chosen)):
            term = cross[0][:, i]
            for cm in cross[1:]:
                term = np.multiply.outer(term, cm[:, i])
            fitted += beta[i] * term
        residual_corr = C - fitted
        if residual_energy <= floor:
            break
    frequencies = np.array([[candidates[m][c[m]] for m in range(len(shape))] for c in chosen])
    return frequencies.reshape(len(chosen), len(shape)), beta


def least_squares_core(T, candidates, count):
    """The ``count`` largest entries of the least-squares core ``T x1 A1^+ ... xN AN^+``."""
    core = T
    A = [steering(f, n) for f, n in zip(candidates, T.shape, strict=True)]
    for m, a in enumerate(A):
        core = mode_product(core, np.linalg.pinv(a), m)
    order = np.argsort(np.abs(core).ravel())[::-1][:count]
    idx = np.array(np.unravel_index(order, core.shape)).T
    frequencies = np.array([[candidates[m][i[m]] for m in range(T.ndim)] for i in idx])
    return frequencies.reshape(len(idx), T.ndim), core.ravel()[order]


def refit_amplitudes(H, frequencies):
    """Least-squares amplitudes of rank-1 harmonics with the given frequencies on ``H``."""
    F = np.atleast_2d(frequencies)
    if F.shape[0] == 0:
        return np.empty(0, dtype=np.complex128)
    vecs = [steering(F[:, m], n) for m, n in enumerate(H.shape)]
    return np.linalg.solve(gram(vecs), correlations(H, vecs))
