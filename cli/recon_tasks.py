"""Reconstruction tasks (a phantom, its measurements) and the methods that solve them.

Shared by ``relax recon`` and ``benchmarks/bench_recon.py``: a task is built from problems'
data (phantom, coil maps, masks, angles, noise) and solvers' operators; a method is a
classical baseline, CG to convergence, or the DDS sampler with a denoiser.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from problems.mri import add_noise, birdcage_maps, line_mask, poisson_disc_mask
from problems.phantoms import random_ellipses, shepp_logan
from solvers.diffusion import (
    CTOperator,
    MRIOperator,
    TVDenoiser,
    VPDenoiser,
    WaveletDenoiser,
    data_consistency,
    dds_sample,
)
from solvers.diffusion.classical import filtered_backprojection, zero_filled

PHANTOMS = ("shepp-logan", "ellipses")
METHODS = ("classical", "cg", "dds", "gradient")
DENOISERS = {"tv": (TVDenoiser, 3.0), "wavelet": (WaveletDenoiser, 3.0)}


@dataclass
class Task:
    """A phantom, the operator and its (noisy) measurements."""

    name: str
    image: np.ndarray
    A: object
    y: np.ndarray
    sigma: float

    @property
    def zeros(self):
        return np.zeros(self.image.shape, complex if self.A.is_complex else float)


def phantom(name: str, size: int, seed=0) -> np.ndarray:
    if name == "shepp-logan":
        return shepp_logan(size)
    if name == "ellipses":
        return random_ellipses(size, seed=seed)
    raise ValueError(f"unknown phantom {name!r}; choose one of {PHANTOMS}")


def mri_task(image, *, accel=4.0, coils=8, mask="lines", noise=0.0, seed=0) -> Task:
    """Multi-coil MRI of ``image``: birdcage coils, a line or Poisson-disc mask."""
    shape = image.shape
    if mask not in ("lines", "poisson-disc"):
        raise ValueError(f"mask must be 'lines' or 'poisson-disc'; got {mask!r}")
    sampling = (line_mask if mask == "lines" else poisson_disc_mask)(shape, accel, seed=seed)
    A = MRIOperator(birdcage_maps(coils, shape), sampling)
    y = A.forward(image + 0j)
    # noise on the sampled k-space only, relative to the RMS of the sampled data
    y[..., sampling], sigma = add_noise(y[..., sampling], noise, seed=seed + 1)
    return Task(f"MRI {accel:g}x ({mask})", image, A, y, sigma)


def ct_task(image, *, views=8, arc=180.0, noise=0.0, seed=0) -> Task:
    """Parallel-beam CT of ``image``: ``views`` angles evenly over ``arc`` degrees."""
    if views < 1 or not 0.0 < arc <= 360.0:
        raise ValueError(f"need views >= 1 and 0 < arc <= 360; got {views} and {arc}")
    A = CTOperator(image.shape[0], np.linspace(0.0, arc, int(views), endpoint=False))
    y, sigma = add_noise(A.forward(image), noise, seed=seed + 1)
    return Task(f"CT {views} views over {arc:g} deg", image, A, y, sigma)


def reconstruct(task: Task, method: str, *, steps=50, cg_steps=5, denoiser="tv",
                strength=None, eta=0.85, gamma=None, seed=0, progress=None):
    """Reconstruct; returns ``(image, seconds)`` (the image real: magnitude for MRI)."""
    start = time.perf_counter()
    if method == "classical":
        x = zero_filled(task.A, task.y) if isinstance(task.A, MRIOperator) \
            else filtered_backprojection(task.A, task.y)
    elif method == "cg":
        x = data_consistency(task.A, task.y, task.zeros, maxiter=steps, rtol=0.0).x
    elif method in ("dds", "gradient"):
        if denoiser not in DENOISERS:
            raise ValueError(f"unknown denoiser {denoiser!r}; choose one of "
                             f"{tuple(DENOISERS)}")
        make, default = DENOISERS[denoiser]
        D = VPDenoiser(make(default if strength is None else strength))
        x = dds_sample(task.A, task.y, D, steps=steps, eta=eta, maxiter=cg_steps,
                       gamma=gamma, seed=seed, progress=progress,
                       data_step="cg" if method == "dds" else "gradient").x
    else:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    seconds = time.perf_counter() - start
    return (np.abs(x) if np.iscomplexobj(x) else x), seconds
