"""A solve whose configuration a tuner chooses, timed, told, and guarded by a backstop.

The tuner is any object with ``ask(context)``, ``tell(trial, cost, censored=...)`` and,
optionally, ``best(context)`` and ``exclude(family)`` (a :class:`tuner.Tuner` over a
configuration space has all four): this module does not import the tuner package, and the
tuner package does not import the solvers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import numpy as np

from .errors import NotSPDError, ParameterError
from .methods import (
    CG_FAMILIES,
    FAMILY,
    _why_not,
    check_config,
    default_config,
    describe,
    run_config,
    solve_call,
)
from .result import Result

COSTS = ("seconds", "model")

CALIBRATION = 5
"""Solves of a family whose timings calibrate its cost model (then frozen)."""

DECISIONS = 9
"""Recent decisions whose median time sets the length of a lease."""
BACKSTOP_SLACK = 2.0
"""The backstop never stops a family before this many times its usual iteration count."""

WORK = {"cg": 1.0, "jacobi": 1.1, "ssor": 2.5, "ssor-multicolor": 2.5, "amg": 8.0,
        "sor": 1.5, "direct": 1.0}
"""Rough work per iteration of each family relative to plain CG: the backstop's guess for a
family not yet timed on this solver (replaced by its measured cost after its first solve)."""


class CostBook:
    """What each family has cost on one solver: seconds per iteration and per setup (an AMG
    build, an LU factorization), from the first :data:`CALIBRATION` solves of each.

    They give the backstop its iteration budget and the ``"model"`` cost its figures:
    ``max(iterations, 1) * seconds per iteration + setups * seconds per setup``, the same
    for the same iterations once calibrated, whatever the machine does meanwhile.
    """

    def __init__(self):
        self._iteration: dict[str, list] = {}
        self._setup: dict[str, list] = {}
        self._iterations: dict[str, list] = {}
        self._deciding: list = []
        self._telling: list = []
        self._spent = 0.0                  # the sum of their medians

    def observe(self, family: str, iterations: int, seconds: float, setup: float) -> None:
        """Take one solve's iterations, seconds, and the seconds of its setup (0: none)."""
        if setup > 0.0:
            samples = self._setup.setdefault(family, [])
            if len(samples) < CALIBRATION:
                samples.append(setup)
        if family == "direct" and setup > 0.0:
            return                                   # a factorization's solve is not timed alone
        samples = self._iteration.setdefault(family, [])
        if len(samples) < CALIBRATION:
            samples.append(max(seconds - setup, 0.0) / max(iterations, 1))
        counts = self._iterations.setdefault(family, [])
        counts.append(iterations)
        if len(counts) > 2 * CALIBRATION:
            del counts[0]

    def iteration_budget(self, family: str, seconds: float) -> int | None:
        """Iterations of ``family`` that ``seconds`` buy: by its seconds per iteration,
        but never fewer than ``BACKSTOP_SLACK`` times its usual count (a small solve's
        seconds are mostly a fixed cost, which the per-iteration figure overstates), and
        twice as many for a family not timed yet (its figure is a guess)."""
        per = self.per_iteration(family)
        if per is None:
            return None
        limit = seconds / max(per, 1e-12)
        usual = self._iterations.get(family)
        if usual:
            limit = max(limit, BACKSTOP_SLACK * _median(usual))
        else:
            limit *= 2.0
        return max(int(limit), 1)

    def decision(self, deciding: float | None, telling: float | None) -> None:
        """Take the seconds of an ask (with its estimate) or of a tell (the last
        :data:`DECISIONS` of each are kept: their medians ignore a first call's compiling)."""
        for samples, value in ((self._deciding, deciding), (self._telling, telling)):
            if value is not None:
                samples.append(value)
                if len(samples) > DECISIONS:
                    del samples[0]
        self._spent = ((_median(self._deciding) if self._deciding else 0.0)
                       + (_median(self._telling) if self._telling else 0.0))

    def lease_length(self, seconds: float) -> int:
        """Solves a configuration is kept for, so that a decision costs at most
        :data:`LEASE_SHARE` of them (1: decide at every solve)."""
        wanted = self._spent / max(LEASE_SHARE * seconds, 1e-12)
        return int(min(max(math.ceil(wanted), 1), MAX_LEASE))

    def per_iteration(self, family: str) -> float | None:
        """Seconds per iteration of ``family`` (a guess from another family's if it has not
        run yet; None before any solve)."""
        samples = self._iteration.get(family)
        if samples:
            return _median(samples)
        for other, known in self._iteration.items():
            if known:
                return _median(known) * WORK[family] / WORK[other]
        return None

    def setup(self, family: str) -> float:
        samples = self._setup.get(family)
        return _median(samples) if samples else 0.0

    def model(self, family: str, iterations: int, setups: int, seconds: float) -> float:
        """The modelled cost of a solve (its measured ``seconds`` until the family has been
        timed)."""
        per = self._iteration.get(family)
        if not per and not (setups and self._setup.get(family)):
            return seconds
        return ((_median(per) * max(iterations, 1) if per else 0.0)
                + setups * self.setup(family))


