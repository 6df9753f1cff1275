"""Input checks shared by every solver: one place, one wording for each mistake."""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.sparse as sp

from ._kernels import count_special, norm2
from .errors import (
    DTypeError,
    NonFiniteError,
    ParameterError,
    ParameterTypeError,
    ShapeError,
)


def _check_real_dtype(dtype, name):
    if np.issubdtype(dtype, np.complexfloating):
        raise DTypeError(f"{name} is complex ({dtype}); only real systems are supported")
    if not (np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.integer)
            or np.issubdtype(dtype, np.bool_)):
        raise DTypeError(f"{name} has unsupported dtype {dtype}; use a real floating-point dtype")


def check_matrix(A, name="A"):
    """Return ``A`` as a float64 CSR matrix and its number of stored zeros.

    Checks that ``A`` is a square, real, finite matrix (any SciPy sparse format or a dense
    2-D array). The caller's object is never modified, and is returned as is when it is
    already a float64 CSR matrix.
    """
    if sp.issparse(A):
        M = A
    elif isinstance(A, np.ndarray) or hasattr(A, "__array__"):
        arr = np.asarray(A)
        if arr.ndim != 2:
            raise ShapeError(f"{name} must be 2-D; got an array of shape {arr.shape}")
        _check_real_dtype(arr.dtype, name)
        M = sp.csr_matrix(arr)
    else:
        raise DTypeError(
            f"{name} must be a SciPy sparse matrix or a 2-D array; got {type(A).__name__}"
        )
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ShapeError(f"{name} must be square; got shape {M.shape}")
    _check_real_dtype(M.dtype, name)
    if M.format != "csr":
        M = M.tocsr()
    if M.dtype != np.float64:
        M = M.astype(np.float64)
    nonfinite, zeros = count_special(np.ascontiguousarray(M.data))
    if nonfinite:
        raise NonFiniteError(f"{name} has {nonfinite} NaN or infinite entries")
    return M, zeros


def as_vector(v, n, name, *, rows_of="A"):
    """``v`` as a contiguous float64 vector of length ``n``: the array itself when it is
    one (no copy), else a converted copy. Shapes and dtypes are checked, values are not."""
    if type(v) is not np.ndarray:
        v = np.asarray(v)
    if v.ndim == 2 and 1 in v.shape:
        v = v.ravel()
    if v.ndim != 1:
        raise ShapeError(f"{name} must be a vector; got an array of shape {v.shape}")
    if v.shape[0] != n:
        raise ShapeError(f"{rows_of} has {n} rows but {name} has {v.shape[0]} entries")
    if v.dtype != np.float64:
        _check_real_dtype(v.dtype, name)
        v = v.astype(np.float64)
    elif not v.flags.c_contiguous:
        v = np.ascontiguousarray(v)
    return v


def check_vector(v, n, name, *, rows_of="A"):
    """Return ``v`` as a new contiguous float64 vector of length ``n``."""
    out = np.array(as_vector(v, n, name, rows_of=rows_of), copy=True)
    if count_special(out)[0]:
        raise NonFiniteError(f"{name} has NaN or infinite entries")
    return out


def check_omega(omega):
    """Relaxation parameter: a real number in the open interval (0, 2)."""
    if isinstance(omega, bool) or not isinstance(omega, numbers.Real) or not 0.0 < omega < 2.0:
        raise ParameterError(f"omega must be a real number in (0, 2); got {omega!r}")
    return float(omega)


def check_tolerances(rtol, atol):
    """Both tolerances real, finite and non-negative."""
    if type(rtol) is float and type(atol) is float and 0.0 <= rtol < math.inf \
            and 0.0 <= atol < math.inf:
        return rtol, atol                              # the common case, checked cheaply
    for name, value in (("rtol", rtol), ("atol", atol)):
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not np.isfinite(value) or value < 0):
            raise ParameterError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(rtol), float(atol)


def check_maxiter(maxiter, default):
    """``maxiter``: a non-negative integer, or None for ``default``."""
    if maxiter is None:
        return int(default)
    if type(maxiter) is int and maxiter >= 0:
        return maxiter
    if isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral) or maxiter < 0:
        raise ParameterError(f"maxiter must be an integer >= 0; got {maxiter!r}")
    return int(maxiter)


def check_callback(callback):
    if callback is not None and not callable(callback):
        raise ParameterError(f"callback must be callable or None; got {type(callback).__name__}")
    return callback


def threshold(b, rtol, atol):
    """The stopping threshold ``max(rtol * ||b||_2, atol)`` of the convergence test.

    ``||b||`` is a compiled loop, not BLAS: on a machine where Numba's threads have just
    run, waking BLAS's own thread pool as well costs milliseconds.
    """
    return max(rtol * float(norm2(b)), atol)


_SAFE_EXPONENT = 500


def power_of_two_scale(b):
    """1, or for extreme ``b`` a power of two ``s`` with ``max |s b|`` in [0.5, 1).

    Solvers work on ``s b`` and ``s x``: the scaling is exact in floating point and keeps the
    sums of squares in the kernels clear of overflow (``||b|| ~ 1e155``) and underflow
    (``||b|| ~ 1e-160``). Where ``max |b|`` lies within ``2**+-500`` no scaling is needed.

    Examples
    --------
    >>> power_of_two_scale(np.array([3.0, -1.0]))
    1.0
    >>> s = power_of_two_scale(np.array([1e200])); 0.5 <= s * 1e200 < 1.0, np.log2(s).is_integer()
    (True, True)
    """
    return scale_for(max(float(b.max()), -float(b.min())) if b.size else 0.0)


def scale_for(top: float) -> float:
    """:func:`power_of_two_scale` of a vector whose largest magnitude is ``top``."""
    exponent = math.frexp(top)[1]
    if top == 0.0 or abs(exponent) < _SAFE_EXPONENT:
        return 1.0
    return math.ldexp(1.0, -exponent)


def prepare_rhs(b, x0, n, rtol, atol):
    """Checked copies of ``b`` and ``x0``, scaled by :func:`power_of_two_scale`.

    Returns ``(b, x, tol, scale)`` where ``tol`` is the threshold of the scaled system.
    Divide the solution and the residual norms by ``scale`` to report them.
    """
    b = check_vector(b, n, "b")
    x = np.zeros(n) if x0 is None else check_vector(x0, n, "x0")
    scale = power_of_two_scale(b)
    if scale != 1.0:
        b *= scale
        x *= scale
    return b, x, threshold(b, rtol, atol * scale), scale


def as_generator(seed) -> np.random.Generator:
    """A ``numpy.random.Generator`` for ``seed``: None draws fresh entropy, an int >= 0 seeds
    a new generator, a Generator is used as is (and advanced by the caller's draws). The same
    checks, and the same errors, as ``tuner`` and ``problems`` make of a seed.

    Examples
    --------
    >>> g = np.random.default_rng(1)
    >>> as_generator(g) is g, float(as_generator(3).random()) == float(as_generator(3).random())
    (True, True)
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ParameterTypeError(
            f"seed must be None, an int or a numpy.random.Generator; got {type(seed).__name__}")
    if seed < 0:
        raise ParameterError(f"seed must be an integer >= 0; got {seed!r}")
    return np.random.default_rng(int(seed))
