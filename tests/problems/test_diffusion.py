"""Variable-coefficient diffusion: against Poisson, symmetry, definiteness, bad input."""

import numpy as np
import pytest
import scipy.sparse.linalg as sla

from problems import poisson, random_coefficient, variable_diffusion


def test_constant_coefficient_is_poisson_scaled():
    A = variable_diffusion(np.full((7, 7), 3.0))
    assert abs(A - 3.0 * poisson((7, 7))).max() < 1e-12


def test_matrix_is_symmetric_positive_definite_and_conservative():
    a = random_coefficient(12, contrast=2.0, seed=1)
    A = variable_diffusion(a)
    assert abs(A - A.T).max() == 0.0
    assert sla.eigsh(A, k=1, which="SA", return_eigenvectors=False)[0] > 0
    # interior rows sum to zero: a constant is in the kernel away from the boundary
    rows = np.asarray(A.sum(axis=1)).ravel().reshape(12, 12)
    assert np.allclose(rows[1:-1, 1:-1], 0.0)


def test_face_coefficient_is_the_harmonic_mean():
    a = np.array([[1.0, 4.0], [1.0, 1.0]])
    A = variable_diffusion(a).toarray()
    assert A[0, 1] == pytest.approx(-2 * 1.0 * 4.0 / 5.0)


def test_coefficient_drifts_with_time_and_is_reproducible():
    a0 = random_coefficient(16, time=0.0, seed=3)
    assert np.allclose(random_coefficient(16, time=0.0, seed=3), a0)
    assert not np.allclose(random_coefficient(16, time=1.0, seed=3), a0)
    assert np.log(a0).std() == pytest.approx(3.0, rel=0.5)


@pytest.mark.parametrize("bad", [np.ones(4), np.ones((2, 3)), -np.ones((3, 3)),
                                 np.full((3, 3), np.nan)])
def test_bad_coefficients_are_refused(bad):
    with pytest.raises(ValueError, match="coefficient"):
        variable_diffusion(bad)
