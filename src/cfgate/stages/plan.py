"""What the probe stage will probe: targets from the resolved env layer and from the policy.

From the configuration (``probes.from_config``), :func:`cfgate.probes.targets_from_env` reads the
env layer: ``DATABASE_URL``, ``REDIS_URL``, ``CLICKHOUSE_URL``, other ``*_URL`` and ``*_HOST``/
``*_PORT`` pairs, plus a ``dns`` probe per host name. Each target's location is the file and line
that set its key (the last setter of the layer).

From the policy (``probes.targets``), each target's ``address`` may take values from the layer as
``${KEY}`` (or ``${KEY:-default}``); one that cannot be resolved becomes an unknown evaluation, not
a guess. A policy target replaces a configuration target of the same name, keeping the timing it
does not set itself (its timeout from the URL or ``*_TIMEOUT``, for instance).

Timing, first match wins: the target's own setting, then (for the timeout) the matching
``*_TIMEOUT`` of the configuration, then ``probes.defaults``, then the seed's defaults (3 attempts,
warm-up 45 s for postgres and 60 s otherwise, 5 s timeout). Every timeout is capped at
``probes.max_timeout_s``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from ..envlayer import EnvLayer, interpolate
from ..models import Location, Unknown
from ..policies.loader import PolicyError
from ..policies.model import ProbeTargetSpec
from ..probes import (
    DEFAULT_WARMUP_S,
    ProbeTarget,
    parse_duration,
    redact_address,
    targets_from_env,
)
from ..probes.targets import (
    DEFAULT_ATTEMPTS,
    DEFAULT_BACKOFF_BASE_S,
    DEFAULT_BACKOFF_MAX_S,
    DEFAULT_TIMEOUT_S,
)
from ..rules.registry import Catalog
from ..sources import Workspace
from .bypass import Cover, Coverage, coverage
from .policy import ProbePolicy, probe_policy

Origin = Literal["config", "policy"]


@dataclass(frozen=True)
class PlannedProbe:
    """One probe to run (``target``), or one that cannot run because its address is unknown."""

    name: str
    kind: str
    location: Location
    origin: Origin
    address: str  # redacted, for display
    target: ProbeTarget | None = None
    unresolved: str | None = None  # why the address is unknown
    cover: Cover = field(default_factory=Cover)

    @property
    def where(self) -> str:
        return f"{self.location.file}:{self.location.line}"


@dataclass
class ProbePlan:
    """The probes of one stage, with the layer, policy and bypass judgement they came from."""

    probes: list[PlannedProbe]
    layer: EnvLayer | None
    policy: ProbePolicy
    coverage: Coverage
    workspace: Workspace
    as_of: dt.date

    @property
    def deadline_s(self) -> float | None:
        """The policy's stage deadline (``--deadline`` overrides it)."""
        return self.policy.spec.deadline_s

    def targets(self) -> list[ProbeTarget]:
        return [p.target for p in self.probes if p.target is not None]


def _cap(timeout: float, policy: ProbePolicy) -> float:
    cap = policy.spec.max_timeout_s
    return min(timeout, cap) if cap is not None else timeout


def _known(layer: EnvLayer | None) -> dict[str, str | Unknown | None]:
    return {} if layer is None else {key: value.value for key, value in layer.values.items()}


def _config_targets(layer: EnvLayer, policy: ProbePolicy) -> list[tuple[ProbeTarget, Location]]:
    defaults = policy.spec.defaults
    sources: dict[str, str] = {}
    locations: dict[str, Location] = {}
    for key, value in layer.values.items():
        where = f"{value.location.file}:{value.location.line}"
        sources[key] = where
        locations[where] = value.location
    targets = targets_from_env(
        layer.plain(),
        sources,
        max_timeout_s=policy.spec.max_timeout_s,
        default_timeout_s=defaults.timeout_s or DEFAULT_TIMEOUT_S,
        attempts=defaults.attempts or DEFAULT_ATTEMPTS,
        warmup_s=defaults.warmup_s,
        backoff_base_s=DEFAULT_BACKOFF_BASE_S if defaults.backoff_base_s is None else defaults.backoff_base_s,
        backoff_max_s=DEFAULT_BACKOFF_MAX_S if defaults.backoff_max_s is None else defaults.backoff_max_s,
        jitter=True if defaults.jitter is None else defaults.jitter,
        dns=policy.spec.dns,
    )
    return [(t, locations.get(t.source or "", Location(file=layer.name))) for t in targets]


