"""Numerical edge cases: extreme scaling and extreme (but valid) parameters.

The contract still holds there: ``converged`` is True only if the true residual meets the rule,
and an SPD system never raises :class:`NotSPDError` (nor a bare Python exception).
"""

import numpy as np
import pytest
import scipy.sparse.linalg as spla
from solver_cases import SOLVER_IDS, SOLVERS, poisson

import solvers


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("scale", [1e-160, 1e155], ids=["tiny-b", "huge-b"])
@pytest.mark.parametrize("solver", SOLVERS, ids=SOLVER_IDS)
def test_badly_scaled_rhs(solver, scale, rng):
    """``A x = s b`` has the solution ``s x``: CG and SOR are scale invariant in exact arithmetic.

    Whatever the status, a solve reported as converged must have met the rule; the check is
    made in units of ``s`` so that it does not itself under- or overflow.
    """
    A = poisson((8, 8))
    b = rng.standard_normal(A.shape[0])
    res = solver(A, scale * b, rtol=1e-8)
    assert res.status in ("converged", "maxiter", "diverged", "breakdown")
    if res.converged:
        assert np.isfinite(res.residual_norm)
        relres = np.linalg.norm(b - A @ (res.x / scale)) / np.linalg.norm(b)
        assert relres <= 1e-8 * (1 + 1e-6), relres


@pytest.mark.parametrize("omega", [1e-10, 1e-20])
def test_ssor_pcg_small_omega_matches_scipy(omega, rng):
    """Every omega in (0, 2) is accepted, so small ones must work too: the compiled
    (Eisenstat) SSOR-PCG must still run PCG with the SSOR preconditioner, as SciPy does."""
    A = poisson((16, 16))
    b = rng.standard_normal(A.shape[0])
    res = solvers.cg(A, b, rtol=1e-8, M=("ssor", omega))
    count = [0]

    def callback(_):
        count[0] += 1

    _, info = spla.cg(A, b, rtol=1e-8, M=solvers.ssor_preconditioner(A, omega),
                      callback=callback)
    assert info == 0
    assert res.converged
    assert abs(res.iterations - count[0]) <= 1, (res.iterations, count[0])
