"""The DDS sampler: DDIM steps with a Krylov data-consistency update of the denoised estimate."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_generator, check_maxiter
from ..backend import namespace, to_host
from ..errors import NonFiniteError, ParameterError, ShapeError
from ._compat import renamed
from .adapters import as_operator, is_dense_array, is_operator
from .classical import operator_norm_squared
from .data_consistency import RTOL, data_consistency, gradient_steps
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
        ``denoiser_calls``, ``cg_iterations`` (total over the run, largest item),
        ``maxiter``, ``steps``, ``eta``, ``gamma``, ``noise_rule``, ``timesteps``.
    timings : dict
        Seconds (floats) spent in the stages: ``"denoiser"``, ``"data_consistency"`` and
        ``"other"`` (noise, mixing, the final residuals); they add up to ``seconds``.
    """

    x: np.ndarray
    data_residuals: np.ndarray | None
    seconds: float
    info: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


NOISE_RULES = ("dds", "ddim")


DATA_STEPS = ("cg", "gradient")


def _synchronize(xp):
    """Wait for the GPU, so that a stage's clock covers its work."""
    if xp is not np:
        xp.cuda.get_current_stream().synchronize()


def _checked(x0_hat, x_t, xp, step, steps, t):
    """The denoiser's output, refused when its shape or values are wrong."""
    where = f"at sampling step {step} of {steps} (t={t})"
    shape = getattr(x0_hat, "shape", None)
    if shape is None or tuple(shape) != tuple(x_t.shape):
        got = type(x0_hat).__name__ if shape is None else f"shape {tuple(shape)}"
        raise ShapeError(f"the denoiser returned {got} {where}; it must return an array of "
                         f"the shape of x_t, {tuple(x_t.shape)}")
    if not bool(xp.isfinite(x0_hat).all()):
        raise NonFiniteError(f"the denoiser returned NaN or infinite values {where}")
    return x0_hat