def _default_warmup(kind: str, policy: ProbePolicy) -> float:
    warmup = policy.spec.defaults.warmup_s
    if isinstance(warmup, (int, float)):
        return float(warmup)
    if isinstance(warmup, dict) and kind in warmup:
        return float(warmup[kind])
    return DEFAULT_WARMUP_S[kind]  # type: ignore[index]


def _policy_target(spec: ProbeTargetSpec, index: int, base: ProbeTarget | None, layer: EnvLayer | None,
                   policy: ProbePolicy) -> PlannedProbe:
    pointer = f"/probes/targets/{index}"
    location = policy.location(pointer)
    address = interpolate(spec.address, _known(layer))
    if isinstance(address, Unknown):
        return PlannedProbe(spec.name, spec.kind, location, "policy", redact_address(spec.address),
                            unresolved=f"the address {spec.address!r} {address.reason}")
    defaults = policy.spec.defaults
    timeout = spec.timeout_s
    if timeout is None and spec.timeout_key and layer is not None:
        value = layer.get(spec.timeout_key)
        if value is not None and isinstance(value.value, str):
            timeout = parse_duration(value.value)
    if timeout is None:
        timeout = base.timeout_s if base is not None else (defaults.timeout_s or DEFAULT_TIMEOUT_S)

    def pick(own: Any, inherited: Any, default: Any, fallback: Any) -> Any:
        for candidate in (own, inherited, default):
            if candidate is not None:
                return candidate
        return fallback

    target = ProbeTarget(
        name=spec.name,
        kind=spec.kind,
        address=address,
        timeout_s=_cap(timeout, policy),
        attempts=pick(spec.attempts, base and base.attempts, defaults.attempts, DEFAULT_ATTEMPTS),
        warmup_s=pick(spec.warmup_s, base and base.warmup_s, None, _default_warmup(spec.kind, policy)),
        backoff_base_s=pick(spec.backoff_base_s, base and base.backoff_base_s, defaults.backoff_base_s, DEFAULT_BACKOFF_BASE_S),
        backoff_max_s=pick(spec.backoff_max_s, base and base.backoff_max_s, defaults.backoff_max_s, DEFAULT_BACKOFF_MAX_S),
        jitter=pick(spec.jitter, base and base.jitter, defaults.jitter, True),
        expect_status=spec.expect_status or 200,
        source=f"{location.file}:{location.line}",
    )
    return PlannedProbe(spec.name, spec.kind, location, "policy", target.redacted_address, target)


def plan_probes(workspace: Workspace, catalog: Catalog, layer: EnvLayer | None, as_of: dt.date) -> ProbePlan:
    """Every probe the stage will run for ``layer`` under the catalog's policies, with its bypass cover."""
    policy = probe_policy(catalog.policies)
    spec = policy.spec
    from_config: dict[str, tuple[ProbeTarget, Location]] = {}
    if spec.from_config and layer is not None:
        for target, location in _config_targets(layer, policy):
            from_config.setdefault(target.name, (target, location))
    explicit: dict[str, int] = {}
    for index, target_spec in enumerate(spec.targets):
        if target_spec.name in explicit:
            pointer = f"/probes/targets/{index}/name"
            raise PolicyError(policy.file or "<policy>", policy.location(pointer).line, pointer,
                              f"probe {target_spec.name!r} is named already by /probes/targets/{explicit[target_spec.name]}")
        explicit[target_spec.name] = index
    probes = [
        PlannedProbe(target.name, target.kind, location, "config", target.redacted_address, target)
        for name, (target, location) in from_config.items()
        if name not in explicit
    ]
    for index, target_spec in enumerate(spec.targets):
        base = from_config.get(target_spec.name, (None, None))[0]
        probes.append(_policy_target(target_spec, index, base, layer, policy))
    cover = coverage(spec.bypass, layer, workspace, catalog, as_of)
    probes = [
        PlannedProbe(p.name, p.kind, p.location, p.origin, p.address, p.target, p.unresolved, cover.for_probe(p.name, p.kind))
        for p in probes
    ]
    return ProbePlan(probes, layer, policy, cover, workspace, as_of)
