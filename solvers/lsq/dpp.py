"""Projection DPPs: the continuous one of a tensor basis, and discrete ones on a pool.

The projection DPP with kernel ``K(x, y) = sum_j phi_j(x) phi_j(y)`` (w.r.t. mu) has exactly
m points, with joint density ``det[K(x_i, x_j)] / m!``; each point is marginally distributed
as ``k_m / m dmu``. The chain rule draws ``x_1`` from ``k_m / m`` and ``x_i`` from
``||(I - P_{i-1}) phi(x)||^2 / (m - i + 1) dmu``, with ``P_{i-1}`` the projector onto
``span(phi(x_1), ..., phi(x_{i-1}))``. That density is at most ``m / (m - i + 1)`` times the
Christoffel density, so step i is exact rejection sampling: propose from ``k_m / m``
(exactly, :meth:`TensorBasis.sample_christoffel`) and accept with probability
``||(I - P_{i-1}) phi(x)||^2 / k_m(x)``; it needs ``m / (m - i + 1)`` proposals on average,
``m H_m`` in all. The joint density of the ordered draw is symmetric, so its order carries
no information, and its first s points are s points of the DPP taken uniformly at random.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from ..errors import ParameterError
from ._kernels import chain_rule_accept, discrete_projection_dpp


def projection_dpp(basis, rng, size=None):
    """The first ``size`` (default m) points of a chain-rule draw of the projection DPP.

    Parameters
    ----------
    basis : Basis
        A :class:`TensorBasis` (continuous DPP, exact); for a :class:`FeatureBasis` the
        discrete projection DPP on its pool (:func:`discrete_dpp`).
    rng : numpy.random.Generator
    size : int, optional
        1 <= size <= m.

    Returns
    -------
    points : ndarray, shape (size, d)
    proposals : int
        Christoffel proposals used (continuous case; 0 for a pool).

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> X, _ = projection_dpp(TensorBasis("legendre", 9), np.random.default_rng(0))
    >>> X.shape, len(np.unique(X))
    ((10, 1), 10)
    """
    m = basis.m
    size = m if size is None else size
    if not 1 <= size <= m:
        raise ParameterError(f"a projection DPP draw has at most m = {m} points; asked {size}")
    if not basis.exact:
        idx = discrete_dpp(basis.pool_features, rng, size=size)
        return basis.pool[idx], 0
    Q = np.zeros((m, m))
    accepted = np.zeros(m, dtype=np.int64)
    points = np.empty((size, basis.dim))
    count = 0
    proposals = 0
    while count < size:
        # Expected proposals still needed, and some more, so that one batch usually does.
        expected = sum(m / (m - i) for i in range(count, size))
        batch = int(math.ceil(1.25 * expected)) + 16
        X = basis.sample_christoffel(batch, rng)
        Phi = np.ascontiguousarray(basis.evaluate(X))
        kvals = (Phi * Phi).sum(axis=1)
        u = rng.random(batch)
        new_count, used = chain_rule_accept(Phi, kvals, u, Q, count, size, accepted)
        points[count:new_count] = X[accepted[count:new_count]]
        proposals += int(used)
        count = int(new_count)
    return points, proposals


def discrete_dpp(Phi, rng, size=None):
    """Indices of a draw of the discrete projection DPP onto the column span of ``Phi``.

    Item i of the pool (row i of Phi, shape (N, m), rank m) is picked with probability
    ``||(I - P) u_i||^2 / (m - s)`` at step s, ``U = [u_i]`` an orthonormal basis of the
    column span (from a QR of Phi) and P the projector onto the rows picked before; the
    first ``size`` (default m) steps of that chain rule are returned. For Phi the features of
    N points of mu, this is the DPP of the empirical measure, whose points are marginally
    ``~ k_m / m`` on the pool.

    Examples
    --------
    >>> Phi = np.random.default_rng(0).standard_normal((50, 4))
    >>> idx = discrete_dpp(Phi, np.random.default_rng(1))
    >>> len(set(idx.tolist()))
    4
    """
    Phi = np.asarray(Phi, dtype=float)
    N, m = Phi.shape
    size = m if size is None else size
    if N < m:
        raise ParameterError(f"the candidate pool has {N} points, fewer than m = {m}")
    if not 1 <= size <= m:
        raise ParameterError(f"a projection DPP draw has at most m = {m} points; asked {size}")
    U, R = scipy.linalg.qr(Phi, mode="economic")
    rdiag = np.abs(np.diag(R))
    if rdiag.min() <= max(N, m) * np.finfo(float).eps * rdiag.max():
        raise ParameterError("the features of the candidate pool are linearly dependent "
                             "(rank < m): draw a larger pool or check the basis")
    out = np.empty(size, dtype=np.int64)
    discrete_projection_dpp(np.ascontiguousarray(U), rng.random(size), out)
    return out
