"""Test functions for least-squares approximation (:mod:`solvers.lsq`).

Every function takes points ``X`` of shape (n, d) (a 1-D array is read as n points in one
dimension) and returns the n values, shape (n,). :data:`FUNCTIONS` names them with the
dimension and the measure they are meant for: ``"uniform"`` on [-1, 1]^d (Legendre bases)
or ``"gaussian"`` (N(0, I), Hermite bases).

Examples
--------
>>> import numpy as np
>>> runge(np.array([[0.0], [0.2]])).tolist()
[1.0, 0.5]
>>> FUNCTIONS["runge_bowls"](np.array([[1.0]])).round(6).tolist()   # 1 / (1 + 5 x^2)
[0.166667]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import ParameterError


def _points(X, dim=None):
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or (dim is not None and X.shape[1] != dim):
        want = f"(n, {dim})" if dim is not None else "(n, d)"
        raise ParameterError(f"X must have shape {want}; got shape {X.shape}")
    return X


def runge(X, a=25.0):
    """``1 / (1 + a |x|^2)``; a = 25 is Runge's function on [-1, 1] (poles at +-i/5).

    Examples
    --------
    >>> runge(np.array([[1.0, 1.0]]), a=1.0).tolist()
    [0.3333333333333333]
    """
    X = _points(X)
    return 1.0 / (1.0 + a * (X * X).sum(axis=1))


def runge_family(a):
    """The parametric family ``x -> 1 / (1 + a |x|^2)``, smoother for smaller a > 0 (the poles
    are at distance ``1 / sqrt(a)`` from the real axis).

    Examples
    --------
    >>> runge_family(5.0)(np.array([[1.0]])).round(6).tolist()
    [0.166667]
    """
    a = float(a)
    if not a > 0:
        raise ParameterError(f"a must be positive; got {a!r}")
    return TargetFunction(f"runge(a={a:g})", lambda X: runge(X, a), None, "uniform",
                          f"1 / (1 + {a:g} |x|^2)")


def gaussian_bump(X):
    """``exp(-(x - 1)^2 / 4)`` in one dimension, for N(0, 1) (the BOWLS Hermite example).

    Examples
    --------
    >>> float(gaussian_bump(np.array([[1.0]]))[0])
    1.0
    """
    x = _points(X, 1)[:, 0]
    return np.exp(-0.25 * (x - 1.0) ** 2)


def smooth_2d(X):
    """``exp(-(x^2 + y^2) / 2) cos(x + 2 y)``, analytic, on [-1, 1]^2.

    Examples
    --------
    >>> float(smooth_2d(np.zeros((1, 2)))[0])
    1.0
    """
    X = _points(X, 2)
    return np.exp(-0.5 * (X * X).sum(axis=1)) * np.cos(X[:, 0] + 2.0 * X[:, 1])


def smooth_5d(X):
    """``exp(-|x|^2 / d)`` in d dimensions (meant for d = 5 on [-1, 1]^5); its squared L^2 norm
    for the uniform measure is ``(sqrt(pi d / 8) erf(sqrt(2 / d)))^d``.

    Examples
    --------
    >>> float(smooth_5d(np.zeros((1, 5)))[0])
    1.0
    """
    X = _points(X)
    return np.exp(-(X * X).sum(axis=1) / X.shape[1])


def genz_oscillatory(X, c=None, u=0.25):
    """Genz's oscillatory function ``cos(2 pi u + sum_i c_i x_i)``; default ``c_i = 1``.

    Examples
    --------
    >>> genz_oscillatory(np.zeros((1, 3))).round(12).tolist()
    [0.0]
    """
    X = _points(X)
    c = np.ones(X.shape[1]) if c is None else np.asarray(c, dtype=float)
    return np.cos(2.0 * math.pi * u + X @ c)


def genz_product_peak(X, c=None, w=None):
    """Genz's product peak ``prod_i 1 / (c_i^-2 + (x_i - w_i)^2)``; default c_i = 2, w_i = 0.25.

    Examples
    --------
    >>> float(genz_product_peak(np.full((1, 1), 0.25))[0])
    4.0
    """
    X = _points(X)
    d = X.shape[1]
    c = np.full(d, 2.0) if c is None else np.asarray(c, dtype=float)
    w = np.full(d, 0.25) if w is None else np.asarray(w, dtype=float)
    return np.prod(1.0 / (c ** -2.0 + (X - w) ** 2), axis=1)


@dataclass(frozen=True)
class TargetFunction:
    """A test function with what it is meant for.

    Attributes
    ----------
    name : str
    f : callable
        ``f(X)``, X of shape (n, d), returns shape (n,).
    dim : int or None
        The dimension it is defined in (None: any).
    measure : str
        ``"uniform"`` (on [-1, 1]^d) or ``"gaussian"`` (N(0, I)).
    description : str
    """

    name: str
    f: Callable
    dim: int | None
    measure: str
    description: str

    def __call__(self, X):
        return self.f(_points(X, self.dim))


FUNCTIONS = {
    "runge": TargetFunction("runge", runge, 1, "uniform", "1 / (1 + 25 x^2)"),
    "runge_bowls": TargetFunction("runge_bowls", lambda X: runge(X, 5.0), 1, "uniform",
                                  "1 / (1 + 5 x^2) (the BOWLS Legendre example)"),
    "gaussian_bump": TargetFunction("gaussian_bump", gaussian_bump, 1, "gaussian",
                                    "exp(-(x - 1)^2 / 4) (the BOWLS Hermite example)"),
    "smooth_2d": TargetFunction("smooth_2d", smooth_2d, 2, "uniform",
                                "exp(-(x^2 + y^2) / 2) cos(x + 2 y)"),
    "smooth_5d": TargetFunction("smooth_5d", smooth_5d, 5, "uniform", "exp(-|x|^2 / 5)"),
    "genz_oscillatory_5d": TargetFunction("genz_oscillatory_5d", genz_oscillatory, 5,
                                          "uniform", "cos(pi / 2 + sum_i x_i)"),
    "genz_product_peak_5d": TargetFunction("genz_product_peak_5d", genz_product_peak, 5,
                                           "uniform", "prod_i 1 / (1/4 + (x_i - 1/4)^2)"),
}
"""The named test functions, for benchmarks and examples."""
