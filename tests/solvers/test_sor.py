"""SOR and SSOR against independent references: PyAMG's sweeps and dense NumPy/SciPy algebra."""

import numpy as np
import pytest
import scipy.sparse as sp
from pyamg.relaxation.relaxation import sor as pyamg_sor
from solver_cases import (
    PYAMG_SPD_EXAMPLES,
    Case,
    assert_residual_is_true,
    dense,
    dense_sor,
    example,
    poisson,
    rel_maxabs,
    sor_iteration_matrix,
    spectral_radius,
    true_residual,
)

import solvers

#: Cases of the sweep-by-sweep comparisons: Poisson grids and PyAMG's SPD examples.
SWEEP_CASES = [
    Case("poisson2d", lambda: poisson((12, 12))),
    Case("poisson3d", lambda: poisson((5, 5, 5))),
    *[Case(name, lambda name=name: example(name)) for name in PYAMG_SPD_EXAMPLES],
]
OMEGAS = [0.5, 1.0, 1.3, 1.9]
SWEEP_COUNTS = [1, 3, 10]


def _system(A, rng):
    n = A.shape[0]
    return rng.standard_normal(n), rng.standard_normal(n)


@pytest.mark.parametrize("name", PYAMG_SPD_EXAMPLES)
def test_pyamg_examples_are_spd(name):
    """The examples used as SPD cases are exactly symmetric, positive-diagonal and definite."""
    A = example(name)
    assert (A != A.T).nnz == 0
    assert np.all(A.diagonal() > 0)
    assert np.linalg.eigvalsh(A.toarray())[0] > 0


@pytest.mark.parametrize("k", SWEEP_COUNTS)
@pytest.mark.parametrize("omega", OMEGAS)
@pytest.mark.parametrize("sweep", ["forward", "backward"])
@pytest.mark.parametrize("case", SWEEP_CASES, ids=str)
def test_sweeps_match_pyamg(case, sweep, omega, k, rng):
    A = case.build()
    b, x0 = _system(A, rng)
    res = solvers.sor(A, b, x0, omega=omega, sweep=sweep, rtol=0, maxiter=k)

    ref = x0.copy()
    pyamg_sor(A, ref, b, omega, iterations=k, sweep=sweep)

    assert res.iterations == k
    assert res.status == "maxiter" and not res.converged
    assert rel_maxabs(res.x, ref) <= 1e-12
    # The residual reported is that of the returned x, and the history starts at x0.
    assert_residual_is_true(A, b, res.x, res.residual_norm)
    assert res.residuals.shape == (k + 1,)
    assert_residual_is_true(A, b, x0, res.residuals[0])
    assert res.residuals[-1] == res.residual_norm


@pytest.mark.parametrize("sweep", ["forward", "backward"])
@pytest.mark.parametrize("omega", [0.7, 1.6])
def test_dense_reference_agrees_with_pyamg(sweep, omega, rng):
    """The dense reference used for SSOR below reproduces PyAMG's one-directional sweeps."""
    A = poisson((6, 7))
    b, x0 = _system(A, rng)
    ref = x0.copy()
    pyamg_sor(A, ref, b, omega, iterations=4, sweep=sweep)
    assert rel_maxabs(dense_sor(A, b, x0, omega, 4, sweep), ref) <= 1e-12


SSOR_CASES = [
    Case("poisson2d", lambda: poisson((8, 8))),
    Case("poisson3d", lambda: poisson((4, 4, 4))),
    Case("knot", lambda: example("knot")),
    Case("unit_cube", lambda: example("unit_cube")),
]


@pytest.mark.parametrize("entry", ["ssor", "sor-symmetric"])
@pytest.mark.parametrize("k", SWEEP_COUNTS)
@pytest.mark.parametrize("omega", [0.6, 1.0, 1.4, 1.85])
@pytest.mark.parametrize("case", SSOR_CASES, ids=str)
def test_ssor_matches_dense_reference(case, omega, k, entry, rng):
    """One SSOR iteration is a forward then a backward sweep with the same omega."""
    A = case.build()
    b, x0 = _system(A, rng)
    if entry == "ssor":
        res = solvers.ssor(A, b, x0, omega=omega, rtol=0, maxiter=k)
    else:
        res = solvers.sor(A, b, x0, omega=omega, sweep="symmetric", rtol=0, maxiter=k)
    assert res.iterations == k
    assert res.status == "maxiter"
    assert rel_maxabs(res.x, dense_sor(A, b, x0, omega, k, "symmetric")) <= 1e-12
    assert_residual_is_true(A, b, res.x, res.residual_norm)
    if omega == 1.0:  # PyAMG's symmetric sweep is Gauss-Seidel only (it ignores omega)
        ref = x0.copy()
        pyamg_sor(A, ref, b, 1.0, iterations=k, sweep="symmetric")
        assert rel_maxabs(res.x, ref) <= 1e-12


def test_default_x0_is_zero(rng):
    A = poisson((7, 7))
    b = rng.standard_normal(A.shape[0])
    res = solvers.sor(A, b, omega=1.2, rtol=0, maxiter=3)
    ref = np.zeros_like(b)
    pyamg_sor(A, ref, b, 1.2, iterations=3)
    assert rel_maxabs(res.x, ref) <= 1e-12
    assert res.residuals[0] == pytest.approx(np.linalg.norm(b), rel=1e-12)


