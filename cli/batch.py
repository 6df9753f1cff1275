"""``relax batch``: solve many systems from files, tuning omega (or, with ``--method auto``,
the whole configuration) as results come in.

The results file (``--out``, see :mod:`cli.batch_results`) is the record of what is done: a
row per input, appended and synced as each solve ends, under a first line that records the
options that made the rows. An input without a row is solved (again); rows made with other
options are refused, never counted as done.

Crash safety. The state file (``--state``, see :mod:`cli.batch_state`) holds the tuner: a
snapshot and a line per ask and tell since. Per input: ask the tuner (the ask is logged and
synced: the trial is now *pending*); solve; append the row; tell the tuner (and log it). A
run killed anywhere resumes with the same ``--state`` and ``--out``: rows whose trial the
tuner has not learned yet are told from the results, pending trials without a row are solved
with the value they were given, a row torn by the kill is dropped and its input solved again,
and the rest of the inputs follow. The two files are checked against each other on start: an
input the tuner learned from but without a row (a results file deleted or cut) is solved
again with the value it was given, without telling the tuner twice; rows the state does not
know are reported. No input is solved into the results twice and no observation is lost or
told twice.

An input that cannot be solved (a file that cannot be read, a matrix that is not SPD for CG,
a zero on the diagonal for SOR) gets a row with ``status`` "error" and the message, and the
batch goes on; its trial is withdrawn from the tuner. The exit status is 0 only if every
input converged.

What is tuned. With ``--method sor``, ``ssor`` or ``cg --precond ssor`` the tuner chooses
omega from ``--arms`` and learns from the iterations. With ``--method auto`` it chooses a
configuration (:mod:`solvers.methods`: plain, Jacobi-, SSOR-, AMG-preconditioned CG and
their knobs, SOR, a direct solve) among :func:`solvers.auto_space` of the first input that
can be read, and learns from the seconds of each solve (the ``seconds`` of its row, so that
a tuner resumed from the results learns exactly what it would have; a row rebuilt for an
input the tuner has learned from holds the seconds of its new solve). The other
configurations (``--method cg --precond none``, ``jacobi`` or ``amg``) have nothing to tune:
the batch runs without a tuner and the results file alone is its record. Every row names
its configuration in the ``config`` column. An input that the chosen configuration cannot
solve (a matrix that is not symmetric for a CG family, say, after a symmetric first input)
gets an error row, like any input that cannot be solved.

One prepared :class:`~solvers.Solver` per process. Inputs that share a sparsity pattern
reuse it (:meth:`~solvers.Solver.update` copies the values only), and with it, across
files, what depends on the pattern alone (the multicolour ordering, the symmetry check, the
record of what each method cost) and the AMG hierarchy, kept under the rebuild rule of the
configuration: ``--precond amg`` rebuilds it for every new matrix, while ``--method auto``
may choose ``cg+amg(rebuild=4)``, a new hierarchy every 4 matrices. An input of another
pattern prepares the solver afresh.

With ``--workers N`` (a local Dask cluster) or ``--scheduler ADDRESS`` the solves run on
Dask workers, up to twice as many in flight as there are workers; the tuner then learns with
delayed feedback, so a learner's choices can differ from a serial run's, while a fixed policy
gives the same rows. Each worker process keeps its own prepared solver (and AMG hierarchy),
reused by the inputs that worker happens to solve: which inputs share a hierarchy then
depends on the scheduling, and a rebuild interval counts the matrices of that worker only.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
from click.core import ParameterSource

import tuner
from problems import load_system, read_context
from solvers import Solver, auto_space, describe

from . import console
from .auto_compare import make_tuner
from .auto_runs import warm_up
from .batch_results import SUFFIXES as RESULT_SUFFIXES
from .batch_results import ResultsFile
from .batch_state import BatchState
from .errors import InputError
from .options import FINITE, FiniteFloatRange
from .outputs import check_output_file
from .policy_names import NAMES, make_policy
from .solve import METHODS, PRECONDITIONERS, config_label, configuration

SUFFIXES = (".mtx", ".npz")
KNOBLESS = ("none", "jacobi", "amg")
"""Preconditioners of CG without a knob to tune: their batch runs without a tuner."""


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
            raise InputError(f"inputs must be .mtx or .npz files or directories; got {str(p)!r}")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise InputError("no .mtx or .npz systems among the inputs")
    return unique


def error_fields(path, exc: BaseException, seconds: float = 0.0, config: str = "") -> dict:
    """The solver fields of a row for an input that could not be solved (``config``: the
    label of the configuration tried, if any)."""
    kind = "" if isinstance(exc, ValueError | TypeError | OSError) else f"{type(exc).__name__}: "
    message = " ".join(f"{path}: {kind}{exc}".split())
    return {"iterations": 0, "converged": False, "status": "error", "residual_norm": None,
            "seconds": seconds, "config": config, "message": message}


def label_of(method, precond, value) -> str:
    """The ``config`` of a row: the label of the configuration that ``method``, ``precond``
    and the trial's ``value`` (an omega, or a configuration for ``auto``) name; empty when
    a tuned method has no value yet.

    Examples
    --------
    >>> label_of("auto", None, {"method": "amg", "rebuild": 4}), label_of("cg", "none", None)
    ('cg+amg(rebuild=4)', 'cg')
    """
    if method == "auto":
        return "" if value is None else describe(value)
    if value is None and not (method == "cg" and precond in KNOBLESS):
        return ""
    return config_label(method, precond, value)


def solve_input(path, method, precond, rtol, maxiter, value) -> dict:
    """Read one system and solve it (runs on a worker): the row's solver fields, an error
    row's when the file cannot be read or the system cannot be solved. ``value`` is the
    omega, the configuration of ``--method auto``, or None (a configuration without knob)."""
    try:
        system = load_system(path)
    except Exception as exc:            # any unreadable input is that input's error
        return error_fields(path, exc, config=label_of(method, precond, value))
    return solve_loaded(system, method, precond, rtol, maxiter, value, path=path)


def solve_loaded(system, method, precond, rtol, maxiter, value, *, path="") -> dict:
    """Solve a loaded system: the row's solver fields (``seconds`` is the time of the update
    of this process's solver and of the solve, setup included); a system the configuration
    cannot solve (not SPD, a zero diagonal, ...) gives an error row."""
    start = time.perf_counter()
    try:
        res, label = _solve(prepared_for(system.A), system, method, precond, rtol, maxiter,
                            value)
    except Exception as exc:
        return error_fields(path, exc, time.perf_counter() - start,
                            label_of(method, precond, value))
    return {"iterations": int(res.iterations), "converged": bool(res.converged),
            "status": res.status, "residual_norm": float(res.residual_norm),
            "seconds": time.perf_counter() - start, "config": label, "message": ""}


def _solve(solver, system, method, precond, rtol, maxiter, value):
    """The result and the label of its configuration: :meth:`~solvers.Solver.solve` with the
    configuration named (SSOR iterations, not one of the catalog's, by ``solver.ssor``)."""
    config = value if method == "auto" else configuration(method, precond, value)
    if config is None:
        limit = {} if maxiter is None else {"maxiter": maxiter}
        res = solver.ssor(system.b, system.x0, omega=value, rtol=rtol, **limit)
        return res, config_label(method, precond, value)
    res = solver.solve(system.b, system.x0, config=config, rtol=rtol, maxiter=maxiter)
    return res, res.info["config"]


_SOLVER: list = [None]
"""The :class:`~solvers.Solver` of this process (the batch's, or a Dask worker's): inputs
that share a sparsity pattern reuse its preparation, and only their values are copied."""


def prepared_for(A) -> Solver:
    """This process's solver, updated to ``A`` (prepared afresh for another pattern)."""
    solver = _SOLVER[0]
    if solver is None:
        solver = _SOLVER[0] = Solver(A)
    else:
        solver.update(A)
    return solver


def context_of(path, field: str | None, system=None) -> float | None:
    """The context of an input: ``Instance.context`` for "context", else a metadata field
    (from ``system``, the input already loaded, if given)."""
    if field is None:
        return None
    if system is None:
        value = read_context(path, field)
    else:
        value = system.context if field == "context" else system.meta.get(field)
    if value is None or isinstance(value, str) or not math.isfinite(float(value)):
        raise ValueError(f"{path!r} has no numeric context field {field!r}")
    return value


@dataclass(frozen=True)
class Assigned:
    """The trial an input is solved with: its id, value (an omega, or a configuration for
    ``--method auto``) and context; ``learn`` is False for a trial the tuner has already
    learned from (its row is being rebuilt)."""

    id: int
    value: float | dict
    context: float | None
    learn: bool = True


def _omega(value) -> float | None:
    """The ``omega`` of a row: the trial's omega, or its configuration's (if it has one)."""
    return value.get("omega") if isinstance(value, dict) else value


def _record(state, results, path, assigned: Assigned | None, fields: dict,
            method: str) -> None:
    """Append the row, then tell the tuner (or withdraw the trial of an error): the order
    that makes resuming exact."""
    results.append({"input": path, "trial": None if assigned is None else assigned.id,
                    "omega": None if assigned is None else _omega(assigned.value),
                    "context": None if assigned is None else assigned.context, **fields})
    if assigned is not None and assigned.learn:
        _learn(state, assigned.id, fields, method)


def cost_of(fields: dict, method: str) -> float:
    """What the tuner learns from a row: its seconds for ``--method auto`` (configurations'
    iterations do not compare), else its iterations (at least 1)."""
    if method == "auto":
        return max(float(fields["seconds"]), 1e-9)
    return float(max(fields["iterations"], 1))


def _learn(state, trial_id: int, fields: dict, method: str) -> None:
    if fields["status"] == "error":
        state.cancel(trial_id)
    else:
        state.tell(trial_id, cost_of(fields, method), censored=not fields["converged"])


def reconcile(state: BatchState, results: ResultsFile, paths,
              method: str = "cg") -> dict[str, Assigned]:
    """Bring the state and the results into agreement before solving; returns the trial of
    every input that must be solved with a trial it already has, and reports (one line
    each) what did not agree.

    Rows whose trial is pending are told to the tuner (a run killed between the row and the
    tell). Inputs whose trial was told but that have no row are solved again with that
    trial's value, and the tuner is not told twice. Rows of trials the state does not know
    count as done; the tuner has not learned from them.
    """
    pending = state.pending
    rows = {row["input"]: row for row in results.rows}
    unknown = 0
    for path, row in rows.items():
        tid = row["trial"]
        if tid is not None and pending.get(tid) == path:
            _learn(state, tid, row, method)
        elif (tid is not None and row["status"] != "error" and state.path is not None
              and state.inputs.get(tid) != path):
            unknown += 1
    if unknown:
        _report(f"{unknown} rows of {str(results.path)!r} come from trials that the state "
                f"file {str(state.path)!r} does not hold: they count as done, and the tuner "
                "has not learned from them")
    wanted = set(paths)
    assigned = {path: Assigned(tid, *state.trials[tid])
                for tid, path in state.pending.items() if path in wanted}
    rebuilt = {path: Assigned(tid, *state.trials[tid], learn=False)
               for tid, path in state.told.items() if path in wanted and path not in rows}
    if rebuilt:
        where = "no results file" if results.path is None else repr(str(results.path))
        _report(f"{len(rebuilt)} inputs the tuner has learned from have no row in {where}: "
                "they are solved again with the value chosen then (the tuner is not told "
                "twice)")
    return {**rebuilt, **assigned}


def _report(message: str) -> None:
    click.echo(f"relax batch: {message}", err=True)


def _arms(text: str) -> np.ndarray:
    """The omega grid of ``--arms START:STOP:COUNT``, checked."""
    try:
        start, stop, count = text.split(":")
        start, stop, count = float(start), float(stop), int(count)
    except ValueError:
        raise click.BadParameter(f"expected START:STOP:COUNT; got {text!r}",
                                 param_hint="--arms") from None
    if not (0.0 < start <= stop < 2.0 and 1 <= count <= 10_000):
        raise click.BadParameter(f"need 0 < START <= STOP < 2 (omega) and 1 <= COUNT <= "
                                 f"10000; got {text!r}", param_hint="--arms")
    if count == 1 and start != stop:
        raise click.BadParameter(f"COUNT 1 needs START == STOP; got {text!r}",
                                 param_hint="--arms")
    return np.linspace(start, stop, count)


def _check_policy(policy: str, grid, bounds, seed):
    made = make_policy(policy, grid, bounds=bounds, seed=seed)
    if policy.startswith("fixed:") and not 0.0 < made.arms[made.index] < 2.0:
        raise click.BadParameter(f"omega must lie in (0, 2); got {policy!r}",
                                 param_hint="--tune")
    return made


def _check_bounds(bounds):
    if bounds is not None and not (math.isfinite(bounds[0]) and math.isfinite(bounds[1])
                                   and bounds[0] < bounds[1]):
        raise click.BadParameter(f"need finite A < B; got {bounds[0]} {bounds[1]}",
                                 param_hint="--bounds")


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--method", type=click.Choice(METHODS), default="cg",
              show_default=True,
              help="Solver of every system; auto: the tuner chooses the method and its knobs "
                   "among those worth trying on the first input (solvers.auto_space), by the "
                   "seconds they take.")
