"""Load policy files: YAML or JSON -> JSON Schema -> typed :class:`Policy`.

Errors name the file, the line, the bad key as a JSON pointer and the valid choices, so that a
typo in a policy is found at once. Nothing in a policy is executed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import Policy

RULE_KINDS = ("threshold", "bypass", "relation")


class PolicyError(Exception):
    """An invalid policy file; ``str()`` is the full user-facing message."""

    def __init__(self, file: str, line: int, pointer: str, problem: str, choices: list[str] | None = None) -> None:
        self.file, self.line, self.pointer, self.problem, self.choices = file, line, pointer, problem, choices or []
        text = f"{file}:{line}: invalid policy at {pointer or '/'}: {problem}"
        if self.choices:
            text += f" (valid: {', '.join(self.choices)})"
        super().__init__(text)


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    path: str
    sha256: str


def schema() -> dict[str, Any]:
    """The JSON Schema of a policy file, generated from the models."""
    generated = Policy.model_json_schema()
    generated["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    generated["$id"] = "https://cfgate.dev/schema/policy.schema.json"
    return generated


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def load_policy(path: str | Path, display: str | None = None) -> LoadedPolicy:
    import hashlib

    import yaml

    shown = display or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError(shown, 1, "", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyError(shown, line, "", "the file is not UTF-8 text") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: policy loading is on every run
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(shown, (mark.line + 1) if mark else 1, "", f"not valid YAML/JSON: {problem}") from None
    lines = _Lines(text, loader)
    if not isinstance(data, dict):
        raise PolicyError(shown, 1, "", "a policy file must be a mapping with 'version', 'name' and 'rules'")
    from pydantic import ValidationError

    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        # The JSON Schema names the bad key, its line and the valid choices better than pydantic does;
        # it runs only for an invalid policy, so a valid one never pays for it.
        _check_schema(shown, data, lines)
        first = exc.errors()[0]
        pointer = "/" + "/".join(str(part) for part in first["loc"])
        raise PolicyError(shown, _line_for(pointer, lines), pointer, first["msg"]) from None
    _check_regexes(shown, policy, lines)
    _check_relations(shown, policy, lines)
    return LoadedPolicy(policy=policy, path=shown, sha256=hashlib.sha256(raw).hexdigest())


def _check_schema(file: str, data: dict[str, Any], lines: dict[str, int]) -> None:
    from jsonschema.exceptions import best_match

    # Pick each rule's own schema by its 'kind', so errors are about that rule, not a union of all kinds.
    errors = list(_validator().iter_errors(data))
    if not errors:
        return
    error = _narrow(best_match(errors, key=_relevance))
    pointer = "/" + "/".join(str(part) for part in error.absolute_path) if error.absolute_path else ""
    problem, choices, pointer = _describe(error, pointer)
    raise PolicyError(file, _line_for(pointer, lines), pointer, problem, choices)


def _narrow(error: Any) -> Any:
    """For a rule of a known kind, report the error inside that kind's schema, not the union's."""
    from jsonschema.exceptions import best_match

    while error.validator in ("oneOf", "anyOf") and isinstance(error.instance, dict) and error.context:
        mapping = (error.schema.get("discriminator") or {}).get("mapping", {})
        target = mapping.get(error.instance.get("kind"))
        branches = [i for i, branch in enumerate(error.schema.get(error.validator, [])) if branch.get("$ref") == target]
        if not branches:
            break
        inner = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == branches[0]]
        if not inner:
            break
        error = best_match(inner, key=_relevance)
    return error


def _relevance(error: Any) -> tuple[int, int]:
    return (-len(error.absolute_path), 0 if error.validator in ("oneOf", "anyOf") else 1)


def _describe(error: Any, pointer: str) -> tuple[str, list[str], str]:
    schema_ = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema_.get("properties", {})))
        key = extra[0] if extra else "?"
        return f"unknown key '{key}'", sorted(schema_.get("properties", {})), f"{pointer}/{key}"
    if error.validator == "type" and schema_.get("type") == "null" and schema_.get("description"):
        return str(schema_["description"]), [], pointer  # a key this rule kind does not use
    if error.validator in ("enum", "const"):
        options = schema_.get("enum") or [schema_.get("const")]
        return f"{error.instance!r} is not allowed", [str(o) for o in options], pointer
    if error.validator == "required":
        return error.message.replace("'", "'"), sorted(schema_.get("properties", {})), pointer
    if error.validator in ("oneOf", "anyOf") and isinstance(error.instance, dict) and "kind" in error.instance:
        return f"unknown rule kind {error.instance.get('kind')!r}", list(RULE_KINDS), pointer + "/kind"
    if error.validator in ("oneOf", "anyOf") and isinstance(error.instance, dict):
        return "a rule needs 'kind'", list(RULE_KINDS), pointer
    return error.message, [], pointer


def _check_relations(file: str, policy: Policy, lines: dict[str, int]) -> None:
    """Compile every relation rule's CEL expression (loading the CEL library only if there is one)."""
    if not any(rule.kind == "relation" for rule in policy.rules):
        return
    from ..rules.relation import check_relation

    for index, rule in enumerate(policy.rules):
        if rule.kind != "relation":
            continue
        problem = check_relation(rule)
        if problem is not None:
            where, text = problem
            pointer = f"/rules/{index}/{where}"
            raise PolicyError(file, _line_for(pointer, lines), pointer, text)


