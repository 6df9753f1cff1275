"""Experiment 2 of "Learning to Relax": SSOR-PCG on the heat-equation sequence, tuned online.

    python benchmarks/experiment_heat.py --nx 25 50 100 [--steps 5000] [--seeds 3]
        [--live [--repeats 5]] [--figure docs/figures/heat_omega.png]
        [--tables benchmarks/results]
    python benchmarks/experiment_heat.py --nx 400 --steps 1000 --live-only

Iterations. ``heat_cost_table.py`` gives, for every step, the SSOR-PCG iterations of each of
the 20 arms ``linspace(1, 1.95, 20)`` from the step's warm start, plain CG's, the
instance-optimal omega's (golden-section search in [1, 1.95]) and the best fixed omega on
the 96-point grid. The learners (Tsallis-INF, Tsallis-INF-CB with 5 bins, ChebCB with 6
Chebyshev features, and the default policy without and with the diffusivity as context)
are replayed against that table through the ask/tell Tuner for several seeds.

Wall-clock (``--live``). Every method runs the whole simulation itself (its own solutions
are the next warm starts): direct solve, plain CG, SSOR-PCG at omega in
{1, 1.3, 1.5, 1.75, 1.95}, at the best fixed omega, at the per-step instance-optimal omega of
the table, and tuned by each learner (seed 0). A step's time is the solve plus the tuner's
ask and tell; assembling the system is common to all and left out. The direct solve
(SciPy's spsolve: a sparse LU factorisation per step, since A changes with the diffusivity)
is timed on every tenth step (--direct-stride).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from _common import learners, machine
from heat_cost_table import ARMS, compute

import tuner
from cli.heat_runs import Method, run, warm_up
from problems import KAPPA_BOUNDS

PAPER_FIXED = (1.0, 1.3, 1.5, 1.75, 1.95)
LEARNERS = learners(ARMS, KAPPA_BOUNDS, "kappa")


def load(nx, steps, tables):
    return dict(np.load(compute(nx, steps, tables)))


def best_fixed(table):
    """(omega, per-step iterations) of the best fixed omega on the 96-point grid (arms and the
    grid points evaluated between the best arm's neighbours)."""
    omegas = np.concatenate([table["arms"], table["grid_omegas"]])
    iters = np.concatenate([table["iters"], table["grid_iters"]], axis=1)
    j = int(np.argmin(iters.sum(axis=0)))
    return float(omegas[j]), iters[:, j]


def replay(table, make_policy, seed):
    """Per-step iterations of a learner choosing among the arms, looked up in the table."""
    t = tuner.Tuner(make_policy(seed))
    iters = table["iters"]
    out = np.empty(iters.shape[0])
    for k, kappa in enumerate(table["kappa"]):
        trial = t.ask(float(kappa)) if t.policy.contextual else t.ask()
        out[k] = iters[k, trial.arm]
        t.tell(trial, out[k])
    return out


def iteration_rows(table, seeds):
    arm = {round(float(w), 2): j for j, w in enumerate(table["arms"])}
    rows = {"direct solve": None, "plain CG": table["cg_iters"]}
    for w in PAPER_FIXED:
        rows[f"omega = {w:g}"] = table["iters"][:, arm[w]]
    w_best, best = best_fixed(table)
    rows[f"best fixed (omega = {w_best:.2f})"] = best
    rows["instance-optimal"] = table["opt_iters"]
    for name, make in LEARNERS.items():
        rows[name] = np.mean([replay(table, make, s).mean() for s in range(seeds)])
    return rows, w_best


def print_iterations(nx, table, rows, seeds):
    base = table["iters"][:, 0].mean()
    best = next(v for k, v in rows.items() if k.startswith("best fixed")).mean()
    opt = table["opt_iters"].mean()
    print(f"\nheat equation nx={nx} ({(nx - 1) ** 2} unknowns), {table['kappa'].size} steps: mean "
          f"SSOR-PCG iterations per step (learners: mean of seeds 0..{seeds - 1})")
    print(f"  {'method':<28}{'iters':>8}{'vs omega=1':>12}{'/ best fixed':>14}"
          f"{'/ inst-opt':>12}")
    for name, v in rows.items():
        if v is None:
            continue
        m = float(np.mean(v))
        print(f"  {name:<28}{m:>8.2f}{base / m:>11.2f}x{m / best:>13.2f}x{m / opt:>11.2f}x")
    if not bool(table["unimodal"]):
        print("  note: the 20-arm totals are not unimodal in omega; the best fixed omega is "
              "searched next to the best arm only")


def live_methods(table, w_best, direct_stride):
    methods = [Method("direct solve", "direct", stride=direct_stride), Method("plain CG", "cg")]
    methods += [Method(f"omega = {w:g}", "ssor", omega=w) for w in PAPER_FIXED]
    methods.append(Method(f"best fixed (omega = {w_best:.2f})", "ssor", omega=w_best))
    methods.append(Method("instance-optimal", "schedule", schedule=table["opt_omega"]))
    return methods + learner_methods()


def learner_methods(names=None):
    """A live run per learner (seed 0), all of them or those named."""
    return [Method(name, "tuned", make_tuner=lambda make=make: tuner.Tuner(make(0)))
            for name, make in LEARNERS.items() if names is None or name in names]


LIVE_ONLY = ("Tsallis-INF", "ChebCB", "default (kappa context)")


def print_live(nx, runs, seconds, repeats):
    base, plain = seconds["omega = 1"], seconds.get("plain CG", float("nan"))
    print(f"\n  live runs, nx={nx} (seed 0; time = solve + ask + tell, median of {repeats} "
          f"interleaved runs)")
    print(f"  {'method':<28}{'iters':>8}{'ms/step':>10}{'time vs omega=1':>17}"
          f"{'vs plain CG':>13}")
    for name, r in runs.items():
        it = f"{r.mean_iterations:8.2f}" if r.iterations.any() else f"{'-':>8}"
        per_step = seconds[name] / r.iterations.size
        print(f"  {name:<28}{it}{1e3 * per_step:>10.3f}{base / seconds[name]:>16.2f}x"
              f"{plain / seconds[name]:>12.2f}x")


def figure(path, nx, table, runs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in LEARNERS if n in runs]
    fig, axes = plt.subplots(len(names), 1, figsize=(10, 2.2 * len(names)), sharex=True)
    steps = np.arange(table["kappa"].size)
    for ax, name in zip(np.atleast_1d(axes), names, strict=True):
        ax.plot(steps, table["opt_omega"], ".", color="0.75", markersize=2,
                label="instance-optimal")
        ax.plot(steps, runs[name].omegas, ".", markersize=2, label=name)
        ax.set_ylabel("omega")
        ax.set_ylim(0.97, 1.98)
        ax.legend(loc="lower left", fontsize=7, markerscale=4)
        twin = ax.twinx()
        twin.plot(steps, table["kappa"], color="tab:red", linewidth=0.6, alpha=0.5)
        twin.set_ylabel("kappa", color="tab:red", fontsize=7)
    np.atleast_1d(axes)[-1].set_xlabel("time step")
    fig.suptitle(f"heat equation, nx={nx}: omega chosen at each step (seed 0)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"figure: {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nx", type=int, nargs="+", default=[25, 50, 100])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--figure", default=None, help="omega over time for the last nx")
    parser.add_argument("--tables", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--repeats", type=int, default=1,
                        help="live runs of each method, interleaved; the median time counts")
    parser.add_argument("--live-only", action="store_true",
                        help="no cost table (for sizes where it costs too much): live runs "
                             "of omega = 1 and of " + ", ".join(LIVE_ONLY) + " only")
    parser.add_argument("--direct-stride", type=int, default=10,
                        help="time the direct solve on every k-th step only")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    for nx in args.nx:
        if args.live_only:
            warm_up(nx)
            methods = [Method("omega = 1", "ssor", omega=1.0), *learner_methods(LIVE_ONLY)]
            runs = {}
            for method in methods:
                print(f"  running {method.label} ...", file=sys.stderr, flush=True)
                runs[method.label] = run(nx, args.steps, method)
            print(f"\nheat equation nx={nx} ({(nx - 1) ** 2} unknowns), {args.steps} steps, "
                  "no cost table (no best fixed or instance-optimal omega)")
            base = runs["omega = 1"].mean_iterations
            for name, r in runs.items():
                print(f"  {name:<28}{r.mean_iterations:>8.2f} iterations per step"
                      f"{base / r.mean_iterations:>8.2f}x fewer than omega = 1")
            print_live(nx, runs, {k: r.total_seconds for k, r in runs.items()}, 1)
            continue
        table = load(nx, args.steps, args.tables)
        rows, w_best = iteration_rows(table, args.seeds)
        print_iterations(nx, table, rows, args.seeds)
        if args.live or args.figure:
            warm_up(nx)
            runs, seconds = {}, {}
            methods = live_methods(table, w_best, args.direct_stride)
            for repeat in range(args.repeats):          # interleaved: drifts hit all alike
                for method in methods:
                    print(f"  running {method.label} ({repeat + 1}/{args.repeats}) ...",
                          file=sys.stderr, flush=True)
                    r = run(nx, args.steps, method)
                    runs.setdefault(method.label, r)
                    seconds.setdefault(method.label, []).append(r.total_seconds)
            print_live(nx, runs, {k: float(np.median(v)) for k, v in seconds.items()},
                       args.repeats)
            if args.figure and nx == args.nx[-1]:
                figure(args.figure, nx, table, runs)


if __name__ == "__main__":
    main()
