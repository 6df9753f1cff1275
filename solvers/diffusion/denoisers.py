"""Denoisers for the sampler: ``denoiser(x_t, t) -> x0_hat``, the estimate of the clean image.

Any callable of that signature plugs in (a trained network included). The built-in ones are
Gaussian denoisers ``D(image, sigma)`` run at the noise level of step t through
:class:`VPDenoiser`, and the exact denoiser of a Gaussian prior.
"""

from __future__ import annotations

import numpy as np

from ..backend import namespace
from ..errors import ParameterError, ShapeError
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
