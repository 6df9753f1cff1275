"""The Result type: status vocabulary, a one-line repr and SciPy's integer ``info``."""

import numpy as np
import pytest
import scipy.sparse.linalg as spla
from solver_cases import SOLVER_IDS, SOLVERS, poisson

import solvers
from solvers import Result
from solvers.result import STATUSES


def _result(status="converged", n=3):
    return Result(x=np.zeros(n), iterations=2, converged=status == "converged",
                  residual_norm=1.5e-9, residuals=np.array([1.0, 0.1, 1.5e-9]), status=status,
                  seconds=0.01)


def test_vocabulary():
    assert set(STATUSES) == {"converged", "maxiter", "diverged", "breakdown"}


@pytest.mark.parametrize("status", ["converged", "maxiter", "diverged", "breakdown"])
def test_known_statuses(status):
    res = _result(status)
    assert res.status == status
    assert res.info == {}
    assert res.cost == res.iterations == 2


@pytest.mark.parametrize("status", ["bogus", "Converged", "", None, 1])
def test_unknown_status_rejected(status):
    with pytest.raises(ValueError):
        _result(status)


def test_repr_is_one_line():
    text = repr(_result("maxiter", n=1000))
    assert "\n" not in text
    assert text.startswith("Result(") and text.endswith(")")
    assert "maxiter" in text and "iterations=2" in text
    assert len(text) < 200  # no array dump


@pytest.mark.parametrize("solver", SOLVERS, ids=SOLVER_IDS)
def test_repr_of_solver_results(solver):
    A = poisson((20, 20))
    res = solver(A, np.ones(400), maxiter=3)
    text = repr(res)
    assert "\n" not in text and len(text) < 200
    assert res.status in STATUSES


# --- SciPy's integer info ------------------------------------------------------------------------


@pytest.mark.parametrize("status, iterations, info", [
    ("converged", 7, 0), ("converged", 0, 0), ("maxiter", 12, 12), ("maxiter", 0, 1),
    ("breakdown", 3, -1), ("diverged", 3, -2)])
def test_scipy_info_codes(status, iterations, info):
    res = _result(status)
    res.iterations = iterations
    assert res.scipy_info == info
    x, code = res.as_scipy()
    assert x is res.x and code == info
    assert isinstance(code, int)
    assert res.info == {}                       # the dict of extras is still there


@pytest.mark.parametrize("maxiter", [None, 1, 5])
@pytest.mark.parametrize("M", [None, "jacobi", ("ssor", 1.5)], ids=["none", "jacobi", "ssor"])
def test_scipy_info_matches_scipy_cg(M, maxiter, rng):
    """The same problem through SciPy's cg: converged -> 0 on both sides, stopped at maxiter
    -> the same positive number."""
    A = poisson((12, 12))
    b = rng.standard_normal(A.shape[0])
    res = solvers.cg(A, b, rtol=1e-8, maxiter=maxiter, M=M)
    d = A.diagonal()
    pre = {None: None,
           "jacobi": spla.LinearOperator(A.shape, matvec=lambda r: np.ravel(r) / d,
                                         dtype=np.float64),
           ("ssor", 1.5): solvers.ssor_preconditioner(A, 1.5)}[M]
    x, info = spla.cg(A, b, rtol=1e-8, atol=0.0, maxiter=maxiter, M=pre)
    assert res.scipy_info == info
    assert (info == 0) == res.converged
    if info == 0:
        assert np.linalg.norm(b - A @ res.x) <= 1e-8 * np.linalg.norm(b)
    else:
        assert info == maxiter == res.iterations


def test_scipy_info_of_the_other_solvers(rng):
    A = poisson((8, 8))
    b = rng.standard_normal(64)
    assert solvers.sor(A, b, omega=1.5).scipy_info == 0
    assert solvers.ssor(A, b, omega=1.5, maxiter=2).scipy_info == 2
