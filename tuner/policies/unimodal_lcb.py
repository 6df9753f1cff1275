"""UnimodalLCB: local search over ordered arms with lower confidence bounds, by context."""

from __future__ import annotations

import numbers

import numpy as np

from .._validate import check_bounds, check_positive_int
from ..errors import ParameterError
from ._unimodal_kernels import (
    choose_packed,
    decision_row,
    memory_in_use,
    needed_count,
    pooled_cv,
    update_packed,
)
from .base import Policy


class UnimodalLCB(Policy):
    """A bandit for a cost that is unimodal in an ordered parameter and smooth in the context.

    The arms are values of one parameter (such as SOR's omega) and the expected cost, as a
    function of that value, falls to one minimum and rises again. The policy keeps, for the
    context at hand, the arm of smallest mean cost so far (the *leader*) and only ever plays the
    leader or one of its two neighbours in value order: an untried neighbour first, then
    whichever of the three has the smallest lower confidence bound on its mean cost,
    ``mean (1 - confidence * cv * sqrt(2 log N / n))`` (``n`` plays of that arm, ``N`` plays in
    all, ``cv`` the pooled coefficient of variation of the costs). When a neighbour's mean
    drops below the leader's it becomes the leader, so the search walks downhill to the
    minimum and pays for exploration only next to it; far, costly arms are never tried. This
    is the leader-neighbourhood principle of unimodal bandits (Combes and Proutiere, "Unimodal
    bandits", ICML 2014) with a confidence bound scaled to relative noise, since costs such as
    iteration counts or seconds are positive and vary in proportion to their size.

    With context bounds the context interval is split dyadically: level ``l`` has ``2**l``
    equal bins (``l = 0 .. levels - 1``) and every cost is recorded in its bin on each level.
    A decision uses the finest level whose bin already holds enough costs (``min_count`` when
    the costs within a finest bin vary by at most 15%, proportionally more when they are
    noisier), so a new region of contexts starts from the leader its coarser bin has learned
    and refines as data arrives: the resolution adapts to how often each context occurs and
    to how noisy the costs are.

    Without context, sequences often drift (a simulation moves through easy and hard phases,
    and the best value moves with it). The policy then keeps a second memory in which each
    cost's weight decays by 0.95 per later cost, and decides with whichever memory has so far
    predicted the played arm's next cost better (squared log error): on a stationary sequence
    that is the full memory; on a drifting one the forgetting memory tracks the current best
    value and can beat every fixed value.

    The choice is deterministic given the history (its probability is 1), so the arithmetic
    mean cost, the quantity a run's total depends on, is what it compares.

    Parameters
    ----------
    arms : array_like of float, shape (K,)
        The parameter values (finite, distinct; any order: neighbours are taken in value order).
    bounds : (float, float), optional
        The context interval ``(a, b)``; without it the policy is not contextual. A context
        outside it is clipped into it with a :class:`~tuner.errors.ContextOutOfBoundsWarning`.
    levels : int >= 1
        Depth of the dyadic context tree (the finest bins are ``(b - a) / 2**(levels - 1)``
        wide); ignored without bounds.
    min_count : int >= 1
        Costs a bin needs before decisions use it rather than its parent.
    confidence : float >= 0
        Width of the lower confidence bound (0: greedy among the leader and its neighbours).
    start : float, optional
        The arm played first (nearest arm to it); by default the median arm.
    seed : None, int or numpy.random.Generator
        Accepted for the common interface; the choices use no randomness.

    Examples
    --------
    >>> cost = lambda w: 10.0 + 100.0 * (w - 1.65) ** 2           # unimodal, minimum at 1.65
    >>> policy = UnimodalLCB([1.0, 1.2, 1.4, 1.6, 1.8, 1.9])
    >>> for _ in range(40):
    ...     arm, p = policy.choose()
    ...     policy.update(arm, p, cost(policy.arms[arm]))
    >>> float(policy.arms[policy.leader()])
    1.6
    >>> policy.counts().tolist()              # 1.0 and 1.9 were never tried
    [0, 1, 2, 34, 3, 0]
    """

    def __init__(self, arms, bounds=None, *, levels=8, min_count=8, confidence=1.0, start=None,
                 seed=None):
        super().__init__(arms, seed)
        self.contextual = bounds is not None
        self.bounds = check_bounds(bounds) if self.contextual else None
        self.levels = check_positive_int(levels, "levels") if self.contextual else 1
        if self.levels > 20:
            raise ParameterError(f"levels must be at most 20; got {levels!r}")
        self.min_count = check_positive_int(min_count, "min_count")
        if (not isinstance(confidence, numbers.Real) or isinstance(confidence, bool)
                or not confidence >= 0 or not np.isfinite(confidence)):
            raise ParameterError(f"confidence must be a finite number >= 0; got {confidence!r}")
        self.confidence = float(confidence)
        self._order = np.argsort(self.arms, kind="stable")
        self._rank = np.argsort(self._order)
        if start is None:
            self._start = (self.n_arms - 1) // 2
        else:
            if not isinstance(start, numbers.Real) or isinstance(start, bool):
                raise ParameterError(f"start must be a real number or None; got {start!r}")
            self._start = int(np.argmin(np.abs(self.arms[self._order] - float(start))))
        cells = (1 << self.levels) - 1
        self._forget = np.array(self.FORGET if not self.contextual else self.FORGET[:1],
                                dtype=np.float64)
        memories = self._forget.size
        # Packed state (the compiled calls take four arrays): the per-cell statistics
        # (count, total, square) x memory x cell x arm; the step at which each memory's cell
        # was last discounted; and a vector (pooled deviations, pooled degrees of freedom,
        # step, prediction error of each memory). The names below are views into them.
        self._stats = np.zeros((3, memories, cells, self.n_arms))
        self._count, self._total, self._square = self._stats
        self._stamp = np.zeros((memories, cells))
        self._vector = np.zeros(3 + memories)
        self._pooled = self._vector[0:2]
        self._error = self._vector[3:]
        self._params = np.array([self.levels, self.min_count, self.confidence, self.PRIOR_CV,
                                 self._start, self.REFERENCE_CV, *self._forget])

    FORGET = (1.0, 0.95)
    """Discount factors per cost of the memories of a policy without context: all costs weigh
    alike, or the last twenty or so dominate. Decisions follow the memory that has predicted
    the costs better. A contextual policy keeps the first only (its context tree separates
    what the forgetting memory would track over time)."""
    PRIOR_CV = 0.5
    """Coefficient of variation assumed before the costs show theirs (two degrees of freedom)."""
    REFERENCE_CV = 0.15
    """Noise level up to which ``min_count`` costs suffice for a bin to decide; at a pooled
    coefficient of variation ``cv`` above it a bin needs ``min_count (cv / 0.15)**2``."""

    def _unit(self, context) -> float:
        if not self.contextual:
            return 0.0
        a, b = self.bounds
        return min(max((context - a) / (b - a), 0.0), 1.0)

    @property
    def _step(self) -> int:
        return int(self._vector[2])

    def _choose_sorted(self, context) -> int:
        return choose_packed(self._stats, self._stamp, self._vector, self._params,
                             self._unit(context))

    def _probabilities(self, context):
        p = np.zeros(self.n_arms)
        p[self._order[self._choose_sorted(context)]] = 1.0
        return p

    def _choose(self, context):
        # Deterministic: skip the draw (the generator is not used).
        return int(self._order[self._choose_sorted(context)]), 1.0

    def _update(self, arm, probability, cost, context):
        update_packed(self._stats, self._stamp, self._vector, self._params, self._unit(context),
                      int(self._rank[arm]), cost)

    def leader(self, context=None) -> int | None:
        """Index of the arm with the smallest mean cost in the bin that decides at
        ``context`` (None before any cost)."""
        _, weights, totals = self._decision_cell(self.check_context(context))
        if not weights.any():
            return None
        means = np.where(weights > 0, totals / np.where(weights > 0, weights, 1.0), np.inf)
        return int(self._order[int(np.argmin(means))])

    def counts(self, context=None) -> np.ndarray:
        """Plays of each arm (in the given order) in the bin that decides at ``context``."""
        counts, _, _ = self._decision_cell(self.check_context(context))
        out = np.zeros(self.n_arms, dtype=np.int64)
        out[self._order] = counts.astype(np.int64)
        return out

    def _decision_cell(self, context):
        needed = needed_count(pooled_cv(self._pooled, self.PRIOR_CV), self.min_count,
                              self.REFERENCE_CV)
        g = memory_in_use(self._error)
        row = decision_row(self._count[g], self._stamp[g], self._forget[g], self._step,
                           self.levels, self._unit(context), needed)
        # (plays: memory 0 forgets nothing, the deciding memory's weights and totals)
        return self._count[0, row], self._count[g, row], self._total[g, row]

    _ARRAYS = ("count", "total", "square", "stamp", "error", "pooled")

    def _state(self):
        state = {"bounds": None if self.bounds is None else list(self.bounds),
                 "levels": self.levels, "min_count": self.min_count,
                 "confidence": self.confidence, "start_index": self._start,
                 "step": self._step}
        state.update({name: getattr(self, "_" + name).tolist() for name in self._ARRAYS})
        return state

    @classmethod
    def _from_state(cls, state, rng):
        policy = cls(state["arms"], state["bounds"], levels=state["levels"],
                     min_count=state["min_count"], confidence=state["confidence"], seed=rng)
        policy._start = int(state["start_index"])
        if not 0 <= policy._start < policy.n_arms:
            raise TypeError(f"start_index {policy._start} out of range")
        policy._params[4] = policy._start
        policy._vector[2] = int(state["step"])
        for name in cls._ARRAYS:          # written into the packed state, in place
            old = getattr(policy, "_" + name)
            new = np.array(state[name], dtype=np.float64)
            if new.shape != old.shape:
                raise TypeError(f"{name} must have shape {old.shape}; got {new.shape}")
            old[...] = new
        return policy

    def __repr__(self) -> str:
        return (f"UnimodalLCB(arms={self.arms.tolist()!r}, bounds={self.bounds!r}, "
                f"levels={self.levels}, min_count={self.min_count}, "
                f"confidence={self.confidence!r})")
