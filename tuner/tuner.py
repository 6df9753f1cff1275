"""The ask/tell Tuner: a policy plus bookkeeping (trials, history) and persistence."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ._io import read_json, write_json_atomic
from ._validate import check_arm_index, check_cost, check_probability
from .errors import ParameterTypeError, StateError, TrialError
from .policies.base import Policy

FILE_FORMAT = "relax.tuner"
FILE_VERSION = 1


@dataclass(frozen=True)
class Trial:
    """One choice handed out by :meth:`Tuner.ask`, waiting for its cost.

    Attributes
    ----------
    id : int
        Number of the trial (0, 1, 2, ... in order of asking).
    arm : int
        Index of the chosen arm in the policy's ``arms``.
    value : float
        The chosen parameter value, ``arms[arm]``: use this.
    probability : float
        The probability with which the arm was drawn.
    context : float or None
        The context the choice was made for, as the policy used it (clipped into a contextual
        policy's bounds).
    """

    id: int
    arm: int
    value: float
    probability: float
    context: float | None = None

    def as_dict(self) -> dict:
        """The fields as a new flat dict (cheaper than ``dataclasses.asdict``)."""
        return {"id": self.id, "arm": self.arm, "value": self.value,
                "probability": self.probability, "context": self.context}


class Tuner:
    """Ask for parameter values, tell their costs; several trials may be outstanding at once.

    Parameters
    ----------
    policy : Policy
        The learner that chooses (for example ``TsallisINF(arms, seed=0)``).

    Notes
    -----
    Costs are finite numbers > 0, lower is better. The built-in learners are designed for costs
    >= 1 such as iteration counts (1 is the ideal; they learn from ``cost - 1``); a cost in
    (0, 1) is accepted and counts as better than ideal. A solve that failed or was stopped
    (for example at ``maxiter``) is told with its cap as the cost and ``censored=True``: the
    policy learns from the cap, and the history marks it.

    Mistakes raise :class:`~tuner.errors.CostError` (a cost that is NaN, infinite, zero or
    negative) and :class:`~tuner.errors.TrialError` (a trial that is unknown or already told);
    both are ``ValueError`` subclasses.

    Examples
    --------
    >>> import numpy as np
    >>> from tuner import Tuner, TsallisINF
    >>> tuner = Tuner(TsallisINF(np.linspace(1.0, 1.95, 20), seed=0))
    >>> first, second = tuner.ask(), tuner.ask()        # two solves in flight
    >>> tuner.tell(second, 35)
    >>> tuner.tell(first, 10_000, censored=True)       # stopped at maxiter
    >>> [record["id"] for record in tuner.history], tuner.outstanding
    ([1, 0], ())
    """

    def __init__(self, policy):
        if not isinstance(policy, Policy):
            raise ParameterTypeError(
                f"policy must be a tuner Policy (TsallisINF, ChebCB, ...); "
                f"got {type(policy).__name__}"
            )
        self.policy = policy
        self._next_id = 0
        self._outstanding: dict[int, Trial] = {}
        self._history: list[tuple[Trial, float, bool]] = []   # dicts built on demand

    @property
    def outstanding(self) -> tuple[Trial, ...]:
        """Trials asked for and not yet told, oldest first."""
        return tuple(self._outstanding.values())

    @property
    def history(self) -> list[dict]:
        """One record per told trial, in the order told.

        Each is a new dict with keys ``id``, ``arm``, ``value``, ``probability``, ``context``,
        ``cost`` and ``censored``.
        """
        return [{**trial.as_dict(), "cost": cost, "censored": censored}
                for trial, cost, censored in self._history]

    def ask(self, context=None) -> Trial:
        """Choose a value.

        Parameters
        ----------
        context : float, optional
            Describes the instance. Required by contextual policies (which clip it into their
            bounds, with a :class:`~tuner.errors.ContextOutOfBoundsWarning`); recorded and
            otherwise ignored by the others.

        Returns
        -------
        Trial
            Use ``trial.value``; hand the trial back to :meth:`tell` with its cost.
        """
        context = self.policy.check_context(context)
        arm, probability = self.policy._choose(context)
        trial = Trial(id=self._next_id, arm=arm, value=float(self.policy.arms[arm]),
                      probability=probability, context=context)
        self._next_id += 1
        self._outstanding[trial.id] = trial
        return trial

    def tell(self, trial, cost, *, censored=False) -> None:
        """Report the cost of an outstanding trial.

        Parameters
        ----------
        trial : Trial or int
            A trial from :meth:`ask` (or its id) that has not been told yet.
        cost : float
            What the value cost: finite and > 0, lower is better.
        censored : bool
            True when ``cost`` is a cap (the solve was stopped) rather than the true cost.
        """
        trial = self._pending(trial)
        value = check_cost(cost)
        if not isinstance(censored, bool | np.bool_):
            raise ParameterTypeError(f"censored must be True or False; got {censored!r}")
        # The trial's fields came from the policy (or were checked on loading): learn directly.
        self.policy._update(trial.arm, trial.probability, value, trial.context)
        del self._outstanding[trial.id]
        self._history.append((trial, value, bool(censored)))

    def cancel(self, trial) -> None:
        """Withdraw an outstanding trial without a cost: the policy learns nothing from it.

        For a trial whose cost says nothing about its value (the instance could not be
        solved by any value: an unreadable file, a matrix of the wrong kind). A solve that
        merely failed to converge is told as a censored cost instead.

        Examples
        --------
        >>> import numpy as np
        >>> from tuner import Tuner, Fixed
        >>> tuner = Tuner(Fixed(np.array([1.5])))
        >>> trial = tuner.ask()
        >>> tuner.cancel(trial)
        >>> tuner.outstanding, tuner.history
        ((), [])
        """
        del self._outstanding[self._pending(trial).id]

    def _pending(self, trial) -> Trial:
        key = trial.id if isinstance(trial, Trial) else trial
        if type(key) is not int and (not isinstance(key, numbers.Integral)
                                     or isinstance(key, bool)):
            raise ParameterTypeError(f"trial must be a Trial or its id (int); got {trial!r}")
        key = int(key)
        if key not in self._outstanding:
            if 0 <= key < self._next_id:
                raise TrialError(f"trial {key} was already told; each trial is told once")
            raise TrialError(
                f"trial {key} is unknown to this tuner (ids asked so far: 0..{self._next_id - 1})"
            )
        pending = self._outstanding[key]
        if isinstance(trial, Trial) and trial is not pending and trial != pending:
            raise TrialError(f"trial {trial!r} does not match the trial asked: {pending!r}")
        return pending

    def state_dict(self) -> dict:
        """The tuner's complete state (policy and its generator, outstanding trials, history)."""
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "policy": self.policy.state_dict(),
            "next_id": self._next_id,
            "outstanding": [trial.as_dict() for trial in self._outstanding.values()],
            "history": self.history,
        }

    @classmethod
    def from_state_dict(cls, state: dict) -> Tuner:
        """Rebuild a tuner from :meth:`state_dict`; it continues exactly where that one was."""
        if not isinstance(state, dict) or state.get("format") != FILE_FORMAT:
            raise StateError(f"not a saved tuner (expected format {FILE_FORMAT!r})")
        if state.get("version") != FILE_VERSION:
            raise StateError(f"tuner file version {state.get('version')!r} is not supported "
                             f"(this library reads version {FILE_VERSION})")
        tuner = cls(Policy.from_state_dict(state["policy"]))
        try:
            tuner._next_id = int(state["next_id"])
            for record in state["outstanding"]:
                trial = _trial_from_record(record, tuner.policy)
                tuner._outstanding[trial.id] = trial
            for record in state["history"]:
                trial = _trial_from_record(record, tuner.policy)
                tuner._history.append((trial, float(record["cost"]),
                                       bool(record["censored"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(f"malformed tuner state: {exc!r}") from exc
        return tuner

    def save(self, path) -> None:
        """Write the tuner's state to ``path`` as JSON, atomically.

        The file is written to a temporary file in the same directory, synced and renamed over
        ``path``, so ``path`` holds either the old state or the new one, never a mix.
        """
        write_json_atomic(path, self.state_dict())

    @classmethod
    def load(cls, path) -> Tuner:
        """Read a tuner saved by :meth:`save`; the resumed run continues identically."""
        try:
            state = read_json(path)
        except ValueError as exc:
            raise StateError(f"{path} is not a JSON tuner file: {exc}") from exc
        return cls.from_state_dict(state)

    def __repr__(self) -> str:
        return (f"Tuner({self.policy!r}, told={len(self._history)}, "
                f"outstanding={len(self._outstanding)})")


def _trial_from_record(record: dict, policy: Policy) -> Trial:
    """A trial from its saved record, checked against the policy it will be told to."""
    arm = check_arm_index(record["arm"], policy.n_arms)
    value = float(record["value"])
    if value != float(policy.arms[arm]):
        raise ValueError(f"trial {record['id']!r}: value {value!r} is not arm {arm}'s")
    context = record["context"]
    return Trial(id=int(record["id"]), arm=arm, value=value,
                 probability=check_probability(record["probability"]),
                 context=None if context is None else policy.check_context(context))
