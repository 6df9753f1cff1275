"""Forward models of imaging inverse problems with exact adjoints: multi-coil MRI and CT.

An operator maps images ``x`` of shape ``(..., *image_shape)`` to data ``y`` of shape
``(..., *data_shape)``; the leading axes are a batch, each item mapped on its own. The
adjoint is exact (``<A x, y> = <x, A^H y>`` to rounding) and both run on NumPy or CuPy
arrays, whichever they are given.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..backend import ArrayModules, is_gpu_array, namespace
from ..errors import ParameterError, ShapeError
from . import _ct_kernels


class ImagingOperator:
    """The interface: ``forward``, ``adjoint``, ``normal`` and the shapes they act on."""

    image_shape: tuple[int, ...]
    data_shape: tuple[int, ...]
    is_complex: bool

    def forward(self, x):
        raise NotImplementedError

    def adjoint(self, y):
        raise NotImplementedError

    def normal(self, x):
        """``A^H A x``."""
        return self.adjoint(self.forward(x))

    @staticmethod
    def _apply(M, a, shape_in, shape_out):
        """``M`` (a matrix on flattened items) applied to every item of the batch ``a``."""
        batch = a.shape[:a.ndim - len(shape_in)]
        flat = a.reshape(-1, int(np.prod(shape_in))).T
        return (M @ flat).T.reshape(*batch, *shape_out)

    def _check(self, a, shape, name):
        if tuple(a.shape[a.ndim - len(shape):]) != tuple(shape) or a.ndim < len(shape):
            raise ShapeError(f"{name} must have shape (..., {', '.join(map(str, shape))}); "
                             f"got {tuple(a.shape)}")


def fft2c(x):
    """Orthonormal, centred 2-D FFT over the last two axes (NumPy or CuPy)."""
    xp = namespace(x)
    axes = (-2, -1)
    return xp.fft.fftshift(xp.fft.fft2(xp.fft.ifftshift(x, axes=axes), norm="ortho"),
                           axes=axes)


def ifft2c(k):
    """The inverse (and adjoint) of :func:`fft2c`."""
    xp = namespace(k)
    axes = (-2, -1)
    return xp.fft.fftshift(xp.fft.ifft2(xp.fft.ifftshift(k, axes=axes), norm="ortho"),
                           axes=axes)


class MatrixOperator(ImagingOperator):
    """Any matrix (dense or SciPy sparse) as an operator on images of a given shape:
    ``A x = M x.ravel()``, ``A^H y = M^H y``; the data have shape ``(M.shape[0],)`` unless
    ``data_shape`` (holding as many entries) says otherwise.

    Examples
    --------
    >>> A = MatrixOperator(np.arange(6.0).reshape(3, 2), (2,))
    >>> A.forward(np.ones((5, 2))).shape, A.adjoint(np.ones(3)).tolist()
    ((5, 3), [6.0, 9.0])
    """

    def __init__(self, matrix, image_shape, data_shape=None):
        self.image_shape = tuple(int(s) for s in image_shape)
        n = int(np.prod(self.image_shape))
        if matrix.ndim != 2 or matrix.shape[1] != n:
            raise ShapeError(f"matrix must have {n} columns (the image's pixels); got shape "
                             f"{matrix.shape}")
        self.data_shape = ((int(matrix.shape[0]),) if data_shape is None
                           else tuple(int(s) for s in data_shape))
        if int(np.prod(self.data_shape)) != matrix.shape[0]:
            raise ShapeError(f"data_shape {self.data_shape} must hold the matrix's "
                             f"{matrix.shape[0]} rows")
        self.matrix = matrix
        self._adjoint = matrix.conj().T
        self.is_complex = bool(np.iscomplexobj(matrix))

    def forward(self, x):
        self._check(x, self.image_shape, "x")
        return self._apply(self.matrix, x, self.image_shape, self.data_shape)

    def adjoint(self, y):
        self._check(y, self.data_shape, "y")
        return self._apply(self._adjoint, y, self.data_shape, self.image_shape)


class MRIOperator(ImagingOperator):
    """Multi-coil Cartesian MRI: ``(A x)_c = M F (S_c x)``; ``A^H y = sum_c conj(S_c) F^H M y_c``.

    Parameters
    ----------
    coil_maps : ndarray, complex, shape (C, H, W)
        Coil sensitivities ``S_c`` (NumPy or CuPy).
    mask : ndarray of bool, shape (H, W)
        The sampled k-space locations ``M``.

    Examples
    --------
    >>> from problems.mri import birdcage_maps, line_mask
    >>> A = MRIOperator(birdcage_maps(4, (16, 16)), line_mask((16, 16), 4, seed=0))
    >>> x = np.random.default_rng(0).standard_normal((2, 16, 16)) + 0j
    >>> y = A.forward(x)
    >>> y.shape, A.adjoint(y).shape
    ((2, 4, 16, 16), (2, 16, 16))
    """

    is_complex = True

    def __init__(self, coil_maps, mask):
        xp = namespace(coil_maps)
        if coil_maps.ndim != 3:
            raise ShapeError(f"coil_maps must have shape (C, H, W); got {coil_maps.shape}")
        if tuple(mask.shape) != tuple(coil_maps.shape[1:]):
            raise ShapeError(f"mask must have shape {tuple(coil_maps.shape[1:])}; "
                             f"got {tuple(mask.shape)}")
        self.coil_maps = xp.asarray(coil_maps, dtype=xp.complex128)
        self.mask = xp.asarray(mask).astype(bool)
        self.image_shape = tuple(coil_maps.shape[1:])
        self.data_shape = tuple(coil_maps.shape)

    def forward(self, x):
        self._check(x, self.image_shape, "x")
        return fft2c(self.coil_maps * x[..., None, :, :]) * self.mask

    def adjoint(self, y):
        self._check(y, self.data_shape, "y")
        return (self.coil_maps.conj() * ifft2c(y * self.mask)).sum(axis=-3)


class CTOperator(ImagingOperator):
    """2-D parallel-beam CT: line integrals of an n x n image along rays at the given angles.

    The sparse system matrix ``W`` (Joseph's method, built once with Numba) is the operator;
    the adjoint is its transpose, exactly. The geometry is that of scikit-image's ``radon``
    (its sinogram transposed: ``y`` has shape ``(..., len(angles), n_detectors)``).

    Parameters
    ----------
    n : int
        Image size (n x n pixels of unit width).
    angles : array_like
        Projection angles in degrees, any set (sparse-view, limited-angle).
    n_detectors : int, optional
        Detector bins of unit width, centred; ``n`` by default.

    Examples
    --------
    >>> A = CTOperator(32, np.linspace(0.0, 180.0, 8, endpoint=False))
    >>> A.forward(np.ones((32, 32))).shape, A.matrix.shape
    ((8, 32), (256, 1024))
    """

    is_complex = False

    def __init__(self, n, angles, n_detectors=None):
        angles = np.asarray(angles, dtype=np.float64).ravel()
        if not (isinstance(n, int | np.integer) and n >= 1):
            raise ParameterError(f"n must be a positive integer; got {n!r}")
        if angles.size == 0 or not np.all(np.isfinite(angles)):
            raise ParameterError("angles must be a non-empty array of finite degrees")
        n_det = int(n if n_detectors is None else n_detectors)
        indptr, indices, data = _ct_kernels.system_matrix(int(n), np.deg2rad(angles), n_det)
        self.matrix = sp.csr_matrix((data, indices, indptr), shape=(angles.size * n_det, n * n))
        self.matrix.sort_indices()
        self._transpose = self.matrix.T.tocsr()
        self._on_gpu = None
        self.angles = angles
        self.image_shape = (int(n), int(n))
        self.data_shape = (angles.size, n_det)

    def _matrices(self, a):
        if not is_gpu_array(a):
            return self.matrix, self._transpose
        if self._on_gpu is None:
            gpu = ArrayModules("cupy")
            self._on_gpu = (gpu.as_matrix(self.matrix), gpu.as_matrix(self._transpose))
        return self._on_gpu

    def forward(self, x):
        self._check(x, self.image_shape, "x")
        return self._apply(self._matrices(x)[0], x, self.image_shape, self.data_shape)

    def adjoint(self, y):
        self._check(y, self.data_shape, "y")
        return self._apply(self._matrices(y)[1], y, self.data_shape, self.image_shape)
