"""Gallery matrices against Kronecker-product references and dense eigenvalues."""

import numpy as np
import pyamg.gallery
import pytest
import scipy.sparse as sp

from problems import (
    EXAMPLES,
    SPD_EXAMPLES,
    anisotropic_diffusion,
    elasticity,
    load_example,
    poisson,
)


def second_difference(n):
    """tridiag(-1, 2, -1) of size n, dense."""
    return 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)


def linear_mass(n):
    """tridiag(1, 4, 1) / 6 of size n, dense: the 1-D linear-element mass matrix / h."""
    return (4 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)) / 6


def assert_canonical(A):
    assert type(A) is sp.csr_matrix
    assert A.dtype == np.float64
    assert A.has_sorted_indices and A.has_canonical_format


def test_poisson_2d_matches_kronecker_sum():
    A = poisson((3, 4))
    assert_canonical(A)
    K3, K4 = second_difference(3), second_difference(4)
    expected = np.kron(K3, np.eye(4)) + np.kron(np.eye(3), K4)
    np.testing.assert_array_equal(A.toarray(), expected)


def test_poisson_3d_matches_kronecker_sum():
    A = poisson((2, 3, 4))
    assert_canonical(A)
    K = [second_difference(k) for k in (2, 3, 4)]
    I = [np.eye(k) for k in (2, 3, 4)]
    expected = (
        np.kron(np.kron(K[0], I[1]), I[2])
        + np.kron(np.kron(I[0], K[1]), I[2])
        + np.kron(np.kron(I[0], I[1]), K[2])
    )
    np.testing.assert_array_equal(A.toarray(), expected)


def test_anisotropic_diffusion_theta_zero_is_scaled_bilinear_stiffness():
    eps = 0.1
    A = anisotropic_diffusion((3, 5), epsilon=eps, theta=0.0)
    assert_canonical(A)
    K3, K5 = second_difference(3), second_difference(5)
    M3, M5 = linear_mass(3), linear_mass(5)
    expected = np.kron(K3, M5) + eps * np.kron(M3, K5)
    np.testing.assert_allclose(A.toarray(), expected, rtol=0, atol=1e-14)


def test_anisotropic_diffusion_default_is_spd():
    A = anisotropic_diffusion((6, 6)).toarray()
    np.testing.assert_array_equal(A, A.T)
    assert np.linalg.eigvalsh(A).min() > 0


def test_elasticity_is_spd_with_two_unknowns_per_node():
    A = elasticity((4, 4))
    assert_canonical(A)
    assert A.shape == (32, 32)
    dense = A.toarray()
    np.testing.assert_allclose(dense, dense.T, rtol=0, atol=1e-9 * abs(dense).max())
    assert np.linalg.eigvalsh(dense).min() > 0
    reference, _ = pyamg.gallery.linear_elasticity((4, 4), format="csr")
    np.testing.assert_array_equal(dense, reference.toarray())


@pytest.mark.parametrize("name", EXAMPLES)
def test_load_example_is_canonical_square(name):
    A = load_example(name)
    assert_canonical(A)
    assert A.shape[0] == A.shape[1] > 0


@pytest.mark.parametrize("name", SPD_EXAMPLES)
def test_spd_examples_are_symmetric_positive_definite(name):
    A = load_example(name).toarray()
    scale = abs(A).max()
    assert abs(A - A.T).max() <= 1e-12 * scale
    eigenvalues = np.linalg.eigvalsh((A + A.T) / 2)
    assert eigenvalues.min() > 1e-8 * eigenvalues.max()


def test_other_examples_are_not_spd():
    assert set(SPD_EXAMPLES) < set(EXAMPLES)
    assert set(EXAMPLES) - set(SPD_EXAMPLES) == {"unit_square", "recirc_flow"}
    square = load_example("unit_square").toarray()
    eigenvalues = np.linalg.eigvalsh((square + square.T) / 2)
    assert eigenvalues.min() < 1e-12 * eigenvalues.max()  # singular: rows sum to zero
    flow = load_example("recirc_flow").toarray()
    assert abs(flow - flow.T).max() > 1e-3 * abs(flow).max()  # nonsymmetric


def test_load_example_unknown_name_lists_allowed():
    with pytest.raises(ValueError, match="airfoil.*recirc_flow.*'helmholtz_2D'"):
        load_example("helmholtz_2D")


@pytest.mark.parametrize("grid", [(0, 3), (3, -1), (2.5, 3), (True, 3), ()])
def test_bad_grid_values(grid):
    with pytest.raises((ValueError, TypeError), match="grid"):
        poisson(grid)


def test_grid_must_be_a_tuple():
    with pytest.raises(TypeError, match="grid"):
        poisson(5)


@pytest.mark.parametrize("func", [anisotropic_diffusion, elasticity])
def test_two_dimensional_grid_required(func):
    with pytest.raises(ValueError, match="2-D"):
        func((3, 3, 3))


@pytest.mark.parametrize("grid", [(3, 4), (4, 3)])
def test_elasticity_requires_a_square_grid(grid):
    with pytest.raises(ValueError, match="square"):
        elasticity(grid)


@pytest.mark.parametrize("eps", [0.0, -1.0, float("nan")])
def test_bad_epsilon(eps):
    with pytest.raises(ValueError, match="epsilon"):
        anisotropic_diffusion((3, 3), epsilon=eps)
