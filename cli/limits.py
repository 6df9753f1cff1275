"""Size checks made before any work: a request that would need more memory or disk than the
machine has is refused at once (exit status 2), with the limit and the estimate."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

MEMORY_SHARE = 0.5
"""Share of the machine's physical memory one command may plan to use."""


def physical_memory() -> int:
    """Bytes of physical memory of this machine."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8 << 30


def human_bytes(n: float) -> str:
    """``n`` bytes in the largest binary unit that keeps the number >= 1.

    Examples
    --------
    >>> human_bytes(512), human_bytes(3 * 2**30), human_bytes(1e20)
    ('512 B', '3.0 GiB', '88817.8 PiB')
    """
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    n = float(n)
    for unit in units[:-1]:
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} {units[-1]}"


def check_memory(need: float, what: str, option: str) -> None:
    """Refuse ``what`` (e.g. "a grid of 1e10 unknowns") when its estimated need of ``need``
    bytes exceeds :data:`MEMORY_SHARE` of the physical memory.

    Examples
    --------
    >>> check_memory(1e3, "a small grid", "--nx")
    >>> check_memory(1e18, "a grid of 1e16 unknowns", "--nx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: a grid of 1e16 unknowns would need about 888.2 PiB ...
    """
    limit = MEMORY_SHARE * physical_memory()
    if not need <= limit:
        raise click.BadParameter(
            f"{what} would need about {human_bytes(need)} of memory; the limit is "
            f"{human_bytes(limit)} ({MEMORY_SHARE:.0%} of this machine's "
            f"{human_bytes(physical_memory())})", param_hint=option)


def check_disk(need: float, folder, what: str, option: str) -> None:
    """Refuse to write ``what`` when its estimated ``need`` bytes exceed the free space of
    ``folder`` (or of its nearest existing parent)."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if not need <= free:
        raise click.BadParameter(
            f"{what} would need about {human_bytes(need)} of disk; {str(probe)!r} has "
            f"{human_bytes(free)} free", param_hint=option)
