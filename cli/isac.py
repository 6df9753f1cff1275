"""``relax isac``: estimate the objects of a simulated ISAC scene with PLAIN.

ISAC (integrated sensing and communication): a base station finds the objects around it
(angle, range, radial velocity) from the same OFDM uplink signal it uses to communicate.
PLAIN (Tahir, Svoboda and Rupp, 2025) estimates them by compressing the channel tensor,
estimating the frequencies of each dimension apart, and pairing them.
"""

from __future__ import annotations

import json
import math

import click
import numpy as np
from scipy.optimize import linear_sum_assignment

from problems.isac import Scenario, channel_tensor, random_scene
from solvers.isac import plain

SNR_RANGE = (-50.0, 100.0)
"""Signal-to-noise ratios accepted, in dB: beyond 100 dB the noise is below rounding; below
-50 dB nothing can be found."""

DIMENSIONS = ("antennas", "subcarriers", "symbols")
"""The dimensions of the channel tensor, in order."""

KEYS = ("angle", "range", "velocity")
UNITS = {"angle": "deg", "range": "m", "velocity": "m/s"}


def tolerances(scenario: Scenario) -> dict:
    """How far an estimate may lie from its object and count as found: half the resolution
    of the array (in angle, at broadside), of the band (in range) and of the frame (in
    velocity), i.e. half a cell of each dimension's normalised frequency.

    Examples
    --------
    >>> {k: round(v, 2) for k, v in tolerances(Scenario()).items()}
    {'angle': 3.58, 'range': 6.94, 'velocity': 0.29}
    """
    half = 0.5 / np.asarray(scenario.shape, dtype=np.float64)
    cell = scenario.to_physical([[half[0], -half[1], half[2]]])
    return {"angle": 90.0 - float(cell["angle"][0]), "range": float(cell["range"][0]),
            "velocity": float(cell["velocity"][0])}


def _pair(found: dict, truth: dict, scale: dict):
    """Each true object's estimate (index, or None where there are fewer estimates) and
    whether it lies within ``scale`` in every parameter, by a one-to-one assignment that
    first makes as many pairs within ``scale`` as possible, then the closest (in units of
    ``scale``)."""
    unit = np.array([scale[k] for k in KEYS])
    est = np.stack([found[k] for k in KEYS], axis=1) / unit
    true = np.stack([truth[k] for k in KEYS], axis=1) / unit
    pairs: list[int | None] = [None] * true.shape[0]
    within = [False] * true.shape[0]
    if est.shape[0]:
        error = np.nan_to_num(np.abs(true[:, None, :] - est[None, :, :]), nan=1e12,
                              posinf=1e12)
        inside = error.max(axis=2) <= 1.0
        distance = error.sum(axis=2)
        cost = distance + np.where(inside, 0.0, 1.0 + distance.sum())
        for i, j in zip(*linear_sum_assignment(cost), strict=True):
            pairs[int(i)], within[int(i)] = int(j), bool(inside[i, j])
    return pairs, within


def _snr(ctx, param, value):
    """--snr: a finite number of dB in :data:`SNR_RANGE`."""
    low, high = SNR_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        raise click.BadParameter(f"must be a finite number of dB in [{low:g}, {high:g}]; "
                                 f"got {value:g}")
    return value


