"""Bases of V_m orthonormal in L^2(mu): tensor products of 1-D families, and users' features.

Every basis offers ``m``, ``dim``, ``measure``, ``evaluate(X) -> (n, m)``,
``christoffel(X) = sum_j phi_j(X)^2`` and ``sample_christoffel(n, seed)`` (points from the
density ``k_m / m`` with respect to mu). ``exact`` says whether that sampler is exact
(:class:`TensorBasis`) or draws from a finite candidate pool (:class:`FeatureBasis`).
"""

from __future__ import annotations

import numpy as np

from .._validate import as_generator
from ..backend import namespace, to_host
from ..errors import NonFiniteError, ParameterError, ShapeError
from ._validate import check_int, check_points, check_real_array
from .families import family as _family
from .index_sets import index_set
from .induced import sample_induced
from .measures import ProductMeasure, SampledMeasure, tensor_rule


class Basis:
    """What the samplers and the fit need from a basis (subclasses fill it in)."""

    m: int
    dim: int
    measure: object
    exact: bool = False

    def evaluate(self, X):
        raise NotImplementedError

    def christoffel(self, X):
        """The Christoffel function ``k_m(x) = sum_j phi_j(x)^2`` at the rows of X, shape (n,)."""
        Phi = self.evaluate(X)
        return (Phi * Phi).sum(axis=1)

    def sample_christoffel(self, n, seed=None):
        raise NotImplementedError


class TensorBasis(Basis):
    """Products ``phi_alpha(x) = prod_k phi_{alpha_k}(x_k)`` of 1-D orthonormal families.

    Parameters
    ----------
    family : str, family object, or a sequence of them (one per dimension)
        ``"legendre"`` (uniform on [-1, 1]), ``"hermite"`` (N(0, 1)), ``"chebyshev"``
        (arcsine measure on [-1, 1]), ``"fourier"`` (uniform on [0, 1)), or instances of
        :mod:`solvers.lsq.families` (e.g. ``Legendre(interval=(0, 2))``).
    degree : int >= 0, optional
        The degree of the index set (not needed when ``indices`` are given).
    dim : int >= 1, optional
        The dimension d; by default the length of a sequence of families, or the number of
        columns of ``indices``, else 1.
    index_set : {"total", "hyperbolic", "full"}
        See :func:`solvers.lsq.index_set`.
    indices : array of int, shape (m, d), optional
        An explicit set of multi-indices (distinct, non-negative) instead of a named one.
    interval : pair (a, b) or sequence of d pairs, optional
        The interval of the families given by name (Legendre, Chebyshev, Fourier): one for
        every dimension, or one per dimension (None in the place of a Hermite factor). mu,
        its samplers and its quadrature rules live on that interval.

    Attributes
    ----------
    m, dim : int
    indices : ndarray, shape (m, d)
    families : tuple of the d 1-D families
    measure : ProductMeasure
        mu, with ``sample(n, seed)``.

    Examples
    --------
    >>> B = TensorBasis("legendre", degree=3, dim=2)
    >>> B.m, B.evaluate(np.zeros((5, 2))).shape
    (10, (5, 10))
    >>> X, w = B.quadrature(8)
    >>> Phi = B.evaluate(X)
    >>> bool(np.allclose(Phi.T @ (w[:, None] * Phi), np.eye(B.m)))
    True
    >>> B = TensorBasis("chebyshev", degree=4, interval=(2, 5))
    >>> X = B.sample_christoffel(1000, seed=0)
    >>> bool(X.min() >= 2 and X.max() <= 5)
    True
    """

    exact = True

    def __init__(self, family, degree=None, *, dim=None, index_set="total", indices=None,
                 interval=None):
        if isinstance(family, (list, tuple)):
            if not family:
                raise ParameterError("family must not be an empty sequence")
            if dim is not None and check_int(dim, "dim", minimum=1) != len(family):
                raise ParameterError(f"dim={dim} but {len(family)} families were given")
            intervals = _intervals(interval, len(family))
            families = tuple(_family(f, interval=i) for f, i in zip(family, intervals, strict=True))
        else:
            if dim is None:                    # from explicit indices, else 1
                dim = np.shape(indices)[1] if np.ndim(indices) == 2 else 1
            dim = check_int(dim, "dim", minimum=1)
            intervals = _intervals(interval, dim)
            if all(i == intervals[0] for i in intervals):
                families = (_family(family, interval=intervals[0]),) * dim
            else:
                families = tuple(_family(family, interval=i) for i in intervals)
        self.families = families
        self.dim = len(families)
        if indices is None:
            if degree is None:
                raise ParameterError("give a degree (with index_set) or explicit indices")
            self.indices = _index_set_checked(index_set, self.dim, degree)
            self.index_set = index_set
        else:
            self.indices = _check_indices(indices, self.dim)
            self.index_set = "custom"
        self.m = self.indices.shape[0]
        self.degrees = self.indices.max(axis=0)
        self.measure = ProductMeasure([f.measure for f in families])

    def __repr__(self):
        names = sorted({f.name for f in self.families})
        return (f"TensorBasis({'/'.join(names)}, dim={self.dim}, m={self.m}, "
                f"index_set={self.index_set!r})")

    def evaluate(self, X):
        """The basis functions at the rows of X, shape (n, m).

        ``X`` has shape (n, d) (or (n,) when d = 1), NumPy or CuPy (the result lives with X).
        """
        xp = namespace(X)
        X = check_points(X, self.dim, xp=xp)
        Phi = None
        for k, fam in enumerate(self.families):
            V = fam.evaluate(X[:, k], int(self.degrees[k]))
            cols = V[:, xp.asarray(self.indices[:, k])]
            Phi = cols if Phi is None else Phi * cols
        return Phi

    def quadrature(self, q):
        """Tensor product of the families' q-node rules (Gauss, or trapezoidal for Fourier):
        exact for ``phi_j phi_l`` when every degree is below q."""
        q = check_int(q, "q", minimum=1)
        return tensor_rule([f.quadrature(q) for f in self.families])

    def sample_christoffel(self, n, seed=None):
        """``n`` i.i.d. points from ``k_m(x) / m dmu(x)``, exactly, shape (n, d).

        ``k_m / m`` is the uniform mixture over j of ``phi_j^2 dmu``, a product of the 1-D
        densities ``phi_{alpha_k}^2 dmu_k``: draw j uniformly, then each coordinate by exact
        inversion of its CDF (:mod:`solvers.lsq.induced`).
        """
        n = check_int(n, "n", minimum=0)
        rng = as_generator(seed)
        j = rng.integers(self.m, size=n)
        X = np.empty((n, self.dim))
        for k, fam in enumerate(self.families):
            X[:, k] = sample_induced(fam, self.indices[j, k], rng)
        return X


