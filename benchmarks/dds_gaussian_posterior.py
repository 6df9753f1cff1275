"""How far DDS samples are from the true posterior, with an exact Gaussian-prior denoiser.

    python benchmarks/dds_gaussian_posterior.py [--samples 4000]

A correlated Gaussian prior on 3 x 3 images, 4 noiseless random measurements of a draw. The
posterior is Gaussian with a closed-form mean and covariance; the sampler's samples (exact
data consistency: 9 CG steps) are compared with them for both noise rules and several step
counts: relative error of the sample mean, of the sample covariance, and the largest data
residual. DDS is an approximate posterior sampler; this reports the gap.
"""

from __future__ import annotations

import argparse

import numpy as np

from solvers.diffusion import GaussianPriorDenoiser, MatrixOperator, dds_sample


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = 9
    L = 0.3 * rng.standard_normal((n, n))
    cov = L @ L.T + 0.5 * np.eye(n)
    mean = rng.standard_normal(n)
    M = rng.standard_normal((4, n))
    y = M @ (mean + np.linalg.cholesky(cov) @ rng.standard_normal(n))
    gain = cov @ M.T @ np.linalg.inv(M @ cov @ M.T)
    post_mean, post_cov = mean + gain @ (y - M @ mean), cov - gain @ M @ cov
    A, prior = MatrixOperator(M, (3, 3)), GaussianPriorDenoiser(mean.reshape(3, 3), cov)
    Y = np.broadcast_to(y, (args.samples, 4)).copy()
    print(f"{args.samples} samples; errors relative to |posterior mean - prior mean| and "
          f"|posterior covariance|")
    print(f"{'rule':<6}{'eta':>5}{'steps':>7}{'mean error':>12}{'cov error':>11}"
          f"{'max residual':>14}")
    for rule, eta in (("ddim", 1.0), ("dds", 0.85), ("dds", 1.0)):
        for steps in (20, 50, 200):
            s = dds_sample(A, Y, prior, steps=steps, eta=eta, maxiter=n, rtol=0.0,
                           atol=1e-5, seed=1, noise_rule=rule)
            X = s.x.reshape(args.samples, n)
            mean_error = np.linalg.norm(X.mean(0) - post_mean) / np.linalg.norm(post_mean - mean)
            cov_error = np.linalg.norm(np.cov(X.T) - post_cov) / np.linalg.norm(post_cov)
            print(f"{rule:<6}{eta:5.2f}{steps:7d}{mean_error:12.4f}{cov_error:11.3f}"
                  f"{s.data_residuals.max():14.2e}")


if __name__ == "__main__":
    main()
