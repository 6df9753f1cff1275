"""Preconditioned CG against SciPy's ``cg``, ``spsolve``, PyAMG and dense NumPy references."""

import importlib

import numpy as np
import pyamg
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from solver_cases import (
    Case,
    anisotropic,
    assert_residual_is_true,
    dense_ssor_preconditioner_inverse,
    example,
    heat_matrix,
    poisson,
    random_spd,
    rel_err,
    rel_maxabs,
)

import solvers

cg_module = importlib.import_module("solvers.krylov.cg")
cg_kernels = importlib.import_module("solvers.krylov._kernels")

CG_CASES = [
    Case("poisson2d", lambda: poisson((16, 16))),
    Case("poisson3d", lambda: poisson((6, 6, 6))),
    Case("knot", lambda: example("knot")),
    Case("random_spd", random_spd),
    Case("anisotropic", anisotropic),
]
PRECONDITIONERS = [None, "jacobi", ("ssor", 1.0), ("ssor", 1.3), ("ssor", 1.7)]
M_IDS = ["none", "jacobi", "ssor-1.0", "ssor-1.3", "ssor-1.7"]
RTOL = 1e-10


def jacobi_operator(A):
    d = A.diagonal()
    n = A.shape[0]
    return spla.LinearOperator((n, n), matvec=lambda r: np.ravel(r) / d, dtype=np.float64)


def scipy_preconditioner(A, M):
    """The SciPy ``M`` (an operator applying M^{-1}) equivalent to our ``M`` argument."""
    if M is None:
        return None
    if M == "jacobi":
        return jacobi_operator(A)
    if isinstance(M, tuple):
        return solvers.ssor_preconditioner(A, M[1])
    return M


def scipy_cg(A, b, x0=None, M=None, rtol=RTOL, maxiter=None):
    """SciPy's CG and its iteration count (callback calls)."""
    count = [0]

    def callback(_):
        count[0] += 1

    x, info = spla.cg(A, b, x0=x0, rtol=rtol, atol=0.0, M=M, maxiter=maxiter, callback=callback)
    return x, info, count[0]


def direct(A, b):
    return spla.spsolve(sp.csc_matrix(A), b)


case_param = pytest.mark.parametrize("case", CG_CASES, ids=str)
m_param = pytest.mark.parametrize("M", PRECONDITIONERS, ids=M_IDS)


@m_param
@case_param
def test_matches_scipy_cg(case, M, rng):
    A = case.build()
    b = rng.standard_normal(A.shape[0])
    res = solvers.cg(A, b, rtol=RTOL, M=M)
    x_sp, info, its = scipy_cg(A, b, M=scipy_preconditioner(A, M))
    assert info == 0
    assert res.converged
    assert abs(res.iterations - its) <= 1, (res.iterations, its)
    x_ref = direct(A, b)
    assert rel_err(res.x, x_ref) <= 1e-6
    assert rel_err(x_sp, x_ref) <= 1e-6  # the reference run is itself sound
    assert np.linalg.norm(b - A @ res.x) <= RTOL * np.linalg.norm(b)


@m_param
@case_param
def test_compiled_and_generic_paths_agree(case, M, rng):
    """A callback switches to the Python loop; both run the same iteration."""
    A = case.build()
    b, x0 = rng.standard_normal((2, A.shape[0]))
    compiled = solvers.cg(A, b, x0, rtol=RTOL, M=M)
    calls = []
    generic = solvers.cg(A, b, x0, rtol=RTOL, M=M, callback=lambda xk: calls.append(1))
    assert compiled.converged and generic.converged
    assert abs(compiled.iterations - generic.iterations) <= 1
    assert len(calls) == generic.iterations
    assert rel_err(compiled.x, generic.x) <= 1e-7
    # The residual histories are those of one and the same iteration.
    m = min(compiled.iterations, generic.iterations) + 1
    big = generic.residuals[:m] > 1e-6 * np.linalg.norm(b)
    np.testing.assert_allclose(compiled.residuals[:m][big], generic.residuals[:m][big], rtol=1e-6)


@pytest.mark.parametrize(
    ("M", "path"),
    [(None, "compiled"), (None, "generic"), ("jacobi", "compiled"), ("jacobi", "generic"),
     ("amg", "generic")],  # AMG always runs the generic loop
    ids=["none-compiled", "none-generic", "jacobi-compiled", "jacobi-generic", "amg"],
)
def test_parallel_path_agrees_with_serial(M, path, monkeypatch, rng):
    A = poisson((20, 20))
    b = rng.standard_normal(A.shape[0])
    callback = (lambda xk: None) if path == "generic" else None
    serial = solvers.cg(A, b, rtol=RTOL, M=M, callback=callback)

    used = []
    for name in ("pcg_parallel", "spmv_parallel"):
        kernel = getattr(cg_kernels, name)

        def spy(*args, _kernel=kernel, _name=name):
            used.append(_name)
            return _kernel(*args)

        monkeypatch.setattr(cg_kernels, name, spy)
    monkeypatch.setattr(cg_module, "KRYLOV_PARALLEL_MIN_ROWS", 0)
    parallel = solvers.cg(A, b, rtol=RTOL, M=M, callback=callback)

    assert used, "KRYLOV_PARALLEL_MIN_ROWS = 0 did not select a multithreaded kernel"
    assert parallel.converged
    assert abs(parallel.iterations - serial.iterations) <= 1
    assert rel_err(parallel.x, serial.x) <= 1e-8
    assert rel_err(parallel.x, direct(A, b)) <= 1e-6