@click.option("--precond", type=click.Choice(PRECONDITIONERS), default=None,
              help="Preconditioner of CG: ssor (default; its omega is tuned), or none, jacobi "
                   "or amg (nothing to tune: no tuner).  [default: ssor with cg, none "
                   "otherwise]")
@click.option("--tune", "policy", default="default", show_default=True,
              help=f"How omega is chosen: one of {', '.join(NAMES)} (fixed:W always plays "
                   "omega = W); --method auto: default only.")
@click.option("--arms", default="1.0:1.95:20", show_default=True,
              help="Omegas to choose from, as START:STOP:COUNT (evenly spaced, in (0, 2)).")
@click.option("--context", "field", default=None,
              help="Context of each input for a contextual policy: 'context' or a metadata "
                   "field of its .npz file.  [default: none]")
@click.option("--bounds", nargs=2, type=FINITE, default=None,
              help="Range A B of the contexts (needed with --context).")
@click.option("--state", type=click.Path(dir_okay=False),
              help="Tuner state file, a line appended per ask and per result; resumes a killed "
                   "run (a batch without a tuner resumes from --out alone).  [default: none: "
                   "the tuner lives in memory]")
@click.option("-o", "--out", type=click.Path(dir_okay=False),
              help="Results file (.csv or .jsonl), the record of what is done; rerun with the "
                   "same file to resume.  [default: JSON lines on stdout]")
