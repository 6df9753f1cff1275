"""Refine every object's frequencies on a tensor (RELAX-style), all objects at once.

Each object is isolated (the others' fitted terms subtracted), its tensor is contracted with
its own steering vectors in all dimensions but one, and the frequency of that dimension moves
to the nearby peak of the resulting 1-D periodogram by Newton steps. ``search="global"``
first checks each object against the highest peak of its isolated tensor's zero-padded N-D
periodogram and keeps the better: this repairs a wrong pairing, separates two objects the
per-dimension estimates merged, and finds an object too weak for them. The contractions take two
passes over the tensor per sweep for all objects (:func:`~solvers.isac.harmonics.projections`);
the other objects' terms are subtracted from them in closed form (inner products of steering
vectors), and the amplitudes are refitted jointly after each sweep.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from ..errors import ParameterError
from .harmonics import correlations, gram, projections, steering, synthesize

SEARCHES = ("local", "global")

#: Zero-padding of the global search's N-D FFT: this many bins per sample (at least 16).
PADDING = 2


def _newton_peak(z, f, maxiter=8):
    """At most ``maxiter`` Newton steps towards the maximum of |sum_i z_i exp(-j 2 pi f i)|^2
    near f."""
    i = np.arange(z.size)
    for _ in range(maxiter):
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


def _strongest_atom(X):
    """Frequencies and |<atom, X>| of the highest peak of X's zero-padded N-D periodogram."""
    padded = [max(16, PADDING * n) for n in X.shape]
    spectrum = np.abs(scipy.fft.fftn(X, s=padded, axes=tuple(range(X.ndim)), workers=-1))
    index = np.unravel_index(int(np.argmax(spectrum)), spectrum.shape)
    f = np.array([k / n for k, n in zip(index, padded, strict=True)])
    return (f + 0.5) % 1.0 - 0.5, float(spectrum[index])


def _replace_by_global_peaks(H, F, beta):
    """One pass over the objects, weakest first: isolate each and keep the better of its
    atom and the strongest atom of the isolated tensor (by the energy each explains)."""
    fitted = synthesize(F, beta, H.shape)
    for p in np.argsort(np.abs(beta)):
        own = synthesize(F[[p]], beta[[p]], H.shape)
        isolated = H - fitted + own
        f, peak = _strongest_atom(isolated)
        vectors = [steering(F[p, m], n) for m, n in enumerate(H.shape)]
        if peak > abs(correlations(isolated, vectors)[0]):
            F[p] = f
            vectors = [steering(f[m], n) for m, n in enumerate(H.shape)]
            beta[p] = correlations(isolated, vectors)[0] / isolated.size
            fitted = fitted - own + synthesize(F[[p]], beta[[p]], H.shape)
    return F, beta


def refine(H, frequencies, amplitudes=None, sweeps=2, search="local"):
    """Refined ``(frequencies, amplitudes)`` of the objects of ``H``.

    Parameters
    ----------
    H : ndarray
        The tensor (full or compressed: a compressed harmonic is a harmonic).
    frequencies : array (P, H.ndim)
        Starting frequencies, normalised to ``H``'s sampling.
    amplitudes : array (P,), optional
        Starting amplitudes (least squares on ``H`` by default).
    sweeps : int
        Sweeps over all objects and dimensions.
    search : {"local", "global"}
        Newton steps from the current frequencies, or first one pass over the objects
        (weakest first) that replaces an object by the highest peak of its isolated tensor's
        N-D periodogram when that peak explains more energy (a replaced object's frequencies
        are wrapped into [-1/2, 1/2)).

    Examples
    --------
    >>> from solvers.isac.harmonics import synthesize
    >>> F = np.array([[0.1, 0.2], [-0.3, 0.05]])
    >>> H = synthesize(F, [1.0, 0.5], (12, 10))
    >>> G, _ = refine(H, F + 0.004, sweeps=8)
    >>> bool(np.allclose(G, F, atol=1e-12))
    True
    >>> G, _ = refine(H, [[0.1, 0.2], [0.4, 0.05]], sweeps=8, search="global")  # wrong
    >>> bool(np.allclose(G, F, atol=1e-12))
    True
    """
    if search not in SEARCHES:
        raise ParameterError(f"search must be one of {SEARCHES}; got {search!r}")
    F = np.array(np.atleast_2d(frequencies), dtype=np.float64)
    P = F.shape[0]
    if P == 0:
        return F, np.empty(0, dtype=np.complex128)
    V = [steering(F[:, m], n) for m, n in enumerate(H.shape)]
    beta = (np.linalg.solve(gram(V), correlations(H, V)) if amplitudes is None
            else np.asarray(amplitudes, dtype=np.complex128))
    if search == "global":
        F, beta = _replace_by_global_peaks(H, F, beta)
        V = [steering(F[:, m], n) for m, n in enumerate(H.shape)]
    for _ in range(int(sweeps)):
        z = projections(H, V)
        inner = [v.conj().T @ v for v in V]                 # <v_p, v_q> per dimension
        for m in range(H.ndim):
            coupling = np.ones((P, P), dtype=np.complex128)
            for k in range(H.ndim):
                if k != m:
                    coupling *= inner[k]
            np.fill_diagonal(coupling, 0.0)
            isolated = z[m] - (coupling * beta[None, :]) @ V[m].T
            for p in range(P):
                F[p, m] = _newton_peak(isolated[p], F[p, m])
        V = [steering(F[:, m], n) for m, n in enumerate(H.shape)]
        beta = np.linalg.solve(gram(V), correlations(H, V))
    return F, beta
