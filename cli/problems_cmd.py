"""``relax problems``: list the built-in problems and write instance sequences as files.

Each instance is one ``.npz`` file (``problems.save_system``: ``A``, ``b``, the warm start
``x0`` where there is one, the context and metadata), named ``<kind>_<index>.npz`` so that
a directory lists in sequence order. The paths written go to stdout, one per line; progress
goes to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np

import problems as pb
from solvers import cg

DESCRIPTIONS = {
    "shifted-laplacian": "sequence: 10x10 Laplacian plus a random shift c_t I (context: c_t); "
                         "--count, --variance high|low, --seed",
    "heat": "sequence: Crank-Nicolson steps of the 2-D heat equation, each warm-started at "
            "the previous solution (context: the diffusivity); --nx, --count",
    "poisson": "one system: the 5-point (7-point in 3-D) Poisson matrix; --shape, b = A @ ones",
    "gallery": "one system: PyAMG example NAME (" + ", ".join(pb.EXAMPLES) + "); b = A @ ones",
}


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


@problems_group.command("make")
@click.argument("kind", type=click.Choice(list(DESCRIPTIONS)))
@click.argument("name", required=False)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Directory to write the instances to (created if needed).")
@click.option("--count", type=click.IntRange(min=1), default=100, show_default=True,
              help="Instances of a sequence.")
@click.option("--variance", type=click.Choice(["high", "low"]), default="high",
              show_default=True, help="shifted-laplacian: the shift distribution.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="shifted-laplacian: seed of the shifts and right-hand sides.")
@click.option("--nx", type=click.IntRange(min=3), default=50, show_default=True,
              help="heat: grid intervals per side.")
@click.option("--shape", default="64,64", show_default=True,
              help="poisson: grid points per dimension, comma-separated.")
def make(kind, name, out, count, variance, seed, nx, shape):
    """Write the instances of problem KIND (NAME: the example, for `gallery`) to --out."""
    if (kind == "gallery") != (name is not None):
        raise click.UsageError("NAME is required with 'gallery' and only with it"
                               + (f" (one of {', '.join(pb.EXAMPLES)})" if kind == "gallery"
                                  else ""))
    if kind == "shifted-laplacian":
        items, total = _shifted_laplacian(count, variance, seed), count
    elif kind == "heat":
        items, total = _heat(nx, count), count
    elif kind == "poisson":
        try:
            grid = tuple(int(s) for s in shape.split(","))
        except ValueError:
            raise click.BadParameter(f"expected integers like 64,64; got {shape!r}",
                                     param_hint="--shape") from None
        items, total = _single(pb.poisson(grid)), 1
    else:
        items, total = _single(pb.load_example(name)), 1
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    stem = kind if kind != "gallery" else name
    width = max(5, len(str(total - 1)))
    with click.progressbar(length=total, label=f"writing {kind}", file=sys.stderr) as bar:
        for i, (inst, meta) in enumerate(items):
            path = directory / f"{stem}_{i:0{width}d}.npz"
            pb.save_system(path, inst.A, inst.b, inst.x0, context=inst.context, meta=meta)
            click.echo(str(path))
            bar.update(1)
