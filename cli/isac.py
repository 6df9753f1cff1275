"""``relax isac``: estimate the objects of a simulated ISAC scene with PLAIN."""

from __future__ import annotations

import json

import click
import numpy as np
from scipy.optimize import linear_sum_assignment

from problems.isac import Scenario, channel_tensor, random_scene
from solvers.isac import plain
from solvers.isac.compression import check_factors


def _pair(found: dict, truth: dict):
    """Each true object's estimate (index) by an optimal one-to-one assignment in scaled
    units, or None where there are fewer estimates."""
    keys = ("angle", "range", "velocity")
    scale = np.array([180.0, 400.0, 10.0])
    est = np.stack([found[k] for k in keys], axis=1) / scale
    true = np.stack([truth[k] for k in keys], axis=1) / scale
    pairs: list[int | None] = [None] * true.shape[0]
    if est.shape[0]:
        cost = np.abs(true[:, None, :] - est[None, :, :]).sum(axis=2)
        for i, j in zip(*linear_sum_assignment(cost), strict=True):
            pairs[int(i)] = int(j)
    return pairs


@click.command()
@click.option("--scene", type=click.Choice(["default"]), default="default", show_default=True,
              help="The reference's scenario: 16-element ULA, 26 GHz, 180 x 60 kHz, 560 "
                   "symbols, 6 objects.")
@click.option("--objects", type=click.IntRange(1, 15), default=6, show_default=True)
@click.option("--snr", type=float, default=10.0, show_default=True, help="SNR in dB.")
@click.option("--compression", default="1,4,14", show_default=True,
              help="Compression factor of each dimension.")
@click.option("--estimator", type=click.Choice(["root-music", "esprit"]), default="root-music",
              show_default=True)
@click.option("--known-count", is_flag=True,
              help="Tell PLAIN the number of objects (otherwise it chooses it by MDL).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the objects as JSON.")
def isac(scene, objects, snr, compression, estimator, known_count, seed, as_json):
    """Estimate angle, range and velocity of the objects of a random scene with PLAIN."""
    try:
        factors = tuple(int(v) for v in compression.split(","))
    except ValueError:
        raise click.BadParameter(f"expected integers separated by commas; got {compression!r}",
                                 param_hint="--compression") from None
    scenario = Scenario()
    factors = check_factors(scenario.shape, factors)
    truth_scene = random_scene(objects, scenario=scenario, seed=seed)
    truth_scene.check(factors)
    H = channel_tensor(truth_scene, snr_db=snr, seed=seed + 1)
    result = plain(H, factors, estimator=estimator, scenario=scenario,
                   n_objects=objects if known_count else None)
    truth = {"angle": truth_scene.angle, "range": truth_scene.range,
             "velocity": truth_scene.velocity}
    pairs = _pair(result.objects, truth)
    rows = []
    for i, j in enumerate(pairs):
        row = {k: float(truth[k][i]) for k in truth}
        if j is not None:
            row.update({f"est_{k}": float(result.objects[k][j]) for k in truth})
            row.update({f"err_{k}": float(result.objects[k][j] - truth[k][i]) for k in truth})
        rows.append(row)
    report = {"snr_db": snr, "found": int(result.frequencies.shape[0]), "true": objects,
              "seconds": round(result.seconds["total"], 4), "objects": rows}
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"{'':>3}{'angle':>9}{'est':>9}{'range':>9}{'est':>9}{'speed':>8}{'est':>8}")
    for i, row in enumerate(rows):
        est = [row.get(f"est_{k}", float("nan")) for k in ("angle", "range", "velocity")]
        click.echo(f"{i:>3}{row['angle']:9.2f}{est[0]:9.2f}{row['range']:9.1f}{est[1]:9.1f}"
                   f"{row['velocity']:8.2f}{est[2]:8.2f}")
    click.echo(f"found {report['found']} of {objects} objects in {report['seconds']:.3f} s "
               f"(SNR {snr:g} dB; angles in degrees, ranges in m, velocities in m/s)")
