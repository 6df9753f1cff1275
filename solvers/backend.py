"""The array-namespace seam: NumPy on the CPU, CuPy on a GPU.

This is the only module that imports CuPy, and it does so lazily, so that everything runs
without it.
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError


def _cupy():
    """Return the CuPy module if it imports and sees a usable device, else None."""
    try:
        import cupy
    except ImportError:
        return None
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
    except Exception:  # no driver, no device: CuPy imports but cannot allocate
        return None
    return cupy


def gpu_available() -> bool:
    """True if CuPy is installed and a GPU is usable.

    Examples
    --------
    >>> isinstance(gpu_available(), bool)
    True
    """
    return _cupy() is not None


def is_gpu_array(a) -> bool:
    """True for CuPy arrays and CuPy sparse matrices, without importing CuPy."""
    module = type(a).__module__
    return module.startswith("cupy") or module.startswith("cupyx")


def namespace(*arrays):
    """The array module (``numpy`` or ``cupy``) that the given arrays live in.

    Examples
    --------
    >>> namespace(np.ones(2)) is np
    True
    """
    if any(is_gpu_array(a) for a in arrays if a is not None):
        cupy = _cupy()
        if cupy is None:
            raise ParameterError("got CuPy arrays but no usable GPU was found")
        return cupy
    return np


def check_backend(backend, *, supported=("cpu",), name="solver"):
    """Validate a ``backend=`` argument; None means 'from the inputs'."""
    if backend is None or backend in supported:
        return backend
    raise ParameterError(
        f"backend must be None or one of {supported} for {name}; got {backend!r}"
    )
