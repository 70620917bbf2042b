"""``threshold`` policy rules: one attribute compared with a bound or with another attribute."""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from ..entities import Attr, Entity, select
from ..models import Evaluation, RuleMeta, Unknown
from ..models.pool import EnvRef
from ..policies.model import Check, ThresholdRule, as_tuple
from .base import Context, evaluation, show

_NUMERIC_OPS = (">=", ">", "<=", "<", "between", "multiple_of")
_OP_WORDS = {">=": "at least", ">": "greater than", "<=": "at most", "<": "less than", "==": "equal to",
             "!=": "different from", "in": "one of", "not_in": "none of", "regex": "matching",
             "between": "within", "multiple_of": "a multiple of"}


class NotComparable(Exception):
    """A known value of the wrong kind for the operator (e.g. "abc" <= 300)."""


def number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise NotComparable(f"{show(value)} is a boolean, not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                parsed = float(text)
            except ValueError:
                raise NotComparable(f"{show(value)} is not a number") from None
            if math.isfinite(parsed):
                return parsed
    raise NotComparable(f"{show(value)} is not a number")


def _equal(value: Any, bound: Any) -> bool:
    if isinstance(bound, (int, float)) and not isinstance(bound, bool):
        try:
            return number(value) == bound
        except NotComparable:
            return False
    if isinstance(bound, bool) and isinstance(value, str):
        return value.strip().lower() == str(bound).lower()
    return value == bound or (isinstance(value, (int, float)) and str(value) == str(bound))


def compare(op: str, value: Any, bound: Any) -> bool:
    """Whether ``value op bound`` holds. Raises :class:`NotComparable` for a value of the wrong kind."""
    if op in (">=", ">", "<=", "<"):
        left, right = number(value), number(bound)
        return {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right}[op]
    if op == "between":
        low, high = bound
        return number(low) <= number(value) <= number(high)
    if op == "multiple_of":
        left, step = number(value), number(bound)
        return step != 0 and math.isclose(left / step, round(left / step))
    if op == "==":
        return _equal(value, bound)
    if op == "!=":
        return not _equal(value, bound)
    if op == "in":
        return any(_equal(value, item) for item in bound)
    if op == "not_in":
        return not any(_equal(value, item) for item in bound)
    if op == "regex":
        return re.search(str(bound), str(value)) is not None
    raise ValueError(f"unknown operator {op}")


def _bound_text(op: str, bound: Any) -> str:
    if op == "between":
        return f"{show(bound[0])}..{show(bound[1])}"
    if op in ("in", "not_in"):
        return ", ".join(show(item) for item in bound)
    return show(bound)


def provenance(attr: Attr) -> str:
    """`` (from var.connector_max set at staging.tfvars:3; module.vpc called at main.tf:12)``, or nothing."""
    return f" (from {'; '.join(str(o) for o in attr.origins)})" if attr.origins else ""


def unknown_reason(value: Any) -> str | None:
    if isinstance(value, Unknown):
        return f"{value.expr}: {value.reason}"
    if isinstance(value, EnvRef):
        default = f", default {show(value.default)}" if value.has_default else ", no default"
        return f"read from the environment key {value.key} at run time{default}; no env layer sets it"
    return None


_PLACEHOLDER = re.compile(r"\{(subject|attribute|value|bound|op)\}")


def fill(template: str, **values: str) -> str:
    """Substitute ``{name}`` placeholders only: no format-spec mini-language, no attribute access."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


class ThresholdPolicyRule:
    def __init__(self, meta: RuleMeta, spec: ThresholdRule) -> None:
        self.meta = meta
        self.spec = spec

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for entity in select(self.spec.select, ctx.entities):
            gate = self._precondition(entity)
            if gate is False:
                continue
            for attribute in as_tuple(self.spec.check.attribute):
                result = self._check(entity, attribute, self.spec.check, gate)
                if result is not None:
                    yield result

    def _precondition(self, entity: Entity) -> bool | str:
        """True when every ``when`` check holds, False when one fails, or the reason it is unknown."""
        for check in self.spec.when:
            for attribute in as_tuple(check.attribute):
                attr = entity.attrs.get(attribute)
                if check.op == "required":
                    if attr is None:
                        return False
                    continue
                if check.op == "forbidden":
                    if attr is not None:
                        return False
                    continue
                if attr is None:
                    return False
                reason = unknown_reason(attr.value)
                if reason:
                    return f"the condition on {attribute} is unknown: {reason}"
                try:
                    if not compare(check.op, attr.value, self._bound(entity, check)):
                        return False
                except (NotComparable, LookupError):
                    return False
        return True

    def _bound(self, entity: Entity, check: Check) -> Any:
        if check.ref is None:
            return check.value
        ref = entity.attrs.get(check.ref)
        if ref is None:
            raise LookupError(check.ref)
        return ref.value

    def _check(self, entity: Entity, attribute: str, check: Check, gate: bool | str) -> Evaluation | None:
        attr = entity.attrs.get(attribute)
        subject = entity.attr_subject(attribute)
        key = entity.key or attribute
        if attr is None:
            if check.op == "required":
                return evaluation(self.meta, "fail", f"{attribute} is required on {entity.subject} but not set",
                                  entity.location, subject)
            if check.op == "forbidden":
                return evaluation(self.meta, "pass", f"{attribute} is not set", entity.location, subject)
            return None
        if check.op == "required":
            return evaluation(self.meta, "pass", f"{attribute} is set", attr.location, subject, attr.value, key=key)
        if isinstance(gate, str):
            return evaluation(self.meta, "unknown", f"{subject}: cannot tell whether the rule applies", attr.location,
                              subject, attr.value, reason=gate, key=key)
        if check.op == "forbidden":
            return evaluation(self.meta, "fail", self._message(entity, attribute, attr, check, None), attr.location,
                              subject, attr.value, key=key)
        if check.ref is not None and entity.attrs.get(check.ref) is None:
            return None  # nothing to compare with: the rule does not apply
        reason = unknown_reason(attr.value)
        if reason:
            return evaluation(self.meta, "unknown", f"{subject} cannot be checked: its value is unknown" + provenance(attr),
                              attr.location, subject, attr.value, reason=reason, key=key,
                              details={"expr": attr.expr, "chain": list(getattr(attr.value, "chain", ()))})
        if check.ref is not None:
            ref = entity.attrs.get(check.ref)
            if ref is None:
                return None
            ref_reason = unknown_reason(ref.value)
            if ref_reason:
                return evaluation(self.meta, "unknown", f"{subject} cannot be compared with {check.ref}: its value is unknown",
                                  attr.location, subject, attr.value, reason=ref_reason, key=key)
            bound = ref.value
        else:
            bound = check.value
        value = attr.value
        if check.unit == "duration":
            from ..terraform.capacity import duration_seconds

            value = duration_seconds(value)
            if isinstance(value, Unknown):
                return evaluation(self.meta, "fail", f"{subject}: {value.reason}", attr.location, subject, attr.value, key=key)
        try:
            ok = compare(check.op, value, bound)
        except NotComparable as exc:
            return evaluation(self.meta, "fail", f"{subject}: {exc}; expected a value {_OP_WORDS[check.op]} {_bound_text(check.op, bound)}",
                              attr.location, subject, attr.value, key=key)
        if ok:
            return evaluation(self.meta, "pass", f"{subject} = {show(attr.value, key)} is {_OP_WORDS[check.op]} {_bound_text(check.op, bound)}",
                              attr.location, subject, attr.value, key=key)
        details: dict[str, Any] = {"op": check.op, "bound": bound if check.ref is None else {"ref": check.ref, "value": bound}}
        if attr.origins:
            details["origins"] = [str(o) for o in attr.origins]
        return evaluation(self.meta, "fail", self._message(entity, attribute, attr, check, bound) + provenance(attr),
                          attr.location, subject, attr.value, key=key, details=details)

    def _message(self, entity: Entity, attribute: str, attr: Attr, check: Check, bound: Any) -> str:
        text = self._text(entity, attribute, attr, check, bound)
        if entity.source == "terraform" and ("[" in entity.subject or entity.subject.startswith("module.")):
            return f"{entity.subject}: {text}"  # which instance or module call, when one block makes several
        return text

    def _text(self, entity: Entity, attribute: str, attr: Attr, check: Check, bound: Any) -> str:
        subject = entity.attr_subject(attribute)
        key = entity.key or attribute
        bound_text = _bound_text(check.op, bound) if bound is not None else ""
        if self.spec.message:
            return fill(self.spec.message, subject=subject, attribute=attribute, value=show(attr.value, key),
                        bound=bound_text, op=check.op)
        if check.op == "forbidden":
            return f"{attribute} must not be set on {entity.subject}"
        return f"{subject} = {show(attr.value, key)}: must be {_OP_WORDS[check.op]} {bound_text}"
