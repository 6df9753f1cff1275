"""What the ``relax`` command prints besides its results: progress, warnings, the flags
``--debug`` and ``--quiet`` (accepted anywhere on the command line).

Progress bars go to stderr, and only to a terminal: piped or redirected output stays clean.
Warnings raised while a command runs are collected and summarised once at its end, one line
per kind, never one line per occurrence.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import click

GLOBAL_FLAGS = ("--debug", "--quiet")


@dataclass
class Settings:
    """The global flags of the current invocation."""

    debug: bool = False
    quiet: bool = False


settings = Settings()


def split_global_flags(args: list[str]) -> tuple[Settings, list[str]]:
    """Take ``--debug`` and ``--quiet`` out of ``args`` wherever they stand (before a ``--``).

    Examples
    --------
    >>> flags, rest = split_global_flags(["batch", "in/", "--debug", "--", "--quiet"])
    >>> flags, rest
    (Settings(debug=True, quiet=False), ['batch', 'in/', '--', '--quiet'])
    """
    found = Settings()
    rest = []
    for i, arg in enumerate(args):
        if arg == "--":
            rest += args[i:]
            break
        if arg in GLOBAL_FLAGS:
            setattr(found, arg[2:], True)
        else:
            rest.append(arg)
    return found, rest


def progressbar(length: int, label: str, *, hidden: bool = False):
    """A progress bar on stderr, hidden with ``--quiet`` or when stderr is not a terminal."""
    hide = hidden or settings.quiet or not sys.stderr.isatty()
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=hide)


def note(message: str) -> None:
    """A line of information on stderr (silenced by ``--quiet``)."""
    if not settings.quiet:
        click.echo(message, err=True)


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def summarise_warnings(caught) -> list[str]:
    """One line per kind of warning: the message itself when it came once, else the count
    and one example (messages differing only in their numbers are of one kind). A warning
    may name its kind (a ``kind`` attribute) and say how a count of it reads (``summary``).

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     for c in (0.7, 0.9):
    ...         warnings.warn(f"context {c} lies outside the bounds [0.1, 0.2]; clipped to 0.2")
    >>> summarise_warnings(caught)
    ['2 warnings like: context 0.7 lies outside the bounds [0.1, 0.2]; clipped to 0.2']
    """
    kinds: Counter = Counter()
    first: dict = {}
    for record in caught:
        kind = getattr(record.message, "kind", None)
        key = (record.category, kind or _NUMBER.sub("#", str(record.message)))
        kinds[key] += 1
        first.setdefault(key, record)
    lines = []
    for key, count in kinds.items():
        record = first[key]
        summary = getattr(record.message, "summary", None)
        if summary is not None and count > 1:
            lines.append(summary(count))
        elif count > 1:
            lines.append(f"{count} warnings like: {record.message}")
        else:
            lines.append(str(record.message))
    return lines


@contextmanager
def collected_warnings():
    """Collect every warning raised inside; print the summary on stderr on the way out."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield caught
        finally:
            for line in summarise_warnings(caught):
                click.echo(f"relax: warning: {line}", err=True)
