"""data_consistency: CG on the normal equations from x0_hat, against dense least squares."""

import numpy as np
import pytest

from problems.mri import birdcage_maps, line_mask
from solvers import ParameterError, ShapeError, data_consistency
from solvers.diffusion import CTOperator, MRIOperator


def _complex(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _small_mri(seed=0, size=8, coils=3):
    return MRIOperator(birdcage_maps(coils, (size, size)),
                       line_mask((size, size), 2, seed=seed))


def _dense(A):
    """The matrix of ``A`` (columns: A applied to the unit images)."""
    n = int(np.prod(A.image_shape))
    dtype = complex if A.is_complex else float
    eye = np.eye(n, dtype=dtype).reshape(n, *A.image_shape)
    return A.forward(eye).reshape(n, -1).T


def _least_squares_from(A, y, x0):
    """The solution CG on A^H A x = A^H y converges to from x0: x0 plus the minimum-norm
    least-squares correction."""
    M = _dense(A)
    correction = np.linalg.lstsq(M, y.ravel() - M @ x0.ravel(), rcond=None)[0]
    return (x0.ravel() + correction).reshape(A.image_shape)


@pytest.mark.parametrize("make", [lambda: _small_mri(),
                                  lambda: CTOperator(8, [0.0, 30.0, 60.0, 100.0, 140.0])])
def test_many_steps_reach_the_least_squares_solution(make):
    A = make()
    rng = np.random.default_rng(0)
    x0 = _complex(rng, A.image_shape) if A.is_complex else rng.standard_normal(A.image_shape)
    truth = _complex(rng, A.image_shape) if A.is_complex else rng.standard_normal(A.image_shape)
    y = A.forward(truth) + 0.01 * (_complex(rng, A.data_shape) if A.is_complex
                                   else rng.standard_normal(A.data_shape))
    res = data_consistency(A, y, x0, maxiter=500, rtol=0.0, atol=1e-12)
    expected = _least_squares_from(A, y, x0)
    assert res.converged
    assert np.linalg.norm(res.x - expected) <= 1e-8 * np.linalg.norm(expected)


def test_the_noisy_branch_solves_the_tikhonov_system():
    A = _small_mri(1)
    rng = np.random.default_rng(1)
    x0, y, gamma = _complex(rng, A.image_shape), _complex(rng, A.data_shape), 0.7
    res = data_consistency(A, y, x0, maxiter=300, gamma=gamma, rtol=0.0, atol=1e-12)
    M = _dense(A)
    K = np.eye(M.shape[1]) + gamma * M.conj().T @ M
    expected = np.linalg.solve(K, x0.ravel() + gamma * M.conj().T @ y.ravel())
    assert np.linalg.norm(res.x.ravel() - expected) <= 1e-9 * np.linalg.norm(expected)


def test_each_step_does_not_increase_the_energy_norm_error():
    A = _small_mri(2)
    rng = np.random.default_rng(2)
    x0, y = _complex(rng, A.image_shape), A.forward(_complex(rng, A.image_shape))
    target = _least_squares_from(A, y, x0)
    errors = []
    for steps in range(12):
        e = data_consistency(A, y, x0, maxiter=steps, rtol=0.0).x - target
        errors.append(np.vdot(e, A.normal(e)).real)
    assert all(b <= a * (1 + 1e-12) + 1e-20 for a, b in zip(errors[:-1], errors[1:],
                                                            strict=True))
    assert errors[-1] < 1e-3 * errors[0]


def test_complex_inner_products_are_conjugated():
    """The transposed-only variant (r^T r, as in the public DDS code) goes wrong on complex
    data; ours reaches the least-squares solution."""
    A = _small_mri(3)
    rng = np.random.default_rng(3)
    x0, y = np.zeros(A.image_shape, complex), A.forward(_complex(rng, A.image_shape))
    expected = _least_squares_from(A, y, x0)
    ours = data_consistency(A, y, x0, maxiter=200, rtol=0.0, atol=1e-12).x

    x = x0.copy()
    r = A.adjoint(y) - A.normal(x)
    p = r.copy()
    for _ in range(200):                            # unconjugated CG
        q = A.normal(p)
        alpha = np.sum(r * r) / np.sum(p * q)
        x = x + alpha * p
        r_new = r - alpha * q
        p = r_new + np.sum(r_new * r_new) / np.sum(r * r) * p
        r = r_new
    assert np.linalg.norm(ours - expected) <= 1e-8 * np.linalg.norm(expected)
    assert not np.linalg.norm(x - expected) <= 1e-3 * np.linalg.norm(expected)


def test_batch_items_are_solved_independently():
    A = _small_mri(4)
    rng = np.random.default_rng(4)
    x0 = _complex(rng, (3, *A.image_shape))
    y = A.forward(_complex(rng, (3, *A.image_shape)))
    y[1] *= 1e-3                                    # a very different scale
    together = data_consistency(A, y, x0, maxiter=4, rtol=0.0)
    for i in range(3):
        alone = data_consistency(A, y[i], x0[i], maxiter=4, rtol=0.0)
        assert np.allclose(together.x[i], alone.x, rtol=1e-12, atol=1e-14)
    assert together.info["iterations"].tolist() == [4, 4, 4]


def test_items_stop_on_their_own_at_the_tolerance():
    A = _small_mri(5)
    rng = np.random.default_rng(5)
    truth = _complex(rng, (2, *A.image_shape))
    y = A.forward(truth)
    x0 = np.stack([truth[0], truth[1] + 0.5])       # the first is already consistent
    res = data_consistency(A, y, x0, maxiter=50)
    assert res.info["iterations"][0] == 0 and res.info["iterations"][1] > 0
    assert np.array_equal(res.x[0], x0[0])


def test_bad_arguments_are_refused():
    A = _small_mri()
    x0, y = np.zeros(A.image_shape, complex), np.zeros(A.data_shape, complex)
    with pytest.raises(ParameterError, match="gamma"):
        data_consistency(A, y, x0, gamma=-1.0)
    with pytest.raises(ShapeError, match="batch"):
        data_consistency(A, np.zeros((2, *A.data_shape)), x0)
    with pytest.raises(ParameterError, match="linear operator"):
        data_consistency("not an operator", y, x0)
