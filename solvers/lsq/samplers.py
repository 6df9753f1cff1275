"""One entry point for every sampling method: ``sample(basis, n, method, seed=...)``.

Every method returns points and the weights of the weighted least-squares problem:
``w = m / k_m(x)`` (k_m the Christoffel function), except Monte Carlo, whose weights are 1
(plain least squares on points of mu).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError
from ._validate import as_generator, check_int, check_points
from .boosted import boosted, bowls_sample_size
from .dpp import discrete_dpp, projection_dpp

METHODS = ("mc", "christoffel", "dpp", "discrete-dpp", "volume", "repeated-dpp", "boosted")
_OPTIONS = {"mc": (), "christoffel": (), "dpp": (), "volume": (), "repeated-dpp": (),
            "discrete-dpp": ("pool", "pool_size"),
            "boosted": ("n_candidates", "delta", "max_rounds", "shortlist", "eta")}


@dataclass
class Sample:
    """Points, their weights, and what the sampler reports.

    Attributes
    ----------
    points : ndarray, shape (n, d)
    weights : ndarray, shape (n,)
    method : str
    info : dict
        E.g. ``proposals`` (DPP chain-rule proposals), ``draws`` (repeated DPP), the boosted
        sampler's ``delta`` and deviations (:func:`solvers.lsq.boosted.boosted`).
    """

    points: np.ndarray
    weights: np.ndarray
    method: str
    info: dict = field(default_factory=dict)

    @property
    def n(self):
        return self.points.shape[0]


def default_sample_size(m, method, **options):
    """The n used when none is given: m for the DPPs, the BOWLS size for ``"boosted"``
    (:func:`bowls_sample_size`), else ``max(m, ceil(2 m log m))``.

    Examples
    --------
    >>> default_sample_size(11, "christoffel"), default_sample_size(11, "dpp")
    (53, 11)
    """
    if method in ("dpp", "discrete-dpp"):
        return m
    if method == "boosted":
        return bowls_sample_size(m, options.get("delta", 0.9), options.get("eta", 0.01))
    return max(m, int(math.ceil(2 * m * math.log(m))))


def sample(basis, n=None, method="christoffel", *, seed=None, **options):
    """Draw points for weighted least squares in the span of ``basis``.

    Parameters
    ----------
    basis : TensorBasis or FeatureBasis
    n : int, optional
        Number of points; default :func:`default_sample_size`.
    method : str
        * ``"mc"``: i.i.d. from mu, weights 1.
        * ``"christoffel"``: i.i.d. from ``k_m / m dmu`` (optimal sampling), exact for a
          tensor basis (inverse CDFs), resampled from the pool for a feature basis.
        * ``"dpp"``: the projection DPP of the basis, exactly m points (n must be None or m);
          continuous chain rule for a tensor basis, discrete on the pool for a feature basis.
        * ``"discrete-dpp"``: the discrete projection DPP on a candidate pool: ``pool``
          (points, shape (N, d)) or ``pool_size`` points of mu (default ``max(4096, 50 m)``;
          a feature basis's own pool when neither is given); exactly m points.
        * ``"volume"``: volume-rescaled sampling, n >= m: m DPP points and n - m i.i.d.
          Christoffel points, in random order.
        * ``"repeated-dpp"``: the union of ``ceil(n / m)`` independent DPP draws, n >= m;
          when m does not divide n the last draw is cut to its first ``n mod m`` chain-rule
          points (a uniformly random subset of that draw), so exactly n points come back.
        * ``"boosted"``: :func:`solvers.lsq.boosted.boosted` (options ``n_candidates``,
          ``delta``, ``max_rounds``, ``shortlist``; default n from ``delta`` and ``eta``);
          returns n or fewer points.
    seed : None, int or numpy.random.Generator
    **options
        Method options, as listed above.

    Returns
    -------
    Sample

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> B = TensorBasis("legendre", degree=4, dim=2)
    >>> s = sample(B, 30, "volume", seed=0)
    >>> s.points.shape, bool(np.allclose(s.weights, B.m / B.christoffel(s.points)))
    ((30, 2), True)
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}; got {method!r}")
    unknown = sorted(set(options) - set(_OPTIONS[method]))
    if unknown:
        raise ParameterError(f"method {method!r} takes the options {_OPTIONS[method] or 'none'}; "
                             f"got {unknown}")
    m = basis.m
    n = default_sample_size(m, method, **options) if n is None else check_int(n, "n", minimum=1)
    if method in ("dpp", "discrete-dpp") and n != m:
        raise ParameterError(f"method {method!r} draws exactly m = {m} points; got n={n} "
                             f"(use 'volume' or 'repeated-dpp' for more)")
    if method in ("volume", "repeated-dpp", "boosted") and n < m:
        raise ParameterError(f"method {method!r} needs n >= m; got n={n} < m={m}")
    rng = as_generator(seed)
    info = {}
    if method == "mc":
        X = basis.measure.sample(n, rng)
        return Sample(X, np.ones(n), method, info)
    if method == "christoffel":
        X = basis.sample_christoffel(n, rng)
    elif method == "dpp":
        X, info["proposals"] = projection_dpp(basis, rng)
    elif method == "discrete-dpp":
        X = _discrete(basis, rng, info, **options)
    elif method == "volume":
        dpp_points, info["proposals"] = projection_dpp(basis, rng)
        X = np.concatenate([dpp_points, basis.sample_christoffel(n - m, rng)])
        X = X[rng.permutation(n)]
    elif method == "repeated-dpp":
        draws, info["proposals"] = [], 0
        for start in range(0, n, m):
            points, proposals = projection_dpp(basis, rng, size=min(m, n - start))
            draws.append(points)
            info["proposals"] += proposals
        info["draws"] = len(draws)
        X = np.concatenate(draws)
    else:
        options.pop("eta", None)
        X, w, info = boosted(basis, n, rng, **options)
        return Sample(X, w, method, info)
    return Sample(X, m / basis.christoffel(X), method, info)


def _discrete(basis, rng, info, pool=None, pool_size=None):
    if pool is not None and pool_size is not None:
        raise ParameterError("give pool or pool_size, not both")
    if pool is not None:
        pool = check_points(pool, basis.dim, name="pool")
        Phi = basis.evaluate(pool)
    elif pool_size is None and not basis.exact:
        pool, Phi = basis.pool, basis.pool_features
    else:
        size = max(4096, 50 * basis.m) if pool_size is None else \
            check_int(pool_size, "pool_size", minimum=basis.m)
        pool = basis.measure.sample(size, rng)
        Phi = basis.evaluate(pool)
    info["pool_size"] = pool.shape[0]
    return pool[discrete_dpp(Phi, rng)]
