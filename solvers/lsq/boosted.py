"""Boosted optimal weighted least squares (Haberstich, Nouy, Perrin 2022): selection of the
best conditioned of several Christoffel samples, then greedy removal of points.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..errors import ParameterError
from ._validate import check_int


def bowls_sample_size(m, delta=0.9, eta=0.01):
    """``n = ceil(m log(2 m / eta) / d(delta))`` with
    ``d(delta) = -delta + (1 + delta) log(1 + delta)``: the sample size for which an i.i.d.
    Christoffel sample has ``||G - I||_2 <= delta`` with probability at least ``1 - eta``
    (matrix Chernoff bound).

    Examples
    --------
    >>> bowls_sample_size(11)          # the spec's reference setting
    265
    """
    m = check_int(m, "m", minimum=1)
    _check_delta(delta)
    if not 0 < eta < 1:
        raise ParameterError(f"eta must lie in (0, 1); got {eta!r}")
    d = -delta + (1 + delta) * math.log1p(delta)
    return int(math.ceil(m * math.log(2 * m / eta) / d))


def _check_delta(delta):
    if not (isinstance(delta, (int, float)) and 0 < delta < 1):
        raise ParameterError(f"delta must lie in (0, 1); got {delta!r}")


def _deviation(lam):
    return np.maximum(lam[..., -1] - 1.0, 1.0 - lam[..., 0])


def boosted(basis, n, rng, *, n_candidates=10, delta=0.9, maxiter=100, shortlist=32,
            max_rounds=None):
    """Points and weights of the boosted sampler, and what it did.

    1. Draw ``n_candidates`` i.i.d. Christoffel samples of size n and keep the one with the
       smallest ``||G - I||_2``, ``G = (1/n) sum_i w_i phi(x_i) phi(x_i)^T``, ``w = m / k_m``;
       if even that one exceeds ``delta``, draw further rounds of candidates (at most
       ``maxiter`` rounds in all) until one does not (the "conditioned" sampling).
       ``max_rounds``, its former name, still works for one release (with a
       ``DeprecationWarning``).
    2. Greedy removal: while more than m points remain, remove the point whose removal
       gives the smallest ``||G - I||_2`` (G renormalised by the new size) if that stays
       ``<= delta``, else stop. The point is chosen among the ``shortlist`` points ranked
       best by a first-order estimate (the change of the extreme eigenvalues); the
       deviations of the shortlisted removals are computed exactly.

    Returns
    -------
    X : ndarray, shape (n', d)
    w : ndarray, shape (n',)
    info : dict
        ``delta``, ``candidate_deviations`` (of every candidate drawn), ``selected_deviation``
        (the kept candidate's), ``deviation`` (after removal), ``removed``, ``stable``
        (whether ``deviation <= delta``).
    """
    if max_rounds is not None:
        warnings.warn("the keyword max_rounds= is deprecated and will be removed in the next "
                      "release; use maxiter=", DeprecationWarning, stacklevel=2)
        maxiter = max_rounds
    _check_delta(delta)
    n_candidates = check_int(n_candidates, "n_candidates", minimum=1)
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    shortlist = check_int(shortlist, "shortlist", minimum=1)
    m = basis.m
    best, deviations = None, []
    for _ in range(maxiter):
        for _ in range(n_candidates):
            X = basis.sample_christoffel(n, rng)
            Phi = basis.evaluate(X)
            k = (Phi * Phi).sum(axis=1)
            A = Phi * np.sqrt(m / k)[:, None]
            dev = float(_deviation(np.linalg.eigvalsh(A.T @ A / n)))
            deviations.append(dev)
            if best is None or dev < best[0]:
                best = (dev, X, m / k, A)
        if best[0] <= delta:
            break
    selected, X, w, A = best
    keep = np.arange(n)
    S = A.T @ A
    dev = selected
    while keep.size > m and dev <= delta:
        size = keep.size
        lam, V = np.linalg.eigh(S / size)
        z = A[keep] @ V[:, [0, -1]]                        # components on the extreme directions
        lo = (size * lam[0] - z[:, 0] ** 2) / (size - 1)
        hi = (size * lam[-1] - z[:, 1] ** 2) / (size - 1)
        estimate = np.maximum(hi - 1.0, 1.0 - lo)
        cand = np.argsort(estimate, kind="stable")[:shortlist]
        a = A[keep[cand]]
        trial = (S[None, :, :] - a[:, :, None] * a[:, None, :]) / (size - 1)
        exact = _deviation(np.linalg.eigvalsh(trial))
        best_i = int(np.argmin(exact))
        if exact[best_i] > delta:
            break
        S = S - np.outer(a[best_i], a[best_i])
        keep = np.delete(keep, cand[best_i])
        dev = float(exact[best_i])
    info = {"delta": delta, "candidate_deviations": deviations, "selected_deviation": selected,
            "deviation": dev, "removed": n - keep.size, "stable": dev <= delta}
    return X[keep], w[keep], info
