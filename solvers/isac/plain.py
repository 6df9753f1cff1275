"""PLAIN: compression, decoupled per-dimension estimation, fusion (Tahir, Svoboda, Rupp 2025)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import DTypeError, ParameterError, ShapeError
from .compression import check_factors, compress
from .estimation import estimate_dimension
from .fusion import least_squares_core, omp, refit_amplitudes
from .harmonics import synthesize, wrap
from .refine import refine

FUSIONS = ("omp", "ls-core")


def _unwrap(F, lower):
    """Compressed frequencies moved into each dimension's band ``[lower, lower + 1)``."""
    return (F - lower) % 1.0 + lower


@dataclass
class PlainResult:
    """What :func:`plain` found.

    Attributes
    ----------
    frequencies : ndarray, shape (P, N)
        Normalised frequencies of each object in each dimension (of the full tensor).
    amplitudes : ndarray, complex, shape (P,)
        Least-squares amplitudes on the full tensor.
    objects : dict of arrays or None
        Physical parameters (e.g. angle, range, velocity), when a scenario was given.
    seconds : float
        Wall-clock of the whole call.
    timings : dict
        Wall-clock of each stage (``compress``, ``estimate``, ``fuse``, ``polish``,
        ``refit``) and ``total`` (= ``seconds``), in seconds.
    info : dict
        Per-dimension candidate counts, the noise variance estimate, the compressed shape.
    """

    frequencies: np.ndarray
    amplitudes: np.ndarray
    objects: dict | None = None
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def _scenario_dimensions(scenario):
    """How many dimensions ``scenario`` describes, and by what (None when it does not say)."""
    for attribute in ("shape", "compression", "bands"):
        value = getattr(scenario, attribute, None)
        if value is not None:
            value = tuple(value)
            return len(value), f"{attribute} {value}"
    return None


def _check_tensor(H, scenario):
    """H as an array with one dimension or more, of a numeric dtype and of the scenario's
    number of dimensions."""
    H = np.asarray(H)
    if H.dtype.kind not in "biufc":
        raise DTypeError(f"H must be a real or complex numeric tensor; got dtype {H.dtype}")
    if H.ndim < 1:
        raise ShapeError(f"H must have at least one dimension; got a {H.ndim}-D array")
    described = None if scenario is None else _scenario_dimensions(scenario)
    if described is not None and described[0] != H.ndim:
        raise ShapeError(f"H has {H.ndim} dimensions (shape {H.shape}) but the scenario "
                         f"{type(scenario).__name__} describes {described[0]} "
                         f"({described[1]}); give a tensor of the scenario's dimensions, "
                         f"or no scenario")
    return H


