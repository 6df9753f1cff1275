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


BACKENDS = ("cpu", "cupy")


def check_backend(backend, *, supported=BACKENDS, name="solver"):
    """Validate a ``backend=`` argument; None means 'from the inputs'."""
    if backend is None or (isinstance(backend, str) and backend in supported):
        return backend
    raise ParameterError(
        f"backend must be None or one of {supported} for {name}; got {backend!r}"
    )


def select(backend, *arrays) -> str:
    """``"cpu"`` or ``"cupy"``: the backend asked for, else the one the inputs live on.

    Raises :class:`ParameterError` when CuPy is asked for (or given) but no GPU is usable.
    """
    if backend is None:
        backend = "cupy" if any(is_gpu_array(a) for a in arrays if a is not None) else "cpu"
    if backend == "cupy" and _cupy() is None:
        raise ParameterError("backend 'cupy' needs CuPy and a usable NVIDIA GPU, and none "
                             "was found; install them with pip install 'relax[gpu]' or use "
                             "backend='cpu'")
    return backend


def to_host(a):
    """A NumPy array or SciPy sparse matrix with the contents of ``a`` (copied from a GPU)."""
    return a.get() if is_gpu_array(a) else a


class ArrayModules:
    """The array module and its sparse module (``numpy`` and ``scipy.sparse``, or ``cupy``
    and ``cupyx.scipy.sparse``), with the few moves the array-namespace solvers need.

    Examples
    --------
    >>> m = ArrayModules("cpu")
    >>> m.xp is np, m.asarray([1.0, 2.0]).tolist()
    (True, [1.0, 2.0])
    """

    def __init__(self, backend: str):
        if backend == "cupy":
            cupy = _cupy()
            if cupy is None:
                select("cupy")
            import cupyx.scipy.sparse

            self.xp, self.sparse = cupy, cupyx.scipy.sparse
        else:
            import scipy.sparse

            self.xp, self.sparse = np, scipy.sparse
        self.backend = backend

    def asarray(self, a):
        """A host array moved to this namespace (a copy on a GPU, as is on the CPU)."""
        return self.xp.asarray(a)

    def as_matrix(self, M):
        """A SciPy CSR matrix moved to this namespace's sparse CSR."""
        return self.sparse.csr_matrix(M)

    def synchronize(self) -> None:
        """Wait for the device to finish (so that a clock read after it is honest)."""
        if self.backend == "cupy":
            self.xp.cuda.get_current_stream().synchronize()
