"""``solvers.Solver``: a prepared system gives the module functions' results bit for bit, takes
the next matrix of a sequence by ``update``, owns what it keeps, and reuses an AMG hierarchy
by a rule it follows exactly."""

import numpy as np
import pytest
import scipy.sparse as sp
from solver_cases import (
    SOLVER_IDS,
    SOLVERS,
    SPD_CASES,
    SPD_IDS,
    assert_residual_is_true,
    heat_matrix,
    poisson,
)

import solvers
from solvers import (
    NonFiniteError,
    NotSPDError,
    ParameterError,
    ShapeError,
    Solver,
    ZeroDiagonalError,
)
from solvers.solver import AMGReuse, ResidualHistory

MULTICOLOR = [
    ("sor", {"omega": 1.6, "ordering": "multicolor"}),
    ("ssor", {"omega": 1.2, "ordering": "multicolor"}),
    ("cg", {"M": ("ssor", 1.3, "multicolor")}),
]


def _same(a, b):
    """Two results equal bit for bit (not the time)."""
    assert np.array_equal(a.x, b.x)
    assert a.iterations == b.iterations and a.status == b.status
    assert np.array_equal(a.residuals, b.residuals) and a.residual_norm == b.residual_norm
    assert a.info == b.info


def _method(solver):
    return solver.func.__name__


@pytest.mark.parametrize("case", SPD_CASES, ids=SPD_IDS)
@pytest.mark.parametrize("config", SOLVERS, ids=SOLVER_IDS)
def test_prepared_solves_equal_the_functions_bit_for_bit(config, case, rng):
    A = case.build()
    b, x0 = rng.standard_normal(A.shape[0]), rng.standard_normal(A.shape[0])
    prepared = Solver(A)
    solve = getattr(prepared, _method(config))
    for _ in range(2):                                     # the second reuses everything
        _same(solve(b, x0, maxiter=3000, **config.kwargs),
              config(A, b, x0, maxiter=3000))


@pytest.mark.parametrize("method, kwargs", MULTICOLOR)
def test_multicolor_prepared_solves_equal_the_functions(method, kwargs, rng):
    A = poisson((12, 12))
    b = rng.standard_normal(A.shape[0])
    prepared = Solver(A)
    for _ in range(2):
        _same(getattr(prepared, method)(b, **kwargs), getattr(solvers, method)(A, b, **kwargs))


@pytest.mark.parametrize("config", SOLVERS, ids=SOLVER_IDS)
def test_after_an_update_the_solves_are_those_of_the_new_matrix(config, rng):
    first, second = heat_matrix(1.0), heat_matrix(7.0)
    b = rng.standard_normal(first.shape[0])
    prepared = Solver(first)
    getattr(prepared, _method(config))(b, **config.kwargs)      # caches of the first values
    assert prepared.update(second) is True
    result = getattr(prepared, _method(config))(b, **config.kwargs)
    _same(result, config(second, b))
    assert_residual_is_true(second, b, result.x, result.residual_norm)


def test_an_update_with_another_pattern_prepares_afresh(rng):
    prepared = Solver(poisson((8, 8)))
    other = poisson((4, 4, 4))                                 # same n, another pattern
    assert prepared.update(other) is False
    b = rng.standard_normal(64)
    _same(prepared.cg(b, M=("ssor", 1.4)), solvers.cg(other, b, M=("ssor", 1.4)))
    with pytest.raises(ShapeError, match="same_pattern=True"):
        prepared.update(poisson((8, 8)), same_pattern=True)
    assert prepared.update(poisson((9, 9))) is False and prepared.shape == (81, 81)
    assert prepared.update(poisson((9, 9)).tocoo()) is True       # any format, same pattern


def _with_value(A, i, j, value):
    A = A.copy()
    A[i, j] = value
    return A


