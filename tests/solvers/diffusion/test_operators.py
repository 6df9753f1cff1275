"""MRI and CT operators: exact adjoints, batches, and CT against scikit-image's radon."""

import numpy as np
import pytest

from problems.mri import birdcage_maps, line_mask, poisson_disc_mask
from problems.phantoms import shepp_logan
from solvers import ParameterError, ShapeError
from solvers.diffusion import CTOperator, MRIOperator, fft2c, ifft2c


def _complex(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _mri(rng, h, w, coils, mask="lines"):
    make = line_mask if mask == "lines" else poisson_disc_mask
    return MRIOperator(birdcage_maps(coils, (h, w)), make((h, w), 4, seed=int(rng.integers(99))))


@pytest.mark.parametrize("seed", range(6))
def test_mri_adjoint_identity_at_random_sizes(seed):
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(5, 40, 2))
    coils = int(rng.integers(1, 9))
    A = _mri(rng, h, w, coils, "lines" if seed % 2 else "disc")
    x, y = _complex(rng, (3, h, w)), _complex(rng, (3, coils, h, w))
    lhs = np.vdot(A.forward(x), y)
    rhs = np.vdot(x, A.adjoint(y))
    assert abs(lhs - rhs) <= 1e-10 * abs(lhs)


@pytest.mark.parametrize("seed", range(6))
def test_ct_adjoint_identity_at_random_sizes(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 48))
    angles = rng.uniform(0.0, 180.0, int(rng.integers(1, 20)))
    A = CTOperator(n, angles, n_detectors=int(rng.integers(n // 2, 2 * n)))
    x, y = rng.standard_normal((2, n, n)), rng.standard_normal((2, *A.data_shape))
    lhs, rhs = np.vdot(A.forward(x), y), np.vdot(x, A.adjoint(y))
    assert abs(lhs - rhs) <= 1e-10 * abs(lhs)


def test_centred_fft_is_unitary_and_inverted():
    x = _complex(np.random.default_rng(0), (7, 6))
    assert np.isclose(np.linalg.norm(fft2c(x)), np.linalg.norm(x))
    assert np.allclose(ifft2c(fft2c(x)), x)
    assert np.allclose(fft2c(np.ones((8, 8)))[4, 4], 8.0)          # DC at the centre


def test_batches_are_mapped_item_by_item():
    rng = np.random.default_rng(1)
    A = _mri(rng, 12, 10, 3)
    x = _complex(rng, (2, 3, 12, 10))
    batched = A.forward(x)
    assert np.allclose(batched[1, 2], A.forward(x[1, 2]))
    C = CTOperator(16, [0.0, 45.0, 90.0])
    xs = rng.standard_normal((4, 16, 16))
    assert np.allclose(C.forward(xs)[3], C.forward(xs[3]))
    assert np.allclose(C.adjoint(C.forward(xs))[2], C.adjoint(C.forward(xs[2])))


def test_ct_matches_scikit_image_radon():
    radon = pytest.importorskip("skimage.transform").radon
    image = shepp_logan(128)
    angles = np.array([0.0, 22.5, 45.0, 77.0, 90.0, 120.0, 160.0])
    ours = CTOperator(128, angles).forward(image)
    reference = radon(image, theta=angles, circle=True).T
    # Joseph's interpolation along rays against radon's image rotation: the same line
    # integrals up to how each resamples the phantom's edges.
    assert np.abs(ours - reference).max() <= 0.05 * np.abs(reference).max()
    assert np.linalg.norm(ours - reference) <= 0.01 * np.linalg.norm(reference)


def test_bad_shapes_and_angles_are_refused():
    A = MRIOperator(birdcage_maps(2, (8, 8)), np.ones((8, 8), bool))
    with pytest.raises(ShapeError, match=r"\(\.\.\., 8, 8\)"):
        A.forward(np.ones((8, 9)))
    with pytest.raises(ShapeError, match="mask"):
        MRIOperator(birdcage_maps(2, (8, 8)), np.ones((8, 7), bool))
    with pytest.raises(ParameterError, match="angles"):
        CTOperator(8, [])
