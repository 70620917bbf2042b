"""`cfgate rules` and `cfgate explain`: the rule catalog."""

from __future__ import annotations

from typing import Annotated

import typer
import typer.core


from .app import app
from .common import Failure, FormatOpt, PolicyOpt, _catalog


@app.command("rules")
def list_rules(
    policy: PolicyOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """List every rule: id, name, severity and title."""
    import json

    catalog = _catalog(list(policy or []))
    if (fmt or "text") == "json":
        rows = [{"id": r.meta.id, "name": r.meta.name, "severity": r.meta.severity, "title": r.meta.title,
                 "aliases": list(r.meta.aliases), "origin": r.meta.origin, "enabled": r.meta.id not in catalog.disabled}
                for r in sorted(catalog.rules, key=lambda r: r.meta.id)]
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in sorted(catalog.rules, key=lambda r: r.meta.id):
        typer.echo(f"{r.meta.id}  {r.meta.severity:<7}  {r.meta.name:<52}  {r.meta.title}")


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="Rule id or name, e.g. CFG113 or vpc-connector-max-instances-out-of-range.")],
    policy: PolicyOpt = None,
) -> None:
    """Explain a rule: what it checks, why, how to fix it, and a bad and a good example."""
    catalog = _catalog(list(policy or []))
    found = [r for r in catalog.find(rule) if rule in (r.meta.id, r.meta.name, *r.meta.aliases)]
    if not found:
        raise Failure(f"no rule is named {rule!r}; `cfgate rules` lists them")
    meta = found[0].meta
    import textwrap

    def para(text: str) -> str:
        return textwrap.fill(" ".join(text.split()), width=100, initial_indent="  ", subsequent_indent="  ")

    out = [f"{meta.id} {meta.name} ({meta.severity})", "", meta.title, "", "Why this matters:", para(meta.rationale)]
    if meta.aliases:
        out[0] += f"  aliases: {', '.join(meta.aliases)}"
    if meta.fix:
        out += ["", "How to fix:", para(meta.fix)]
    for label, example in (("Bad", meta.bad), ("Good", meta.good)):
        if example is None:
            continue
        out += ["", f"{label} example" + (f" (as of {example.as_of})" if example.as_of else "") + ":"]
        for name, content in example.files.items():
            out.append(f"  # {name}")
            out += [f"  {line}" for line in content.rstrip("\n").splitlines()]
    if meta.references:
        out += ["", "References:"] + [f"  - {ref}" for ref in meta.references]
    out += ["", f"Defined in: {meta.origin}"]
    typer.echo("\n".join(out))