def _median(values: list) -> float:
    """The median of a short list (faster than :func:`statistics.median` on a few items)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else 0.5 * (ordered[half - 1] + ordered[half])


def cost_book(solver) -> CostBook:
    """The :class:`CostBook` of ``solver``'s current sparsity pattern."""
    book = solver.pattern_cache.get("cost book")
    if book is None:
        book = solver.pattern_cache["cost book"] = CostBook()
    return book


def check_cost_kind(cost):
    if cost == "seconds" or callable(cost) or cost in COSTS:
        return cost
    raise ParameterError(f"cost must be 'seconds', 'model' or a function (result, config) -> "
                         f"float; got {cost!r}")


def check_backstop(backstop):
    if backstop is None or type(backstop) is float and 1.0 < backstop < math.inf:
        return backstop
    if (isinstance(backstop, bool) or not isinstance(backstop, (int, float))
            or not math.isfinite(backstop) or backstop <= 1.0):
        raise ParameterError(f"backstop must be a number > 1 or None; got {backstop!r}")
    return float(backstop)


def solve(solver, b, x0=None, *, config=None, tuner=None, context=None, rtol=1e-8, atol=0.0,
          maxiter=None, backstop=2.0, cost="seconds") -> Result:
    """The body of :meth:`solvers.Solver.solve`."""
    lease = solver.lease
    cost = check_cost_kind(cost)
    backstop = check_backstop(backstop)
    if lease is not None and config is None and lease.serves(solver, tuner, context):
        return _on_lease(solver, lease, b, x0, rtol, atol, maxiter, cost, context)
    if tuner is None:
        chosen = check_config(default_config(solver) if config is None else config)
        why = _why_not(solver, chosen[FAMILY])
        if why is not None and config is not None:
            raise ParameterError(f"{describe(chosen)} cannot solve this system: {why}")
        return _labelled(_timed(solver, chosen, b, x0, rtol, atol, maxiter)[0], chosen)
    if config is not None:
        raise ParameterError("give a config or a tuner, not both")
    return _tuned(solver, b, x0, tuner, context, rtol, atol, maxiter, backstop, cost)


def _timed(solver, config, b, x0, rtol, atol, maxiter):
    """Run ``config``; the result, its seconds and those of its setup."""
    builds = solver.amg.builds
    started = time.perf_counter()
    res = run_config(solver, config, b, x0, rtol=rtol, atol=atol, maxiter=maxiter)
    seconds = time.perf_counter() - started
    if config[FAMILY] == "direct":
        setup = seconds if res.info.get("factorized") else 0.0
    else:
        setup = solver.amg.build_seconds if solver.amg.builds != builds else 0.0
    cost_book(solver).observe(config[FAMILY], res.iterations, seconds, setup)
    return res, seconds, int(solver.amg.builds != builds or setup > 0.0)


_LABELS: dict = {}
_CHECKED: dict = {}


def _checked(config) -> dict:
    """:func:`check_config` of a configuration a tuner handed out, remembered (a new dict
    each time)."""
    try:
        key = tuple(config.items())
        found = _CHECKED.get(key)
    except TypeError:                       # unhashable knob values: checked (and refused)
        found = key = None
    if found is None:
        found = check_config(config)
        if key is not None and len(_CHECKED) < 4096:
            _CHECKED[key] = found
    return dict(found)


def _label(config: dict) -> str:
    """:func:`describe` of a checked configuration, remembered."""
    key = tuple(config.items())
    label = _LABELS.get(key)
    if label is None:
        label = _LABELS[key] = describe(config)
    return label


def _labelled(res: Result, config: dict, abandoned=None) -> Result:
    res.info["config"] = _label(config)
    if abandoned is not None:
        res.info["abandoned"] = abandoned
    return res


