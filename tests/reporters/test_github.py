"""GitHub workflow commands: one annotation per finding, escaped so that no text can forge a command."""

from __future__ import annotations

import pytest
from clirunner import run_cli

from cfgate.reporters import ReportContext
from cfgate.reporters.github import annotation, escape_data, escape_property, render


@pytest.mark.parametrize(("raw", "escaped"), [
    ("plain text", "plain text"),
    ("100%", "100%25"),
    ("%0A is not a newline", "%250A is not a newline"),
    ("one\ntwo", "one%0Atwo"),
    ("one\r\ntwo", "one%0D%0Atwo"),
    ("a: b, c", "a: b, c"),  # colons and commas are fine in the message
    ("::error::forged", "::error::forged"),  # harmless on the same line, after the real command's ::
])
def test_escape_data(raw, escaped):
    assert escape_data(raw) == escaped


@pytest.mark.parametrize(("raw", "escaped"), [
    ("src/main.tf", "src/main.tf"),
    ("CFG113 vpc-connector-max-instances-out-of-range", "CFG113 vpc-connector-max-instances-out-of-range"),
    ("a,b", "a%2Cb"),
    ("C:\\x", "C%3A\\x"),
    ("50%: a,\nb", "50%25%3A a%2C%0Ab"),
])
def test_escape_property(raw, escaped):
    assert escape_property(raw) == escaped


def test_commands_per_status_and_severity(mixed):
    result, ctx = mixed
    lines = render(result, ctx).splitlines()
    assert sum(1 for line in lines if line.startswith("::")) == 8  # every evaluation but the pass
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])
    assert lines[-1] == "cfgate: 2 errors, 1 warning, 2 info, 1 unknown, 2 waived, 1 passed in 2 files (as of 2025-09-19)"
    assert [annotation(e, ctx) for e in result.evaluations if e.status == "pass"] == [None]

    first = next(line for line in lines if "attr10" in line or "line=10," in line)
    assert first == ("::error file=infra/vpc.tf,line=10,col=3,title=CFG113 vpc-connector-max-instances-out-of-range::"
                     "max_instances = 100 | is outside 3..10%0Asecond line%0AFix: Set max_instances to at most 10.")
    bypass = next(line for line in lines if "STRIPE_BYPASS" in line)
    assert bypass.startswith("::warning file=app/.env,line=3,col=3,title=CFG210 bypass-flag-expiry::")
    assert bypass.endswith("add STRIPE_BYPASS_EXPIRY, 100%25 sure")
    info = [line for line in lines if "REDIS_TIMEOUT" in line]
    assert len(info) == 2 and all(line.startswith("::notice file=app/.env,line=5,") for line in info)
    assert "exceeds%0D%0Athe request timeout" in info[0]
    unknown = next(line for line in lines if "(unknown)" in line)
    assert unknown.startswith("::notice file=infra/vpc.tf,line=12,col=3,title=CFG113 vpc-connector-max-instances-out-of-range (unknown)::")
    assert unknown.endswith("%0AReason: var.n: an expression, not a literal")
    waived = [line for line in lines if "(waived)" in line]
    assert len(waived) == 2 and all(line.startswith("::notice ") for line in waived)
    assert any(line.endswith("%0AWaived: capacity test until 2025-10-01, ticket OPS-12") for line in waived)


def test_a_message_cannot_start_a_second_command(make):
    e = make("CFG113", "fail", 1, message="x\n::error file=evil.tf::forged\r\n::add-mask::y")
    line = annotation(e, ReportContext())
    assert len(line.splitlines()) == 1 and line.startswith("::error file=infra/vpc.tf,line=1,")
    assert line.endswith("::x%0A::error file=evil.tf::forged%0D%0A::add-mask::y")  # all of it is the first command's message


def test_golden_path_annotations_point_at_repo_relative_files(at_root):
    result = run_cli(["check", "fixtures/golden-path/after", "--as-of", "2025-09-19", "--format", "github"])
    lines = result.stdout.splitlines()
    assert "::error file=fixtures/golden-path/after/terraform-gcp-staging/vpc-connector.tf,line=10,col=3," \
           "title=CFG113 vpc-connector-max-instances-out-of-range::max_instances = 100 is outside the allowed range 3..10" \
           "%0AFix: Set max_instances to at most 10. For more throughput use machine_type e2-standard-4, or more connectors." in lines
    assert all(line.startswith(("::error ", "::notice ")) for line in lines[:-1]) and lines[-1].startswith("cfgate: ")
    assert sum(line.startswith("::notice ") for line in lines) == 2  # the two CFG121 infos
