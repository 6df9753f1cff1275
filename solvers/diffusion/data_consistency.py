"""The data-consistency step of diffusion sampling: a few CG steps from the denoised estimate."""

from __future__ import annotations

import math
import time

import numpy as np

from .._validate import check_maxiter, check_tolerances
from ..backend import namespace, to_host
from ..errors import ParameterError, ShapeError
from ..result import Result
from ._compat import renamed
from .adapters import as_operator

RTOL = 1e-6


def data_consistency(A, y, x0_hat, maxiter=5, gamma=None, *, rtol=RTOL, atol=0.0,
                     steps=None) -> Result:
    """Pull a denoised estimate towards the data by CG steps started at it.

    Noiseless (``gamma=None``): CG on ``A^H A x = A^H y``. Noisy: CG on
    ``(I + gamma A^H A) x = x0_hat + gamma A^H y``. Both start at ``x0_hat``; with few steps
    the start is the regulariser (the update stays in the Krylov subspace around it).
    Complex data use the conjugated inner product ``<u, v> = sum(conj(u) v)``, and every
    item of a batch is solved on its own (its own step lengths and stopping).

    Parameters
    ----------
    A : operator
        The forward model: a built-in operator (:class:`MRIOperator`, :class:`CTOperator`,
        :class:`MatrixOperator`), a matrix (dense or sparse), or any linear operator with
        ``matvec``, ``rmatvec`` and ``shape`` (a SciPy ``LinearOperator``, a PyLops
        operator, :class:`FunctionOperator`); see :func:`as_operator`.
    y : ndarray, shape (..., *A.data_shape)
        The measurements (NumPy or CuPy).
    x0_hat : ndarray, shape (..., *A.image_shape)
        The start: the denoised estimate. The batch axes (``...``) must match ``y``'s.
    maxiter : int
        Most CG iterations per item (5 by default, as in DDS).
    gamma : float, optional
        Weight of the data in the noisy branch (> 0); None for the noiseless branch.
    rtol, atol : float
        An item stops once the residual of the system it solves, ``||rhs - K x||`` (with
        ``K = A^H A`` and ``rhs = A^H y``, or ``K = I + gamma A^H A`` and ``rhs = x0_hat +
        gamma A^H y``), is at most ``max(rtol * ||rhs||, atol)``. The default is relative,
        so scaling ``y`` and ``x0_hat`` together scales ``x`` and changes nothing else.
        ``rtol=0`` (and ``atol=0``) takes ``maxiter`` iterations unless the residual
        vanishes.
    steps : int, optional
        Deprecated name of ``maxiter``.

    Returns
    -------
    Result
        ``x`` (the batch), ``iterations`` (most iterations any item took), ``converged``
        (every item met the tolerance), ``residual_norm`` and ``residuals`` (the largest
        item's ``||rhs - K x||``, per iteration), ``info["iterations"]`` and
        ``info["residual_norms"]`` per item.

    Examples
    --------
    >>> from problems.mri import birdcage_maps, line_mask
    >>> from solvers.diffusion.operators import MRIOperator
    >>> rng = np.random.default_rng(0)
    >>> A = MRIOperator(birdcage_maps(4, (16, 16)), line_mask((16, 16), 2, seed=0))
    >>> x_true = rng.standard_normal((16, 16)) + 0j
    >>> y = A.forward(x_true)
    >>> res = data_consistency(A, y, np.zeros((16, 16), complex), maxiter=20)
    >>> res.iterations, bool(np.linalg.norm(A.forward(res.x) - y) < 0.01 * np.linalg.norm(y))
    (20, True)

    Any linear operator a user has works the same way, here a SciPy ``LinearOperator``:

    >>> from scipy.sparse.linalg import LinearOperator
    >>> M = rng.standard_normal((6, 10))
    >>> L = LinearOperator(M.shape, matvec=lambda v: M @ v, rmatvec=lambda v: M.T @ v)
    >>> res = data_consistency(L, M @ np.ones(10), np.zeros(10), maxiter=10)
    >>> res.converged, bool(np.allclose(M @ res.x, M @ np.ones(10)))
    (True, True)
    """
    started = time.perf_counter()
    A = as_operator(A)
    maxiter = check_maxiter(renamed("steps", steps, "maxiter", maxiter, 5), 5)
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
    while k < maxiter and bool(active.any()):
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
