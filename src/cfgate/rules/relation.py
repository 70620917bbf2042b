"""``relation`` policy rules: a CEL expression over named, selected entities.

A relation rule binds names to selectors and states one boolean CEL expression over them::

    bind:
      pool: {source: python, name: DatabaseManager}
      env: {source: env, keys: DATABASE_POOL_SIZE}
    expr: "int(env.value) == pool.pool_size"

The expression is evaluated once per combination of bound entities (the cartesian product of the
selections, capped by ``max_combinations``). Each name is a CEL map of the entity's attributes plus
``file``, ``source``, ``subject``, ``name``, ``key``, ``type`` and ``block`` where the entity has them
(an attribute of the same name wins).

Values, converted the same way every time:

- Python and Terraform numbers keep the type they were written with: an integer is a CEL ``int``, a
  number with a decimal point or an exponent is a ``double``. An env value, always text, becomes a
  number when it is written as one (``50`` -> int, ``30.5`` or ``1e3`` -> double); ``050``, ``0x10``,
  `` 50`` and ``inf`` stay strings. CEL compares int with double (``pool.pool_timeout < 30.5``) but
  never mixes them in arithmetic: write ``double(x)`` (or ``int(x)``) for that.
- A key set without ``=`` in an env file has no ``value`` attribute.

Outcomes per combination:

- ``pass`` or ``fail`` from the expression's bool;
- ``unknown`` (naming each ``name.attr`` and why) when an attribute the expression uses is an
  ``Unknown`` or an ``EnvRef``; never a guess;
- no evaluation at all when an attribute it needs is missing: CEL's ``no such key`` error (which
  ``||`` and ``&&`` absorb as CEL specifies), or, when something else is unknown too, an attribute
  it names without a ``has(name.attr)`` guard, since knowing the unknown would not make it apply;
- an error finding (``fail`` at severity ``error``) for a result that is not a bool or any other
  evaluation error, such as int + double.

Values of secret-like keys (an env entry's key, or the attribute name) never reach a message.
"""

from __future__ import annotations

import decimal
import itertools
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import cel
from ..entities import Entity, select
from ..models import Evaluation, Location, RuleMeta, Unknown
from ..models.pool import EnvRef
from ..policies.model import RelationRule
from ..redact import MASK, is_secret_key, redact_value
from .base import Context, evaluation, show
from .threshold import unknown_reason

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_ENV_INT = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")
_ENV_DOUBLE = re.compile(r"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)")
_META_FIELDS = ("file", "source", "subject", "name", "key", "type", "block")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")
_FIXED_PLACEHOLDERS = ("expr", "bindings", "subject")
NOT_SET = "not set"


def env_number(text: str) -> int | float | str:
    """An env value written as a number becomes one (int, or double); anything else stays text."""
    if _ENV_INT.fullmatch(text):
        number = int(text)
        return number if INT64_MIN <= number <= INT64_MAX else float(number)
    if any(c.isdigit() for c in text) and _ENV_DOUBLE.fullmatch(text):
        parsed = float(text)
        return parsed if math.isfinite(parsed) else text
    return text


def cel_value(value: Any) -> Any:
    """A parsed value as the CEL library takes it: bool, int (int64), double, string, null, list or map."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if INT64_MIN <= value <= INT64_MAX else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, numbers.Integral):
        return cel_value(int(value))
    if isinstance(value, numbers.Real):  # fractions and other real types: a double
        return float(value)
    if isinstance(value, decimal.Decimal):  # "4" is an int, "4.0" a double, as written
        exponent = value.as_tuple().exponent
        return cel_value(int(value)) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, (list, tuple)):
        return [cel_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): cel_value(item) for key, item in value.items()}
    is_integer = getattr(value, "is_integer", None)
    if callable(is_integer) and hasattr(value, "__float__"):  # numeric types such as fractions or Terraform numbers
        return cel_value(int(value)) if is_integer() else float(value)
    return str(value)


def _unknown_inside(value: Any) -> Any:
    """The first Unknown or EnvRef in a value (itself, or nested in a list or map), else None."""
    if isinstance(value, (Unknown, EnvRef)):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found = _unknown_inside(item)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Bound:
    """One entity as a CEL map, with what evaluation and messages need to know about it."""

    entity: Entity
    variables: dict[str, Any]  # the CEL map
    unknown: dict[str, str]  # attribute -> why it is unknown (left out of the map)

    @classmethod
    def of(cls, entity: Entity) -> Bound:
        variables: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        for attr_name, attr in entity.attrs.items():
            found = _unknown_inside(attr.value)
            if found is not None:
                unknown[attr_name] = unknown_reason(found) or str(found)
            elif entity.source == "env" and attr_name == "value":
                if attr.value is not None:  # `KEY` alone, without '=', has no value
                    variables[attr_name] = env_number(attr.value) if isinstance(attr.value, str) else cel_value(attr.value)
            else:
                variables[attr_name] = cel_value(attr.value)
        for field_name in _META_FIELDS:
            field_value = getattr(entity, field_name)
            if field_value is not None and field_name not in entity.attrs:
                variables[field_name] = field_value
        return cls(entity, variables, unknown)

    def secret_key(self, attr: str) -> str:
        """The key that decides whether an attribute's value is secret: an env entry's own key."""
        return self.entity.key if self.entity.source == "env" and attr == "value" and self.entity.key else attr

    def shown(self, attr: str) -> str:
        """An attribute's value as it may appear in a message."""
        if attr in self.unknown:
            return "unknown"
        if attr not in self.variables:
            return NOT_SET
        key = self.secret_key(attr)
        if is_secret_key(key):
            return MASK
        raw = self.entity.attrs[attr].value if attr in self.entity.attrs else self.variables[attr]
        return show(raw, key)

    def secrets(self) -> list[str]:
        """Text values of secret-like attributes, to scrub out of library error messages."""
        out = []
        for attr in self.variables:
            value = self.variables[attr]
            if is_secret_key(self.secret_key(attr)) and isinstance(value, (str, int, float)) and len(str(value)) >= 4:
                out.append(str(value))
        return out


