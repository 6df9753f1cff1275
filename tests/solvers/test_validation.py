"""Bad input raises the documented error, for every public entry point."""

import re

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from solver_cases import ENTRY_POINTS, poisson

import solvers
from solvers import (
    DTypeError,
    InputError,
    NonFiniteError,
    NotSPDError,
    ParameterError,
    ShapeError,
    ZeroDiagonalError,
)

entry_param = pytest.mark.parametrize("solve", [f for _, f in ENTRY_POINTS],
                                      ids=[name for name, _ in ENTRY_POINTS])
relaxation_param = pytest.mark.parametrize("solve", [solvers.sor, solvers.ssor],
                                           ids=["sor", "ssor"])
HYPOTHESIS = settings(deadline=None, max_examples=25, derandomize=True, database=None)


def _system(n=5):
    A = poisson((n,))
    return A, np.ones(n)


def test_error_hierarchy():
    for err in (ShapeError, NonFiniteError, ParameterError, ZeroDiagonalError, NotSPDError):
        assert issubclass(err, InputError) and issubclass(err, ValueError)
    assert issubclass(DTypeError, InputError) and issubclass(DTypeError, TypeError)


# --- shapes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("A", [sp.csr_matrix(np.ones((3, 4))), np.ones((3, 4)), np.ones(4),
                               np.ones((2, 2, 2))],
                         ids=["sparse-3x4", "dense-3x4", "1-D", "3-D"])
@entry_param
def test_non_square_A(solve, A):
    with pytest.raises(ShapeError):
        solve(A, np.ones(3))


@entry_param
def test_b_length_mismatch_names_b_and_sizes(solve):
    A, _ = _system(5)
    with pytest.raises(ShapeError) as info:
        solve(A, np.ones(7))
    message = str(info.value)
    assert re.search(r"\bb\b", message) and "5" in message and "7" in message, message


@pytest.mark.parametrize("b", [np.ones((5, 2)), np.ones((5, 1, 1)), np.float64(1.0)],
                         ids=["matrix", "3-D", "scalar"])
@entry_param
def test_b_not_a_vector(solve, b):
    A, _ = _system(5)
    with pytest.raises(ShapeError):
        solve(A, b)


@entry_param
def test_x0_length_mismatch(solve):
    A, b = _system(5)
    with pytest.raises(ShapeError, match="x0"):
        solve(A, b, np.zeros(4))


@entry_param
def test_column_vectors_are_accepted(solve):
    A, b = _system(5)
    res = solve(A, b.reshape(-1, 1), np.zeros((5, 1)))
    assert res.converged and res.x.shape == (5,)


# --- values and dtypes --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["A-sparse", "A-dense", "b", "x0"])
@entry_param
def test_non_finite(solve, where, bad):
    A, b = _system(5)
    x0 = np.zeros(5)
    if where == "A-sparse":
        A = A.copy()
        A.data[3] = bad
    elif where == "A-dense":
        A = A.toarray()
        A[1, 2] = bad
    elif where == "b":
        b = b.copy()
        b[2] = bad
    else:
        x0[4] = bad
    with pytest.raises(NonFiniteError):
        solve(A, b, x0)


@pytest.mark.parametrize("where", ["A-sparse", "A-dense", "b", "x0"])
@entry_param
def test_complex(solve, where):
    A, b = _system(5)
    x0 = np.zeros(5)
    if where == "A-sparse":
        A = A.astype(np.complex128)
    elif where == "A-dense":
        A = A.toarray().astype(np.complex128)
    elif where == "b":
        b = b + 0j
    else:
        x0 = x0 + 1j
    with pytest.raises(DTypeError):
        solve(A, b, x0)


@pytest.mark.parametrize("A", ["not a matrix", np.array([["a", "b"], ["c", "d"]]),
                               np.array([[1.0, None], [None, 1.0]], dtype=object), object()],
                         ids=["str", "str-array", "object-array", "object"])
@entry_param
def test_non_numeric_A(solve, A):
    with pytest.raises(DTypeError):
        solve(A, np.ones(2))


@entry_param
def test_non_numeric_b(solve):
    A, _ = _system(2)
    with pytest.raises(DTypeError):
        solve(A, np.array(["1", "2"]))


@pytest.mark.parametrize("how", ["zero", "missing", "explicit-zero"])
@relaxation_param
def test_zero_diagonal(solve, how):
    A = poisson((4, 4)).tolil()
    if how == "zero":
        A = A.toarray()
        A[5, 5] = 0.0
    else:
        A[5, 5] = 0.0
        A = A.tocsr()
        A.eliminate_zeros()
        if how == "explicit-zero":  # stored, but zero
            A = A.tocoo()
            A = sp.coo_matrix((np.append(A.data, 0.0), (np.append(A.row, 5),
                                                        np.append(A.col, 5))), shape=A.shape)
    with pytest.raises(ZeroDiagonalError):
        solve(A, np.ones(16))


