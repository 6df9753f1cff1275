"""Reference L^2(mu) errors: of a fit, and of the best approximation ``P_m f`` in V_m.

Both are sums over one fixed rule ``(x_q, w_q)``: a tensor Gauss rule when the basis is a
tensor basis of low dimension (exact for ``phi_j phi_l``, and accurate to rounding for
smooth f with the default order), else a Monte Carlo sample of mu of fixed seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import as_generator
from ..backend import to_host
from ..errors import ParameterError
from ._validate import check_int
from .fit import _check_values

_CHUNK = 1 << 14


@dataclass(frozen=True)
class QuadratureRule:
    """Nodes (N, d) and weights (N,) with ``sum_q w_q g(x_q) ~ int g dmu``; ``kind`` is
    ``"gauss"`` or ``"monte-carlo"``."""

    nodes: np.ndarray
    weights: np.ndarray
    kind: str

    def integrate(self, g):
        """``sum_q w_q g(x_q)``, g called on chunks of nodes (shape (k, d) -> (k,))."""
        total = 0.0
        for s in range(0, self.weights.size, _CHUNK):
            X = self.nodes[s:s + _CHUNK]
            total += float(self.weights[s:s + _CHUNK] @ _check_values(g(X), X.shape[0], "g(X)"))
        return total


def reference_rule(basis, *, order=None, n=1 << 17, seed=0, max_nodes=1 << 17):
    """A rule to measure L^2(mu) errors on, for functions in and around ``span(basis)``.

    A tensor basis gets the tensor product of its families' Gauss rules of ``order`` nodes
    per dimension (default ``min(200, floor(max_nodes^(1/d)))``) when that order is at least
    the largest degree + 21 (so that ``phi_j phi_l`` are integrated exactly, with room for
    smooth non-polynomial f); otherwise (or for a feature basis, or a measure) ``n`` points of
    mu drawn with ``seed``, weights 1/n.

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> rule = reference_rule(TensorBasis("legendre", 5, dim=2))
    >>> rule.kind, rule.nodes.shape
    ('gauss', (40000, 2))
    """
    quadrature = getattr(basis, "quadrature", None)
    if callable(quadrature) and hasattr(basis, "degrees"):
        d = basis.dim
        q = min(200, int(math.floor(max_nodes ** (1.0 / d) + 1e-9))) if order is None else \
            check_int(order, "order", minimum=1)
        if order is not None or q >= int(basis.degrees.max()) + 21:
            X, w = quadrature(q)
            return QuadratureRule(X, w, "gauss")
    n = check_int(n, "n", minimum=1)
    measure = getattr(basis, "measure", basis)
    X = measure.sample(n, as_generator(seed))
    return QuadratureRule(X, np.full(n, 1.0 / n), "monte-carlo")


def l2_error(f, g, rule):
    """``||f - g||_{L2(mu)}`` on the rule (f, g callables on (k, d) arrays; g may be a fit).

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> rule = reference_rule(TensorBasis("legendre", 2))
    >>> round(l2_error(lambda X: X[:, 0], lambda X: 0 * X[:, 0], rule) ** 2, 12)   # E[x^2]
    0.333333333333
    """
    return math.sqrt(max(rule.integrate(lambda X: (_host(f(X)) - _host(g(X))) ** 2), 0.0))


def _host(v):
    return np.asarray(to_host(v), dtype=float)


@dataclass(frozen=True)
class BestApproximation:
    """``P_m f``: its coefficients, ``error = ||f - P_m f||`` and ``norm = ||f||`` in L^2(mu)."""

    coefficients: np.ndarray
    error: float
    norm: float


def best_approximation(f, basis, rule=None):
    """The L^2(mu)-orthogonal projection of ``f`` onto ``span(basis)`` and its error.

    The coefficients minimise ``sum_q w_q (f(x_q) - phi(x_q)^T c)^2`` over the rule (with a
    Gauss rule ``sum_q w_q phi phi^T = I`` and they are the quadratures of ``<f, phi_j>``);
    the error is then summed directly (no cancellation for small errors).

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> best = best_approximation(lambda X: X[:, 0] ** 3, TensorBasis("legendre", 1))
    >>> round(best.error ** 2, 12)    # ||x^3 - (3/5) x||^2 = 1/7 - 9/25 * 1/3
    0.022857142857
    """
    rule = reference_rule(basis) if rule is None else rule
    if not isinstance(rule, QuadratureRule):
        raise ParameterError(f"rule must be a QuadratureRule; got {type(rule).__name__}")
    m = basis.m
    M = np.zeros((m, m))
    rhs = np.zeros(m)
    ff = 0.0
    for s in range(0, rule.weights.size, _CHUNK):
        X, w = rule.nodes[s:s + _CHUNK], rule.weights[s:s + _CHUNK]
        Phi = _host(basis.evaluate(X))
        y = _check_values(f(X), X.shape[0], "f(X)")
        M += Phi.T @ (w[:, None] * Phi)
        rhs += Phi.T @ (w * y)
        ff += float(w @ (y * y))
    c = np.linalg.solve(M, rhs)
    err = rule.integrate(lambda X: (_check_values(f(X), X.shape[0], "f(X)")
                                    - _host(basis.evaluate(X)) @ c) ** 2)
    return BestApproximation(c, math.sqrt(max(err, 0.0)), math.sqrt(ff))