@pytest.mark.parametrize("bad, error, match", [
    (lambda A: _with_value(A, 3, 4, np.nan), NonFiniteError, "NaN or infinite"),
    (lambda A: _with_value(A, 3, 4, np.inf), NonFiniteError, "NaN or infinite"),
])
def test_an_update_with_bad_values_raises_the_functions_error(bad, error, match):
    A = poisson((6, 6))
    prepared = Solver(A)
    with pytest.raises(error, match=match):
        prepared.update(bad(A))
    with pytest.raises(error, match=match):
        solvers.cg(bad(A), np.ones(36))


def test_a_zero_diagonal_after_an_update_is_refused_by_the_solves():
    A = poisson((6, 6))
    zero = A.copy()
    zero.data[zero.indptr[2]:zero.indptr[3]][zero.indices[zero.indptr[2]:zero.indptr[3]] == 2] = 0
    prepared = Solver(A)
    prepared.sor(np.ones(36))
    prepared.update(zero)
    with pytest.raises(ZeroDiagonalError, match=r"A\[2, 2\]"):
        prepared.sor(np.ones(36))
    with pytest.raises(ZeroDiagonalError, match=r"A\[2, 2\]"):
        solvers.sor(zero, np.ones(36))
    negative = -A
    prepared.update(negative)
    with pytest.raises(NotSPDError):
        prepared.cg(np.ones(36), M=("ssor", 1.2))


def test_an_update_of_another_shape_or_kind_is_checked():
    prepared = Solver(poisson((6, 6)))
    with pytest.raises(ShapeError, match="square"):
        prepared.update(sp.random(5, 6, density=0.5, format="csr"))
    with pytest.raises(ShapeError, match="rows but b has"):
        prepared.update(poisson((5, 5))) or prepared.cg(np.ones(36))


def test_mutating_the_callers_matrix_changes_nothing(rng):
    A = poisson((10, 10))
    b = rng.standard_normal(100)
    expected = solvers.cg(A, b, M=("ssor", 1.5))
    prepared = Solver(A)
    A.data *= 3.0                                # in place, after the solver took A
    _same(prepared.cg(b, M=("ssor", 1.5)), expected)
    B = poisson((10, 10))
    prepared.update(B)
    B.data[:] = np.nan
    _same(prepared.cg(b, M=("ssor", 1.5)), expected)


def test_a_long_solve_grows_its_history_and_gives_the_same_iterates(rng):
    A = poisson((20, 20))
    b = rng.standard_normal(400)
    roomy = Solver(A)
    roomy.history = ResidualHistory(100_000)
    for method, kwargs in (("cg", {"M": None}), ("cg", {"M": ("ssor", 1.2)}),
                           ("sor", {"omega": 1.1}), ("cg", {"M": "amg"})):
        tight = Solver(A)
        tight.history = ResidualHistory(2)                  # doubles many times on the way
        long = getattr(tight, method)(b, rtol=1e-13, maxiter=5000, **kwargs)
        _same(long, getattr(roomy, method)(b, rtol=1e-13, maxiter=5000, **kwargs))
        assert long.residuals.size == long.iterations + 1


def test_a_huge_maxiter_allocates_only_what_is_used(rng):
    A = poisson((10, 10))
    prepared = Solver(A)
    for method in ("cg", "sor"):
        result = getattr(prepared, method)(rng.standard_normal(100), maxiter=10**12)
        assert result.converged
    assert prepared.history.array.size <= 2048


def test_amg_rebuild_rules_are_followed():
    b = np.ones(576)
    for rule, expected in (("always", 6), ("never", 1), (2, 3), (3, 2)):
        prepared = Solver(heat_matrix(0.5), amg_rebuild=rule)
        for step in range(6):
            if step:
                prepared.update(heat_matrix(0.5 + step))
            prepared.cg(b, M="amg")
            prepared.cg(b, M="amg")                     # no update: no rebuild
        assert prepared.amg_builds == expected, rule


