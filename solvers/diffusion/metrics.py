"""Image quality against a reference: PSNR and SSIM (on magnitudes when either is complex)."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter


def _magnitudes(image, reference):
    image, reference = np.asarray(image), np.asarray(reference)
    if np.iscomplexobj(image) or np.iscomplexobj(reference):
        image, reference = np.abs(image), np.abs(reference)
    if image.shape != reference.shape:
        raise ValueError(f"image and reference shapes differ: {image.shape} and "
                         f"{reference.shape}")
    return image.astype(np.float64), reference.astype(np.float64)


def psnr(image, reference, data_range=None) -> float:
    """Peak signal-to-noise ratio in dB, ``20 log10(range / RMSE)``; ``range`` is the
    reference's max - min unless given.

    Examples
    --------
    >>> ref = np.zeros((4, 4)); ref[0, 0] = 1.0
    >>> round(psnr(ref + 0.01, ref), 1)
    40.0
    """
    image, reference = _magnitudes(image, reference)
    span = float(reference.max() - reference.min()) if data_range is None else data_range
    mse = float(np.mean((image - reference) ** 2))
    return float("inf") if mse == 0.0 else float(10.0 * np.log10(span ** 2 / mse))


def ssim(image, reference, data_range=None, sigma=1.5) -> float:
    """Structural similarity (Wang et al. 2004) with a Gaussian window of width ``sigma``,
    ``K1 = 0.01``, ``K2 = 0.03``, averaged over the pixels away from the border.

    Examples
    --------
    >>> ref = np.random.default_rng(0).random((32, 32))
    >>> ssim(ref, ref), ssim(ref + 0.5, ref) < 1.0
    (1.0, True)
    """
    image, reference = _magnitudes(image, reference)
    span = float(reference.max() - reference.min()) if data_range is None else data_range
    c1, c2 = (0.01 * span) ** 2, (0.03 * span) ** 2

    def blur(a):
        return gaussian_filter(a, sigma, truncate=3.5)

    mx, my = blur(image), blur(reference)
    vx = blur(image * image) - mx * mx
    vy = blur(reference * reference) - my * my
    cxy = blur(image * reference) - mx * my
    index = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    pad = int(3.5 * sigma + 0.5)
    return float(index[pad:-pad, pad:-pad].mean())
