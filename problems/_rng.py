"""The ``seed`` argument every random routine accepts."""

from __future__ import annotations

import numbers

import numpy as np

from .errors import ParameterError, ParameterTypeError


def as_generator(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed``.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        ``None`` draws fresh entropy, an integer >= 0 seeds a new generator and a
        generator is used as is (and advanced by the caller's draws).

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        If ``seed`` is of another type.
    ValueError
        If ``seed`` is a negative integer.

    Examples
    --------
    >>> int(as_generator(3).integers(10)) == int(as_generator(3).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ParameterTypeError(
            f"seed must be None, an int or a numpy.random.Generator; got {type(seed).__name__}"
        )
    if seed < 0:
        raise ParameterError(f"seed must be an integer >= 0; got {seed!r}")
    return np.random.default_rng(int(seed))
