"""The one interface every reporter implements: a RunResult in, text out.

Reporters never filter findings and never decide exit codes; they only render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..models import RuleMeta, RunResult


@dataclass(frozen=True)
class ReportContext:
    rules: dict[str, RuleMeta] = field(default_factory=dict)  # catalog, by id
    color: bool = False
    show_passed: bool = False
    policies: tuple[tuple[str, str], ...] = ()  # (path, sha256)


Reporter = Callable[[RunResult, ReportContext], str]
