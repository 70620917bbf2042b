"""A rule's metadata: one typed record, shown by ``cfgate rules`` and ``cfgate explain``."""

from __future__ import annotations

from pydantic import Field

from .base import Model
from .result import Severity


class Example(Model):
    """A documented example, run as a test: ``files`` maps a file name to its content."""

    files: dict[str, str]
    as_of: str | None = None  # evaluation date for the example, YYYY-MM-DD
    note: str | None = None


class RuleMeta(Model):
    id: str
    name: str
    title: str
    severity: Severity
    rationale: str
    aliases: tuple[str, ...] = ()
    bad: Example | None = None
    good: Example | None = None
    fix: str | None = None
    references: tuple[str, ...] = ()
    origin: str = "builtin"  # "builtin", or the policy file that defines the rule
    family: str = Field(default="", description="first digit family, e.g. '1' for Terraform")