@pytest.mark.parametrize("M", ["jacobi", ("ssor", 1.2)], ids=["jacobi", "ssor"])
def test_zero_diagonal_with_diagonal_preconditioner(M):
    A = poisson((4, 4)).tolil()
    A[3, 3] = 0.0
    with pytest.raises((ZeroDiagonalError, NotSPDError)):
        solvers.cg(A.tocsr(), np.ones(16), M=M)


# --- parameters ---------------------------------------------------------------------------------

BAD_OMEGAS = [0, 0.0, 2, 2.0, -1, -0.5, 2.5, np.nan, np.inf, -np.inf, "1.5", None, True,
              1 + 0j, np.nextafter(2.0, 3.0), -1e-300]


@pytest.mark.parametrize("omega", BAD_OMEGAS, ids=repr)
@relaxation_param
def test_bad_omega(solve, omega):
    A, b = _system()
    with pytest.raises(ParameterError):
        solve(A, b, omega=omega)


@pytest.mark.parametrize("omega", BAD_OMEGAS, ids=repr)
def test_bad_omega_for_ssor_preconditioning(omega):
    A, b = _system()
    with pytest.raises(ParameterError):
        solvers.cg(A, b, M=("ssor", omega))
    with pytest.raises(ParameterError):
        solvers.ssor_preconditioner(A, omega)


@pytest.mark.parametrize("value", [-1e-3, -np.inf, np.nan, np.inf, "1e-8", None, 1j],
                         ids=repr)
@pytest.mark.parametrize("name", ["rtol", "atol"])
@entry_param
def test_bad_tolerance(solve, name, value):
    A, b = _system()
    with pytest.raises(ParameterError):
        solve(A, b, **{name: value})


@pytest.mark.parametrize("maxiter", [-1, 2.5, 10.0, "10", np.nan, True], ids=repr)
@entry_param
def test_bad_maxiter(solve, maxiter):
    A, b = _system()
    with pytest.raises(ParameterError):
        solve(A, b, maxiter=maxiter)


@entry_param
def test_numpy_integer_maxiter_is_accepted(solve):
    A, b = _system()
    res = solve(A, b, maxiter=np.int64(500))
    assert res.converged and res.iterations <= 500


@pytest.mark.parametrize("sweep", ["sideways", "Forward", "", None, 0])
def test_bad_sweep(sweep):
    A, b = _system()
    with pytest.raises(ParameterError):
        solvers.sor(A, b, sweep=sweep)


@pytest.mark.parametrize("M", ["foo", "ssor", "Jacobi", ("ssor", 2.5), ("foo", 1), ("ssor",),
                               ("ssor", 1.0, 2), ("ssor", "1.5"), 5, 2.0, [1, 2]],
                         ids=repr)
def test_bad_preconditioner(M):
    A, b = _system()
    with pytest.raises(ParameterError):
        solvers.cg(A, b, M=M)


def test_preconditioner_of_wrong_shape():
    A, b = _system(5)
    with pytest.raises(ShapeError):
        solvers.cg(A, b, M=sp.identity(4, format="csr"))


@pytest.mark.parametrize("backend", ["tpu", "CPU", "", 1], ids=repr)
@entry_param
def test_bad_backend(solve, backend):
    A, b = _system()
    with pytest.raises(ParameterError):
        solve(A, b, backend=backend)


@entry_param
def test_cpu_backend_is_accepted(solve):
    A, b = _system()
    assert solve(A, b, backend="cpu").converged


@entry_param
def test_bad_callback(solve):
    A, b = _system()
    with pytest.raises(ParameterError):
        solve(A, b, callback="print")


def test_linear_operator_A_checks():
    op = spla.aslinearoperator(sp.csr_matrix(np.ones((3, 4))))
    with pytest.raises(ShapeError):
        solvers.cg(op, np.ones(3))
    square = spla.aslinearoperator(poisson((4,)))
    with pytest.raises(ShapeError):
        solvers.cg(square, np.ones(3))
    with pytest.raises(DTypeError):
        solvers.cg(spla.aslinearoperator(poisson((4,)).astype(complex)), np.ones(4))


# --- not SPD ------------------------------------------------------------------------------------

INDEFINITE_POSITIVE_DIAGONAL = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.5], [0.0, 0.5, 3.0]])
INDEFINITE_NEGATIVE_DIAGONAL = np.array([[1.0, 0.1, 0.0], [0.1, -1.0, 0.1], [0.0, 0.1, 2.0]])


