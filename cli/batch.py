"""``relax batch``: solve many systems from files, tuning omega as results come in.

Crash safety. Two files carry a run: the results journal (``--out``, one row appended and
synced per solved input) and the state file (``--state``, see :mod:`cli.batch_state`: a
snapshot of the tuner and a line per ask and tell since). Per input: ask the tuner (the ask
is logged and synced: the trial is now *pending*); solve; append the row; tell the tuner (and
log it). A run killed anywhere resumes with the same ``--state`` and ``--out``: rows whose
trial the tuner has not learned yet are told from the journal, pending trials without a row
are solved (with the value they were given), and the rest of the inputs follow. No input is
solved into the journal twice and no observation is lost or told twice.

With ``--workers N`` (a local Dask cluster) or ``--scheduler ADDRESS`` the solves run on
Dask workers, up to twice as many in flight as there are workers; the tuner then learns with
delayed feedback, so a learner's choices can differ from a serial run's, while a fixed policy
gives the same rows.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import click
import numpy as np

import tuner
from problems import load_system, read_context

from .batch_state import BatchState
from .errors import InputError
from .policy_names import NAMES, make_policy
from .solve import PRECONDITIONERS, solve_system

SUFFIXES = (".mtx", ".npz")
COLUMNS = ("input", "trial", "omega", "context", "iterations", "converged", "status",
           "residual_norm", "seconds")


def collect_inputs(paths) -> list[str]:
    """The system files named, directories expanded to their ``.mtx``/``.npz`` files
    (sorted by name); order kept, duplicates dropped."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(str(f) for f in p.iterdir() if f.suffix in SUFFIXES and
                            not f.name.endswith("_b.mtx"))
        elif p.suffix in SUFFIXES:
            if not p.is_file():
                raise FileNotFoundError(f"no such file: {str(p)!r}")
            found.append(str(p))
        else:
            raise ValueError(f"inputs must be .mtx or .npz files or directories; got {str(p)!r}")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ValueError("no .mtx or .npz systems among the inputs")
    return unique


def solve_input(path, method, precond, rtol, maxiter, omega) -> dict:
    """Read one system and solve it (runs on a worker): the row's solver fields."""
    return solve_loaded(load_system(path), method, precond, rtol, maxiter, omega)


def solve_loaded(system, method, precond, rtol, maxiter, omega) -> dict:
    """Solve a loaded system: the row's solver fields (``seconds`` is the solve's time)."""
    start = time.perf_counter()
    res = solve_system(system.A, system.b, system.x0, method=method, precond=precond,
                       omega=omega, rtol=rtol, maxiter=maxiter)
    return {"iterations": int(res.iterations), "converged": bool(res.converged),
            "status": res.status, "residual_norm": float(res.residual_norm),
            "seconds": time.perf_counter() - start}


def context_of(path, field: str | None, system=None) -> float | None:
    """The context of an input: ``Instance.context`` for "context", else a metadata field
    (from ``system``, the input already loaded, if given)."""
    if field is None:
        return None
    if system is None:
        value = read_context(path, field)
    else:
        value = system.context if field == "context" else system.meta.get(field)
    if value is None or isinstance(value, str):
        raise ValueError(f"{path!r} has no numeric context field {field!r}")
    return value


class Journal:
    """The results file: read what is there, append one flushed row at a time."""

    def __init__(self, path):
        self.path = None if path is None else Path(path)
        self.rows: list[dict] = []
        if self.path is None:
            return
        if self.path.suffix not in (".csv", ".jsonl"):
            raise ValueError(f"--out must be a .csv or .jsonl file; got {str(self.path)!r}")
        if self.path.exists():
            with open(self.path, newline="") as f:
                if self.path.suffix == ".csv":
                    self.rows = [self._typed(r) for r in csv.DictReader(f)]
                else:
                    self.rows = [json.loads(line) for line in f if line.strip()]

    @staticmethod
    def _typed(row: dict) -> dict:
        out = dict(row)
        out["trial"] = int(row["trial"])
        for key in ("omega", "residual_norm", "seconds"):
            out[key] = float(row[key])
        out["context"] = None if row["context"] in ("", "None") else float(row["context"])
        out["iterations"] = int(row["iterations"])
        out["converged"] = row["converged"] == "True"
        return out

    def append(self, row: dict) -> None:
        self.rows.append(row)
        if self.path is None:
            click.echo(json.dumps(row))
            return
        new = not self.path.exists() or self.path.stat().st_size == 0
        with open(self.path, "a", newline="") as f:
            if self.path.suffix == ".csv":
                writer = csv.DictWriter(f, fieldnames=COLUMNS)
                if new:
                    writer.writeheader()
                writer.writerow(row)
            else:
                f.write(json.dumps(row) + "\n")
            f.flush()
            os.fsync(f.fileno())


def _row(path, trial, result) -> dict:
    return {"input": path, "trial": trial.id, "omega": trial.value, "context": trial.context,
            **result}


def _record(state, journal, path, trial, result) -> None:
    """Append the row, then tell the tuner: the order that makes resuming exact."""
    journal.append(_row(path, trial, result))
    state.tell(trial.id, float(max(result["iterations"], 1)), censored=not result["converged"])


def recover(state, journal) -> None:
    """Tell the tuner the journal rows it has not learned (a run killed between the two)."""
    pending = state.pending
    for row in journal.rows:
        if pending.get(row["trial"]) == row["input"]:
            state.tell(row["trial"], float(max(row["iterations"], 1)),
                       censored=not row["converged"])


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--method", type=click.Choice(["sor", "ssor", "cg"]), default="cg",
              show_default=True)
