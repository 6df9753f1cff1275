"""Weighted least-squares fits in V_m: from a function and a sampler, or from given data."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from ..backend import namespace, to_host
from ..errors import DTypeError, InputError, NonFiniteError, ParameterError, ShapeError
from ._validate import check_points, check_real_array
from .samplers import _draw, _renamed_options


class RankDeficientError(InputError, np.linalg.LinAlgError):
    """The weighted design matrix is rank deficient: the points do not determine the
    coefficients (too few distinct points, or points on which the basis is dependent). An
    input error of the suite, and a ``numpy.linalg.LinAlgError``."""


@dataclass
class LeastSquaresFit:
    """A weighted least-squares approximation ``f_hat = sum_j c_j phi_j`` and its diagnostics.

    Call it on points of shape (N, d) (NumPy or CuPy) to evaluate ``f_hat``: shape (N,), or
    (N, k) for k outputs.

    Attributes
    ----------
    coefficients : ndarray, shape (m,) or (m, k)
        ``argmin_c sum_i w_i |y_i - phi(x_i)^T c|^2``, solved by QR of ``sqrt(W) Phi``; one
        column per output when the data have k outputs (each the fit of its own column),
        complex when the data are (the real and imaginary parts are fitted apart, as the
        basis is real).
    points : ndarray, shape (n, d)
    weights : ndarray, shape (n,)
    values : ndarray, shape (n,) or (n, k)
        The data ``y_i = f(x_i)``, float64 or complex128.
    basis : Basis
    sampler : str
        The sampler (``"data"`` for :func:`fit_data`).
    n : int
    gram_deviation : float
        ``||G - I||_2`` of ``G = (1/n) Phi^T W Phi`` (stability: <= 1/2 is the usual bar).
    condition : float
        The condition number of G.
    cv_error : float, or ndarray of shape (k,) for k outputs
        Leave-one-out estimate of ``||f - f_hat||_{L2(mu)}`` (of each output):
        ``sqrt((1/n) sum_i w_i |y_i - f_hat^{(-i)}(x_i)|^2)`` with
        ``sqrt(w_i) (y_i - f_hat^{(-i)}(x_i)) = sqrt(w_i) (y_i - f_hat(x_i)) / (1 - h_i)``,
        ``h_i`` the diagonal of the hat matrix ``Q Q^T`` of the weighted problem. An unbiased
        estimate of the squared error for i.i.d. points of ``k_m / m dmu`` with these
        weights (or of mu with unit weights); a heuristic for the others. NaN when n <= m
        or some ``h_i = 1`` (e.g. a DPP's n = m points, which interpolate).
    info : dict
        What the sampler reported.

    Examples
    --------
    >>> from solvers.lsq import TensorBasis, fit
    >>> r = fit(lambda X: np.exp(X[:, 0]), TensorBasis("legendre", 8), n=40, seed=0)
    >>> float(abs(r(np.array([[0.3]]))[0] - np.exp(0.3))) < 1e-8
    True
    """

    coefficients: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    values: np.ndarray
    basis: object
    sampler: str
    n: int
    gram_deviation: float
    condition: float
    cv_error: float
    info: dict = field(default_factory=dict)

    def __call__(self, X):
        xp = namespace(X)
        return self.basis.evaluate(X) @ xp.asarray(self.coefficients)


def fit(f, basis, n=None, *, sampler="christoffel", seed=None, **options):
    """Weighted least-squares approximation of ``f`` in the span of ``basis``.

    Parameters
    ----------
    f : callable
        ``f(X)`` with X of shape (n, d) returns the n values, shape (n,), real and finite.
    basis : TensorBasis or FeatureBasis
    n : int, optional
        Number of evaluations (see :func:`solvers.lsq.sample` for the default and for which
        samplers need ``n >= m``).
    sampler : str
        A sampler of :func:`solvers.lsq.sample`: ``"christoffel"`` (default), ``"mc"``,
        ``"dpp"``, ``"discrete-dpp"``, ``"volume"``, ``"repeated-dpp"``, ``"boosted"``.
    seed : None, int or numpy.random.Generator
    **options
        The sampler's options (e.g. ``delta`` for ``"boosted"``, ``pool`` for
        ``"discrete-dpp"``).

    Returns
    -------
    LeastSquaresFit

    Examples
    --------
    >>> from solvers.lsq import TensorBasis, fit
    >>> B = TensorBasis("hermite", 10)
    >>> r = fit(lambda X: np.exp(-(X[:, 0] - 1) ** 2 / 4), B, sampler="boosted", seed=0)
    >>> r.n <= 265, r.gram_deviation <= 0.9
    (True, True)
    """
    s = _draw(basis, n, sampler, seed, _renamed_options(options))
    if s.n < basis.m:
        raise ParameterError(f"a least-squares fit needs n >= m; got n={s.n} < m={basis.m}")
    y = _evaluate(f, s.points)
    return _solve(basis, s.points, s.weights, y, s.sampler, s.info)


def fit_data(X, y, basis, weights=None):
    """Weighted least-squares fit of given data ``y_i = f(x_i)``.

    The data may have several outputs (y of shape (n, k): the k fits share the points,
    weights and design, and column j of the coefficients is the fit of column j of y) and
    may be complex (complex coefficients: the real basis fits the real and imaginary parts
    apart).

    Parameters
    ----------
    X : array, shape (n, d)
    y : array, shape (n,) or (n, k), real or complex
    basis : TensorBasis or FeatureBasis
    weights : None, "christoffel" or array of shape (n,)
        None: plain least squares (unit weights, for points of mu); ``"christoffel"``:
        ``m / k_m(x)`` (for points of ``k_m / m dmu``); or positive finite weights.

    Returns
    -------
    LeastSquaresFit
        With ``sampler="data"``; coefficients of shape (m,) or (m, k), like y.

    Raises
    ------
    RankDeficientError
        The points do not determine the m coefficients.

    Examples
    --------
    >>> from solvers.lsq import TensorBasis, fit_data
    >>> X = np.linspace(-1, 1, 20)[:, None]
    >>> r = fit_data(X, 1 + X[:, 0] ** 2, TensorBasis("chebyshev", 3))
    >>> np.round(r(np.array([[0.5]])), 12).tolist()
    [1.25]

    Two outputs at once, one of them complex, on the interval [0, 10]:

    >>> X = np.linspace(0, 10, 30)[:, None]
    >>> y = np.stack([X[:, 0], 1j * X[:, 0] ** 2], axis=1)
    >>> r = fit_data(X, y, TensorBasis("legendre", 2, interval=(0, 10)))
    >>> r.coefficients.shape, bool(np.allclose(r(np.array([[3.0]])), [[3.0, 9j]]))
    ((3, 2), True)
    """
    X = check_points(X, basis.dim)
    n = X.shape[0]
    if n < basis.m:
        raise ParameterError(f"a least-squares fit needs n >= m; got n={n} < m={basis.m}")
    y = _check_data(y, n, "y")
    if weights is None:
        w = np.ones(n)
    elif isinstance(weights, str):
        if weights != "christoffel":
            raise ParameterError(f"weights must be None, 'christoffel' or an array; "
                                 f"got {weights!r}")
        w = basis.m / basis.christoffel(X)
    else:
        w = check_real_array(weights, "weights")
        if w.shape != (n,):
            raise ShapeError(f"weights must have shape ({n},); got {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ParameterError("weights must be positive and finite")
    return _solve(basis, X, w, y, "data", {})


def _evaluate(f, X):
    if not callable(f):
        raise ParameterError(f"f must be callable as f(X); got {f!r}")
    return _check_values(f(X), X.shape[0], "f(X)")


def _check_values(y, n, name):
    y = check_real_array(to_host(y), name)
    if y.shape != (n,):
        raise ShapeError(f"{name} must have shape ({n},) for {n} points (one value per row "
                         f"of X); got shape {y.shape}")
    bad = ~np.isfinite(y)
    if bad.any():
        raise NonFiniteError(f"{name} holds {int(bad.sum())} NaN or infinite value(s) of {n}, "
                             f"e.g. at the point with index {int(np.argmax(bad))}")
    return y


def _check_data(y, n, name):
    """Data as given: shape (n,) or (n, k), real (float64) or complex (complex128)."""
    y = np.asarray(to_host(y))
    if y.dtype.kind not in "fiubc":
        raise DTypeError(f"{name} has unsupported dtype {y.dtype}; use real or complex "
                         f"numbers")
    y = y.astype(np.complex128 if y.dtype.kind == "c" else np.float64, copy=False)
    if y.ndim not in (1, 2) or y.shape[0] != n or (y.ndim == 2 and y.shape[1] == 0):
        raise ShapeError(f"{name} must have shape ({n},) or ({n}, k) with k >= 1 outputs for "
                         f"{n} points (one row per row of X); got shape {y.shape}")
    bad = ~np.isfinite(y)
    if bad.any():
        row = int(np.argmax(bad.reshape(n, -1).any(axis=1)))
        raise NonFiniteError(f"{name} holds {int(bad.sum())} NaN or infinite value(s) of "
                             f"{y.size}, e.g. at the point with index {row}")
    return y


def _solve(basis, X, w, y, sampler, info):
    n, m = X.shape[0], basis.m
    Phi = to_host(basis.evaluate(X))
    sw = np.sqrt(w)
    Q, R = np.linalg.qr(sw[:, None] * Phi)
    rdiag = np.abs(np.diag(R))
    if rdiag.min() <= max(n, m) * np.finfo(float).eps * rdiag.max():
        raise RankDeficientError(
            f"the weighted design matrix ({n} x {m}) is rank deficient: the points do not "
            f"determine the {m} coefficients; draw more points or use another sampler")
    b = sw * y if y.ndim == 1 else sw[:, None] * y
    qb = Q.T @ b
    c = scipy.linalg.solve_triangular(R, qb)
    s = np.linalg.svd(R, compute_uv=False) ** 2 / n           # the eigenvalues of G
    gram_deviation = float(max(s[0] - 1.0, 1.0 - s[-1]))
    h = (Q * Q).sum(axis=1)
    cv = float("nan") if y.ndim == 1 else np.full(y.shape[1], np.nan)
    if n > m and h.max() < 1.0 - 1e-10:
        loo = (b - Q @ qb) / (1.0 - h if y.ndim == 1 else (1.0 - h)[:, None])
        cv = np.sqrt(np.mean(np.abs(loo) ** 2, axis=0))
        cv = float(cv) if y.ndim == 1 else cv
    return LeastSquaresFit(coefficients=c, points=X, weights=w, values=y, basis=basis,
                           sampler=sampler, n=n, gram_deviation=gram_deviation,
                           condition=float(s[0] / s[-1]), cv_error=cv, info=info)
