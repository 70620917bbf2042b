"""The policy language, as pydantic models. ``policy/schema/policy.schema.json`` is generated from these.

A policy file lists rules. Each rule selects entities (by source kind, file glob, resource type,
resource name, env-key glob) and states one constraint about them:

- ``threshold``: an attribute compared with a bound (``>=``, ``<=``, ``in``, ``regex``, ``required``...)
  or with another attribute of the same entity (``ref``), optionally only ``when`` other checks hold;
- ``bypass``: emergency flags that must carry an expiry, within a window, and fail once it passes;
- ``relation``: a CEL expression over named, selected entities (``bind``), once per combination.

Loading a policy never executes anything from it: regexes and CEL expressions are compiled, nothing is evaluated.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field

from ..models.base import Model
from ..models.rule import Example

Globs = Union[str, list[str]]

OPERATORS = (">=", ">", "<=", "<", "==", "!=", "in", "not_in", "regex", "required", "forbidden", "between", "multiple_of")
Operator = Literal[">=", ">", "<=", "<", "==", "!=", "in", "not_in", "regex", "required", "forbidden", "between", "multiple_of"]


def as_tuple(value: Globs | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class Selector(Model):
    """Which entities a rule looks at. Every field given must match; globs use ``fnmatch`` (``*``, ``?``, ``[ab]``)."""

    source: Literal["terraform", "env", "python"] | None = Field(default=None, description="terraform, env or python")
    files: Globs | None = Field(default=None, description="glob(s) on the file path, e.g. '**/*.tf' or '.env*'")
    exclude_files: Globs | None = None
    block: Globs | None = Field(default=None, description="terraform block kind: resource, data, module, variable, locals; python pool kind")
    type: Globs | None = Field(default=None, description="terraform resource/data type, e.g. google_vpc_access_connector")
    name: Globs | None = Field(default=None, description="resource, module or pool name")
    keys: Globs | None = Field(default=None, description="env key glob(s), e.g. '*_TIMEOUT'")
    exclude_keys: Globs | None = Field(default=None, description="env key glob(s) to leave out")


class Check(Model):
    """One constraint on one attribute (or on each of several attributes)."""

    attribute: Globs = Field(default="value", description="attribute name(s); 'value' for an env entry")
    op: Operator
    value: Any = Field(default=None, description="the bound; a list for in, not_in and between")
    ref: str | None = Field(default=None, description="compare with this attribute of the same entity instead of 'value'")
    unit: Literal["duration"] | None = Field(
        default=None, description="'duration': read values like \"300s\", \"5m\" or 1500ms as seconds before comparing")


class RuleBase(Model):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,9}[0-9]{3}$", description="e.g. CFG220 or ACME001; never reused")
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="kebab-case name of the problem")
    title: str
    severity: Literal["error", "warning", "info"] = "error"
    rationale: str = ""
    fix: str | None = None
    aliases: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    bad: Example | None = None
    good: Example | None = None
    enabled: bool = True
    message: str | None = Field(
        default=None,
        description="message template; placeholders {subject} {attribute} {value} {bound} {op}",
    )
    select: Selector


class ThresholdRule(RuleBase):
    kind: Literal["threshold"]
    check: Check
    when: list[Check] = Field(default_factory=list, description="the rule applies only where all of these hold")


class BypassSpec(Model):
    enabled_values: list[str] = Field(default_factory=lambda: ["true", "1", "yes", "on"], description="case-insensitive")
    expiry_keys: Globs = Field(default_factory=lambda: ["*_EXPIRY", "*_EXPIRES", "*_UNTIL"], description="keys that carry an expiry date")
    comment_pattern: str = Field(
        default=r"(?i)\bexpires?\b\s*[:=]?\s*(?P<date>\S+)",
        description="regex on an inline comment (or the comment block above); group 'date' is the expiry",
    )
    max_window_days: int = Field(default=14, ge=0, description="an expiry further ahead than this is an error")
    warn_days: int = Field(default=3, ge=0, description="an expiry within this many days is a warning")


class BypassRule(RuleBase):
    kind: Literal["bypass"]
    bypass: BypassSpec = Field(default_factory=BypassSpec)


BindName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class RelationRule(RuleBase):
    """A CEL expression over named entities, evaluated once per combination (see ``cfgate.rules.relation``)."""

    kind: Literal["relation"]
    select: None = Field(default=None, description="not used by relation rules: 'bind' selects")  # type: ignore[assignment]
    bind: dict[BindName, Selector] = Field(
        min_length=1, description="name -> selector; each name is a CEL map of one selected entity's attributes",
        json_schema_extra={"propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}},
    )
    expr: str = Field(min_length=1, description="CEL expression over the bound names that gives a bool, e.g. 'pool.pool_size + pool.max_overflow <= 40'")
    max_combinations: int = Field(default=10000, ge=1, le=1000000, description="more combinations of bound entities than this is an error finding")
    message: str | None = Field(
        default=None,
        description="failure message template; placeholders {expr} {bindings} {subject} and {name.attribute}",
    )


Rule = Annotated[Union[ThresholdRule, BypassRule, RelationRule], Field(discriminator="kind")]


ProbeKindName = Literal["dns", "tcp", "postgres", "redis", "http"]
"""What a probe checks (the same names as ``cfgate.probes.PROBE_KINDS``; kept here so that loading a
policy does not import the probe machinery)."""


class ProbeTiming(Model):
    """How long and how often to try a probe. A field left out takes the default."""

    timeout_s: float | None = Field(
        default=None, gt=0,
        description="each attempt's timeout in seconds; default: the target's own setting (connect_timeout in its URL), "
                    "else the matching *_TIMEOUT from the configuration, else 5; always capped by max_timeout_s",
    )
    attempts: int | None = Field(default=None, ge=1, description="attempts after the warm-up (default 3)")
    warmup_s: float | None = Field(
        default=None, ge=0,
        description="keep retrying until the first success, up to this many seconds (default 45 for postgres, 60 otherwise)",
    )
    backoff_base_s: float | None = Field(default=None, ge=0, description="delay after the first failure, doubled after each (default 2)")
    backoff_max_s: float | None = Field(default=None, ge=0, description="longest delay between attempts (default 30)")
    jitter: bool | None = Field(default=None, description="draw each delay from [delay/2, delay] (default true)")


class ProbeDefaults(ProbeTiming):
    """Timing for every probe; ``warmup_s`` may also be given per kind."""

    warmup_s: float | dict[ProbeKindName, float] | None = Field(  # type: ignore[assignment]
        default=None,
        description="seconds of warm-up for every kind, or per kind, e.g. {postgres: 45, tcp: 60}",
    )


class ProbeTargetSpec(ProbeTiming):
    """A target named in the policy. It replaces a target found in the configuration under the same name."""

    name: str = Field(min_length=1, description="shown in output and matched by bypass 'probes' globs, e.g. api-health")
    kind: ProbeKindName = Field(description="dns, tcp, postgres, redis or http")
    address: str = Field(
        min_length=1,
        description="host (dns), host:port (tcp), a postgres/redis/http URL; ${KEY} takes a value from the resolved env layer",
    )
    expect_status: int | None = Field(default=None, ge=100, le=599, description="http: the status to expect (default 200)")
    timeout_key: str | None = Field(default=None, description="env key whose value is this probe's timeout, e.g. API_TIMEOUT")


class ProbeBypass(Model):
    """Bypass flags that, while valid, turn the failure of the probes they cover into a warning."""

    flags: list[str] = Field(min_length=1, description="env keys, e.g. EMERGENCY_DEVELOPMENT_MODE")
    probes: Globs = Field(default="*", description="glob(s) on probe names (DATABASE_URL, dns:db.internal, api-health)")
    kinds: list[ProbeKindName] = Field(default_factory=list, description="only probes of these kinds (default: every kind)")
    rule: str | None = Field(
        default=None,
        description="id or name of the bypass rule that judges the flags' expiry; default: the bypass rule that selects the flag",
    )


class ProbesSpec(Model):
    """The live probe stage (``cfgate probe``, ``cfgate run``): targets, timing and bypass coverage."""

    from_config: bool = Field(default=True, description="probe DATABASE_URL, REDIS_URL, CLICKHOUSE_URL, *_URL and *_HOST/*_PORT")
    dns: bool = Field(default=True, description="also resolve every host name found, as a dns probe")
    max_timeout_s: float | None = Field(default=None, gt=0, description="cap on every probe's timeout")
    deadline_s: float | None = Field(default=None, gt=0, description="bound on the whole stage; --deadline overrides it")
    defaults: ProbeDefaults = Field(default_factory=ProbeDefaults)
    targets: list[ProbeTargetSpec] = Field(default_factory=list)
    bypass: list[ProbeBypass] = Field(default_factory=list)


class WaiverPolicy(Model):
    """How waivers (``# cfgate: waive ...`` comments and ``cfgate-waivers.yaml`` records) are judged.

    Several loaded policies combine strictly: ``require_owner`` if any requires it, the smallest
    ``max_days`` and ``warn_days``, the union of ``unwaivable``.
    """

    require_owner: bool = Field(default=False, description="every waiver must name an owner (owner=platform-team)")
    max_days: int = Field(default=90, ge=0, description="a waiver's 'until' may be at most this many days after the evaluation date")
    warn_days: int = Field(default=7, ge=0, description="a waiver that expires within this many days is a warning")
    unwaivable: list[str] = Field(
        default_factory=list,
        description="rules no waiver may hide: ids, names or id prefixes (CFG210, bypass-flag-expiry, CFG2)",
    )


class Policy(Model):
    """A policy file."""

    version: Literal[1] = 1
    name: str
    description: str = ""
    rules: list[Rule] = Field(default_factory=list)
    probes: ProbesSpec = Field(default_factory=ProbesSpec, description="the live probe stage; at most one loaded policy sets it")
    waivers: WaiverPolicy = Field(default_factory=WaiverPolicy, description="how waivers are judged; every loaded policy's settings combine, strictest wins")