def _tuned(solver, b, x0, tuner, context, rtol, atol, maxiter, backstop, cost):
    if solver.lease is not None:
        settle(solver)
    _check_space(solver, tuner)
    deciding = time.perf_counter()
    trial = tuner.ask(context)
    value = trial.value
    if not isinstance(value, Mapping):
        tuner.cancel(trial)
        raise ParameterError("the tuner chooses numbers, not configurations: give it a "
                             "configuration space, e.g. tuner.default_policy("
                             "solvers.auto_space(solver))")
    config = _checked(value)
    family = config[FAMILY]
    budget = None
    best = _best(tuner, context)
    if backstop is not None and best is not None and best[0] != config:
        budget = backstop * best[1]
    why = _why_not(solver, family)
    if why is not None:
        return _refused(solver, tuner, trial, config, why, b, x0, rtol, atol, maxiter,
                        context)
    cap = maxiter
    book = cost_book(solver)
    limit = (book.iteration_budget(family, budget)
             if budget is not None and family != "direct" else None)
    if limit is not None:               # a setup (AMG build, LU) cannot be stopped
        cap = limit if maxiter is None else min(int(maxiter), limit)
    started = time.perf_counter()
    book.decision(started - deciding, None)
    try:
        res, seconds, setups = _timed(solver, config, b, x0, rtol, atol, cap)
    except NotSPDError as exc:
        spent = time.perf_counter() - started
        return _not_spd(solver, tuner, trial, config, exc, max(spent, budget or spent), b,
                        x0, rtol, atol, maxiter, context)
    charged = _charge(cost, solver, config, res, seconds, setups)
    if res.converged:
        length = book.lease_length(seconds) if best is None or best[0] == config else 1
        if length > 1:
            solver.lease = Lease(solver, tuner, trial, config, length, charged, context)
        else:
            telling = time.perf_counter()
            tuner.tell(trial, charged)
            book.decision(None, time.perf_counter() - telling)
        return _labelled(res, config)
    stopped = cap is not None and cap != maxiter and res.status == "maxiter"
    tuner.tell(trial, max(charged, budget) if stopped else charged, censored=True)
    return _finish(solver, tuner, context, res, config, seconds, b, x0, rtol, atol, maxiter)


def _finish(solver, tuner, context, res, config, seconds, b, x0, rtol, atol, maxiter):
    """Finish a step that ``config`` failed or was stopped on, with the tuner's best."""
    fallback = _fallback(solver, tuner, context, exclude_config=config)
    if fallback is None or fallback == config:
        return _labelled(res, config)
    start = res.x if res.status == "maxiter" and np.isfinite(res.x).all() else x0
    finish, extra, _ = _timed(solver, fallback, b, start, rtol, atol, maxiter)
    return _merged(res, finish, fallback, config, seconds + extra)


LEASE_SHARE = 0.03
"""A decision (ask, estimate, tell) may cost this share of a solve: where it would cost more
(small, fast solves), a configuration chosen is kept for several solves (a lease)."""
MAX_LEASE = 64
"""Longest lease, in solves."""
LEASE_CONTEXT = 1.0 / 16.0
"""A lease serves contexts within this share of the policy's context interval of the one it
was chosen for."""


class Lease:
    """A configuration kept for ``length`` solves of one solver under one tuner: one trial,
    told the mean cost of its solves when the lease ends (see :data:`LEASE_SHARE`)."""

    def __init__(self, solver, tuner, trial, config, length, cost, context):
        self.tuner, self.trial, self.config = tuner, trial, config
        self.call = self.label = None       # solve_call's pair and the label, once served
        self.plain = config[FAMILY] not in ("amg", "direct")     # no setup to account for
        self.left, self.total, self.count = length - 1, cost, 1
        self.context = context
        self.pattern = solver.pattern_cache
        bounds = getattr(getattr(tuner, "policy", None), "bounds", None)
        self.width = (LEASE_CONTEXT * (bounds[1] - bounds[0]) if bounds is not None
                      else 1e-2 * max(abs(context or 0.0), 1.0))

    def serves(self, solver, tuner, context) -> bool:
        if not (self.left > 0 and tuner is self.tuner and solver.pattern_cache is self.pattern):
            return False
        if context is None or self.context is None:
            return context is None and self.context is None
        return abs(context - self.context) <= self.width


def settle(solver) -> None:
    """Tell the tuner the mean cost of the solves of ``solver``'s open lease, if any, and
    close it (see :meth:`solvers.Solver.settle`)."""
    lease, solver.lease = solver.lease, None
    if lease is not None:
        lease.tuner.tell(lease.trial, lease.total / lease.count)


