"""solvers/lsq/error.py: reference rules and L^2(mu) errors against closed forms."""

import math

import numpy as np
import pytest
from scipy import special

from problems import runge, smooth_5d
from solvers.lsq import FeatureBasis, TensorBasis, best_approximation, l2_error, reference_rule


def test_runge_norm_closed_form():
    # ||1 / (1 + a x^2)||^2 on U(-1, 1) = 1 / (2 (1 + a)) + arctan(sqrt a) / (2 sqrt a)
    rule = reference_rule(TensorBasis("legendre", 10))
    assert rule.kind == "gauss"
    for a in (5.0, 25.0):
        exact = 1 / (2 * (1 + a)) + math.atan(math.sqrt(a)) / (2 * math.sqrt(a))
        got = l2_error(lambda X, a=a: runge(X, a), lambda X: 0 * X[:, 0], rule) ** 2
        assert got == pytest.approx(exact, rel=1e-13)


def test_best_approximation_of_runge_matches_legendre_coefficients():
    # <f, phi_k> by adaptive quadrature: error^2 = ||f||^2 - sum_k <f, phi_k>^2
    from scipy import integrate

    a = 25.0
    coef = [integrate.quad(lambda x, k=k: math.sqrt(2 * k + 1) * special.eval_legendre(k, x)
                           / (1 + a * x * x) / 2, -1, 1, epsabs=1e-14, limit=200)[0]
            for k in range(11)]
    norm2 = 1 / (2 * (1 + a)) + math.atan(math.sqrt(a)) / (2 * math.sqrt(a))
    best = best_approximation(runge, TensorBasis("legendre", 10))
    assert np.allclose(best.coefficients, coef, atol=1e-13)
    assert best.error == pytest.approx(math.sqrt(norm2 - np.sum(np.square(coef))), rel=1e-9)
    assert best.norm == pytest.approx(math.sqrt(norm2), rel=1e-13)


def test_hermite_projection_of_a_polynomial_is_exact():
    B = TensorBasis("hermite", 3, dim=2)
    f = lambda X: X[:, 0] ** 2 * X[:, 1] + X[:, 1] ** 3  # noqa: E731
    best = best_approximation(f, B)
    assert best.error < 1e-12
    # x^3 = He_3 + 3 He_1 -> norm^2 = 3! + 9; x^2 y = (He_2 + 1) He_1 -> 2 + 1; cross = 3
    assert best.norm ** 2 == pytest.approx(6 + 9 + 2 + 1 + 2 * 3, rel=1e-12)


def test_monte_carlo_rule_in_five_dimensions():
    B = TensorBasis("legendre", 3, dim=5)
    rule = reference_rule(B)
    assert rule.kind == "monte-carlo" and rule.nodes.shape == (1 << 17, 5)
    exact = (math.sqrt(math.pi * 5 / 8) * math.erf(math.sqrt(2 / 5))) ** 5
    got = l2_error(smooth_5d, lambda X: 0 * X[:, 0], rule) ** 2
    assert got == pytest.approx(exact, rel=5e-3)
    best = best_approximation(smooth_5d, B, reference_rule(B, n=1 << 14))
    assert 0 < best.error < 0.05 * best.norm


def test_feature_basis_uses_monte_carlo():
    B = FeatureBasis(lambda X: TensorBasis("legendre", 2).evaluate(X),
                     lambda n, rng: rng.uniform(-1, 1, (n, 1)), dim=1, seed=0)
    rule = reference_rule(B, n=5000)
    assert rule.kind == "monte-carlo" and rule.nodes.shape == (5000, 1)
