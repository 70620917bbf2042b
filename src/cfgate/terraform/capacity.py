"""Capacities that evaluated Terraform exposes to cross-source rules.

- a Cloud SQL instance's connection capacity: its ``max_connections`` database flag (a string in the
  provider schema) wins; otherwise the default for its tier (``policy/limits/cloud-sql.yaml``); a tier
  cfgate cannot size leaves the capacity unknown;
- a Cloud Run service's maximum instance count (default 100), request timeout (default 300 s,
  maximum 3600 s) and per-instance concurrency (default 80), for ``google_cloud_run_v2_service`` and
  ``google_cloud_run_service``.

Each figure carries where it came from: an attribute's location, or the documented default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..models import Location, TfAttribute, Unknown
from .resolve import Instance, Resolution

CLOUD_RUN_DEFAULTS = {"max_instances": 100, "timeout_s": 300, "concurrency": 80}


@dataclass(frozen=True)
class Figure:
    """A number with its provenance: ``value`` is a number or :class:`Unknown`."""

    value: Any
    source: str  # "database flag max_connections at main.tf:14", "default for tier db-custom-2-7680 (7.5 GB)"
    location: Location


@dataclass(frozen=True)
class Database:
    address: str
    location: Location
    max_connections: Figure


@dataclass(frozen=True)
class Service:
    address: str
    location: Location
    max_instances: Figure
    timeout_s: Figure
    concurrency: Figure


@lru_cache(maxsize=1)
def _cloud_sql_table() -> dict[str, Any]:
    import yaml

    from ..rules.registry import policy_dir

    return yaml.safe_load((policy_dir() / "limits" / "cloud-sql.yaml").read_text())


def _attr_source(attr: TfAttribute, what: str) -> str:
    return f"{what} at {attr.location.file}:{attr.location.line}"


def _int(value: Any) -> Any:
    if isinstance(value, Unknown) or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return Unknown(expr=repr(value), reason=f"{value!r} is not a whole number")


def duration_seconds(value: Any) -> Any:
    """``"300s"`` (Google duration) or a number of seconds -> seconds."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", str(value))
    if not match:
        return Unknown(expr=repr(value), reason=f"{value!r} is not a duration such as \"300s\"")
    number = float(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
    return int(number) if number.is_integer() else number


def database_flags(instance: Instance) -> dict[str, tuple[Any, TfAttribute]]:
    flags: dict[str, tuple[Any, TfAttribute]] = {}
    pattern = re.compile(r"^settings\.database_flags(\[\d+\])?\.name$")
    for key, attr in instance.attributes.items():
        if pattern.match(key) and isinstance(attr.value, str):
            value_attr = instance.attributes.get(key[: -len("name")] + "value")
            if value_attr is not None:
                flags[attr.value] = (value_attr.value, value_attr)
    return flags


def database(instance: Instance) -> Database:
    flags = database_flags(instance)
    if "max_connections" in flags:
        value, attr = flags["max_connections"]
        figure = Figure(_int(value), _attr_source(attr, "database flag max_connections"), attr.location)
        return Database(instance.address, instance.location, figure)
    dynamic = instance.attributes.get("settings.dynamic:database_flags")
    if dynamic is not None:
        reason = "database_flags come from a dynamic block; cfgate cannot tell whether it sets max_connections"
        figure = Figure(Unknown(expr="dynamic \"database_flags\"", reason=reason), _attr_source(dynamic, "dynamic database_flags"), dynamic.location)
        return Database(instance.address, instance.location, figure)
    tier_attr = instance.attributes.get("settings.tier")
    version_attr = instance.attributes.get("database_version")
    if tier_attr is None:
        figure = Figure(Unknown(expr="settings.tier", reason="the instance sets no tier"), "no tier", instance.location)
        return Database(instance.address, instance.location, figure)
    tier, version = tier_attr.value, version_attr.value if version_attr else None
    if isinstance(tier, Unknown) or isinstance(version, Unknown):
        unknown = tier if isinstance(tier, Unknown) else version
        return Database(instance.address, instance.location, Figure(unknown, "tier or database_version unknown", tier_attr.location))
    return Database(instance.address, instance.location, _tier_default(str(tier), str(version or ""), tier_attr))


def _tier_default(tier: str, version: str, attr: TfAttribute) -> Figure:
    table = _cloud_sql_table()
    where = _attr_source(attr, f"default for tier {tier}")
    if version.upper().startswith("MYSQL"):
        return Figure(table["mysql"]["by_tier"].get(tier, table["mysql"]["otherwise"]), where, attr.location)
    if version and not version.upper().startswith("POSTGRES"):
        return Figure(Unknown(expr=version, reason=f"cfgate has no max_connections table for {version}"), where, attr.location)
    memory = table["tier_memory_gb"].get(tier)
    custom = re.fullmatch(r"db-custom-(\d+)-(\d+)", tier)
    if memory is None and custom:
        memory = int(custom.group(2)) / 1024
    if memory is None:
        reason = f"cfgate does not know the memory of tier {tier}; set the max_connections database flag explicitly"
        return Figure(Unknown(expr=tier, reason=reason), where, attr.location)
    rows = [row for row in table["postgres"]["by_memory_gb"] if row["min_gb"] <= memory]
    return Figure(rows[-1]["max_connections"], f"{where} ({memory:g} GB)", attr.location)


def _figure(instance: Instance, keys: tuple[str, ...], default: Any, what: str, convert: Any) -> Figure:
    for key in keys:
        attr = instance.attributes.get(key)
        if attr is None:
            continue
        value = attr.value
        if key.endswith("annotations"):
            if isinstance(value, Unknown):
                return Figure(value, _attr_source(attr, what), attr.location)
            if not isinstance(value, dict) or "autoscaling.knative.dev/maxScale" not in value:
                continue
            value = value["autoscaling.knative.dev/maxScale"]
        return Figure(convert(value), _attr_source(attr, what), attr.location)
    return Figure(default, f"the Cloud Run default ({what} {default})", instance.location)


def service(instance: Instance) -> Service:
    if instance.type == "google_cloud_run_v2_service":
        max_keys, timeout_keys, conc_keys = (("template.scaling.max_instance_count",), ("template.timeout",),
                                             ("template.max_instance_request_concurrency",))
    else:
        max_keys, timeout_keys, conc_keys = (("template.metadata.annotations",), ("template.spec.timeout_seconds",),
                                             ("template.spec.container_concurrency",))
    return Service(
        instance.address, instance.location,
        _figure(instance, max_keys, CLOUD_RUN_DEFAULTS["max_instances"], "max instances", _int),
        _figure(instance, timeout_keys, CLOUD_RUN_DEFAULTS["timeout_s"], "request timeout", duration_seconds),
        _figure(instance, conc_keys, CLOUD_RUN_DEFAULTS["concurrency"], "concurrency", _int),
    )


def databases(resolution: Resolution) -> list[Database]:
    return [database(i) for i in resolution.instances if i.kind == "resource" and i.type == "google_sql_database_instance"]


def services(resolution: Resolution) -> list[Service]:
    return [service(i) for i in resolution.instances
            if i.kind == "resource" and i.type in ("google_cloud_run_v2_service", "google_cloud_run_service")]
