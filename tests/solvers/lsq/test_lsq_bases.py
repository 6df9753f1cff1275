"""solvers/lsq/bases.py: tensor bases against SciPy-built references, orthonormality against
NumPy's tensor Gauss rules, and a user's feature basis."""

import numpy as np
import pytest
from lsq_reference import tensor_gauss, tensor_phi
from numpy.polynomial import Legendre as NumpyLegendre

from solvers import NonFiniteError, ParameterError, ShapeError
from solvers.backend import gpu_available
from solvers.lsq import FeatureBasis, Fourier, TensorBasis, index_set

CASES = [
    (("legendre",), "total", 12),
    (("hermite",), "total", 12),
    (("legendre", "legendre"), "total", 8),
    (("chebyshev", "chebyshev"), "hyperbolic", 9),
    (("hermite", "hermite", "hermite"), "total", 5),
    (("legendre", "hermite", "fourier"), "full", 3),
    (("legendre",) * 4, "hyperbolic", 6),
]
IDS = [f"{'-'.join(n)}-{s}-{p}" for n, s, p in CASES]


@pytest.mark.parametrize("names, kind, p", CASES, ids=IDS)
def test_tensor_basis_is_orthonormal_against_gauss(names, kind, p):
    B = TensorBasis(list(names), degree=p, index_set=kind)
    assert B.dim == len(names) and B.m == len(index_set(kind, len(names), p))
    X, w = tensor_gauss(names, p + 2)
    Phi = B.evaluate(X)
    assert np.abs(Phi.T @ (w[:, None] * Phi) - np.eye(B.m)).max() < 1e-12
    # the Christoffel function integrates to m
    assert abs(w @ B.christoffel(X) - B.m) < 1e-10 * B.m