@click.option("--precond", type=click.Choice(PRECONDITIONERS), default=None,
              help="Preconditioner of CG: ssor (default; its omega is tuned), jacobi, amg or "
                   "none.")
@click.option("--tune", "policy", default="default", show_default=True,
              help=f"Policy: one of {', '.join(NAMES)}.")
@click.option("--arms", default="1.0:1.95:20", show_default=True,
              help="Omegas to choose from, as START:STOP:COUNT (evenly spaced).")
@click.option("--context", "field", default=None,
              help="Context of each input: 'context' or a metadata field of its .npz file.")
@click.option("--bounds", nargs=2, type=float, default=None,
              help="Context bounds (needed with --context).")
@click.option("--state", type=click.Path(dir_okay=False),
              help="Tuner state file, a line appended per ask and per result; resumes a killed "
                   "run.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Results file (.csv or .jsonl); JSON lines on stdout without it.")
@click.option("--rtol", type=click.FloatRange(0.0, min_open=True), default=1e-8,
              show_default=True)
@click.option("--maxiter", type=click.IntRange(min=1), default=None)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Solve on a local Dask cluster with this many workers.")
@click.option("--scheduler", default=None, help="Solve on the Dask cluster at this address.")
@click.option("--seed", type=int, default=0, show_default=True)
def batch(inputs, method, precond, policy, arms, field, bounds, state, out, rtol, maxiter,
          workers, scheduler, seed):
    """Solve every system in INPUTS (files or directories), tuning omega as it goes."""
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers and --scheduler exclude each other")
    if method != "cg" and precond not in (None, "none"):
        raise click.UsageError(f"--precond {precond} applies to --method cg only")
    precond = precond or ("ssor" if method == "cg" else "none")
    if method == "cg" and precond != "ssor" and not policy.startswith("fixed:"):
        raise click.UsageError(f"with --precond {precond} there is no omega to tune; use "
                               "--precond ssor or --tune fixed:W")
    if field is not None and bounds is None:
        raise click.UsageError("--context needs --bounds A B (the range of the contexts)")
    try:
        start, stop, count = arms.split(":")
        grid = np.linspace(float(start), float(stop), int(count))
    except ValueError:
        raise click.BadParameter(f"expected START:STOP:COUNT; got {arms!r}",
                                 param_hint="--arms") from None
    paths = collect_inputs(inputs)
    journal = Journal(out)
    options = {"method": method, "precond": precond, "tune": policy, "arms": arms,
               "context": field, "bounds": None if bounds is None else list(bounds),
               "rtol": rtol, "maxiter": maxiter, "seed": seed}
    if state is not None and Path(state).exists():
        run_state = BatchState.load(state)
        _check_resumed_options(state, run_state.options, options)
    else:
        run_state = BatchState.create(state, tuner.Tuner(make_policy(
            policy, grid, bounds=None if field is None else tuple(bounds), seed=seed)),
            options)
    with run_state:
        _run(paths, run_state, journal, field, (method, precond, rtol, maxiter), workers,
             scheduler)


def _check_resumed_options(path, saved: dict, given: dict) -> None:
    """A run resumed from a state file must be the run that wrote it."""
    changed = [f"--{key} {saved.get(key)!r} (now {value!r})" for key, value in given.items()
               if saved.get(key) != value]
    if changed:
        raise InputError(f"the state file {str(path)!r} belongs to a run with "
                         f"{', '.join(changed)}: pass the same options to resume it, or "
                         "another --state to start afresh")


def _run(paths, run_state, journal, field, solve_args, workers, scheduler):
    recover(run_state, journal)
    done = run_state.done | {row["input"] for row in journal.rows}
    resumed = {v: k for k, v in run_state.pending.items()}       # input -> pending trial id
    todo = [p for p in paths if p not in done]
    click.echo(f"relax batch: {len(paths)} inputs, {len(done)} already done, "
               f"{len(todo)} to solve", err=True)

    def next_trial(path, system=None):
        if path in resumed:
            tid = resumed[path]
            return next(t for t in run_state.tuner.outstanding if t.id == tid)
        return run_state.ask(path, context_of(path, field, system))

    if workers is None and scheduler is None:
        for path in todo:
            system = load_system(path)
            trial = next_trial(path, system)
            _record(run_state, journal, path, trial,
                    solve_loaded(system, *solve_args, trial.value))
    else:
        _run_on_dask(todo, next_trial, solve_args, run_state, journal, workers, scheduler)


def _run_on_dask(todo, next_trial, solve_args, run_state, journal, workers, scheduler):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise click.ClickException("--workers/--scheduler need Dask: "
                                   "pip install 'relax[dist]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise click.ClickException(f"cannot reach the Dask scheduler at {scheduler!r}: "
                                       f"{exc}") from None
        cluster = None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        slots = 2 * max(len(client.scheduler_info()["workers"]), 1)
        queue = list(todo)
        running = as_completed()
        trials = {}

        def submit():
            path = queue.pop(0)
            trial = next_trial(path)
            future = client.submit(solve_input, path, *solve_args, trial.value, pure=False)
            trials[future.key] = (path, trial)
            running.add(future)

        while queue and len(trials) < slots:
            submit()
        for future in running:
            path, trial = trials.pop(future.key)
            _record(run_state, journal, path, trial, future.result())
            if queue:
                submit()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
