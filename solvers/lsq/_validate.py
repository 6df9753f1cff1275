"""Input checks shared by the least-squares modules: one wording for each mistake."""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import DTypeError, NonFiniteError, ParameterError, ShapeError


def check_int(value, name, *, minimum=None):
    """``value`` as an int, or a :class:`ParameterError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}; got {value}")
    return value


def check_real_array(a, name, xp=np):
    """``a`` as a float64 array of the namespace ``xp``; complex and non-numeric are refused."""
    a = xp.asarray(a)
    kind = a.dtype.kind
    if kind == "c":
        raise DTypeError(f"{name} is complex ({a.dtype}); only real values are supported")
    if kind not in "fiub":
        raise DTypeError(f"{name} has unsupported dtype {a.dtype}; use real floating point")
    return a.astype(np.float64, copy=False)


def check_points(X, dim, name="X", xp=np):
    """Points as a float64 array of shape (n, dim); a 1-D array is accepted when dim == 1."""
    X = check_real_array(X, name, xp)
    if X.ndim == 1 and dim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != dim:
        raise ShapeError(f"{name} must have shape (n, {dim}) for a basis in {dim} "
                         f"dimension(s); got shape {tuple(X.shape)}")
    if not bool(xp.all(xp.isfinite(X))):
        raise NonFiniteError(f"{name} holds NaN or infinity")
    return X
