"""The audit report: every evaluation with its provenance, the bypass and waiver registers, the
unknowns, and a before/after comparison with a git revision, rendered as self-contained HTML,
Markdown or JSON.

``collect`` gathers an :class:`~cfgate.audit.model.AuditReport`; ``render(fmt, report)`` formats it.
"""

from __future__ import annotations

from importlib import import_module

from .model import AuditReport

#: format name -> renderer module; the output file's extension picks one when --format is not given
FORMATS: dict[str, str] = {
    "html": "cfgate.audit.render_html",
    "md": "cfgate.audit.render_markdown",
    "json": "cfgate.audit.render_json",
}
ALIASES: dict[str, str] = {"markdown": "md", "htm": "html"}
EXTENSIONS: dict[str, str] = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}


def format_name(name: str) -> str | None:
    """The canonical format for a name or alias, or None."""
    name = ALIASES.get(name.lower(), name.lower())
    return name if name in FORMATS else None


def render(fmt: str, report: AuditReport) -> str:
    return import_module(FORMATS[fmt]).render(report)  # type: ignore[no-any-return]


__all__ = ["ALIASES", "EXTENSIONS", "FORMATS", "AuditReport", "format_name", "render"]