@pytest.mark.parametrize("sweep", ["forward", "backward", "symmetric"])
@pytest.mark.parametrize("case", SSOR_CASES[:3], ids=str)
def test_callback_sees_every_iterate_and_history_is_true(case, sweep, rng):
    """The callback runs once per iteration with iterate k; ``residuals[k] = ||b - A x_k||``."""
    A = case.build()
    b, x0 = _system(A, rng)
    seen = []
    res = solvers.sor(A, b, x0, omega=1.25, sweep=sweep, rtol=1e-6, maxiter=5000,
                      callback=lambda xk: seen.append(np.array(xk, copy=True)))
    assert res.converged
    assert len(seen) == res.iterations > 0
    np.testing.assert_array_equal(seen[-1], res.x)
    assert_residual_is_true(A, b, x0, res.residuals[0])
    for k, xk in enumerate(seen, start=1):
        assert_residual_is_true(A, b, xk, res.residuals[k])
    # The callback path runs the same iteration as the callback-free one.
    plain = solvers.sor(A, b, x0, omega=1.25, sweep=sweep, rtol=1e-6, maxiter=5000)
    assert plain.iterations == res.iterations
    assert rel_maxabs(plain.x, res.x) <= 1e-12


def test_sor_converges_to_direct_solution(rng):
    A = poisson((9, 11))
    b = rng.standard_normal(A.shape[0])
    res = solvers.sor(A, b, omega=1.6, rtol=1e-11)
    x_ref = np.linalg.solve(dense(A), b)
    assert res.converged
    assert np.linalg.norm(res.x - x_ref) <= 1e-8 * np.linalg.norm(x_ref)


# --- optimal relaxation parameter --------------------------------------------------------------


@pytest.mark.parametrize("c", [0.0, 0.5, 2.0])
def test_fewest_iterations_near_young_optimal_omega(c, rng):
    """For the 5-point Laplacian (consistently ordered) shifted by ``c I``, Young's theory
    gives ``omega* = 1 + (beta / (1 + sqrt(1 - beta^2)))^2`` with ``beta`` the Jacobi spectral
    radius ``4 cos(pi/11) / (4 + c)`` on a 10 x 10 grid."""
    m = 10
    A = (poisson((m, m)) + c * sp.identity(m * m)).tocsr()
    b = rng.standard_normal(m * m)
    beta = 4 * np.cos(np.pi / (m + 1)) / (4 + c)
    # The Jacobi spectral radius really is beta (checked densely).
    D = np.diag(dense(A))
    assert spectral_radius(np.eye(m * m) - dense(A) / D[:, None]) == pytest.approx(beta, 1e-10)
    omega_star = 1 + (beta / (1 + np.sqrt(1 - beta**2))) ** 2

    omegas = np.round(np.arange(0.80, 1.96, 0.01), 2)
    iterations = np.array([solvers.sor(A, b, omega=w, rtol=1e-10).iterations for w in omegas])
    best = omegas[iterations == iterations.min()]
    assert np.all(np.abs(best - omega_star) <= 0.1), (omega_star, best)
    # ... and it is a real minimum: Gauss-Seidel and omega = 1.95 are clearly slower.
    assert iterations.min() < iterations[omegas == 1.0][0]
    assert iterations.min() < iterations[-1]


# --- divergence --------------------------------------------------------------------------------

_INDEFINITE = np.array([[1.0, 3.0], [3.0, 1.0]])
_HUGE_OFFDIAG = np.array([[4.0, -1.0, 0.0, 0.0],
                          [-1.0, 4.0, -1.0, 0.0],
                          [0.0, 50.0, 4.0, -1.0],
                          [0.0, 0.0, -1.0, 4.0]])
DIVERGENT = [
    # Symmetric indefinite: Gauss-Seidel's iteration matrix has spectral radius 9.
    ("indefinite-2x2", _INDEFINITE, 1.0, "forward"),
    ("indefinite-2x2", _INDEFINITE, 1.0, "backward"),
    ("indefinite-2x2", _INDEFINITE, 1.0, "symmetric"),
    ("indefinite-2x2", _INDEFINITE, 1.6, "symmetric"),
    # Nonsymmetric with a huge off-diagonal entry, omega close to 2 (spectral radius 13).
    ("nonsymmetric-huge-offdiag", _HUGE_OFFDIAG, 1.95, "forward"),
    ("nonsymmetric-huge-offdiag", _HUGE_OFFDIAG, 1.95, "backward"),
    ("nonsymmetric-huge-offdiag", _HUGE_OFFDIAG, 1.0, "symmetric"),
]


@pytest.mark.parametrize(("name", "A", "omega", "sweep"), DIVERGENT,
                         ids=[f"{d[0]}-{d[3]}-{d[2]}" for d in DIVERGENT])
def test_divergence_stops_early(name, A, omega, sweep, rng):
    rho = spectral_radius(sor_iteration_matrix(A, omega, sweep))
    assert rho > 1.5, rho  # the iteration really diverges
    b = rng.standard_normal(A.shape[0])
    maxiter = 10_000
    res = solvers.sor(sp.csr_matrix(A), b, omega=omega, sweep=sweep, maxiter=maxiter)
    assert res.status == "diverged"
    assert not res.converged
    assert 0 < res.iterations < 200  # far below maxiter
    assert np.all(np.isfinite(res.x))
    assert res.residual_norm > res.residuals[0]
    assert res.residual_norm == pytest.approx(true_residual(A, b, res.x), rel=1e-10)
