"""Timed runs of the heat-equation sequence with one solving method each.

A *method* says how every step's system is solved: a direct solve, plain CG, SSOR-PCG at a
fixed omega, at an omega given per step, or at the omega a tuner chooses (the diffusivity is
the context of a contextual policy). Each run is a whole simulation of its own, warm-started
at the previous step's solution, and records per step the iterations, the omega, and the
seconds spent deciding, solving and learning (the system's assembly is not counted: every
method pays it alike).

Several runs can go in lockstep (:func:`run_interleaved`): step ``k`` of every run is solved
before step ``k + 1`` of any, each timed solve ``repeats`` times with the runs taking turns,
so that a busy spell of a shared machine slows every run alike instead of one of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.linalg import spsolve

from problems import HeatEquation
from solvers import Solver
from tuner import Tuner

from .limits import check_memory

RTOL = 1e-8
DT = 1e-3
"""Time step of every run: ``steps`` steps simulate ``steps * DT`` time units."""

MATRIX_BYTES_PER_NONZERO = 32
"""Bytes per nonzero a run holds: values and column indices of the Laplacian, the step's
values, and the solver's prepared copy."""

VECTORS_PER_RUN = 35
"""Vectors of ``(nx - 1)**2`` floats a run holds: grid, solution, right-hand side, forcing,
and the work vectors of CG and the SSOR preconditioner."""

BYTES_PER_STEP = 2048
"""Bytes of records per simulated step: the per-step arrays, the tuner's history, a report
row."""


@dataclass(frozen=True)
class Method:
    """How to solve each step: ``kind`` is "direct", "cg", "ssor", "schedule" or "tuned".

    ``omega`` is the fixed omega of "ssor", ``schedule`` the per-step omegas of "schedule"
    and ``make_tuner`` a callable returning a fresh :class:`~tuner.Tuner` for "tuned".
    ``ordering`` is the SSOR preconditioner's ("lexicographic" or "multicolor").
    A direct solve is timed on every ``stride``-th step only (the others advance the
    simulation by an untimed SSOR-PCG solve); its per-step time is the mean over those.
    """

    label: str
    kind: str
    omega: float | None = None
    schedule: np.ndarray | None = None
    make_tuner: object = None
    stride: int = 1
    ordering: str = "lexicographic"

    def __post_init__(self):
        if self.kind not in ("direct", "cg", "ssor", "schedule", "tuned"):
            raise ValueError(f"unknown method kind {self.kind!r}")
        if not (isinstance(self.stride, int) and self.stride >= 1):
            raise ValueError(f"stride must be an integer >= 1; got {self.stride!r}")


@dataclass
class Run:
    """Per-step record of one run: iterations (0 for a direct solve), omega (NaN when none),
    seconds (the median over the repeats; NaN on the steps a strided direct run does not
    time), the seconds of every repeat (``repeat_seconds``, steps x repeats), the tuner of a
    tuned run, the context (the diffusivity) of every step, and the seconds of each step
    spent in the tuner (``tuner_seconds``: ask and tell, part of ``seconds``)."""

    label: str
    iterations: np.ndarray
    omegas: np.ndarray
    seconds: np.ndarray
    tuner: Tuner | None = None
    repeat_seconds: np.ndarray | None = None
    contexts: np.ndarray | None = None
    tuner_seconds: np.ndarray | None = None

    @property
    def mean_iterations(self) -> float:
        return float(self.iterations.mean())

    @property
    def seconds_per_step(self) -> float:
        return float(np.nanmean(self.seconds))

    @property
    def total_seconds(self) -> float:
        """Seconds over the whole run (per-step mean times steps for a strided run)."""
        return self.seconds_per_step * self.seconds.size

    @property
    def repeat_totals(self) -> np.ndarray:
        """:attr:`total_seconds` of each repeat alone."""
        per = self.seconds[:, None] if self.repeat_seconds is None else self.repeat_seconds
        return np.nanmean(per, axis=0) * per.shape[0]


def grid_memory(nx: int, steps: int, runs: int = 1) -> tuple[float, float]:
    """Estimated bytes of ``runs`` simulations in lockstep on the ``nx`` grid over ``steps``
    steps: those of their matrices (five nonzeros a row) and vectors, and those of the
    per-step records.

    Examples
    --------
    >>> [f"{b / 2**20:.1f} MiB" for b in grid_memory(100, 1000, 3)]
    ['12.3 MiB', '2.0 MiB']
    """
    n = (nx - 1) ** 2
    nonzeros = 5 * n - 4 * (nx - 1)
    per_run = MATRIX_BYTES_PER_NONZERO * nonzeros + 8 * VECTORS_PER_RUN * n
    return float(runs * per_run), float(BYTES_PER_STEP * steps)


