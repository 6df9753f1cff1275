"""The data-consistency step of diffusion sampling: a few CG steps from the denoised estimate."""

from __future__ import annotations

import math
import time

import numpy as np

from .._validate import check_maxiter, check_tolerances
from ..backend import namespace, to_host
from ..errors import ParameterError, ShapeError
from ..result import Result
from .operators import ImagingOperator


def data_consistency(A, y, x0_hat, steps=5, gamma=None, *, rtol=0.0, atol=1e-5) -> Result:
    """Pull a denoised estimate towards the data by CG steps started at it.

    Noiseless (``gamma=None``): CG on ``A^H A x = A^H y``. Noisy: CG on
    ``(I + gamma A^H A) x = x0_hat + gamma A^H y``. Both start at ``x0_hat``; with few steps
    the start is the regulariser (the update stays in the Krylov subspace around it).
    Complex data use the conjugated inner product ``<u, v> = sum(conj(u) v)``, and every
    item of a batch is solved on its own (its own step lengths and stopping).

    Parameters
    ----------
    A : ImagingOperator
        The forward model (e.g. :class:`MRIOperator`, :class:`CTOperator`).
    y : ndarray, shape (..., *A.data_shape)
        The measurements (NumPy or CuPy).
    x0_hat : ndarray, shape (..., *A.image_shape)
        The start: the denoised estimate. The batch axes (``...``) must match ``y``'s.
    steps : int
        Most CG steps per item (5 by default, as in DDS).
    gamma : float, optional
        Weight of the data in the noisy branch (> 0); None for the noiseless branch.
    rtol, atol : float
        An item stops once its residual norm is at most ``max(rtol * ||rhs||, atol)``.

    Returns
    -------
    Result
        ``x`` (the batch), ``iterations`` (most steps any item took), ``converged`` (every
        item met the tolerance), ``residual_norm`` and ``residuals`` (the largest item's, per
        step), ``info["iterations"]`` and ``info["residual_norms"]`` per item.

    Examples
    --------
    >>> from problems.mri import birdcage_maps, line_mask
    >>> from solvers.diffusion.operators import MRIOperator
    >>> rng = np.random.default_rng(0)
    >>> A = MRIOperator(birdcage_maps(4, (16, 16)), line_mask((16, 16), 2, seed=0))
    >>> x_true = rng.standard_normal((16, 16)) + 0j
    >>> y = A.forward(x_true)
    >>> res = data_consistency(A, y, np.zeros((16, 16), complex), steps=20)
    >>> res.iterations, bool(np.linalg.norm(A.forward(res.x) - y) < 0.01 * np.linalg.norm(y))
    (20, True)
    """
    started = time.perf_counter()
    if not isinstance(A, ImagingOperator):
        raise ParameterError(f"A must be an imaging operator (MRIOperator, CTOperator, ...); "
                             f"got {type(A).__name__}")
    steps = check_maxiter(steps, 5)
    rtol, atol = check_tolerances(rtol, atol)
    if gamma is not None and (isinstance(gamma, bool) or not np.isfinite(gamma) or gamma <= 0):
        raise ParameterError(f"gamma must be None or a finite number > 0; got {gamma!r}")
    xp = namespace(y, x0_hat)
    image_axes = tuple(range(-len(A.image_shape), 0))
    batch = tuple(x0_hat.shape[:x0_hat.ndim - len(A.image_shape)])
    if tuple(y.shape[:y.ndim - len(A.data_shape)]) != batch:
        raise ShapeError(f"y and x0_hat must have the same batch shape; got "
                         f"{tuple(y.shape)} and {tuple(x0_hat.shape)}")
    dtype = xp.complex128 if (A.is_complex or xp.iscomplexobj(y)
                              or xp.iscomplexobj(x0_hat)) else xp.float64
    x = xp.array(x0_hat, dtype=dtype, copy=True)

    def inner(u, v):
        """Per-item real part of ``sum(conj(u) v)``, shaped to broadcast over an image."""
        return xp.sum((u.conj() * v).real, axis=image_axes, keepdims=True)

    if gamma is None:
        def normal(v):
            return A.normal(v)
        rhs = A.adjoint(y)
    else:
        def normal(v):
            return v + gamma * A.normal(v)
        rhs = x0_hat + gamma * A.adjoint(y)
    r = rhs - normal(x)
    rr = inner(r, r)
    tol = xp.maximum(rtol * xp.sqrt(inner(rhs, rhs)), atol)
    active = xp.sqrt(rr) > tol
    done_at = xp.zeros(rr.shape, dtype=xp.int64)
    history = [float(xp.sqrt(rr).max())] if rr.size else [0.0]
    p = r.copy()
    k = 0
    while k < steps and bool(active.any()):
        q = normal(p)
        pq = inner(p, q)
        alpha = xp.where(active & (pq > 0), rr / xp.where(pq > 0, pq, 1.0), 0.0)
        x += alpha * p
        r -= alpha * q
        rr_new = inner(r, r)
        beta = xp.where(active & (rr > 0), rr_new / xp.where(rr > 0, rr, 1.0), 0.0)
        p = r + beta * p
        rr = xp.where(active, rr_new, rr)
        k += 1
        done_at = xp.where(active, k, done_at)
        active = active & (xp.sqrt(rr) > tol) & (pq > 0)
        history.append(float(xp.sqrt(rr).max()))
    norms = np.asarray(to_host(xp.sqrt(rr)).reshape(batch), dtype=np.float64)
    converged = bool(np.all(norms <= np.asarray(to_host(tol)).reshape(batch)))
    status = "converged" if converged else ("maxiter" if math.isfinite(history[-1])
                                             else "breakdown")
    return Result(x=x, iterations=k, converged=converged,
                  residual_norm=history[-1], residuals=np.array(history), status=status,
                  seconds=time.perf_counter() - started,
                  info={"method": "data_consistency", "gamma": gamma,
                        "iterations": np.asarray(to_host(done_at)).reshape(batch),
                        "residual_norms": norms})


def gradient_steps(A, y, x0_hat, steps, lipschitz):
    """``steps`` gradient steps on ``||A x - y||^2 / 2`` from ``x0_hat`` with the step
    ``1 / lipschitz`` (``lipschitz >= ||A||^2``): the data-consistency update of
    gradient-based samplers, for comparison with :func:`data_consistency`."""
    x = x0_hat
    for _ in range(int(steps)):
        x = x - A.adjoint(A.forward(x) - y) / lipschitz
    return x
