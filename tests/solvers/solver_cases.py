"""Problem cases, solver configurations and independent references shared by the solver tests.

Kept out of ``conftest.py`` so that test modules can import the lists at collection time to
parametrise over them (SciPy ``_isolve`` style): a new solver added to ``SOLVERS`` or a new
matrix added to ``SPD_CASES`` gets the whole contract suite for free.

Matrices are built with PyAMG's gallery and SciPy only (never with ``problems``), and every
reference is independent of ``solvers``: PyAMG, SciPy or dense NumPy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyamg
import scipy.linalg as sla
import scipy.sparse as sp

import solvers

# --------------------------------------------------------------------------------------------
# Matrices


@functools.cache
def _poisson(shape):
    return pyamg.gallery.poisson(shape, format="csr").astype(np.float64)


def poisson(shape) -> sp.csr_matrix:
    """The (unscaled) finite-difference Laplacian on a grid, in CSR; a fresh copy each call."""
    return _poisson(tuple(shape)).copy()


#: PyAMG's shipped examples that are exactly symmetric with a positive diagonal and positive
#: definite (checked once in ``test_pyamg_examples_are_spd``). ``unit_square`` is left out:
#: it is singular and symmetric only to rounding.
PYAMG_SPD_EXAMPLES = ("airfoil", "bar", "knot", "unit_cube")


@functools.cache
def _example(name):
    return pyamg.gallery.load_example(name)["A"].tocsr().astype(np.float64)


def example(name) -> sp.csr_matrix:
    return _example(name).copy()


def random_spd(n=150, density=0.04, seed=7) -> sp.csr_matrix:
    """``S + n I`` with ``S = R + R^T`` symmetric, R from ``scipy.sparse.random`` (normal entries).

    S is scaled to spectral radius ``0.9 n``, so the matrix is SPD with condition number 19.
    """
    rng = np.random.default_rng(seed)
    R = sp.random(n, n, density=density, rng=rng, data_rvs=rng.standard_normal, format="csr")
    S = R + R.T
    S = S * (0.9 * n / np.max(np.abs(np.linalg.eigvalsh(S.toarray()))))
    return (S + n * sp.identity(n, format="csr")).tocsr()


def anisotropic(shape=(16, 16), epsilon=0.01, theta=np.pi / 6) -> sp.csr_matrix:
    """Rotated anisotropic diffusion, Q1 finite elements (PyAMG's stencil)."""
    stencil = pyamg.gallery.diffusion_stencil_2d(epsilon=epsilon, theta=theta, type="FE")
    return pyamg.gallery.stencil_grid(stencil, shape, format="csr").astype(np.float64)


def heat_matrix(kappa, dt=1e-3, m=24) -> sp.csr_matrix:
    """Backward-Euler / Crank-Nicolson-like step matrix ``I + s * m^2 * poisson((m, m))``."""
    s = 0.5 * kappa * dt
    return (sp.identity(m * m, format="csr") + s * poisson((m, m)) * m**2).tocsr()


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], sp.csr_matrix]

    def __str__(self):  # pytest ids
        return self.name


#: Symmetric positive definite cases, on which every solver must converge.
SPD_CASES = [
    Case("poisson2d", lambda: poisson((10, 10))),
    Case("poisson3d", lambda: poisson((5, 5, 5))),
    Case("knot", lambda: example("knot")),
    Case("airfoil", lambda: example("airfoil")),
    Case("random_spd", random_spd),
    Case("anisotropic", anisotropic),
]
SPD_IDS = [c.name for c in SPD_CASES]


# --------------------------------------------------------------------------------------------
# Solver configurations


@dataclass(frozen=True)
class Solver:
    name: str
    func: Callable
    kwargs: dict
    family: str  # "sor" (stationary sweeps) or "cg"

    def __call__(self, A, b, x0=None, **kw):
        return self.func(A, b, x0, **{**self.kwargs, **kw})

    def __str__(self):
        return self.name