@click.option("--overwrite", is_flag=True,
              help="Start afresh: replace the results file (and the state file).")
@click.option("--rtol", type=FiniteFloatRange(0.0, min_open=True), default=1e-8,
              show_default=True, help="Relative residual to reach: ||b - A x|| <= rtol ||b||.")
@click.option("--maxiter", type=click.IntRange(min=1), default=None,
              help="Most iterations per solve.  [default: the solver's]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Solve on a local Dask cluster with this many workers.  [default: serial]")
@click.option("--scheduler", default=None,
              help="Solve on the Dask cluster at this address (e.g. tcp://host:8786).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the tuner's random choices.")
def batch(inputs, method, precond, policy, arms, field, bounds, state, out, overwrite, rtol,
          maxiter, workers, scheduler, seed):
    """Solve every system in INPUTS (.mtx/.npz files or directories), tuning omega (or, with
    --method auto, the configuration) as it goes.

    Exits with status 0 if every input converged, else 1 with a one-line summary on stderr.
    """
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers and --scheduler exclude each other")
    precond = _check_method(method, precond, policy, field, state)
    if field is not None and bounds is None:
        raise click.UsageError("--context needs --bounds A B (the range of the contexts)")
    if field is None and bounds is not None:
        raise click.UsageError("--bounds applies with --context only")
    _check_bounds(bounds)
    policy_bounds = None if field is None else tuple(bounds)
    untuned = method == "cg" and precond in KNOBLESS
    if method != "auto":
        grid = _arms(arms)
        _check_policy(policy, grid, policy_bounds, seed)
    check_output_file(out, RESULT_SUFFIXES, "-o/--out")
    check_output_file(state, None, "--state")
    if out is not None and state is not None and Path(out).resolve() == Path(state).resolve():
        raise click.UsageError("--out and --state must be different files")
    paths = collect_inputs(inputs)
    if field is not None:
        _check_context_field(paths[0], field)
    options = {"method": method, "precond": precond, "tune": policy, "arms": arms,
               "context": field, "bounds": None if bounds is None else list(bounds),
               "rtol": rtol, "maxiter": maxiter, "seed": seed}
    if method == "auto":
        options["arms"] = None
    if untuned:
        options.update(tune=None, arms=None, seed=None)
        if policy.startswith("fixed:"):
            _report(f"--precond {precond} has no omega: --tune {policy} has no effect")
    if overwrite and state is not None:
        Path(state).unlink(missing_ok=True)
    _SOLVER[0] = None                   # this run's inputs share this process's solver
    resumed = state is not None and Path(state).exists()
    space = _auto_space(paths) if method == "auto" and not resumed else None
    results = ResultsFile(out, options, overwrite=overwrite)
    for line in results.notes:
        _report(line)
    if untuned:
        run_state = None
    elif resumed:
        run_state = BatchState.load(state)
        _check_resumed_options(state, run_state.options, options)
    elif method == "auto":
        run_state = BatchState.create(state, make_tuner(space, bounds=policy_bounds, seed=seed),
                                      options)
    else:
        run_state = BatchState.create(state, tuner.Tuner(
            _check_policy(policy, grid, policy_bounds, seed)), options)
    if run_state is None:
        _run(paths, None, results, field, (method, precond, rtol, maxiter), workers, scheduler)
    else:
        with run_state:
            _run(paths, run_state, results, field, (method, precond, rtol, maxiter), workers,
                 scheduler)
    _finish(paths, results)


