"""Option types shared by the commands."""

from __future__ import annotations

import math

import click


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses NaN (which no bound excludes) and
    infinities.

    Examples
    --------
    >>> FiniteFloatRange(0.0).convert("2.5", None, None)
    2.5
    >>> FiniteFloatRange(0.0).convert("nan", None, None)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: nan is not a finite number
    """

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number} is not a finite number", param, ctx)
        return number


class FiniteFloat(click.types.FloatParamType):
    """A float that is neither NaN nor infinite (shown as FLOAT in the help)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number} is not a finite number", param, ctx)
        return number


FINITE = FiniteFloat()
"""Any finite number."""
