"""The ask/tell Tuner: a policy plus bookkeeping (trials, history) and persistence."""

from __future__ import annotations

import numbers
import os
import warnings
from dataclasses import dataclass

from ._validate import check_arm_index, check_cost, check_flag, check_probability
from .errors import CostScaleWarning, ParameterTypeError, StateError, TrialError
from .io import append_json_line, read_json, read_json_lines, write_json_atomic
from .policies.base import Policy

FILE_FORMAT = "relax.tuner"
FILE_VERSION = 2
READABLE_VERSIONS = (1, 2)
"""Version 1 also held the history of told trials; it loads into :attr:`Tuner.history`."""


@dataclass(frozen=True, slots=True)
class Trial:
    """One choice handed out by :meth:`Tuner.ask`, waiting for its cost.

    Attributes
    ----------
    id : int
        Number of the trial (0, 1, 2, ... in order of asking).
    arm : int
        Index of the chosen arm in the policy's ``arms``.
    value : float or dict
        The chosen parameter value, ``arms[arm]``: use this. Over a configuration space
        (:class:`~tuner.FamilyLCB`) it is the configuration, a dict such as
        ``{"method": "ssor", "omega": 1.6}``.
    probability : float
        The probability with which the arm was drawn.
    context : float or None
        The context the choice was made for, as the policy used it (clipped into a contextual
        policy's bounds).
    """

    id: int
    arm: int
    value: float | dict
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
    keep_history : bool
        Keep a record of every told trial in memory (:attr:`history`); switch it off in
        very long loops.
    log : str or os.PathLike, optional
        A file to which every told trial is appended as a JSON line (read it with
        :func:`read_log`): the history of a run across saves and loads.

    Notes
    -----
    Costs are finite numbers > 0, lower is better, in any unit for the default policy
    (:class:`~tuner.RobustLCB` compares differences of logarithms, which a change of unit
    leaves as they are: it decides the same whether costs are seconds or milliseconds, but
    for rounding in the last digit).
    The faithful learners of the paper (Tsallis-INF, its binned form, ChebCB) are built for
    costs >= 1 such as iteration counts (1 is the ideal; they learn from ``cost - 1``): their
    decisions depend on the unit, and the tuner warns once with
    :class:`~tuner.CostScaleWarning` when one of them is told a cost below 1.

    A solve that failed or was stopped (for example at ``maxiter``) is told with its cap as
    the cost and ``censored=True``: a policy that tells the two apart takes the cap as a lower
    bound, the others learn from it, and the history marks it.

    Several trials may be outstanding at once (parallel workers); the default policy counts
    them as plays of their arms, so that they spread.

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

    def __init__(self, policy, *, keep_history=True, log=None):
        if not isinstance(policy, Policy):
            raise ParameterTypeError(
                f"policy must be a tuner Policy (TsallisINF, ChebCB, ...); "
                f"got {type(policy).__name__}"
            )
        self.policy = policy
        self.keep_history = check_flag(keep_history, "keep_history")
        self.log = None if log is None else os.fspath(log)
        self._next_id = 0
        self._outstanding: dict[int, Trial] = {}
        self._history: list[tuple[Trial, float, bool]] = []   # dicts built on demand
        self._warned_scale = False

    @property
    def outstanding(self) -> tuple[Trial, ...]:
        """Trials asked for and not yet told, oldest first."""
        return tuple(self._outstanding.values())

    @property
    def history(self) -> list[dict]:
        """One record per trial told to this object, in the order told (empty with
        ``keep_history=False``).

        Each is a new dict with keys ``id``, ``arm``, ``value``, ``probability``, ``context``,
        ``cost`` and ``censored``. The history is not part of the saved state (whose size does
        not grow with the run): a tuner loaded from a file starts with an empty one (or, from
        a file of the previous format, with the history that file held). For a record of the
        whole run across saves, give the tuner a ``log`` file and read it with
        :func:`read_log`.
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
        trial = Trial(id=self._next_id, arm=arm, value=self.policy.value_of(arm),
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
        censored = check_flag(censored)
        if value < 1.0 and not self._warned_scale and self.policy.SHIFTED_COSTS:
            self._warn_scale(value)
        # The trial's fields came from the policy (or were checked on loading): learn directly.
        self.policy._learn(trial.arm, trial.probability, value, trial.context, censored)
        del self._outstanding[trial.id]
        if self.keep_history:
            self._history.append((trial, value, censored))
        if self.log is not None:
            append_json_line(self.log, {**trial.as_dict(), "cost": value, "censored": censored})

    def _warn_scale(self, cost):
        self._warned_scale = True
        warnings.warn(CostScaleWarning(
            f"cost {cost:g} < 1 told to {type(self.policy).__name__}, which learns from "
            "cost - 1 and is built for costs >= 1 such as iteration counts: its decisions "
            "depend on the unit (tell iterations or milliseconds, or use the default policy, "
            "whose decisions do not)"), stacklevel=3)

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
        trial = self._pending(trial)
        self.policy._cancel(trial.arm, trial.context)
        del self._outstanding[trial.id]

    def best(self, context=None, exclude=()):
        """The value the policy estimates cheapest at ``context`` and its estimated cost
        (in the unit told), or None where the policy keeps no such estimate or has seen no
        cost; ``exclude`` names families of a configuration space to leave out.

        Examples
        --------
        >>> from tuner import Tuner, RobustLCB
        >>> tuner = Tuner(RobustLCB([1.0, 1.5], seed=0))
        >>> tuner.best() is None
        True
        >>> tuner.tell(tuner.ask(), 4.0)
        >>> value, cost = tuner.best()      # cost: the estimated mean, the prior's spread in it
        >>> value, cost > 4.0
        (1.0, True)
        """
        found = self.policy.best(context, exclude)        # the policy checks the context
        return None if found is None else (self.policy.value_of(found[0]), found[1])

    def exclude(self, family: str) -> None:
        """Never choose configurations of ``family`` again (a policy over a configuration
        space only, such as :class:`~tuner.FamilyLCB`)."""
        exclude = getattr(self.policy, "exclude", None)
        if exclude is None:
            raise ParameterTypeError(f"{type(self.policy).__name__} has no families to "
                                     "exclude (it chooses among the values of one knob)")
        exclude(family)

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
        """The tuner's state: the policy and its generator, and the outstanding trials.

        Its size does not grow with the number of trials told (the history is not in it).
        """
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "policy": self.policy.state_dict(),
            "next_id": self._next_id,
            "outstanding": [trial.as_dict() for trial in self._outstanding.values()],
        }

    @classmethod
    def from_state_dict(cls, state: dict, *, keep_history=True, log=None) -> Tuner:
        """Rebuild a tuner from :meth:`state_dict`; it continues exactly where that one was.

        ``keep_history`` and ``log`` are as in the constructor (neither is part of the
        state). A version-1 state, which also held the history, loads it into
        :attr:`history`.
        """
        if not isinstance(state, dict) or state.get("format") != FILE_FORMAT:
            raise StateError(f"not a saved tuner (expected format {FILE_FORMAT!r})")
        if state.get("version") not in READABLE_VERSIONS:
            raise StateError(f"tuner file version {state.get('version')!r} is not supported "
                             f"(this library reads versions "
                             f"{', '.join(map(str, READABLE_VERSIONS))})")
        tuner = cls(Policy.from_state_dict(state["policy"]), keep_history=keep_history, log=log)
        try:
            tuner._next_id = int(state["next_id"])
            for record in state["outstanding"]:
                trial = _trial_from_record(record, tuner.policy)
                tuner._outstanding[trial.id] = trial
            for record in state.get("history", ()) if tuner.keep_history else ():
                trial = _trial_from_record(record, tuner.policy)      # version 1 kept them
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
    def load(cls, path, *, keep_history=True, log=None) -> Tuner:
        """Read a tuner saved by :meth:`save`; the resumed run continues identically.

        ``keep_history`` and ``log`` are as in the constructor: pass the same ``log`` to
        continue a run's record of trials.
        """
        try:
            state = read_json(path)
        except ValueError as exc:
            raise StateError(f"{path} is not a JSON tuner file: {exc}") from exc
        return cls.from_state_dict(state, keep_history=keep_history, log=log)

    def __repr__(self) -> str:
        return (f"Tuner({self.policy!r}, asked={self._next_id}, "
                f"outstanding={len(self._outstanding)})")


def _trial_from_record(record: dict, policy: Policy) -> Trial:
    """A trial from its saved record, checked against the policy it will be told to."""
    arm = check_arm_index(record["arm"], policy.n_arms)
    value = policy.value_of(arm)
    if record["value"] != value:
        raise ValueError(f"trial {record['id']!r}: value {record['value']!r} is not arm "
                         f"{arm}'s ({value!r})")
    context = record["context"]
    return Trial(id=int(record["id"]), arm=arm, value=value,
                 probability=check_probability(record["probability"]),
                 context=None if context is None else policy.check_context(context))


def read_log(path) -> list[dict]:
    """The records a tuner with ``log=path`` appended, one per told trial, in the order told.

    Each record has the keys of :attr:`Tuner.history`. Lines cut short by a crash are left
    out. A run resumed from a save repeats the trials told after that save (the same ids, in
    the order of the rerun), so an id may appear twice: the later record is the one the
    resumed run learned from.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from tuner import Fixed
    >>> path = os.path.join(tempfile.mkdtemp(), "trials.jsonl")
    >>> tuner = Tuner(Fixed(np.array([1.5])), log=path)
    >>> tuner.tell(tuner.ask(), 12.0)
    >>> [(r["value"], r["cost"]) for r in read_log(path)]
    [(1.5, 12.0)]
    """
    return read_json_lines(path)
