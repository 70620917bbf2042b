"""What a run produces: one evaluation per rule x entity, pass, fail, unknown or waived."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from .base import Model
from .location import Location

Severity = Literal["error", "warning", "info"]
Status = Literal["pass", "fail", "unknown", "waived"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class Evaluation(Model):
    rule: str  # id, e.g. CFG102
    name: str  # kebab-case rule name
    severity: Severity
    status: Status
    message: str
    location: Location
    subject: str  # e.g. google_vpc_access_connector.connector.max_instances
    value: Any = None  # JSON-safe, already redacted
    reason: str | None = None  # why a value is unknown, or why a finding was waived
    details: dict[str, Any] = Field(default_factory=dict)  # rule-specific extras (bounds, chain, attempts)

    @property
    def is_finding(self) -> bool:
        """A finding is anything a user must look at: a failure or an unknown."""
        return self.status in ("fail", "unknown")

    def sort_key(self) -> tuple:
        return (self.location.file, self.location.line, self.location.column, self.rule, self.subject, self.status)


class RunResult(Model):
    as_of: dt.date
    files: tuple[str, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()

    @property
    def findings(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.is_finding]

    def count(self, status: str, severity: str | None = None) -> int:
        return sum(1 for e in self.evaluations if e.status == status and (severity is None or e.severity == severity))
