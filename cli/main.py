"""Entry point of the ``relax`` command."""

from __future__ import annotations

import sys

import click

import problems.errors
import solvers.errors
import tuner.errors

from . import console
from .batch import batch
from .demo import demo
from .fit import fit
from .isac import isac
from .problems_cmd import problems_group
from .recon import recon
from .solve import solve
from .tune import tune_group

BAD_INPUT = (solvers.errors.InputError, tuner.errors.InputError, problems.errors.InputError,
             FileNotFoundError)
"""Errors that mean the user's input was wrong (exit status 2); anything else, a plain
``ValueError`` or ``TypeError`` included, is a failure of relax (exit status 1)."""


def _fail(message: str, status: int) -> None:
    click.echo(f"relax: error: {message}", err=True)
    sys.exit(status)


def _usage_message(exc: click.UsageError) -> str:
    """click's usage error as one line, pointing at the right ``--help``."""
    message = exc.format_message().rstrip(".")
    where = exc.ctx.command_path if exc.ctx is not None else "relax"
    return f"{message} (see '{where} --help')"


class _Group(click.Group):
    """Errors on one line on stderr, without a traceback or a usage block: bad input exits
    with status 2, failures (a solve that does not converge, an unreachable scheduler) with
    1. ``--debug`` (show the traceback instead) and ``--quiet`` (no progress) are accepted
    anywhere on the command line; warnings are summarised once at the end."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        args = list(sys.argv[1:] if args is None else args)
        flags, args = console.split_global_flags(args)
        console.settings.debug, console.settings.quiet = flags.debug, flags.quiet
        try:
            with console.collected_warnings():
                status = super().main(args, "relax", complete_var,
                                      standalone_mode=False, **extra)
        except click.UsageError as exc:
            if flags.debug:
                raise
            _fail(_usage_message(exc), 2)
        except click.ClickException as exc:
            if flags.debug:
                raise
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("interrupted", 130)
        except BAD_INPUT as exc:
            if flags.debug:
                raise
            _fail(str(exc), 2)
        except Exception as exc:
            if flags.debug:
                raise
            _fail(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)", 1)
        status = status if isinstance(status, int) else 0
        if standalone_mode:
            sys.exit(status)
        return status


@click.group(cls=_Group)
@click.version_option(package_name="relax")
@click.option("--debug", is_flag=True, help="Show the traceback of an error (any position).")
@click.option("--quiet", is_flag=True, help="No progress bars or notes on stderr (any "
              "position).")
def main(debug, quiet):
    """relax: iterative solvers whose parameters are tuned online."""


main.add_command(demo)
main.add_command(batch)
main.add_command(solve)
main.add_command(problems_group)
main.add_command(tune_group)
main.add_command(recon)
main.add_command(isac)
main.add_command(fit)

if __name__ == "__main__":  # pragma: no cover
    main()
