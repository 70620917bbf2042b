"""`cfgate baseline create`: record today's findings so that `cfgate check --baseline` fails only on new ones."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .app import app
from .common import (
    INPUT_OPTIONS, shared_options,
    Failure,
    _gate,
)

baseline_app = typer.Typer(help="Record known findings, so that check fails only on new ones.", no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")

BaselineOutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar="FILE",
    help="Where to write the baseline (atomically; '-' for stdout). Default: the 'baseline' setting, else cfgate-baseline.json.",
)]


def load_for_check(path: Path) -> object:
    """Read a baseline for ``check --baseline``: a missing or corrupt file is a usage error (exit 2)."""
    from ..baseline import BaselineError, load
    from ..sources import display_path

    try:
        return load(path, display_path(path))
    except BaselineError as exc:
        raise Failure(str(exc)) from None


@baseline_app.command("create")
@shared_options(INPUT_OPTIONS)
def create(
    shared: dict[str, Any],
    output: BaselineOutputOpt = None,
) -> None:
    """Run the same check as `cfgate check` and record every finding it reports (fail or unknown, any severity;
    waived ones are not recorded) by fingerprint: rule + file + subject + value, not the line."""
    from ..baseline import DEFAULT_NAME, dumps
    from ..baseline import create as create_baseline
    from ..engine import run
    from ..fsutil import atomic_write
    from ..sources import display_path

    gate = _gate(**shared, fmt="text", fail_on="never", fail_on_unknown=False)
    target = output or Path(gate.settings.baseline or DEFAULT_NAME)
    result = run(gate.options, gate.rules)
    document = create_baseline(result)
    text = dumps(document)
    count = len(document["findings"])
    if str(target) == "-":
        sys.stdout.write(text)
    else:
        try:
            atomic_write(target, text)
        except OSError as exc:
            raise Failure(f"cannot write the baseline to {target}: {exc.strerror or exc}") from None
        print(f"cfgate: recorded {count} finding{'s' if count != 1 else ''} in {display_path(target)} "
              f"(as of {document['as_of']}); check with: cfgate check --baseline {display_path(target)}", file=sys.stderr)
    raise typer.Exit(0)
