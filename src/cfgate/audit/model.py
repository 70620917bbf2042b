"""The audit report as data: one typed record that the HTML, Markdown and JSON renderers all read.

Everything here is already redacted and JSON-safe (values come from evaluations, which the engine
scrubs, or from the value inventory, which is scrubbed with the same redactor). Renderers only
format; they never filter or decide.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ValueState = Literal["known", "unknown", "absent"]


@dataclass(frozen=True)
class ValueCell:
    """One side of a value: known (with its redacted value), unknown (with the reason), or absent (not set)."""

    state: ValueState
    value: Any = None
    reason: str | None = None
    line: int | None = None  # where it is set, on its side


@dataclass(frozen=True)
class Policy:
    path: str
    sha256: str


@dataclass(frozen=True)
class ActiveRule:
    id: str
    name: str
    severity: str
    origin: str


@dataclass(frozen=True)
class InputFile:
    file: str
    sha256: str | None  # None when the file could not be read for hashing
    bytes: int | None


@dataclass(frozen=True)
class RunInfo:
    """How the run was made: enough to repeat it."""

    paths: tuple[str, ...]
    excludes: tuple[str, ...]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    fail_on: str
    fail_on_unknown: bool
    env_layer: str | None
    var_files: tuple[str, ...]
    variables: tuple[str, ...]  # names only: a --var value may be a secret


@dataclass(frozen=True)
class Verdict:
    exit_code: int  # what `cfgate check` with the same options returns (0 or 1)
    summary: dict[str, int]


@dataclass(frozen=True)
class AuditEvaluation:
    rule: str
    name: str
    severity: str
    status: str
    message: str
    file: str
    line: int
    column: int
    subject: str
    value: Any
    reason: str | None
    details: dict[str, Any]
    origins: tuple[str, ...]  # provenance of the value: env layers, defaults, Terraform variables
    fingerprint: str


@dataclass(frozen=True)
class BypassEntry:
    """One bypass flag, from a bypass rule's evaluation (CFG210 in the default policy)."""

    flag: str
    file: str
    line: int
    value: Any
    rule: str
    status: str
    state: str  # off | active | expiring soon | overdue | beyond the allowed window | no expiry | unreadable expiry | waived
    expiry: str | None  # ISO date, or the raw text when it cannot be read
    expiry_date: str | None  # ISO date when readable
    expiry_source: str | None
    days_left: int | None  # negative when overdue
    message: str


@dataclass(frozen=True)
class WaivedFinding:
    rule: str
    file: str
    line: int
    subject: str


@dataclass(frozen=True)
class WaiverEntry:
    """One waiver: its record, the findings it hides and what the waiver checks say about it."""

    id: str
    kind: str | None
    file: str | None
    line: int | None
    rules: tuple[str, ...]
    owner: str | None
    reason: str | None
    until: str | None
    until_date: str | None
    days_left: int | None
    states: tuple[str, ...]  # active, unused, expired, expiring-soon, malformed... (the CFG01x rule names), baseline
    hides: tuple[WaivedFinding, ...]
    problems: tuple[str, ...]  # messages of the waiver checks (CFG010-CFG019) about it
    fixed: tuple[WaivedFinding, ...] = ()  # for a baseline: its recorded findings that no longer occur


@dataclass(frozen=True)
class WaiverRegister:
    checked: bool  # whether any waiver rule (CFG010-CFG019) ran
    waivers: tuple[WaiverEntry, ...] = ()


@dataclass(frozen=True)
class UnknownEntry:
    rule: str
    name: str
    file: str
    line: int
    subject: str
    reason: str
    message: str


@dataclass(frozen=True)
class ValueChange:
    """A value that differs between the base and the head, matched by file and subject."""

    file: str
    subject: str
    before: ValueCell
    after: ValueCell
    change: str  # "+100%", "-25%", "added", "removed", "changed", "unknown before", "from 0"...
    percent: float | None  # only when both sides are numbers in the same unit and the base is not 0
    before_number: float | None
    after_number: float | None
    unit: str
    rules: tuple[str, ...]  # rules that evaluated the value on either side; empty: no rule looks at it
    base_file: str | None = None  # when the value moved to another file


@dataclass(frozen=True)
class FindingChange:
    rule: str
    name: str
    severity: str
    file: str
    line: int
    subject: str
    value: Any
    message: str
    status_before: str | None
    status_after: str | None
    fingerprint: str
    note: str | None = None  # e.g. "still fails with the new value 100"


@dataclass(frozen=True)
class InputChange:
    file: str
    before: str | None  # sha256 on the base side
    after: str | None
    change: Literal["added", "removed", "modified", "unchanged"]


@dataclass(frozen=True)
class Comparison:
    ref: str
    commit: str
    values: tuple[ValueChange, ...]
    new: tuple[FindingChange, ...]
    fixed: tuple[FindingChange, ...]
    unchanged: tuple[FindingChange, ...]
    inputs: tuple[InputChange, ...]
    base_summary: dict[str, int]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditReport:
    tool: str
    version: str
    as_of: str
    policy_set_sha256: str
    policies: tuple[Policy, ...]
    rules: tuple[ActiveRule, ...]
    run: RunInfo
    verdict: Verdict
    inputs: tuple[InputFile, ...]
    evaluations: tuple[AuditEvaluation, ...]
    bypasses: tuple[BypassEntry, ...]
    waivers: WaiverRegister
    unknowns: tuple[UnknownEntry, ...]
    comparison: Comparison | None = None
    schema_version: int = field(default=1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON renderer (tuples become lists)."""
        return asdict(self)
