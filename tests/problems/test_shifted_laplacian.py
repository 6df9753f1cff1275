"""The shifted-Laplacian sequence against dense eigenvalues and the Beta distributions."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from problems import SHIFT_BOUNDS, Instance, optimal_sor_omega, shifted_laplacian_sequence

BETA = {"high": (0.5, 1.5), "low": (2.0, 6.0)}


def laplacian_2d(m):
    """Dense 5-point Laplacian (4 on the diagonal) on an m x m grid."""
    K = 2 * np.eye(m) - np.eye(m, k=1) - np.eye(m, k=-1)
    return np.kron(K, np.eye(m)) + np.kron(np.eye(m), K)


def beta_moments(a, b):
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    return mean, var


@pytest.fixture(scope="module")
def sequences():
    return {v: shifted_laplacian_sequence(5000, variance=v, seed=2024) for v in BETA}


def test_matrix_is_shifted_unscaled_laplacian():
    seq = shifted_laplacian_sequence(4, m=6, seed=0)
    L = laplacian_2d(6)
    for t, inst in enumerate(seq):
        assert isinstance(inst, Instance)
        assert type(inst.A) is sp.csr_matrix and inst.A.dtype == np.float64
        assert inst.A.has_canonical_format
        assert inst.x0 is None
        c = seq.shifts[t]
        assert inst.context == c == inst.meta["shift"]
        assert inst.meta["index"] == t
        np.testing.assert_array_equal(inst.A.diagonal(), np.full(36, 4 + c))
        np.testing.assert_allclose(inst.A.toarray(), L + c * np.eye(36), rtol=0, atol=1e-15)


def test_default_size_and_bounds():
    seq = shifted_laplacian_sequence(3, seed=1)
    assert len(seq) == 3 and seq[0].n == 100
    assert seq.context_bounds == SHIFT_BOUNDS == (-0.15, 0.65)


def test_closed_form_jacobi_radius_and_omega():
    m = 10
    seq = shifted_laplacian_sequence(6, m=m, seed=5)
    L = laplacian_2d(m)
    for t in (0, 3, 5):
        c = seq.shifts[t]
        A = L + c * np.eye(m * m)
        J = np.eye(m * m) - A / np.diag(A)[:, None]
        beta = np.abs(np.linalg.eigvals(J)).max()
        assert abs(4 * math.cos(math.pi / (m + 1)) / (4 + c) - beta) <= 1e-12
        expected = 2 / (1 + math.sqrt(1 - beta**2))
        assert seq[t].meta["omega_opt"] == pytest.approx(expected, rel=1e-12)


def sor_radius(A, omega):
    D = np.diag(np.diag(A))
    L = np.tril(A, -1)
    U = np.triu(A, 1)
    M = np.linalg.solve(D + omega * L, (1 - omega) * D - omega * U)
    return np.abs(np.linalg.eigvals(M)).max()


def test_omega_opt_minimises_the_sor_spectral_radius():
    seq = shifted_laplacian_sequence(1, m=6, seed=7)
    inst = seq[0]
    A = inst.A.toarray()
    omega = inst.meta["omega_opt"]
    best = sor_radius(A, omega)
    assert best == pytest.approx(omega - 1, abs=1e-6)  # Young's theory
    assert sor_radius(A, omega - 0.05) > best + 1e-3
    assert sor_radius(A, omega + 0.05) > best + 1e-3


def test_optimal_sor_omega_formula():
    assert optimal_sor_omega(0.0) == 1.0
    for beta in (0.3, 0.9, 0.999):
        assert optimal_sor_omega(beta) == pytest.approx(2 / (1 + math.sqrt(1 - beta**2)))


@pytest.mark.parametrize("beta", [-0.1, 1.0, 1.5, float("nan")])
def test_optimal_sor_omega_rejects_out_of_range(beta):
    with pytest.raises(ValueError, match="beta"):
        optimal_sor_omega(beta)


@pytest.mark.parametrize("variance", ["high", "low"])
def test_shift_distribution(sequences, variance):
    c = sequences[variance].shifts
    assert c.shape == (5000,)
    assert c.min() >= SHIFT_BOUNDS[0] and c.max() <= SHIFT_BOUNDS[1]
    assert c.max() <= -0.15 + 0.6
    a, b = BETA[variance]
    mean, var = beta_moments(a, b)
    c_mean, c_var = -0.15 + 0.6 * mean, 0.36 * var
    assert c_mean == pytest.approx(0.0, abs=1e-15)
    # five standard errors of the sample mean, and 15% on the variance
    assert abs(c.mean() - c_mean) < 5 * math.sqrt(c_var / c.size)
    assert c.var() == pytest.approx(c_var, rel=0.15)
    result = stats.kstest((c + 0.15) / 0.6, stats.beta(a, b).cdf)
    assert result.pvalue > 1e-3


def test_variances_differ_as_expected(sequences):
    assert 0.36 * beta_moments(*BETA["high"])[1] == pytest.approx(0.0225)
    assert 0.36 * beta_moments(*BETA["low"])[1] == pytest.approx(0.0075)
    ratio = sequences["high"].shifts.var() / sequences["low"].shifts.var()
    assert ratio == pytest.approx(3.0, rel=0.2)


def test_right_hand_sides_are_truncated_gaussians(sequences):
    seq = sequences["high"]
    B = np.array([seq[t].b for t in range(0, 5000, 7)])
    norms = np.linalg.norm(B, axis=1)
    assert norms.max() <= 10.0
    # entries are centred with unit-ish spread (truncation shrinks the variance a little)
    assert abs(B.mean()) < 0.02
    assert 0.9 < B.std() < 1.0


def test_every_rhs_norm_bounded():
    for variance in ("high", "low"):
        seq = shifted_laplacian_sequence(300, variance=variance, m=7, seed=3)
        assert all(np.linalg.norm(inst.b) <= 7.0 for inst in seq)


def test_reproducible_and_indexable():
    a = shifted_laplacian_sequence(20, seed=11)
    b = shifted_laplacian_sequence(20, seed=11)
    first, second = list(a), list(a)
    for t in range(20):
        for inst in (first[t], second[t], a[t], b[t]):
            np.testing.assert_array_equal(inst.b, first[t].b)
            np.testing.assert_array_equal(inst.A.toarray(), first[t].A.toarray())
            assert inst.meta == first[t].meta
    np.testing.assert_array_equal(a[-1].b, a[19].b)
    np.testing.assert_array_equal(a.shifts, b.shifts)


def test_generator_seed_and_different_seeds():
    a = shifted_laplacian_sequence(5, seed=np.random.default_rng(11))
    b = shifted_laplacian_sequence(5, seed=11)
    np.testing.assert_array_equal(a.shifts, b.shifts)
    c = shifted_laplacian_sequence(5, seed=12)
    assert not np.array_equal(b.shifts, c.shifts)
    assert not np.array_equal(b[0].b, c[0].b)


def test_instances_do_not_share_mutable_state():
    seq = shifted_laplacian_sequence(2, seed=0)
    inst = seq[0]
    inst.b[:] = 0.0
    inst.A.data[:] = 0.0
    assert np.any(seq[0].b != 0.0)
    assert seq[0].A.diagonal()[0] == 4 + seq.shifts[0]
    with pytest.raises(ValueError):
        seq.shifts[0] = 1.0


def test_indexing_errors():
    seq = shifted_laplacian_sequence(3, seed=0)
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(IndexError):
        seq[-4]
    with pytest.raises(TypeError):
        seq[1.0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"variance": "medium"}, "variance"),
        ({"T": 0}, "T must"),
        ({"T": 2.5}, "T must"),
        ({"m": 1}, "m must"),
        ({"m": 11}, "m must"),
    ],
)
def test_bad_arguments(kwargs, match):
    kwargs = {"T": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        shifted_laplacian_sequence(**kwargs)


def test_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        shifted_laplacian_sequence(2, seed="abc")
    with pytest.raises(ValueError, match="seed"):
        shifted_laplacian_sequence(2, seed=-1)


def test_largest_allowed_grid_stays_positive_definite():
    # m = 10 is the largest grid on which A - 0.15 I is positive definite
    for m, positive in ((10, True), (11, False)):
        smallest = np.linalg.eigvalsh(laplacian_2d(m)).min()
        assert bool(smallest - 0.15 > 0) is positive