@pytest.mark.parametrize("callback", [None, lambda xk: None], ids=["compiled", "generic"])
@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 0.7), ("ssor", 1.2)],
                         ids=["none", "jacobi", "ssor-0.7", "ssor-1.2"])
@pytest.mark.parametrize(
    "A",
    [INDEFINITE_POSITIVE_DIAGONAL, INDEFINITE_NEGATIVE_DIAGONAL,
     (poisson((6, 6)) - 10 * sp.identity(36)).tocsr()],
    ids=["indefinite-positive-diagonal", "indefinite-negative-diagonal", "poisson-minus-10I"],
)
def test_cg_detects_non_spd(A, M, callback):
    assert np.linalg.eigvalsh(A.toarray() if sp.issparse(A) else A)[0] < 0
    with pytest.raises(NotSPDError):
        solvers.cg(A, np.ones(A.shape[0]), M=M, callback=callback)


@pytest.mark.parametrize("M", ["jacobi", ("ssor", 1.5)], ids=["jacobi", "ssor"])
def test_negative_diagonal_with_diagonal_preconditioner(M):
    A = poisson((5, 5)).tolil()
    A[7, 7] = -4.0
    with pytest.raises(NotSPDError):
        solvers.cg(A.tocsr(), np.ones(25), M=M)
    with pytest.raises(NotSPDError):
        solvers.ssor_preconditioner(A.tocsr(), 1.2)


def test_indefinite_preconditioner_operator():
    A, b = _system(5)
    M = -sp.identity(5, format="csr")
    with pytest.raises(NotSPDError):
        solvers.cg(A, b, M=M)


# --- property-based ----------------------------------------------------------------------------

omega_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([0.0, 2.0, -0.0, np.nextafter(0.0, 1.0), np.nextafter(2.0, 0.0)]),
)


@HYPOTHESIS
@given(omega=omega_values)
def test_omega_accepted_exactly_in_open_interval(omega):
    A, b = _system(4)
    inside = 0 < omega < 2  # False for NaN
    for solve in (solvers.sor, solvers.ssor):
        if inside:
            res = solve(A, b, omega=omega, maxiter=3)
            assert isinstance(res, solvers.Result)
        else:
            with pytest.raises(ParameterError):
                solve(A, b, omega=omega)
    if not inside:
        with pytest.raises(ParameterError):
            solvers.cg(A, b, M=("ssor", omega))
        with pytest.raises(ParameterError):
            solvers.ssor_preconditioner(A, omega)


@HYPOTHESIS
@given(omega=st.floats(min_value=1e-3, max_value=2.0, exclude_max=True))
def test_ssor_preconditioning_accepts_omega_in_interval(omega):
    A, b = _system(6)
    res = solvers.cg(A, b, M=("ssor", omega))
    assert res.converged
    z = solvers.ssor_preconditioner(A, omega) @ b
    assert np.all(np.isfinite(z)) and b @ z > 0


@st.composite
def spd_systems(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    entries = st.floats(min_value=-2.0, max_value=2.0, allow_subnormal=False)
    B = np.array(draw(st.lists(entries, min_size=n * n, max_size=n * n))).reshape(n, n)
    b = np.array(draw(st.lists(entries, min_size=n, max_size=n)))
    assume(np.linalg.norm(b) > 1e-3)
    return B.T @ B + n * np.eye(n), b


@HYPOTHESIS
@given(system=spd_systems(), omega=st.sampled_from([0.6, 1.0, 1.4]))
def test_random_spd_systems(system, omega):
    A, b = system
    x_ref = np.linalg.solve(A, b)
    runs = {
        "sor": solvers.sor(A, b, omega=omega, rtol=1e-10),
        "ssor": solvers.ssor(A, b, omega=omega, rtol=1e-10),
        "cg": solvers.cg(A, b, rtol=1e-10),
        "cg-jacobi": solvers.cg(A, b, rtol=1e-10, M="jacobi"),
        "cg-ssor": solvers.cg(A, b, rtol=1e-10, M=("ssor", omega)),
        "cg-sparse": solvers.cg(sp.csr_matrix(A), b, rtol=1e-10),
    }
    for name, res in runs.items():
        assert isinstance(res, solvers.Result), name
        assert res.converged and res.status == "converged", name
        assert np.linalg.norm(res.x - x_ref) <= 1e-6 * np.linalg.norm(x_ref), name
        assert np.linalg.norm(b - A @ res.x) <= 1e-10 * np.linalg.norm(b) * (1 + 1e-6), name
