"""Input checks shared by the policies and the Tuner: one place, one wording for each mistake."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .errors import (
    ContextError,
    ContextOutOfBoundsWarning,
    CostError,
    ParameterError,
    ParameterTypeError,
)


def _is_real(value) -> bool:
    kind = type(value)
    if kind is float or kind is int:           # the common case, without the ABC machinery
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_arms(arms) -> np.ndarray:
    """Return the arms as a read-only 1-D float64 array.

    Arms must be a non-empty 1-D sequence of finite, pairwise distinct real numbers. Their order
    is kept as given: arm ``i`` is ``arms[i]`` (a grid need not be sorted).

    Examples
    --------
    >>> check_arms([1.0, 1.5, 1.2])
    array([1. , 1.5, 1.2])
    """
    try:
        arr = np.asarray(arms)
    except (TypeError, ValueError) as exc:
        raise ParameterTypeError(
            f"arms must be a 1-D sequence of real numbers; got {arms!r}"
        ) from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer)
                                   or np.issubdtype(arr.dtype, np.floating)):
        raise ParameterTypeError(
            f"arms must be real numbers; got an array of dtype {arr.dtype} ({arms!r})"
        )
    if arr.ndim != 1:
        raise ParameterError(f"arms must be a 1-D sequence; got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError("arms must hold at least one value; got an empty sequence")
    out = np.array(arr, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ParameterError(f"arms must be finite; got {out.tolist()!r}")
    if np.unique(out).size != out.size:
        raise ParameterError(f"arms must be pairwise distinct; got {out.tolist()!r}")
    out.flags.writeable = False
    return out


def check_bounds(bounds) -> tuple[float, float]:
    """Return a context interval ``(a, b)`` with finite ``a < b``.

    Examples
    --------
    >>> check_bounds((-0.15, 0.65))
    (-0.15, 0.65)
    """
    try:
        a, b = bounds
    except (TypeError, ValueError) as exc:
        raise ParameterTypeError(f"bounds must be a pair (a, b); got {bounds!r}") from exc
    if not (_is_real(a) and _is_real(b)):
        raise ParameterTypeError(f"bounds must be two real numbers; got {bounds!r}")
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)) or not a < b:
        raise ParameterError(f"bounds must be finite with a < b; got (a, b) = ({a!r}, {b!r})")
    return a, b


def check_positive_int(value, name: str) -> int:
    """Return ``value`` as an int >= 1."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ParameterTypeError(f"{name} must be an integer >= 1; got {value!r}")
    if value < 1:
        raise ParameterError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


def check_cost(cost, name: str = "cost") -> float:
    """Return a cost as a float; it must be a finite real number > 0.

    Examples
    --------
    >>> check_cost(12)
    12.0
    """
    if not _is_real(cost):
        raise ParameterTypeError(f"{name} must be a real number; got {cost!r}")
    value = float(cost)
    if not math.isfinite(value) or value <= 0.0:
        raise CostError(f"{name} must be a finite number > 0; got {value!r}")
    return value


def check_flag(value, name: str = "censored") -> bool:
    """Return a flag as a bool; it must be ``True`` or ``False`` (NumPy's included).

    Examples
    --------
    >>> check_flag(np.bool_(True))
    True
    """
    if not isinstance(value, bool | np.bool_):
        raise ParameterTypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_context_value(context) -> float | None:
    """Return ``None`` or the context as a finite float."""
    if context is None:
        return None
    if not _is_real(context):
        raise ContextError(f"context must be None or a real number; got {context!r}")
    value = float(context)
    if not math.isfinite(value):
        raise ContextError(f"context must be finite; got {value!r}")
    return value


def clip_context(context, bounds: tuple[float, float], who: str) -> float:
    """Return the context of a contextual policy, clipped into ``bounds`` with a warning.

    Raises :class:`ContextError` when the context is missing or not a finite real number; a
    context outside ``bounds`` is moved to the nearest bound and a
    :class:`ContextOutOfBoundsWarning` is issued.
    """
    value = check_context_value(context)
    if value is None:
        raise ContextError(
            f"{who} is contextual: pass a context (a real number in [{bounds[0]}, {bounds[1]}])"
        )
    a, b = bounds
    if value < a or value > b:
        clipped = min(max(value, a), b)
        warnings.warn(
            ContextOutOfBoundsWarning(
                f"context {value!r} lies outside the bounds [{a}, {b}] of {who}; clipped to "
                f"{clipped}", bounds),
            stacklevel=4,
        )
        return clipped
    return value


def check_arm_index(index, n_arms: int) -> int:
    """Return an arm index as an int in ``[0, n_arms)``."""
    if type(index) is not int and (not isinstance(index, numbers.Integral)
                                   or isinstance(index, bool)):
        raise ParameterTypeError(f"arm_index must be an integer; got {index!r}")
    if not 0 <= index < n_arms:
        raise ParameterError(f"arm_index must lie in [0, {n_arms}); got {index!r}")
    return int(index)


def check_probability(probability) -> float:
    """Return a sampling probability as a float in ``(0, 1]``."""
    if not _is_real(probability):
        raise ParameterTypeError(f"probability must be a real number; got {probability!r}")
    value = float(probability)
    if not 0.0 < value <= 1.0:
        raise ParameterError(f"probability must lie in (0, 1]; got {value!r}")
    return value
