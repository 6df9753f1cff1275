"""The contract every solver shares, checked for every solver configuration on every SPD case.

``SOLVERS`` x ``SPD_CASES`` (from ``solver_cases.py``): adding a solver or a matrix there runs
all of these on it. References are dense NumPy and ``scipy.sparse.linalg.spsolve``.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from solver_cases import (
    SOLVER_IDS,
    SOLVERS,
    SPD_CASES,
    SPD_IDS,
    Case,
    assert_residual_is_true,
    poisson,
    random_spd,
    rel_maxabs,
    true_residual,
)

import solvers

solver_param = pytest.mark.parametrize("solver", SOLVERS, ids=SOLVER_IDS)
case_param = pytest.mark.parametrize("case", SPD_CASES, ids=SPD_IDS)
MAXITER = 50_000


def _rhs(A, rng):
    n = A.shape[0]
    return rng.standard_normal(n), rng.standard_normal(n)


@case_param
@solver_param
def test_converges_to_direct_solution(solver, case, rng):
    A = case.build()
    b, x0 = _rhs(A, rng)
    rtol = 1e-10
    res = solver(A, b, x0, rtol=rtol, maxiter=MAXITER)
    assert isinstance(res, solvers.Result)
    assert res.status == "converged" and res.converged is True
    # The rule, on the true residual recomputed with NumPy.
    assert true_residual(A, b, res.x) <= rtol * np.linalg.norm(b)
    assert_residual_is_true(A, b, res.x, res.residual_norm)
    assert_residual_is_true(A, b, x0, res.residuals[0])
    assert res.residuals.shape == (res.iterations + 1,)
    assert res.residuals[-1] == res.residual_norm
    x_ref = spla.spsolve(A.tocsc(), b)
    assert np.linalg.norm(res.x - x_ref) <= 1e-6 * np.linalg.norm(x_ref)
    assert res.cost == res.iterations
    assert isinstance(res.iterations, int) and isinstance(res.residual_norm, float)
    assert res.seconds >= 0


@case_param
@solver_param
def test_absolute_tolerance(solver, case, rng):
    """With rtol = 0 the solve stops on atol alone, and only once the true residual meets it."""
    A = case.build()
    b, _ = _rhs(A, rng)
    atol = 1e-4 * np.linalg.norm(b)
    res = solver(A, b, rtol=0.0, atol=atol, maxiter=MAXITER)
    assert res.converged
    assert true_residual(A, b, res.x) <= atol
    assert res.residuals[0] > atol  # it had to iterate
    assert res.iterations > 0


@case_param
@solver_param
def test_maxiter_reached(solver, case, rng):
    A = case.build()
    b, x0 = _rhs(A, rng)
    res = solver(A, b, x0, rtol=1e-15, maxiter=2)
    assert res.status == "maxiter"
    assert res.converged is False
    assert res.iterations == 2
    assert res.residuals.shape == (3,)
    assert_residual_is_true(A, b, res.x, res.residual_norm)
    assert res.residual_norm > 1e-15 * np.linalg.norm(b)


@solver_param
def test_maxiter_zero_returns_x0(solver, rng):
    A = poisson((6, 6))
    b, x0 = _rhs(A, rng)
    res = solver(A, b, x0, maxiter=0)
    assert res.status == "maxiter" and not res.converged
    assert res.iterations == 0
    np.testing.assert_array_equal(res.x, x0)
    assert res.residuals.shape == (1,)
    assert_residual_is_true(A, b, x0, res.residuals[0])
    assert res.residual_norm == res.residuals[0]

    # ... or "converged" when x0 already solves it.
    x_star = np.linalg.solve(A.toarray(), b)
    res = solver(A, b, x_star, maxiter=0)
    assert res.status == "converged" and res.converged and res.iterations == 0
    np.testing.assert_array_equal(res.x, x_star)


@case_param
@solver_param
def test_x0_solution_takes_no_iteration(solver, case, rng):
    A = case.build()
    x_star = rng.standard_normal(A.shape[0])
    b = A @ x_star
    res = solver(A, b, x_star)
    assert res.iterations == 0
    assert res.converged and res.status == "converged"
    np.testing.assert_array_equal(res.x, x_star)


@solver_param
def test_zero_rhs(solver):
    A = poisson((5, 5))
    res = solver(A, np.zeros(25))
    assert res.converged and res.iterations == 0
    np.testing.assert_array_equal(res.x, np.zeros(25))
    assert res.residual_norm == 0.0


@case_param
@solver_param
def test_callback_once_per_iteration(solver, case, rng):
    A = case.build()
    b, x0 = _rhs(A, rng)
    seen = []
    res = solver(A, b, x0, rtol=1e-8, maxiter=MAXITER,
                 callback=lambda xk: seen.append(np.array(xk, copy=True)))
    assert res.converged
    assert len(seen) == res.iterations > 0
    np.testing.assert_array_equal(seen[-1], res.x)


@solver_param
def test_inputs_not_modified_and_x_is_new(solver, rng):
    A = random_spd(60, density=0.1, seed=3)
    A_copy = A.copy()
    b, x0 = _rhs(A, rng)
    b_copy, x0_copy = b.copy(), x0.copy()
    res = solver(A, b, x0)
    np.testing.assert_array_equal(b, b_copy)
    np.testing.assert_array_equal(x0, x0_copy)
    for attr in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(A, attr), getattr(A_copy, attr))
    assert not np.shares_memory(res.x, x0)
    assert not np.shares_memory(res.x, b)


# --- every input format gives the canonical CSR answer ------------------------------------------


def _unsorted(A):
    """CSR with each row's column indices reversed (a valid, non-canonical CSR)."""
    A = A.tocsr()
    indices, data = A.indices.copy(), A.data.copy()
    for i in range(A.shape[0]):
        s = slice(A.indptr[i], A.indptr[i + 1])
        indices[s], data[s] = indices[s][::-1], data[s][::-1]
    M = sp.csr_matrix((data, indices, A.indptr.copy()), shape=A.shape)
    assert not M.has_sorted_indices
    return M