def plain(H, factors=None, *, method="average", estimator="root-music", criterion="mdl",
          fusion="omp", n_objects=None, max_objects=None, subarray=None, rounds=0,
          bands=None, polish_sweeps=2, refine_sweeps=1, scenario=None):
    """Estimate the objects of a multidimensional harmonic tensor with PLAIN.

    Parameters
    ----------
    H : ndarray, complex, N dimensions
        The channel tensor (pilots divided out): a sum of rank-1 harmonics plus noise.
    factors : sequence of int, optional
        Compression factor of each dimension (dividing its length); the scenario's default
        (``scenario.compression``) or no compression.
    method : {"average", "decimate"}
        Compression by block averaging or decimation.
    estimator : {"root-music", "esprit"}
    criterion : {"mdl", "aic"}
        Model order of each dimension.
    fusion : {"omp", "ls-core"}
        Pairing by greedy OMP with refits (default) or the largest least-squares core entries.
    n_objects : int, optional
        The number of objects, when known: each dimension then keeps that many frequencies
        (fewer than its length) instead of choosing a model order, and the fusion returns
        exactly that many objects.
    max_objects : int, optional
        At most this many objects (the model orders are chosen by ``criterion``).
    subarray : int or sequence, optional
        Spatial smoothing length per dimension (None: no smoothing).
    rounds : int
        Reconstruct-and-subtract rounds looking for weaker objects in the residual.
    bands : sequence of float, optional
        Lower edge ``lo`` of each dimension's unambiguous band ``[lo, lo + 1)`` in compressed
        frequency (-0.5 by default; -1 for delays, which are positive); the scenario's
        (``scenario.bands``) if it has them.
    polish_sweeps : int
        Sweeps of :func:`solvers.isac.refine` on the compressed tensor after the fusion, the
        first with a global search: it repairs pairings and separates objects that the
        per-dimension estimates merged (an addition to the published architecture; 0 turns
        it off).
    refine_sweeps : int
        Sweeps of :func:`solvers.isac.refine` on the full tensor at the end: it removes what
        the compression costs in accuracy (the compressed tensor's own CRB is higher).
    scenario : object, optional
        Maps frequencies to physical parameters (``scenario.to_physical(frequencies)``), e.g.
        :class:`problems.isac.Scenario`. H must have as many dimensions as the scenario
        describes (its ``shape``, else its ``compression`` or ``bands``): a
        :class:`~solvers.errors.ShapeError` names both otherwise.

    Returns
    -------
    PlainResult

    Raises
    ------
    ShapeError
        H has no dimension, or not the scenario's number of dimensions; ``bands`` or
        ``factors`` do not have one entry per dimension.
    DTypeError
        H is not numeric.

    Examples
    --------
    >>> from solvers.isac.harmonics import synthesize
    >>> F = np.array([[0.10, 0.004, -0.01], [-0.20, 0.010, 0.02]])
    >>> H = synthesize(F, [1.0, 0.7j], (16, 40, 56))
    >>> r = plain(H, (1, 4, 7))
    >>> bool(np.allclose(np.sort(r.frequencies, axis=0), np.sort(F, axis=0), atol=1e-8))
    True
    """
    start = time.perf_counter()
    H = _check_tensor(H, scenario)
    if fusion not in FUSIONS:
        raise ParameterError(f"fusion must be one of {FUSIONS}; got {fusion!r}")
    if factors is None:
        factors = getattr(scenario, "compression", None) or (1,) * H.ndim
    factors = check_factors(H.shape, factors)
    if bands is None:
        bands = getattr(scenario, "bands", None) or (-0.5,) * H.ndim
    lower = np.asarray(bands, dtype=np.float64)
    if lower.shape != (H.ndim,):
        raise ShapeError(f"bands needs one lower edge per dimension ({H.ndim})")
    subarrays = subarray if isinstance(subarray, list | tuple) else [subarray] * H.ndim
    if n_objects is not None:
        n_objects = int(n_objects)
        if n_objects < 1:
            raise ParameterError(f"n_objects must be >= 1; got {n_objects}")
        max_objects = n_objects
    scale = np.asarray(factors, dtype=np.float64)
    seconds = {"compress": 0.0, "estimate": 0.0, "fuse": 0.0, "polish": 0.0, "refit": 0.0}
    found = np.empty((0, H.ndim))
    info = {"candidates": [], "noise_variance": []}
    t = time.perf_counter()
    G0 = compress(H, factors, method)
    seconds["compress"] += time.perf_counter() - t
    G = G0
    for round_ in range(int(rounds) + 1):
        remaining = None if max_objects is None else int(max_objects) - found.shape[0]
        if remaining is not None and remaining <= 0:
            break
        if round_:
            t = time.perf_counter()
            G = G0 - synthesize(wrap(found * scale), refit_amplitudes(G0, wrap(found * scale)),
                                G0.shape)
            seconds["refit"] += time.perf_counter() - t
        t = time.perf_counter()
        candidates, noise = [], []
        for m in range(G.ndim):
            order = None if n_objects is None else min(remaining, G.shape[m] - 1)
            f, sigma2 = estimate_dimension(G, m, estimator=estimator, criterion=criterion,
                                           order=order, subarray=subarrays[m],
                                           max_order=remaining)
            candidates.append(f)
            noise.append(sigma2)
        seconds["estimate"] += time.perf_counter() - t
        t = time.perf_counter()
        # with a known count the fusion takes that many atoms; otherwise it stops at the noise
        noise_variance = 0.0 if n_objects is not None else float(np.mean(noise))
        if fusion == "omp":
            Fc, _ = omp(G, candidates, max_atoms=remaining, noise_variance=noise_variance)
        else:
            count = min(len(c) for c in candidates) if remaining is None else remaining
            Fc, _ = least_squares_core(G, candidates, count)
        seconds["fuse"] += time.perf_counter() - t
        info["candidates"].append([len(c) for c in candidates])
        info["noise_variance"].append(float(np.mean(noise)))
        if Fc.shape[0] == 0:
            break
        found = np.vstack([found, _unwrap(Fc, lower) / scale])
    t = time.perf_counter()
    if polish_sweeps and found.shape[0]:
        Fc, _ = refine(G0, wrap(found * scale), sweeps=polish_sweeps, search="global")
        found = _unwrap(Fc, lower) / scale
    seconds["polish"] = time.perf_counter() - t
    t = time.perf_counter()
    if refine_sweeps:
        found, amplitudes = refine(H, found, sweeps=refine_sweeps)
    else:
        amplitudes = refit_amplitudes(H, found)
    seconds["refit"] += time.perf_counter() - t
    seconds["total"] = time.perf_counter() - start
    info["compressed_shape"] = G0.shape
    objects = None if scenario is None else scenario.to_physical(found)
    return PlainResult(found, amplitudes, objects, seconds=float(seconds["total"]),
                       timings=seconds, info=info)