def check_relation(rule: RelationRule) -> tuple[str, str] | None:
    """A static problem of a relation rule as (JSON pointer below the rule, message), or None.

    Compiles the expression, so a missing CEL library is reported here too (at policy load time).
    """
    names = list(rule.bind)
    for name in names:
        if name in cel.RESERVED:
            return f"bind/{name}", f"'{name}' is a reserved word in CEL; choose another name"
    try:
        cel.compile_expression(rule.expr)
        unbound = cel.unbound_names(rule.expr, names)
    except cel.CelUnavailable as exc:
        return "expr", str(exc)
    except cel.CelSyntaxError as exc:
        return "expr", f"invalid CEL expression: {exc}"
    if unbound:
        return "expr", (f"the expression uses {', '.join(unbound)}, which no 'bind' entry defines "
                        f"(bound: {', '.join(names)})")
    if rule.message:
        for match in _PLACEHOLDER.finditer(rule.message):
            token = match.group(1)
            if token in _FIXED_PLACEHOLDERS or ("." in token and token.split(".", 1)[0] in names):
                continue
            valid = [f"{{{p}}}" for p in _FIXED_PLACEHOLDERS] + [f"{{{n}.<attribute>}}" for n in names]
            return "message", f"unknown placeholder {{{token}}} in a relation message (valid: {', '.join(valid)})"
    return None


