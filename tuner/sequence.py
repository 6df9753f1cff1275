"""run_sequence: tune a parameter across a sequence of instances, beside fixed comparators."""

from __future__ import annotations

import numbers
import sys

import numpy as np

from ._validate import check_context_value, check_cost
from .errors import ParameterTypeError
from .report import SequenceReport
from .tuner import Tuner


def _default_context(instance):
    return getattr(instance, "context", None)


def _cost_of(result, what: str) -> tuple[float, bool]:
    """``(cost, censored)`` from what ``solve`` or ``oracle`` returned."""
    if isinstance(result, tuple):
        if len(result) != 2:
            raise ParameterTypeError(
                f"{what} must return a cost or a pair (cost, censored); got {result!r}"
            )
        cost, censored = result
        if not isinstance(censored, bool | np.bool_):
            raise ParameterTypeError(
                f"{what} returned censored={censored!r}; it must be True or False"
            )
        return check_cost(cost, f"the cost returned by {what}"), bool(censored)
    return check_cost(result, f"the cost returned by {what}"), False


def _as_progress(progress, n_hint: int | None):
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    if progress is True:
        every = max(1, n_hint // 10) if n_hint else 100

        def report(done, trial, cost):
            if done % every == 0 or done == n_hint:
                print(f"run_sequence: {done} instances done, last value {trial.value:g} "
                      f"cost {cost:g}", file=sys.stderr)
        return report
    raise ParameterTypeError(f"progress must be None, a bool or a callable; got {progress!r}")


def run_sequence(instances, solve, tuner, *, baselines=None, oracle=None, context=None,
                 progress=None) -> SequenceReport:
    """Solve a sequence of instances with values chosen by ``tuner``, learning as it goes.

    For each instance: ask the tuner (with the instance's context when its policy is
    contextual), solve with the value it chose, tell it the cost. Every fixed value in
    ``baselines`` is also solved on every instance, and ``oracle`` gives the instance-optimal
    cost, so the report can compare the tuner with the best fixed value in hindsight and with
    the oracle.

    Parameters
    ----------
    instances : iterable
        The instances, in order. They are only handed to ``solve``, ``oracle`` and ``context``;
        by default an instance's context is its ``context`` attribute (None if absent).
    solve : callable ``solve(instance, value)``
        Returns the cost (a finite number > 0, lower is better) or a pair
        ``(cost, censored)``, ``censored`` True when the cost is a cap (a stopped solve).
    tuner : Tuner
        The tuner to drive; it is left with the whole run in its history.
    baselines : sequence of float, optional
        Fixed values to evaluate on every instance as well.
    oracle : callable ``oracle(instance)``, optional
        The instance-optimal cost (or ``(cost, censored)``) of an instance.
    context : callable ``context(instance)``, optional
        Returns an instance's context (a real number or None) in place of its attribute.
    progress : None, bool or callable ``progress(done, trial, cost)``
        Called after each instance; ``True`` prints a line to stderr every tenth of the
        sequence (every 100 instances when its length is unknown).

    Returns
    -------
    SequenceReport

    Notes
    -----
    An exception raised by ``solve`` propagates; the tuner then keeps that instance's trial
    outstanding (it can be told later or saved with the tuner).

    Examples
    --------
    >>> from tuner import Tuner, TsallisINF, run_sequence
    >>> solve = lambda instance, value: 1.0 + 10.0 * abs(value - 1.5)
    >>> report = run_sequence(range(50), solve, Tuner(TsallisINF([1.0, 1.5, 1.9], seed=0)),
    ...                       baselines=[1.0, 1.5], oracle=lambda instance: 1.0)
    >>> report.n, report.best_fixed, report.oracle_total
    (50, (1.5, 50.0), 50.0)
    """
    if not isinstance(tuner, Tuner):
        raise ParameterTypeError(f"tuner must be a Tuner; got {type(tuner).__name__}")
    if not callable(solve):
        raise ParameterTypeError(f"solve must be callable; got {solve!r}")
    if oracle is not None and not callable(oracle):
        raise ParameterTypeError(f"oracle must be callable or None; got {oracle!r}")
    get_context = _default_context if context is None else context
    if not callable(get_context):
        raise ParameterTypeError(f"context must be callable or None; got {context!r}")
    fixed = [] if baselines is None else list(baselines)
    for value in fixed:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise ParameterTypeError(f"baselines must be real numbers; got {value!r}")
    fixed = [float(value) for value in fixed]
    notify = _as_progress(progress, len(instances) if hasattr(instances, "__len__") else None)
    contextual = tuner.policy.contextual

    trials, costs, censored, contexts = [], [], [], []
    base_costs = [[] for _ in fixed]
    base_censored = [[] for _ in fixed]
    oracle_costs, oracle_censored = [], []
    for done, instance in enumerate(instances, start=1):
        ctx = check_context_value(get_context(instance))
        trial = tuner.ask(ctx) if contextual else tuner.ask()
        cost, cens = _cost_of(solve(instance, trial.value), f"solve (value {trial.value:g})")
        tuner.tell(trial, cost, censored=cens)
        trials.append(trial)
        costs.append(cost)
        censored.append(cens)
        contexts.append(np.nan if ctx is None else ctx)
        for k, value in enumerate(fixed):
            c, flag = _cost_of(solve(instance, value), f"solve (baseline {value:g})")
            base_costs[k].append(c)
            base_censored[k].append(flag)
        if oracle is not None:
            c, flag = _cost_of(oracle(instance), "oracle")
            oracle_costs.append(c)
            oracle_censored.append(flag)
        if notify is not None:
            notify(done, trial, cost)

    n = len(trials)
    return SequenceReport(
        policy=type(tuner.policy).__name__,
        values=np.array([t.value for t in trials], dtype=np.float64),
        arms=np.array([t.arm for t in trials], dtype=np.int64),
        probabilities=np.array([t.probability for t in trials], dtype=np.float64),
        contexts=np.array(contexts, dtype=np.float64),
        costs=np.array(costs, dtype=np.float64),
        censored=np.array(censored, dtype=bool),
        baseline_values=np.array(fixed, dtype=np.float64),
        baseline_costs=np.array(base_costs, dtype=np.float64).reshape(len(fixed), n),
        baseline_censored=np.array(base_censored, dtype=bool).reshape(len(fixed), n),
        oracle_costs=None if oracle is None else np.array(oracle_costs, dtype=np.float64),
        oracle_censored=None if oracle is None else np.array(oracle_censored, dtype=bool),
    )
