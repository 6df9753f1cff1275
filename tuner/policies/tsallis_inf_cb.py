"""Tsallis-INF-CB: an independent Tsallis-INF learner in each bin of the context interval."""

from __future__ import annotations

import numpy as np

from .._validate import check_bounds, check_positive_int
from .base import Policy
from .tsallis_inf import TsallisCore


class TsallisINFCB(Policy):
    """Contextual bandit by context binning, with Tsallis-INF in every bin.

    The context interval ``[a, b]`` is split into ``bins`` bins with centres
    ``a + (b - a) * linspace(0.5 / m, 1 - 0.5 / m, m)``; a context belongs to the bin of the
    nearest centre (the lower one on a tie), and each bin runs its own :class:`TsallisINF`
    learner (own losses, own round counter and scale). All bins draw from the policy's one
    generator.

    Parameters
    ----------
    arms : array_like of float, shape (K,)
        The parameter values to choose from (finite, distinct).
    bounds : (float, float)
        The context interval ``(a, b)``, ``a < b``. A context outside it is clipped into it with
        a :class:`~tuner.errors.ContextOutOfBoundsWarning`.
    bins : int >= 1
        Number of bins ``m`` (the reference uses 5 or 6).
    seed : None, int or numpy.random.Generator
        Seeds the generator :meth:`choose` draws from.

    Examples
    --------
    >>> policy = TsallisINFCB([1.0, 1.5, 1.9], bounds=(0.0, 1.0), bins=5, seed=0)
    >>> policy.centres
    array([0.1, 0.3, 0.5, 0.7, 0.9])
    >>> policy.bin_of(0.33)
    1
    >>> policy.update(0, 1 / 3, cost=50.0, context=0.33)
    >>> policy.probabilities(0.9).round(12).tolist()       # the other bins are untouched
    [0.333333333333, 0.333333333333, 0.333333333333]
    """

    SHIFTED_COSTS = True

    contextual = True

    def __init__(self, arms, bounds, bins=5, seed=None):
        super().__init__(arms, seed)
        self.bounds = check_bounds(bounds)
        self.bins = check_positive_int(bins, "bins")
        a, b = self.bounds
        m = self.bins
        self.centres = a + (b - a) * np.linspace(0.5 / m, 1.0 - 0.5 / m, m)
        self.centres.flags.writeable = False
        self._cores = [TsallisCore(self.n_arms) for _ in range(m)]

    def bin_of(self, context) -> int:
        """Index of the bin whose centre is nearest to ``context`` (clipped into the bounds)."""
        return int(np.argmin(np.abs(self.centres - self.check_context(context))))

    def _bin(self, context: float) -> TsallisCore:
        return self._cores[int(np.argmin(np.abs(self.centres - context)))]

    def _probabilities(self, context):
        return self._bin(context).probabilities()

    def _update(self, arm, probability, cost, context):
        self._bin(context).update(arm, probability, cost)

    def _state(self):
        return {"bounds": list(self.bounds), "bins": self.bins,
                "learners": [core.to_dict() for core in self._cores]}

    @classmethod
    def _from_state(cls, state, rng):
        policy = cls(state["arms"], state["bounds"], state["bins"], seed=rng)
        if len(state["learners"]) != policy.bins:
            raise TypeError(f"{policy.bins} bins but {len(state['learners'])} learners")
        policy._cores = [TsallisCore.from_dict(d, policy.n_arms) for d in state["learners"]]
        return policy

    def __repr__(self) -> str:
        return (f"TsallisINFCB(arms={self.arms.tolist()!r}, bounds={self.bounds!r}, "
                f"bins={self.bins})")
