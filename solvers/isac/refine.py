"""Optional last stage: refine every object's frequencies on the full tensor (RELAX-style).

Each object in turn is isolated (the others' fitted terms subtracted), its tensor is
contracted with its own steering vectors in all dimensions but one, and the frequency of that
dimension moves to the nearby peak of the resulting 1-D periodogram (Newton steps on its
derivative); amplitudes are refitted jointly after each sweep. Started from PLAIN's estimates
this removes what the compression and the decoupling cost in accuracy, and separates objects
the per-dimension estimates merged.
"""

from __future__ import annotations

import numpy as np

from .fusion import refit_amplitudes
from .harmonics import rank_one, steering


def _contract_all_but(T, vectors, keep):
    out = T
    for m in range(T.ndim - 1, -1, -1):
        if m != keep:
            out = np.tensordot(out, vectors[m].conj(), axes=(m, 0))
    return out


def _peak(z, f, steps=8):
    """Newton steps towards the maximum of |sum_i z_i exp(-j 2 pi f i)|^2 near f."""
    i = np.arange(z.size)
    for _ in range(steps):
        e = np.exp(-2j * np.pi * f * i)
        s0 = np.sum(z * e)
        s1 = np.sum(-2j * np.pi * i * z * e)
        s2 = np.sum(-(2 * np.pi * i) ** 2 * z * e)
        grad = 2 * np.real(np.conj(s0) * s1)
        hess = 2 * (np.abs(s1) ** 2 + np.real(np.conj(s0) * s2))
        if hess >= 0:                                  # not at a maximum's basin: stay
            break
        step = -grad / hess
        f = f + float(np.clip(step, -0.5 / z.size, 0.5 / z.size))
        if abs(step) < 1e-14:
            break
    return f


def refine(H, frequencies, amplitudes=None, sweeps=2):
    """Refined ``(frequencies, amplitudes)`` of the objects of ``H``.

    Examples
    --------
    >>> from solvers.isac.harmonics import synthesize
    >>> F = np.array([[0.1, 0.2], [-0.3, 0.05]])
    >>> H = synthesize(F, [1.0, 0.5], (12, 10))
    >>> G, _ = refine(H, F + 0.004, sweeps=8)
    >>> bool(np.allclose(G, F, atol=1e-12))
    True
    """
    F = np.array(np.atleast_2d(frequencies), dtype=np.float64)
    P = F.shape[0]
    if P == 0:
        return F, np.empty(0, dtype=np.complex128)
    beta = refit_amplitudes(H, F) if amplitudes is None else np.asarray(amplitudes, complex)
    for _ in range(int(sweeps)):
        vectors = [[steering(F[p, m], n)[:, 0] for m, n in enumerate(H.shape)]
                   for p in range(P)]
        fitted = sum(beta[p] * rank_one(vectors[p]) for p in range(P))
        for p in range(P):
            own = beta[p] * rank_one(vectors[p])
            isolated = H - fitted + own
            for m in range(H.ndim):
                z = _contract_all_but(isolated, vectors[p], m)
                F[p, m] = _peak(z, F[p, m])
                vectors[p][m] = steering(F[p, m], H.shape[m])[:, 0]
            new_own = beta[p] * rank_one(vectors[p])
            fitted = fitted - own + new_own
        beta = refit_amplitudes(H, F)
    return F, beta
