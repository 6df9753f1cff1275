"""Errors of the ``relax`` command."""

import click


class InputError(click.ClickException):
    """Bad input found while working (a corrupted file, ...): exit status 2, like usage."""

    exit_code = 2