def _duplicates(A):
    """CSR storing every entry twice, as two exact halves, the second copy in reverse order."""
    A = A.tocsr()
    indptr, indices, data = [0], [], []
    for i in range(A.shape[0]):
        s = slice(A.indptr[i], A.indptr[i + 1])
        cols, half = A.indices[s], A.data[s] / 2  # exact: the halves sum back to the entry
        indices += [cols, cols[::-1]]
        data += [half, half[::-1]]
        indptr.append(indptr[-1] + 2 * cols.size)
    M = sp.csr_matrix((np.concatenate(data), np.concatenate(indices), np.array(indptr)),
                      shape=A.shape)
    assert M.nnz == 2 * A.nnz and not M.has_canonical_format
    return M


def _int64(A):
    A = A.tocsr()
    M = A.copy()
    # Assigned after construction: SciPy's constructor would pick int32 again.
    M.indices = A.indices.astype(np.int64)
    M.indptr = A.indptr.astype(np.int64)
    assert M.indices.dtype == M.indptr.dtype == np.int64
    return M


def _quiet(convert):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
        return convert()


FORMATS = {
    "coo": lambda A: A.tocoo(),
    "csc": lambda A: A.tocsc(),
    "dia": lambda A: _quiet(A.todia),
    "bsr": lambda A: A.tobsr(blocksize=(2, 2)),
    "lil": lambda A: A.tolil(),
    "dok": lambda A: A.todok(),
    "dense": lambda A: A.toarray(),
    "csr_matrix": lambda A: sp.csr_matrix(A),
    "csr_array": lambda A: sp.csr_array(A),
    "coo_array": lambda A: sp.coo_array(A),
    "csr_unsorted": _unsorted,
    "csr_duplicates": _duplicates,
    "csr_int64": _int64,
}


def _raw(M):
    """Copies of every array that stores M, to detect in-place changes."""
    if isinstance(M, np.ndarray):
        return [M.copy()]
    fmt = M.format
    if fmt in ("csr", "csc", "bsr"):
        return [M.data.copy(), M.indices.copy(), M.indptr.copy()]
    if fmt == "coo":
        return [M.data.copy(), *(c.copy() for c in M.coords)]
    if fmt == "dia":
        return [M.data.copy(), M.offsets.copy()]
    if fmt == "lil":
        return [np.concatenate(M.rows), np.concatenate(M.data)]
    if fmt == "dok":
        return [np.array(sorted(M.items()), dtype=object)]
    raise AssertionError(fmt)


FORMAT_CASES = [Case("poisson2d", lambda: poisson((10, 10))),
                Case("random_spd", lambda: random_spd(60, density=0.1, seed=5))]


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("case", FORMAT_CASES, ids=str)
@solver_param
def test_input_formats(solver, case, fmt, rng):
    A = case.build()
    b, x0 = _rhs(A, rng)
    expected = solver(A, b, x0, rtol=1e-8, maxiter=MAXITER)

    M = FORMATS[fmt](A)
    np.testing.assert_array_equal(M.toarray() if sp.issparse(M) else M, A.toarray())
    before, x0_before = _raw(M), x0.copy()
    res = solver(M, b, x0, rtol=1e-8, maxiter=MAXITER)

    assert res.converged
    assert res.iterations == expected.iterations
    # Bitwise-level agreement; AMG gets rounding-level slack, as PyAMG's setup itself rounds
    # differently for sparse arrays and sparse matrices.
    assert rel_maxabs(res.x, expected.x) <= (1e-10 if solver.kwargs.get("M") == "amg" else 1e-12)
    for old, new in zip(before, _raw(M), strict=True):
        assert old.dtype == new.dtype
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(x0, x0_before)
