"""``--method auto``: a tuner over the configurations worth trying on a matrix, and the
heat-equation sequence solved by the configurations it chooses.

The tuner is :func:`tuner.default_policy` over :func:`solvers.auto_space` (a
:class:`~tuner.FamilyLCB`: which family of methods, then which knob values), told the
seconds each solve takes. Seconds are only fair once every kernel is compiled:
:func:`warm_up` solves a tiny system once per family of the space first, so that no family
is charged its compilation.
"""

from __future__ import annotations

import numpy as np

from problems import poisson
from solvers import Solver, auto_space

from .auto_compare import AutoRun, HeatSequence, auto_step, make_tuner, run_pass

WARM_UP_GRID = (6, 6)
"""The Poisson grid :func:`warm_up` solves (36 unknowns: compiling is what it is for)."""


def warm_up(space) -> None:
    """Compile the kernels of every family of ``space`` (a configuration space as a dict),
    and those of :meth:`~solvers.Solver.update`, on a tiny Poisson system, so that the first
    timed solve of a family is not charged its compilation. Families that cannot solve that
    system are skipped.

    Examples
    --------
    >>> warm_up({"cg": {}, "ssor": {"omega": [1.2, 1.6]}})
    """
    A = poisson(WARM_UP_GRID)
    solver = Solver(A)
    solver.update(A)                    # the values' refresh of a matrix of the same pattern
    b = np.ones(A.shape[0])
    for family, knobs in dict(space).items():
        config = {"method": family, **{k: list(v)[0] for k, v in dict(knobs).items()}}
        try:
            solver.solve(b, config=config)
        except ValueError:              # a family this system does not suit: not compiled
            pass


def warm_up_tuner(space, bounds=None) -> None:
    """A few dozen asks and tells on a throw-away tuner over ``space``, costs and contexts
    varying, so that the policy's compiled kernels are loaded before anything is timed.

    Examples
    --------
    >>> warm_up_tuner({"cg": {}, "ssor": {"omega": [1.2, 1.6]}}, bounds=(0.0, 1.0))
    """
    spare = make_tuner(space, bounds=bounds, seed=0)
    low, high = bounds if bounds is not None else (None, None)
    for k in range(60):
        context = None if bounds is None else low + (high - low) * (k % 7) / 6.0
        trial = spare.ask(context)
        spare.tell(trial, 1e-3 * (1.0 + abs(np.sin(1.7 * k)) + 0.1 * trial.arm),
                   censored=k % 11 == 10)


def run_heat(nx: int, steps: int, *, contextual: bool = True, seed: int = 0,
             progress=None) -> AutoRun:
    """Simulate ``steps`` steps of the heat equation on the ``nx`` grid, each step solved by
    ``Solver.solve(b, x0, tuner=t, context=kappa)``, ``t`` a tuner over
    ``solvers.auto_space`` of the first step's matrix, contextual over the range of the
    diffusivity unless ``contextual`` is False (see :func:`cli.auto_compare.auto_step`).

    One :class:`~solvers.Solver` serves the whole run (every step's matrix has the same
    pattern: only its values are refreshed, and an AMG hierarchy is rebuilt by the rule the
    tuner chose). A step's seconds count the update, the tuner's work and the solve, not the
    assembly of the system. ``progress(1)`` is called once per step.

    Examples
    --------
    >>> r = run_heat(8, 6)
    >>> len(r.iterations), sum(r.chosen.values())
    (6, 6)
    """
    sequence = HeatSequence(nx, steps)
    space = auto_space(Solver(next(iter(sequence))[0]))
    warm_up(space)
    warm_up_tuner(space, sequence.bounds if contextual else None)
    run = AutoRun()
    run.seconds, _ = run_pass(sequence, auto_step(sequence, seed, run, contextual=contextual),
                              record=progress)
    run.iterations, run.contexts = np.asarray(run.iterations), np.asarray(run.contexts)
    return run