def check_grid(nx: int, steps: int, runs: int = 1) -> None:
    """Refuse (exit status 2) runs that would not fit in memory, before any work; the
    message names ``--nx`` or ``--steps``, whichever needs the more.

    Examples
    --------
    >>> import click
    >>> check_grid(100, 1000, 3)
    >>> try:
    ...     check_grid(100_000, 1000, 3)
    ... except click.BadParameter as error:
    ...     print(error.message)  # doctest: +ELLIPSIS
    3 simulations of 1000 steps on a grid of nx=100000 (9,999,800,001 unknowns) would need ...
    """
    grid, records = grid_memory(nx, steps, runs)
    what = (f"{runs} simulation{'s' if runs > 1 else ''} of {steps} steps on a grid of "
            f"nx={nx} ({(nx - 1) ** 2:,} unknowns)")
    check_memory(grid + records, what, "--steps" if records > grid else "--nx")


def _prepared(solver: Solver | None, A) -> Solver:
    """``solver`` updated to ``A`` (the matrices of one run share their pattern: only the
    values are refreshed), or a new one."""
    if solver is None:
        return Solver(A)
    solver.update(A)
    return solver


def _ssor(solver: Solver, instance, omega, ordering="lexicographic"):
    res = solver.cg(instance.b, instance.x0, rtol=RTOL, M=("ssor", float(omega)),
                    ordering=ordering)
    if not res.converged:
        raise RuntimeError(f"SSOR-PCG at omega={omega:g} stopped at step "
                           f"{instance.meta['step']}: {res.status}")
    return res.x, res.iterations


def _cg(solver: Solver, instance):
    res = solver.cg(instance.b, instance.x0, rtol=RTOL)
    return res.x, res.iterations


def _direct(instance):
    return spsolve(instance.A.tocsc(), instance.b), 0


def warm_up(nx: int) -> None:
    """Compile every kernel a run uses, so that no run is charged for it."""
    sim = HeatEquation(nx, t_end=DT)
    inst = sim.system()
    solver = Solver(inst.A)
    _ssor(solver, inst, 1.5)
    _ssor(solver, inst, 1.5, "multicolor")
    _cg(solver, inst)


def _warm_up_policy(spare: Tuner, context: float) -> None:
    """A few dozen asks and tells on a throw-away tuner, with costs and contexts that vary,
    so that every compiled kernel of the policy (bounded refits included) is loaded before
    anything is timed."""
    policy = spare.policy
    low, high = policy.bounds if policy.contextual else (context, context)
    for k in range(60):
        c = low + (high - low) * (k % 7) / 6.0
        trial = spare.ask(c) if policy.contextual else spare.ask()
        spare.tell(trial, 1.0 + 50.0 * abs(np.sin(1.7 * k)) + 5.0 * trial.arm)


@dataclass
class _Step:
    """One step of one run: the solve, its seconds per repeat, and the seconds spent
    deciding and learning around it (a tuned run's ask and tell)."""

    solve: Callable[[], tuple[np.ndarray, int]]
    timed: bool = True
    overhead: float = 0.0
    result: tuple | None = None
    seconds: list = field(default_factory=list)

    def attempt(self) -> None:
        """Solve once more, timed (an untimed step is solved once only)."""
        if not self.timed and self.result is not None:
            return
        start = time.perf_counter()
        result = self.solve()
        self.seconds.append(time.perf_counter() - start)
        if self.result is None:
            self.result = result


