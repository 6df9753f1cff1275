"""Simulated multi-coil MRI acquisitions: coil sensitivities, k-space sampling masks, noise."""

from __future__ import annotations

import numpy as np
from numba import njit

from ._rng import as_generator
from .errors import ParameterError


def birdcage_maps(n_coils: int, shape, *, radius: float = 1.5) -> np.ndarray:
    """Complex coil sensitivities of ``n_coils`` coils evenly placed on a circle.

    Coil c sits at angle ``2 pi c / n_coils`` on a circle of ``radius`` (in units of the
    half field of view) around the image; its sensitivity falls off as the inverse distance
    and carries the phase of its angular position. The maps are normalised so that the
    root-sum-of-squares over the coils is 1 at every pixel.

    Returns
    -------
    ndarray, complex128, shape (n_coils, *shape)

    Examples
    --------
    >>> S = birdcage_maps(8, (32, 32))
    >>> S.shape, bool(np.allclose((abs(S) ** 2).sum(axis=0), 1.0))
    ((8, 32, 32), True)
    """
    if not (isinstance(n_coils, int | np.integer) and n_coils >= 1):
        raise ParameterError(f"n_coils must be a positive integer; got {n_coils!r}")
    rows, cols = shape
    y = -((2.0 * np.arange(rows) + 1.0) / rows - 1.0)[:, None]
    x = ((2.0 * np.arange(cols) + 1.0) / cols - 1.0)[None, :]
    maps = np.empty((n_coils, rows, cols), dtype=np.complex128)
    for c in range(n_coils):
        angle = 2.0 * np.pi * c / n_coils
        distance = np.hypot(x - radius * np.cos(angle), y - radius * np.sin(angle))
        maps[c] = np.exp(1j * (angle + np.arctan2(y - radius * np.sin(angle),
                                                   x - radius * np.cos(angle)))) / distance
    return maps / np.sqrt((np.abs(maps) ** 2).sum(axis=0))


def line_mask(shape, acceleration: float, *, center_fraction: float = 0.08,
              seed=None) -> np.ndarray:
    """Cartesian undersampling: random phase-encode lines (columns) with a full centre.

    The central ``center_fraction`` of the columns is always sampled; the others are drawn
    uniformly at random so that ``1 / acceleration`` of all columns are sampled.

    Examples
    --------
    >>> m = line_mask((64, 64), 4, seed=0)
    >>> m.shape, int(m[0].sum()), bool(m[:, 30:34].all())
    ((64, 64), 16, True)
    """
    rows, cols = shape
    _check_acceleration(acceleration)
    rng = as_generator(seed)
    total = max(int(round(cols / acceleration)), 1)
    centre = min(max(int(round(cols * center_fraction)), 1), total)
    start = (cols - centre) // 2
    chosen = np.zeros(cols, dtype=bool)
    chosen[start:start + centre] = True
    others = rng.choice(np.flatnonzero(~chosen), size=total - centre, replace=False)
    chosen[others] = True
    return np.broadcast_to(chosen, (rows, cols)).copy()


def poisson_disc_mask(shape, acceleration: float, *, center_fraction: float = 0.08,
                      seed=None) -> np.ndarray:
    """2-D undersampling by Poisson-disc samples (no two closer than a radius) plus a fully
    sampled central square, ``1 / acceleration`` of k-space in all.

    The radius is the largest (found by bisection) whose dart throwing still gives enough
    samples; the surplus, drawn at random outside the centre, is dropped (which only widens
    the gaps).

    Examples
    --------
    >>> m = poisson_disc_mask((64, 64), 4, seed=0)
    >>> int(m.sum()), bool(m[30:34, 30:34].all())
    (1024, True)
    """
    _check_acceleration(acceleration)
    rows, cols = shape
    rng = as_generator(seed)
    target = max(int(round(rows * cols / acceleration)), 1)
    centre = np.zeros(shape, dtype=bool)
    h, w = max(int(rows * center_fraction), 1), max(int(cols * center_fraction), 1)
    centre[(rows - h) // 2:(rows + h) // 2, (cols - w) // 2:(cols + w) // 2] = True
    low, high = 0.5, 2.0 * np.sqrt(acceleration) + 2.0
    mask = centre | _poisson_disc(shape, low, rng)             # every point: enough
    for _ in range(12):
        radius = 0.5 * (low + high)
        trial = centre | _poisson_disc(shape, radius, rng)
        if trial.sum() >= target:
            low, mask = radius, trial
        else:
            high = radius
    surplus = int(mask.sum()) - target
    if surplus > 0:
        optional = np.flatnonzero(mask & ~centre)
        mask.flat[rng.choice(optional, size=min(surplus, optional.size), replace=False)] = False
    return mask


def _poisson_disc(shape, radius, rng):
    """Dart throwing on a shuffled grid: accept a point if no accepted one is within radius."""
    return _dart_throwing(shape[0], shape[1], radius, rng.permutation(shape[0] * shape[1]))


@njit(cache=True)
def _dart_throwing(rows, cols, radius, order):
    mask = np.zeros((rows, cols), dtype=np.bool_)
    r = int(np.ceil(radius))
    for flat in order:
        i, j = flat // cols, flat % cols
        free = True
        for di in range(-r, r + 1):
            for dj in range(-r, r + 1):
                d2 = di * di + dj * dj
                if 0 < d2 < radius * radius and 0 <= i + di < rows and 0 <= j + dj < cols \
                        and mask[i + di, j + dj]:
                    free = False
        if free:
            mask[i, j] = True
    return mask


def _check_acceleration(acceleration):
    if not (np.isfinite(acceleration) and acceleration >= 1.0):
        raise ParameterError(f"acceleration must be a number >= 1; got {acceleration!r}")


def add_noise(y, level: float, *, seed=None):
    """``y`` plus white Gaussian noise of standard deviation ``level`` times the RMS of
    ``y`` (complex noise, split evenly between real and imaginary parts, for complex ``y``).

    Returns ``(noisy, sigma)``.

    Examples
    --------
    >>> noisy, sigma = add_noise(np.ones(10_000), 0.1, seed=0)
    >>> round(sigma, 3), abs(float(np.std(noisy - 1.0)) - 0.1) < 0.01
    (0.1, True)
    """
    if not (np.isfinite(level) and level >= 0.0):
        raise ParameterError(f"level must be a finite number >= 0; got {level!r}")
    rng = as_generator(seed)
    y = np.asarray(y)
    sigma = float(level * np.sqrt(np.mean(np.abs(y) ** 2)))
    if np.iscomplexobj(y):
        noise = (rng.standard_normal(y.shape) + 1j * rng.standard_normal(y.shape)) / np.sqrt(2)
    else:
        noise = rng.standard_normal(y.shape)
    return y + sigma * noise, sigma
