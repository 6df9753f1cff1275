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


class WarningTally:
    """Warnings counted by kind as they come (one record kept per kind, so a run that warns
    a million times keeps a few lines): messages differing only in their numbers are of one
    kind, and a warning may name its kind (a ``kind`` attribute) and say how a count of it
    reads (``summary(count)``).

    Examples
    --------
    >>> tally = WarningTally()
    >>> for c in (0.7, 0.9):
    ...     tally.add(UserWarning(f"context {c} outside [0.1, 0.2]; clipped"), UserWarning)
    >>> tally.add(RuntimeWarning("overflow"), RuntimeWarning)
    >>> tally.lines()
    ['2 warnings like: context 0.7 outside [0.1, 0.2]; clipped', 'overflow']
    """

    def __init__(self):
        self.counts: Counter = Counter()
        self.first: dict = {}

    def add(self, message, category, *rest, **kwargs) -> None:
        """Count one warning (the signature of :func:`warnings.showwarning`)."""
        kind = getattr(message, "kind", None)
        key = (category, kind or _NUMBER.sub("#", str(message)))
        self.counts[key] += 1
        self.first.setdefault(key, message)

    def lines(self) -> list[str]:
        """One line per kind: the message itself when it came once, else the count and one
        example (or the warning's own summary of the count)."""
        lines = []
        for key, count in self.counts.items():
            message = self.first[key]
            summary = getattr(message, "summary", None)
            if summary is not None and count > 1:
                lines.append(summary(count))
            elif count > 1:
                lines.append(f"{count} warnings like: {message}")
            else:
                lines.append(str(message))
        return lines


QUIET_CATEGORIES = (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                    ResourceWarning)
"""Warnings Python hides by default (meant for developers), hidden here too."""


@contextmanager
def collected_warnings():
    """Count every warning raised inside; print one line per kind on stderr on the way
    out."""
    tally = WarningTally()
    with warnings.catch_warnings():
        warnings.simplefilter("always")           # count each one, not once per place
        for quiet in QUIET_CATEGORIES:
            warnings.filterwarnings("ignore", category=quiet)
        warnings.showwarning = tally.add
        try:
            yield tally
        finally:
            for line in tally.lines():
                click.echo(f"relax: warning: {line}", err=True)
