"""``auto`` against everything a user could have picked, on one sequence, by wall-clock.

Each method solves the whole sequence on its own, as in a user's loop (warm-started at its
previous solution, to rtol 1e-8): ``auto`` (:meth:`solvers.Solver.solve` with a tuner over
:func:`solvers.auto_space`), every fixed configuration of that space, SciPy's cg, SciPy's cg
preconditioned by a PyAMG hierarchy built on the first matrix and reused, and a direct solve
per step (SciPy's ``spsolve``). A step's time is the solver's update to the step's matrix and
the solve (for ``auto`` its choice, timing and learning too); the assembly of the systems is
not timed. In each round every method runs once, in an order rotated from round to round, and
the median of a method's totals over the rounds counts. A method whose first ``probe`` steps
cost more than ``cut`` times the fastest fixed method's is not run further and its total is
extrapolated from them (it is far from the best either way): such totals are marked as
estimates. Every method's first ``probe`` steps run before the whole passes of a round, so
that no slow method runs the whole sequence only because it came before the fastest.
"""

from __future__ import annotations

import collections
import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

import tuner
from problems import KAPPA_BOUNDS, HeatEquation, random_coefficient, variable_diffusion
from solvers import Solver, auto_space, describe
from solvers.methods import run_config

RTOL = 1e-8
DT = 1e-3
AUTO = "auto"
SCIPY_CG = "SciPy cg"
SCIPY_AMG = "SciPy cg + PyAMG (built once)"
DIRECT = "direct (spsolve)"


class HeatSequence:
    """The heat-equation simulation: the next system depends on the last solution; the
    diffusivity is the context."""

    bounds = KAPPA_BOUNDS

    def __init__(self, nx: int, steps: int):
        self.nx, self.steps = nx, steps

    def __iter__(self):
        sim = HeatEquation(self.nx, t_end=self.steps * DT)
        while not sim.finished:
            inst = sim.system()
            x = yield inst.A, inst.b, inst.x0, inst.context
            sim.advance(x)

    def short(self) -> HeatSequence:
        """A few steps on a small grid: enough to compile every kernel."""
        return HeatSequence(min(self.nx, 20), 3)

    def __str__(self) -> str:
        return (f"heat equation nx={self.nx} ({(self.nx - 1) ** 2} unknowns), "
                f"{self.steps} steps")


class DiffusionSequence:
    """``-div(a_t grad u) + shift * mean(diag) * u = 1`` on an m x m grid, ``a_t`` a smooth
    random log-normal coefficient drifting from step to step (no context)."""

    bounds = None

    def __init__(self, m: int, steps: int, *, shift=0.0, contrast=3.0, drift=0.05, seed=0):
        self.m, self.steps, self.shift = m, steps, shift
        self.contrast, self.drift, self.seed = contrast, drift, seed

    def __iter__(self):
        x = None
        b = np.ones(self.m * self.m)
        for t in range(self.steps):
            A = variable_diffusion(random_coefficient(
                self.m, contrast=self.contrast, time=self.drift * t, seed=self.seed))
            if self.shift:
                A = (A + self.shift * float(A.diagonal().mean())
                     * sp.identity(A.shape[0], format="csr")).tocsr()
            x = yield A, b, x, None

    def short(self) -> DiffusionSequence:
        """A few steps on a small grid: enough to compile every kernel."""
        return DiffusionSequence(min(self.m, 24), 2, shift=self.shift, contrast=1.0,
                                 drift=self.drift, seed=self.seed)

    def __str__(self) -> str:
        kind = (f"shifted by {self.shift:g} mean(diag) (well conditioned)" if self.shift
                else f"coefficient contrast e^{2 * self.contrast:g}")
        return (f"variable diffusion m={self.m} ({self.m ** 2} unknowns), {kind}, "
                f"{self.steps} steps")


@dataclass
class AutoRun:
    """Per step of one ``auto`` run: the label of the configuration that produced the
    solution (``configs``), the one a backstop stopped first, if any (``abandoned``), the
    iterations, the context, the seconds of the step and the seconds spent outside the
    solves (``overhead``); and the run's tuner."""

    configs: list = field(default_factory=list)
    abandoned: list = field(default_factory=list)
    iterations: list = field(default_factory=list)
    contexts: list = field(default_factory=list)
    seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    overhead: list = field(default_factory=list)
    tuner: object = None

    @property
    def chosen(self) -> collections.Counter:
        """How many steps each configuration solved."""
        return collections.Counter(self.configs)

    @property
    def abandoned_counts(self) -> collections.Counter:
        """How many steps each configuration was stopped on by the backstop."""
        return collections.Counter(a for a in self.abandoned if a is not None)

    @property
    def mean_iterations(self) -> float:
        return float(np.mean(self.iterations))

    @property
    def seconds_per_step(self) -> float:
        return float(np.mean(self.seconds))

    @property
    def total_seconds(self) -> float:
        return float(np.sum(self.seconds))


