"""The results file of ``relax batch``: the record of what is done.

A row per input, appended and synced as each solve ends. The file's first line records the
options that produced its rows, so rows made with other options never count as done:

    CSV:    # relax batch results {"method": "sor", "precond": "none", ...}
            input,trial,omega,context,iterations,converged,status,residual_norm,seconds,
            config,message      (one line)
            ...
    JSONL:  {"relax_batch_results": {"method": "sor", ...}}
            {"input": ..., "trial": ..., ...}

``config`` names the configuration that solved the input (an error row: the one tried, if
any) as :func:`solvers.describe` writes it: ``cg+ssor(omega=1.6)``, ``cg+jacobi``, ``cg``,
``direct``, ...; ``ssor(omega=1.2)`` for SSOR iterations. (pandas reads the CSV with
``read_csv(path, comment="#")``.) A last line without its newline is a row torn by a crash:
it is dropped (the file is cut back to the last whole row) and its input is solved again.
Any other damage is reported with its line number and leaves the file untouched. A file
written before the ``config`` column is refused with a message saying so.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path

import click

from .errors import InputError

SUFFIXES = (".csv", ".jsonl")
COLUMNS = ("input", "trial", "omega", "context", "iterations", "converged", "status",
           "residual_norm", "seconds", "config", "message")
LEGACY_COLUMNS = tuple(c for c in COLUMNS if c != "config")
"""The columns of results files written before the ``config`` column."""
CSV_MARK = "# relax batch results "
JSONL_KEY = "relax_batch_results"
_START_AFRESH = "pass --overwrite to start afresh, or another --out"


def _optional(text: str, kind):
    return None if text in ("", "None") else kind(text)


def _typed_csv_row(row: dict) -> dict:
    """A CSV row with its fields as the numbers, booleans and Nones they were written from."""
    return {"input": row["input"], "trial": _optional(row["trial"], int),
            "omega": _optional(row["omega"], float),
            "context": _optional(row["context"], float),
            "iterations": int(row["iterations"]),
            "converged": {"True": True, "False": False}[row["converged"]],
            "status": row["status"],
            "residual_norm": _optional(row["residual_norm"], float),
            "seconds": float(row["seconds"]), "config": row["config"],
            "message": row["message"]}


def _checked_row(row) -> dict:
    if not isinstance(row, dict) or set(row) != set(COLUMNS) or not row["input"]:
        raise ValueError("not a row of relax batch")
    return row


def _legacy(name: str) -> InputError:
    return InputError(f"{name!r} was written by an earlier relax batch (its rows have no "
                      f"config column); {_START_AFRESH}")


class ResultsFile:
    """The rows of a results file, checked against the options of the run that reads it.

    Parameters
    ----------
    path : str or os.PathLike or None
        A ``.csv`` or ``.jsonl`` file; None prints the rows on stdout as JSON lines (nothing
        is recorded, nothing resumes).
    options : dict
        The options of this run (JSON values). An existing file made with other options is
        refused with :class:`~cli.errors.InputError`.
    overwrite : bool
        Start afresh: an existing file is replaced.

    Attributes
    ----------
    rows : list of dict
        The rows read (and appended since), one per input.
    notes : list of str
        What was repaired on reading (a torn last row dropped, duplicate rows ignored).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> ResultsFile(path, {"method": "sor"}).append({
    ...     "input": "a.npz", "trial": 0, "omega": 1.5, "context": None, "iterations": 12,
    ...     "converged": True, "status": "converged", "residual_norm": 1e-9, "seconds": 0.01,
    ...     "config": "sor(omega=1.5)", "message": ""})
    >>> [(r["iterations"], r["config"]) for r in ResultsFile(path, {"method": "sor"}).rows]
    [(12, 'sor(omega=1.5)')]
    >>> ResultsFile(path, {"method": "cg"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cli.errors.InputError: '...r.csv' holds rows made with --method 'sor' (now 'cg'); ...
    """

    def __init__(self, path, options: dict, *, overwrite: bool = False):
        self.path = None if path is None else Path(path)
        self.options = dict(options)
        self.rows: list[dict] = []
        self.notes: list[str] = []
        if self.path is None:
            return
        if self.path.suffix not in SUFFIXES:
            raise InputError(f"--out must be a .csv or .jsonl file; got {str(self.path)!r}")
        if overwrite or not self.path.exists() or self.path.stat().st_size == 0:
            self._start()
        else:
            self._read()

    @property
    def csv(self) -> bool:
        return self.path is not None and self.path.suffix == ".csv"

    def _start(self) -> None:
        if self.csv:
            head = io.StringIO()
            head.write(CSV_MARK + json.dumps(self.options) + "\n")
            csv.DictWriter(head, fieldnames=COLUMNS, lineterminator="\n").writeheader()
            text = head.getvalue()
        else:
            text = json.dumps({JSONL_KEY: self.options}) + "\n"
        with open(self.path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    def _read(self) -> None:
        name = str(self.path)
        with open(self.path, "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{name!r} is not a relax batch results file (not text); "
                             f"{_START_AFRESH}") from None
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            self._cut_torn_row(len(data) - len(lines[-1].encode("utf-8")), lines.pop())
        if not lines:
            self._start()
            return
        if len(lines) > 1 and self._legacy(lines[1]):
            raise _legacy(name)
        self._check_options(lines[0])
        if self.csv and len(lines) == 1:     # killed before the column header was written
            self._start()
            return
        body = lines[1:]
        if self.csv:
            if not body or body[0].strip() != ",".join(COLUMNS):
                raise InputError(f"{name!r} line 2 is not the header of relax batch results; "
                                 f"{_START_AFRESH}")
            body = body[1:]
        first = 3 if self.csv else 2
        seen = set()
        for number, line in enumerate(body, start=first):
            if not line.strip():
                continue
            try:
                row = self._parse(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{name!r} line {number} is damaged ({exc}): repair or "
                                 f"delete that line, or {_START_AFRESH}") from None
            if row["input"] in seen:
                self.notes.append(f"{name!r} line {number} repeats a row of "
                                  f"{row['input']!r}; the first one counts")
                continue
            seen.add(row["input"])
            self.rows.append(row)

    def _parse(self, line: str) -> dict:
        if self.csv:
            cells = next(csv.reader([line]))
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{len(cells)} fields, not {len(COLUMNS)}")
            return _typed_csv_row(dict(zip(COLUMNS, cells, strict=True)))
        return _checked_row(json.loads(line))

    def _legacy(self, line: str) -> bool:
        """Whether ``line``, the second of the file, is the column header (CSV) or a row
        (JSON lines) of a results file written before the ``config`` column."""
        if self.csv:
            return line.strip() == ",".join(LEGACY_COLUMNS)
        try:
            row = json.loads(line)
        except ValueError:
            return False
        return isinstance(row, dict) and set(row) == set(LEGACY_COLUMNS)

    def _check_options(self, line: str) -> None:
        name = str(self.path)
        try:
            if self.csv:
                if not line.startswith(CSV_MARK):
                    raise ValueError
                saved = json.loads(line[len(CSV_MARK):])
            else:
                saved = json.loads(line)[JSONL_KEY]
            if not isinstance(saved, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{name!r} does not record the options that made its rows (not "
                             f"a results file of this version of relax batch); "
                             f"{_START_AFRESH}") from None
        changed = [f"--{key} {saved.get(key)!r} (now {value!r})"
                   for key, value in self.options.items() if saved.get(key) != value]
        if changed:
            raise InputError(f"{name!r} holds rows made with {', '.join(changed)}; "
                             f"{_START_AFRESH}")

    def _cut_torn_row(self, size: int, torn: str) -> None:
        with open(self.path, "r+b") as f:
            f.truncate(size)
            f.flush()
            os.fsync(f.fileno())
        self.notes.append(f"dropped a row of {str(self.path)!r} torn by an interrupted run "
                          f"({torn[:40]!r}...); its input is solved again")

    def append(self, row: dict) -> None:
        """Append a row (synced to disk on return), or print it when there is no file."""
        row = {key: row.get(key) for key in COLUMNS}
        self.rows.append(row)
        if self.path is None:
            click.echo(json.dumps(_json_safe(row)))
            return
        with open(self.path, "a", encoding="utf-8", newline="") as f:
            if self.csv:
                csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n").writerow(
                    {k: "" if v is None else v for k, v in row.items()})
            else:
                f.write(json.dumps(_json_safe(row)) + "\n")
            f.flush()
            os.fsync(f.fileno())


def _json_safe(row: dict) -> dict:
    """NaN and infinities (a diverged residual) as None: JSON has no such numbers."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in row.items()}
