"""`cfgate check`: the static gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core


from .app import app
from .common import INPUT_OPTIONS, REPORT_OPTIONS, BaselineOpt, _gate, shared_options

ChangedOnlyOpt = Annotated[bool, typer.Option(
    "--changed-only",
    help="The PATHS are changed files (as pre-commit passes them): read each with its context (its Terraform module "
         "directory, callers and local modules; its env layer; its Python package and imports) and report and fail "
         "only on findings in the changed files, or whose value was set in one.",
)]


@app.command()
@shared_options(INPUT_OPTIONS, REPORT_OPTIONS)
def check(
    shared: dict[str, Any],
    baseline: BaselineOpt = None,
    changed_only: ChangedOnlyOpt = False,
) -> None:
    """Check configuration files against the policies and exit with the gate's verdict."""
    from ..engine import run

    gate = _gate(**shared)
    from .baseline import load_for_check

    baseline_path = baseline or (Path(gate.settings.baseline) if gate.settings.baseline else None)
    known = load_for_check(baseline_path) if baseline_path is not None else None  # before the run: a bad file fails fast
    if changed_only:
        from ..changed import run_changed

        result = run_changed(gate.options, gate.rules)
    else:
        result = run(gate.options, gate.rules)
    outcome = None
    if known is not None:
        from ..baseline import apply

        result, outcome = apply(result, known, within=frozenset(result.files) if changed_only else None)
    gate.write(result, baseline=outcome)
    raise typer.Exit(gate.exit_code(result))