def _on_lease(solver, lease, b, x0, rtol, atol, maxiter, cost, context):
    """A solve on an open lease: the kept configuration, timed, its cost added up (no
    decision, no calibration: the lease exists because those would cost too much here)."""
    config = lease.config
    if lease.call is None:
        lease.call, lease.label = solve_call(solver, config), _label(config)
    if lease.plain and cost == "seconds":
        method, options = lease.call
        started = time.perf_counter()
        res = method(b, x0, rtol=rtol, atol=atol, maxiter=maxiter, **options)
        seconds = charged = max(time.perf_counter() - started, 1e-9)
    else:
        res, seconds, setups = _timed(solver, config, b, x0, rtol, atol, maxiter)
        charged = _charge(cost, solver, config, res, seconds, setups)
    lease.total += charged
    lease.count += 1
    lease.left -= 1
    if res.converged:
        if lease.left == 0:
            settle(solver)
        res.info["config"] = lease.label
        return res
    solver.lease = None
    lease.tuner.tell(lease.trial, lease.total / lease.count, censored=True)
    return _finish(solver, lease.tuner, context, res, config, seconds, b, x0, rtol,
                   atol, maxiter)


def _check_space(solver, tuner) -> None:
    """Check every configuration of the tuner's space (if it shows one) against the catalog,
    once per solver and space: a bad one is an error before any solve."""
    space = getattr(getattr(tuner, "policy", None), "space", None)
    checked = solver.pattern_cache.setdefault("checked spaces", set())
    if space is None or id(space) in checked:
        return
    for i in range(len(space)):
        try:
            check_config(space.config(i))
        except ParameterError as exc:
            raise ParameterError(f"the tuner's space holds {space.config(i)!r}: {exc}") from None
    checked.add(id(space))


def _charge(cost, solver, config, res, seconds, setups) -> float:
    if cost == "seconds":
        value = seconds
    elif cost == "model":
        value = cost_book(solver).model(config[FAMILY], res.iterations, setups, seconds)
    else:
        value = float(cost(res, dict(config)))
    return max(value, 1e-9)


def _best(tuner, context):
    best = getattr(tuner, "best", None)
    if best is None:
        return None
    found = best(context)
    return None if found is None else (_checked(found[0]), float(found[1]))


def _fallback(solver, tuner, context, exclude_config=None, exclude=()):
    """The configuration to finish a step with: the tuner's best known (outside
    ``exclude``) that can solve the system, else the solver's default."""
    best = getattr(tuner, "best", None)
    found = best(context, exclude) if best is not None else None
    if found is not None:
        config = _checked(found[0])
        if _why_not(solver, config[FAMILY]) is None and config != exclude_config:
            return config
    config = default_config(solver)
    return None if config[FAMILY] in exclude else config


def _merged(first: Result, finish: Result, fallback, abandoned, seconds) -> Result:
    residuals = np.concatenate([first.residuals, finish.residuals[1:]])
    out = Result(x=finish.x, iterations=first.iterations + finish.iterations,
                 converged=finish.converged, residual_norm=finish.residual_norm,
                 residuals=residuals, status=finish.status, seconds=seconds,
                 info={**finish.info, "abandoned_iterations": first.iterations})
    return _labelled(out, fallback, describe(abandoned))


def _exclude_cg(tuner) -> None:
    exclude = getattr(tuner, "exclude", None)
    if exclude is None:
        return
    space = getattr(getattr(tuner, "policy", None), "space", None)
    families = space.families if space is not None else CG_FAMILIES
    for family in CG_FAMILIES:
        if family in families:
            exclude(family)


def _not_spd(solver, tuner, trial, config, exc, charged, b, x0, rtol, atol, maxiter,
             context):
    """CG found the matrix not positive definite: charge the trial, leave the CG families
    out from now on, finish with a family that does not need it."""
    solver.pattern_cache["not spd"] = True
    tuner.tell(trial, charged, censored=True)
    _exclude_cg(tuner)
    fallback = _fallback(solver, tuner, context, exclude=CG_FAMILIES)
    if fallback is None or fallback[FAMILY] in CG_FAMILIES:
        raise NotSPDError(f"{exc}; no method of the tuner's space applies to a matrix that "
                          "is not SPD (add 'sor' or 'direct')") from exc
    res, seconds, _ = _timed(solver, fallback, b, x0, rtol, atol, maxiter)
    return _labelled(res, fallback, describe(config))


def _refused(solver, tuner, trial, config, why, b, x0, rtol, atol, maxiter, context):
    """The tuner chose a family that cannot solve this matrix: withdraw the trial (its
    cost would say nothing about the family), exclude the family, solve with one that can."""
    tuner.cancel(trial)
    exclude = getattr(tuner, "exclude", None)
    if exclude is not None:
        exclude(config[FAMILY])
    fallback = _fallback(solver, tuner, context, exclude=(config[FAMILY],))
    if fallback is None:
        raise ParameterError(f"{describe(config)} cannot solve this system ({why}) and "
                             "no other method applies")
    res, _, _ = _timed(solver, fallback, b, x0, rtol, atol, maxiter)
    return _labelled(res, fallback, describe(config))
