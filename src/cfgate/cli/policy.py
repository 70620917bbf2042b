"""`cfgate policy validate|schema`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
import typer.core


from .app import policy_app


@policy_app.command("validate")
def policy_validate(files: Annotated[list[Path], typer.Argument(help="Policy files to validate.")]) -> None:
    """Validate policy files against the schema; exit 2 with file:line and the bad key if one is invalid."""
    from ..policies.loader import load_policy

    for file in files:
        loaded = load_policy(file)
        typer.echo(f"{file}: ok ({len(loaded.policy.rules)} rules, sha256 {loaded.sha256[:12]})")


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the policy file JSON Schema."""
    from ..policies.loader import dump_schema

    sys.stdout.write(dump_schema())