def _given(name: str) -> bool:
    """Whether option ``name`` of the running command was given (not its default)."""
    source = click.get_current_context().get_parameter_source(name)
    return source is not None and source is not ParameterSource.DEFAULT


def _check_method(method, precond, policy, field, state) -> str | None:
    """The preconditioner (resolved) after checking that the options go together: one
    click usage error (exit status 2) for a combination that does not."""
    if method == "auto":
        if precond is not None:
            raise click.UsageError(f"--precond {precond} applies to --method cg only "
                                   "(--method auto chooses the preconditioner)")
        if policy != "default":
            raise click.UsageError(f"--method auto tunes with --tune default only; got "
                                   f"{policy!r}")
        if _given("arms"):
            raise click.UsageError("--arms applies to omega, not to --method auto (it "
                                   "chooses among the configurations of solvers.auto_space)")
        return None
    if method != "cg" and precond not in (None, "none"):
        raise click.UsageError(f"--precond {precond} applies to --method cg only")
    precond = precond or ("ssor" if method == "cg" else "none")
    if method == "cg" and precond in KNOBLESS:
        nothing = f"--precond {precond} has no omega to tune (the batch runs without a tuner)"
        if policy != "default" and not policy.startswith("fixed:"):
            raise click.UsageError(f"{nothing}: leave out --tune {policy}")
        for given, option in ((_given("arms"), "--arms"), (field is not None, "--context"),
                              (state is not None, "--state")):
            if given:
                raise click.UsageError(f"{nothing}: leave out {option}")
    return precond


