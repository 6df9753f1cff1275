"""ISAC scenes: the OFDM uplink channel tensor of objects at given angles, ranges, velocities.

The base station's uniform linear array, the subcarriers and the OFDM symbols make three
dimensions; path p contributes ``beta_p a(theta_p) o d(tau_p) o v(fD_p)`` with

    a_n = exp(j 2 pi s n cos theta)      (s = element spacing in wavelengths)
    d_k = exp(-j 2 pi tau dF k),  tau = 2 R / c        (round trip)
    v_l = exp(j 2 pi fD Ts l),    fD = 2 v fc / c

so each dimension is a harmonic of normalised frequency ``s cos theta``, ``-tau dF`` and
``fD Ts``. Extra array dimensions (elevation on a planar array) are further harmonics.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._rng import as_generator

C = 299_792_458.0


@dataclass(frozen=True)
class Scenario:
    """The OFDM system (the reference's default: 16-element ULA, 26 GHz, 180 subcarriers of
    60 kHz, 560 symbols of 17.86 us) and the default compression (1, 4, 14).

    ``bands`` are the lower edges of the unambiguous band of each dimension in compressed
    frequency (delays are positive, so range uses [-1, 0)).
    """

    n_antennas: int = 16
    carrier: float = 26e9
    n_subcarriers: int = 180
    spacing: float = 60e3
    n_symbols: int = 560
    symbol_time: float = 1.0 / 60e3 + 1.19e-6
    element_spacing: float = 0.5
    compression: tuple = (1, 4, 14)
    bands: tuple = (-0.5, -1.0, -0.5)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.n_antennas, self.n_subcarriers, self.n_symbols)

    def to_frequencies(self, angle_deg, range_m, velocity_ms) -> np.ndarray:
        """Normalised frequencies (P, 3) of objects."""
        angle = np.deg2rad(np.asarray(angle_deg, dtype=np.float64))
        return np.stack([self.element_spacing * np.cos(angle),
                         -2.0 * np.asarray(range_m, dtype=np.float64) * self.spacing / C,
                         2.0 * np.asarray(velocity_ms, dtype=np.float64) * self.carrier / C
                         * self.symbol_time], axis=-1).reshape(-1, 3)

    def to_physical(self, frequencies) -> dict:
        """Angle (degrees), range (m) and radial velocity (m/s) of frequencies (P, 3)."""
        F = np.atleast_2d(frequencies)
        cos = np.clip(F[:, 0] / self.element_spacing, -1.0, 1.0)
        return {"angle": np.rad2deg(np.arccos(cos)),
                "range": -F[:, 1] * C / (2.0 * self.spacing),
                "velocity": F[:, 2] * C / (2.0 * self.carrier * self.symbol_time)}

    def limits(self, factors=None) -> dict:
        """Largest unambiguous range (m) and speed (m/s) with the given compression."""
        f = self.compression if factors is None else factors
        return {"range": C / (2.0 * self.spacing * f[1]),
                "speed": C / (4.0 * self.carrier * self.symbol_time * f[2])}


@dataclass
class Scene:
    """Objects (one entry per object): angle (deg), range (m), velocity (m/s), amplitude."""

    angle: np.ndarray
    range: np.ndarray
    velocity: np.ndarray
    amplitude: np.ndarray
    scenario: Scenario = field(default_factory=Scenario)

    @property
    def frequencies(self) -> np.ndarray:
        return self.scenario.to_frequencies(self.angle, self.range, self.velocity)

    def check(self, factors=None) -> None:
        """Warn if an object is beyond the unambiguous range or speed of the compression."""
        lim = self.scenario.limits(factors)
        far = np.asarray(self.range) >= lim["range"]
        fast = np.abs(self.velocity) >= lim["speed"]
        if far.any() or fast.any():
            warnings.warn(f"{int(far.sum())} object(s) beyond the unambiguous range "
                          f"{lim['range']:.0f} m and {int(fast.sum())} beyond the speed "
                          f"{lim['speed']:.2f} m/s of this compression: they alias",
                          UserWarning, stacklevel=2)


def random_scene(n_objects=6, *, angles=(30.0, 150.0), ranges=(50.0, 400.0),
                 speed_kmh=(0.0, 25.0), static_fraction=0.5, scenario=None, seed=None) -> Scene:
    """A seeded random scene like the reference's: objects spread over the angle and range
    intervals, half of them static, the others moving at up to 25 km/h either way, with
    amplitudes falling as 1 / range^2 (normalised to the nearest) and random phases.

    Examples
    --------
    >>> s = random_scene(seed=0)
    >>> len(s.angle), int((s.velocity == 0).sum())
    (6, 3)
    """
    rng = as_generator(seed)
    scenario = scenario or Scenario()
    angle = rng.uniform(*angles, n_objects)
    rng_m = rng.uniform(*ranges, n_objects)
    moving = np.ones(n_objects, dtype=bool)
    moving[rng.permutation(n_objects)[: int(round(static_fraction * n_objects))]] = False
    speed = rng.uniform(*speed_kmh, n_objects) / 3.6 * rng.choice([-1.0, 1.0], n_objects)
    amplitude = (rng_m.min() / rng_m) ** 2 * np.exp(2j * np.pi * rng.random(n_objects))
    return Scene(angle, rng_m, np.where(moving, speed, 0.0), amplitude, scenario)


def channel_tensor(scene: Scene, *, snr_db=None, seed=None) -> np.ndarray:
    """The channel tensor of a scene, with white Gaussian noise at ``snr_db`` (signal power
    per entry over noise power per entry; None for no noise).

    Examples
    --------
    >>> H = channel_tensor(random_scene(2, seed=1), snr_db=10, seed=2)
    >>> H.shape, H.dtype.name
    ((16, 180, 560), 'complex128')
    """
    shape = scene.scenario.shape
    F = scene.frequencies
    H = np.zeros(shape, dtype=np.complex128)
    for p in range(F.shape[0]):
        factors = [np.exp(2j * np.pi * F[p, m] * np.arange(n)) for m, n in enumerate(shape)]
        H += scene.amplitude[p] * np.einsum("i,j,k->ijk", *factors)
    if snr_db is not None:
        rng = as_generator(seed)
        sigma = np.sqrt(np.mean(np.abs(H) ** 2) / 10.0 ** (snr_db / 10.0))
        H += sigma * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    return H
