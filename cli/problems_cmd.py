"""``relax problems``: list the built-in problems and write instance sequences as files.

Each instance is one ``.npz`` file (``problems.save_system``: ``A``, ``b``, the warm start
``x0`` where there is one, the context and metadata), named ``<kind>_<index>.npz`` so that
a directory lists in sequence order. The paths written go to stdout, one per line; progress
goes to stderr.

Everything is checked before the first file is written: the output folder, the memory the
problem needs, the disk its files need, and that the folder holds no instances already.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

import problems as pb
from solvers import cg

from .console import note, progressbar
from .limits import check_disk, check_memory
from .outputs import check_output_folder

DESCRIPTIONS = {
    "shifted-laplacian": "sequence of 100 x 100 systems: the Laplacian of a 10 x 10 grid plus "
                         "a random shift c_t I (context: c_t), as in the first experiment of "
                         "the paper 'Learning to Relax' (Khodak et al., ICLR 2024); --count, "
                         "--variance, --seed",
    "heat": "sequence: Crank-Nicolson time steps of the 2-D heat equation, each "
            "warm-started at the previous solution (context: the diffusivity), as in the "
            "second experiment of 'Learning to Relax'; --nx, --count",
    "poisson": "one system: the 5-point (7-point in 3-D) Poisson matrix; --shape, b = A @ ones",
    "gallery": "one system: PyAMG example NAME (" + ", ".join(pb.EXAMPLES) + "); b = A @ ones",
}

USES = {"shifted-laplacian": ("count", "variance", "seed"), "heat": ("nx", "count"),
        "poisson": ("shape",), "gallery": ()}
"""The options each kind uses; giving another is refused, not ignored."""

MAX_COUNT = 1_000_000
"""Most instances (or heat time steps) one `make` writes."""

FILE_OVERHEAD = 4096
"""Bytes of one instance file besides its arrays (headers, metadata), at most."""


@dataclass(frozen=True)
class Plan:
    """What `make` is about to write: ``count`` files of a system with ``n`` unknowns,
    ``nnz`` nonzeros and ``vectors`` vectors of length n, and the memory it needs meanwhile
    (``what`` and ``option`` say what to blame in a refusal)."""

    count: int
    n: int
    nnz: int
    vectors: int
    memory: float
    what: str
    option: str

    @property
    def file_bytes(self) -> float:
        """Bytes of one file, uncompressed (an upper bound: the files are compressed)."""
        index = 4 if self.nnz < 2**31 else 8
        return self.nnz * (8 + index) + (self.n + 1) * index + self.vectors * self.n * 8 \
            + FILE_OVERHEAD


def _on_grid(grid, count, vectors, what, option, drawn=0) -> Plan:
    """The plan of ``count`` systems on ``grid`` (a nearest-neighbour stencil): the memory
    is a few copies of the matrix, ``4 + 4 vectors`` work vectors and ``drawn`` numbers
    drawn in advance."""
    n = math.prod(grid)
    nnz = n * (2 * len(grid) + 1)
    memory = 3 * nnz * 12 + (4 + 4 * vectors) * n * 8 + drawn * 8
    return Plan(count, n, nnz, vectors, memory, what, option)


def plan(kind, count, nx, grid) -> Plan | None:
    """What `make` would write for KIND (None for gallery: shipped, small matrices).

    Examples
    --------
    >>> p = plan("heat", 10, 1001, None)
    >>> p.n, p.count, p.what
    (1000000, 10, 'a heat-equation grid of 1000 x 1000 = 1000000 unknowns')
    """
    if kind == "shifted-laplacian":                     # shifts and right-hand sides first
        return _on_grid((10, 10), count, 1, f"a sequence of {count} systems", "--count",
                        drawn=count * 101)
    if kind == "heat":
        return _on_grid((nx - 1, nx - 1), count, 2, f"a heat-equation grid of {nx - 1} x "
                        f"{nx - 1} = {(nx - 1) ** 2} unknowns", "--nx")
    if kind == "poisson":
        return _on_grid(grid, 1, 1, f"a Poisson grid of {' x '.join(map(str, grid))} = "
                        f"{math.prod(grid)} unknowns", "--shape")
    return None


def check_plan(p: Plan | None, folder: Path) -> None:
    """Refuse (exit status 2) a plan that needs more memory or disk than there is."""
    if p is None:
        return
    check_memory(p.memory, p.what, p.option)
    files = f"{p.count} instance file{'s' if p.count > 1 else ''} of {p.n} unknowns"
    check_disk(p.count * p.file_bytes, folder, files,
               "--count" if p.count > 1 else p.option)


def instance_files(folder: Path, stem: str | None = None) -> list[Path]:
    """The ``.npz`` files of ``folder`` (of one problem ``<stem>_<index>.npz`` if given)."""
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"{re.escape(stem)}_\d+\.npz" if stem else r".*\.npz",
                         re.IGNORECASE)
    return sorted(p for p in folder.iterdir() if p.is_file() and pattern.fullmatch(p.name))


def clear_folder(folder: Path, stem: str, overwrite: bool) -> None:
    """Refuse a folder that holds instances already, unless ``overwrite``: then delete the
    old files of this problem (so that no stale instance is left among the new ones)."""
    existing = instance_files(folder)
    if not existing:
        return
    if not overwrite:
        raise click.BadParameter(
            f"{str(folder)!r} already holds {len(existing)} instance file"
            f"{'s' if len(existing) > 1 else ''} (.npz, e.g. {existing[0].name!r}); pass "
            f"--overwrite to replace the old {stem} instances (other files are kept), or "
            f"name another folder", param_hint="-o/--out")
    old = instance_files(folder, stem)
    for path in old:
        path.unlink()
    kept = len(existing) - len(old)
    removed = f"removed {len(old)} old {stem} instance file{'s' if len(old) > 1 else ''}"
    others = f"{kept} other .npz file{'s' if kept > 1 else ''} kept"
    note(f"relax: {str(folder)!r}: " + "; ".join(([removed] if old else [])
                                                 + ([others] if kept else [])))


def _check_uses(ctx, kind):
    """Refuse an option of another kind than KIND (see :data:`USES`)."""
    for param in ctx.command.params:
        users = [k for k, names in USES.items() if param.name in names]
        given = ctx.get_parameter_source(param.name) is not click.core.ParameterSource.DEFAULT
        if users and kind not in users and given:
            raise click.UsageError(f"{param.opts[-1]} applies to {' and '.join(users)} only")


def _folder(ctx, param, value):
    """-o/--out: a folder that exists or can be created, and is writable."""
    return check_output_folder(value, "-o/--out")


def _shape(ctx, param, value):
    """--shape: positive integers separated by commas."""
    try:
        grid = tuple(int(s) for s in value.split(","))
    except ValueError:
        grid = ()
    if not grid or min(grid) < 1:
        raise click.BadParameter(f"expected positive integers separated by commas, like "
                                 f"64,64; got {value!r}")
    return grid


@click.group("problems")
def problems_group():
    """Built-in problems: list them, or write them as files for `relax solve` and `batch`."""


@problems_group.command("list")
def list_problems():
    """List the problems `relax problems make` writes."""
    for name, text in DESCRIPTIONS.items():
        click.echo(f"{name:<19}{text}")


def _shifted_laplacian(count, variance, seed):
    for inst in pb.shifted_laplacian_sequence(count, variance=variance, seed=seed):
        yield inst, {"index": inst.meta["index"], "shift": inst.meta["shift"],
                     "omega_opt": inst.meta["omega_opt"]}


def _heat(nx, count):
    sim = pb.HeatEquation(nx, t_end=count * 1e-3)
    for inst in sim:
        yield inst, {"step": inst.meta["step"], "time": inst.meta["time"],
                     "kappa": inst.meta["kappa"]}
        res = cg(inst.A, inst.b, inst.x0, rtol=1e-12, M=("ssor", 1.5))
        if not res.converged:
            raise click.ClickException(f"could not advance the heat equation at step "
                                       f"{inst.meta['step']}: {res.status}")
        sim.advance(res.x)


def _single(A):
    yield pb.Instance(A, A @ np.ones(A.shape[0])), {}


def _items(kind, name, count, variance, seed, nx, grid):
    """The (instance, metadata) pairs of KIND and how many there are."""
    if kind == "shifted-laplacian":
        return _shifted_laplacian(count, variance, seed), count
    if kind == "heat":
        return _heat(nx, count), count
    if kind == "poisson":
        return _single(pb.poisson(grid)), 1
    return _single(pb.load_example(name)), 1


@problems_group.command("make")
@click.argument("kind", type=click.Choice(list(DESCRIPTIONS)))
@click.argument("name", required=False)
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
              callback=_folder,
              help="Folder to write the instances to (created if needed). It must not "
                   "hold .npz files already, unless --overwrite.")
@click.option("--overwrite", is_flag=True,
              help="Write into a folder that already holds .npz files: the old files of "
                   "this problem (<kind>_<index>.npz, <name>_<index>.npz for gallery) are "
                   "deleted first, so that no stale instance is left among the new ones; "
                   "other files are kept.")
@click.option("--count", type=click.IntRange(1, MAX_COUNT), default=100, show_default=True,
              help=f"shifted-laplacian: number of instances; heat: number of time steps "
                   f"(of 0.001, one file each). At most {MAX_COUNT:,}.")
@click.option("--variance", type=click.Choice(["high", "low"]), default="high",
              show_default=True,
              help="shifted-laplacian: spread of the random shifts c_t, high (variance "
                   "0.0225) or low (0.0075).")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="shifted-laplacian: seed of the shifts and right-hand sides, an integer "
                   ">= 0.")
@click.option("--nx", type=click.IntRange(min=3), default=50, show_default=True,
              help="heat: grid intervals per side, >= 3; (nx - 1)^2 unknowns.")
@click.option("--shape", default="64,64", show_default=True, callback=_shape,
              help="poisson: interior grid points per dimension, comma-separated (e.g. "
                   "64,64 is 4096 unknowns; 16,16,16 a 3-D grid).")
def make(kind, name, out, overwrite, count, variance, seed, nx, shape):
    """Write the instances of problem KIND (NAME: the example, for `gallery`) to -o/--out.

    KIND is shifted-laplacian, heat (sequences), poisson or gallery (one system each);
    `relax problems list` describes them. Each instance is a file <kind>_<index>.npz
    (<name>_<index>.npz for gallery) holding A, b, the warm start x0 where there is one,
    the context and metadata; the paths are printed, one per line.

    A problem whose matrices need more memory than this machine has, or whose files more
    disk than the folder's, is refused before anything is written.
    """
    if (kind == "gallery") != (name is not None):
        raise click.UsageError("NAME is required with 'gallery' and only with it"
                               + (f" (one of {', '.join(pb.EXAMPLES)})" if kind == "gallery"
                                  else ""))
    if name is not None and name not in pb.EXAMPLES:
        raise click.BadParameter(f"unknown example {name!r}; one of {', '.join(pb.EXAMPLES)}",
                                 param_hint="NAME")
    _check_uses(click.get_current_context(), kind)
    check_plan(plan(kind, count, nx, shape), out)
    stem = kind if kind != "gallery" else name
    clear_folder(out, stem, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    items, total = _items(kind, name, count, variance, seed, nx, shape)
    width = max(5, len(str(total - 1)))
    with progressbar(total, f"writing {kind}") as bar:
        for i, (inst, meta) in enumerate(items):
            path = out / f"{stem}_{i:0{width}d}.npz"
            pb.save_system(path, inst.A, inst.b, inst.x0, context=inst.context, meta=meta)
            click.echo(str(path))
            bar.update(1)
