"""CG's edge cases, and SciPy's own case list run through :func:`solvers.cg`.

Zero curvature, ``b = 0``, a nonsymmetric ``A``, divergence, an empty system and single
precision; then the cases of ``IterativeParams`` in SciPy's ``sparse/linalg/_isolve/tests/
test_iterative.py`` (the same matrices, built here): SPD ones converge to the true residual,
the others raise the documented error, and none runs to ``maxiter`` silently. Every
expectation comes from dense NumPy or from SciPy.
"""

import importlib

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from solver_cases import poisson, random_spd, rel_err, true_residual

import solvers
import tuner
from solvers import DTypeError, NotSPDError, ShapeError, Solver, ZeroDiagonalError

cg_kernels = importlib.import_module("solvers.krylov._kernels")


def _count(calls):
    def callback(xk):
        calls.append(1)
    return callback


def jacobi_operator(A):
    d = np.asarray(A.diagonal(), dtype=np.float64)
    n = A.shape[0]
    return spla.LinearOperator((n, n), matvec=lambda r: np.ravel(r) / d, dtype=np.float64)


#: The code paths of CG without a preconditioner (each has its own loop) and with the
#: compiled preconditioners: (id, how to call).
PATHS = {
    "compiled": lambda A, b, **kw: solvers.cg(A, b, **kw),
    "generic": lambda A, b, **kw: solvers.cg(A, b, callback=lambda xk: None, **kw),
    "operator": lambda A, b, **kw: solvers.cg(spla.aslinearoperator(sp.csr_matrix(A)), b,
                                              **kw),
    "jacobi": lambda A, b, **kw: solvers.cg(A, b, M="jacobi", **kw),
    "ssor": lambda A, b, **kw: solvers.cg(A, b, M=("ssor", 1.0), **kw),
    "ssor-generic": lambda A, b, **kw: solvers.cg(A, b, M=("ssor", 1.0),
                                                  callback=lambda xk: None, **kw),
}
UNPRECONDITIONED = ["compiled", "generic", "operator"]


# --- zero curvature ------------------------------------------------------------------------------


@pytest.mark.parametrize("a_scale, b_scale", [(1.0, 1.0), (1e-200, 1.0), (1.0, 1e-140),
                                              (1e150, 1e-150)],
                         ids=["unit", "tiny-A", "tiny-b", "huge-A-tiny-b"])
@pytest.mark.parametrize("path", UNPRECONDITIONED)
def test_zero_curvature_is_not_spd(path, a_scale, b_scale):
    """``A = diag(1, 0)`` and b with a component in its null space: the second direction is
    ``(0, 2)``, on which ``p^T A p`` is exactly 0 while the residual is of the size of b.
    The verdict must not depend on the scale of A or b (the scaled ones stay inside the
    range where the solvers do not rescale b)."""
    A = a_scale * np.diag([1.0, 0.0])
    b = b_scale * np.ones(2)
    assert np.linalg.eigvalsh(A)[0] == 0.0              # singular: not SPD
    with pytest.raises(NotSPDError, match=r"p\^T A p"):
        PATHS[path](A, b)


@pytest.mark.parametrize("path", ["compiled", "generic", "operator", "jacobi"])
def test_singular_direction_at_the_first_step(path):
    """``b`` in the null space of a singular matrix with a positive diagonal: the very first
    curvature is zero (today's rule for a zero right after a restart said "breakdown")."""
    A = np.array([[1.0, 1.0], [1.0, 1.0]])
    b = np.array([1.0, -1.0])
    np.testing.assert_array_equal(A @ b, 0.0)
    with pytest.raises(NotSPDError):
        PATHS[path](A, b)


@pytest.mark.parametrize("path", ["ssor", "ssor-generic"])
def test_singular_direction_under_ssor(path):
    """With SSOR (omega 1) on ``[[1, 1], [1, 1]]``, ``M = [[1, 1], [1, 2]]`` and
    ``M^{-1} (0, 1) = (-1, 1)`` spans the null space: the first curvature is zero."""
    A = np.array([[1.0, 1.0], [1.0, 1.0]])
    b = np.array([0.0, 1.0])
    D, L = np.diag(np.diag(A)), np.tril(A, -1)
    M = (D + L) @ np.linalg.inv(D) @ (D + L).T
    np.testing.assert_allclose(A @ np.linalg.solve(M, b), 0.0, atol=1e-15)
    with pytest.raises(NotSPDError):
        PATHS[path](A, b)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 1.2), "amg"])
