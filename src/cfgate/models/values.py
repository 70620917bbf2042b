"""Values cfgate reads: literals, and explicit Unknowns that carry why they are unknown.

An unknown value is a result, never a guess. ``Unknown`` carries the source expression text
and the reason it could not be resolved; ``chain`` lists the steps that led there
(``var.connector_max -> no value in any tfvars``) so messages can show them.
"""

from __future__ import annotations

from typing import Any

from .base import Model
from .location import Location


class Unknown(Model):
    """A value cfgate cannot resolve. Never compared, never range-checked."""

    expr: str
    reason: str
    chain: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"unknown ({self.expr}: {self.reason})"


class Origin(Model):
    """One step of a value's provenance: what set it, and where."""

    what: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.what} at {self.location.file}:{self.location.line}" if self.location else self.what


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)
