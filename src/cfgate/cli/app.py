"""The typer application object, shared by every command module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="cfgate",
    help="Config-policy gate: check Terraform, .env files and DB-pool settings against remediation policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(help="Work with policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
