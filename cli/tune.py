"""``relax tune``: the Learning-to-Relax experiments from the command line.

``relax tune shifted-laplacian`` tunes SOR's omega over random shifted Laplacians (the shift
is the context), with fixed omegas and the instance-optimal omega alongside;
``relax tune heat`` tunes the SSOR omega of CG over the heat-equation simulation (the
diffusivity is the context), with full simulations at fixed omegas alongside. Both print a
summary on stdout and can write the per-instance report (``--out``, CSV or JSON) and a figure
of omega and cost over the sequence (``--plot``, needs matplotlib).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click
import numpy as np

import problems as pb
import tuner
from solvers import sor

from .heat_runs import Method, run, warm_up
from .policy_names import NAMES, make_policy

ARMS = np.linspace(1.0, 1.95, 20)


def write_report(path, rows: list[dict], summary: dict) -> None:
    """Per-instance ``rows`` to ``path``: CSV (a header and one line per row) or JSON
    (``{"summary": ..., "rows": [...]}``), by suffix."""
    path = Path(path)
    if path.suffix == ".csv":
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".json":
        path.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    else:
        raise click.BadParameter(f"the report must be a .csv or .json file; got {str(path)!r}",
                                 param_hint="--out")


def plot_sequence(path, values, costs, contexts, *, title, cost_label) -> None:
    """Omega chosen and cost per instance, the context on a twin axis."""
    try:
        import matplotlib
    except ImportError:
        raise click.ClickException("--plot needs matplotlib: pip install 'relax[plot]'") \
            from None
    matplotlib.use("Agg")
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


_policy_option = click.option(
    "--policy", default="default", show_default=True,
    help=f"One of {', '.join(NAMES)} (W a fixed omega).")
_context_option = click.option(
    "--context/--no-context", default=True, show_default=True,
    help="Give contextual policies the instance's context.")
def _report_path(ctx, param, value):
    if value is not None and Path(value).suffix not in (".csv", ".json"):
        raise click.BadParameter("the report must be a .csv or .json file")
    return value


_output_options = [
    click.option("--out", type=click.Path(dir_okay=False), callback=_report_path,
                 help="Report file (.csv or .json)."),
    click.option("--plot", type=click.Path(dir_okay=False), help="Figure file (PNG)."),
    click.option("--seed", type=int, default=0, show_default=True),
]


def _with_outputs(f):
    for option in reversed(_output_options):
        f = option(f)
    return f


@click.group("tune")
def tune_group():
    """Tune omega online over one of the paper's problem sequences."""


@tune_group.command("shifted-laplacian")
@click.option("--count", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--variance", type=click.Choice(["high", "low"]), default="high",
              show_default=True)
@click.option("--baseline", "baselines", multiple=True, type=float,
              default=(1.0, 1.2, 1.4, 1.6, 1.8), show_default=True,
              help="Fixed omegas solved on every instance too (repeatable).")
@_policy_option
@_context_option
@_with_outputs
def tune_shifted_laplacian(count, variance, baselines, policy, context, out, plot, seed):
    """SOR on shifted Laplacians (experiment 1): iterations per instance."""
    t = tuner.Tuner(_checked_policy(policy, pb.SHIFT_BOUNDS, context, seed))
    seq = pb.shifted_laplacian_sequence(count, variance=variance, seed=seed)

    def solve(inst, omega):
        res = sor(inst.A, inst.b, omega=omega, rtol=1e-8, maxiter=10_000)
        return float(res.iterations), not res.converged

    def oracle(inst):
        return solve(inst, inst.meta["omega_opt"])

    with click.progressbar(length=count, label="solving", file=sys.stderr) as bar:
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


@tune_group.command("heat")
@click.option("--nx", type=click.IntRange(min=3), default=50, show_default=True)
@click.option("--steps", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--baseline", "baselines", multiple=True, type=float, default=(1.0,),
              show_default=True, help="Fixed omegas to simulate with too (repeatable).")
@_policy_option
@_context_option
@_with_outputs
def tune_heat(nx, steps, baselines, policy, context, out, plot, seed):
    """SSOR-PCG on the heat equation (experiment 2): iterations and seconds per step."""
    _checked_policy(policy, pb.KAPPA_BOUNDS, context, seed)          # fail before any work
    methods = [Method("tuned", "tuned", make_tuner=lambda: tuner.Tuner(
        _checked_policy(policy, pb.KAPPA_BOUNDS, context, seed)))]
    methods += [Method(f"fixed {w:g}", "ssor", omega=w) for w in baselines]
    warm_up(nx)
    runs = {}
    with click.progressbar(length=steps * len(methods), label="simulating",
                           file=sys.stderr) as bar:
        for method in methods:
            runs[method.label] = run(nx, steps, method, progress=bar.update)
    click.echo(f"{'method':<14}{'iters/step':>11}{'ms/step':>9}{'total s':>9}")
    for label, r in runs.items():
        click.echo(f"{label:<14}{r.mean_iterations:>11.2f}{1e3 * r.seconds_per_step:>9.3f}"
                   f"{r.total_seconds:>9.2f}")
    tuned = runs["tuned"]
    kappas = np.array([h["context"] if h["context"] is not None else np.nan
                       for h in tuned.tuner.history])
    rows = [{"step": k, "kappa": float(kappas[k]), "omega": float(tuned.omegas[k]),
             "iterations": int(tuned.iterations[k]), "seconds": float(tuned.seconds[k]),
             **{f"iterations_{label.replace(' ', '_')}": int(r.iterations[k])
                for label, r in runs.items() if label != "tuned"}}
            for k in range(steps)]
    summary = {"problem": "heat", "nx": nx, "steps": steps, "policy": policy,
               "context": context, "seed": seed,
               "mean_iterations": {label: r.mean_iterations for label, r in runs.items()},
               "seconds": {label: r.total_seconds for label, r in runs.items()}}
    if out:
        write_report(out, rows, summary)
    if plot:
        plot_sequence(plot, tuned.omegas, tuned.iterations.astype(float), kappas,
                      title=f"heat equation nx={nx}, policy {policy}",
                      cost_label="SSOR-PCG iterations")