@pytest.mark.parametrize("callback", [False, True], ids=["compiled", "generic"])
def test_underflow_of_a_tiny_residual_is_not_taken_for_singularity(M, callback, seed):
    """``rtol = 0`` on an SPD matrix with a tiny b (1e-140, not rescaled): CG runs until its
    inner products underflow. That is no evidence against A: no error, and ``x`` is the
    solution to rounding ("breakdown" once even the true residual's products underflow).
    Subnormal inner products count as underflow: divided by, they made SSOR-PCG divide by
    zero (seeds 1, 2) or return an ``x`` off by 1e60 (seeds 1, 3)."""
    A = poisson((12,))
    b = 1e-140 * np.random.default_rng(seed).standard_normal(12)
    res = solvers.cg(A, b, rtol=0.0, maxiter=600, M=M,
                     callback=(lambda xk: None) if callback else None)
    assert res.status in ("maxiter", "breakdown")
    assert rel_err(res.x, np.linalg.solve(A.toarray(), b)) <= 1e-12


# --- b = 0 ---------------------------------------------------------------------------------------

ZERO_RHS_M = {
    "none": None, "jacobi": "jacobi", "ssor": ("ssor", 1.3),
    "ssor-multicolor": ("ssor", 1.3, "multicolor"), "amg": "amg",
    "operator": "operator",
}


@pytest.mark.parametrize("callback", [False, True], ids=["compiled", "generic"])
@pytest.mark.parametrize("x0", ["none", "ones"])
@pytest.mark.parametrize("M", list(ZERO_RHS_M))
def test_zero_rhs_returns_zero_at_once(M, x0, callback):
    A = poisson((6, 6))
    n = A.shape[0]
    b = np.zeros(n)
    start = None if x0 == "none" else np.ones(n)
    pre = jacobi_operator(A) if M == "operator" else ZERO_RHS_M[M]
    calls = []
    solver = Solver(A)
    res = solver.cg(b, start, M=pre, callback=_count(calls) if callback else None)
    x_scipy, info = spla.cg(A, b, x0=start, M=jacobi_operator(A) if M != "none" else None)
    assert info == 0
    np.testing.assert_array_equal(x_scipy, 0.0)
    assert res.converged and res.status == "converged" and res.iterations == 0
    assert res.x.dtype == np.float64
    np.testing.assert_array_equal(res.x, x_scipy)
    assert res.residual_norm == 0.0 == true_residual(A, b, res.x)
    np.testing.assert_array_equal(res.residuals, [0.0])
    assert res.scipy_info == info
    assert calls == []
    assert solver.amg_builds == 0                   # nothing was built for nothing to solve
    if start is not None:
        np.testing.assert_array_equal(start, 1.0)    # the caller's x0 is untouched


def test_zero_rhs_with_a_linear_operator_and_tolerances():
    A = poisson((5, 5))
    for kw in ({}, {"atol": 1e-3}, {"rtol": 0.0}, {"maxiter": 0}):
        res = solvers.cg(spla.aslinearoperator(A), np.zeros(25), np.ones(25), **kw)
        assert res.converged and res.iterations == 0
        np.testing.assert_array_equal(res.x, np.zeros(25))


# --- a nonsymmetric A ----------------------------------------------------------------------------


def _nonsymmetric(shape=(8, 8), delta=0.5):
    A = poisson(shape).tolil()
    A[0, 1] += delta
    return A.tocsr()


@pytest.mark.parametrize("path", list(PATHS))
def test_nonsymmetric_A_is_refused_before_iterating(path, rng):
    A = _nonsymmetric()
    assert abs(A - A.T).max() == 0.5
    calls = []
    b = rng.standard_normal(A.shape[0])
    with pytest.raises(NotSPDError, match="not symmetric.*solvers.sor"):
        PATHS[path](A, b, maxiter=10_000)
    with pytest.raises(NotSPDError, match="not symmetric"):
        solvers.cg(A, b, callback=_count(calls))
    assert calls == []                               # refused up front


