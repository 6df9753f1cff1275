"""PLAIN: compression, decoupled per-dimension estimation, fusion (Tahir, Svoboda, Rupp 2025)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError, ShapeError
from .compression import check_factors, compress
from .estimation import estimate_dimension
from .fusion import least_squares_core, omp, refit_amplitudes
from .harmonics import synthesize
from .refine import refine

FUSIONS = ("omp", "ls-core")


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
    seconds : dict
        Wall-clock of each stage (``compress``, ``estimate``, ``fuse``, ``refit``) and total.
    info : dict
        Per-dimension candidate counts, the noise variance estimate, the compressed shape.
    """

    frequencies: np.ndarray
    amplitudes: np.ndarray
    objects: dict | None = None
    seconds: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def plain(H, factors=None, *, method="average", estimator="root-music", criterion="mdl",
          fusion="omp", max_objects=None, subarray=None, rounds=0, bands=None,
          refine_sweeps=0, scenario=None):
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
    max_objects : int, optional
        At most this many objects.
    subarray : int or sequence, optional
        Spatial smoothing length per dimension (None: no smoothing).
    rounds : int
        Reconstruct-and-subtract rounds looking for weaker objects in the residual.
    bands : sequence of float, optional
        Lower edge ``lo`` of each dimension's unambiguous band ``[lo, lo + 1)`` in compressed
        frequency (-0.5 by default; -1 for delays, which are positive); the scenario's
        (``scenario.bands``) if it has them.
    refine_sweeps : int
        Sweeps of the optional refinement on the full tensor (:func:`solvers.isac.refine`):
        not part of the published architecture; it brings the errors to the CRB at a cost.
    scenario : object, optional
        Maps frequencies to physical parameters (``scenario.to_physical(frequencies)``), e.g.
        :class:`problems.isac.Scenario`.

    Returns
    -------
    PlainResult

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
    H = np.asarray(H)
    if H.ndim < 1 or not np.iscomplexobj(H) and not np.isrealobj(H):
        raise ShapeError("H must be a numeric tensor")
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
    seconds = {"compress": 0.0, "estimate": 0.0, "fuse": 0.0, "refit": 0.0}
    found = np.empty((0, H.ndim))
    residual = H
    info = {"candidates": [], "noise_variance": []}
    for _ in range(int(rounds) + 1):
        t = time.perf_counter()
        G = compress(residual, factors, method)
        seconds["compress"] += time.perf_counter() - t
        t = time.perf_counter()
        candidates, noise = [], []
        for m in range(G.ndim):
            f, sigma2 = estimate_dimension(G, m, estimator=estimator, criterion=criterion,
                                           subarray=subarrays[m], max_order=max_objects)
            candidates.append(f)
            noise.append(sigma2)
        seconds["estimate"] += time.perf_counter() - t
        t = time.perf_counter()
        remaining = None if max_objects is None else int(max_objects) - found.shape[0]
        if remaining is not None and remaining <= 0:
            break
        if fusion == "omp":
            Fc, _ = omp(G, candidates, max_atoms=remaining, noise_variance=float(np.mean(noise)))
        else:
            count = min(len(c) for c in candidates) if remaining is None else remaining
            Fc, _ = least_squares_core(G, candidates, count)
        seconds["fuse"] += time.perf_counter() - t
        info["candidates"].append([len(c) for c in candidates])
        info["noise_variance"].append(float(np.mean(noise)))
        if Fc.shape[0] == 0:
            break
        unwrapped = (Fc - lower) % 1.0 + lower
        found = np.vstack([found, unwrapped / np.asarray(factors, dtype=np.float64)[None, :]])
        if rounds:
            t = time.perf_counter()
            residual = H - synthesize(found, refit_amplitudes(H, found), H.shape)
            seconds["refit"] += time.perf_counter() - t
    t = time.perf_counter()
    if refine_sweeps:
        found, amplitudes = refine(H, found, sweeps=refine_sweeps)
    else:
        amplitudes = refit_amplitudes(H, found)
    seconds["refit"] += time.perf_counter() - t
    seconds["total"] = time.perf_counter() - start
    info["compressed_shape"] = tuple(s // f for s, f in zip(H.shape, factors, strict=True))
    objects = None if scenario is None else scenario.to_physical(found)
    return PlainResult(found, amplitudes, objects, seconds, info)
