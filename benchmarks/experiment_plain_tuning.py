"""Tuning PLAIN's compression over the frames of a moving scene.

    python benchmarks/experiment_plain_tuning.py [--frames 100] [--snr 10]

A scene of the default scenario (six objects of equal strength, half of them moving at up
to 25 km/h) whose moving objects drift in range from frame to frame (frames 10 ms apart), at
a fixed SNR. Strong compression is fast but aliases fast objects (the unambiguous speed
shrinks with the velocity factor). Arms: compression factors (range, velocity) from
light to strong, ordered. A frame's cost is PLAIN's run time in milliseconds, plus, when the
residual energy of the fitted objects says some were missed (above 1.2 times the noise
energy, the noise level being known), the run time of redoing the frame with the lightest
compression. Every arm runs on every frame (the cost table); the learners then choose
against it (seeds 0-2). Prints the totals, the best fixed arm in hindsight and the misses.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine, print_tuning_summary, replay

import tuner
from problems.isac import Scenario, Scene, channel_tensor, random_scene
from solvers.isac import plain, synthesize

ARMS = [(2, 7), (3, 8), (4, 14), (5, 20), (6, 28), (9, 35), (12, 56)]
MISS_RATIO = 1.2


def frames(count, snr, seed=0):
    """The frames of a moving scene: (scene, tensor, noise variance)."""
    base = random_scene(6, seed=seed, ranges=(50.0, 250.0))
    phases = np.exp(1j * np.angle(base.amplitude))         # equal strengths: a miss shows
    for k in range(count):
        scene = Scene(base.angle, base.range + base.velocity * 0.01 * k, base.velocity,
                      phases, base.scenario)
        clean = channel_tensor(scene)
        noise = float(np.mean(np.abs(clean) ** 2)) / 10 ** (snr / 10)
        yield scene, channel_tensor(scene, snr_db=snr, seed=k), noise


def cost_table(count, snr):
    scenario = Scenario()
    ms = np.empty((count, len(ARMS)))
    missed = np.empty((count, len(ARMS)), dtype=bool)
    plain(channel_tensor(random_scene(2, seed=1)), scenario=scenario)         # warm up
    for k, (_, H, noise) in enumerate(frames(count, snr)):
        for a, (fr, fv) in enumerate(ARMS):
            start = time.perf_counter()
            result = plain(H, (1, fr, fv), scenario=scenario, max_objects=6)
            ms[k, a] = 1e3 * (time.perf_counter() - start)
            residual = H - synthesize(result.frequencies, result.amplitudes, H.shape)
            missed[k, a] = np.mean(np.abs(residual) ** 2) > MISS_RATIO * noise
    return ms, missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--snr", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print(f"PLAIN on {args.frames} frames at {args.snr:g} dB; arms (range, velocity "
          f"compression) {ARMS}\nmachine: {machine()}")
    ms, missed = cost_table(args.frames, args.snr)
    cost = ms + missed * ms[:, :1]
    values = np.arange(len(ARMS), dtype=float)
    rows = {f"fixed {fr}x{fv}": np.full((1, args.frames), a) for a, (fr, fv) in enumerate(ARMS)}
    rows["default policy"] = np.array([replay(tuner.default_policy(values, seed=s), cost)
                                       for s in range(args.seeds)])
    rows["Tsallis-INF"] = np.array([replay(tuner.TsallisINF(values, seed=s), cost)
                                    for s in range(args.seeds)])
    print_tuning_summary(rows, cost, {
        "misses": (8, ".1f", lambda c, k: missed[k, c].sum()),
        "ms/frame": (10, ".1f", lambda c, k: ms[k, c].mean())}, unit="total ms")

if __name__ == "__main__":
    main()