# --- the SSOR preconditioner ---------------------------------------------------------------------

SSOR_PC_CASES = [
    Case("poisson2d", lambda: poisson((8, 8))),
    Case("knot", lambda: example("knot")),
    Case("unit_cube", lambda: example("unit_cube")),
    Case("random_spd", lambda: random_spd(60, density=0.1, seed=2)),
    Case("anisotropic", lambda: anisotropic((8, 8))),
]


@pytest.mark.parametrize("omega", [0.5, 1.0, 1.5, 1.9])
@pytest.mark.parametrize("case", SSOR_PC_CASES, ids=str)
def test_ssor_preconditioner_matches_dense_formula(case, omega, rng):
    A = case.build()
    n = A.shape[0]
    P = solvers.ssor_preconditioner(A, omega)
    assert P.shape == (n, n)
    r1, r2 = rng.standard_normal((2, n))
    z1 = P @ r1
    assert rel_maxabs(z1, dense_ssor_preconditioner_inverse(A, omega, r1)) <= 1e-12
    # ... which, written out, is inv(M) r with M = (D + wL) D^-1 (D + wL)^T / (w (2 - w)).
    Ad = A.toarray()
    D, L = np.diag(np.diag(Ad)), np.tril(Ad, -1)
    Mmat = (D + omega * L) @ np.linalg.inv(D) @ (D + omega * L).T / (omega * (2 - omega))
    assert rel_err(z1, np.linalg.solve(Mmat, r1)) <= 1e-9
    # Symmetric positive definite, and it acts column by column on a block.
    z2 = P @ r2
    assert r2 @ z1 == pytest.approx(r1 @ z2, rel=1e-12)
    assert r1 @ z1 > 0
    Z = P @ np.column_stack([r1, r2])
    np.testing.assert_allclose(Z, np.column_stack([z1, z2]), rtol=0, atol=1e-14 * abs(Z).max())
    np.testing.assert_array_equal(P @ r1, z1)  # no state carried between applications


# --- AMG, operators, LinearOperator A -----------------------------------------------------------


def test_amg_needs_far_fewer_iterations(rng):
    A = poisson((32, 32))
    b = rng.standard_normal(A.shape[0])
    plain = solvers.cg(A, b, rtol=RTOL)
    amg = solvers.cg(A, b, rtol=RTOL, M="amg")
    assert plain.converged and amg.converged
    assert 4 * amg.iterations <= plain.iterations, (amg.iterations, plain.iterations)
    assert rel_err(amg.x, direct(A, b)) <= 1e-6
    # SciPy's CG with PyAMG's own preconditioner takes the same number of iterations.
    ml = pyamg.smoothed_aggregation_solver(A)
    _, info, its = scipy_cg(A, b, M=ml.aspreconditioner())
    assert info == 0 and abs(amg.iterations - its) <= 1


def _operator_forms(A):
    d = A.diagonal()
    n = A.shape[0]
    return {
        "LinearOperator": jacobi_operator(A),
        "sparse": sp.diags(1.0 / d, format="csr"),
        "sparse_array": sp.dia_array((1.0 / d[None, :], [0]), shape=(n, n)),
        "dense": np.diag(1.0 / d),
        "callable": lambda r: r / d,
    }


@pytest.mark.parametrize("form", ["LinearOperator", "sparse", "sparse_array", "dense",
                                  "callable"])
@pytest.mark.parametrize("case", CG_CASES[2:], ids=str)
def test_operator_preconditioner(case, form, rng):
    A = case.build()
    b = rng.standard_normal(A.shape[0])
    M = _operator_forms(A)[form]
    res = solvers.cg(A, b, rtol=RTOL, M=M)
    _, info, its = scipy_cg(A, b, M=jacobi_operator(A))
    assert res.converged
    assert abs(res.iterations - its) <= 1
    assert rel_err(res.x, direct(A, b)) <= 1e-6
    assert abs(res.iterations - solvers.cg(A, b, rtol=RTOL, M="jacobi").iterations) <= 1