@pytest.mark.parametrize("names, kind, p", CASES, ids=IDS)
def test_tensor_basis_values_match_scipy(names, kind, p):
    B = TensorBasis(list(names), degree=p, index_set=kind)
    X = np.random.default_rng(0).uniform(0, 0.9, size=(30, len(names)))
    ref = tensor_phi(names, B.indices, X)
    assert np.allclose(B.evaluate(X), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    assert np.allclose(B.christoffel(X), (ref ** 2).sum(axis=1), rtol=1e-12)


def test_same_family_in_every_dimension_and_custom_indices():
    B = TensorBasis("legendre", 3, dim=2)
    assert B.m == 10 and B.dim == 2
    C = TensorBasis("legendre", dim=2, indices=[[0, 0], [2, 1], [0, 5]])
    X = np.random.default_rng(1).uniform(-1, 1, (7, 2))
    assert np.allclose(C.evaluate(X), tensor_phi(("legendre",) * 2, C.indices, X))
    assert C.index_set == "custom" and C.m == 3
    F = TensorBasis(Fourier(interval=(-1, 1)), 4)
    assert F.measure.factors[0].a == -1.0


def test_one_dimensional_points_may_be_a_vector():
    B = TensorBasis("hermite", 4)
    x = np.linspace(-2, 2, 5)
    assert np.array_equal(B.evaluate(x), B.evaluate(x[:, None]))


@pytest.mark.parametrize("kwargs, match", [
    (dict(family="legendre", degree=-1), "degree must be an integer >= 0; got -1"),
    (dict(family="legendre", degree=2, dim=0), "dim must be an integer >= 1; got 0"),
    (dict(family="legendre", degree=1.5), "degree must be an integer"),
    (dict(family="legendre"), "give a degree"),
    (dict(family=["legendre", "hermite"], degree=2, dim=3), "dim=3 but 2 families"),
    (dict(family="legendre", degree=2, index_set="weird"), "index_set must be one of"),
    (dict(family="bessel", degree=2), "family must be one of"),
    (dict(family="legendre", dim=2, indices=[[0, 0], [0, 0]]), "repeated"),
    (dict(family="legendre", dim=2, indices=[[0, -1]]), ">= 0"),
])
def test_bad_tensor_bases(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        TensorBasis(**kwargs)


def test_an_interval_for_every_dimension_or_one_each():
    B = TensorBasis("chebyshev", 3, dim=2, interval=(0, 4))
    assert [f.interval for f in B.families] == [(0.0, 4.0)] * 2
    assert [(m.a, m.b) for m in B.measure.factors] == [(0.0, 4.0)] * 2
    C = TensorBasis(["legendre", "hermite", "fourier"], 2, interval=[(1, 2), None, (0, 3)])
    assert C.families[0].interval == (1.0, 2.0) and C.families[2].interval == (0.0, 3.0)
    D = TensorBasis("legendre", 2, dim=2, interval=np.array([[0, 1], [5, 6]]))
    X = D.measure.sample(500, seed=0)
    assert X[:, 0].min() >= 0 and X[:, 0].max() <= 1 and X[:, 1].min() >= 5
    # the tensor values are products of NumPy's series with a domain
    x = np.array([[0.25, 5.5]])
    want = [np.sqrt((2 * i + 1) * (2 * j + 1)) * NumpyLegendre.basis(i, domain=[0, 1])(0.25)
            * NumpyLegendre.basis(j, domain=[5, 6])(5.5) for i, j in D.indices]
    assert np.allclose(D.evaluate(x)[0], want, rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(family="hermite", degree=2, interval=(0, 1)), "whole real line"),
    (dict(family="legendre", degree=2, dim=2, interval=[(0, 1)] * 3), "one per dimension"),
    (dict(family="legendre", degree=2, interval=(1, 0)), "interval must have finite a < b"),
    (dict(family=Fourier(), degree=2, interval=(0, 2)), "already has its own"),
])
def test_bad_intervals(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        TensorBasis(**kwargs)


def test_indices_of_the_wrong_shape():
    with pytest.raises(ShapeError, match=r"indices must have shape \(m, 2\)"):
        TensorBasis("legendre", dim=2, indices=[[0, 1, 2]])


def test_points_of_the_wrong_shape_or_not_finite():
    B = TensorBasis("legendre", 3, dim=2)
    with pytest.raises(ShapeError, match=r"X must have shape \(n, 2\).*got shape \(4, 3\)"):
        B.evaluate(np.zeros((4, 3)))
    with pytest.raises(NonFiniteError, match="NaN"):
        B.evaluate(np.array([[0.0, np.nan]]))


def _legendre_features(X):
    return TensorBasis("legendre", 4).evaluate(X)


def _uniform(n, rng):
    return rng.uniform(-1, 1, (n, 1))


def test_feature_basis_accepts_orthonormal_features():
    B = FeatureBasis(_legendre_features, _uniform, dim=1, seed=0)
    assert B.m == 5 and not B.exact and B.gram_deviation < 0.1
    X = np.linspace(-1, 1, 9)[:, None]
    assert np.array_equal(B.evaluate(X), _legendre_features(X))


@pytest.mark.parametrize("features", [
    lambda X: X[:, :1] ** np.arange(5),                        # monomials
    lambda X: 2.0 * _legendre_features(X),                      # wrong scale
    lambda X: _legendre_features(X)[:, [0, 1, 1, 2]],           # a repeated function
])
def test_feature_basis_rejects_non_orthonormal_features(features):
    with pytest.raises(ParameterError, match=r"not orthonormal in L2\(mu\).*\|\|G - I\|\|_2 = "):
        FeatureBasis(features, _uniform, dim=1, seed=0)


def test_feature_basis_catches_wrong_outputs():
    with pytest.raises(ShapeError, match="features"):
        FeatureBasis(lambda X: X[:, 0], _uniform, dim=1, seed=0)
    with pytest.raises(NonFiniteError, match="features"):
        FeatureBasis(lambda X: np.where(X > 0, np.inf, X), _uniform, dim=1, seed=0)
    with pytest.raises(ShapeError, match=r"must return shape \(10, 2\)"):
        FeatureBasis(_legendre_features, _uniform, dim=2, pool_size=10, seed=0)


@pytest.mark.gpu
@pytest.mark.skipif(not gpu_available(), reason="needs CuPy and a usable NVIDIA GPU")
def test_evaluation_on_cupy_arrays():
    import cupy

    B = TensorBasis(["legendre", "hermite", "fourier"], 4)
    X = np.random.default_rng(0).uniform(0, 1, (50, 3))
    out = B.evaluate(cupy.asarray(X))
    assert isinstance(out, cupy.ndarray)
    assert np.allclose(out.get(), B.evaluate(X), rtol=1e-12, atol=1e-12)