@dataclass
class Comparison:
    """Median totals (seconds) per method, which are estimates, and the auto runs."""

    sequence: object
    totals: dict
    estimated: set
    autos: list

    def fixed(self) -> dict:
        """The totals of the fixed configurations of the space."""
        return {k: v for k, v in self.totals.items()
                if k not in (AUTO, SCIPY_CG, SCIPY_AMG, DIRECT)}

    def best_fixed(self) -> str:
        fixed = self.fixed()
        return min(fixed, key=fixed.get)

    def chosen(self) -> collections.Counter:
        """Steps per configuration over all auto runs, divided by their number."""
        total = collections.Counter()
        for run in self.autos:
            total.update(run.chosen)
        return collections.Counter({k: v / len(self.autos) for k, v in total.items()})

    def overhead(self) -> float:
        """Median seconds per step auto spent outside its solves."""
        return float(np.median(np.concatenate([run.overhead for run in self.autos])))


def configurations(space: dict) -> list[dict]:
    """Every configuration of a space given as ``{family: {knob: values}}``.

    Examples
    --------
    >>> configurations({"cg": {}, "ssor": {"omega": [1.2, 1.6]}})
    [{'method': 'cg'}, {'method': 'ssor', 'omega': 1.2}, {'method': 'ssor', 'omega': 1.6}]
    """
    return [{"method": family, **dict(zip(knobs, values, strict=True))}
            for family, knobs in space.items()
            for values in itertools.product(*knobs.values())]


def make_tuner(space, *, bounds=None, seed=0, keep_history=True) -> tuner.Tuner:
    """A tuner over the configuration ``space`` (contextual when ``bounds`` are given).

    Examples
    --------
    >>> t = make_tuner({"cg": {}, "ssor": {"omega": [1.2, 1.6]}})
    >>> t.ask().value
    {'method': 'cg'}
    """
    return tuner.Tuner(tuner.default_policy(space, bounds=bounds, seed=seed),
                       keep_history=keep_history)


def auto_step(sequence, seed, run: AutoRun, *, contextual=True):
    """A step function solving by :meth:`Solver.solve` with a tuner over the space of the
    first matrix (contextual over ``sequence.bounds`` unless ``contextual`` is False),
    recording into ``run``."""
    state = {}
    bounds = sequence.bounds if contextual else None

    def step(A, b, x0, context):
        solver = state.get("solver")
        if solver is None:
            solver = state["solver"] = Solver(A)
            run.tuner = make_tuner(auto_space(solver), bounds=bounds, seed=seed,
                                   keep_history=False)
        else:
            solver.update(A)
        started = time.perf_counter()
        res = solver.solve(b, x0, tuner=run.tuner, context=context if bounds else None,
                           rtol=RTOL)
        run.overhead.append(time.perf_counter() - started - res.seconds)
        if not res.converged:
            raise RuntimeError(f"{res.info['config']} stopped at step {len(run.configs)}: "
                               f"{res.status}")
        run.configs.append(res.info["config"])
        run.abandoned.append(res.info.get("abandoned"))
        run.iterations.append(res.iterations)
        run.contexts.append(np.nan if context is None else context)
        return res.x
    return step


def fixed_step(config: dict):
    state = {}

    def step(A, b, x0, context):
        solver = state.get("solver")
        if solver is None:
            solver = state["solver"] = Solver(A)
        else:
            solver.update(A)
        res = run_config(solver, config, b, x0, rtol=RTOL, atol=0.0, maxiter=None)
        if not res.converged:
            raise RuntimeError(f"{describe(config)} did not converge: {res.status}")
        return res.x
    return step


def scipy_cg_step(amg: bool = False):
    state = {}

    def step(A, b, x0, context):
        M = None
        if amg:
            M = state.get("M")
            if M is None:
                import pyamg
                M = state["M"] = pyamg.smoothed_aggregation_solver(A).aspreconditioner()
        x, info = sla.cg(A, b, x0=x0, rtol=RTOL, atol=0.0, M=M, maxiter=20 * A.shape[0])
        if info != 0:
            raise RuntimeError(f"SciPy cg stopped with info {info}")
        return x
    return step


def direct_step(A, b, x0, context):
    return sla.spsolve(A.tocsc(), b)


