"""``relax tune``: the experiments of Learning to Relax (Khodak et al., ICLR 2024) from the
command line.

``relax tune shifted-laplacian`` tunes SOR's omega over random shifted Laplacians (the shift
is the context), with fixed omegas and the instance-optimal omega alongside;
``relax tune heat`` tunes the SSOR omega of CG over the heat-equation simulation (the
diffusivity is the context), with full simulations at fixed omegas alongside; with
``--method auto`` it tunes the whole configuration instead (which method, which knobs: see
:mod:`cli.auto_runs`), by the seconds each step takes. Both print a
summary on stdout and can write the per-instance report (``-o/--out``, CSV or JSON) and a
figure of omega and cost over the sequence (``--plot``, needs matplotlib). Both paths, and
matplotlib, are checked when the command line is parsed, before any work.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
import numpy as np

import problems as pb
import tuner
from solvers import Solver

from . import auto_runs
from .console import progressbar
from .heat_runs import DT, Method, check_grid, run_interleaved, warm_up
from .limits import check_memory
from .options import FiniteFloatRange
from .outputs import check_output_file, output_file_option
from .policy_names import make_policy

ARMS = np.linspace(1.0, 1.95, 20)
OMEGA = FiniteFloatRange(0.0, 2.0, min_open=True, max_open=True)
"""An omega on the command line: SOR and SSOR converge for omega in (0, 2)."""

INSTANCE_BYTES = 4096
"""Bytes per shifted-Laplacian instance: its right-hand side, the tuner's history, the
report's arrays and row."""

PAPER = "Learning to Relax (Khodak et al., ICLR 2024)"


