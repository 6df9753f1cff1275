"""Entry point of the ``relax`` command."""

from __future__ import annotations

import sys

import click

from solvers import SolverInputError

from .batch import batch
from .demo import demo
from .fit import fit
from .isac import isac
from .problems_cmd import problems_group
from .recon import recon
from .solve import solve
from .tune import tune_group


class _Group(click.Group):
    """Prints errors on one line without a traceback: input errors exit with status 2,
    failures (a solve that does not converge, an unreachable scheduler) with 1."""

    def invoke(self, ctx):
        debug = ctx.params.get("debug", False)
        try:
            return super().invoke(ctx)
        except (click.UsageError, click.exceptions.Exit, click.Abort):
            raise
        except click.ClickException as exc:
            if debug:
                raise
            click.echo(f"relax: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except (SolverInputError, ValueError, TypeError, FileNotFoundError) as exc:
            if debug:
                raise
            click.echo(f"relax: error: {exc}", err=True)
            sys.exit(2)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"relax: error: {type(exc).__name__}: {exc} (run with --debug for the "
                       "traceback)", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(package_name="relax")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def main(debug):
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
