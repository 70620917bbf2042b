"""JUnit: parsed back, every evaluation a case, counts that add up, unique names, awkward text survives."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from clirunner import run_cli

from cfgate.models import RunResult
from cfgate.reporters import ReportContext
from cfgate.reporters.junit import render

COUNTS = ("tests", "failures", "errors", "skipped")


def counts(element: ET.Element) -> dict[str, int]:
    return {key: int(element.get(key)) for key in COUNTS}


def tally(cases: list[ET.Element]) -> dict[str, int]:
    return {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases), "errors": 0,
            "skipped": sum(c.find("skipped") is not None for c in cases)}


def assert_consistent(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    for suite in suites:
        assert counts(suite) == tally(suite.findall("testcase")), suite.get("name")
    assert counts(root) == tally(root.findall("testsuite/testcase"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert len(names) == len(set(names))


def test_golden_path_junit_counts_every_evaluation(at_root):
    args = ["check", "fixtures/golden-path/after", "--as-of", "2025-09-19"]
    summary = json.loads(run_cli([*args, "--format", "json"]).stdout)["summary"]
    root = ET.fromstring(run_cli([*args, "--format", "junit"]).stdout.encode("utf-8"))
    assert_consistent(root)
    failures = summary["errors"] + summary["warnings"] + summary["info"]
    assert counts(root) == {"tests": failures + summary["passed"] + summary["unknown"] + summary["waived"],
                            "failures": failures, "errors": 0, "skipped": summary["unknown"] + summary["waived"]}
    suite_names = [s.get("name") for s in root.findall("testsuite")]
    assert suite_names == sorted(suite_names) and "CFG113 vpc-connector-max-instances-out-of-range" in suite_names
    case = root.find("testsuite/testcase[@classname='cfgate.CFG113']")
    assert case.get("name") == ("CFG113 google_vpc_access_connector.connector.max_instances "
                                "(fixtures/golden-path/after/terraform-gcp-staging/vpc-connector.tf:10)")
    assert case.get("file") == "fixtures/golden-path/after/terraform-gcp-staging/vpc-connector.tf" and case.get("line") == "10"
    failure = case.find("failure")
    assert failure.get("type") == "error" and "max_instances = 100" in failure.get("message")
    assert "fix: Set max_instances" in failure.text
    properties = {p.get("name"): p.get("value") for p in root.find("testsuite/properties")}
    assert properties["as_of"] == "2025-09-19"


def test_mixed_statuses(mixed):
    result, ctx = mixed
    text = render(result, ctx)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert_consistent(root)
    assert counts(root) == {"tests": 9, "failures": 5, "errors": 0, "skipped": 3}
    cases = {c.get("name"): c for c in root.iter("testcase")}

    unknown = cases["CFG113 google_vpc_access_connector.d.max_instances (infra/vpc.tf:12)"]
    assert unknown.find("skipped").get("message") == "unknown: var.n: an expression, not a literal"
    assert unknown.find("failure") is None

    waived = cases["CFG113 google_vpc_access_connector.e.max_instances (infra/vpc.tf:20)"]
    assert waived.find("skipped").get("message") == "waived: capacity test until 2025-10-01, ticket OPS-12"
    assert "justification: capacity test" in waived.find("skipped").text

    passed = cases["CFG114 google_vpc_access_connector.c.attr10 (infra/vpc.tf:10)"]
    assert list(passed) == []

    # the same rule, subject and line twice: the second is numbered
    assert "CFG220 REDIS_TIMEOUT (app/.env:5)" in cases and "CFG220 REDIS_TIMEOUT (app/.env:5) #2" in cases
    info = cases["CFG220 REDIS_TIMEOUT (app/.env:5)"].find("failure")
    assert info.get("type") == "info" and info.get("message") == "REDIS_TIMEOUT = 600 s exceeds\r\nthe request timeout"

    failure = cases["CFG113 google_vpc_access_connector.c.attr10 (infra/vpc.tf:10)"].find("failure")
    assert failure.get("message") == "max_instances = 100 | is outside 3..10\nsecond line"  # newline kept in the attribute

    suite = root.find("testsuite[@name='CFG999 not-in-the-catalog']")  # a rule missing from the catalog still gets a suite
    assert counts(suite) == {"tests": 1, "failures": 1, "errors": 0, "skipped": 0}


def test_text_xml_cannot_carry_is_replaced_not_written(make):
    bad = make("CFG113", "fail", 1, message="bell \x07 and nul \x00 and <tag> & \"quotes\"", value="\x1b[31m")
    root = ET.fromstring(render(RunResult(as_of=dt.date(2025, 9, 19), evaluations=(bad,)), ReportContext()).encode("utf-8"))
    assert root.find(".//failure").get("message") == "bell \ufffd and nul \ufffd and <tag> & \"quotes\""


def test_empty_run_is_valid_junit():
    root = ET.fromstring(render(RunResult(as_of=dt.date(2025, 9, 19)), ReportContext()).encode("utf-8"))
    assert counts(root) == {"tests": 0, "failures": 0, "errors": 0, "skipped": 0} and list(root) == []
