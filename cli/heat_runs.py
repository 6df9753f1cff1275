"""Timed runs of the heat-equation sequence with one solving method each.

A *method* says how every step's system is solved: a direct solve, plain CG, SSOR-PCG at a
fixed omega, at an omega given per step, or at the omega a tuner chooses (the diffusivity is
the context of a contextual policy). Each run is a whole simulation of its own, warm-started
at the previous step's solution, and records per step the iterations, the omega, and the
seconds spent deciding, solving and learning (the system's assembly is not counted: every
method pays it alike).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import spsolve

from problems import HeatEquation
from solvers import cg
from tuner import Tuner

RTOL = 1e-8


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
    seconds (NaN on the steps a strided direct run does not time), and the tuner of a tuned
    run."""

    label: str
    iterations: np.ndarray
    omegas: np.ndarray
    seconds: np.ndarray
    tuner: Tuner | None = None

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


def _ssor(instance, omega, ordering="lexicographic"):
    M = ("ssor", float(omega)) + (("multicolor",) if ordering == "multicolor" else ())
    res = cg(instance.A, instance.b, instance.x0, rtol=RTOL, M=M)
    if not res.converged:
        raise RuntimeError(f"SSOR-PCG at omega={omega:g} stopped at step "
                           f"{instance.meta['step']}: {res.status}")
    return res.x, res.iterations


def warm_up(nx: int) -> None:
    """Compile every kernel a run uses, so that no run is charged for it."""
    sim = HeatEquation(nx, t_end=1e-3)
    inst = sim.system()
    _ssor(inst, 1.5)
    _ssor(inst, 1.5, "multicolor")
    cg(inst.A, inst.b, inst.x0, rtol=RTOL)


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


def run(nx: int, steps: int, method: Method, *, progress=None) -> Run:
    """Simulate ``steps`` steps on the ``nx`` grid, solving every step with ``method``.

    Examples
    --------
    >>> r = run(10, 5, Method("omega=1.5", "ssor", omega=1.5))
    >>> r.iterations.shape, bool((r.iterations > 0).all()), r.omegas.tolist()
    ((5,), True, [1.5, 1.5, 1.5, 1.5, 1.5])
    """
    sim = HeatEquation(nx, t_end=steps * 1e-3)
    T = len(sim)
    iterations = np.zeros(T, dtype=np.int64)
    omegas = np.full(T, np.nan)
    seconds = np.empty(T)
    if progress is None:
        def progress(_):
            pass
    tuner = None
    if method.kind == "tuned":
        _warm_up_policy(method.make_tuner(), sim.system().context)
        tuner = method.make_tuner()
    clock = time.perf_counter
    for k, inst in enumerate(sim):
        if method.kind == "direct":
            if k % method.stride:
                x = _ssor(inst, 1.5)[0]
                seconds[k] = np.nan
                sim.advance(x)
                progress(1)
                continue
            start = clock()
            x = spsolve(inst.A.tocsc(), inst.b)
        elif method.kind == "cg":
            start = clock()
            res = cg(inst.A, inst.b, inst.x0, rtol=RTOL)
            x, iterations[k] = res.x, res.iterations
        elif method.kind == "tuned":
            start = clock()
            contextual = tuner.policy.contextual
            trial = tuner.ask(inst.context) if contextual else tuner.ask()
            x, iterations[k] = _ssor(inst, trial.value, method.ordering)
            tuner.tell(trial, float(iterations[k]))
            omegas[k] = trial.value
        else:
            omegas[k] = method.omega if method.kind == "ssor" else method.schedule[k]
            start = clock()
            x, iterations[k] = _ssor(inst, omegas[k], method.ordering)
        seconds[k] = clock() - start
        sim.advance(x)
        progress(1)
    return Run(method.label, iterations, omegas, seconds, tuner)
