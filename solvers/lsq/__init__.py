"""Weighted least squares with optimal sampling and determinantal point processes.

Approximation of f in ``V_m = span(phi_1..phi_m)``, phi orthonormal in L^2(mu), from n
evaluations, after Nouy & Michel (arXiv 2312.14057): i.i.d. Christoffel sampling, projection
DPPs, volume-rescaled and repeated DPP sampling, and boosted least squares.

Examples
--------
>>> import numpy as np
>>> from solvers import lsq
>>> B = lsq.TensorBasis("legendre", degree=10)
>>> r = lsq.fit(lambda X: 1 / (1 + 5 * X[:, 0] ** 2), B, n=60, sampler="volume", seed=0)
>>> best = lsq.best_approximation(lambda X: 1 / (1 + 5 * X[:, 0] ** 2), B)
>>> err = lsq.l2_error(lambda X: 1 / (1 + 5 * X[:, 0] ** 2), r, lsq.reference_rule(B))
>>> bool(err < 3 * best.error)
True
"""

from .bases import Basis, FeatureBasis, TensorBasis
from .boosted import bowls_sample_size
from .error import BestApproximation, QuadratureRule, best_approximation, l2_error, reference_rule
from .families import Chebyshev, Fourier, Hermite, Legendre, family
from .fit import LeastSquaresFit, RankDeficientError, fit, fit_data
from .index_sets import INDEX_SETS, index_set
from .measures import Arcsine, Gaussian, ProductMeasure, SampledMeasure, Uniform
from .samplers import SAMPLERS, WeightedSample, default_sample_size, sample

__all__ = [
    "fit", "fit_data", "LeastSquaresFit", "RankDeficientError", "sample", "WeightedSample",
    "SAMPLERS", "default_sample_size",
    "bowls_sample_size", "Basis", "TensorBasis", "FeatureBasis", "index_set", "INDEX_SETS",
    "family", "Legendre", "Hermite", "Chebyshev", "Fourier",
    "Uniform", "Gaussian", "Arcsine", "ProductMeasure", "SampledMeasure",
    "reference_rule", "QuadratureRule", "l2_error", "best_approximation", "BestApproximation",
]


def __getattr__(name):
    """The deprecated names ``Sample`` and ``METHODS`` (one release, with a warning)."""
    from .samplers import deprecated_name

    return deprecated_name(__name__, name)
