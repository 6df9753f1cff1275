"""The state file of ``relax batch``: a snapshot of the tuner, then one line per event since.

The first line is a snapshot (the tuner's state and the input of every trial asked so far);
each further line is an event, ``{"ask": id, ...}``, ``{"tell": id, ...}`` or
``{"cancel": id}`` (a trial withdrawn: its input could not be solved at all), appended as it
happens. Loading replays the events on the snapshot: asks are asked again (the tuner is
deterministic given its state, so they give the same trials, which is checked) and tells are
told. A result thus costs a line, not a rewrite of the whole tuner; a new snapshot replaces the
file (atomically) once the events outweigh the snapshot, and when a run ends or resumes.

A trial's value is an omega, or, for ``--method auto``, a configuration (a dict such as
``{"method": "ssor", "omega": 1.6}``; version 5 of the file).

An ask is synced to disk before its solve starts, so a result row can always be matched to its
trial; a tell is written (and synced with the next ask) after its row, so a tell lost to a
crash is recovered from the results file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tuner import Tuner
from tuner.errors import StateError
from tuner.io import write_text_atomic

from .errors import InputError

FORMAT = "relax.batch"
VERSION = 5
READABLE_VERSIONS = (2, 3, 4, 5)
MIN_SNAPSHOT_INTERVAL = 1 << 16
"""Bytes of events after which a snapshot may be taken (it is once they exceed its size)."""


def _line(data) -> str:
    return json.dumps(data, allow_nan=False, separators=(",", ":")) + "\n"


class BatchState:
    """A batch run's tuner and the input each of its trials was asked for.

    Parameters
    ----------
    path : str or os.PathLike or None
        The state file; None keeps the state in memory only.
    tuner : Tuner
        The tuner, fresh or restored.
    inputs : dict of int to str, optional
        The input of every trial asked so far, by trial id.
    options : dict, optional
        The options of the run (JSON values), kept so that a resumed run can check its own.
    trials : dict of int to (float or dict, float or None), optional
        The value (an omega or a configuration) and context of every trial asked so far,
        by trial id.
    costs : dict of int to (float, bool), optional
        The cost told for every trial told so far and whether it was censored, by trial id,
        in the order told (the tuner's saved state holds statistics, not this record).

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from tuner import Tuner, Fixed
    >>> path = os.path.join(tempfile.mkdtemp(), "run.state")
    >>> state = BatchState.create(path, Tuner(Fixed(np.array([1.5]))))
    >>> trial = state.ask("a.npz", None)
    >>> state.tell(trial.id, 12.0, censored=False)
    >>> state.close()
    >>> BatchState.load(path).done
    {'a.npz'}
    """

    def __init__(self, path, tuner: Tuner, inputs=None, options=None, trials=None, costs=None):
        self.path = None if path is None else Path(path)
        self.tuner = tuner
        self.inputs: dict[int, str] = dict(inputs or {})
        self.options: dict = dict(options or {})
        self.trials: dict[int, tuple[float | dict, float | None]] = dict(trials or {})
        self.costs: dict[int, tuple[float, bool]] = dict(costs or {})
        self._log = None
        self._log_bytes = 0
        self._snapshot_bytes = 0

    @classmethod
    def create(cls, path, tuner: Tuner, options=None) -> BatchState:
        """A new state, written to ``path`` at once (when not None)."""
        state = cls(path, tuner, options=options)
        state.snapshot()
        return state

    @classmethod
    def load(cls, path) -> BatchState:
        """Read a state file and replay its events; a file that cannot be read is left as it
        is and raises :class:`~cli.errors.InputError` saying how to start afresh."""
        try:
            text = Path(path).read_text(encoding="utf-8")
            lines = text.split("\n")
            if len(lines) > 1 and lines[-1] and not text.endswith("\n"):
                lines.pop()                   # a line torn by a crash: its event never happened
            head = json.loads(lines[0])
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                raise StateError("not a relax batch state file")
            if head.get("version") not in READABLE_VERSIONS:
                raise StateError(f"version {head.get('version')!r} is not one of "
                                 f"{READABLE_VERSIONS}")
            tuner = Tuner.from_state_dict(head["tuner"])
            state = cls(None, tuner, {int(k): str(v) for k, v in head["inputs"].items()},
                        dict(head["options"]), _trials_of(head, tuner), _costs_of(head, tuner))
            for line in lines[1:]:
                if line:
                    state._replay(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
            raise InputError(
                f"the state file {str(path)!r} is unreadable ({exc}); it was left untouched: "
                "delete it or pass another --state to start afresh") from None
        state.path = Path(path)
        state.snapshot()                      # compacts the events (and drops a torn line)
        return state

    def _replay(self, event: dict) -> None:
        if "ask" in event:
            trial = self.tuner.ask(event["context"])
            if trial.id != event["ask"] or trial.value != event["value"]:
                raise StateError(f"the tuner does not replay trial {event['ask']} (asked "
                                 f"{trial.value} as trial {trial.id}, logged {event['value']})")
            self.inputs[trial.id] = str(event["input"])
            self.trials[trial.id] = (trial.value, trial.context)
        elif "cancel" in event:
            self._cancel(int(event["cancel"]))
        else:
            self._tell(int(event["tell"]), float(event["cost"]), bool(event["censored"]))

    @property
    def pending(self) -> dict[int, str]:
        """The input of each trial asked and not yet told, by trial id."""
        return {t.id: self.inputs[t.id] for t in self.tuner.outstanding}

    @property
    def told(self) -> dict[int, str]:
        """The input of each trial told, by trial id."""
        outstanding = {t.id for t in self.tuner.outstanding}
        return {tid: p for tid, p in self.inputs.items() if tid not in outstanding}

    @property
    def done(self) -> set[str]:
        """The inputs whose trial has been told."""
        return set(self.told.values())

    @property
    def learned(self) -> list[dict]:
        """What the tuner was told, in the order told: one record per trial with the keys
        ``id``, ``value``, ``context``, ``cost`` and ``censored``."""
        return [{"id": tid, "value": self.trials[tid][0], "context": self.trials[tid][1],
                 "cost": cost, "censored": censored}
                for tid, (cost, censored) in self.costs.items()]

    def ask(self, path: str, context):
        """Ask the tuner for a trial for input ``path``; the ask is on disk on return."""
        trial = self.tuner.ask(context)
        self.inputs[trial.id] = path
        self.trials[trial.id] = (trial.value, trial.context)
        self._append({"ask": trial.id, "input": path, "context": trial.context,
                      "value": trial.value}, sync=True)
        return trial

    def tell(self, trial_id: int, cost: float, *, censored: bool) -> None:
        """Tell the tuner a trial's cost and log it."""
        self._tell(trial_id, cost, censored)
        self._append({"tell": trial_id, "cost": float(cost), "censored": bool(censored)},
                      sync=False)
        if self._log_bytes > max(self._snapshot_bytes, MIN_SNAPSHOT_INTERVAL):
            self.snapshot()

    def _tell(self, trial_id: int, cost: float, censored: bool) -> None:
        self.tuner.tell(trial_id, cost, censored=censored)
        self.costs[trial_id] = (float(cost), bool(censored))

    def cancel(self, trial_id: int) -> None:
        """Withdraw a trial whose input could not be solved at all (the tuner learns
        nothing), and log it."""
        self._cancel(trial_id)
        self._append({"cancel": trial_id}, sync=False)

    def _cancel(self, trial_id: int) -> None:
        self.tuner.cancel(trial_id)
        self.inputs.pop(trial_id, None)
        self.trials.pop(trial_id, None)

    def _append(self, event: dict, *, sync: bool) -> None:
        if self.path is None:
            return
        if self._log is None:
            self._log = open(self.path, "a", encoding="utf-8")
        text = _line(event)
        self._log.write(text)
        self._log.flush()
        if sync:
            os.fsync(self._log.fileno())
        self._log_bytes += len(text)

    def snapshot(self) -> None:
        """Replace the file by one snapshot line (atomically)."""
        if self.path is None:
            return
        self.close_log()
        text = _line({"format": FORMAT, "version": VERSION, "tuner": self.tuner.state_dict(),
                      "inputs": {str(k): v for k, v in self.inputs.items()},
                      "trials": {str(k): list(v) for k, v in self.trials.items()},
                      "costs": [[k, *v] for k, v in self.costs.items()],
                      "options": self.options})
        write_text_atomic(self.path, text)
        self._snapshot_bytes, self._log_bytes = len(text), 0

    def close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        """Write a final snapshot (the end of a run)."""
        self.snapshot()

    def __enter__(self) -> BatchState:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """A run that ends normally closes with a snapshot; one that fails keeps its events."""
        if exc_type is None:
            self.close()
        else:
            self.close_log()


def _value(value) -> float | dict:
    """A trial's value as saved: an omega, or a configuration (a dict of JSON values)."""
    return dict(value) if isinstance(value, dict) else float(value)


def _trials_of(head: dict, tuner: Tuner) -> dict[int, tuple[float | dict, float | None]]:
    """The value and context of each trial of a snapshot (a version-2 snapshot kept them in
    the tuner's records only)."""
    if "trials" in head:
        return {int(k): (_value(v), None if c is None else float(c))
                for k, (v, c) in head["trials"].items()}
    records = [t.as_dict() for t in tuner.outstanding] + tuner.history
    return {int(r["id"]): (_value(r["value"]), r["context"]) for r in records}


def _costs_of(head: dict, tuner: Tuner) -> dict[int, tuple[float, bool]]:
    """The cost of each told trial of a snapshot, in the order told (before version 4 they
    were in the tuner's history)."""
    if "costs" in head:
        return {int(k): (float(c), bool(censored)) for k, c, censored in head["costs"]}
    return {int(r["id"]): (float(r["cost"]), bool(r["censored"])) for r in tuner.history}
