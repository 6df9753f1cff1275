"""Checks of output paths, made before any work so that no command computes for minutes and
then fails to write its result."""

from __future__ import annotations

import os
from pathlib import Path

import click


def _writable_folder(folder: Path, option: str, *, create: bool) -> None:
    """``folder`` is (or, with ``create``, can be made as) a folder this process can write."""
    probe = folder
    while not probe.exists():
        if not create:
            raise click.BadParameter(f"the folder {str(folder)!r} does not exist",
                                     param_hint=option)
        probe = probe.parent
    if not probe.is_dir():
        raise click.BadParameter(f"{str(probe)!r} is not a folder", param_hint=option)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise click.BadParameter(f"the folder {str(probe)!r} is not writable",
                                 param_hint=option)


def check_output_file(path, suffixes: tuple[str, ...] | None, option: str) -> Path | None:
    """``path`` (None passes) ends in one of ``suffixes`` (any name when None), is not a
    folder, and its folder exists and is writable; raises :class:`click.BadParameter` (exit
    status 2) otherwise.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> check_output_file(os.path.join(folder, "r.csv"), (".csv",), "--out").name
    'r.csv'
    >>> check_output_file("r.txt", (".csv", ".jsonl"), "--out")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: must end in .csv or .jsonl; got 'r.txt'

    """
    if path is None:
        return None
    path = Path(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise click.BadParameter(f"must end in {' or '.join(suffixes)}; got {str(path)!r}",
                                 param_hint=option)
    if path.is_dir():
        raise click.BadParameter(f"{str(path)!r} is a folder; name a file", param_hint=option)
    _writable_folder(path.parent if str(path.parent) else Path("."), option, create=False)
    if path.exists() and not os.access(path, os.W_OK):
        raise click.BadParameter(f"{str(path)!r} is not writable", param_hint=option)
    return path


def check_output_folder(path, option: str) -> Path:
    """``path`` is a folder, or can be created as one, that this process can write."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{str(path)!r} is a file; name a folder", param_hint=option)
    _writable_folder(path, option, create=True)
    return path


def output_file_option(suffixes: tuple[str, ...], help: str, **kwargs):
    """The ``-o/--out`` option of a command writing one file, checked when parsed."""

    def check(ctx, param, value):
        return None if value is None else str(check_output_file(value, suffixes, "-o/--out"))

    return click.option("-o", "--out", type=click.Path(dir_okay=False), callback=check,
                        help=help, **kwargs)
