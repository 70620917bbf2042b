"""What every rule is: typed metadata plus a pure function from the parsed inputs to evaluations.

Rules never read files, the environment or the network; everything they see arrives in
:class:`Context`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from ..entities import Entity
from ..linking import EnvContext
from ..models import Evaluation, Location, RuleMeta, Unknown
from ..models.pool import EnvRef
from ..redact import redact_value
from ..sources import Workspace
from ..terraform.resolve import Resolution


@dataclass(frozen=True)
class Context:
    workspace: Workspace
    entities: list[Entity]
    as_of: dt.date
    terraform: Resolution = field(default_factory=Resolution)
    env: EnvContext = field(default_factory=EnvContext)
    options: dict[str, Any] = field(default_factory=dict)


class Rule(Protocol):
    meta: RuleMeta

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]: ...


def json_value(value: Any, key: str | None = None) -> Any:
    """A value as it may appear in output: JSON-safe and redacted."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, EnvRef):
        return {"env": value.key, "default": redact_value(value.key, value.default)} if value.has_default else {"env": value.key}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_value(v, str(k)) for k, v in value.items()}
    return redact_value(key, value)


def evaluation(meta: RuleMeta, status: str, message: str, location: Location, subject: str, value: Any = None,
               *, severity: str | None = None, reason: str | None = None, key: str | None = None,
               details: dict[str, Any] | None = None) -> Evaluation:
    # model_construct: every field is built here from typed values; validating 10^5 evaluations per large run
    # costs more than the rules themselves
    return Evaluation.model_construct(
        rule=meta.id,
        name=meta.name,
        severity=severity or meta.severity,
        status=status,
        message=message,
        location=location,
        subject=subject,
        value=json_value(value, key),
        reason=reason,
        details=details or {},
    )


def show(value: Any, key: str | None = None) -> str:
    """A value as it appears inside a message."""
    value = json_value(value, key)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return value.strip()  # a number written in an env file or a string attribute
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class StageRule:
    """A catalog entry whose evaluations another stage produces (waivers after the rules, probes live).

    It carries the metadata that ``cfgate rules``, ``cfgate explain``, selection and SARIF need; evaluating it
    on its own yields nothing.
    """

    def __init__(self, meta: RuleMeta) -> None:
        self.meta = meta

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        return ()
