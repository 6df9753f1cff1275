"""Phantoms and simulated MRI acquisitions."""

import numpy as np
import pytest

from problems import (
    add_noise,
    birdcage_maps,
    line_mask,
    poisson_disc_mask,
    random_ellipses,
    shepp_logan,
)


def test_shepp_logan_matches_scikit_image():
    data = pytest.importorskip("skimage.data")
    reference = data.shepp_logan_phantom()
    ours = shepp_logan(reference.shape[0])
    assert np.corrcoef(ours.ravel(), reference.ravel())[0, 1] > 0.95
    assert np.mean(np.abs(ours - reference) > 0.05) < 0.01      # edges differ, little else


def test_phantoms_are_reproducible_and_bounded():
    assert np.array_equal(random_ellipses(40, seed=3), random_ellipses(40, seed=3))
    assert not np.array_equal(random_ellipses(40, seed=3), random_ellipses(40, seed=4))
    for image in (shepp_logan(50), random_ellipses(50, seed=1)):
        assert image.min() >= 0.0 and image.max() <= 1.0
    with pytest.raises(ValueError, match="positive integer"):
        shepp_logan(0)


@pytest.mark.parametrize("accel", [2, 4, 8])
@pytest.mark.parametrize("make", [line_mask, poisson_disc_mask])
def test_masks_sample_one_in_accel_with_a_full_centre(make, accel):
    mask = make((96, 80), accel, seed=1)
    assert abs(mask.mean() - 1 / accel) < 0.02
    assert mask[45:50, 38:42].all()
    assert np.array_equal(mask, make((96, 80), accel, seed=1))
    with pytest.raises(ValueError, match="acceleration"):
        make((8, 8), 0.5)


def test_poisson_disc_points_keep_their_distance_outside_the_centre():
    mask = poisson_disc_mask((64, 64), 8, seed=2, center_fraction=0.0)
    mask[31, 31] = False                            # the one-pixel "centre" is always sampled
    points = np.argwhere(mask)
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert d.min() > 2.0                            # far sparser than a grid


def test_birdcage_maps_have_unit_sum_of_squares_and_distinct_phases():
    S = birdcage_maps(6, (24, 20))
    assert np.allclose((np.abs(S) ** 2).sum(axis=0), 1.0)
    assert np.abs(S[0] - S[3]).max() > 0.1


def test_noise_is_reproducible_and_at_its_level():
    y = np.random.default_rng(0).standard_normal(50_000) * (1 + 1j)
    a, sigma = add_noise(y, 0.1, seed=5)
    b, _ = add_noise(y, 0.1, seed=5)
    assert np.array_equal(a, b)
    assert np.isclose(sigma, 0.1 * np.sqrt(np.mean(np.abs(y) ** 2)))
    assert abs(np.std(a - y) / sigma - 1) < 0.02
    with pytest.raises(ValueError, match="level"):
        add_noise(y, -1.0)