class _Lane:
    """One method's simulation, advanced one step at a time."""

    def __init__(self, nx: int, steps: int, method: Method, repeats: int):
        self.method = method
        self.sim = HeatEquation(nx, t_end=steps * DT)
        T = len(self.sim)
        self.iterations = np.zeros(T, dtype=np.int64)
        self.omegas = np.full(T, np.nan)
        self.contexts = np.full(T, np.nan)
        self.seconds = np.full((T, repeats), np.nan)
        self.tuner_seconds = np.zeros(T)
        self.tuner = self.trial = None
        self.solver = None
        if method.kind == "tuned":
            _warm_up_policy(method.make_tuner(), self.sim.system().context)
            self.tuner = method.make_tuner()

    def prepare(self, inst) -> Solver:
        """The run's solver, updated to this step's matrix (timed with the solve: a user's
        loop pays for it)."""
        self.solver = _prepared(self.solver, inst.A)
        return self.solver

    def plan(self, k: int) -> _Step:
        """Step ``k``'s solve (a tuned run asks its tuner here)."""
        inst, method = self.sim.system(), self.method
        self.contexts[k] = inst.context
        if method.kind == "direct":
            if k % method.stride:
                return _Step(lambda: (_ssor(self.prepare(inst), inst, 1.5)[0], 0),
                             timed=False)
            return _Step(lambda: _direct(inst))
        if method.kind == "cg":
            return _Step(lambda: _cg(self.prepare(inst), inst))
        overhead = 0.0
        if method.kind == "tuned":
            start = time.perf_counter()
            contextual = self.tuner.policy.contextual
            self.trial = self.tuner.ask(inst.context) if contextual else self.tuner.ask()
            overhead = time.perf_counter() - start
            self.omegas[k] = self.trial.value
        else:
            self.omegas[k] = method.omega if method.kind == "ssor" else method.schedule[k]
        omega = self.omegas[k]
        return _Step(lambda: _ssor(self.prepare(inst), inst, omega, method.ordering),
                     overhead=overhead)

    def finish(self, k: int, step: _Step) -> None:
        """Record step ``k``, tell the tuner its cost, advance the simulation."""
        x, self.iterations[k] = step.result
        if self.tuner is not None:
            start = time.perf_counter()
            self.tuner.tell(self.trial, float(self.iterations[k]))
            step.overhead += time.perf_counter() - start
        if step.timed:
            self.seconds[k] = np.asarray(step.seconds) + step.overhead
        self.tuner_seconds[k] = step.overhead
        self.sim.advance(x)

    def result(self) -> Run:
        return Run(self.method.label, self.iterations, self.omegas,
                   np.median(self.seconds, axis=1), self.tuner, self.seconds, self.contexts,
                   self.tuner_seconds if self.tuner is not None else None)


def run_interleaved(nx: int, steps: int, methods, *, repeats: int = 1,
                    progress=None) -> dict[str, Run]:
    """Simulate ``steps`` steps on the ``nx`` grid once per method, the runs in lockstep.

    At every step each run's solve is timed ``repeats`` times, the runs taking turns (in a
    rotating order); a step's time is the median over the repeats. ``progress(1)`` is
    called once per run and step.

    Examples
    --------
    >>> runs = run_interleaved(10, 4, [Method("w", "ssor", omega=1.5), Method("c", "cg")],
    ...                        repeats=3)
    >>> runs["w"].repeat_seconds.shape, runs["c"].repeat_totals.shape
    ((4, 3), (3,))
    """
    labels = [m.label for m in methods]
    if len(set(labels)) != len(labels):
        raise ValueError(f"methods need distinct labels; got {labels}")
    if not (isinstance(repeats, int) and repeats >= 1):
        raise ValueError(f"repeats must be an integer >= 1; got {repeats!r}")
    lanes = [_Lane(nx, steps, m, repeats) for m in methods]
    for k in range(len(lanes[0].sim) if lanes else 0):
        plans = [lane.plan(k) for lane in lanes]
        for r in range(repeats):
            turn = r % len(plans)
            for step in plans[turn:] + plans[:turn]:
                step.attempt()
        for lane, step in zip(lanes, plans, strict=True):
            lane.finish(k, step)
            if progress is not None:
                progress(1)
    return {lane.method.label: lane.result() for lane in lanes}


def run(nx: int, steps: int, method: Method, *, progress=None, repeats: int = 1) -> Run:
    """Simulate ``steps`` steps on the ``nx`` grid, solving every step with ``method``.

    Examples
    --------
    >>> r = run(10, 5, Method("omega=1.5", "ssor", omega=1.5))
    >>> r.iterations.shape, bool((r.iterations > 0).all()), r.omegas.tolist()
    ((5,), True, [1.5, 1.5, 1.5, 1.5, 1.5])
    """
    return run_interleaved(nx, steps, [method], repeats=repeats,
                           progress=progress)[method.label]
