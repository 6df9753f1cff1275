"""The Result type: status vocabulary and a one-line repr."""

import numpy as np
import pytest
from solver_cases import SOLVER_IDS, SOLVERS, poisson

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