@pytest.mark.parametrize("M", [None, "operator"])
@pytest.mark.parametrize("case", CG_CASES, ids=str)
def test_linear_operator_A(case, M, rng):
    A = case.build()
    b = rng.standard_normal(A.shape[0])
    op = spla.aslinearoperator(A)
    pre = jacobi_operator(A) if M else None
    res = solvers.cg(op, b, rtol=RTOL, M=pre)
    _, info, its = scipy_cg(A, b, M=pre)
    assert res.converged
    assert abs(res.iterations - its) <= 1
    assert rel_err(res.x, direct(A, b)) <= 1e-6
    assert_residual_is_true(A, b, res.x, res.residual_norm)


@pytest.mark.parametrize("M", ["jacobi", ("ssor", 1.5), "amg"])
def test_linear_operator_A_rejects_named_preconditioners(M):
    A = poisson((5, 5))
    with pytest.raises(solvers.ParameterError):
        solvers.cg(spla.aslinearoperator(A), np.ones(25), M=M)


# --- warm starts, reproducibility, history ------------------------------------------------------


@pytest.mark.parametrize("M", [*PRECONDITIONERS, "amg"], ids=[*M_IDS, "amg"])
@pytest.mark.parametrize("case", CG_CASES, ids=str)
def test_warm_start(case, M, rng):
    A = case.build()
    x_star = rng.standard_normal(A.shape[0])
    b = A @ x_star
    cold = solvers.cg(A, b, rtol=RTOL, M=M)
    warm = solvers.cg(A, b, x_star + 1e-6 * rng.standard_normal(x_star.size), rtol=RTOL, M=M)
    assert cold.converged and warm.converged
    assert warm.iterations < cold.iterations
    exact = solvers.cg(A, b, x_star, rtol=RTOL, M=M)
    assert exact.iterations == 0 and exact.converged
    np.testing.assert_array_equal(exact.x, x_star)


@pytest.mark.parametrize("omega", [1.0, 1.3, 1.5, 1.75, 1.95])
@pytest.mark.parametrize("kappa", [1.0, 10.0])
def test_ssor_pcg_on_heat_matrix(kappa, omega):
    A = heat_matrix(kappa, dt=1e-3, m=24)
    b = np.random.default_rng(1234).standard_normal(A.shape[0])
    first = solvers.cg(A, b, rtol=1e-8, M=("ssor", omega))
    again = solvers.cg(A, b, rtol=1e-8, M=("ssor", omega))
    assert first.converged
    assert first.iterations == again.iterations  # reproducible, bit for bit
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.residuals, again.residuals)
    _, info, its = scipy_cg(A, b, M=solvers.ssor_preconditioner(A, omega), rtol=1e-8)
    assert info == 0
    assert abs(first.iterations - its) <= 1, (first.iterations, its)
    assert rel_err(first.x, direct(A, b)) <= 1e-6


@pytest.mark.parametrize("M", [*PRECONDITIONERS, "amg"], ids=[*M_IDS, "amg"])
@pytest.mark.parametrize("case", CG_CASES, ids=str)
def test_residual_history(case, M, rng):
    A = case.build()
    b, x0 = rng.standard_normal((2, A.shape[0]))
    res = solvers.cg(A, b, x0, rtol=RTOL, M=M)
    assert res.converged
    h = res.residuals
    assert h.shape == (res.iterations + 1,)
    assert np.all(np.isfinite(h)) and np.all(h >= 0)
    assert h[-1] < h[0]
    assert h[-1] <= RTOL * np.linalg.norm(b)
    assert_residual_is_true(A, b, x0, h[0])
    assert_residual_is_true(A, b, res.x, h[-1])
    assert h[-1] == res.residual_norm


def test_default_maxiter_is_ten_n(rng):
    A = poisson((4, 4))
    b = rng.standard_normal(16)
    # A tolerance below rounding: CG cannot meet it, so it stops at the default 10 n.
    res = solvers.cg(A, b, rtol=1e-30)
    assert res.status == "maxiter" and res.iterations == 160
    assert not res.converged


@pytest.mark.parametrize("callback", [False, True], ids=["compiled", "generic"])
@pytest.mark.parametrize("M", [*PRECONDITIONERS, "amg"], ids=[*M_IDS, "amg"])
def test_rtol_zero_runs_to_maxiter(M, callback, rng):
    """``rtol = atol = 0`` asks for exactly ``maxiter`` iterations on an SPD matrix.

    Once CG has converged to rounding, its recursive residual keeps shrinking until the inner
    products underflow; that must not be reported as A (or M) not being SPD.
    """
    A = poisson((10,))
    b = rng.standard_normal(10)
    res = solvers.cg(A, b, rtol=0.0, maxiter=2000, M=M,
                     callback=(lambda xk: None) if callback else None)
    assert res.status == "maxiter"
    assert res.iterations == 2000
    assert rel_err(res.x, np.linalg.solve(A.toarray(), b)) <= 1e-12