def _auto_space(paths) -> dict:
    """The configurations ``--method auto`` tunes over: :func:`solvers.auto_space` of the
    first input that can be read (its solver is this process's, kept for its solve)."""
    for path in paths:
        try:
            solver = prepared_for(load_system(path).A)
        except Exception:               # that input's error row comes with its turn
            continue
        try:
            return auto_space(solver)
        except ValueError as exc:
            raise InputError(f"--method auto: {path}: {exc}") from None
    raise InputError("--method auto: no input can be read to choose the methods from")


def _check_context_field(path, field):
    """The context field of the first input, read before any work: a wrong name is a
    mistake in the options, not in one input."""
    try:
        context_of(path, field)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--context") from None
    except Exception:
        pass                            # an unreadable first input is that input's error row


def _check_resumed_options(path, saved: dict, given: dict) -> None:
    """A run resumed from a state file must be the run that wrote it."""
    changed = [f"--{key} {saved.get(key)!r} (now {value!r})" for key, value in given.items()
               if saved.get(key) != value]
    if changed:
        raise InputError(f"the state file {str(path)!r} belongs to a run with "
                         f"{', '.join(changed)}: pass the same options to resume it, "
                         "--overwrite or another --state to start afresh")


def _finish(paths, results: ResultsFile) -> None:
    """Exit 0 if every input converged; else 1, with the count of each status."""
    wanted = set(paths)
    statuses = Counter(row["status"] for row in results.rows if row["input"] in wanted)
    order = ["converged"] + sorted(s for s in statuses if s != "converged")
    summary = ", ".join(f"{statuses[s]} {s}" for s in order if statuses[s])
    where = "the rows above" if results.path is None else str(results.path)
    if set(statuses) <= {"converged"}:
        console.note(f"relax batch: {summary}: see {where}")
        return
    click.echo(f"relax batch: {summary}: see {where}", err=True)
    raise SystemExit(1)


