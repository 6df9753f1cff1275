"""DDS against classical reconstructions on the Shepp-Logan phantom: MRI and CT.

    python benchmarks/bench_recon.py [--size 128] [--noise 0.01] [--steps 50]

Tasks: multi-coil MRI (8 birdcage coils, random lines with a fully sampled centre) at 4x and
8x; parallel-beam CT with 8 and 16 views over 180 degrees and a limited angle (60 views over
120 degrees). Measurements carry white noise of ``--noise`` times their RMS. Methods:
zero-filled (MRI) or filtered back-projection (CT); CG to convergence (300 steps) and CG
stopped at its best step among EARLY_STOPS (an oracle, the strongest classical baseline
here); DDS with the TV denoiser at ``--steps`` steps and 5 or 20 CG steps per update; and
the same sampler with as many gradient steps instead of CG (gradient data consistency).
Prints PSNR, SSIM and seconds per method, by how much DDS beats the best classical baseline,
and the time per data-consistency (CG) step.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine

from cli.recon_tasks import ct_task, mri_task, phantom, reconstruct
from solvers.diffusion import data_consistency
from solvers.diffusion.metrics import psnr, ssim

EARLY_STOPS = (3, 5, 8, 12, 20, 30, 50, 80, 120, 200, 300)


def best_early_cg(task):
    """The PSNR-best of CG stopped after each of EARLY_STOPS steps (an oracle's choice)."""
    best = (-np.inf, 0, None)
    for k in EARLY_STOPS:
        x, _ = reconstruct(task, "cg", steps=k)
        best = max(best, (psnr(x, task.image), k, x), key=lambda b: b[0])
    return best[2], best[1]


def run_task(task, steps):
    rows = []
    classical = "zero-filled" if task.name.startswith("MRI") else "FBP"

    def add(label, x, seconds, is_dds=False):
        rows.append((label, psnr(x, task.image), ssim(x, task.image), seconds, is_dds))

    add(classical, *reconstruct(task, "classical"))
    add("CG to convergence (300)", *reconstruct(task, "cg", steps=300))
    start = time.perf_counter()
    x, k = best_early_cg(task)
    add(f"CG best early stop ({k}, oracle)", x, time.perf_counter() - start)
    for cg_steps in (5, 20):
        add(f"DDS-TV, {steps} steps x {cg_steps} CG",
            *reconstruct(task, "dds", steps=steps, cg_steps=cg_steps), is_dds=True)
        add(f"DDS-TV, {steps} x {cg_steps} gradient",
            *reconstruct(task, "gradient", steps=steps, cg_steps=cg_steps))
    print(f"\n{task.name} (noise sigma {task.sigma:.3g})")
    print(f"  {'method':<36}{'PSNR':>8}{'SSIM':>8}{'seconds':>9}")
    for label, p, s, t, _ in rows:
        print(f"  {label:<36}{p:8.2f}{s:8.3f}{t:9.2f}")
    best_dds = max(r[1] for r in rows if r[4])
    best_other = max(r[1] for r in rows if not r[4])
    print(f"  DDS - best classical baseline: {best_dds - best_other:+.2f} dB")
    return best_dds - best_other


def cg_step_seconds(task, repeats=5):
    """Seconds per CG step of data_consistency (slope between 5 and 25 steps)."""
    times = {}
    for k in (5, 25):
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            data_consistency(task.A, task.y, task.zeros, steps=k, atol=0.0)
            samples.append(time.perf_counter() - start)
        times[k] = np.median(samples)
    return (times[25] - times[5]) / 20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    print(f"Shepp-Logan {args.size} x {args.size}, noise {args.noise:g} x RMS, "
          f"machine: {machine()}")
    image = phantom("shepp-logan", args.size)
    tasks = [mri_task(image, accel=4, noise=args.noise), mri_task(image, accel=8,
                                                                  noise=args.noise),
             ct_task(image, views=8, noise=args.noise), ct_task(image, views=16,
                                                                noise=args.noise),
             ct_task(image, views=60, arc=120.0, noise=args.noise)]
    reconstruct(tasks[0], "dds", steps=2)                        # compile the kernels
    margins = {task.name: run_task(task, args.steps) for task in tasks}
    print("\ntime per data-consistency CG step:")
    for task in tasks[:1] + tasks[2:3]:
        print(f"  {task.name:<30}{1e3 * cg_step_seconds(task):8.2f} ms")
    print("\nDDS margin over the best classical baseline (dB): "
          + ", ".join(f"{name} {m:+.2f}" for name, m in margins.items()))


if __name__ == "__main__":
    main()
