"""Policy names accepted on the command line, and the policies they build."""

from __future__ import annotations

import click

import tuner

NAMES = ("default", "tsallis-inf", "tsallis-inf-cb", "chebcb", "fixed:W")


def make_policy(name: str, arms, *, bounds=None, seed=None) -> tuner.Policy:
    """The policy called ``name`` over ``arms``; contextual ones need ``bounds``.

    ``default`` is :func:`tuner.default_policy` (contextual when bounds are given);
    ``fixed:W`` always plays the arm equal to ``W``.

    Examples
    --------
    >>> make_policy("fixed:1.5", [1.0, 1.5, 1.9]).index
    1
    >>> make_policy("chebcb", [1.0, 1.5], bounds=(0.0, 1.0)).degree
    6
    """
    if name == "default":
        return tuner.default_policy(arms, bounds=bounds, seed=seed)
    if name == "tsallis-inf":
        return tuner.TsallisINF(arms, seed=seed)
    if name in ("tsallis-inf-cb", "chebcb"):
        if bounds is None:
            raise click.UsageError(f"policy {name} needs a context (with bounds)")
        cls = tuner.TsallisINFCB if name == "tsallis-inf-cb" else tuner.ChebCB
        return cls(arms, bounds, seed=seed)
    if name.startswith("fixed:"):
        try:
            value = float(name[6:])
        except ValueError:
            raise click.BadParameter(f"fixed:W needs a number W; got {name!r}") from None
        arms = [*arms] if value in list(arms) else [*arms, value]
        return tuner.Fixed(arms, value=value, seed=seed)
    raise click.BadParameter(f"unknown policy {name!r}; choose one of {', '.join(NAMES)}")
