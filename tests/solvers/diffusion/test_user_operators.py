"""Bring your own operator to DDS, the adjoint test, and the suite's contract in DDS.

Every kind of user operator (a dense or sparse matrix, SciPy ``LinearOperator``s, a
matvec/rmatvec object in the PyLops style, :class:`FunctionOperator`) runs
``data_consistency`` against a dense Krylov reference and ``dds_sample`` against the
built-in :class:`MatrixOperator`, real and complex, single and batched.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from problems.mri import birdcage_maps, line_mask
from solvers import (
    NonFiniteError,
    ParameterError,
    ShapeError,
    check_adjoint,
    data_consistency,
)
from solvers.diffusion import (
    CTOperator,
    FunctionOperator,
    MatrixOperator,
    MRIOperator,
    VPDenoiser,
    as_operator,
    dds_sample,
)

ROWS, COLS = 7, 12


def _matrix(is_complex, seed=0, shape=(ROWS, COLS)):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal(shape)
    return M + 1j * rng.standard_normal(shape) if is_complex else M


def _vectors(rng, shape, is_complex):
    v = rng.standard_normal(shape)
    return v + 1j * rng.standard_normal(shape) if is_complex else v


class MatvecOperator:
    """A PyLops-style operator: ``shape``, ``dtype``, ``matvec`` and ``rmatvec``, nothing else."""

    def __init__(self, M):
        self.M, self.shape, self.dtype = M, M.shape, M.dtype

    def matvec(self, x):
        return self.M @ x

    def rmatvec(self, y):
        return self.M.conj().T @ y


KINDS = {
    "dense": lambda M: M,
    "sparse": sp.csr_matrix,
    "scipy-aslinearoperator": aslinearoperator,
    "scipy-linearoperator": lambda M: LinearOperator(
        M.shape, matvec=lambda v: M @ v, rmatvec=lambda v: M.conj().T @ v, dtype=M.dtype),
    "matvec-object": MatvecOperator,
    "function-operator": lambda M: FunctionOperator(
        lambda v: M @ v, lambda v: M.conj().T @ v, M.shape, dtype=M.dtype),
}
SHRINK = VPDenoiser(lambda image, sigma: image / (1.0 + sigma ** 2))


def _krylov_reference(M, y, x0, k):
    """CG on the normal equations after k steps from x0: the minimiser of ||M x - y|| over
    x0 + span{r, N r, ..., N^(k-1) r}, N = M^H M, r = M^H (y - M x0) (dense least squares on
    an orthonormal basis of that subspace, built by Gram-Schmidt applied twice)."""
    N = M.conj().T @ M
    r = M.conj().T @ (y - M @ x0)
    basis = [r / np.linalg.norm(r)]
    for _ in range(k - 1):
        w = N @ basis[-1]
        for _ in range(2):
            for q in basis:
                w = w - q * np.vdot(q, w)
        basis.append(w / np.linalg.norm(w))
    Q = np.column_stack(basis)
    c = np.linalg.lstsq(M @ Q, y - M @ x0, rcond=None)[0]
    return x0 + Q @ c


def _close(a, b, tol):
    return np.linalg.norm(a - b) <= tol * np.linalg.norm(b)


@pytest.mark.parametrize("batch", [(), (3,)], ids=["single", "batched"])
@pytest.mark.parametrize("is_complex", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("kind", KINDS)
def test_data_consistency_takes_every_kind_of_operator(kind, is_complex, batch):
    M = _matrix(is_complex)
    rng = np.random.default_rng(1)
    y = _vectors(rng, (*batch, ROWS), is_complex)
    x0 = _vectors(rng, (*batch, COLS), is_complex)
    res = data_consistency(KINDS[kind](M), y, x0, maxiter=3, rtol=0.0)
    assert res.x.shape == (*batch, COLS) and res.iterations == 3
    for item in np.ndindex(batch):
        assert _close(res.x[item], _krylov_reference(M, y[item], x0[item], 3), 1e-10)
    builtin = data_consistency(MatrixOperator(M, (COLS,)), y, x0, maxiter=3, rtol=0.0)
    assert _close(res.x, builtin.x, 1e-12)


@pytest.mark.parametrize("batch", [(), (4,)], ids=["single", "batched"])
@pytest.mark.parametrize("is_complex", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("kind", KINDS)
def test_dds_with_a_user_operator_matches_the_builtin_matrix_operator(kind, is_complex, batch):
    M = _matrix(is_complex, seed=2)
    y = _vectors(np.random.default_rng(3), (*batch, ROWS), is_complex)
    ours = dds_sample(KINDS[kind](M), y, SHRINK, steps=10, maxiter=3, seed=0)
    builtin = dds_sample(MatrixOperator(M, (COLS,)), y, SHRINK, steps=10, maxiter=3, seed=0)
    assert ours.x.shape == (*batch, COLS) and np.iscomplexobj(ours.x) == is_complex
    assert _close(ours.x, builtin.x, 1e-12)
    assert np.allclose(ours.data_residuals, builtin.data_residuals, rtol=1e-10)
    misfit = M @ ours.x.reshape(-1, COLS).T - y.reshape(-1, ROWS).T
    assert np.allclose(ours.data_residuals.ravel(), np.linalg.norm(misfit, axis=0))


@pytest.mark.parametrize("kind", ["dense", "scipy-linearoperator", "function-operator"])
def test_image_and_data_shapes_can_be_declared(kind):
    M = _matrix(True, seed=4, shape=(8, 12))
    A = as_operator(KINDS[kind](M), image_shape=(3, 4), data_shape=(2, 4))
    assert (A.image_shape, A.data_shape, A.is_complex) == ((3, 4), (2, 4), True)
    y = _vectors(np.random.default_rng(5), (2, 2, 4), True)
    s = dds_sample(A, y, SHRINK, steps=6, maxiter=2, seed=1)
    reference = dds_sample(MatrixOperator(M, (3, 4), (2, 4)), y, SHRINK, steps=6, maxiter=2,
                           seed=1)
    assert s.x.shape == (2, 3, 4) and _close(s.x, reference.x, 1e-12)
    with pytest.raises(ShapeError, match="image_shape"):
        as_operator(KINDS[kind](M), image_shape=(5, 5))


def test_operators_that_are_not_usable_are_refused_clearly():
    M = _matrix(False)
    with pytest.raises(ParameterError, match="FunctionOperator"):
        as_operator((lambda v: M @ v, lambda v: M.T @ v))
    with pytest.raises(ParameterError, match="linear operator"):
        data_consistency(object(), np.zeros(ROWS), np.zeros(COLS))
    with pytest.raises(ShapeError, match="2-D"):
        as_operator(np.zeros(3))
    with pytest.raises(ShapeError, match="shape"):
        FunctionOperator(np.sin, np.cos, (3, 0))
    no_adjoint = LinearOperator(M.shape, matvec=lambda v: M @ v, dtype=float)
    for y in (np.ones(ROWS), np.ones((2, ROWS))):
        with pytest.raises(ParameterError, match="no adjoint"):
            data_consistency(no_adjoint, y, np.zeros((*y.shape[:-1], COLS)))
    short = FunctionOperator(lambda v: (M @ v)[:-1], lambda v: M.T @ v, M.shape)
    with pytest.raises(ShapeError, match="matvec returned"):
        data_consistency(short, np.ones(ROWS), np.zeros(COLS))


@pytest.mark.parametrize("is_complex", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("kind", KINDS)
def test_check_adjoint_is_rounding_for_a_correct_pair(kind, is_complex):
    assert check_adjoint(KINDS[kind](_matrix(is_complex, seed=6)), seed=0) < 1e-13


def test_check_adjoint_of_the_builtin_imaging_operators():
    mri = MRIOperator(birdcage_maps(3, (12, 12)), line_mask((12, 12), 3, seed=0))
    ct = CTOperator(12, [0.0, 40.0, 95.0, 150.0])
    assert check_adjoint(mri, seed=1) < 1e-12
    assert check_adjoint(ct, seed=1) < 1e-12


def test_check_adjoint_catches_wrong_adjoints():
    M = _matrix(True, seed=7)
    unconjugated = FunctionOperator(lambda v: M @ v, lambda v: M.T @ v, M.shape, dtype=complex)
    scaled = LinearOperator(M.shape, matvec=lambda v: M @ v,
                            rmatvec=lambda v: 2.0 * M.conj().T @ v, dtype=complex)
    assert check_adjoint(unconjugated, seed=0) > 0.1
    # |a - 2a| / max(|a|, |2a|) = 1/2 whatever the vectors
    assert abs(check_adjoint(scaled, seed=0) - 0.5) < 1e-12
    R = _matrix(False, seed=8)
    transposed_layout = FunctionOperator(
        lambda v: R @ v, lambda v: (R.T @ v).reshape(3, 4).T.ravel(), R.shape)
    assert check_adjoint(transposed_layout, seed=0) > 0.1


def test_check_adjoint_is_reproducible_and_refuses_bad_input():
    A = _matrix(True, seed=9)
    assert check_adjoint(A, seed=3) == check_adjoint(A, seed=3)
    assert isinstance(check_adjoint(A, trials=1), float)
    with pytest.raises(ParameterError, match="trials"):
        check_adjoint(A, trials=0)
    broken = FunctionOperator(lambda v: np.full(ROWS, np.nan), lambda v: np.zeros(COLS),
                              (ROWS, COLS))
    with pytest.raises(NonFiniteError):
        check_adjoint(broken)


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(1, 9), cols=st.integers(1, 9), is_complex=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_check_adjoint_identity_holds_for_random_matrices(rows, cols, is_complex, seed):
    M = _matrix(is_complex, seed=seed, shape=(rows, cols))
    op = LinearOperator(M.shape, matvec=lambda v: M @ v, rmatvec=lambda v: M.conj().T @ v,
                        dtype=M.dtype)
    assert check_adjoint(op, trials=3, seed=seed) < 1e-10


# the contract's vocabulary: maxiter, the operator first, floats for seconds

def test_the_old_steps_keyword_warns_and_means_maxiter():
    M = _matrix(True, seed=10)
    rng = np.random.default_rng(10)
    y, x0 = _vectors(rng, ROWS, True), _vectors(rng, COLS, True)
    new = data_consistency(M, y, x0, maxiter=3, rtol=0.0)
    with pytest.warns(DeprecationWarning, match="maxiter"):
        old = data_consistency(M, y, x0, steps=3, rtol=0.0)
    assert np.array_equal(old.x, new.x) and old.iterations == new.iterations == 3
    assert _close(new.x, _krylov_reference(M, y, x0, 3), 1e-10)
    assert type(new.seconds) is float
    with pytest.raises(TypeError, match="maxiter"):
        data_consistency(M, y, x0, maxiter=4, steps=3)


def test_the_old_argument_order_and_cg_steps_warn_and_give_the_same_samples():
    M = _matrix(True, seed=11)
    A = MatrixOperator(M, (COLS,))
    y = _vectors(np.random.default_rng(11), (2, ROWS), True)
    new = dds_sample(A, y, SHRINK, steps=8, maxiter=3, seed=4)
    with pytest.warns(DeprecationWarning, match=r"dds_sample\(A, y"):
        swapped = dds_sample(y, A, SHRINK, steps=8, maxiter=3, seed=4)
    with pytest.warns(DeprecationWarning, match="cg_steps"):
        renamed = dds_sample(A, y, SHRINK, steps=8, cg_steps=3, seed=4)
    for old in (swapped, renamed):
        assert np.array_equal(old.x, new.x)
        assert old.info["cg_iterations"] == new.info["cg_iterations"] == 8 * 3
    with pytest.warns(DeprecationWarning):
        foreign = dds_sample(y, KINDS["scipy-linearoperator"](M), SHRINK, steps=8, maxiter=3,
                             seed=4)
    assert _close(foreign.x, new.x, 1e-12)


def test_dds_reports_seconds_as_a_float_and_timings_by_stage():
    M = _matrix(False, seed=12)
    s = dds_sample(M, M @ np.ones(COLS), SHRINK, steps=5, seed=0)
    assert type(s.seconds) is float
    assert set(s.timings) == {"denoiser", "data_consistency", "other"}
    assert all(type(v) is float and v >= 0.0 for v in s.timings.values())
    assert sum(s.timings.values()) <= s.seconds * (1 + 1e-9) + 1e-9
    prior = dds_sample(None, None, SHRINK, shape=(2, 3), steps=3, seed=0)
    assert type(prior.seconds) is float and prior.timings["data_consistency"] >= 0.0


# the denoiser's output is checked at every step

def _breaks_at(call, make):
    calls = []

    def denoiser(x_t, t):
        calls.append(t)
        return make(x_t) if len(calls) == call else SHRINK(x_t, t)
    return denoiser


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_denoiser_returning_non_finite_values_is_named_with_its_step(bad):
    M = _matrix(False, seed=13)
    denoiser = _breaks_at(3, lambda x: np.where(np.arange(x.size) == 2, bad, x))
    with pytest.raises(NonFiniteError, match=r"denoiser.*sampling step 3 of 6"):
        dds_sample(M, M @ np.ones(COLS), denoiser, steps=6, seed=0)


@pytest.mark.parametrize("make", [lambda x: x[..., :-1], lambda x: x[None], lambda x: None,
                                  lambda x: x.tolist()])
def test_a_denoiser_returning_the_wrong_shape_is_named_with_its_step(make):
    M = _matrix(True, seed=14)
    y = np.ones((2, ROWS), complex)
    with pytest.raises(ShapeError, match=r"denoiser.*sampling step 1 of 4"):
        dds_sample(M, y, _breaks_at(1, make), steps=4, seed=0)
    with pytest.raises(ShapeError, match=r"sampling step 2 of 4"):
        dds_sample(None, None, _breaks_at(2, make), shape=(2, 5), steps=4, seed=0)


# the stopping test is relative: scaling the data changes nothing but the scale

SCALES = [1.0, 1e-7, 1e7]


def test_a_dds_update_is_scale_invariant_on_mri():
    """The case of the issue: with the old absolute tolerance, data scaled by 1e-7 stopped
    after 3 of 5 steps with twice the misfit."""
    A = MRIOperator(birdcage_maps(4, (16, 16)), line_mask((16, 16), 4, seed=0))
    rng = np.random.default_rng(15)
    truth = rng.standard_normal((16, 16)) + 0j
    y = A.forward(truth)
    x0 = truth + 0.3 * rng.standard_normal((16, 16))
    runs = [data_consistency(A, s * y, s * x0) for s in SCALES]
    misfits = [np.linalg.norm(A.forward(r.x) - s * y) / np.linalg.norm(s * y)
               for r, s in zip(runs, SCALES, strict=True)]
    assert [r.iterations for r in runs] == [5, 5, 5]
    assert np.allclose(misfits, misfits[0], rtol=1e-9, atol=0.0)
    M = A.forward(np.eye(256).reshape(256, 16, 16)).reshape(256, -1).T
    assert _close(runs[0].x.ravel(), _krylov_reference(M, y.ravel(), x0.ravel(), 5), 1e-9)


@pytest.mark.parametrize("gamma", [None, 0.5])
def test_stopping_on_the_relative_tolerance_is_scale_invariant(gamma):
    rng = np.random.default_rng(16)
    M = rng.standard_normal((30, 8)) @ np.diag(np.linspace(1.0, 20.0, 8))
    y = M @ rng.standard_normal(8) + 0.1 * rng.standard_normal(30)
    x0 = rng.standard_normal(8)
    runs = [data_consistency(M, s * y, s * x0, maxiter=100, gamma=gamma) for s in SCALES]
    assert all(r.converged for r in runs)
    iterations = {r.iterations for r in runs}
    assert len(iterations) == 1 and 0 < iterations.pop() < 100
    if gamma is None:
        K, rhs = M.T @ M, M.T @ y
    else:
        K, rhs = np.eye(8) + gamma * M.T @ M, x0 + gamma * M.T @ y
    exact = np.linalg.solve(K, rhs)
    for r, s in zip(runs, SCALES, strict=True):
        true_residual = np.linalg.norm(rhs * s - K @ r.x)
        assert true_residual <= 1.001e-6 * np.linalg.norm(rhs * s)
        assert np.isclose(r.residual_norm, true_residual, rtol=1e-3)
        assert _close(r.x / s, exact, 1.001e-6 * np.linalg.cond(K))
    misfits = [np.linalg.norm(M @ r.x - s * y) / np.linalg.norm(s * y)
               for r, s in zip(runs, SCALES, strict=True)]
    assert np.allclose(misfits, misfits[0], rtol=1e-9, atol=0.0)
