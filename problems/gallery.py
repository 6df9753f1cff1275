"""Standard test matrices from PyAMG's gallery, as canonical CSR float64.

Every function returns a ``scipy.sparse.csr_matrix`` of float64 with sorted indices and no
duplicates, whatever format PyAMG hands back.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pyamg.gallery
import scipy.sparse as sp

from ._csr import as_csr
from .errors import ParameterError, ParameterTypeError

EXAMPLES = (
    "airfoil",
    "bar",
    "knot",
    "unit_cube",
    "unit_square",
    "local_disc_galerkin_diffusion",
    "recirc_flow",
)
"""Names accepted by :func:`load_example` (PyAMG's real-valued shipped matrices)."""

SPD_EXAMPLES = ("airfoil", "bar", "knot", "unit_cube", "local_disc_galerkin_diffusion")
"""The subset of :data:`EXAMPLES` that is symmetric positive definite.

``unit_square`` is a pure-Neumann Laplacian (rows sum to zero, so it is singular) and
``recirc_flow`` is nonsymmetric. ``local_disc_galerkin_diffusion`` is symmetric up to
rounding in the stored values (relative asymmetry about 4e-14).
"""


def _check_grid(grid, *, dims: tuple[int, ...] | None = None) -> tuple[int, ...]:
    """Validate ``grid`` as a tuple of positive integers, of a length in ``dims`` if given."""
    if not isinstance(grid, (tuple, list)) or len(grid) == 0:
        raise ParameterTypeError(
            f"grid must be a tuple of positive integers such as (32, 32); got {grid!r}")
    for g in grid:
        if isinstance(g, bool) or not isinstance(g, numbers.Integral) or g < 1:
            raise ParameterError(
                f"grid must be a tuple of positive integers such as (32, 32); got {grid!r}"
            )
    if dims is not None and len(grid) not in dims:
        allowed = " or ".join(f"{d}-D" for d in dims)
        raise ParameterError(f"grid must be {allowed}; got {grid!r} ({len(grid)}-D)")
    return tuple(int(g) for g in grid)


def poisson(grid) -> sp.csr_matrix:
    """Finite-difference Poisson matrix (unscaled: ``2 d`` on the diagonal, ``-1`` off it).

    Parameters
    ----------
    grid : tuple of int
        Number of interior points per dimension, e.g. ``(32, 32)`` or ``(8, 8, 8)``.

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(prod(grid), prod(grid))``, ordered row-major over the grid.

    Examples
    --------
    >>> A = poisson((3, 3))
    >>> A.shape, float(A[0, 0]), float(A[0, 1])
    ((9, 9), 4.0, -1.0)
    """
    grid = _check_grid(grid)
    return as_csr(pyamg.gallery.poisson(grid, format="csr"))


def anisotropic_diffusion(grid, epsilon: float = 0.1, theta: float = np.pi / 6) -> sp.csr_matrix:
    """Rotated anisotropic diffusion on a 2-D grid (bilinear finite-element stencil).

    Parameters
    ----------
    grid : tuple of two int
        Number of grid points per dimension.
    epsilon : float, optional
        Anisotropy ratio, > 0 (1 is isotropic).
    theta : float, optional
        Angle of the strong direction, in radians.

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric positive definite, shape ``(prod(grid), prod(grid))``.

    Examples
    --------
    >>> A = anisotropic_diffusion((4, 4), epsilon=0.1)
    >>> A.shape, float(abs(A - A.T).max())
    ((16, 16), 0.0)
    """
    grid = _check_grid(grid, dims=(2,))
    for name, value in (("epsilon", epsilon), ("theta", theta)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ParameterTypeError(f"{name} must be a real number; got {value!r}")
        if not math.isfinite(value):
            raise ParameterError(f"{name} must be finite; got {value!r}")
    if epsilon <= 0:
        raise ParameterError(f"epsilon must be > 0; got {epsilon!r}")
    stencil = pyamg.gallery.diffusion_stencil_2d(
        epsilon=float(epsilon), theta=float(theta), type="FE"
    )
    return as_csr(pyamg.gallery.stencil_grid(stencil, grid, format="csr"))


def elasticity(grid) -> sp.csr_matrix:
    """Linear elasticity on a 2-D grid of nodes (Q1 elements, two unknowns per node).

    Parameters
    ----------
    grid : tuple of two equal int
        Number of interior nodes per dimension (the boundary nodes are fixed). The grid
        must be square: PyAMG 5.4's assembly mixes up the two dimensions otherwise (it
        fails for ``grid[0] > grid[1]`` and silently connects the wrong nodes for
        ``grid[0] < grid[1]``).

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric positive definite, shape ``(2 prod(grid), 2 prod(grid))``. PyAMG's
        near-nullspace (rigid body modes) is dropped.

    Raises
    ------
    ValueError
        If ``grid`` is not a square 2-D grid of positive integers.

    Examples
    --------
    >>> elasticity((3, 3)).shape
    (18, 18)
    """
    grid = _check_grid(grid, dims=(2,))
    if grid[0] != grid[1]:
        raise ParameterError(f"grid must be square (equal sizes) for elasticity; got {grid!r}")
    A, _ = pyamg.gallery.linear_elasticity(grid, format="csr")
    return as_csr(A)


def load_example(name: str) -> sp.csr_matrix:
    """One of PyAMG's shipped example matrices.

    Parameters
    ----------
    name : str
        One of :data:`EXAMPLES`; those in :data:`SPD_EXAMPLES` are symmetric positive
        definite.

    Returns
    -------
    scipy.sparse.csr_matrix

    Raises
    ------
    ValueError
        If ``name`` is not in :data:`EXAMPLES`.

    Examples
    --------
    >>> load_example("knot").shape
    (239, 239)
    """
    if name not in EXAMPLES:
        raise ParameterError(f"name must be one of {', '.join(EXAMPLES)}; got {name!r}")
    return as_csr(pyamg.gallery.load_example(name)["A"])