class RelationPolicyRule:
    """Evaluates a :class:`RelationRule` once per combination of bound entities."""

    def __init__(self, meta: RuleMeta, spec: RelationRule) -> None:
        self.meta = meta
        self.spec = spec
        self.names = list(spec.bind)
        self.references = cel.references(spec.expr, self.names)
        self.guarded = cel.guarded(spec.expr, self.names)
        self.program = cel.compile_expression(spec.expr)

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        selections = [list(select(selector, ctx.entities)) for selector in self.spec.bind.values()]
        if not all(selections):
            return
        total = math.prod(len(found) for found in selections)
        if total > self.spec.max_combinations:
            yield self._too_many(selections, total)
            return
        converted: dict[int, Bound] = {}
        for combination in itertools.product(*selections):
            bound = {}
            for name, entity in zip(self.names, combination, strict=True):
                if id(entity) not in converted:
                    converted[id(entity)] = Bound.of(entity)
                bound[name] = converted[id(entity)]
            result = self._evaluate(bound)
            if result is not None:
                yield result

    def _evaluate(self, bound: dict[str, Bound]) -> Evaluation | None:
        unknown = [ref for ref in self.references if ref.attr in bound[ref.name].unknown]
        if unknown:
            if any(ref.attr not in bound[ref.name].variables and ref.attr not in bound[ref.name].unknown
                   and ref not in self.guarded for ref in self.references):
                return None  # knowing the unknown would not help: another attribute it needs is not set
            first = bound[unknown[0].name].entity.attrs[unknown[0].attr]
            reason = "; ".join(f"{ref} is unknown: {bound[ref.name].unknown[ref.attr]}" for ref in unknown)
            verb = "is" if len(unknown) == 1 else "are"
            return self._result(bound, "unknown", f"{self.spec.expr} cannot be evaluated for {self._subject(bound)}: "
                                f"{', '.join(map(str, unknown))} {verb} unknown", first.location, reason=reason)
        try:
            outcome = cel.execute(self.program, {name: item.variables for name, item in bound.items()})
        except cel.MissingKey as exc:
            dynamic_unknown = [f"{name}.{exc.key}" for name, item in bound.items() if exc.key in item.unknown]
            if dynamic_unknown:
                name = dynamic_unknown[0].split(".", 1)[0]
                reason = f"{dynamic_unknown[0]} is unknown: {bound[name].unknown[exc.key]}"
                return self._result(bound, "unknown", f"{self.spec.expr} cannot be evaluated for {self._subject(bound)}: "
                                    f"{dynamic_unknown[0]} is unknown", bound[name].entity.attrs[exc.key].location, reason=reason)
            if any(exc.key not in item.variables for item in bound.values()):
                return None  # an attribute the expression needs is not set: the rule does not apply
            return self._error(bound, f"no such key '{exc.key}'")
        except cel.CelEvalError as exc:
            return self._error(bound, str(exc))
        if not isinstance(outcome, bool):
            kind = type(outcome).__name__
            return self._error(bound, f"the expression gave {self._scrub(show(outcome), bound)} ({kind}), not a bool")
        if outcome:
            return self._result(bound, "pass", f"{self.spec.expr} holds for {self._subject(bound)}{self._values(bound)}",
                                self._location(bound))
        return self._result(bound, "fail", self._fail_message(bound), self._location(bound))

    def _fail_message(self, bound: dict[str, Bound]) -> str:
        if not self.spec.message:
            return f"{self.spec.expr} is false for {self._subject(bound)}{self._values(bound)}"

        def fill(match: re.Match[str]) -> str:
            token = match.group(1)
            if token == "expr":
                return self.spec.expr
            if token == "bindings":
                return self._bindings(bound)
            if token == "subject":
                return self._subject(bound)
            name, _, attr = token.partition(".")
            return bound[name].shown(attr) if name in bound and attr else match.group(0)

        return _PLACEHOLDER.sub(fill, self.spec.message)

    def _bindings(self, bound: dict[str, Bound]) -> str:
        """``pool.pool_size=50 (DATABASE_POOL_SIZE in .env:3, default 25 in db.py:7), pool.max_overflow=50``."""
        parts = []
        for ref in self.references:
            text = f"{ref}={bound[ref.name].shown(ref.attr)}"
            chain = self._chain(bound, ref)
            parts.append(f"{text} ({', '.join(chain)})" if chain else text)
        return ", ".join(parts)

    @staticmethod
    def _chain(bound: dict[str, Bound], ref: cel.Reference) -> list[str]:
        """Where a value came from (env layers, code defaults, Terraform variables), when it was followed."""
        attr = bound[ref.name].entity.attrs.get(ref.attr)
        return [str(origin) for origin in attr.origins] if attr is not None else []

    def _values(self, bound: dict[str, Bound]) -> str:
        text = self._bindings(bound)
        return f" ({text})" if text else ""

    def _subject(self, bound: dict[str, Bound]) -> str:
        return ", ".join(f"{name}={item.entity.subject}" for name, item in bound.items())

    def _location(self, bound: dict[str, Bound]) -> Location:
        """Where the first attribute the expression uses is set, else where the first bound entity is."""
        for ref in self.references:
            attr = bound[ref.name].entity.attrs.get(ref.attr)
            if attr is not None:
                return attr.location
        return next(iter(bound.values())).entity.location

    def _scrub(self, text: str, bound: dict[str, Bound]) -> str:
        for secret in sorted({s for item in bound.values() for s in item.secrets()}, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def _details(self, bound: dict[str, Bound]) -> dict[str, Any]:
        return {
            "expr": self.spec.expr,
            "bindings": {name: {"subject": item.entity.subject, "file": item.entity.file, "line": item.entity.location.line}
                         for name, item in bound.items()},
            "values": {str(ref): self._json(bound[ref.name], ref.attr) for ref in self.references},
        } | ({"origins": origins} if (origins := {str(ref): chain for ref in self.references
                                                   if (chain := self._chain(bound, ref))}) else {})

    @staticmethod
    def _json(item: Bound, attr: str) -> Any:
        if attr in item.unknown or attr not in item.variables:
            return None
        key = item.secret_key(attr)
        return MASK if is_secret_key(key) else redact_value(key, item.variables[attr])

    def _result(self, bound: dict[str, Bound], status: str, message: str, location: Location,
                *, reason: str | None = None, severity: str | None = None, extra: dict[str, Any] | None = None) -> Evaluation:
        details = self._details(bound) | (extra or {})
        return evaluation(self.meta, status, message, location, self._subject(bound), details["values"] or None,
                          severity=severity, reason=reason, details=details)

    def _error(self, bound: dict[str, Bound], problem: str) -> Evaluation:
        """A broken evaluation: an error finding whatever the rule's severity, since nothing was checked."""
        problem = self._scrub(problem, bound)
        return self._result(bound, "fail", f"{self.spec.expr} cannot be evaluated for {self._subject(bound)}: {problem}",
                            self._location(bound), severity="error", extra={"error": problem})

    def _too_many(self, selections: list[list[Entity]], total: int) -> Evaluation:
        counts = " x ".join(f"{len(found)} {name}" for name, found in zip(self.names, selections, strict=True))
        first = selections[0][0]
        return evaluation(
            self.meta, "fail",
            f"{self.spec.expr} not evaluated: bind selects {counts} = {total} combinations, more than "
            f"max_combinations ({self.spec.max_combinations}); narrow the selectors",
            first.location, ", ".join(self.names), severity="error",
            details={"expr": self.spec.expr, "combinations": total, "max_combinations": self.spec.max_combinations},
        )
