"""The DDS sampler: DDIM steps with a Krylov data-consistency update of the denoised estimate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..backend import namespace, to_host
from ..errors import ParameterError
from .classical import operator_norm_squared
from .data_consistency import data_consistency, gradient_steps
from .schedule import VPSchedule


@dataclass
class Sample:
    """What :func:`dds_sample` returns.

    Attributes
    ----------
    x : ndarray
        The samples, shape (..., *image_shape) (the batch of ``y``, or ``shape``).
    data_residuals : ndarray or None
        ``||A x - y||`` per item (None without measurements).
    seconds : float
        Wall-clock of the whole run.
    info : dict
        ``denoiser_calls``, ``cg_steps`` (total over the run, largest item), ``steps``,
        ``eta``, ``gamma``, ``timesteps``.
    """

    x: np.ndarray
    data_residuals: np.ndarray | None
    seconds: float
    info: dict = field(default_factory=dict)


NOISE_RULES = ("dds", "ddim")


DATA_STEPS = ("cg", "gradient")


def dds_sample(y, A, denoiser, *, steps=50, eta=0.85, cg_steps=5, gamma=None, shape=None,
               seed=None, schedule=None, noise_rule="dds", data_step="cg",
               recompute_eps=False, progress=None) -> Sample:
    """Sample an image given measurements ``y = A x (+ noise)`` with the DDS sampler.

    Each of the ``steps`` DDIM steps: the denoiser's estimate ``x0_hat = denoiser(x_t, t)``
    and the noise it implies, ``eps_hat = (x_t - sqrt(abar_t) x0_hat) / sqrt(1 - abar_t)``;
    ``cg_steps`` CG steps of :func:`data_consistency` from ``x0_hat`` give ``x0'``; then
    ``x_prev = sqrt(abar_prev) x0' + c1 z + c2 eps_hat`` with fresh Gaussian ``z``. The last
    step returns ``x0'``. ``noise_rule`` sets ``c1, c2``:

    * ``"dds"`` (the paper's code): ``c1 = eta sqrt(1 - abar_prev)``,
      ``c2 = sqrt(1 - eta^2) sqrt(1 - abar_prev)``.
    * ``"ddim"`` (Song et al.): ``c1 = eta sqrt((1 - abar_prev) / (1 - abar))
      sqrt(1 - abar / abar_prev)``, ``c2 = sqrt(1 - abar_prev - c1^2)``; eta = 1 is ancestral
      (DDPM) sampling and eta = 0 the deterministic flow, both of which sample the prior
      exactly as the steps grow when the denoiser is exact. The ``"dds"`` rule does not (its
      eta = 1 loses the variance of ``x_0`` given ``x_t``; see the tests).

    Parameters
    ----------
    y : ndarray or None
        The measurements, shape (..., *A.data_shape); None (with ``A=None``) samples the
        prior (plain DDIM) in the given ``shape``.
    A : ImagingOperator or None
    denoiser : callable
        ``denoiser(x_t, t) -> x0_hat`` with t the training step (see
        :mod:`solvers.diffusion.denoisers`).
    steps : int
        Sampling steps (50: stride 20 over the 1000 training steps).
    eta : float in [0, 1]
        The share of fresh noise in each step (0.85 as in DDS).
    cg_steps : int
        CG steps per data-consistency update.
    gamma : float, optional
        The noisy branch's weight (see :func:`data_consistency`); None: noiseless.
    shape : tuple, optional
        The samples' shape when there are no measurements.
    seed : int or numpy.random.Generator, optional
        The noise; the same seed gives the same samples.
    schedule : VPSchedule, optional
    noise_rule : {"dds", "ddim"}
        How the next iterate mixes fresh and predicted noise (above).
    recompute_eps : bool
        Use the noise implied by the corrected ``x0'`` (``(x_t - sqrt(abar_t) x0') /
        sqrt(1 - abar_t)``) in the next iterate, rather than the denoiser's.
    data_step : {"cg", "gradient"}
        ``"cg"``: DDS's Krylov update. ``"gradient"``: the same number of gradient steps
        ``x <- x - A^H (A x - y) / ||A||^2`` instead (a baseline; noiseless data only).
    progress : callable, optional
        Called with 1 after every step (a progress bar's ``update``).

    Examples
    --------
    >>> from solvers.diffusion.denoisers import GaussianPriorDenoiser
    >>> prior = GaussianPriorDenoiser(np.zeros((4, 4)), np.ones((4, 4)))
    >>> s = dds_sample(None, None, prior, shape=(1000, 4, 4), steps=200, eta=1.0, seed=0,
    ...                noise_rule="ddim")
    >>> s.x.shape, bool(abs(s.x.std() - 1.0) < 0.05)
    ((1000, 4, 4), True)
    """
    started = time.perf_counter()
    schedule = schedule or VPSchedule()
    if not (0.0 <= eta <= 1.0):
        raise ParameterError(f"eta must be in [0, 1]; got {eta!r}")
    if noise_rule not in NOISE_RULES:
        raise ParameterError(f"noise_rule must be one of {NOISE_RULES}; got {noise_rule!r}")
    if data_step not in DATA_STEPS:
        raise ParameterError(f"data_step must be one of {DATA_STEPS}; got {data_step!r}")
    if (A is None) != (y is None):
        raise ParameterError("give both y and A, or neither (then shape)")
    if A is None:
        if shape is None:
            raise ParameterError("without measurements, shape is needed")
        xp, shape, is_complex = np, tuple(shape), False
    else:
        xp = namespace(y)
        batch = tuple(y.shape[:y.ndim - len(A.data_shape)])
        shape = (*batch, *A.image_shape)
        is_complex = bool(A.is_complex or xp.iscomplexobj(y))
    rng = np.random.default_rng(seed)

    def gaussian():
        z = rng.standard_normal(shape)
        if is_complex:
            z = (z + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)
        return xp.asarray(z)

    timesteps = schedule.timesteps(steps)
    lipschitz = operator_norm_squared(A) if data_step == "gradient" else None
    alpha_bar = schedule.alpha_bar
    x = gaussian()
    cg_total = 0
    for i, t in enumerate(timesteps):
        a = float(alpha_bar[t])
        a_prev = float(alpha_bar[timesteps[i + 1]]) if i + 1 < len(timesteps) else 1.0
        x0_hat = denoiser(x, int(t))
        eps_hat = (x - np.sqrt(a) * x0_hat) / np.sqrt(1.0 - a)
        if A is not None and data_step == "cg":
            dc = data_consistency(A, y, x0_hat, steps=cg_steps, gamma=gamma)
            x0_hat, cg_total = dc.x, cg_total + dc.iterations
        elif A is not None:
            x0_hat = gradient_steps(A, y, x0_hat, cg_steps, lipschitz)
            cg_total += cg_steps
        if recompute_eps and A is not None:
            eps_hat = (x - np.sqrt(a) * x0_hat) / np.sqrt(1.0 - a)
        if a_prev == 1.0:
            x = x0_hat
        else:
            if noise_rule == "dds":
                c1 = eta * np.sqrt(1.0 - a_prev)
                c2 = np.sqrt(1.0 - eta ** 2) * np.sqrt(1.0 - a_prev)
            else:
                c1 = eta * np.sqrt((1.0 - a_prev) / (1.0 - a)) * np.sqrt(1.0 - a / a_prev)
                c2 = np.sqrt(max(1.0 - a_prev - c1 ** 2, 0.0))
            x = np.sqrt(a_prev) * x0_hat + c1 * gaussian() + c2 * eps_hat
        if progress is not None:
            progress(1)
    residuals = None
    if A is not None:
        misfit = A.forward(x) - y
        axes = tuple(range(misfit.ndim - len(A.data_shape), misfit.ndim))
        residuals = np.asarray(to_host(xp.sqrt(xp.sum(xp.abs(misfit) ** 2, axis=axes))))
    return Sample(x, residuals, time.perf_counter() - started,
                  {"denoiser_calls": len(timesteps), "cg_steps": cg_total, "steps": steps,
                   "eta": eta, "gamma": gamma, "noise_rule": noise_rule,
                   "timesteps": timesteps})