def run_pass(sequence, step, probe=None, limit=None, record=None):
    """Seconds of each step of one pass over ``sequence``; stopped after ``probe`` steps if
    those cost more than ``limit`` (then the second value is True; a negative ``limit``
    always stops there)."""
    times = []
    steps = iter(sequence)
    system = next(steps)
    try:
        while True:
            started = time.perf_counter()
            x = step(*system)
            times.append(time.perf_counter() - started)
            if record is not None:
                record(1)
            if limit is not None and len(times) == probe and sum(times) > limit:
                steps.close()
                return np.array(times), True
            system = steps.send(x)
    except StopIteration:
        pass
    return np.array(times), False


def compare(sequence, *, rounds=3, probe=50, cut=5.0, seed=0, progress=None,
            peers=True) -> Comparison:
    """Run ``auto``, every fixed configuration and (with ``peers``) the peers over
    ``sequence``, ``rounds`` times after a short warm-up; ``progress(k)`` is called per step.

    Examples
    --------
    >>> c = compare(HeatSequence(8, 6), rounds=1, peers=False)
    >>> c.totals["auto"] > 0, "cg" in c.totals, len(c.autos[0].configs)
    (True, True, 6)
    """
    first = next(iter(sequence))[0]
    configs = configurations(auto_space(Solver(first)))
    names = [AUTO, *map(describe, configs)] + ([SCIPY_CG, SCIPY_AMG, DIRECT] if peers else [])
    by_name = dict(zip(map(describe, configs), configs, strict=True))
    totals = {name: [] for name in names}
    estimated, autos = set(), []

    def make_step(name, seq, r):
        if name == AUTO:
            run = AutoRun()
            return auto_step(seq, seed + max(r, 0), run), run
        if name in (SCIPY_CG, SCIPY_AMG):
            return scipy_cg_step(amg=name == SCIPY_AMG), None
        if name == DIRECT:
            return direct_step, None
        return fixed_step(by_name[name]), None

    for r in range(-1, rounds):                       # round -1: a short warm-up
        seq = sequence.short() if r < 0 else sequence
        order = names[r % len(names):] + names[:r % len(names)]
        heads = {}
        if r >= 0 and probe < sequence.steps:         # every method's first steps, first
            for name in order:
                if name != AUTO:
                    heads[name], _ = run_pass(seq, make_step(name, seq, r)[0], probe, -1.0)
        fixed = [heads[name].sum() for name in heads if name in by_name]
        fastest = min(fixed) if fixed else None
        for name in order:
            step, run = make_step(name, seq, r)
            if name in heads and heads[name].sum() > cut * fastest:
                times, stopped = heads[name], True
            else:
                times, stopped = run_pass(seq, step, record=progress if r >= 0 else None)
            if r < 0:
                continue
            if run is not None:
                run.seconds = times
                autos.append(run)
            if stopped:
                estimated.add(name)
                if progress is not None:
                    progress(sequence.steps)
            totals[name].append(times.mean() * sequence.steps if stopped else times.sum())
    return Comparison(sequence, {k: float(np.median(v)) for k, v in totals.items()},
                      estimated, autos)


def summary_lines(c: Comparison) -> list[str]:
    """The table (each method's total, ms per step, and its time over auto's) and the
    ratios the issue of choosing a method is about."""
    auto = c.totals[AUTO]
    steps = c.sequence.steps
    lines = [f"{'method':<34}{'total s':>10}{'ms/step':>10}{'time / auto':>13}"]
    for name, total in sorted(c.totals.items(), key=lambda item: item[1]):
        mark = "  (est.)" if name in c.estimated else ""
        lines.append(f"{name:<34}{total:>10.3f}{1e3 * total / steps:>10.4f}"
                     f"{total / auto:>12.3f}x{mark}")
    best = c.best_fixed()
    lines.append(f"auto / best single configuration in hindsight ({best}): "
                 f"{auto / c.totals[best]:.3f}")
    ssor = {k: v for k, v in c.fixed().items() if k.startswith("cg+ssor(")}
    peers = {"plain CG": c.totals.get("cg"), "SSOR-PCG omega=1": c.totals.get(
        "cg+ssor(omega=1)"), "the best fixed SSOR-PCG omega": min(ssor.values()) if ssor
        else None, "SciPy cg": c.totals.get(SCIPY_CG),
        "SciPy cg + PyAMG": c.totals.get(SCIPY_AMG), "direct": c.totals.get(DIRECT)}
    lines.append("auto is faster than " + ", ".join(
        f"{k} {v / auto:.2f}x" for k, v in peers.items() if v is not None)
        + " (below 1x: slower)")
    top = ", ".join(f"{k} {v:.0f}" for k, v in c.chosen().most_common(6))
    lines.append(f"auto's configurations (steps per run): {top}")
    lines.append(f"auto's time outside its solves: {1e6 * c.overhead():.1f} us per step "
                 "(median)")
    return lines
