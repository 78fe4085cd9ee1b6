"""The ``ampho`` command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from . import __version__
from .config import ConfigError


class AmphoGroup(click.Group):
    """A click group whose failures are one line on stderr.

    Click shows a usage error with the usage text and a hint around the
    message; Ampho prints ``Error: ...`` alone, as it does for a bad
    configuration file, so scripts and people get one line to read.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            # A bare group shows its help, as click does: that is no error.
            e.show()
            sys.exit(e.exit_code)
        except click.ClickException as e:
            _fail(e.format_message(), e.exit_code)
        except ConfigError as e:
            _fail(str(e), 1)
        except RecursionError:
            # Settings nested nearly as deep as the JSON parser allows
            # load, but printing them recurses deeper still.
            _fail("the configuration is nested too deeply to process", 1)
        except click.Abort:
            _fail("aborted", 1)
        # Without standalone mode click returns the exit code of ctx.exit().
        sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    sys.exit(code)


@click.group(cls=AmphoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ampho")
def cli() -> None:
    """Build and run Flask applications made of bundles."""


def _add_commands() -> None:
    from .config_cli import config_group

    cli.add_command(config_group)


_add_commands()


def main(prog_name: str = "ampho") -> None:
    """Run the ``ampho`` command; the console script's entry point."""
    cli.main(prog_name=prog_name)
