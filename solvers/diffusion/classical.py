"""Classical reconstructions, the baselines of DDS: zero-filled MRI, filtered back-projection,
and the operator norm that sets a gradient step."""

from __future__ import annotations

import numpy as np

from .._validate import as_generator
from ..backend import namespace
from ..errors import ParameterError
from .operators import CTOperator, MRIOperator


def zero_filled(A: MRIOperator, y):
    """The zero-filled, coil-combined image ``A^H y`` (maps normalised to unit sum of squares).

    Examples
    --------
    >>> from problems.mri import birdcage_maps
    >>> A = MRIOperator(birdcage_maps(4, (8, 8)), np.ones((8, 8), bool))
    >>> x = np.random.default_rng(0).standard_normal((8, 8)) + 0j
    >>> bool(np.allclose(zero_filled(A, A.forward(x)), x))      # full sampling: exact
    True
    """
    if not isinstance(A, MRIOperator):
        raise ParameterError("zero_filled needs an MRIOperator")
    return A.adjoint(y)


def ramp_filter(sinogram, axis=-1):
    """Ram-Lak filtering of projections along ``axis`` (unit detector spacing): convolution
    with ``h[0] = 1/4``, ``h[k] = -1/(pi k)^2`` for odd k, 0 for even k, zero-padded."""
    xp = namespace(sinogram)
    sinogram = xp.moveaxis(sinogram, axis, -1)
    n = sinogram.shape[-1]
    size = int(2 ** np.ceil(np.log2(2 * n)))
    k = np.concatenate([np.arange(0, size // 2 + 1), np.arange(-size // 2 + 1, 0)])
    h = np.zeros(size)
    h[0] = 0.25
    odd = k % 2 == 1
    h[odd] = -1.0 / (np.pi * k[odd]) ** 2
    response = xp.asarray(np.fft.rfft(h).real)
    filtered = xp.fft.irfft(xp.fft.rfft(sinogram, n=size, axis=-1) * response, n=size,
                            axis=-1)[..., :n]
    return xp.moveaxis(filtered, -1, axis)


def filtered_backprojection(A: CTOperator, y):
    """FBP: ``(pi / n_angles) A^T ramp(y)``, exact in the limit of many angles over 180
    degrees; with few (sparse-view) or a limited range it shows the familiar streaks.

    Examples
    --------
    >>> from problems.phantoms import shepp_logan
    >>> A = CTOperator(64, np.arange(0.0, 180.0, 1.0))
    >>> image = shepp_logan(64)
    >>> error = filtered_backprojection(A, A.forward(image)) - image
    >>> bool(np.sqrt(np.mean(error ** 2)) < 0.08)
    True
    """
    if not isinstance(A, CTOperator):
        raise ParameterError("filtered_backprojection needs a CTOperator")
    return np.pi / A.angles.size * A.adjoint(ramp_filter(y))


def operator_norm_squared(A, iterations=30, seed=0) -> float:
    """``||A||^2 = ||A^H A||`` estimated by power iteration (an upper estimate after a few
    dozen steps, within a percent for the operators here)."""
    rng = as_generator(seed)
    x = rng.standard_normal(A.image_shape)
    if A.is_complex:
        x = x + 1j * rng.standard_normal(A.image_shape)
    value = 0.0
    for _ in range(iterations):
        x = A.normal(x)
        value = float(namespace(x).linalg.norm(x))
        x = x / value
    return value
