"""Tuning DDS over a series of MRI reconstructions: how many CG steps per update.

    python benchmarks/experiment_recon_tuning.py [--slices 60] [--size 64] [--steps 20]

A series of acquisitions: ``--slices`` random-ellipse phantoms, 8-coil MRI at 4x, each with
its own noise level (uniform in [0.005, 0.05] of the data's RMS, known to the scanner). Each
is reconstructed by DDS (TV denoiser, ``--steps`` steps) with k CG steps per
data-consistency update, k in ARMS. The cost of a reconstruction is its wall-clock in
milliseconds, plus, when its data residual misses the noise level (the discrepancy
principle: ``||A x - y|| > TAU sigma sqrt(m)``, too little fit), the wall-clock of redoing it
with the safe setting (the most CG steps), as a pipeline would.

Every arm is run on every slice once (the cost table, wall-clock measured); the learners then
choose an arm per slice against that table (seeds 0-2): the default policy with and without
the noise level as context, Tsallis-INF, and every fixed arm. Prints the totals, the best
fixed arm in hindsight, the misses and the mean PSNR of each.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine, replay

import tuner
from cli.recon_tasks import mri_task, reconstruct
from problems.phantoms import random_ellipses
from solvers.diffusion import TVDenoiser, VPDenoiser, dds_sample
from solvers.diffusion.metrics import psnr

ARMS = np.array([1, 2, 3, 5, 8, 12, 20], dtype=float)
NOISE_BOUNDS = (0.005, 0.05)
TAU = 1.1


def cost_table(slices, size, steps):
    """Per slice and arm: milliseconds, whether the discrepancy was missed, PSNR."""
    rng = np.random.default_rng(0)
    noise = rng.uniform(*NOISE_BOUNDS, slices)
    ms = np.empty((slices, ARMS.size))
    missed = np.empty((slices, ARMS.size), dtype=bool)
    quality = np.empty((slices, ARMS.size))
    reconstruct(mri_task(random_ellipses(size, seed=0)), "dds", steps=2)     # compile
    for s in range(slices):
        task = mri_task(random_ellipses(size, seed=s), accel=4, noise=float(noise[s]), seed=s)
        bound = TAU * task.sigma * np.sqrt(np.count_nonzero(task.A.mask) * task.y.shape[0])
        for k, cg_steps in enumerate(ARMS.astype(int)):
            start = time.perf_counter()
            sample = dds_sample(task.A, task.y, VPDenoiser(TVDenoiser(3.0)), steps=steps,
                                maxiter=int(cg_steps), rtol=0.0, atol=1e-5, seed=s)
            ms[s, k] = 1e3 * (time.perf_counter() - start)
            missed[s, k] = sample.data_residuals.max() > bound
            quality[s, k] = psnr(np.abs(sample.x), task.image)
    return noise, ms, missed, quality


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=60)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print(f"DDS on {args.slices} MRI slices ({args.size} x {args.size}, 4x, {args.steps} "
          f"steps); arms = CG steps {ARMS.astype(int).tolist()}\nmachine: {machine()}")
    noise, ms, missed, quality = cost_table(args.slices, args.size, args.steps)
    cost = ms + missed * ms[:, -1:]
    rows = {f"fixed {int(a)} CG": np.full((1, args.slices), k) for k, a in enumerate(ARMS)}
    learners = {
        "default (no context)": (lambda seed: tuner.default_policy(ARMS, seed=seed), False),
        "default (noise context)": (lambda seed: tuner.default_policy(
            ARMS, bounds=NOISE_BOUNDS, seed=seed), True),
        "Tsallis-INF": (lambda seed: tuner.TsallisINF(ARMS, seed=seed), False),
    }
    for name, (make, contextual) in learners.items():
        rows[name] = np.array([replay(make(seed), cost, noise if contextual else None)
                               for seed in range(args.seeds)])
    per_slice = np.arange(args.slices)
    totals = {name: np.mean([cost[per_slice, c].sum() for c in choices])
              for name, choices in rows.items()}
    best_fixed = min((v, n) for n, v in totals.items() if n.startswith("fixed"))
    oracle = cost.min(axis=1).sum()
    print(f"\n{'method':<26}{'total cost':>12}{'vs best fixed':>15}{'misses':>8}"
          f"{'mean PSNR':>11}{'ms/slice':>10}")
    for name, choices in rows.items():
        miss = np.mean([missed[per_slice, c].sum() for c in choices])
        q = np.mean([quality[per_slice, c].mean() for c in choices])
        t = np.mean([ms[per_slice, c].mean() for c in choices])
        print(f"{name:<26}{totals[name]:12.0f}{totals[name] / best_fixed[0]:14.2f}x"
              f"{miss:8.1f}{q:11.2f}{t:10.1f}")
    print(f"best fixed in hindsight: {best_fixed[1]}; per-slice oracle total {oracle:.0f} "
          f"({oracle / best_fixed[0]:.2f}x the best fixed)")


if __name__ == "__main__":
    main()
