"""Files a reader never sees half-written (JSON, text) and JSON lines: the state and log files
of :class:`tuner.Tuner`, public for programs that keep files of their own beside them."""

from __future__ import annotations

import json
import os
import tempfile


def write_json_atomic(path, data) -> None:
    """Write ``data`` as JSON to ``path`` atomically.

    The text goes to a temporary file in the same directory, which is flushed, synced to disk
    and then renamed over ``path`` (``os.replace``); the directory is synced where the platform
    allows. On any error the temporary file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> import json, os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> write_json_atomic(os.path.join(folder, "state.json"), {"a": [1, 2.5]})
    >>> json.load(open(os.path.join(folder, "state.json")))
    {'a': [1, 2.5]}
    """
    write_text_atomic(path, json.dumps(data, allow_nan=False, indent=1))


def write_text_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`write_json_atomic`)."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def append_json_line(path, data) -> None:
    """Append ``data`` to ``path`` as one line of JSON (the file is created if needed). A last
    line left without its newline (a write cut short by a crash) is closed first, so that the
    new line stays whole."""
    line = json.dumps(data, allow_nan=False, separators=(",", ":")) + "\n"
    with open(os.fspath(path), "ab+") as handle:
        if handle.tell() > 0:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                line = "\n" + line
        handle.write(line.encode("utf-8"))


def read_json_lines(path) -> list:
    """The values of a file of JSON lines, leaving out lines cut short by a crash (the last
    one without its newline, and any that is not valid JSON)."""
    with open(os.fspath(path), encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    values = []
    for line in lines[:-1]:
        try:
            values.append(json.loads(line))
        except ValueError:
            continue
    return values


def read_json(path):
    """Read a JSON file."""
    with open(os.fspath(path), encoding="utf-8") as handle:
        return json.load(handle)
