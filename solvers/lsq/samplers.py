"""One entry point for every sampler: ``sample(basis, n, sampler, seed=...)``.

Every sampler returns points and the weights of the weighted least-squares problem:
``w = m / k_m(x)`` (k_m the Christoffel function), except Monte Carlo, whose weights are 1
(plain least squares on points of mu).

Deprecated names, working for one release with a ``DeprecationWarning``: ``Sample`` (now
:class:`WeightedSample`, as :mod:`solvers.diffusion` has a ``Sample`` of its own),
``METHODS`` (now :data:`SAMPLERS`), ``sample(method=...)`` (now ``sampler=``), the boosted
sampler's ``max_rounds`` (now ``maxiter``) and ``WeightedSample.method`` (now ``.sampler``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_generator
from ..errors import ParameterError
from ._validate import check_int, check_points
from .boosted import boosted, bowls_sample_size
from .dpp import discrete_dpp, projection_dpp

SAMPLERS = ("mc", "christoffel", "dpp", "discrete-dpp", "volume", "repeated-dpp", "boosted")
"""The names :func:`sample` and :func:`solvers.lsq.fit` take as ``sampler``."""

_OPTIONS = {"mc": (), "christoffel": (), "dpp": (), "volume": (), "repeated-dpp": (),
            "discrete-dpp": ("pool", "pool_size"),
            "boosted": ("n_candidates", "delta", "maxiter", "shortlist", "eta")}
_RENAMED_OPTIONS = {"max_rounds": "maxiter"}
_DEPRECATED_NAMES = {"Sample": "WeightedSample", "METHODS": "SAMPLERS"}


def _renamed(value, old_value, old, new, *, stacklevel=3, default=None):
    """The value of keyword ``new``, taking a deprecated ``old`` spelling into account.

    ``old_value`` (None when the caller did not use ``old``) wins over ``value`` when
    ``value`` is still ``default``, with a ``DeprecationWarning``; both given differently
    is a :class:`ParameterError`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _renamed("christoffel", "dpp", "method", "sampler", default="christoffel")
    'dpp'
    >>> caught[0].category.__name__
    'DeprecationWarning'
    """
    if old_value is None:
        return value
    warnings.warn(f"the keyword {old}= is deprecated and will be removed in the next "
                  f"release; use {new}=", DeprecationWarning, stacklevel=stacklevel)
    if value != default and value != old_value:
        raise ParameterError(f"give {new} alone; got {new}={value!r} and the deprecated "
                             f"{old}={old_value!r}")
    return old_value


def _renamed_options(options, *, stacklevel=3):
    """``options`` with deprecated option names (``max_rounds``) spelt anew, with a warning."""
    options = dict(options)
    for old, new in _RENAMED_OPTIONS.items():
        if old in options:
            options[new] = _renamed(options.get(new), options.pop(old), old, new,
                                   stacklevel=stacklevel + 1)
    return options


@dataclass
class WeightedSample:
    """Points, their weights, and what the sampler reports.

    Attributes
    ----------
    points : ndarray, shape (n, d)
    weights : ndarray, shape (n,)
    sampler : str
        The sampler's name (one of :data:`SAMPLERS`).
    info : dict
        E.g. ``proposals`` (DPP chain-rule proposals), ``draws`` (repeated DPP), the boosted
        sampler's ``delta`` and deviations (:func:`solvers.lsq.boosted.boosted`).

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> s = sample(TensorBasis("legendre", 3), 8, "christoffel", seed=0)
    >>> s.n, s.sampler
    (8, 'christoffel')
    """

    points: np.ndarray
    weights: np.ndarray
    sampler: str
    info: dict = field(default_factory=dict)

    @property
    def n(self):
        return self.points.shape[0]

    @property
    def method(self):
        """Deprecated spelling of :attr:`sampler`."""
        warnings.warn("WeightedSample.method is deprecated and will be removed in the next "
                      "release; use .sampler", DeprecationWarning, stacklevel=2)
        return self.sampler


def deprecated_name(module, name, *, stacklevel=3):
    """What the deprecated ``name`` of ``module`` stands for, with a ``DeprecationWarning``
    (a module's ``__getattr__``: ``Sample`` and ``METHODS``)."""
    new = _DEPRECATED_NAMES.get(name)
    if new is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    warnings.warn(f"solvers.lsq.{name} is deprecated and will be removed in the next "
                  f"release; use solvers.lsq.{new}", DeprecationWarning, stacklevel=stacklevel)
    return globals()[new]


def __getattr__(name):
    return deprecated_name(__name__, name)


def default_sample_size(m, sampler, **options):
    """The n used when none is given: m for the DPPs, the BOWLS size for ``"boosted"``
    (:func:`bowls_sample_size`), else ``max(m, ceil(2 m log m))``.

    Examples
    --------
    >>> default_sample_size(11, "christoffel"), default_sample_size(11, "dpp")
    (53, 11)
    """
    if sampler in ("dpp", "discrete-dpp"):
        return m
    if sampler == "boosted":
        return bowls_sample_size(m, options.get("delta", 0.9), options.get("eta", 0.01))
    return max(m, int(math.ceil(2 * m * math.log(m))))


def sample(basis, n=None, sampler="christoffel", *, seed=None, **options):
    """Draw points for weighted least squares in the span of ``basis``.

    Parameters
    ----------
    basis : TensorBasis or FeatureBasis
    n : int, optional
        Number of points; default :func:`default_sample_size`.
    sampler : str
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
          ``delta``, ``maxiter``, ``shortlist``; default n from ``delta`` and ``eta``);
          returns n or fewer points.

        The keyword was ``method`` before; that spelling still works for one release, with a
        ``DeprecationWarning`` (as does the boosted option ``max_rounds`` for ``maxiter``).
    seed : None, int or numpy.random.Generator
    **options
        Sampler options, as listed above.

    Returns
    -------
    WeightedSample

    Examples
    --------
    >>> from solvers.lsq import TensorBasis
    >>> B = TensorBasis("legendre", degree=4, dim=2)
    >>> s = sample(B, 30, sampler="volume", seed=0)
    >>> s.points.shape, bool(np.allclose(s.weights, B.m / B.christoffel(s.points)))
    ((30, 2), True)
    """
    sampler = _renamed(sampler, options.pop("method", None), "method", "sampler",
                      default="christoffel")
    options = _renamed_options(options)
    return _draw(basis, n, sampler, seed, options)


def _draw(basis, n, sampler, seed, options):
    """:func:`sample` with its keywords already spelt anew."""
    if not isinstance(sampler, str) or sampler not in SAMPLERS:
        raise ParameterError(f"sampler must be one of {SAMPLERS}; got {sampler!r}")
    unknown = sorted(set(options) - set(_OPTIONS[sampler]))
    if unknown:
        raise ParameterError(f"sampler {sampler!r} takes the options "
                             f"{_OPTIONS[sampler] or 'none'}; got {unknown}")
    m = basis.m
    n = default_sample_size(m, sampler, **options) if n is None else \
        check_int(n, "n", minimum=1)
    if sampler in ("dpp", "discrete-dpp") and n != m:
        raise ParameterError(f"sampler {sampler!r} draws exactly m = {m} points; got n={n} "
                             f"(use 'volume' or 'repeated-dpp' for more)")
    if sampler in ("volume", "repeated-dpp", "boosted") and n < m:
        raise ParameterError(f"sampler {sampler!r} needs n >= m; got n={n} < m={m}")
    rng = as_generator(seed)
    info = {}
    if sampler == "mc":
        X = basis.measure.sample(n, rng)
        return WeightedSample(X, np.ones(n), sampler, info)
    if sampler == "christoffel":
        X = basis.sample_christoffel(n, rng)
    elif sampler == "dpp":
        X, info["proposals"] = projection_dpp(basis, rng)
    elif sampler == "discrete-dpp":
        X = _discrete(basis, rng, info, **options)
    elif sampler == "volume":
        dpp_points, info["proposals"] = projection_dpp(basis, rng)
        X = np.concatenate([dpp_points, basis.sample_christoffel(n - m, rng)])
        X = X[rng.permutation(n)]
    elif sampler == "repeated-dpp":
        draws, info["proposals"] = [], 0
        for start in range(0, n, m):
            points, proposals = projection_dpp(basis, rng, size=min(m, n - start))
            draws.append(points)
            info["proposals"] += proposals
        info["draws"] = len(draws)
        X = np.concatenate(draws)
    else:
        options = dict(options)
        options.pop("eta", None)
        X, w, info = boosted(basis, n, rng, **options)
        return WeightedSample(X, w, sampler, info)
    return WeightedSample(X, m / basis.christoffel(X), sampler, info)


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
