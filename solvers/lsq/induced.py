"""Exact sampling of the one-dimensional "induced" densities ``phi_k(x)^2 dmu(x)``.

The Christoffel density of a tensor basis is a uniform mixture of products of these (see
:meth:`TensorBasis.sample_christoffel`). Each is sampled by inversion of its exact CDF:

* in a variable ``t`` where the density is smooth and bounded (``s = -cos t`` on the
  reference interval [-1, 1] of Legendre and Chebyshev, mapped onto the family's interval,
  ``x = t`` for Hermite and Fourier), the range of t is cut into cells short against the
  density's oscillations (a quarter period at most) and each cell's mass is integrated by a
  16-node Gauss-Legendre rule; the CDFs are checked to reach 1 within 1e-12 (this checks
  orthonormality and, for Hermite, the truncation of the tails at ``sqrt(4p + 2) + 10``,
  beyond which less than 1e-20 of the mass lies);
* ``u ~ U(0, 1)`` picks the cell, and Newton's method with a bisection safeguard solves
  ``F_k(t) = u F_k(end)`` inside it, F_k evaluated as the cell's left value plus a
  10-node Gauss-Legendre integral over the partial cell.

Legendre's densities are instead sampled by rejection from twice the arcsine density, which
bounds all of them (:func:`_legendre_by_rejection`): exact too, and much cheaper.

Both rules integrate these analytic integrands over such cells to rounding (the polynomial
part of the error is below 1e-20 of the cell's mass), so the distribution of the output is
exact up to rounding: its CDF is met to about 1e-15.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._kernels import induced_inverse_cdf, legendre_envelope_ratio

_GX, _GW = np.polynomial.legendre.leggauss(16)     # for the tables
_NX, _NW = np.polynomial.legendre.leggauss(10)     # for Newton's steps inside a cell
_TABLES: dict = {}


@dataclass(frozen=True)
class InducedTables:
    """Cell edges in t and the CDFs ``cdf[k, c]`` of phi_k^2 dmu at them, k = 0..p."""

    kind: int
    a: np.ndarray
    b: np.ndarray
    edges: np.ndarray
    cdf: np.ndarray


def induced_tables(family, p):
    """The (cached) tables of ``family`` for the degrees 0..p.

    Examples
    --------
    >>> from solvers.lsq.families import Legendre
    >>> bool(np.allclose(induced_tables(Legendre(), 4).cdf[:, -1], 1.0, atol=1e-13))
    True
    """
    key = (family.key, p)
    tables = _TABLES.get(key)
    if tables is not None:
        return tables
    t0, t1 = family.t_range(p)
    edges = np.linspace(t0, t1, family.n_cells(p) + 1)
    half = 0.5 * np.diff(edges)
    nodes = 0.5 * (edges[:-1] + edges[1:])[:, None] + half[:, None] * _GX[None, :]
    dens = family.induced_density(nodes.ravel(), p).reshape(nodes.shape + (p + 1,))
    masses = np.einsum("cqk,q->kc", dens, _GW) * half[None, :]
    cdf = np.zeros((p + 1, edges.size))
    np.cumsum(masses, axis=1, out=cdf[:, 1:])
    total = cdf[:, -1]
    if not np.all(np.abs(total - 1.0) < 1e-12):   # a bug, not a user's mistake
        raise RuntimeError(f"induced densities of {family!r} integrate to {total}, not 1")
    a, b = family.recurrence(p)
    tables = InducedTables(family.kind, np.ascontiguousarray(a, dtype=float),
                           np.ascontiguousarray(b, dtype=float), edges, cdf)
    _TABLES[key] = tables
    return tables


def sample_induced(family, degrees, rng):
    """One point from ``phi_k^2 dmu`` for each ``k`` in ``degrees`` (independently).

    Parameters
    ----------
    family : Legendre, Hermite, Chebyshev or Fourier
    degrees : array of int, shape (n,)
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> from solvers.lsq.families import Hermite
    >>> x = sample_induced(Hermite(), np.zeros(20000, dtype=int), np.random.default_rng(0))
    >>> abs(float(x.mean())) < 0.05 and abs(float(x.var()) - 1.0) < 0.05   # phi_0^2 dmu = N(0,1)
    True
    """
    degrees = np.ascontiguousarray(degrees, dtype=np.int64)
    out = np.empty(degrees.size)
    if degrees.size == 0:
        return out
    tables = induced_tables(family, int(degrees.max()))
    if tables.kind == 0:
        return family.from_reference(_legendre_by_rejection(tables, degrees, rng))
    return invert_induced(family, degrees, rng.random(degrees.size))


def invert_induced(family, degrees, u):
    """``F_k^{-1}(u_i)`` for ``k = degrees[i]``: the inversion :func:`sample_induced` uses
    (except for Legendre, sampled by rejection)."""
    degrees = np.ascontiguousarray(degrees, dtype=np.int64)
    out = np.empty(degrees.size)
    if degrees.size == 0:
        return out
    tables = induced_tables(family, int(degrees.max()))
    induced_inverse_cdf(np.ascontiguousarray(u, dtype=float), degrees, tables.kind, tables.a,
                        tables.b, tables.edges, tables.cdf, _NX, _NW, out)
    return family.t_to_x(out)


def _legendre_by_rejection(tables, degrees, rng):
    """Legendre: rejection from twice the arcsine density, which bounds every phi_k^2 dmu
    (acceptance 1/2 on average; exact, and 10-20x cheaper than the inversion). The points
    are those of the reference interval [-1, 1]."""
    out = np.empty(degrees.size)
    todo = np.arange(degrees.size)
    ratio = np.empty(degrees.size)
    while todo.size:
        x = np.cos(np.pi * rng.random(todo.size))
        u = rng.random(todo.size)
        legendre_envelope_ratio(x, degrees[todo], tables.a, tables.b, ratio[:todo.size])
        accept = u < ratio[:todo.size]
        out[todo[accept]] = x[accept]
        todo = todo[~accept]
    return out
