"""Baselines and metrics: FBP, zero-filling, gradient steps, PSNR and SSIM against scikit-image."""

import numpy as np
import pytest

from problems.mri import birdcage_maps, line_mask
from problems.phantoms import random_ellipses, shepp_logan
from solvers.diffusion import CTOperator, MRIOperator
from solvers.diffusion.classical import (
    filtered_backprojection,
    operator_norm_squared,
    ramp_filter,
)
from solvers.diffusion.data_consistency import gradient_steps
from solvers.diffusion.metrics import psnr, ssim


@pytest.mark.parametrize("seed", range(3))
def test_metrics_match_scikit_image(seed):
    metrics = pytest.importorskip("skimage.metrics")
    reference = random_ellipses(64, seed=seed)
    image = reference + 0.1 * np.random.default_rng(seed).standard_normal((64, 64))
    span = float(reference.max() - reference.min())
    assert np.isclose(psnr(image, reference),
                      metrics.peak_signal_noise_ratio(reference, image, data_range=span))
    assert np.isclose(ssim(image, reference),
                      metrics.structural_similarity(image, reference, data_range=span,
                                                    gaussian_weights=True, sigma=1.5,
                                                    use_sample_covariance=False))


def test_fbp_improves_with_views_and_is_close_with_many():
    image = shepp_logan(96)
    quality = []
    for views in (8, 32, 180):
        A = CTOperator(96, np.linspace(0.0, 180.0, views, endpoint=False))
        quality.append(psnr(filtered_backprojection(A, A.forward(image)), image))
    assert quality[0] < quality[1] < quality[2] and quality[2] > 24.0


def test_the_ramp_filter_removes_the_mean_and_keeps_its_shape():
    s = np.random.default_rng(0).standard_normal((3, 40))
    f = ramp_filter(s)
    assert f.shape == s.shape
    assert np.allclose(ramp_filter(np.ones((2, 500)))[:, 200:300], 0.0, atol=2e-3)


def test_gradient_steps_reduce_the_misfit_and_the_norm_estimate_bounds_it():
    A = MRIOperator(birdcage_maps(4, (16, 16)), line_mask((16, 16), 2, seed=0))
    rng = np.random.default_rng(1)
    y = A.forward(rng.standard_normal((16, 16)) + 0j)
    L = operator_norm_squared(A)
    x = rng.standard_normal((3, 16, 16)) + 0j
    misfits = [np.linalg.norm(A.forward(gradient_steps(A, y, x, k, L)) - y) for k in range(6)]
    assert all(b < a for a, b in zip(misfits[:-1], misfits[1:], strict=True))
    probe = rng.standard_normal((16, 16)) + 1j * rng.standard_normal((16, 16))
    assert np.linalg.norm(A.forward(probe)) ** 2 <= 1.01 * L * np.linalg.norm(probe) ** 2
