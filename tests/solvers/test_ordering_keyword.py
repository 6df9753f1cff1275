"""Multicolour ordering is one keyword, ``ordering``, in sor, ssor, ssor_preconditioner and cg
(and Solver.cg); the former cg spelling, a third entry of M, works and warns."""

import numpy as np
import pytest
import scipy.sparse.linalg as sla

from problems import poisson
from solvers import ParameterError, Solver, cg, sor, ssor, ssor_preconditioner

A = poisson((20, 20))
B = np.random.default_rng(0).standard_normal(A.shape[0])


@pytest.mark.parametrize("run", [
    lambda ordering: sor(A, B, omega=1.5, ordering=ordering),
    lambda ordering: ssor(A, B, omega=1.5, ordering=ordering),
    lambda ordering: cg(A, B, M=("ssor", 1.5), ordering=ordering),
    lambda ordering: Solver(A).cg(B, M=("ssor", 1.5), ordering=ordering),
])
@pytest.mark.parametrize("ordering", ["lexicographic", "multicolor"])
def test_every_solver_takes_the_same_ordering_keyword(run, ordering):
    res = run(ordering)
    assert res.converged
    assert np.linalg.norm(B - A @ res.x) <= 1e-8 * np.linalg.norm(B)   # independent check


def test_cg_with_multicolor_ordering_is_multicolour_ssor_pcg():
    new = cg(A, B, M=("ssor", 1.5), ordering="multicolor")
    lexicographic = cg(A, B, M=("ssor", 1.5))
    assert new.info["preconditioner"] == ("ssor", 1.5, "multicolor")
    assert new.iterations != lexicographic.iterations      # another preconditioner
    # the same preconditioner as SciPy's cg with ssor_preconditioner(ordering="multicolor")
    x, info = sla.cg(A, B, rtol=1e-8, M=ssor_preconditioner(A, 1.5, ordering="multicolor"))
    assert info == 0
    np.testing.assert_allclose(new.x, x, rtol=0, atol=1e-6 * np.abs(x).max())


def test_the_former_spelling_warns_and_gives_the_same_solve():
    with pytest.warns(DeprecationWarning, match="ordering='multicolor'"):
        old = cg(A, B, M=("ssor", 1.5, "multicolor"))
    new = cg(A, B, M=("ssor", 1.5), ordering="multicolor")
    assert old.iterations == new.iterations
    np.testing.assert_array_equal(old.x, new.x)


@pytest.mark.parametrize("M, ordering", [(None, "multicolor"), ("jacobi", "multicolor"),
                                         (("ssor", 1.5), "red-black")])
def test_a_bad_ordering_is_refused(M, ordering):
    with pytest.raises(ParameterError, match="ordering"):
        cg(A, B, M=M, ordering=ordering)