@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 1.5), "amg"])
def test_nonsymmetric_A_is_refused_with_every_preconditioner(M, rng):
    A = _nonsymmetric((10, 10), delta=1e-2)
    with pytest.raises(NotSPDError, match="solvers.sor"):
        solvers.cg(A, rng.standard_normal(100), M=M)


def test_asymmetry_at_rounding_level_is_accepted(rng):
    """Entries that differ from their transpose by a few ulps (assembly in another order)
    are symmetric for CG, which converges (checked against a dense solve)."""
    A = random_spd(80, density=0.1, seed=3).tocsr()
    A.data *= 1.0 + 4 * np.finfo(float).eps * rng.uniform(-1, 1, A.data.size)
    assert abs(A - A.T).max() > 0.0
    b = rng.standard_normal(80)
    res = solvers.cg(A, b, rtol=1e-10)
    assert res.converged
    assert true_residual(A, b, res.x) <= 1e-10 * np.linalg.norm(b)


def test_the_verdict_is_kept_while_the_values_last(monkeypatch, rng):
    """One probe per matrix values: repeated solves reuse it, an update probes again."""
    probes = []
    kernel = cg_kernels.symmetry_probe

    def spy(*args):
        probes.append(1)
        return kernel(*args)

    monkeypatch.setattr(cg_kernels, "symmetry_probe", spy)
    bad = _nonsymmetric((6, 6))
    good = poisson((6, 6))                            # the same pattern, symmetric values
    b = rng.standard_normal(36)
    solver = Solver(bad)
    for _ in range(3):
        with pytest.raises(NotSPDError):
            solver.cg(b)
    assert len(probes) == 1
    assert solver.update(good)                        # same pattern: values refreshed
    for _ in range(3):
        res = solver.cg(b, rtol=1e-10)
        assert res.converged
    assert len(probes) == 2
    assert rel_err(res.x, np.linalg.solve(good.toarray(), b)) <= 1e-8


def test_nonsymmetric_operator_under_a_tuner_excludes_cg(rng):
    """``Solver.solve`` catches the error to leave the CG families out; with nothing else in
    the space it says so."""
    op = spla.aslinearoperator(_nonsymmetric((5, 5)))
    t = tuner.Tuner(tuner.default_policy({"cg": {}}, seed=0))
    with pytest.raises(NotSPDError, match="no method of the tuner's space applies"):
        Solver(op).solve(rng.standard_normal(25), tuner=t)
    assert t.policy.excluded == ("cg",)


def test_auto_on_a_nonsymmetric_matrix_still_solves_it(rng):
    A = _nonsymmetric((8, 8))
    b = rng.standard_normal(64)
    solver = Solver(A)
    t = tuner.Tuner(tuner.default_policy(solvers.auto_space(solver), seed=0))
    for _ in range(4):
        res = solver.solve(b, tuner=t)
        assert res.converged
        assert true_residual(A, b, res.x) <= 1e-8 * np.linalg.norm(b)
    solver.settle()


# --- divergence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", UNPRECONDITIONED)
def test_growing_residual_is_diverged(path):
    """On ``diag(1, -1)`` with b nearly isotropic, the first curvature is tiny but positive
    and the first step multiplies the residual by about 1e10: past 1e8, "diverged" (for SPD
    A the residual can grow by ``sqrt(cond(A))`` at most)."""
    A = np.diag([1.0, -1.0])
    b = np.array([1.0, 1.0 - 1e-10])
    assert b @ A @ b > 0.0
    res = PATHS[path](A, b)
    assert res.status == "diverged" and not res.converged
    assert res.scipy_info < 0
    exact = true_residual(A, b, res.x)
    assert res.residual_norm == pytest.approx(exact, rel=1e-6)
    assert exact > 1e8 * np.linalg.norm(b)


