"""The ``cfgate`` command line: thin commands that build settings, call the engine, render, exit.

One module per command family, registered here explicitly. Exit codes: 0 clean, 1 a finding at or
above ``--fail-on``, 2 usage, policy or input error, 3 internal error. Diagnostics go to stderr;
reports go to stdout or ``--output``.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from .. import __version__
# each module registers its commands on the app; the import order is the order `cfgate --help` lists them
from . import check  # noqa: F401, I001
from . import live  # noqa: F401
from . import audit  # noqa: F401
from . import catalog  # noqa: F401
from . import policy  # noqa: F401
from . import baseline  # noqa: F401
from .app import app
from .common import Failure

def _version(value: bool) -> None:
    if value:
        typer.echo(f"cfgate {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Config-policy gate for Terraform, .env files and DB-pool settings."""


def run() -> None:
    """Run the app and turn every error into a message and an exit code, never a traceback."""
    from ..linking import LayerError
    from ..policies.loader import PolicyError
    from ..rules.registry import UnknownSelector
    from ..sources import UsageError

    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (Failure, UsageError, PolicyError, UnknownSelector, LayerError) as exc:
        print(f"cfgate: error: {exc}", file=sys.stderr)
        sys.exit(getattr(exc, "code", 2))
    except KeyboardInterrupt:
        print("cfgate: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last net: a message, never a traceback
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(2)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        if os.environ.get("CFGATE_DEBUG"):
            raise
        print(f"cfgate: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in cfgate; set CFGATE_DEBUG=1 to see the traceback and please report it.", file=sys.stderr)
        sys.exit(3)
