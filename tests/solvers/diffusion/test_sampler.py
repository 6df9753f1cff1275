"""The DDS sampler against closed forms: a Gaussian prior makes every quantity computable."""

import numpy as np
import pytest

from problems.mri import birdcage_maps, line_mask
from solvers import ParameterError
from solvers.diffusion import (
    GaussianPriorDenoiser,
    MatrixOperator,
    MRIOperator,
    VPDenoiser,
    VPSchedule,
    dds_sample,
)

N_PIXELS = 9


@pytest.fixture(scope="module")
def gaussian():
    """A correlated Gaussian prior on 3 x 3 images and 4 noiseless measurements of a draw."""
    rng = np.random.default_rng(0)
    L = 0.3 * rng.standard_normal((N_PIXELS, N_PIXELS))
    cov = L @ L.T + 0.5 * np.eye(N_PIXELS)
    mean = rng.standard_normal(N_PIXELS)
    M = rng.standard_normal((4, N_PIXELS))
    y = M @ (mean + np.linalg.cholesky(cov) @ rng.standard_normal(N_PIXELS))
    gain = cov @ M.T @ np.linalg.inv(M @ cov @ M.T)
    return {"mean": mean, "cov": cov, "M": M, "y": y,
            "post_mean": mean + gain @ (y - M @ mean), "post_cov": cov - gain @ M @ cov,
            "prior": GaussianPriorDenoiser(mean.reshape(3, 3), cov)}


@pytest.mark.parametrize("t", [0, 200, 600, 999])
def test_tweedie_equals_the_score_formula(gaussian, t):
    """E[x0 | xt] = (xt + (1 - a) grad log p_t(xt)) / sqrt(a), with the marginal
    p_t = N(sqrt(a) mu, a C + (1 - a) I)."""
    a = float(VPSchedule().alpha_bar[t])
    mean, cov = gaussian["mean"], gaussian["cov"]
    x_t = np.random.default_rng(t).standard_normal((5, N_PIXELS))
    marginal = a * cov + (1 - a) * np.eye(N_PIXELS)
    score = -np.linalg.solve(marginal, (x_t - np.sqrt(a) * mean).T).T
    expected = (x_t + (1 - a) * score) / np.sqrt(a)
    got = gaussian["prior"](x_t.reshape(5, 3, 3), t).reshape(5, N_PIXELS)
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-10)
    diagonal = GaussianPriorDenoiser(np.zeros(3), np.array([0.5, 1.0, 2.0]))
    v = np.array([0.5, 1.0, 2.0])
    assert np.allclose(diagonal.tweedie(np.ones(3), a), np.sqrt(a) * v / (a * v + 1 - a))


def test_without_measurements_ancestral_sampling_reproduces_the_prior(gaussian):
    count = 20_000
    s = dds_sample(None, None, gaussian["prior"], shape=(count, 3, 3), steps=500, eta=1.0,
                   seed=1, noise_rule="ddim")
    X = s.x.reshape(count, N_PIXELS)
    cov = gaussian["cov"]
    standard_errors = np.sqrt(np.diag(cov) / count)
    assert np.all(np.abs(X.mean(axis=0) - gaussian["mean"]) <= 5 * standard_errors)
    assert np.linalg.norm(np.cov(X.T) - cov) <= 0.05 * np.linalg.norm(cov)


def test_the_dds_noise_rule_at_eta_one_loses_variance(gaussian):
    """Documented: the paper's rule is a reconstruction heuristic, not a prior sampler."""
    count = 4000
    s = dds_sample(None, None, gaussian["prior"], shape=(count, 3, 3), steps=200, eta=1.0,
                   seed=2, noise_rule="dds")
    ratio = np.trace(np.cov(s.x.reshape(count, N_PIXELS).T)) / np.trace(gaussian["cov"])
    assert ratio < 0.8


def test_with_measurements_samples_are_consistent_and_the_mean_approaches_the_posterior(
        gaussian):
    count = 4000
    A = MatrixOperator(gaussian["M"], (3, 3))
    y = np.broadcast_to(gaussian["y"], (count, 4)).copy()
    errors = []
    for steps in (20, 50, 200):
        s = dds_sample(A, y, gaussian["prior"], steps=steps, eta=0.85, maxiter=N_PIXELS,
                       seed=3)
        assert s.data_residuals.max() <= 1e-4 * np.linalg.norm(gaussian["y"])
        mean = s.x.reshape(count, N_PIXELS).mean(axis=0)
        errors.append(np.linalg.norm(mean - gaussian["post_mean"])
                      / np.linalg.norm(gaussian["post_mean"] - gaussian["mean"]))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.08


def test_the_same_seed_gives_the_same_samples(gaussian):
    A = MatrixOperator(gaussian["M"], (3, 3))
    one = dds_sample(A, gaussian["y"], gaussian["prior"], steps=10, seed=7)
    two = dds_sample(A, gaussian["y"], gaussian["prior"], steps=10, seed=7)
    other = dds_sample(A, gaussian["y"], gaussian["prior"], steps=10, seed=8)
    assert np.array_equal(one.x, two.x) and not np.array_equal(one.x, other.x)
    assert one.info["denoiser_calls"] == 10


def test_complex_mri_batches_run_with_a_plain_gaussian_denoiser():
    A = MRIOperator(birdcage_maps(4, (16, 16)), line_mask((16, 16), 4, seed=0))
    truth = np.random.default_rng(0).standard_normal((2, 16, 16)) + 0j
    y = A.forward(truth)
    calls = []
    shrink = VPDenoiser(lambda image, sigma: calls.append(sigma) or image / (1 + sigma ** 2))
    s = dds_sample(A, y, shrink, steps=8, maxiter=3, seed=0, progress=lambda k: None)
    assert s.x.shape == (2, 16, 16) and np.iscomplexobj(s.x)
    assert len(calls) == 8 and calls[0] > calls[-1]
    assert s.data_residuals.shape == (2,)


def test_bad_arguments_are_refused(gaussian):
    A = MatrixOperator(gaussian["M"], (3, 3))
    with pytest.raises(ParameterError, match="eta"):
        dds_sample(A, gaussian["y"], gaussian["prior"], eta=1.5)
    with pytest.raises(ParameterError, match="noise_rule"):
        dds_sample(A, gaussian["y"], gaussian["prior"], noise_rule="other")
    with pytest.raises(ParameterError, match="shape"):
        dds_sample(None, None, gaussian["prior"])
    with pytest.raises(ParameterError, match="both"):
        dds_sample(None, gaussian["y"], gaussian["prior"])