@pytest.mark.parametrize("path", ["ssor", "ssor-generic"])
def test_growing_residual_is_diverged_under_ssor(path):
    """``[[1, 2], [2, 1]]`` is indefinite with a positive diagonal; b is chosen so that the
    SSOR-preconditioned direction ``M^{-1} b`` is nearly isotropic for A."""
    A = np.array([[1.0, 2.0], [2.0, 1.0]])
    D, L = np.diag(np.diag(A)), np.tril(A, -1)
    M = (D + L) @ np.linalg.inv(D) @ (D + L).T
    z = np.array([1.0, -2.0 + np.sqrt(3.0) + 1e-10])    # z^T A z = 0 at -2 + sqrt(3)
    b = M @ z
    assert 0.0 < z @ A @ z < 1e-8
    res = PATHS[path](A, b)
    assert res.status == "diverged" and not res.converged
    exact = true_residual(A, b, res.x)
    assert res.residual_norm == pytest.approx(exact, rel=1e-6)
    assert exact > 1e8 * np.linalg.norm(b)


@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 1.5)])
def test_ill_conditioned_spd_does_not_diverge(M, rng):
    """cond(A) = 1e12: the residual may grow (by up to 1e6) but never past the factor."""
    n = 60
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * np.logspace(0, 12, n)) @ Q.T
    A = (A + A.T) / 2
    b = rng.standard_normal(n)
    res = solvers.cg(A, b, rtol=1e-6, M=M)
    assert res.status in ("converged", "maxiter")
    assert np.max(res.residuals) <= 1e8 * np.linalg.norm(b)


# --- an empty system -----------------------------------------------------------------------------


@pytest.mark.parametrize("A", [np.zeros((0, 0)), sp.csr_matrix((0, 0)),
                               spla.aslinearoperator(sp.csr_matrix((0, 0)))],
                         ids=["dense", "sparse", "operator"])
@pytest.mark.parametrize("solve", [solvers.cg, solvers.sor, solvers.ssor],
                         ids=["cg", "sor", "ssor"])
def test_empty_system_is_a_shape_error(solve, A):
    with pytest.raises(ShapeError, match="empty"):
        solve(A, np.zeros(0))
    with pytest.raises(ShapeError, match="empty"):
        Solver(A)


# --- single precision ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["sparse", "dense", "operator"])
@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 1.4), "amg"])
def test_float32_inputs_are_promoted(M, form, rng):
    A32 = poisson((10, 10)).astype(np.float32)
    if form == "operator" and M is not None:
        pytest.skip("named preconditioners need the matrix")
    A = {"sparse": A32, "dense": A32.toarray(),
         "operator": spla.aslinearoperator(A32)}[form]
    b32 = rng.standard_normal(100).astype(np.float32)
    x0 = np.zeros(100, dtype=np.float32)
    res = solvers.cg(A, b32, x0, rtol=1e-10, M=M)
    assert res.x.dtype == np.float64
    assert res.residuals.dtype == np.float64
    assert res.converged
    A64, b64 = A32.astype(np.float64), b32.astype(np.float64)   # exactly the same values
    assert true_residual(A64, b64, res.x) <= 1e-10 * np.linalg.norm(b64)
    assert rel_err(res.x, np.linalg.solve(A64.toarray(), b64)) <= 1e-7


# --- SciPy's IterativeParams cases ---------------------------------------------------------------


def _poisson1d(n=40):
    return sp.diags([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], [-1, 0, 1],
                    format="csr")


def _saddle():
    """SciPy's "sym-nonpd" case: ``[[0, c, -I], [c^T, 0, 0], [-I, 0, -I]]`` with
    ``c = (1, 2, 2, 2, 1)``, symmetric and indefinite, with b the unit vector of the middle
    row (its diagonal entry is zero)."""
    c = np.array([[1.0, 2.0, 2.0, 2.0, 1.0]]).T
    I5, Z = np.eye(5), np.zeros
    return np.block([[Z((5, 5)), c, -I5], [c.T, Z((1, 1)), Z((1, 5))],
                     [-I5, Z((5, 1)), -I5]])