def _run(paths, run_state, results, field, solve_args, workers, scheduler):
    """Solve the inputs without a row; ``run_state`` is None for a batch without a tuner."""
    method = solve_args[0]
    assigned = {} if run_state is None else reconcile(run_state, results, paths, method)
    done = {row["input"] for row in results.rows}
    todo = [p for p in paths if p not in done]
    console.note(f"relax batch: {len(paths)} inputs, {len(paths) - len(todo)} already done, "
                 f"{len(todo)} to solve")
    space = run_state.tuner.policy.space.to_dict() if method == "auto" else None

    def trial_for(path, system=None) -> Assigned | None:
        """The trial the input already has, else a new one (its context from ``system``,
        or read from the file); None without a tuner."""
        if run_state is None:
            return None
        if path in assigned:
            return assigned.pop(path)
        trial = run_state.ask(path, context_of(path, field, system))
        return Assigned(trial.id, trial.value, trial.context)

    with console.progressbar(len(todo), "solving") as bar:
        if workers is None and scheduler is None:
            if space is not None and todo:
                warm_up(space)
            for path in todo:
                _solve_serial(path, assigned.pop(path, None), trial_for, solve_args,
                              run_state, results)
                bar.update(1)
        else:
            _run_on_dask(todo, trial_for, solve_args, run_state, results, workers, scheduler,
                         bar.update, space)


def _solve_serial(path, trial, trial_for, solve_args, run_state, results) -> None:
    """Load, ask (unless the input has its ``trial``), solve, record."""
    method, precond = solve_args[:2]
    try:
        system = load_system(path)
        trial = trial or trial_for(path, system)
    except Exception as exc:        # unreadable, or no context: nothing to solve
        _record(run_state, results, path, trial,
                error_fields(path, exc, config=label_of(method, precond, _value(trial))),
                method)
        return
    _record(run_state, results, path, trial,
            solve_loaded(system, *solve_args, _value(trial), path=path), method)


def _value(trial: Assigned | None):
    return None if trial is None else trial.value


def _run_on_dask(todo, trial_for, solve_args, run_state, results, workers, scheduler,
                 progress, space=None):
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
    method, precond = solve_args[:2]
    try:
        if space is not None and todo:
            client.run(warm_up, space)          # no worker's first solves pay compilation
        slots = 2 * max(len(client.scheduler_info()["workers"]), 1)
        queue = list(todo)
        running = as_completed()
        trials = {}

        def submit():
            while queue:
                path = queue.pop(0)
                try:
                    trial = trial_for(path)
                except Exception as exc:      # no context: an error row, nothing to solve
                    _record(run_state, results, path, None,
                            error_fields(path, exc, config=label_of(method, precond, None)),
                            method)
                    progress(1)
                    continue
                future = client.submit(solve_input, path, *solve_args, _value(trial),
                                       pure=False)
                trials[future.key] = (path, trial)
                running.add(future)
                return

        while queue and len(trials) < slots:
            submit()
        for future in running:
            path, trial = trials.pop(future.key)
            _record(run_state, results, path, trial, future.result(), method)
            progress(1)
            submit()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
