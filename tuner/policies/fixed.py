"""Fixed: a baseline that always plays the same value."""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import ParameterError
from .base import Policy


class Fixed(Policy):
    """Always the same arm, with probability 1; it learns nothing.

    Parameters
    ----------
    value_or_arms : float or array_like of float
        A single value (the policy's only arm), or a grid of arms from which ``value`` picks one.
    value : float, optional
        With a grid: the arm to play; it must be one of the grid's values. Required when the
        grid has more than one arm.
    seed : None, int or numpy.random.Generator
        Accepted for a uniform interface; the policy never draws from it.

    Examples
    --------
    >>> Fixed(1.6).choose()
    (0, 1.0)
    >>> policy = Fixed([1.0, 1.2, 1.4], value=1.2)
    >>> policy.choose(), policy.probabilities().tolist()
    ((1, 1.0), [0.0, 1.0, 0.0])
    """

    def __init__(self, value_or_arms, *, value=None, seed=None):
        scalar = isinstance(value_or_arms, numbers.Real) or np.ndim(value_or_arms) == 0
        super().__init__([value_or_arms] if scalar else value_or_arms, seed)
        if value is None:
            if self.n_arms != 1:
                raise ParameterError(
                    f"value is required to pick one of {self.n_arms} arms "
                    f"{self.arms.tolist()!r}"
                )
            self.index = 0
        else:
            hits = np.flatnonzero(self.arms == value) if isinstance(value, numbers.Real) else []
            if len(hits) != 1:
                raise ParameterError(
                    f"value must be one of the arms {self.arms.tolist()!r}; got {value!r}"
                )
            self.index = int(hits[0])

    @property
    def value(self) -> float:
        """The value always played."""
        return float(self.arms[self.index])

    def _probabilities(self, context):
        p = np.zeros(self.n_arms)
        p[self.index] = 1.0
        return p

    def choose(self, context=None):
        """Return ``(index, 1.0)``; no random number is drawn."""
        self.check_context(context)
        return self.index, 1.0

    def _update(self, arm, probability, cost, context):
        pass

    def _state(self):
        return {"index": self.index}

    @classmethod
    def _from_state(cls, state, rng):
        arms = state["arms"]
        return cls(arms, value=arms[int(state["index"])], seed=rng)

    def __repr__(self) -> str:
        return f"Fixed({self.arms.tolist()!r}, value={self.value!r})"