def _intervals(interval, dim):
    """One interval (or None) per dimension from ``interval``: None, a pair, or d of them."""
    if interval is None:
        return [None] * dim
    if isinstance(interval, (list, tuple)) and len(interval) and all(
            i is None or isinstance(i, (list, tuple, np.ndarray)) for i in interval):
        if len(interval) != dim:
            raise ParameterError(f"interval must be one pair (a, b) or {dim} of them (one per "
                                 f"dimension); got {len(interval)}")
        return list(interval)
    if np.ndim(interval) == 2:
        if np.shape(interval) != (dim, 2):
            raise ParameterError(f"interval must be one pair (a, b) or {dim} of them (one per "
                                 f"dimension); got shape {np.shape(interval)}")
        return [tuple(row) for row in np.asarray(interval)]
    return [interval] * dim


def _index_set_checked(name, dim, degree):
    if not isinstance(name, str):
        raise ParameterError(f"index_set must be a name; got {name!r}")
    return index_set(name.lower(), dim, degree)


def _check_indices(indices, dim):
    a = np.asarray(indices)
    if a.ndim == 1 and dim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[1] != dim or a.shape[0] == 0:
        raise ShapeError(f"indices must have shape (m, {dim}) with m >= 1; got {a.shape}")
    if a.dtype.kind not in "iu" and not np.all(a == np.round(a)):
        raise ParameterError("indices must be integers")
    a = a.astype(np.int64)
    if a.min() < 0:
        raise ParameterError(f"indices must be >= 0; got a minimum of {a.min()}")
    if len(np.unique(a, axis=0)) != len(a):
        raise ParameterError("indices hold a repeated multi-index")
    return a


