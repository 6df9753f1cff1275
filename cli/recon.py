"""``relax recon``: reconstruct a phantom from simulated MRI or CT data and score it."""

from __future__ import annotations

import json
import sys

import click

from solvers.diffusion.metrics import psnr, ssim

from .png import write_gray_png
from .recon_tasks import DENOISERS, METHODS, PHANTOMS, ct_task, mri_task, phantom, reconstruct


@click.command()
@click.argument("modality", type=click.Choice(["mri", "ct"]))
@click.option("--phantom", "phantom_name", type=click.Choice(PHANTOMS), default="shepp-logan",
              show_default=True)
@click.option("--size", type=click.IntRange(8, 2048), default=128, show_default=True,
              help="Image size (size x size pixels).")
@click.option("--method", type=click.Choice(METHODS), default="dds", show_default=True,
              help="dds: diffusion sampling with CG data consistency; gradient: the same "
                   "with gradient steps; cg: CG to convergence; classical: zero-filled (MRI) "
                   "or filtered back-projection (CT).")
@click.option("--accel", type=click.FloatRange(1.0), default=4.0, show_default=True,
              help="MRI acceleration.")
@click.option("--coils", type=click.IntRange(1), default=8, show_default=True)
@click.option("--mask", type=click.Choice(["lines", "poisson-disc"]), default="lines",
              show_default=True, help="MRI sampling pattern.")
@click.option("--views", type=click.IntRange(1), default=8, show_default=True,
              help="CT projection angles.")
@click.option("--arc", type=click.FloatRange(0.0, 360.0, min_open=True), default=180.0,
              show_default=True, help="CT angular range in degrees (< 180: limited angle).")
@click.option("--noise", type=click.FloatRange(0.0), default=0.0, show_default=True,
              help="Measurement noise, relative to the data's RMS.")
@click.option("--steps", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Sampler steps (dds, gradient) or CG steps (cg).")
@click.option("--cg-steps", type=click.IntRange(0), default=5, show_default=True,
              help="Data-consistency steps per sampler step.")
@click.option("--denoiser", type=click.Choice(tuple(DENOISERS)), default="tv",
              show_default=True)
@click.option("--strength", type=click.FloatRange(0.0, min_open=True), default=None,
              help="Denoiser strength (per unit noise level); 3 by default.")
@click.option("--eta", type=click.FloatRange(0.0, 1.0), default=0.85, show_default=True)
@click.option("--gamma", type=click.FloatRange(0.0, min_open=True), default=None,
              help="Weight of the data in the noisy data-consistency branch.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--out", type=click.Path(dir_okay=False), default=None,
              help="Write the reconstruction as a PNG.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def recon(modality, phantom_name, size, method, accel, coils, mask, views, arc, noise, steps,
          cg_steps, denoiser, strength, eta, gamma, seed, out, as_json):
    """Reconstruct a phantom from simulated MRI or CT measurements; print PSNR, SSIM and time."""
    if out is not None and not out.lower().endswith(".png"):
        raise click.BadParameter(f"must end in .png; got {out!r}", param_hint="--out")
    image = phantom(phantom_name, size, seed)
    task = (mri_task(image, accel=accel, coils=coils, mask=mask, noise=noise, seed=seed)
            if modality == "mri" else
            ct_task(image, views=views, arc=arc, noise=noise, seed=seed))
    click.echo(f"relax recon: {task.name}, {size} x {size} {phantom_name}, method {method}",
               err=True)
    sampled = method in ("dds", "gradient")
    with click.progressbar(length=steps if sampled else 0, label="sampling",
                           file=sys.stderr,
                           hidden=not sampled) as bar:
        x, seconds = reconstruct(task, method, steps=steps, cg_steps=cg_steps,
                                 denoiser=denoiser, strength=strength, eta=eta, gamma=gamma,
                                 seed=seed, progress=bar.update)
    scores = {"task": task.name, "method": method, "psnr": round(psnr(x, image), 3),
              "ssim": round(ssim(x, image), 4), "seconds": round(seconds, 3)}
    if out is not None:
        write_gray_png(out, x, low=0.0, high=1.0)
        scores["image"] = out
    if as_json:
        click.echo(json.dumps(scores))
    else:
        click.echo(f"PSNR {scores['psnr']:.2f} dB  SSIM {scores['ssim']:.3f}  "
                   f"time {scores['seconds']:.2f} s")