def test_a_growth_rule_rebuilds_when_the_iterations_grow():
    prepared = Solver(heat_matrix(0.01, m=40), amg_rebuild=("growth", 1.2))
    b = np.ones(1600)
    counts = []
    for kappa in (0.01, 0.02, 30.0, 30.0, 30.0):
        prepared.update(heat_matrix(kappa, m=40))
        counts.append(prepared.cg(b, M="amg").iterations)
    assert prepared.amg_builds == 2, counts
    assert counts[-1] <= counts[2]


@pytest.mark.parametrize("kappas", [(0.01, 50.0), (50.0, 0.01)])
def test_a_stale_hierarchy_still_converges_on_the_true_residual(kappas, rng):
    prepared = Solver(heat_matrix(kappas[0], m=40), amg_rebuild="never")
    b = rng.standard_normal(1600)
    prepared.cg(b, M="amg")
    A = heat_matrix(kappas[1], m=40)
    prepared.update(A)
    result = prepared.cg(b, M="amg", rtol=1e-10)
    assert result.converged and prepared.amg_builds == 1
    assert np.linalg.norm(b - A @ result.x) <= 1e-10 * np.linalg.norm(b) * (1 + 1e-8)
    assert_residual_is_true(A, b, result.x, result.residual_norm)


@pytest.mark.parametrize("rule", ["sometimes", 0, -2, 1.5, True, ("growth", 1.0),
                                  ("growth", np.nan), ("every", 2)])
def test_bad_amg_rules_are_refused(rule):
    with pytest.raises(ParameterError, match="amg_rebuild"):
        Solver(poisson((4, 4)), amg_rebuild=rule)


def test_a_linear_operator_is_prepared_for_cg_only(rng):
    from scipy.sparse.linalg import aslinearoperator

    A = poisson((8, 8))
    prepared = Solver(aslinearoperator(A))
    b = rng.standard_normal(64)
    _same(prepared.cg(b), solvers.cg(aslinearoperator(A), b))
    with pytest.raises(ParameterError, match="LinearOperator"):
        prepared.sor(b)


@pytest.mark.parametrize("reference, later, due", [
    (1, 2, False),              # twice the iterations, but only one more: noise
    (1, 3, True),
    (2, 3, False),              # 1.5x exactly is not more than 1.5x
    (2, 4, True),
    (10, 15, False),
    (10, 16, True),
])
def test_the_growth_rule_wants_a_factor_and_two_iterations(reference, later, due):
    reuse = AMGReuse(("growth", 1.5))
    reuse.observe(reference, 1e-3)
    reuse.observe(later, 1e-3)
    assert reuse.due is due


def test_the_auto_rule_rebuilds_only_when_the_lost_time_pays_for_a_build():
    """Same values: no extra iteration, no rebuild. A stale hierarchy far from the matrix:
    the extra iterations soon cost a build, and it is rebuilt (the decisions depend on the
    measured times, so only their direction is asserted)."""
    b = np.ones(1600)
    steady = Solver(heat_matrix(5.0, m=40), amg_rebuild="auto")
    for _ in range(15):
        steady.update(heat_matrix(5.0, m=40))
        assert steady.cg(b, M="amg").converged
    assert steady.amg_builds == 1
    drifting = Solver(heat_matrix(0.001, m=40), amg_rebuild="auto")
    drifting.cg(b, M="amg")
    for _ in range(60):
        drifting.update(heat_matrix(80.0, m=40))
        assert drifting.cg(b, M="amg").converged
    assert 2 <= drifting.amg_builds <= 20


def test_a_failed_update_leaves_the_solver_as_it_was(rng):
    A = poisson((6, 6))
    b = rng.standard_normal(36)
    prepared = Solver(A)
    expected = prepared.cg(b, M=("ssor", 1.2))
    for bad in (sp.random(5, 6, density=0.5, format="csr"), _with_value(A, 1, 1, np.nan),
                _with_value(poisson((7, 7)), 0, 0, np.inf)):
        with pytest.raises((ShapeError, NonFiniteError)):
            prepared.update(bad)
        _same(prepared.cg(b, M=("ssor", 1.2)), expected)
