"""RobustLCB, the default policy: local search on log-costs that cannot be trapped."""

from __future__ import annotations

import numbers

import numpy as np

from .._arrays import pack_array, unpack_array
from .._validate import check_bounds, check_positive_int
from ..errors import ParameterError
from . import _robust_kernels as kernels
from .base import Policy


def _check_nonnegative(value, name):
    if (not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0
            or not np.isfinite(value)):
        raise ParameterError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(value)


class RobustLCB(Policy):
    """Local search with confidence bounds on the log-cost, guarded against every trap.

    The arms are values of one ordered parameter (such as SOR's omega) whose cost usually falls
    to one minimum and rises again. Most choices are those of a local search: the arm of
    smallest mean log-cost so far (the *leader*) or one of its two neighbours in value order,
    an untried neighbour first, else the one of smallest lower confidence bound
    ``mean - confidence * sd * sqrt(2 log N / n)`` (``n`` plays of the arm, ``N`` in all,
    ``sd`` the pooled within-context deviation of the log-costs). On a smooth, stationary
    sequence this walks downhill to the minimum and pays for exploration next to it only.

    Four guards keep it from being trapped where that picture fails:

    * **Global exploration that never dies out.** With probability up to
      ``explore * sqrt(K / (t + K))`` (``t`` costs since the last restart; at most 1/2,
      scaled down when no arm is likely to improve on the leader) a choice is drawn over the
      whole grid, each arm in proportion to its probability of improving on the leader, plus
      a floor that weighs the arms by their cheapness (the leader's cost over theirs, so its
      expected cost stays bounded however costly the far arms are). An untried arm's cost is
      interpolated between its nearest tried neighbours with a spread that grows with the
      distance to them, so the search goes coarse to fine: across a plateau of equal costs it
      probes far arms first, and it finds a second, better minimum or steps over a single bad
      arm. While the leader's costs are mostly censored (a cap, a lower bound only) every
      choice explores.
    * **Robust statistics.** An arm's cost is estimated on the log scale (``mu + var / 2``:
      the log of the mean cost for log-normal costs): decisions compare differences of
      logarithms, which a change of unit (seconds or iterations) leaves as they are; a rare
      huge cost moves an estimate by its logarithm only; heavy-tailed noise has finite
      log-moments. Censored costs stay out of the noise estimate; in the means they count at
      their caps when an arm is capped more often than all arms together are (its failures
      are its own), and otherwise, as outliers of hard instances that cap every arm, at most
      three standard deviations above the arm's mean.
    * **Change detection.** Each cost is compared with the long memory's prediction for the
      arm; a two-sided CUSUM of the standardised (clipped) residuals detects an abrupt change.
      If the shift it estimates would change the choice, the search restarts from the arm that
      led: every statistic is cleared, the noise estimate keeps ``KEEP`` degrees of freedom,
      and exploration starts afresh. Without context a second memory that forgets (0.95 per
      cost) tracks slow drift, and decisions follow whichever memory has predicted the costs
      better.
    * **Parallel workers.** Trials asked for and not yet told count as plays of their arms,
      and the exploration draw is random (the policy's seeded generator), so a batch of
      outstanding trials spreads over the leader, its neighbours and the grid. A choice
      stays outstanding until it is updated or withdrawn with :meth:`cancel` (the
      :class:`~tuner.Tuner` does both).

    With context bounds the context interval is split dyadically as in :class:`UnimodalLCB`
    (``levels`` levels; a decision uses the finest bin that holds enough costs, down to the
    level whose bins have predicted the costs best so far), so the resolution adapts to how
    often each context occurs, to how noisy the costs are and to how much the context says
    about them.

    The saved state is a fixed set of statistics, whatever the number of costs seen.

    Parameters
    ----------
    arms : array_like of float, shape (K,)
        The parameter values (finite, distinct; any order: neighbours are taken in value order).
    bounds : (float, float), optional
        The context interval ``(a, b)``; without it the policy is not contextual. A context
        outside it is clipped into it with a :class:`~tuner.errors.ContextOutOfBoundsWarning`.
    levels : int >= 1
        Depth of the dyadic context tree; ignored without bounds.
    min_count : int >= 1
        Costs a context bin needs before decisions use it rather than its parent.
    confidence : float >= 0
        Width of the lower confidence bound of the local search.
    explore : float >= 0
        Scale of the global exploration share (0 switches it off, except while the leader
        is censored).
    start : float, optional
        The arm played first (nearest arm to it); by default the median arm.
    seed : None, int or numpy.random.Generator
        Seeds the exploration draws: the choices are reproducible given the seed.

    Examples
    --------
    A cost with its minimum at 1.65, in seconds: the search walks to it and tries far arms
    only rarely.

    >>> cost = lambda w: 1e-3 * (10.0 + 100.0 * (w - 1.65) ** 2)
    >>> policy = RobustLCB([1.0, 1.2, 1.4, 1.6, 1.8, 1.9], seed=0)
    >>> played = []
    >>> for _ in range(200):
    ...     arm, p = policy.choose()
    ...     policy.update(arm, p, cost(policy.arms[arm]))
    ...     played.append(arm)
    >>> float(policy.arms[policy.leader()])
    1.6
    >>> played.count(3) > 150
    True
    """

    FORGET = (1.0, 0.95)
    """Discount factors per cost of the memories of a policy without context (all costs weigh
    alike, or the last twenty or so dominate); a contextual policy keeps the first only."""
    PRIOR_SD = 0.5
    """Deviation of the log-cost assumed before the costs show theirs (two degrees of freedom)."""
    REFERENCE_SD = 0.15
    """Noise up to which ``min_count`` costs suffice for a context bin to decide; at a pooled
    deviation ``sd`` above it a bin needs ``min_count (sd / 0.15)**2``."""
    FLOOR = 0.02
    """Share of an exploration draw spread over the arms other than the leader, each weighted
    by its cheapness (the leader's estimated cost over the arm's)."""
    TAU = 0.3
    """Spread of an untried arm's log-cost per arm of distance to the nearest tried one."""
    DRIFT, THRESHOLD = 0.5, 15.0
    """Allowance and alarm level of the CUSUM change detector (in standard deviations)."""
    KEEP = 20.0
    """Degrees of freedom the noise estimate keeps after a detected change."""
    INHERIT = 0.0
    """Weight (in costs) of a coarser context bin's estimate of an arm in a finer bin's."""

    def __init__(self, arms, bounds=None, *, levels=7, min_count=8, confidence=1.0,
                 explore=0.3, start=None, seed=None):
        super().__init__(arms, seed)
        self.contextual = bounds is not None
        self.bounds = check_bounds(bounds) if self.contextual else None
        self.levels = check_positive_int(levels, "levels") if self.contextual else 1
        if self.levels > 16:
            raise ParameterError(f"levels must be at most 16; got {levels!r}")
        self.min_count = check_positive_int(min_count, "min_count")
        self.confidence = _check_nonnegative(confidence, "confidence")
        self.explore = _check_nonnegative(explore, "explore")
        self._order = np.argsort(self.arms, kind="stable")
        self._rank = np.argsort(self._order)
        if start is not None and (not isinstance(start, numbers.Real)
                                  or isinstance(start, bool)):
            raise ParameterError(f"start must be a real number or None; got {start!r}")
        self.start = None if start is None else float(start)
        if start is None:
            start = (self.n_arms - 1) // 2
        else:
            start = int(np.argmin(np.abs(self.arms[self._order] - float(start))))
        forget = self.FORGET if not self.contextual else self.FORGET[:1]
        memories, cells = len(forget), (1 << self.levels) - 1
        self._stats = np.zeros((kernels.FIELDS, memories, cells, self.n_arms))
        self._stamp = np.zeros((memories, cells))
        self._vector = np.zeros(kernels.V_ERR + memories + self.levels)
        self._pending = np.zeros(self.n_arms)
        self._scratch = np.zeros((4, self.n_arms))
        self._vector[kernels.V_START] = start
        self._params = np.array([self.levels, self.min_count, self.confidence, self.PRIOR_SD,
                                 self.REFERENCE_SD, self.explore, self.FLOOR, self.TAU,
                                 self.DRIFT, self.THRESHOLD, self.KEEP, self.INHERIT,
                                 *forget])

    def _unit(self, context) -> float:
        if not self.contextual:
            return 0.0
        a, b = self.bounds
        return min(max((context - a) / (b - a), 0.0), 1.0)

    def _probabilities(self, context):
        kernels.probabilities_packed(self._stats, self._stamp, self._vector, self._params,
                                     self._pending, self._unit(context), self._scratch)
        p = np.empty(self.n_arms)
        p[self._order] = self._scratch[0]
        return p

    def _choose(self, context):
        arm, probability = kernels.choose_packed(
            self._stats, self._stamp, self._vector, self._params, self._pending,
            self._unit(context), self._rng.random(), self._scratch)
        return int(self._order[arm]), probability

    def _update(self, arm, probability, cost, context):
        self._learn(arm, probability, cost, context, False)

    def _learn(self, arm, probability, cost, context, censored):
        kernels.update_packed(self._stats, self._stamp, self._vector, self._params,
                              self._pending, self._unit(context), int(self._rank[arm]), cost,
                              censored)

    def _cancel(self, arm, context):
        rank = self._rank[arm]
        self._pending[rank] = max(self._pending[rank] - 1.0, 0.0)

    def _memory(self) -> int:
        return int(kernels.memory(self._vector, self._params))

    @property
    def restarts(self) -> int:
        """How many times a change was detected and the past forgotten."""
        return int(self._vector[kernels.V_RESETS])

    @property
    def pending(self) -> np.ndarray:
        """Trials of each arm (in the given order) chosen and not yet told."""
        out = np.zeros(self.n_arms, dtype=np.int64)
        out[self._order] = self._pending.astype(np.int64)
        return out

    def _estimates(self, context):
        return kernels.cell_estimates(self._stats, self._stamp, self._vector, self._params,
                                      self._unit(self.check_context(context)), self._memory())

    def leader(self, context=None) -> int | None:
        """Index of the arm of smallest estimated cost in the bin that decides at ``context``
        (None before any cost)."""
        means, _ = self._estimates(context)
        if not np.isfinite(means).any():
            return None
        return int(self._order[int(np.argmin(means))])

    def best(self, context=None, exclude=()) -> tuple[int, float] | None:
        """The :meth:`leader` at ``context`` and its estimated mean cost (``exp(mu +
        var / 2)`` of its log-costs), or None before any cost."""
        means, _ = self._estimates(context)
        j = int(np.argmin(means))
        if not np.isfinite(means[j]):
            return None
        return int(self._order[j]), float(np.exp(means[j]))

    def counts(self, context=None) -> np.ndarray:
        """Weight of each arm's costs (in the given order) in the bin that decides at
        ``context``, in the memory in use (a forgetting memory's weights decay; a bin's
        inherited weight from a coarser one included)."""
        _, plays = self._estimates(context)
        out = np.zeros(self.n_arms)
        out[self._order] = plays
        return out

    _ARRAYS = ("stats", "stamp", "vector", "pending")

    def _state(self):
        state = {"bounds": None if self.bounds is None else list(self.bounds),
                 "levels": self.levels, "min_count": self.min_count,
                 "confidence": self.confidence, "explore": self.explore, "start": self.start}
        state.update({name: pack_array(getattr(self, "_" + name)) for name in self._ARRAYS})
        return state

    @classmethod
    def _from_state(cls, state, rng):
        policy = cls(state["arms"], state["bounds"], levels=state["levels"],
                     min_count=state["min_count"], confidence=state["confidence"],
                     explore=state["explore"], start=state["start"], seed=rng)
        for name in cls._ARRAYS:          # written into the arrays, in place
            old = getattr(policy, "_" + name)
            old[...] = unpack_array(state[name], old.shape)
        policy._check_state()
        return policy

    def _check_state(self):
        """Refuse a loaded state that no run of this policy could have produced."""
        k = kernels
        counts = self._stats[[k.CLEAN, k.CENSORED]]
        vector = self._vector
        step = vector[k.V_STEP]
        problems = [
            (all(np.isfinite(a).all() for a in (self._stats, self._stamp, vector,
                                                self._pending)), "values that are not finite"),
            ((counts >= 0).all(), "negative counts"),
            ((self._pending >= 0).all() and (self._pending == np.round(self._pending)).all(),
             "pending trials that are not whole numbers >= 0"),
            ((vector[[k.V_SS, k.V_DOF, k.V_STEP, k.V_SINCE, k.V_UP, k.V_DOWN, k.V_UP_RUN,
                      k.V_DOWN_RUN, k.V_RVAR, k.V_RN, k.V_RESETS]] >= 0).all()
             and (vector[k.V_ERR:] >= 0).all(), "negative totals"),
            ((self._stamp <= step).all(), "cells discounted after the last step"),
            (vector[k.V_START] == int(vector[k.V_START])
             and 0 <= vector[k.V_START] < self.n_arms, "a start arm out of range"),
        ]
        for ok, what in problems:
            if not ok:
                raise ValueError(f"the state holds {what}")

    def __repr__(self) -> str:
        return (f"RobustLCB(arms={self.arms.tolist()!r}, bounds={self.bounds!r}, "
                f"levels={self.levels}, min_count={self.min_count}, "
                f"confidence={self.confidence!r}, explore={self.explore!r})")
