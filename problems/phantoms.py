"""Test images for reconstruction: the Shepp-Logan head phantom and random ellipse phantoms.

Both are sums of uniform ellipses on the square [-1, 1]^2, sampled at pixel centres (row 0
at the top, y pointing up), so they exist at any size.
"""

from __future__ import annotations

import numpy as np

from ._rng import as_generator
from .errors import ParameterError

#: The modified Shepp-Logan phantom (Toft, 1996): intensity, semi-axes (a, b), centre
#: (x0, y0) and rotation (degrees) of each ellipse, on [-1, 1]^2.
SHEPP_LOGAN_ELLIPSES = (
    (1.00, 0.6900, 0.9200, 0.00, 0.0000, 0.0),
    (-0.80, 0.6624, 0.8740, 0.00, -0.0184, 0.0),
    (-0.20, 0.1100, 0.3100, 0.22, 0.0000, -18.0),
    (-0.20, 0.1600, 0.4100, -0.22, 0.0000, 18.0),
    (0.10, 0.2100, 0.2500, 0.00, 0.3500, 0.0),
    (0.10, 0.0460, 0.0460, 0.00, 0.1000, 0.0),
    (0.10, 0.0460, 0.0460, 0.00, -0.1000, 0.0),
    (0.10, 0.0460, 0.0230, -0.08, -0.6050, 0.0),
    (0.10, 0.0230, 0.0230, 0.00, -0.6060, 0.0),
    (0.10, 0.0230, 0.0460, 0.06, -0.6050, 0.0),
)


def ellipses_image(n: int, ellipses) -> np.ndarray:
    """An n x n image of a sum of uniform ellipses ``(value, a, b, x0, y0, degrees)``."""
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise ParameterError(f"n must be a positive integer; got {n!r}")
    centres = (2.0 * np.arange(n) + 1.0) / n - 1.0
    x = centres[None, :]
    y = -centres[:, None]
    image = np.zeros((n, n))
    for value, a, b, x0, y0, degrees in ellipses:
        phi = np.deg2rad(degrees)
        u = (x - x0) * np.cos(phi) + (y - y0) * np.sin(phi)
        v = -(x - x0) * np.sin(phi) + (y - y0) * np.cos(phi)
        image[(u / a) ** 2 + (v / b) ** 2 <= 1.0] += value
    return image


def shepp_logan(n: int = 256) -> np.ndarray:
    """The modified Shepp-Logan phantom, n x n, values in [0, 1].

    Examples
    --------
    >>> img = shepp_logan(128)
    >>> img.shape, float(img.max()), float(img.min())
    ((128, 128), 1.0, 0.0)
    """
    return np.clip(ellipses_image(n, SHEPP_LOGAN_ELLIPSES), 0.0, None)


def random_ellipses(n: int = 256, count: int = 8, *, seed=None) -> np.ndarray:
    """A phantom of ``count`` random ellipses inside a unit-intensity disc, values in [0, 1].

    Parameters
    ----------
    n : int
        Image size.
    count : int
        Number of inner ellipses, each of intensity in [-0.5, 0.5].
    seed : int or numpy.random.Generator, optional

    Examples
    --------
    >>> a, b = random_ellipses(64, seed=1), random_ellipses(64, seed=1)
    >>> bool((a == b).all()), float(a.min()) >= 0.0, float(a.max()) <= 1.0
    (True, True, True)
    """
    rng = as_generator(seed)
    inner = [(rng.uniform(-0.5, 0.5), *rng.uniform(0.05, 0.35, 2), *rng.uniform(-0.45, 0.45, 2),
              rng.uniform(0.0, 180.0)) for _ in range(count)]
    return np.clip(ellipses_image(n, [(0.6, 0.85, 0.85, 0.0, 0.0, 0.0), *inner]), 0.0, 1.0)
