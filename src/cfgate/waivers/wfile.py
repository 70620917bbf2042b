"""Waiver files (``cfgate-waivers.yaml``): the same records as inline waivers, for a path glob.

::

    version: 1
    waivers:
      - path: infra/*.tf              # glob, relative to this file's directory (fnmatch: * also matches /)
        rule: CFG113                  # id, name or id prefix; or a list, or "CFG113,CFG114"
        subject: google_vpc_access_connector.*.max_instances   # optional glob on the finding's subject
        line: 5                       # optional: only findings on this line
        reason: capacity test for #1278
        until: 2025-10-01
        owner: platform-team          # required when the policy says waivers.require_owner

A record with a problem becomes a malformed waiver at its own line (rule CFG010), never an
exception and never ignored; so does a file that is not valid YAML or not this shape. Dates are
read as text (YAML's own date typing would turn 2025-02-30 into a crash) and parsed strictly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..models import Location
from .model import Waiver
from .syntax import parse_fields

DEFAULT_NAME = "cfgate-waivers.yaml"
RECORD_KEYS = ("path", "rule", "subject", "line", "reason", "until", "owner")
TOP_KEYS = ("version", "waivers")


class WaiverFileError(Exception):
    """A waiver file that cannot be read at all (missing, unreadable): a usage error."""


def load_waiver_file(path: Path, display: str | None = None, cwd: Path | None = None) -> tuple[Waiver, ...]:
    """Read a waiver file into waivers; problems become malformed waivers with the file's line."""
    import yaml

    shown = display or path.as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WaiverFileError(f"waiver file {shown}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return (_broken(shown, raw[: exc.start].count(b"\n") + 1, "the file is not UTF-8 text"),)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only: every scalar stays text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return (_broken(shown, (mark.line + 1) if mark else 1, f"not valid YAML: {problem}"),)
    if root is None:
        return ()
    if not isinstance(root, yaml.MappingNode):
        return (_broken(shown, _line(root), "a waiver file is a mapping with 'version: 1' and a 'waivers' list"),)
    base = _base(path, cwd)
    out: list[Waiver] = []
    entries: Any = None
    for key, value in root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else "?"
        if name == "version":
            if not (isinstance(value, yaml.ScalarNode) and value.value == "1"):
                out.append(_broken(shown, _line(value), "version must be 1"))
        elif name == "waivers":
            entries = value
        else:
            out.append(_broken(shown, _line(key), f"unknown key '{name}' (valid: {', '.join(TOP_KEYS)})"))
    if entries is None:
        out.append(_broken(shown, _line(root), "no 'waivers' list"))
    elif isinstance(entries, yaml.ScalarNode) and entries.value in ("", "~", "null"):
        pass  # waivers: (empty)
    elif not isinstance(entries, yaml.SequenceNode):
        out.append(_broken(shown, _line(entries), "'waivers' must be a list of records"))
    else:
        out.extend(_record(node, shown, base) for node in entries.value)
    return tuple(out)


def _record(node: Any, shown: str, base: str) -> Waiver:
    import yaml

    location = Location(file=shown, line=_line(node), column=node.start_mark.column + 1)
    if not isinstance(node, yaml.MappingNode):
        return Waiver("external", location, (), None, None, None, problems=(
            f"a waiver record is a mapping of {', '.join(RECORD_KEYS)}",))
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else "?"
        if name not in RECORD_KEYS:
            problems.append(f"unknown key '{name}' (valid: {', '.join(RECORD_KEYS)})")
        elif name in values:
            problems.append(f"'{name}' is given twice")
        else:
            values[name] = _plain(value)
    path = values.get("path")
    if not isinstance(path, str) or not path.strip():
        problems.append("missing path: a glob of the files it covers, e.g. infra/*.tf")
        path = None
    selectors = _selectors(values.get("rule"), problems)
    subject = values.get("subject")
    if subject is not None and not isinstance(subject, str):
        problems.append("subject must be text (a glob on the finding's subject)")
        subject = None
    lines: tuple[int, ...] = ()
    if "line" in values:
        line = values["line"]
        if isinstance(line, str) and line.isdigit() and int(line) >= 1:
            lines = (int(line),)
        else:
            problems.append(f"line {line!r} is not a line number")
    fields = parse_fields(values.get("until"), values.get("reason"), values.get("owner"))
    for key in ("reason", "owner", "until"):
        if isinstance(values.get(key), (list, dict)):
            problems.append(f"{key} must be text")
    return Waiver("external", location, selectors, fields.until, fields.reason, fields.owner,
                  problems=tuple(problems) + fields.problems, lines=lines, path=path, subject=subject, base=base,
                  until_text=fields.until_text)


def _selectors(rule: Any, problems: list[str]) -> tuple[str, ...]:
    if rule is None:
        problems.append("missing rule: an id, a name or an id prefix (or a list of them)")
        return ()
    items = rule if isinstance(rule, list) else [rule]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            problems.append(f"rule {item!r} is not a rule id, name or id prefix")
            continue
        for part in item.split(","):
            part = part.strip()
            if part:
                out.append(part)
            else:
                problems.append(f"an empty rule in {item!r}")
    if not out and not problems:
        problems.append("rule is empty")
    return tuple(out)


def _plain(node: Any) -> Any:
    """A composed node as plain data; scalars stay text (no YAML typing)."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    return {_plain(k): _plain(v) for k, v in node.value}


def _broken(shown: str, line: int, problem: str) -> Waiver:
    return Waiver("external", Location(file=shown, line=line), (), None, None, None, problems=(problem,))


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _base(path: Path, cwd: Path | None) -> str:
    """The run's directory relative to the waiver file's directory ('' when they are the same)."""
    here = (cwd or Path.cwd()).resolve()
    anchor = path.resolve().parent
    if here == anchor:
        return ""
    return Path(os.path.relpath(here, anchor)).as_posix()