def _scipy_cases():
    """(name, A, b) for every case of SciPy's ``IterativeParams``, its single-precision
    twins ("-F") included. SciPy draws its random matrices from the legacy generator with
    seed 1234; so does this list, to have the same ones."""
    P1 = _poisson1d()
    rand4 = np.random.RandomState(1234).rand(4, 4)             # noqa: NPY002
    rand9 = np.random.RandomState(1234).rand(9, 9)             # noqa: NPY002
    legacy = np.random.RandomState(1234)                       # noqa: NPY002
    cmplx = legacy.rand(4, 4) + 1j * legacy.rand(4, 4)
    legacy = np.random.RandomState(1234)                       # noqa: NPY002
    cmplx9 = legacy.rand(9, 9) + 1j * legacy.rand(9, 9)
    real = {
        "poisson1d": P1,
        "neg-poisson1d": -P1,
        "poisson2d": sp.kronsum(P1, P1, format="csr"),
        "rand-diag": sp.diags([6.0, -5, 2, 7, -1, 10, 4, -3, -8, 9], format="csr"),
        "rand": rand4,
        "rand-sym": rand4 + rand4.T,
        "rand-sym-pd": rand9 @ rand9.T,
        "nonsymposdef": sp.diags([2 * np.ones(10), -np.ones(9)], [0, -1], format="csr"),
    }
    complex_ = {
        "rand-cmplx": cmplx,
        "rand-cmplx-herm": cmplx + cmplx.conj().T,
        "rand-cmplx-sym-pd": cmplx9 @ cmplx9.conj().T,
    }
    cases = []
    for name, A in {**real, **complex_}.items():
        low = np.complex64 if name in complex_ else np.float32
        for suffix, M in (("", A), ("-F", A.astype(low))):
            cases.append((name + suffix, M, np.arange(A.shape[0], dtype=np.float64)))
    saddle = _saddle()
    e5 = np.zeros(11)
    e5[5] = 1.0
    cases.append(("sym-nonpd", saddle, e5))
    return cases


SCIPY_CASES = _scipy_cases()
SCIPY_PATHS = ["compiled", "generic", "operator", "jacobi", "ssor"]
RTOL = 1e-8


def _expected(A, path):
    """What CG must do on ``A``, from dense NumPy: "converge", or the error type."""
    Ad = A.toarray() if sp.issparse(A) else np.asarray(A)
    if np.iscomplexobj(Ad):
        return DTypeError
    Ad = Ad.astype(np.float64)
    if np.abs(Ad - Ad.T).max() > 0.0:
        return NotSPDError
    if path in ("jacobi", "ssor") and (np.diag(Ad) == 0).any():
        return ZeroDiagonalError
    return "converge" if np.linalg.eigvalsh(Ad)[0] > 0.0 else NotSPDError


def test_scipy_case_list_is_complete():
    names = [c[0] for c in SCIPY_CASES]
    assert len(names) == len(set(names)) == 23
    kinds = {name: _expected(A, "compiled") for name, A, _ in SCIPY_CASES}
    assert sorted(n for n, k in kinds.items() if k == "converge") == [
        "poisson1d", "poisson1d-F", "poisson2d", "poisson2d-F", "rand-sym-pd",
        "rand-sym-pd-F"]
    assert kinds["sym-nonpd"] is NotSPDError and kinds["rand"] is NotSPDError


@pytest.mark.parametrize("path", SCIPY_PATHS)
@pytest.mark.parametrize("name, A, b", SCIPY_CASES, ids=[c[0] for c in SCIPY_CASES])
def test_scipy_iterative_cases(name, A, b, path):
    expected = _expected(A, path)
    if expected != "converge":
        with pytest.raises(expected):
            PATHS[path](A, b, rtol=RTOL)
        return
    res = PATHS[path](A, b, rtol=RTOL)
    A64 = A.astype(np.float64)
    assert res.x.dtype == np.float64
    assert res.status == "converged" and res.converged
    assert res.iterations < 10 * A.shape[0]                     # not at the default maxiter
    assert true_residual(A64, b, res.x) <= RTOL * np.linalg.norm(b)
    if A.dtype == np.float64:
        # SciPy's cg agrees on the outcome, in its own integer code too.
        x_scipy, info = spla.cg(A64, b, rtol=RTOL, atol=0.0)
        assert info == 0 == res.scipy_info
        assert true_residual(A64, b, x_scipy) <= RTOL * np.linalg.norm(b)
        _, info1 = spla.cg(A64, b, rtol=RTOL, atol=0.0, maxiter=1)
        one = PATHS[path](A, b, rtol=RTOL, maxiter=1)
        assert one.status == "maxiter" and one.scipy_info == info1 == 1
