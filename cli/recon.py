"""``relax recon mri|ct``: reconstruct a phantom from simulated MRI or CT data and score it.

Each modality is a subcommand with only the options that apply to it; the options both
share are defined once (:data:`SHARED_OPTIONS`). An option given for a method that does not
use it (``--denoiser`` with ``--method classical``) is refused, not ignored.
"""

from __future__ import annotations

import json

import click
from click.core import ParameterSource

from solvers.diffusion.metrics import psnr, ssim

from .console import note, progressbar
from .options import FiniteFloatRange
from .outputs import output_file_option
from .png import write_gray_png
from .recon_tasks import DENOISERS, METHODS, PHANTOMS, ct_task, mri_task, phantom, reconstruct

USES = {"classical": (), "cg": ("steps",),
        "gradient": ("steps", "cg_steps", "denoiser", "strength", "eta"),
        "dds": ("steps", "cg_steps", "denoiser", "strength", "eta", "gamma")}
"""The method-specific options each method uses."""

METHOD_HELP = ("How to reconstruct. dds: the Decomposed Diffusion Sampler (Chung, Lee and Ye, "
               "ICLR 2024), a diffusion sampler whose every step denoises the image, then "
               "fits it to the measurements by a few CG steps; gradient: the same with "
               "gradient steps in place of CG; cg: CG on the least-squares problem alone, no "
               "prior; classical: {classical}.")

_defaults = {default for _, default in DENOISERS.values()}
_strength_default = (f"{_defaults.pop():g}" if len(_defaults) == 1 else
                     ", ".join(f"{d:g} for {name}" for name, (_, d) in DENOISERS.items()))

SHARED_OPTIONS = [
    click.option("--phantom", "phantom_name", type=click.Choice(PHANTOMS),
                 default="shepp-logan", show_default=True,
                 help="The true image: shepp-logan (the standard head phantom) or ellipses "
                      "(random ellipses drawn from --seed)."),
    click.option("--size", type=click.IntRange(8, 2048), default=128, show_default=True,
                 help="Image side in pixels (size x size)."),
    click.option("--noise", type=FiniteFloatRange(0.0), default=0.0, show_default=True,
                 help="Standard deviation of the measurement noise, relative to the RMS of "
                      "the measurements (0: exact data)."),
    click.option("--steps", type=click.IntRange(1, 1000), default=50, show_default=True,
                 help="Sampler steps (dds, gradient) or CG iterations (cg)."),
    click.option("--cg-steps", type=click.IntRange(0), default=5, show_default=True,
                 help="Data-fitting steps (CG for dds, gradient for gradient) per sampler "
                      "step."),
    click.option("--denoiser", type=click.Choice(tuple(DENOISERS)), default="tv",
                 show_default=True,
                 help="The sampler's image prior (dds, gradient): tv (total-variation "
                      "denoising) or wavelet (Haar wavelet soft-thresholding)."),
    click.option("--strength", type=FiniteFloatRange(0.0, min_open=True), default=None,
                 help="Denoiser strength per unit noise level (dds, gradient). "
                      f"[default: {_strength_default}]"),
    click.option("--eta", type=FiniteFloatRange(0.0, 1.0), default=0.85, show_default=True,
                 help="Share of fresh random noise in each sampler step, from 0 to 1 "
                      "(dds, gradient)."),
    click.option("--gamma", type=FiniteFloatRange(0.0, min_open=True), default=None,
                 help="Weight of the measurements against the denoised image in each "
                      "data-fitting solve, for noisy data (dds). [default: none, the "
                      "measurements are fitted exactly]"),
    click.option("--seed", type=int, default=0, show_default=True,
                 help="Seed of the sampler, the measurement noise and the ellipses."),
    output_file_option((".png",), "Write the reconstruction to this PNG file. "
                       "[default: none]"),
    click.option("--json", "as_json", is_flag=True,
                 help="Print the scores as one line of JSON instead of text."),
]


def _shared_options(f):
    for option in reversed(SHARED_OPTIONS):
        f = option(f)
    return f