SOLVERS = [
    Solver("sor-fw-1.0", solvers.sor, {"omega": 1.0}, "sor"),
    Solver("sor-fw-1.7", solvers.sor, {"omega": 1.7}, "sor"),
    Solver("sor-bw-1.3", solvers.sor, {"omega": 1.3, "sweep": "backward"}, "sor"),
    Solver("sor-sym-0.8", solvers.sor, {"omega": 0.8, "sweep": "symmetric"}, "sor"),
    Solver("ssor-1.0", solvers.ssor, {"omega": 1.0}, "sor"),
    Solver("ssor-1.5", solvers.ssor, {"omega": 1.5}, "sor"),
    Solver("cg", solvers.cg, {}, "cg"),
    Solver("cg-jacobi", solvers.cg, {"M": "jacobi"}, "cg"),
    Solver("cg-ssor-1.0", solvers.cg, {"M": ("ssor", 1.0)}, "cg"),
    Solver("cg-ssor-1.5", solvers.cg, {"M": ("ssor", 1.5)}, "cg"),
    Solver("cg-amg", solvers.cg, {"M": "amg"}, "cg"),
]
SOLVER_IDS = [s.name for s in SOLVERS]

#: The three public entry points, for input validation.
ENTRY_POINTS = [("sor", solvers.sor), ("ssor", solvers.ssor), ("cg", solvers.cg)]


# --------------------------------------------------------------------------------------------
# Independent references and checks


def dense(A) -> np.ndarray:
    return A.toarray() if sp.issparse(A) else np.asarray(A, dtype=np.float64)


def true_residual(A, b, x) -> float:
    """``||b - A x||_2`` with dense NumPy."""
    return float(np.linalg.norm(b - dense(A) @ x))


def residual_rounding(A, b, x) -> float:
    """A bound on the rounding error of any evaluation of ``||b - A x||_2``."""
    Ad = dense(A)
    k = int((Ad != 0).sum(axis=1).max()) + 1
    return 4 * k * np.finfo(float).eps * float(np.linalg.norm(np.abs(b) + np.abs(Ad) @ np.abs(x)))


def assert_residual_is_true(A, b, x, value, rel=1e-10):
    """``value`` equals ``||b - A x||`` to ``rel`` relative, up to the rounding of the residual."""
    exact = true_residual(A, b, x)
    slack = rel * exact + residual_rounding(A, b, x)
    assert abs(value - exact) <= slack, (value, exact, slack)


def rel_maxabs(a, ref) -> float:
    """Relative max-abs difference ``max|a - ref| / max|ref|``."""
    a, ref = np.asarray(a), np.asarray(ref)
    return float(np.max(np.abs(a - ref)) / max(np.max(np.abs(ref)), np.finfo(float).tiny))


def rel_err(a, ref) -> float:
    """Relative 2-norm error ``||a - ref|| / ||ref||``."""
    return float(np.linalg.norm(np.asarray(a) - ref) / np.linalg.norm(ref))


def sor_splitting(A, omega):
    """Dense ``D``, strict lower ``L`` and strict upper ``U`` with ``A = L + D + U``."""
    Ad = dense(A)
    return np.diag(np.diag(Ad)), np.tril(Ad, -1), np.triu(Ad, 1)


def dense_sor(A, b, x0, omega, sweeps, order="forward"):
    """Reference SOR: ``sweeps`` iterations of ``order`` in {forward, backward, symmetric}.

    Closed form of one sweep with triangular solves:
    forward ``(D + wL) x' = w b - (wU + (w - 1) D) x``, backward the same with L and U swapped.
    """
    D, L, U = sor_splitting(A, omega)
    w = omega
    x = np.array(x0, dtype=np.float64)
    for _ in range(sweeps):
        if order in ("forward", "symmetric"):
            x = sla.solve_triangular(D + w * L, w * b - (w * U + (w - 1) * D) @ x, lower=True)
        if order in ("backward", "symmetric"):
            x = sla.solve_triangular(D + w * U, w * b - (w * L + (w - 1) * D) @ x, lower=False)
    return x


def sor_iteration_matrix(A, omega, order="forward"):
    """Dense SOR/SSOR iteration matrix ``T`` with ``e_{k+1} = T e_k``."""
    D, L, U = sor_splitting(A, omega)
    w = omega
    Tf = np.linalg.solve(D + w * L, -(w * U + (w - 1) * D))
    Tb = np.linalg.solve(D + w * U, -(w * L + (w - 1) * D))
    return {"forward": Tf, "backward": Tb, "symmetric": Tb @ Tf}[order]


def spectral_radius(T) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(T))))


def dense_ssor_preconditioner_inverse(A, omega, r):
    """``M^{-1} r`` for ``M = (D + wL) D^{-1} (D + wL)^T / (w (2 - w))`` by triangular solves."""
    D, L, _ = sor_splitting(A, omega)
    T = D + omega * L
    y = sla.solve_triangular(T, r, lower=True)
    y = np.diag(D) * y
    z = sla.solve_triangular(T.T, y, lower=False)
    return omega * (2 - omega) * z
