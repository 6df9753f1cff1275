"""The built-in image denoisers: TV against scikit-image, Haar exactness, complex handling."""

import numpy as np
import pytest

from problems.phantoms import shepp_logan
from solvers.diffusion import TVDenoiser, VPDenoiser, VPSchedule, WaveletDenoiser
from solvers.diffusion.denoisers import _haar, _inverse_haar


def _rof(u, f, weight):
    gx = np.diff(u, axis=1, append=u[:, -1:])
    gy = np.diff(u, axis=0, append=u[-1:, :])
    return 0.5 * np.sum((u - f) ** 2) + weight * np.sum(np.hypot(gx, gy))


@pytest.mark.parametrize("weight", [0.05, 0.2])
def test_tv_solves_the_rof_problem_like_scikit_image(weight):
    restoration = pytest.importorskip("skimage.restoration")
    f = shepp_logan(64) + 0.1 * np.random.default_rng(0).standard_normal((64, 64))
    ours = TVDenoiser(strength=1.0, iterations=300)(f, weight)
    ref = restoration.denoise_tv_chambolle(f, weight=weight, max_num_iter=300, eps=1e-12)
    assert _rof(ours, f, weight) <= _rof(ref, f, weight) * (1 + 1e-3)
    assert np.abs(ours - ref).max() < 0.02


def test_haar_is_orthonormal_and_exactly_inverted():
    x = np.random.default_rng(1).standard_normal((2, 16, 32))
    a, details = _haar(x, 3)
    energy = np.sum(a ** 2) + sum(np.sum(c ** 2) for level in details for c in level)
    assert np.isclose(energy, np.sum(x ** 2))
    assert np.allclose(_inverse_haar(a, details), x, atol=1e-12)
    assert np.allclose(WaveletDenoiser(levels=3)(x[0], 0.0), x[0], atol=1e-12)


@pytest.mark.parametrize("denoiser", [TVDenoiser(), WaveletDenoiser()])
def test_complex_images_are_denoised_part_by_part(denoiser):
    rng = np.random.default_rng(2)
    re, im = rng.standard_normal((2, 20, 20))
    both = denoiser(re + 1j * im, 0.3)
    assert np.allclose(both.real, denoiser(re, 0.3)) and np.allclose(both.imag,
                                                                     denoiser(im, 0.3))


def test_stronger_noise_means_stronger_smoothing_and_vp_levels_follow_the_schedule():
    f = shepp_logan(32) + 0.2 * np.random.default_rng(3).standard_normal((32, 32))
    tv = TVDenoiser()
    assert np.std(np.diff(tv(f, 0.5))) < np.std(np.diff(tv(f, 0.05)))
    seen = []
    VPDenoiser(lambda image, sigma: seen.append(sigma) or image)(np.ones((4, 4)), 500)
    a = VPSchedule().alpha_bar[500]
    assert np.isclose(seen[0], np.sqrt((1 - a) / a))
