"""Denoisers for the sampler: ``denoiser(x_t, t) -> x0_hat``, the estimate of the clean image.

Any callable of that signature plugs in (a trained network included). The built-in ones are
Gaussian denoisers ``D(image, sigma)`` run at the noise level of step t through
:class:`VPDenoiser`, and the exact denoiser of a Gaussian prior.
"""

from __future__ import annotations

import numpy as np

from ..backend import namespace, to_host
from ..errors import ParameterError, ShapeError
from ._tv_kernels import tv_denoise
from .schedule import VPSchedule


class VPDenoiser:
    """A Gaussian denoiser ``D(image, sigma)`` as a sampler denoiser.

    ``x_t / sqrt(abar_t)`` is ``x_0`` plus Gaussian noise of standard deviation
    ``sigma_t = sqrt((1 - abar_t) / abar_t)``, so ``x0_hat = D(x_t / sqrt(abar_t), sigma_t)``.
    For complex images the noise splits evenly between the real and imaginary parts, and
    ``D`` gets ``sigma_t / sqrt(2)`` (its level per part).

    Examples
    --------
    >>> shrink = VPDenoiser(lambda image, sigma: image / (1.0 + sigma ** 2))
    >>> shrink(np.ones(3), 0).round(4).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, denoise, schedule: VPSchedule | None = None):
        if not callable(denoise):
            raise ParameterError("denoise must be a callable D(image, sigma)")
        self.denoise = denoise
        self.schedule = schedule or VPSchedule()

    def __call__(self, x_t, t):
        a = float(self.schedule.alpha_bar[int(t)])
        sigma = self.schedule.noise_level(t)
        if namespace(x_t).iscomplexobj(x_t):
            sigma /= np.sqrt(2.0)
        return self.denoise(x_t / np.sqrt(a), sigma)


class GaussianPriorDenoiser:
    """The exact denoiser (Tweedie's formula) of a Gaussian prior ``x_0 ~ N(mean, cov)``.

    ``E[x_0 | x_t] = mean + sqrt(a) cov (a cov + (1 - a) I)^{-1} (x_t - sqrt(a) mean)`` with
    ``a = abar_t``. Real images only.

    Parameters
    ----------
    mean : ndarray
        The prior mean, of the image's shape.
    cov : ndarray
        Per-pixel variances (the image's shape: independent pixels) or the full covariance
        of the flattened image (n x n, symmetric positive definite).
    schedule : VPSchedule, optional

    Examples
    --------
    >>> d = GaussianPriorDenoiser(np.zeros(2), np.ones(2))
    >>> a = float(d.schedule.alpha_bar[10])
    >>> bool(np.allclose(d(np.ones(2), 10), np.sqrt(a)))     # sqrt(a) / (a + 1 - a)
    True
    """

    def __init__(self, mean, cov, schedule: VPSchedule | None = None):
        self.mean = np.asarray(mean, dtype=np.float64)
        cov = np.asarray(cov, dtype=np.float64)
        n = self.mean.size
        if cov.shape == self.mean.shape:
            if np.any(cov < 0):
                raise ParameterError("variances must be >= 0")
            self.diagonal = True
        elif cov.shape == (n, n):
            if not np.allclose(cov, cov.T):
                raise ParameterError("cov must be symmetric")
            self.diagonal = False
        else:
            raise ShapeError(f"cov must have the mean's shape {self.mean.shape} or be "
                             f"{n} x {n}; got {cov.shape}")
        self.cov = cov
        self.schedule = schedule or VPSchedule()

    def tweedie(self, x_t, a: float):
        """``E[x_0 | x_t]`` at ``abar = a``, for ``x_t`` of shape (..., *mean.shape)."""
        x_t = np.asarray(x_t, dtype=np.float64)
        centred = x_t - np.sqrt(a) * self.mean
        if self.diagonal:
            gain = np.sqrt(a) * self.cov / (a * self.cov + (1.0 - a))
            return self.mean + gain * centred
        n = self.mean.size
        K = a * self.cov + (1.0 - a) * np.eye(n)
        flat = centred.reshape(-1, n)
        solved = np.linalg.solve(K, flat.T).T
        return self.mean + (np.sqrt(a) * solved @ self.cov).reshape(x_t.shape)

    def __call__(self, x_t, t):
        return self.tweedie(x_t, float(self.schedule.alpha_bar[int(t)]))


def _per_part(image, denoise_real):
    """Apply a real 2-D denoiser to every image of a stack, to real and imaginary parts."""
    xp = namespace(image)
    host = np.asarray(to_host(image))
    shape = host.shape
    if shape[-1] < 2 or shape[-2] < 2:
        raise ShapeError(f"images must be at least 2 x 2; got {shape}")
    if np.iscomplexobj(host):
        stack = np.concatenate([host.real.reshape(-1, *shape[-2:]),
                                host.imag.reshape(-1, *shape[-2:])])
        done = denoise_real(stack)
        half = done.shape[0] // 2
        out = (done[:half] + 1j * done[half:]).reshape(shape)
    else:
        out = denoise_real(np.ascontiguousarray(host, dtype=np.float64)
                           .reshape(-1, *shape[-2:])).reshape(shape)
    return xp.asarray(out)


class TVDenoiser:
    """Total-variation denoising ``D(image, sigma) = argmin_u ||u - image||^2 / 2 + w TV(u)``
    with ``w = strength * sigma`` (Chambolle's algorithm; complex images part by part).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> clean = np.zeros((32, 32)); clean[8:24, 8:24] = 1.0
    >>> noisy = clean + 0.2 * rng.standard_normal((32, 32))
    >>> out = TVDenoiser()(noisy, 0.2)
    >>> bool(np.linalg.norm(out - clean) < 0.5 * np.linalg.norm(noisy - clean))
    True
    """

    def __init__(self, strength: float = 1.0, iterations: int = 50):
        if not (np.isfinite(strength) and strength > 0):
            raise ParameterError(f"strength must be > 0; got {strength!r}")
        self.strength, self.iterations = float(strength), int(iterations)

    def __call__(self, image, sigma):
        weight = self.strength * float(sigma)
        if weight <= 0.0:
            return image
        return _per_part(image, lambda stack: tv_denoise(stack, weight, self.iterations, 0.25))


def _haar(stack, levels):
    """Multi-level orthonormal 2-D Haar analysis of a stack of images (sizes divisible by
    2**levels): the coarse image and a list of (horizontal, vertical, diagonal) details."""
    details = []
    a = stack
    for _ in range(levels):
        p, q = a[:, 0::2, 0::2], a[:, 0::2, 1::2]
        r, t = a[:, 1::2, 0::2], a[:, 1::2, 1::2]
        details.append(((p - q + r - t) / 2, (p + q - r - t) / 2, (p - q - r + t) / 2))
        a = (p + q + r + t) / 2
    return a, details


def _inverse_haar(a, details):
    for h, v, d in reversed(details):
        out = np.empty((a.shape[0], 2 * a.shape[1], 2 * a.shape[2]))
        out[:, 0::2, 0::2] = (a + h + v + d) / 2
        out[:, 0::2, 1::2] = (a - h + v - d) / 2
        out[:, 1::2, 0::2] = (a + h - v - d) / 2
        out[:, 1::2, 1::2] = (a - h - v + d) / 2
        a = out
    return a


class WaveletDenoiser:
    """Soft-thresholding of orthonormal Haar wavelet details at ``strength * sigma``
    (``levels`` levels; images padded by reflection to a multiple of ``2**levels``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> clean = np.zeros((32, 32)); clean[8:24, 8:24] = 1.0
    >>> noisy = clean + 0.2 * rng.standard_normal((32, 32))
    >>> out = WaveletDenoiser()(noisy, 0.2)
    >>> bool(np.linalg.norm(out - clean) < 0.7 * np.linalg.norm(noisy - clean))
    True
    """

    def __init__(self, strength: float = 3.0, levels: int = 4):
        if not (np.isfinite(strength) and strength > 0):
            raise ParameterError(f"strength must be > 0; got {strength!r}")
        self.strength, self.levels = float(strength), int(levels)

    def _real(self, stack, threshold):
        h, w = stack.shape[1:]
        size = 2 ** self.levels
        padded = np.pad(stack, ((0, 0), (0, -h % size), (0, -w % size)), mode="reflect")
        a, details = _haar(padded, self.levels)
        shrunk = [tuple(np.sign(c) * np.maximum(np.abs(c) - threshold, 0.0) for c in level)
                  for level in details]
        return _inverse_haar(a, shrunk)[:, :h, :w]

    def __call__(self, image, sigma):
        threshold = self.strength * float(sigma)
        return _per_part(image, lambda stack: self._real(stack, threshold))
