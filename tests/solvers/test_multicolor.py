"""Multicolour SOR, SSOR and SSOR-PCG against SOR applied in the permuted order."""

import importlib

import numpy as np
import pytest
import scipy.sparse as sp
from pyamg.relaxation.relaxation import sor as pyamg_sor
from scipy.sparse.linalg import LinearOperator
from scipy.sparse.linalg import cg as scipy_cg
from solver_cases import (
    anisotropic,
    assert_residual_is_true,
    dense_sor,
    dense_ssor_preconditioner_inverse,
    heat_matrix,
    poisson,
    random_spd,
    rel_maxabs,
)

import solvers
from solvers import color_rows
from solvers.backend import ArrayModules

cg_module = importlib.import_module("solvers.krylov.cg")
preconditioners_module = importlib.import_module("solvers.krylov.preconditioners")
sor_module = importlib.import_module("solvers.relaxation.sor")

CASES = {
    "poisson2d": (lambda: poisson((11, 12)), "red-black"),
    "poisson3d": (lambda: poisson((5, 6, 4)), "red-black"),
    "anisotropic": (lambda: anisotropic((9, 9)), "greedy"),
    "random_spd": (lambda: random_spd(), "greedy"),
}


@pytest.fixture(params=["serial", "threads", "array-namespace"])
def kernels(request, monkeypatch):
    """Run each test with the serial kernels, with the multithreaded twins, and on the GPU
    path with NumPy standing in for CuPy (the same code, another array module)."""
    if request.param == "threads":
        for module in (sor_module, preconditioners_module):
            monkeypatch.setattr(module, "SWEEP_PARALLEL_MIN_ROWS", 0)
        monkeypatch.setattr(cg_module, "SWEEP_PARALLEL_MIN_ROWS", 0)
    if request.param == "array-namespace":
        for module in (sor_module, cg_module):
            monkeypatch.setattr(module, "select", lambda backend, *arrays: "cupy")
            monkeypatch.setattr(module, "ArrayModules", lambda name: ArrayModules("cpu"))
    return request.param


def _system(case, rng):
    build, method = CASES[case]
    A = build()
    return A, rng.standard_normal(A.shape[0]), rng.standard_normal(A.shape[0]), method


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("sweep", ["forward", "backward", "symmetric"])
@pytest.mark.parametrize("omega", [0.8, 1.0, 1.6])
def test_multicolor_sor_is_sor_in_the_permuted_order(case, sweep, omega, kernels, rng):
    A, b, x0, method = _system(case, rng)
    order = color_rows(A, method).order()
    P = A[order][:, order]
    for sweeps in (1, 4):
        got = solvers.sor(A, b, x0, omega=omega, sweep=sweep, rtol=0.0, maxiter=sweeps,
                          ordering="multicolor", coloring=method)
        expected = np.empty_like(b)
        expected[order] = dense_sor(P, b[order], x0[order], omega, sweeps, sweep)
        assert rel_maxabs(got.x, expected) <= 1e-12
        assert got.info["backend"] == ("cupy" if kernels == "array-namespace" else "cpu")


@pytest.mark.parametrize("case", CASES)
def test_forward_sweeps_match_pyamg_on_the_permuted_matrix(case, kernels, rng):
    A, b, x0, method = _system(case, rng)
    order = color_rows(A, method).order()
    P = A[order][:, order].tocsr()
    x = x0[order].copy()
    pyamg_sor(P, x, b[order], 1.3, iterations=5, sweep="forward")
    got = solvers.sor(A, b, x0, omega=1.3, rtol=0.0, maxiter=5, ordering="multicolor",
                      coloring=method)
    assert rel_maxabs(got.x[order], x) <= 1e-12


def test_any_proper_colouring_can_be_given(kernels, rng):
    A = poisson((8, 8))
    colors = color_rows(A, "greedy").colors.copy()
    colors[colors == 1] = 3                                   # colours 0 and 3, 1-2 empty
    b, x0 = rng.standard_normal(64), rng.standard_normal(64)
    got = solvers.sor(A, b, x0, omega=1.2, rtol=0.0, maxiter=3, ordering="multicolor",
                      coloring=colors)
    order = np.argsort(colors, kind="stable")
    expected = np.empty_like(b)
    expected[order] = dense_sor(A[order][:, order], b[order], x0[order], 1.2, 3)
    assert rel_maxabs(got.x, expected) <= 1e-12


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("sweep", ["forward", "symmetric"])
def test_converged_multicolor_solves_meet_the_true_residual(case, sweep, kernels, rng):
    A, b, _, method = _system(case, rng)
    res = solvers.sor(A, b, omega=1.2, sweep=sweep, rtol=1e-9, maxiter=20_000,
                      ordering="multicolor")
    assert res.converged
    assert_residual_is_true(A, b, res.x, res.residual_norm)
    assert res.residuals[-1] == res.residual_norm <= 1e-9 * np.linalg.norm(b)
    assert np.all(res.residuals[:-1] > 1e-9 * np.linalg.norm(b))   # the first that met it