def _method_option(classical: str):
    return click.option("--method", type=click.Choice(METHODS), default="dds",
                        show_default=True, help=METHOD_HELP.format(classical=classical))


def refuse_unused(ctx: click.Context, method: str) -> None:
    """A usage error when an option given explicitly is one ``method`` does not use.

    Examples
    --------
    >>> ctx = click.Context(recon_ct)
    >>> ctx.set_parameter_source("denoiser", ParameterSource.COMMANDLINE)
    >>> refuse_unused(ctx, "dds")
    >>> refuse_unused(ctx, "cg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    click.exceptions.UsageError: --denoiser does not apply to --method cg; it is used by ...
    """
    for name in sorted(set().union(*USES.values()) - set(USES[method])):
        if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT):
            users = [m for m, names in USES.items() if name in names]
            option = "--" + name.replace("_", "-")
            raise click.UsageError(f"{option} does not apply to --method {method}; it is "
                                   f"used by {' and '.join(users)}", ctx)


@click.group("recon")
def recon():
    """Reconstruct a phantom from simulated MRI or CT measurements; print PSNR, SSIM and time.

    The true image is known, so the reconstruction is scored against it: PSNR (in dB, higher
    is better) and SSIM (structural similarity, 1 is perfect). See 'relax recon mri --help'
    and 'relax recon ct --help' for each modality's options.
    """


@recon.command("mri")
@_method_option("the zero-filled inverse Fourier transform, coils combined")
@click.option("--accel", type=FiniteFloatRange(1.0), default=4.0, show_default=True,
              help="Acceleration: the whole k-space over the part measured (4: a quarter).")
@click.option("--coils", type=click.IntRange(1), default=8, show_default=True,
              help="Receiver coils (simulated birdcage sensitivity maps).")
@click.option("--mask", type=click.Choice(["lines", "poisson-disc"]), default="lines",
              show_default=True,
              help="Which k-space samples are measured: lines (whole phase-encoding lines) "
                   "or poisson-disc (scattered points).")
@_shared_options
@click.pass_context
def recon_mri(ctx, method, accel, coils, mask, phantom_name, size, noise, seed, **rest):
    """Multi-coil MRI from undersampled k-space.

    Simulated receiver coils measure the Fourier transform (k-space) of the phantom at a
    fraction of the samples (--accel, --mask); the image is reconstructed from those and
    scored against the phantom.
    """
    refuse_unused(ctx, method)
    image = phantom(phantom_name, size, seed)
    task = mri_task(image, accel=accel, coils=coils, mask=mask, noise=noise, seed=seed)
    _reconstruct_and_score(task, image, method, phantom_name, seed=seed, **rest)


@recon.command("ct")
@_method_option("filtered back-projection")
@click.option("--views", type=click.IntRange(1), default=8, show_default=True,
              help="Projection angles, evenly spaced over --arc.")
@click.option("--arc", type=FiniteFloatRange(0.0, 360.0, min_open=True), default=180.0,
              show_default=True,
              help="Angular range of the views, in degrees (below 180: limited-angle CT).")
@_shared_options
@click.pass_context
def recon_ct(ctx, method, views, arc, phantom_name, size, noise, seed, **rest):
    """Parallel-beam CT from a few projection angles.

    The phantom's line integrals (its projections) are measured at --views angles over
    --arc degrees; the image is reconstructed from those and scored against the phantom.
    """
    refuse_unused(ctx, method)
    image = phantom(phantom_name, size, seed)
    task = ct_task(image, views=views, arc=arc, noise=noise, seed=seed)
    _reconstruct_and_score(task, image, method, phantom_name, seed=seed, **rest)


def _reconstruct_and_score(task, image, method, phantom_name, *, steps, out, as_json,
                           **settings):
    """Reconstruct ``task`` with ``method``; print the scores; write the PNG if asked."""
    size = image.shape[0]
    note(f"relax recon: {task.name}, {size} x {size} {phantom_name}, method {method}")
    sampled = method in ("dds", "gradient")
    with progressbar(steps if sampled else 0, "sampling", hidden=not sampled) as bar:
        x, seconds = reconstruct(task, method, steps=steps, progress=bar.update, **settings)
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
