"""The interface every policy shares: probabilities over arms, a seeded choice, an update."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .._rng import as_generator, generator_from_state, generator_state
from .._validate import (
    check_arm_index,
    check_arms,
    check_context_value,
    check_cost,
    check_flag,
    check_probability,
    clip_context,
)
from ..errors import StateError

STATE_VERSION = 1


def sample_index(p: np.ndarray, rng: np.random.Generator) -> int:
    """Draw an index with probabilities ``p`` by inverting the cumulative sum at one uniform.

    Exactly one ``rng.random()`` is drawn per call, and an index of probability zero is never
    returned.

    Examples
    --------
    >>> sample_index(np.array([0.0, 1.0, 0.0]), np.random.default_rng(0))
    1
    """
    cdf = np.cumsum(p)
    i = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
    i = min(i, p.size - 1)
    while p[i] <= 0.0:
        i -= 1
    return i


class Policy(ABC):
    """A bandit policy over a fixed grid of arms (parameter values); lower costs are better.

    A policy gives a distribution over its arms (:meth:`probabilities`), samples one arm from it
    with its own seeded generator (:meth:`choose`) and learns from the cost paid for an arm
    (:meth:`update`). Its whole state, generator included, is a JSON-serialisable dict
    (:meth:`state_dict`), from which :meth:`from_state_dict` builds a policy that continues
    exactly as the original would have.

    Attributes
    ----------
    arms : ndarray of float, shape (K,)
        The arms: finite, pairwise distinct values, in the order given (arm ``i`` is
        ``arms[i]``; the grid need not be sorted). Read-only.
    contextual : bool
        Whether the policy uses a context. A contextual policy requires a context (a real
        number) in every call and clips one outside its ``bounds`` with a
        :class:`~tuner.errors.ContextOutOfBoundsWarning`; a non-contextual policy accepts and
        ignores a context.

    Notes
    -----
    Costs are finite numbers > 0, lower is better. The paper's learners (those with
    :attr:`SHIFTED_COSTS`) are built for costs >= 1 such as iteration counts, where 1 is the
    ideal: they learn from ``cost - 1``. :class:`RobustLCB`, the default, decides the same in
    any unit (but for rounding in the last digit).
    """

    contextual: bool = False
    SHIFTED_COSTS: bool = False
    """Whether the learner learns from ``cost - 1`` (built for costs >= 1): its decisions then
    depend on the unit of the costs, and the Tuner warns when a cost below 1 is told."""
    _registry: dict[str, type[Policy]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Policy._registry[cls.__name__] = cls

    def __init__(self, arms, seed=None):
        self.arms = check_arms(arms)
        self._rng = as_generator(seed)

    @property
    def n_arms(self) -> int:
        """Number of arms ``K``."""
        return int(self.arms.size)

    def value_of(self, arm: int):
        """What arm ``arm`` stands for, as a :class:`~tuner.Trial` carries it: the number
        ``arms[arm]`` (a configuration dict for a policy over a configuration space)."""
        return float(self.arms[arm])

    def best(self, context=None, exclude=()) -> tuple[int, float] | None:
        """The arm this policy estimates cheapest at ``context`` and its estimated cost, or
        None where it keeps no such estimate (the paper's learners) or has seen no cost.

        ``exclude`` names families of a configuration space to leave out (ignored by a
        policy over one knob). A backstop uses it to bound what a trial may spend."""
        return None

    def check_context(self, context) -> float | None:
        """Return the context this policy would use for ``context``.

        Non-contextual policies return ``None`` or the context as a float (it is only
        recorded). Contextual policies require a finite real number and clip it into their
        bounds, warning with :class:`~tuner.errors.ContextOutOfBoundsWarning` when they do.
        """
        if not self.contextual:
            return check_context_value(context)
        if type(context) is float and self.bounds[0] <= context <= self.bounds[1]:
            return context                      # the common case (NaN fails the test)
        return clip_context(context, self.bounds, type(self).__name__)

    def probabilities(self, context=None) -> np.ndarray:
        """Return the current distribution over the arms (a new array summing to one)."""
        return self._probabilities(self.check_context(context))

    def choose(self, context=None) -> tuple[int, float]:
        """Sample an arm with the policy's own generator.

        Returns
        -------
        arm_index : int
            Index into :attr:`arms`.
        probability : float
            The probability with which it was drawn; hand it back to :meth:`update`.
        """
        return self._choose(self.check_context(context))

    def _choose(self, context: float | None) -> tuple[int, float]:
        """:meth:`choose` for an already checked context."""
        p = self._probabilities(context)
        i = sample_index(p, self._rng)
        return i, float(p[i])

    def update(self, arm_index, probability, cost, context=None, *, censored=False) -> None:
        """Learn that arm ``arm_index``, drawn with ``probability``, cost ``cost``.

        Parameters
        ----------
        arm_index : int
            The arm played, as returned by :meth:`choose`.
        probability : float in (0, 1]
            The probability with which it was drawn (importance weighting needs it).
        cost : float > 0
            What it cost; lower is better.
        context : float or None
            The context it was played in (required by contextual policies).
        censored : bool
            True when ``cost`` is a cap (the solve was stopped), a lower bound on the true
            cost. Policies that tell the two apart use it; the others learn from the cap.
        """
        arm = check_arm_index(arm_index, self.n_arms)
        prob = check_probability(probability)
        value = check_cost(cost)
        self._learn(arm, prob, value, self.check_context(context), check_flag(censored))

    def cancel(self, arm_index, context=None) -> None:
        """Withdraw a choice of ``arm_index`` that will not be followed by :meth:`update`.

        Only a policy that counts its outstanding choices (the default, which spreads parallel
        trials) has anything to release; for the others this does nothing. The
        :class:`~tuner.Tuner` calls it for :meth:`~tuner.Tuner.cancel`.
        """
        self._cancel(check_arm_index(arm_index, self.n_arms), self.check_context(context))

    def _learn(self, arm: int, probability: float, cost: float, context: float | None,
               censored: bool) -> None:
        """Learn from already checked values and the censored flag (a policy that tells
        censored costs apart overrides this; the others learn from the cap)."""
        self._update(arm, probability, cost, context)

    @abstractmethod
    def _probabilities(self, context: float | None) -> np.ndarray:
        """The distribution for an already checked context."""

    @abstractmethod
    def _update(self, arm: int, probability: float, cost: float, context: float | None) -> None:
        """Learn from already checked values."""

    def _cancel(self, arm: int, context: float | None) -> None:  # noqa: B027 (optional hook)
        """Forget a choice of ``arm`` that will not be told (nothing to do for most policies;
        one that counts outstanding choices releases it)."""

    @abstractmethod
    def _state(self) -> dict:
        """The learner's own state and constructor arguments, as JSON values."""

    @classmethod
    @abstractmethod
    def _from_state(cls, state: dict, rng: np.random.Generator) -> Policy:
        """Rebuild a policy of this class from :meth:`_state`'s dict and a generator."""

    def state_dict(self) -> dict:
        """Return the policy's complete state as JSON-serialisable values.

        The dict holds the class name, the arms, the learner's state and the generator's state
        (``rng.bit_generator.state``); :meth:`from_state_dict` restores it.
        """
        return {
            "policy": type(self).__name__,
            "version": STATE_VERSION,
            "arms": self.arms.tolist(),
            "rng": generator_state(self._rng),
            **self._state(),
        }

    @classmethod
    def from_state_dict(cls, state: dict) -> Policy:
        """Build the policy recorded by :meth:`state_dict`.

        Called on :class:`Policy` it restores any policy; called on a subclass it also checks
        that the state is of that class. The restored policy continues identically: same
        probabilities, same draws, same updates.
        """
        if not isinstance(state, dict) or "policy" not in state:
            raise StateError(f"a policy state is a dict with a 'policy' entry; got {state!r:.200}")
        name = state["policy"]
        target = Policy._registry.get(name)
        if target is None or not issubclass(target, cls):
            raise StateError(
                f"state is of policy {name!r}; expected {cls.__name__} or one of its subclasses"
            )
        if state.get("version") != STATE_VERSION:
            raise StateError(
                f"state version {state.get('version')!r} is not supported "
                f"(this library reads version {STATE_VERSION})"
            )
        try:
            return target._from_state(state, generator_from_state(state["rng"]))
        except (KeyError, TypeError, IndexError, ValueError) as exc:
            raise StateError(f"malformed {name} state: {exc!r}") from exc

    def __repr__(self) -> str:
        return f"{type(self).__name__}(arms={self.arms.tolist()!r})"
