"""Stage 1 of PLAIN: shrink every dimension by a factor while keeping its aperture.

Block averaging (the default) replaces each run of ``factor`` consecutive samples by their
mean; decimation keeps every ``factor``-th sample. Either turns a harmonic of frequency f
into one of frequency ``factor * f`` (so resolution in f is kept, and the unambiguous band
shrinks to ``|f| < 1 / (2 factor)``); block averaging also scales it by the Dirichlet gain
``sum_r exp(j 2 pi f r) / factor`` and averages the noise down.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ParameterError, ShapeError

METHODS = ("average", "decimate")


class AliasingWarning(UserWarning):
    """A frequency lies outside the band a compression factor leaves unambiguous."""


def check_factors(shape, factors) -> tuple[int, ...]:
    """Factors as a tuple of ints >= 1 that divide the dimensions they compress."""
    factors = tuple(int(f) for f in factors)
    if len(factors) != len(shape):
        raise ShapeError(f"need one compression factor per dimension ({len(shape)}); got "
                         f"{len(factors)}")
    for m, (n, f) in enumerate(zip(shape, factors, strict=True)):
        if f < 1 or n % f:
            raise ParameterError(f"compression factor {f} of dimension {m} must be >= 1 and "
                                 f"divide its length {n}")
    return factors


def compress(H, factors, method: str = "average", offset: int = 0):
    """The compressed tensor: each dimension m shortened by ``factors[m]``.

    Examples
    --------
    >>> from solvers.isac.harmonics import synthesize
    >>> H = synthesize([[0.01, 0.02]], [1.0], (8, 12))
    >>> G = compress(H, (2, 3))
    >>> G.shape
    (4, 4)
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}; got {method!r}")
    factors = check_factors(H.shape, factors)
    G = H
    for m, f in enumerate(factors):
        if f == 1:
            continue
        n = G.shape[m]
        if method == "decimate":
            G = np.take(G, np.arange(offset % f, n, f), axis=m)
        else:
            shape = G.shape[:m] + (n // f, f) + G.shape[m + 1:]
            G = G.reshape(shape).mean(axis=m + 1)
    return G


def check_unambiguous(frequencies, factors, names=None) -> None:
    """Warn (:class:`AliasingWarning`) if a frequency is outside ``|f| < 1 / (2 factor)``."""
    F = np.atleast_2d(frequencies)
    for m, f in enumerate(factors):
        limit = 0.5 / f
        bad = np.abs(F[:, m]) >= limit
        if bad.any():
            name = f"dimension {m}" if names is None else names[m]
            warnings.warn(f"{int(bad.sum())} object(s) lie outside the unambiguous band of "
                          f"{name} after compression by {f} (|f| < {limit:.4g}); their "
                          "estimates alias", AliasingWarning, stacklevel=2)
