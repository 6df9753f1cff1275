"""Probability measures mu on which the bases are orthonormal, and their quadrature rules.

One-dimensional factors (:class:`Uniform`, :class:`Gaussian`, :class:`Arcsine`) sample 1-D
arrays and give Gauss rules; :class:`ProductMeasure` makes their product on R^d and samples
(n, d) arrays; :class:`SampledMeasure` wraps a user's sampler (no density, no quadrature).
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_generator
from ..errors import ParameterError, ShapeError
from ._validate import check_int


class Uniform:
    """The uniform probability measure on ``[a, b]``.

    Examples
    --------
    >>> x, w = Uniform().quadrature(3)
    >>> round(float(w @ x**2), 15)        # E[x^2] = 1/3 on [-1, 1]
    0.333333333333333
    """

    dim = 1

    def __init__(self, a=-1.0, b=1.0):
        a, b = float(a), float(b)
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            raise ParameterError(f"Uniform needs finite a < b; got a={a!r}, b={b!r}")
        self.a, self.b = a, b

    def __repr__(self):
        return f"Uniform({self.a!r}, {self.b!r})"

    def density(self, x):
        x = np.asarray(x, dtype=float)
        return np.where((x >= self.a) & (x <= self.b), 1.0 / (self.b - self.a), 0.0)

    def sample(self, n, seed=None):
        return as_generator(seed).uniform(self.a, self.b, size=n)

    def quadrature(self, q):
        """Gauss-Legendre rule with ``q`` nodes (exact for polynomials of degree <= 2q - 1)."""
        x, w = np.polynomial.legendre.leggauss(check_int(q, "q", minimum=1))
        half = 0.5 * (self.b - self.a)
        return self.a + half * (x + 1.0), 0.5 * w


class Gaussian:
    """The standard normal measure N(0, 1).

    Examples
    --------
    >>> x, w = Gaussian().quadrature(4)
    >>> round(float(w @ x**4), 12)     # E[x^4] = 3
    3.0
    """

    dim = 1
    a, b = -math.inf, math.inf

    def __repr__(self):
        return "Gaussian()"

    def density(self, x):
        x = np.asarray(x, dtype=float)
        return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)

    def sample(self, n, seed=None):
        return as_generator(seed).standard_normal(n)

    def quadrature(self, q):
        """Gauss-Hermite rule (probabilists'), exact for polynomials of degree <= 2q - 1."""
        x, w = np.polynomial.hermite_e.hermegauss(check_int(q, "q", minimum=1))
        return x, w / math.sqrt(2.0 * math.pi)


class Arcsine:
    """The arcsine (Chebyshev) measure ``dx / (pi sqrt((x - a) (b - x)))`` on ``[a, b]``
    ([-1, 1] by default).

    Examples
    --------
    >>> x, w = Arcsine().quadrature(3)
    >>> float(w @ x**2)        # E[x^2] = 1/2
    0.5
    >>> x, w = Arcsine(0, 2).quadrature(3)
    >>> float(w @ x), float(w @ (x - 1) ** 2)      # mean 1, variance 1/2
    (1.0, 0.5)
    """

    dim = 1

    def __init__(self, a=-1.0, b=1.0):
        a, b = float(a), float(b)
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            raise ParameterError(f"Arcsine needs finite a < b; got a={a!r}, b={b!r}")
        self.a, self.b = a, b

    def __repr__(self):
        if (self.a, self.b) == (-1.0, 1.0):
            return "Arcsine()"
        return f"Arcsine({self.a!r}, {self.b!r})"

    def _from_reference(self, s):
        if (self.a, self.b) == (-1.0, 1.0):
            return s
        return np.clip(0.5 * (self.a + self.b) + 0.5 * (self.b - self.a) * s, self.a, self.b)

    def density(self, x):
        x = np.asarray(x, dtype=float)
        inside = (x > self.a) & (x < self.b)
        gap = np.where(inside, (x - self.a) * (self.b - x), 1.0)
        return np.where(inside, 1.0 / (math.pi * np.sqrt(gap)), 0.0)

    def sample(self, n, seed=None):
        return self._from_reference(-np.cos(math.pi * as_generator(seed).random(n)))

    def quadrature(self, q):
        """Gauss-Chebyshev rule, exact for polynomials of degree <= 2q - 1."""
        q = check_int(q, "q", minimum=1)
        s = np.cos((2.0 * np.arange(q, 0, -1) - 1.0) * math.pi / (2.0 * q))
        return self._from_reference(s), np.full(q, 1.0 / q)


class ProductMeasure:
    """The product of one-dimensional measures: mu = mu_1 x ... x mu_d.

    Examples
    --------
    >>> mu = ProductMeasure([Uniform(), Gaussian()])
    >>> mu.sample(5, seed=0).shape, mu.dim
    ((5, 2), 2)
    """

    def __init__(self, factors):
        self.factors = tuple(factors)
        if not self.factors:
            raise ParameterError("a product measure needs at least one factor")
        self.dim = len(self.factors)

    def __repr__(self):
        return f"ProductMeasure({list(self.factors)!r})"

    def sample(self, n, seed=None):
        """``n`` points of mu, shape (n, d); coordinates are drawn one after another."""
        n = check_int(n, "n", minimum=0)
        rng = as_generator(seed)
        return np.stack([f.sample(n, rng) for f in self.factors], axis=1)

    def quadrature(self, q):
        """Tensor product of the factors' ``q``-node rules: (q^d, d) nodes and their weights."""
        rules = [f.quadrature(q) for f in self.factors]
        return tensor_rule(rules)


def tensor_rule(rules):
    """Tensor product of 1-D rules ``[(nodes, weights), ...]``: (N, d) nodes, (N,) weights.

    Examples
    --------
    >>> X, w = tensor_rule([(np.array([0.0, 1.0]), np.array([0.5, 0.5]))] * 2)
    >>> X.shape, float(w.sum())
    ((4, 2), 1.0)
    """
    grids = np.meshgrid(*[r[0] for r in rules], indexing="ij")
    X = np.stack([g.ravel() for g in grids], axis=1)
    w = np.ones(1)
    for r in rules:
        w = np.multiply.outer(w, r[1]).ravel()
    return X, w


class SampledMeasure:
    """A measure known only through a sampler ``sampler(n, rng) -> (n, dim)`` array.

    Examples
    --------
    >>> mu = SampledMeasure(lambda n, rng: rng.random((n, 2)), dim=2)
    >>> mu.sample(3, seed=0).shape
    (3, 2)
    """

    def __init__(self, sampler, dim):
        if not callable(sampler):
            raise ParameterError(f"sampler must be callable as sampler(n, rng); got {sampler!r}")
        self.sampler = sampler
        self.dim = check_int(dim, "dim", minimum=1)

    def __repr__(self):
        return f"SampledMeasure({self.sampler!r}, dim={self.dim})"

    def sample(self, n, seed=None):
        n = check_int(n, "n", minimum=0)
        X = np.asarray(self.sampler(n, as_generator(seed)), dtype=float)
        if X.ndim == 1 and self.dim == 1:
            X = X[:, None]
        if X.shape != (n, self.dim):
            raise ShapeError(f"the measure's sampler must return shape ({n}, {self.dim}) "
                             f"for n={n}; got {X.shape}")
        return X