class FeatureBasis(Basis):
    """A user's basis: a feature map ``features(X) -> (n, m)`` orthonormal in L^2(mu), with mu
    known through a sampler ``sampler(n, rng) -> (n, dim)``.

    A pool of ``pool_size`` points of mu is drawn once, at construction; it serves to check
    orthonormality and as the candidate set of the samplers: Christoffel points are drawn
    from it with probabilities proportional to ``k_m`` (sampling-importance resampling, exact
    only as the pool grows) and DPP draws are discrete projection DPPs on it.

    The empirical Gram matrix ``G`` of the pool must satisfy
    ``||G - I||_2 <= tol + 3 s``, ``s = ||G_1 - G_2||_2 / 2`` the fluctuation seen between the
    Gram matrices of its two halves; otherwise the features are reported as not orthonormal.

    Parameters
    ----------
    features : callable
        ``features(X)`` with X of shape (n, dim) returns an array of shape (n, m).
    sampler : callable
        ``sampler(n, rng)`` returns n points of mu, shape (n, dim); ``rng`` is a
        ``numpy.random.Generator``.
    dim : int >= 1
    pool_size : int, default 20000
    tol : float, default 0.05
    seed : None, int or numpy.random.Generator
        Draws the pool.

    Examples
    --------
    >>> def features(X):                      # Legendre degree <= 2 on [-1, 1]
    ...     x = X[:, 0]
    ...     return np.stack([np.ones_like(x), 3**0.5 * x, 5**0.5 * (1.5 * x**2 - 0.5)], axis=1)
    >>> B = FeatureBasis(features, lambda n, rng: rng.uniform(-1, 1, (n, 1)), dim=1, seed=0)
    >>> B.m, B.sample_christoffel(4, seed=1).shape
    (3, (4, 1))
    """

    exact = False

    def __init__(self, features, sampler, dim, *, pool_size=20000, tol=0.05, seed=None):
        if not callable(features):
            raise ParameterError(f"features must be callable as features(X); got {features!r}")
        self.features = features
        self.measure = SampledMeasure(sampler, dim)
        self.dim = self.measure.dim
        pool_size = check_int(pool_size, "pool_size", minimum=2)
        tol = float(tol)
        if not tol >= 0:
            raise ParameterError(f"tol must be >= 0; got {tol!r}")
        self.m = None                     # learnt from the first evaluation
        self.pool = self.measure.sample(pool_size, as_generator(seed))
        Phi = self.evaluate(self.pool)
        self.m = Phi.shape[1]
        if pool_size < 2 * self.m:
            raise ParameterError(f"pool_size must be at least 2 m = {2 * self.m} to check "
                                 f"orthonormality; got {pool_size}")
        self.pool_features = Phi
        self.gram_deviation, threshold = _orthonormality(Phi, tol)
        if self.gram_deviation > threshold:
            raise ParameterError(
                f"the features are not orthonormal in L2(mu): on {pool_size} points of the "
                f"sampler, the Gram matrix G = Phi^T Phi / n has ||G - I||_2 = "
                f"{self.gram_deviation:.3g} > {threshold:.3g} (tol={tol} plus 3x the sampling "
                f"fluctuation); orthonormalise them (e.g. Phi R^-1 from a QR of Phi / sqrt(n) "
                f"on a large sample), or raise pool_size if the fluctuation is to blame")

    def __repr__(self):
        return f"FeatureBasis(m={self.m}, dim={self.dim})"

    def evaluate(self, X):
        xp = namespace(X)
        X = check_points(X, self.dim, xp=xp)
        Phi = check_real_array(self.features(X), "features(X)", xp)
        if Phi.ndim != 2 or Phi.shape[0] != X.shape[0] or (self.m is not None
                                                            and Phi.shape[1] != self.m):
            want = f"({X.shape[0]}, {self.m or 'm'})"
            raise ShapeError(f"features(X) must return shape {want} for {X.shape[0]} "
                             f"points; got {tuple(Phi.shape)}")
        if not bool(xp.all(xp.isfinite(Phi))):
            raise NonFiniteError("features(X) returned NaN or infinity")
        return Phi

    def sample_christoffel(self, n, seed=None):
        """``n`` points of the pool drawn with replacement with probabilities proportional to
        ``k_m``: approximately ``k_m / m dmu`` (exact as the pool size grows)."""
        n = check_int(n, "n", minimum=0)
        k = (self.pool_features ** 2).sum(axis=1)
        idx = as_generator(seed).choice(self.pool.shape[0], size=n, p=k / k.sum())
        return self.pool[idx]


def _orthonormality(Phi, tol):
    """``||G - I||_2`` of the pool's Gram matrix and the threshold it is held to."""
    Phi = to_host(Phi)
    n, m = Phi.shape
    half = n // 2
    G = Phi.T @ Phi / n
    G1 = Phi[:half].T @ Phi[:half] / half
    G2 = Phi[half:].T @ Phi[half:] / (n - half)
    dev = float(np.abs(np.linalg.eigvalsh(G - np.eye(m))).max())
    noise = 0.5 * float(np.abs(np.linalg.eigvalsh(G1 - G2)).max())
    return dev, tol + 3.0 * noise
