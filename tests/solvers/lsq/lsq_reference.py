"""Independent references for the least-squares tests: SciPy's and NumPy's orthogonal
polynomials, their Gauss rules, and closed-form CDFs of the densities phi_k^2 dmu.

Nothing here calls solvers.lsq.
"""

import math

import numpy as np
from numpy.polynomial import hermite_e, legendre
from scipy import special, stats

FAMILY_NAMES = ("legendre", "hermite", "chebyshev", "fourier")


def phi(name, k, x):
    """The k-th orthonormal function of a family at x (SciPy's polynomials)."""
    x = np.asarray(x, dtype=float)
    if name == "legendre":
        return math.sqrt(2 * k + 1) * special.eval_legendre(k, x)
    if name == "hermite":
        return special.eval_hermitenorm(k, x) / math.sqrt(math.factorial(k))
    if name == "chebyshev":
        return special.eval_chebyt(k, x) * (1.0 if k == 0 else math.sqrt(2.0))
    if k == 0:
        return np.ones_like(x)
    trig = np.cos if k % 2 else np.sin
    return math.sqrt(2.0) * trig(2 * math.pi * ((k + 1) // 2) * x)


def gauss_rule(name, q):
    """NumPy's Gauss rule of the family's probability measure (trapezoid for Fourier)."""
    if name == "legendre":
        x, w = legendre.leggauss(q)
        return x, w / 2
    if name == "hermite":
        x, w = hermite_e.hermegauss(q)
        return x, w / math.sqrt(2 * math.pi)
    if name == "chebyshev":
        return np.cos((2 * np.arange(1, q + 1) - 1) * math.pi / (2 * q)), np.full(q, 1.0 / q)
    return np.arange(q) / q, np.full(q, 1.0 / q)


def density(name, x):
    """The density of mu."""
    x = np.asarray(x, dtype=float)
    if name == "legendre":
        return np.where(np.abs(x) <= 1, 0.5, 0.0)
    if name == "hermite":
        return stats.norm.pdf(x)
    if name == "chebyshev":
        return 1.0 / (math.pi * np.sqrt(1 - x * x))
    return np.where((x >= 0) & (x < 1), 1.0, 0.0)


def induced_cdf(name, k, x):
    """The CDF of phi_k^2 dmu in closed form (Hermite: accurate for k <= 12)."""
    x = np.asarray(x, dtype=float)
    if name == "legendre":
        c = np.zeros(k + 1)
        c[k] = math.sqrt(2 * k + 1)
        return legendre.legval(x, legendre.legint(legendre.legmul(c, c) / 2, lbnd=-1))
    if name == "hermite":
        c = np.zeros(k + 1)
        c[k] = 1 / math.sqrt(math.factorial(k))
        p = hermite_e.hermemul(c, c)      # int_{-inf}^x He_{j+1} dN = -He_j(x) N'(x)
        return p[0] * stats.norm.cdf(x) - hermite_e.hermeval(x, np.r_[p[1:], 0.0]) * \
            stats.norm.pdf(x)
    if name == "chebyshev":
        t = np.arccos(-np.clip(x, -1, 1))
        if k == 0:
            return t / math.pi
        return t / math.pi - np.sin(2 * k * (math.pi - t)) / (2 * k * math.pi)
    f = (k + 1) // 2
    if k == 0:
        return x
    sign = 1.0 if k % 2 else -1.0
    return x + sign * np.sin(4 * math.pi * f * x) / (4 * math.pi * f)


def christoffel_cdf(name, degrees, x):
    """The CDF of the mixture (1/m) sum_j phi_{degrees[j]}^2 dmu (a coordinate of k_m / m)."""
    degrees = np.asarray(degrees)
    return sum(np.count_nonzero(degrees == k) * induced_cdf(name, int(k), x)
               for k in np.unique(degrees)) / degrees.size


def tensor_phi(names, indices, X):
    """The tensor basis functions of the multi-indices at the rows of X, shape (n, m)."""
    out = np.ones((X.shape[0], len(indices)))
    for j, alpha in enumerate(indices):
        for c, name in enumerate(names):
            out[:, j] *= phi(name, int(alpha[c]), X[:, c])
    return out


def tensor_gauss(names, q):
    rules = [gauss_rule(name, q) for name in names]
    grids = np.meshgrid(*[r[0] for r in rules], indexing="ij")
    weights = np.meshgrid(*[r[1] for r in rules], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1), np.prod([w.ravel() for w in weights],
                                                                  axis=0)


def linear_statistic_variances(names, indices, g, q=40):
    """Var(sum_i g(x_i)) for the projection DPP of the basis and for m i.i.d. points of k_m/m.

    DPP: tr(M_{g^2}) - ||M_g||_F^2 with M_h = int h phi phi^T dmu; i.i.d.:
    tr(M_{g^2}) - tr(M_g)^2 / m. Exact (Gauss) for polynomial g.
    """
    X, w = tensor_gauss(names, q)
    P = tensor_phi(names, indices, X)
    gx = g(X)
    Mg = P.T @ ((w * gx)[:, None] * P)
    Mg2 = P.T @ ((w * gx * gx)[:, None] * P)
    m = len(indices)
    return np.trace(Mg2) - (Mg * Mg).sum(), np.trace(Mg2) - np.trace(Mg) ** 2 / m