def dds_sample(A, y, denoiser, *, steps=50, eta=0.85, maxiter=5, gamma=None, rtol=RTOL,
               atol=0.0, shape=None, seed=None, schedule=None, noise_rule="dds",
               data_step="cg", recompute_eps=False, progress=None, cg_steps=None) -> Sample:
    """Sample an image given measurements ``y = A x (+ noise)`` with the DDS sampler.

    Each of the ``steps`` DDIM steps: the denoiser's estimate ``x0_hat = denoiser(x_t, t)``
    and the noise it implies, ``eps_hat = (x_t - sqrt(abar_t) x0_hat) / sqrt(1 - abar_t)``;
    at most ``maxiter`` CG iterations of :func:`data_consistency` from ``x0_hat`` give
    ``x0'``; then ``x_prev = sqrt(abar_prev) x0' + c1 z + c2 eps_hat`` with fresh Gaussian
    ``z``. The last step returns ``x0'``. ``noise_rule`` sets ``c1, c2``:

    * ``"dds"`` (the paper's code): ``c1 = eta sqrt(1 - abar_prev)``,
      ``c2 = sqrt(1 - eta^2) sqrt(1 - abar_prev)``.
    * ``"ddim"`` (Song et al.): ``c1 = eta sqrt((1 - abar_prev) / (1 - abar))
      sqrt(1 - abar / abar_prev)``, ``c2 = sqrt(1 - abar_prev - c1^2)``; eta = 1 is ancestral
      (DDPM) sampling and eta = 0 the deterministic flow, both of which sample the prior
      exactly as the steps grow when the denoiser is exact. The ``"dds"`` rule does not (its
      eta = 1 loses the variance of ``x_0`` given ``x_t``; see the tests).

    Parameters
    ----------
    A : operator or None
        The forward model, anything :func:`data_consistency` takes: a built-in operator, a
        matrix, a SciPy ``LinearOperator``, an object with ``matvec``/``rmatvec``/``shape``,
        a :class:`FunctionOperator`. None (with ``y=None``) samples the prior (plain DDIM)
        in the given ``shape``.
    y : ndarray or None
        The measurements, shape (..., *A.data_shape).
    denoiser : callable
        ``denoiser(x_t, t) -> x0_hat`` with t the training step (see
        :mod:`solvers.diffusion.denoisers`). It must return finite values of the shape of
        ``x_t``; otherwise :class:`~solvers.errors.NonFiniteError` or
        :class:`~solvers.errors.ShapeError` names the sampling step.
    steps : int
        Sampling steps, i.e. denoiser calls (50: stride 20 over the 1000 training steps).
    eta : float in [0, 1]
        The share of fresh noise in each step (0.85 as in DDS).
    maxiter : int
        Most CG iterations per data-consistency update (5, as in DDS); with
        ``data_step="gradient"`` the number of gradient steps.
    gamma : float, optional
        The noisy branch's weight (see :func:`data_consistency`); None: noiseless.
    rtol, atol : float
        The data-consistency updates' stopping test (see :func:`data_consistency`).
    shape : tuple, optional
        The samples' shape when there are no measurements.
    seed : int or numpy.random.Generator, optional
        The noise; the same seed gives the same samples.
    schedule : VPSchedule, optional
    noise_rule : {"dds", "ddim"}
        How the next iterate mixes fresh and predicted noise (above).
    data_step : {"cg", "gradient"}
        ``"cg"``: DDS's Krylov update. ``"gradient"``: ``maxiter`` gradient steps
        ``x <- x - A^H (A x - y) / ||A||^2`` instead (a baseline; noiseless data only).
    recompute_eps : bool
        Use the noise implied by the corrected ``x0'`` (``(x_t - sqrt(abar_t) x0') /
        sqrt(1 - abar_t)``) in the next iterate, rather than the denoiser's.
    progress : callable, optional
        Called with 1 after every step (a progress bar's ``update``).
    cg_steps : int, optional
        Deprecated name of ``maxiter``.

    Returns
    -------
    Sample
        The samples, their data residuals, ``seconds`` (a float) and per-stage ``timings``.

    Notes
    -----
    The order ``dds_sample(y, A, ...)`` of earlier releases still works, with a
    DeprecationWarning, when it is unambiguous: ``y`` an array and ``A`` an operator that is
    not a dense array.

    Examples
    --------
    >>> from solvers.diffusion.denoisers import GaussianPriorDenoiser
    >>> prior = GaussianPriorDenoiser(np.zeros((4, 4)), np.ones((4, 4)))
    >>> s = dds_sample(None, None, prior, shape=(1000, 4, 4), steps=200, eta=1.0, seed=0,
    ...                noise_rule="ddim")
    >>> s.x.shape, bool(abs(s.x.std() - 1.0) < 0.05)
    ((1000, 4, 4), True)

    With measurements by a matrix (any operator works the same way):

    >>> M = np.random.default_rng(1).standard_normal((8, 16))
    >>> s = dds_sample(M, M @ np.ones(16), GaussianPriorDenoiser(np.zeros(16), np.ones(16)),
    ...                steps=20, maxiter=16, seed=0)
    >>> bool(s.data_residuals < 1e-3), sorted(s.timings)
    (True, ['data_consistency', 'denoiser', 'other'])
    """
    started = time.perf_counter()
    if is_dense_array(A) and y is not None and is_operator(y):
        warnings.warn("dds_sample(y, A, ...) is deprecated and will be removed in the next "
                      "release; pass the operator first: dds_sample(A, y, ...)",
                      DeprecationWarning, stacklevel=2)
        A, y = y, A
    maxiter = check_maxiter(renamed("cg_steps", cg_steps, "maxiter", maxiter, 5), 5)
    schedule = schedule or VPSchedule()
    if not (0.0 <= eta <= 1.0):
        raise ParameterError(f"eta must be in [0, 1]; got {eta!r}")
    if noise_rule not in NOISE_RULES:
        raise ParameterError(f"noise_rule must be one of {NOISE_RULES}; got {noise_rule!r}")
    if data_step not in DATA_STEPS:
        raise ParameterError(f"data_step must be one of {DATA_STEPS}; got {data_step!r}")
    if (A is None) != (y is None):
        raise ParameterError("give both A and y, or neither (then shape)")
    if A is None:
        if shape is None:
            raise ParameterError("without measurements, shape is needed")
        xp, shape, is_complex = np, tuple(shape), False
    else:
        A = as_operator(A)
        xp = namespace(y)
        batch = tuple(y.shape[:y.ndim - len(A.data_shape)])
        shape = (*batch, *A.image_shape)
        is_complex = bool(A.is_complex or xp.iscomplexobj(y))
    rng = as_generator(seed)

    def gaussian():
        z = rng.standard_normal(shape)
        if is_complex:
            z = (z + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)
        return xp.asarray(z)

    timesteps = schedule.timesteps(steps)
    lipschitz = operator_norm_squared(A) if A is not None and data_step == "gradient" \
        else None
    alpha_bar = schedule.alpha_bar
    x = gaussian()
    cg_total = 0
    in_denoiser = in_data = 0.0
    for i, t in enumerate(timesteps):
        a = float(alpha_bar[t])
        a_prev = float(alpha_bar[timesteps[i + 1]]) if i + 1 < len(timesteps) else 1.0
        clock = time.perf_counter()
        x0_hat = _checked(denoiser(x, int(t)), x, xp, i + 1, len(timesteps), int(t))
        _synchronize(xp)
        in_denoiser += time.perf_counter() - clock
        eps_hat = (x - np.sqrt(a) * x0_hat) / np.sqrt(1.0 - a)
        clock = time.perf_counter()
        if A is not None and data_step == "cg":
            dc = data_consistency(A, y, x0_hat, maxiter=maxiter, gamma=gamma, rtol=rtol,
                                  atol=atol)
            x0_hat, cg_total = dc.x, cg_total + dc.iterations
        elif A is not None:
            x0_hat = gradient_steps(A, y, x0_hat, maxiter, lipschitz)
            cg_total += maxiter
        _synchronize(xp)
        in_data += time.perf_counter() - clock
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
    _synchronize(xp)
    seconds = float(time.perf_counter() - started)
    timings = {"denoiser": float(in_denoiser), "data_consistency": float(in_data),
               "other": float(max(seconds - in_denoiser - in_data, 0.0))}
    return Sample(x, residuals, seconds,
                  {"denoiser_calls": len(timesteps), "cg_iterations": int(cg_total),
                   "maxiter": maxiter, "steps": steps, "eta": eta, "gamma": gamma,
                   "noise_rule": noise_rule, "timesteps": timesteps}, timings)