def _compression(ctx, param, value):
    """--compression: one factor per dimension, each dividing its length."""
    shape = Scenario().shape
    try:
        factors = tuple(int(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"expected {len(shape)} integers separated by commas, like "
                                 f"1,4,14; got {value!r}") from None
    if len(factors) != len(shape):
        raise click.BadParameter(f"expected one factor for each of the {len(shape)} "
                                 f"dimensions ({', '.join(DIMENSIONS)}); got {len(factors)}")
    for name, length, f in zip(DIMENSIONS, shape, factors, strict=True):
        if f < 1 or length % f:
            divisors = [k for k in range(1, length + 1) if length % k == 0]
            raise click.BadParameter(f"the factor of the {length} {name} must divide "
                                     f"{length} ({', '.join(map(str, divisors))}); got {f}")
    return factors


def _rows(found, truth, pairs, within):
    """One dict per true object: its parameters, its estimate's and the errors, and whether
    the estimate is within tolerance."""
    rows = []
    for i, (j, inside) in enumerate(zip(pairs, within, strict=True)):
        row = {k: float(truth[k][i]) for k in KEYS}
        row["within_tolerance"] = inside
        if j is not None:
            row.update({f"est_{k}": float(found[k][j]) for k in KEYS})
            row.update({f"err_{k}": row[f"est_{k}"] - row[k] for k in KEYS})
        rows.append(row)
    return rows


def _summary(report) -> str:
    """The last line of the text report."""
    tol = ", ".join(f"{k} {report['tolerance'][k]:.2g} {UNITS[k]}" for k in KEYS)
    extra = [f"{report[key]} {label}" for key, label in
             (("off", "estimate(s) off"), ("missed", "missed"), ("spurious", "spurious"))
             if report[key]]
    return (f"found {report['found']} of {report['true']} objects within tolerance ({tol})"
            + (f"; {', '.join(extra)}" if extra else "")
            + f"; {report['estimates']} estimate(s) in {report['seconds']:.3f} s (SNR "
              f"{report['snr_db']:g} dB; angles in degrees, ranges in m, velocities in m/s)")


@click.command()
@click.option("--scene", type=click.Choice(["default"]), default="default", show_default=True,
              help="The simulated system: a 16-element antenna array at 26 GHz, 180 "
                   "subcarriers 60 kHz apart, 560 OFDM symbols; objects at 30-150 deg, "
                   "50-400 m, up to 25 km/h.")
@click.option("--objects", type=click.IntRange(1, 15), default=6, show_default=True,
              help="Number of objects in the random scene, 1 to 15.")
@click.option("--snr", type=float, default=10.0, show_default=True, callback=_snr,
              help=f"Signal-to-noise ratio per entry of the channel tensor, in dB, finite and "
                   f"in [{SNR_RANGE[0]:g}, {SNR_RANGE[1]:g}].")
@click.option("--compression", default="1,4,14", show_default=True, callback=_compression,
              help="Compression factor of each dimension (antennas, subcarriers, symbols), "
                   "each dividing its length (16, 180, 560): fewer samples to process, with "
                   "the same resolution but a shorter unambiguous range and speed.")
@click.option("--estimator", type=click.Choice(["root-music", "esprit"]), default="root-music",
              show_default=True,
              help="Frequency estimator of each dimension: root-MUSIC or ESPRIT, two "
                   "subspace methods.")
@click.option("--known-count", is_flag=True,
              help="Tell PLAIN the number of objects (otherwise it chooses it by the minimum "
                   "description length criterion, MDL).")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the random scene (and, plus 1, of its noise), an integer >= 0.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as one JSON object instead of a table.")
def isac(scene, objects, snr, compression, estimator, known_count, seed, as_json):
    """Estimate angle, range and velocity of the objects of a random scene with PLAIN.

    ISAC (integrated sensing and communication): a base station senses the objects around
    it from the OFDM signal it receives anyway. The channel is simulated for a random scene;
    PLAIN (Tahir, Svoboda and Rupp, 2025) compresses it, estimates the frequencies of each
    dimension apart and pairs them into objects. Each estimate is printed next to the truth.

    An estimate counts as found when it lies within half a resolution cell of its object in
    every parameter (the tolerances are printed); the others are reported as off, missed
    (an object with no estimate) or spurious (an estimate with no object). --json prints
    these counts, the tolerances and, per object, the truth, the estimate, the errors and
    "within_tolerance".
    """
    scenario = Scenario()
    truth_scene = random_scene(objects, scenario=scenario, seed=seed)
    truth_scene.check(compression)
    H = channel_tensor(truth_scene, snr_db=snr, seed=seed + 1)
    result = plain(H, compression, estimator=estimator, scenario=scenario,
                   n_objects=objects if known_count else None)
    truth = {"angle": truth_scene.angle, "range": truth_scene.range,
             "velocity": truth_scene.velocity}
    tol = tolerances(scenario)
    pairs, within = _pair(result.objects, truth, tol)
    rows = _rows(result.objects, truth, pairs, within)
    found = sum(row["within_tolerance"] for row in rows)
    estimates = int(result.frequencies.shape[0])
    paired = sum(j is not None for j in pairs)
    report = {"snr_db": snr, "found": found, "true": objects, "estimates": estimates,
              "off": paired - found, "missed": objects - paired,
              "spurious": estimates - paired, "tolerance": tol,
              "seconds": round(result.seconds, 4), "objects": rows}
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"{'':>3}{'angle':>9}{'est':>9}{'range':>9}{'est':>9}{'speed':>8}{'est':>8}")
    for i, row in enumerate(rows):
        est = [row.get(f"est_{k}", float("nan")) for k in KEYS]
        mark = "" if row["within_tolerance"] else "  off" if "est_angle" in row else "  missed"
        click.echo(f"{i:>3}{row['angle']:9.2f}{est[0]:9.2f}{row['range']:9.1f}{est[1]:9.1f}"
                   f"{row['velocity']:8.2f}{est[2]:8.2f}{mark}")
    click.echo(_summary(report))
