"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` holds the catalog's descriptor (id, name, title, rationale, fix,
default level, help URI) of every rule a result refers to, sorted by id. Rules without a result are
left out, so the file does not grow with the catalog and does not change when an unrelated rule's
documentation does. Results:

- a failure: ``kind: "fail"``, ``level`` from the rule's severity (error, warning, note);
- an unknown: ``kind: "review"`` with the reason in the message. The spec (3.27.10) says a result
  whose kind is not ``fail`` has ``level: "none"``, so that is what it gets;
- a waived failure: ``kind: "fail"`` plus ``suppressions`` with the waiver's justification;
- a pass only with ``--show-passed``: ``kind: "pass"``, ``level: "none"``.

Locations are relative URIs under ``%SRCROOT%`` (the directory cfgate ran in). The absolute path
of that directory is deliberately not written: it would make the file differ between machines and
leak the runner's layout; consumers such as GitHub resolve relative URIs against the checkout.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..models import Evaluation, RuleMeta, RunResult
from .base import ReportContext
from .fingerprint import FINGERPRINT_KEY, fingerprints
from .json import summary

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Where people learn about cfgate. Replace when the project has a public home page.
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FAMILY_TAGS = {"0": "tool", "1": "terraform", "2": "env", "3": "pool", "4": "cross-source", "9": "probes"}


def artifact_uri(file: str) -> tuple[str, bool]:
    """``(uri, relative)``: a percent-encoded relative reference, or a ``file://`` URI for an absolute path."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return "file://" + quote(path.as_posix(), safe="/"), False
    return quote(path.as_posix(), safe="/"), True


def _help_uri(meta: RuleMeta) -> str | None:
    return next((ref for ref in meta.references if ref.startswith(("https://", "http://"))), None)


def _help(meta: RuleMeta) -> dict[str, str]:
    text = [f"Fix: {meta.fix}" if meta.fix else meta.title]
    markdown = [f"**Fix:** {meta.fix}" if meta.fix else meta.title]
    if meta.references:
        text.append("References:\n" + "\n".join(f"- {ref}" for ref in meta.references))
        markdown.append("**References:**\n\n" + "\n".join(f"- {ref}" for ref in meta.references))
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.rationale},
        "help": _help(meta),
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {"severity": meta.severity, "tags": ["cfgate", *([FAMILY_TAGS[meta.family]] if meta.family in FAMILY_TAGS else [])]},
    }
    if meta.aliases:
        descriptor["deprecatedNames"] = list(meta.aliases)
    uri = _help_uri(meta)
    if uri:
        descriptor["helpUri"] = uri
    return descriptor


def _fallback_meta(e: Evaluation) -> RuleMeta:
    """A rule that produced evaluations but is missing from the catalog still needs a descriptor."""
    return RuleMeta(id=e.rule, name=e.name, title=e.name, severity=e.severity, rationale=e.name)


def _location(e: Evaluation) -> dict[str, Any]:
    uri, relative = artifact_uri(e.location.file)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    region = {"startLine": max(e.location.line, 1), "startColumn": max(e.location.column, 1)}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _suppression(e: Evaluation) -> dict[str, Any]:
    """``inSource`` for a waiver written next to the finding (a comment), ``external`` otherwise.

    The engine may describe the waiver in ``details["waiver"]``: ``{"kind": "inSource"|"external",
    "file": ..., "line": ...}``; without it the waiver is taken to live in a policy file (external).
    """
    waiver = e.details.get("waiver") if isinstance(e.details.get("waiver"), dict) else {}
    kind = "inSource" if waiver.get("kind") in ("inSource", "inline", "comment") else "external"
    suppression: dict[str, Any] = {"kind": kind, "status": "accepted"}
    if e.reason:
        suppression["justification"] = e.reason
    if isinstance(waiver.get("file"), str):
        uri, relative = artifact_uri(waiver["file"])
        artifact: dict[str, Any] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = SRCROOT
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if isinstance(waiver.get("line"), int) and waiver["line"] >= 1:
            physical["region"] = {"startLine": waiver["line"]}
        suppression["location"] = {"physicalLocation": physical}
    return suppression


def result_object(e: Evaluation, index: int, fingerprint: str) -> dict[str, Any]:
    if e.status == "unknown":
        kind, level = "review", "none"
        text = f"{e.message} (reason: {e.reason})" if e.reason else e.message
    elif e.status == "pass":
        kind, level, text = "pass", "none", e.message
    else:  # fail, and waived (a failure someone accepted)
        kind, level, text = "fail", LEVELS[e.severity], e.message
    result: dict[str, Any] = {
        "ruleId": e.rule,
        "ruleIndex": index,
        "kind": kind,
        "level": level,
        "message": {"text": text},
        "locations": [_location(e)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if e.status == "waived":
        result["suppressions"] = [_suppression(e)]
    properties: dict[str, Any] = {"status": e.status, "severity": e.severity, "subject": e.subject}
    if e.value is not None:
        properties["value"] = e.value
    if e.reason is not None and e.status == "unknown":
        properties["reason"] = e.reason
    if e.details:
        properties["details"] = e.details
    result["properties"] = properties
    return result


def render(result: RunResult, ctx: ReportContext) -> str:
    prints = fingerprints(result.evaluations)  # over every evaluation, so --show-passed never renumbers
    shown = [(e, fp) for e, fp in zip(result.evaluations, prints, strict=True) if e.status != "pass" or ctx.show_passed]
    catalog: dict[str, RuleMeta] = {}
    for e, _ in shown:
        if e.rule not in catalog:
            catalog[e.rule] = ctx.rules.get(e.rule) or _fallback_meta(e)
    ordered = sorted(catalog)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    results = [result_object(e, index[e.rule], fp) for e, fp in shown]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "cfgate",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [rule_descriptor(catalog[rule_id]) for rule_id in ordered],
        }},
        "invocations": [{"executionSuccessful": True, "properties": {"asOf": result.as_of.isoformat()}}],
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The directory cfgate ran in; result paths are relative to it."}}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"asOf": result.as_of.isoformat(), "summary": summary(result)},
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