def _check_regexes(file: str, policy: Policy, lines: dict[str, int]) -> None:
    for index, rule in enumerate(policy.rules):
        checks = [("check", rule.check)] if rule.kind == "threshold" else []
        checks += [(f"when/{i}", c) for i, c in enumerate(getattr(rule, "when", []))]
        for where, check in checks:
            if check.op == "regex":
                _compile(file, lines, f"/rules/{index}/{where}/value", str(check.value))
            if check.op in ("in", "not_in", "between") and not isinstance(check.value, list):
                pointer = f"/rules/{index}/{where}/value"
                raise PolicyError(file, _line_for(pointer, lines), pointer, f"'{check.op}' needs a list value")
            if check.op not in ("required", "forbidden") and check.value is None and check.ref is None:
                pointer = f"/rules/{index}/{where}"
                raise PolicyError(file, _line_for(pointer, lines), pointer, f"'{check.op}' needs 'value' or 'ref'")
        if rule.kind == "bypass":
            _compile(file, lines, f"/rules/{index}/bypass/comment_pattern", rule.bypass.comment_pattern)
    seen: dict[str, int] = {}
    for index, rule in enumerate(policy.rules):
        for token in (rule.id, rule.name, *rule.aliases):
            if token in seen:
                pointer = f"/rules/{index}/id"
                raise PolicyError(file, _line_for(pointer, lines), pointer, f"'{token}' is used by rule {seen[token]} already")
            seen[token] = index


def _compile(file: str, lines: dict[str, int], pointer: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise PolicyError(file, _line_for(pointer, lines), pointer, f"invalid regular expression: {exc}") from None


def _line_for(pointer: str, lines: dict[str, int]) -> int:
    while pointer:
        if pointer in lines:
            return lines[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return lines.get("", 1)


class _Lines(dict):
    """JSON pointer -> line, composed from the YAML only when an error needs a line."""

    def __init__(self, text: str, loader: Any) -> None:
        super().__init__()
        self._text, self._loader, self._ready = text, loader, False

    def _fill(self) -> None:
        if not self._ready:
            import yaml

            self._ready = True
            self.update(_pointer_lines(yaml.compose(self._text, Loader=self._loader)))

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __getitem__(self, key: str) -> int:
        self._fill()
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._fill()
        return super().get(key, default)


def _pointer_lines(node: Any, pointer: str = "") -> dict[str, int]:
    """Map each JSON pointer in a composed YAML document to its 1-based line."""
    import yaml

    out: dict[str, int] = {}
    if node is None:
        return out
    out[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{pointer}/{key.value}"
            out.update(_pointer_lines(value, child))
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            out.update(_pointer_lines(value, f"{pointer}/{index}"))
    return out


def dump_schema() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"