def test_callbacks_see_the_original_numbering(kernels, rng):
    A = poisson((6, 6))
    b = A @ np.ones(36)
    seen = []
    res = solvers.sor(A, b, omega=1.5, ordering="multicolor",
                      callback=lambda xk: seen.append(xk.copy()))
    assert rel_maxabs(seen[-1], res.x) < 1e-3 and np.allclose(res.x, 1.0, atol=1e-7)


def test_red_black_keeps_the_best_omega_of_lexicographic_sor():
    """Consistently ordered: the same SOR spectrum, so the same iteration count near the
    optimum (Young), while a 9-point stencil's greedy ordering changes it."""
    A = poisson((30, 30))
    b = A @ np.ones(900)
    for omega in (1.5, 1.8, 1.81):
        lex = solvers.sor(A, b, omega=omega).iterations
        red_black = solvers.sor(A, b, omega=omega, ordering="multicolor").iterations
        assert abs(lex - red_black) <= 0.1 * lex


def test_bad_orderings_are_refused():
    A = poisson((4, 4))
    with pytest.raises(solvers.ParameterError, match="ordering"):
        solvers.sor(A, np.ones(16), ordering="random")
    with pytest.raises(solvers.ParameterError, match="odd cycle"):
        solvers.sor(anisotropic((5, 5)), np.ones(25), ordering="multicolor",
                    coloring="red-black")


def _permuted_ssor_operator(A, omega, order):
    """``M^{-1}`` of SSOR in the permuted order, by dense triangular solves."""
    P = A[order][:, order].toarray()

    def apply(r):
        z = np.empty_like(r)
        z[order] = dense_ssor_preconditioner_inverse(P, omega, r[order])
        return z

    n = A.shape[0]
    return LinearOperator((n, n), matvec=apply, dtype=np.float64)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("omega", [0.7, 1.0, 1.5])
def test_multicolor_ssor_pcg_is_pcg_with_the_permuted_ssor(case, omega, kernels, rng):
    A, b, _, _ = _system(case, rng)
    order = color_rows(A).order()
    ours = solvers.cg(A, b, rtol=1e-10, M=("ssor", omega, "multicolor"))
    steps = []
    x_ref, info = scipy_cg(A, b, rtol=1e-10, M=_permuted_ssor_operator(A, omega, order),
                           callback=lambda xk: steps.append(1))
    assert info == 0 and ours.converged
    assert abs(ours.iterations - len(steps)) <= 1
    assert rel_maxabs(ours.x, x_ref) <= 1e-8
    assert ours.info["preconditioner"] == ("ssor", omega, "multicolor")
    # the generic loop (taken with a callback) and the operator give the same iterates
    generic = solvers.cg(A, b, rtol=1e-10, M=("ssor", omega, "multicolor"),
                         callback=lambda xk: None)
    assert generic.iterations == ours.iterations
    assert rel_maxabs(generic.x, ours.x) <= 1e-9
    M = solvers.ssor_preconditioner(A, omega, ordering="multicolor")
    r = rng.standard_normal(A.shape[0])
    assert rel_maxabs(M.matvec(r), _permuted_ssor_operator(A, omega, order).matvec(r)) \
        <= 1e-12


@pytest.mark.parametrize("kappa", [1e-3, 1.0, 100.0])
def test_multicolor_ssor_pcg_on_heat_matrices(kappa, kernels, rng):
    A = heat_matrix(kappa)
    b = rng.standard_normal(A.shape[0])
    res = solvers.cg(A, b, rtol=1e-9, M=("ssor", 1.4, "multicolor"))
    assert res.converged
    assert_residual_is_true(A, b, res.x, res.residual_norm)


def test_bad_multicolor_preconditioners_are_refused():
    A = poisson((4, 4))
    with pytest.raises(solvers.ParameterError, match="multicolor"):
        solvers.cg(A, np.ones(16), M=("ssor", 1.2, "rainbow"))
    with pytest.raises(solvers.ParameterError, match="ordering"):
        solvers.ssor_preconditioner(A, 1.2, ordering="rainbow")
    with pytest.raises(solvers.NotSPDError):
        solvers.cg(sp.diags([1.0, -1.0]).tocsr(), np.ones(2), M=("ssor", 1.2, "multicolor"))


def test_the_tuner_learns_omega_for_multicolor_sor(kernels):
    """Unchanged ask/tell on every path (the array-namespace one is the GPU's code): the
    cost is the iteration count, and the red-black optimum is near 1.77 here."""
    import tuner

    A = poisson((24, 24))
    t = tuner.Tuner(tuner.default_policy(np.linspace(1.0, 1.95, 20), seed=0))
    for seed in range(30):
        b = np.random.default_rng(seed).standard_normal(A.shape[0])
        trial = t.ask()
        res = solvers.sor(A, b, omega=trial.value, ordering="multicolor", maxiter=20_000)
        t.tell(trial, res.iterations, censored=not res.converged)
    assert min(h["value"] for h in t.history[-5:]) >= 1.6
