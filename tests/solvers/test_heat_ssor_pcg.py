"""SSOR-PCG along the heat-equation sequence: reproducible counts that SciPy's cg confirms."""

import numpy as np
import pytest
from scipy.sparse.linalg import cg as scipy_cg

from problems import HeatEquation
from solvers import cg, ssor_preconditioner

OMEGAS = (1.0, 1.3, 1.5, 1.75, 1.95)


def _scipy_iterations(A, b, x0, omega):
    count = [0]

    def tick(_):
        count[0] += 1

    scipy_cg(A, b, x0=x0, rtol=1e-8, M=ssor_preconditioner(A, omega), callback=tick)
    return count[0]


def _counts(sim, steps):
    """Iterations per step and omega, advancing with omega = 1's solution."""
    table = np.zeros((steps, len(OMEGAS)), dtype=int)
    for k, system in zip(range(steps), sim, strict=False):
        results = [cg(system.A, system.b, system.x0, M=("ssor", w)) for w in OMEGAS]
        assert all(r.converged for r in results)
        table[k] = [r.iterations for r in results]
        sim.advance(results[0].x)
    return table


@pytest.mark.parametrize("kappa", [None, lambda t: 10.0], ids=["paper-kappa", "kappa=10"])
def test_counts_are_reproducible_and_match_scipy(kappa):
    steps = 12
    first = _counts(HeatEquation(24, t_end=steps * 1e-3, kappa=kappa), steps)
    again = _counts(HeatEquation(24, t_end=steps * 1e-3, kappa=kappa), steps)
    np.testing.assert_array_equal(first, again)

    sim = HeatEquation(24, t_end=steps * 1e-3, kappa=kappa)
    for k, system in enumerate(sim):
        for j, w in enumerate(OMEGAS):
            assert abs(_scipy_iterations(system.A, system.b, system.x0, w) - first[k, j]) <= 1
        sim.advance(cg(system.A, system.b, system.x0, M=("ssor", 1.0)).x)


def test_overrelaxation_pays_when_diffusion_dominates():
    """With kappa = 10 at nx = 48 an omega in (1, 2) beats symmetric Gauss-Seidel (omega=1)."""
    table = _counts(HeatEquation(48, t_end=5e-3, kappa=lambda t: 10.0), 5)
    means = table.mean(axis=0)
    assert means[1:4].min() < means[0]
