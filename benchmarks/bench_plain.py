"""PLAIN against its baselines and the Cramer-Rao bound on the default ISAC scenario.

    python benchmarks/bench_plain.py [--runs 20] [--joint-runs 5] [--objects 6]

One random scene of the reference's default scenario (16 x 180 x 560; ``--objects`` objects
over 30..150 deg, 50..400 m, 0..25 km/h, half static, amplitudes falling as 1/R^2), noise
realisations per SNR from -20 to 20 dB. Methods, all told the number of objects: PLAIN
(compression 1, 4, 14, root-MUSIC, OMP) with its published stages alone, with the polish on
the compressed tensor, and by default (polish and one refinement sweep on the full tensor),
the sequential
estimator and multidimensional ESPRIT on the full tensor (its sub-tensors 6 x 10 x 10 at
strides 1, 4, 8; fewer runs: it is slow), and FFT peaks. RMSE of angle (deg), range (m) and
velocity (m/s) over the runs where the method found that many objects (its success rate is
shown), against the square root of the CRB (averaged over the objects). Then the run time
and flop count (``plain_flops.py``) of each method, and of each PLAIN stage, on the
noiseless scene (``--timing-only`` for that part alone).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine
from plain_flops import baselines, plain_stages
from scipy.optimize import linear_sum_assignment

from problems.isac import C, Scenario, channel_tensor, random_scene
from solvers.isac import crb_frequencies, plain
from solvers.isac.baselines import fft_peaks, joint_esprit, sequential

JOINT = {"subtensor": (6, 10, 10), "stride": (1, 4, 8)}
#: PLAIN's variants: the published stages alone, with the polish, and the default.
VARIANTS = {"PLAIN, published stages": {"polish_sweeps": 0, "refine_sweeps": 0},
            "PLAIN + polish": {"refine_sweeps": 0},
            "PLAIN (default)": {}}


def methods(P, scenario):
    run = {name: (lambda H, o=options: plain(H, scenario=scenario, n_objects=P, **o).frequencies)
           for name, options in VARIANTS.items()}
    run.update({
        "sequential (full)": lambda H: sequential(H, P)[0],
        "joint ESPRIT (full)": lambda H: joint_esprit(H, P, **JOINT)[0],
        "FFT peaks": lambda H: fft_peaks(H, P)[0],
    })
    return run


def physical_errors(scenario, F, truth):
    """Per object (matched one to one) errors in degrees, metres, m/s, or None."""
    if F.shape != truth.shape:
        return None
    cost = np.abs(truth[:, None, :] - F[None, :, :]).sum(axis=2)
    i, j = linear_sum_assignment(cost)
    est, ref = scenario.to_physical(F[j]), scenario.to_physical(truth[i])
    return np.stack([est[k] - ref[k] for k in ("angle", "range", "velocity")], axis=1)


def crb_physical(scenario, scene, noise_variance):
    """sqrt of the mean (over objects) CRB of angle (deg), range (m), velocity (m/s)."""
    var_f = crb_frequencies(scene.frequencies, scene.amplitude, scenario.shape,
                            noise_variance)
    theta = np.deg2rad(scene.angle)
    angle = np.rad2deg(np.sqrt(var_f[:, 0]) / (scenario.element_spacing * np.sin(theta)))
    rng = np.sqrt(var_f[:, 1]) * C / (2 * scenario.spacing)
    vel = np.sqrt(var_f[:, 2]) * C / (2 * scenario.carrier * scenario.symbol_time)
    return np.sqrt([np.mean(angle ** 2), np.mean(rng ** 2), np.mean(vel ** 2)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--joint-runs", type=int, default=5)
    parser.add_argument("--objects", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timing-only", action="store_true",
                        help="only the run times and flop counts")
    args = parser.parse_args()
    scenario = Scenario()
    scene = random_scene(args.objects, scenario=scenario, seed=args.seed)
    clean = channel_tensor(scene)
    signal = float(np.mean(np.abs(clean) ** 2))
    contenders = methods(args.objects, scenario)
    print(f"default scenario {scenario.shape}, {args.objects} objects (seed {args.seed}), "
          f"{args.runs} runs per SNR ({args.joint_runs} for joint ESPRIT)\nmachine: {machine()}")
    print(f"\n{'SNR':>5} {'method':<22}{'found':>7}{'angle deg':>11}{'range m':>10}"
          f"{'vel m/s':>10}   (RMSE; CRB on the first line of each SNR)")
    for snr in [] if args.timing_only else range(-20, 25, 5):
        noise = signal / 10 ** (snr / 10)
        bound = crb_physical(scenario, scene, noise)
        print(f"{snr:>5} {'sqrt(CRB)':<22}{'':>7}{bound[0]:11.4f}{bound[1]:10.4f}"
              f"{bound[2]:10.4f}")
        for name, run in contenders.items():
            runs = args.joint_runs if name.startswith("joint") else args.runs
            errors, found = [], 0
            for r in range(runs):
                H = channel_tensor(scene, snr_db=snr, seed=1000 * (snr + 20) + r)
                e = physical_errors(scenario, np.atleast_2d(run(H)), scene.frequencies)
                if e is not None:
                    errors.append(e)
                    found += 1
            if errors:
                rmse = np.sqrt(np.mean(np.concatenate(errors) ** 2, axis=0))
                print(f"{'':>5} {name:<22}{found:>4}/{runs:<2}{rmse[0]:11.4f}{rmse[1]:10.4f}"
                      f"{rmse[2]:10.4f}")
            else:
                print(f"{'':>5} {name:<22}{found:>4}/{runs:<2}{'-':>11}{'-':>10}{'-':>10}")
    timing(contenders, clean, scenario, args.objects)


def _median_seconds(run, H, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(H)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def timing(contenders, H, scenario, P):
    """Median run time (of 5) and flop count of every method, and of PLAIN's stages."""
    stats = {}
    sequential(H, P, stats=stats)
    flops = {name: sum(plain_stages(scenario.shape, scenario.compression, P,
                                    **{"polish_sweeps": 2, "refine_sweeps": 1, **o}).values())
             for name, o in VARIANTS.items()}
    flops.update(baselines(scenario.shape, P, branches=stats["branches"],
                           joint_subtensor=JOINT["subtensor"], joint_stride=JOINT["stride"]))
    seconds = {name: _median_seconds(run, H) for name, run in contenders.items()}
    joint = seconds["joint ESPRIT (full)"]
    print(f"\nrun time on the noiseless scene (median of 5) and flops:\n  {'method':<26}"
          f"{'seconds':>9}{'Gflop':>9}{'Gflop/s':>9}{'joint ESPRIT / this':>21}")
    for name, sec in seconds.items():
        print(f"  {name:<26}{sec:9.3f}{flops[name] / 1e9:9.3f}{flops[name] / 1e9 / sec:9.2f}"
              f"{joint / sec:20.1f}x")
    runs = [plain(H, scenario=scenario, n_objects=P).timings for _ in range(5)]
    stage_flops = plain_stages(scenario.shape, scenario.compression, P)
    print("  PLAIN (default) stages, median of 5:")
    for stage in ("compress", "estimate", "fuse", "polish", "refit"):
        ms = 1e3 * float(np.median([r[stage] for r in runs]))
        gflop = stage_flops.get(stage, stage_flops.get("refine", 0.0) if stage == "refit"
                                else 0.0) / 1e9
        label = "refine (full tensor)" if stage == "refit" else stage
        print(f"    {label:<22}{ms:8.1f} ms{gflop:9.4f} Gflop")
    print(f"    {'total':<22}{1e3 * float(np.median([r['total'] for r in runs])):8.1f} ms")


if __name__ == "__main__":
    main()
