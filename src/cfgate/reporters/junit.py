"""``--format junit``: JUnit XML for CI test views (GitLab, Jenkins, Azure, test-reporter actions).

Every evaluation is a test case: a pass passes, a failure has ``<failure>``, an unknown is
``<skipped>`` with the reason, a waived failure is ``<skipped>`` with the justification.

Test suites are grouped per rule, not per file. A rule is the test and each entity it checked is
a parametrised case of it (as ``test_x[param]`` is in pytest), so a suite reads "CFG113 checked 4
connectors, 1 failed", the suite set is the same from run to run while files come and go, and a
CI view's per-suite history follows one rule. The file and line stay on every case (``file`` and
``line`` attributes, and in the name) so nothing is lost for a reader who thinks in files.

Case names are ``<rule> <subject> (<file>:<line>)`` and unique in the report: a repeat gets
`` #2``, `` #3``. There is no ``time`` and no ``timestamp``; the as-of date is a suite property.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import groupby

from .. import __version__
from ..models import Evaluation, RunResult
from .base import ReportContext

# Characters XML 1.0 cannot carry at all (even escaped); ElementTree would write them as-is.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def case_names(evaluations: list[Evaluation]) -> list[str]:
    seen: Counter[str] = Counter()
    names: list[str] = []
    for e in evaluations:
        base = f"{e.rule} {e.subject} ({e.location.file}:{e.location.line})"
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return names


def _set(element: ET.Element, **attributes: object) -> ET.Element:
    for key, value in attributes.items():
        element.set(key, xml_safe(str(value)))
    return element


def _body(e: Evaluation, fix: str | None) -> str:
    lines = [f"{e.location}: {e.message}", f"rule: {e.rule} {e.name} ({e.severity})", f"subject: {e.subject}"]
    if e.value is not None:
        lines.append(f"value: {e.value}")
    if e.reason:
        lines.append(f"{'justification' if e.status == 'waived' else 'reason'}: {e.reason}")
    if fix and e.status in ("fail", "waived"):
        lines.append(f"fix: {fix}")
    return xml_safe("\n".join(lines))


def _case(parent: ET.Element, e: Evaluation, name: str, ctx: ReportContext) -> None:
    case = _set(ET.SubElement(parent, "testcase"), name=name, classname=f"cfgate.{e.rule}",
                file=e.location.file, line=e.location.line)
    meta = ctx.rules.get(e.rule)
    fix = meta.fix if meta is not None else None
    if e.status == "fail":
        _set(ET.SubElement(case, "failure"), message=e.message, type=e.severity).text = _body(e, fix)
    elif e.status == "unknown":
        _set(ET.SubElement(case, "skipped"), message=f"unknown: {e.reason or e.message}").text = _body(e, fix)
    elif e.status == "waived":
        _set(ET.SubElement(case, "skipped"), message=f"waived: {e.reason or 'no justification given'}").text = _body(e, fix)


def _counts(evaluations: list[Evaluation]) -> dict[str, int]:
    return {
        "tests": len(evaluations),
        "failures": sum(1 for e in evaluations if e.status == "fail"),
        "errors": 0,
        "skipped": sum(1 for e in evaluations if e.status in ("unknown", "waived")),
    }


def render(result: RunResult, ctx: ReportContext) -> str:
    evaluations = list(result.evaluations)
    root = _set(ET.Element("testsuites"), name="cfgate", **_counts(evaluations))
    named = sorted(zip(evaluations, case_names(evaluations), strict=True), key=lambda pair: pair[0].rule)  # stable sort
    for rule_id, group in groupby(named, key=lambda pair: pair[0].rule):
        pairs = list(group)
        cases = [e for e, _ in pairs]
        meta = ctx.rules.get(rule_id)
        title = f"{rule_id} {meta.name if meta is not None else cases[0].name}"
        suite = _set(ET.SubElement(root, "testsuite"), name=title, **_counts(cases))
        properties = ET.SubElement(suite, "properties")
        for key, value in (("as_of", result.as_of.isoformat()), ("tool", f"cfgate {__version__}"),
                           ("severity", meta.severity if meta is not None else cases[0].severity)):
            _set(ET.SubElement(properties, "property"), name=key, value=value)
        if meta is not None:
            _set(ET.SubElement(properties, "property"), name="title", value=meta.title)
        for e, name in pairs:
            _case(suite, e, name, ctx)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
