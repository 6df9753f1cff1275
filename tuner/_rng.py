"""The ``seed`` every policy accepts, and its generator's state as plain JSON values."""

from __future__ import annotations

import numbers

import numpy as np

from .errors import ParameterError, ParameterTypeError, StateError


def as_generator(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed``.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        ``None`` draws fresh entropy, an integer >= 0 seeds a new generator and a generator is
        used as is (the policy then advances the caller's generator).

    Returns
    -------
    numpy.random.Generator

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


def _plain(value):
    """Nested bit-generator state with arrays and NumPy scalars turned into lists and ints."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.integer):
        return int(value)
    return value


def generator_state(rng: np.random.Generator) -> dict:
    """Return the state of ``rng`` as JSON-serialisable values.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> state = generator_state(rng)
    >>> state["bit_generator"]
    'PCG64'
    """
    return _plain(rng.bit_generator.state)


def generator_from_state(state: dict) -> np.random.Generator:
    """Return a new generator in the state recorded by :func:`generator_state`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> copy = generator_from_state(generator_state(rng))
    >>> float(copy.random()) == float(rng.random())
    True
    """
    try:
        name = state["bit_generator"]
        bit_generator = getattr(np.random, name)
        if not (isinstance(bit_generator, type)
                and issubclass(bit_generator, np.random.BitGenerator)):
            raise TypeError(name)
        bits = bit_generator()
        restored = dict(state)
        if name == "MT19937":
            restored["state"] = dict(state["state"])
            restored["state"]["key"] = np.asarray(state["state"]["key"], dtype=np.uint32)
        bits.state = restored
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StateError(f"not a generator state: {state!r}") from exc
    return np.random.Generator(bits)