def write_report(path, rows: list[dict], summary: dict) -> None:
    """Per-instance ``rows`` to ``path``: CSV (a header and one line per row) or JSON
    (``{"summary": ..., "rows": [...]}``), by suffix.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> write_report(path, [{"step": 0, "omega": 1.5}], {})
    >>> open(path).read().split()
    ['step,omega', '0,1.5']
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))


def _matplotlib():
    """matplotlib with its file-only backend, or a usage error naming ``--plot``."""
    try:
        import matplotlib
    except ImportError:
        raise click.BadParameter("needs matplotlib, which is not installed: pip install "
                                 "'relax[plot]'", param_hint="--plot") from None
    matplotlib.use("Agg")
    return matplotlib


def _plot_path(ctx, param, value):
    if value is None:
        return None
    path = check_output_file(value, (".png",), "--plot")
    _matplotlib()
    return str(path)


def plot_option(help: str):
    """The ``--plot`` option: a PNG path, checked (and matplotlib with it) when parsed."""
    return click.option("--plot", type=click.Path(dir_okay=False), callback=_plot_path,
                        help=f"{help} Needs matplotlib. [default: no figure]")


def plot_sequence(path, values, costs, contexts, *, title, cost_label) -> None:
    """Omega chosen and cost per instance, the context on a twin axis."""
    _matplotlib()
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
    steps = np.arange(values.size)
    top.plot(steps, values, ".", markersize=2)
    top.set_ylabel("omega chosen")
    twin = top.twinx()
    twin.plot(steps, contexts, color="tab:red", linewidth=0.6, alpha=0.6)
    twin.set_ylabel("context", color="tab:red")
    bottom.plot(steps, costs, ".", markersize=2)
    bottom.set_ylabel(cost_label)
    bottom.set_xlabel("instance")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _checked_policy(name, bounds, context, seed):
    return make_policy(name, ARMS, bounds=bounds if context else None, seed=seed)


_shared_options = [
    click.option("--policy", default="default", show_default=True,
                 help="How omega is chosen among 20 values in [1, 1.95]: default (search "
                      "downhill from the best value so far, per range of the context), "
                      "tsallis-inf (the paper's bandit, blind to the context), "
                      "tsallis-inf-cb or chebcb (the paper's contextual bandits), or fixed:W "
                      "(always omega = W)."),
    click.option("--context/--no-context", default=True, show_default=True,
                 help="Give contextual policies each instance's context (the shift or the "
                      "diffusivity)."),
    output_file_option((".csv", ".json"), "Write the per-instance report to this .csv or "
                       ".json file. [default: none]"),
    plot_option("Write a PNG of the omega chosen and the cost per instance."),
    click.option("--seed", type=int, default=0, show_default=True,
                 help="Seed of the policy's random choices (and of shifted-laplacian's "
                      "random instances)."),
]


def _with_shared_options(f):
    for option in reversed(_shared_options):
        f = option(f)
    return f


@click.group("tune")
def tune_group():
    """Tune omega online over a sequence of linear systems.

    These are the two experiments of Learning to Relax (Khodak et al., ICLR 2024): SOR on
    random shifted Laplacians, and SSOR-preconditioned CG on a heat-equation simulation.
    """


@tune_group.command("shifted-laplacian")
@click.option("--count", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Instances in the sequence (each a 100 x 100 system).")
@click.option("--variance", type=click.Choice(["high", "low"]), default="high",
              show_default=True,
              help="Spread of the random shifts: high (variance 0.0225) or low (0.0075).")
@click.option("--baseline", "baselines", multiple=True, type=OMEGA,
              default=(1.0, 1.2, 1.4, 1.6, 1.8), show_default=True,
              help="Fixed omega, in (0, 2), also solved on every instance (repeatable).")
@_with_shared_options
def tune_shifted_laplacian(count, variance, baselines, policy, context, out, plot, seed):
    """Tune SOR's omega over random shifted Laplacians.

    The first experiment of Learning to Relax (Khodak et al., ICLR 2024): each instance is
    the 5-point Laplacian of a 10 x 10 grid plus a random shift c I (the context), solved by
    SOR to rtol 1e-8; the cost is SOR's iterations. The summary compares the tuned omega
    with the fixed ones and with the best omega of each instance.
    """
    check_memory(count * INSTANCE_BYTES, f"a sequence of {count} instances", "--count")
    t = tuner.Tuner(_checked_policy(policy, pb.SHIFT_BOUNDS, context, seed))
    seq = pb.shifted_laplacian_sequence(count, variance=variance, seed=seed)

    solver = Solver(next(iter(pb.shifted_laplacian_sequence(1, seed=seed))).A)

    def solve(inst, omega):                     # one pattern: the solver takes the values
        solver.update(inst.A)
        res = solver.sor(inst.b, omega=omega, rtol=1e-8, maxiter=10_000)
        return float(res.iterations), not res.converged

    def oracle(inst):
        return solve(inst, inst.meta["omega_opt"])

    with progressbar(count, "solving") as bar:
        report = tuner.run_sequence(seq, solve, t, baselines=baselines, oracle=oracle,
                                    progress=lambda done, trial, cost: bar.update(1))
    click.echo(report.table())
    rows = [{"index": i, "shift": float(report.contexts[i]), "omega": float(report.values[i]),
             "iterations": float(report.costs[i]), "censored": bool(report.censored[i]),
             **{f"iterations_fixed_{w:g}": float(c[i])
                for w, c in zip(report.baseline_values, report.baseline_costs, strict=True)},
             "iterations_optimal": float(report.oracle_costs[i])}
            for i in range(report.n)]
    summary = {"problem": "shifted-laplacian", "variance": variance, "count": count,
               "policy": policy, "context": context, "seed": seed, "mean": report.mean,
               "best_fixed": report.best_fixed, "oracle_mean": report.oracle_total / report.n}
    if out:
        write_report(out, rows, summary)
    if plot:
        plot_sequence(plot, report.values, report.costs, report.contexts,
                      title=f"shifted Laplacians ({variance} variance), policy {policy}",
                      cost_label="SOR iterations")


def _heat_rows(runs, kappas):
    """One report row per step: the tuned run's choice and cost, the fixed runs' costs."""
    tuned = runs["tuned"]
    return [{"step": k, "kappa": float(kappas[k]), "omega": float(tuned.omegas[k]),
             "iterations": int(tuned.iterations[k]), "seconds": float(tuned.seconds[k]),
             **{f"iterations_{label.replace(' ', '_')}": int(r.iterations[k])
                for label, r in runs.items() if label != "tuned"}}
            for k in range(kappas.size)]


@tune_group.command("heat")
@click.option("--method", type=click.Choice(["ssor", "auto"]), default="ssor",
              show_default=True,
              help="ssor: tune the omega of SSOR-preconditioned CG (the paper's experiment); "
                   "auto: tune the configuration (plain, Jacobi-, SSOR- or AMG-preconditioned "
                   "CG, a direct solve, and their knobs: solvers.auto_space) by the seconds "
                   "each step takes.")
@click.option("--nx", type=click.IntRange(min=3), default=50, show_default=True,
              help="Grid intervals per side: (nx - 1)^2 unknowns.")
@click.option("--steps", type=click.IntRange(min=1), default=5000, show_default=True,
              help=f"Time steps of {DT:g} (one period of the diffusivity is 1000 steps).")
@click.option("--baseline", "baselines", multiple=True, type=OMEGA, default=(1.0,),
              show_default=True,
              help="Fixed omega, in (0, 2), to simulate with too (repeatable).")
@_with_shared_options
def tune_heat(method, nx, steps, baselines, policy, context, out, plot, seed):
    """Tune SSOR-preconditioned CG's omega over a heat-equation simulation.

    The second experiment of Learning to Relax (Khodak et al., ICLR 2024): a Crank-Nicolson
    simulation of the 2-D heat equation whose diffusivity (the context) swings between 0 and
    10; every step's system is solved by CG to rtol 1e-8, preconditioned by SSOR at the
    omega chosen; the cost is CG's iterations. Prints iterations and milliseconds per step
    of the tuned run and of a simulation at each fixed omega.

    With --method auto every step is solved by the configuration a tuner chooses (the
    method and its knobs), told the step's seconds; it prints the same totals and how often
    each configuration was chosen.
    """
    baselines = tuple(dict.fromkeys(baselines))
    check_grid(nx, steps, 1 + len(baselines))
    if method == "auto":
        _tune_heat_auto(nx, steps, baselines, policy, context, out, plot, seed)
        return
    _checked_policy(policy, pb.KAPPA_BOUNDS, context, seed)          # fail before any work
    methods = [Method("tuned", "tuned", make_tuner=lambda: tuner.Tuner(
        _checked_policy(policy, pb.KAPPA_BOUNDS, context, seed)))]
    methods += [Method(f"fixed {w:g}", "ssor", omega=w) for w in baselines]
    warm_up(nx)
    with progressbar(steps * len(methods), "simulating") as bar:
        runs = run_interleaved(nx, steps, methods, progress=bar.update)
    click.echo(f"{'method':<14}{'iters/step':>11}{'ms/step':>9}{'total s':>9}")
    for label, r in runs.items():
        click.echo(f"{label:<14}{r.mean_iterations:>11.2f}{1e3 * r.seconds_per_step:>9.3f}"
                   f"{r.total_seconds:>9.2f}")
    tuned = runs["tuned"]
    kappas = tuned.contexts
    summary = {"problem": "heat", "nx": nx, "steps": steps, "policy": policy,
               "context": context, "seed": seed,
               "mean_iterations": {label: r.mean_iterations for label, r in runs.items()},
               "seconds": {label: r.total_seconds for label, r in runs.items()}}
    if out:
        write_report(out, _heat_rows(runs, kappas), summary)
    if plot:
        plot_sequence(plot, tuned.omegas, tuned.iterations.astype(float), kappas,
                      title=f"heat equation nx={nx}, policy {policy}",
                      cost_label="SSOR-PCG iterations")


def _tune_heat_auto(nx, steps, baselines, policy, context, out, plot, seed):
    """``relax tune heat --method auto``: the tuned run, then the fixed-omega runs."""
    if policy != "default":
        raise click.UsageError(f"--method auto tunes with --policy default only; got "
                               f"{policy!r}")
    if plot:
        raise click.UsageError("--plot draws the omega chosen: it applies to --method ssor "
                               "only")
    methods = [Method(f"fixed {w:g}", "ssor", omega=w) for w in baselines]
    if methods:
        warm_up(nx)
    with progressbar(steps * (1 + len(methods)), "simulating") as bar:
        auto = auto_runs.run_heat(nx, steps, contextual=context, seed=seed,
                                  progress=bar.update)
        runs = {"auto": auto}
        if methods:
            runs.update(run_interleaved(nx, steps, methods, progress=bar.update))
    click.echo(f"{'method':<14}{'iters/step':>11}{'ms/step':>9}{'total s':>9}")
    for label, r in runs.items():
        click.echo(f"{label:<14}{r.mean_iterations:>11.2f}{1e3 * r.seconds_per_step:>9.3f}"
                   f"{r.total_seconds:>9.2f}")
    chosen, abandoned = auto.chosen, auto.abandoned_counts
    click.echo(f"configurations chosen by auto (steps solved, of {auto.iterations.size}):")
    for label, count in chosen.most_common():
        click.echo(f"  {label:<24}{count:>7}")
    if abandoned:
        click.echo("stopped by the backstop (then finished by the best known):")
        for label, count in abandoned.most_common():
            click.echo(f"  {label:<24}{count:>7}")
    summary = {"problem": "heat", "method": "auto", "nx": nx, "steps": steps,
               "policy": policy, "context": context, "seed": seed,
               "mean_iterations": {label: r.mean_iterations for label, r in runs.items()},
               "seconds": {label: r.total_seconds for label, r in runs.items()},
               "chosen": dict(chosen.most_common()),
               "abandoned": dict(abandoned.most_common())}
    if out:
        rows = [{"step": k, "kappa": float(auto.contexts[k]), "config": auto.configs[k],
                 "abandoned": auto.abandoned[k] or "",
                 "iterations": int(auto.iterations[k]), "seconds": float(auto.seconds[k]),
                 **{f"iterations_{label.replace(' ', '_')}": int(r.iterations[k])
                    for label, r in runs.items() if label != "auto"}}
                for k in range(auto.iterations.size)]
        write_report(out, rows, summary)
