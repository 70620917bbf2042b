"""Run the engine and keep what an audit needs beyond the RunResult: the workspace and every value.

The value inventory lists every attribute, env key and pool setting the parsers found, with its
effective value (Terraform evaluated, env layers linked) and its provenance. The before/after table
uses it so that a changed value no rule looks at (``pool_recycle 1800 -> 900``) is still shown,
marked as unchecked, instead of being silently left out.

Values pass through the same two nets as evaluations: redaction by key (``json_value``) and the
engine's redactor, which scrubs every secret seen in the inputs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..engine import RunOptions, context_for, evaluate_context, load, redactor_for
from ..models import RunResult, Unknown
from ..redact import Redactor
from ..rules.base import Context, Rule, json_value
from ..sources import Workspace
from .model import ValueCell


@dataclass(frozen=True)
class InventoryValue:
    """A value found in the inputs, keyed elsewhere by (file, subject).

    ``digest`` is a sha256 of the value before redaction. It is compared, never shown, so that a rotated
    password (``***`` on both sides) still counts as a changed value.
    """

    cell: ValueCell
    origins: tuple[str, ...]
    digest: str | None = None


@dataclass
class AuditRun:
    """The engine's result plus the workspace it read and the inventory of values."""

    result: RunResult
    workspace: Workspace
    values: dict[tuple[str, str], InventoryValue]


def run_for_audit(options: RunOptions, rules: list[Rule]) -> AuditRun:
    """What :func:`cfgate.engine.run` does (through the same two steps), keeping the workspace so its values can be
    listed too."""
    workspace, tf_options = load(options)
    ctx = context_for(workspace, tf_options, options)
    result = evaluate_context(ctx, rules, options.waivers)
    values = inventory(ctx)  # the same evaluated entities the rules read: nothing is resolved twice
    return AuditRun(result, workspace, values)


def inventory(ctx: Context) -> dict[tuple[str, str], InventoryValue]:
    """Every entity attribute as ``(file, subject) -> value``; subjects are the ones rules use."""
    redactor = redactor_for(ctx.workspace)
    found: dict[tuple[str, str], InventoryValue] = {}
    for entity in ctx.entities:
        for name in list(entity.attrs):
            if entity.block == "variable" and name != "default":
                continue  # type, description, validation: the declaration, not a value
            try:
                attr = entity.attrs[name]
            except Exception as exc:  # noqa: BLE001 - one attribute the evaluator cannot handle must not sink the report
                found.setdefault((entity.file, entity.attr_subject(name)), InventoryValue(
                    ValueCell("unknown", reason=f"cfgate could not evaluate it ({type(exc).__name__})", line=entity.location.line), ()))
                continue
            key_name = entity.key if entity.source == "env" else name
            cell = _cell(attr.value, key_name, attr.location.line, redactor)
            origins = tuple(redactor.scrub(str(origin)) for origin in attr.origins)
            found.setdefault((attr.location.file, entity.attr_subject(name)), InventoryValue(cell, origins, _digest(attr.value)))
    return found


def _cell(value: Any, key: str | None, line: int, redactor: Redactor) -> ValueCell:
    if isinstance(value, Unknown):
        return ValueCell("unknown", reason=redactor.scrub(value.reason), line=line)
    return ValueCell("known", value=redactor.scrub(json_value(value, key)), line=line)


def _digest(value: Any) -> str | None:
    if isinstance(value, Unknown):
        return None
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
