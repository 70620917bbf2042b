"""Golden files for the reporters, in ``fixtures/reporters/``, regenerated only on purpose.

Regenerate with ``CFGATE_UPDATE_GOLDEN=1 pytest tests/reporters`` or ``pytest tests/reporters
--update-golden`` (the option exists when this directory is named on the command line, because
pytest only reads options from the conftests it loads at start-up). Review the diff before
committing it: a golden file changes only when a reporter, a rule or a fixture changed on purpose.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from cfgate.models import Evaluation, Location, RuleMeta, RunResult
from cfgate.reporters import ReportContext

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "fixtures" / "reporters"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite the reporter golden files in fixtures/reporters/ instead of comparing with them.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return os.environ.get("CFGATE_UPDATE_GOLDEN") == "1" or bool(request.config.getoption("--update-golden", default=False))


@pytest.fixture
def golden(update_golden: bool):
    """``golden(name, text)``: compare ``text`` with ``fixtures/reporters/<name>``, or rewrite it."""

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update_golden:
            from cfgate.fsutil import atomic_write

            atomic_write(path, text)
            return
        assert path.is_file(), f"{path} is missing; create it with CFGATE_UPDATE_GOLDEN=1 pytest tests/reporters"
        expected = path.read_bytes().decode("utf-8")  # bytes: a CRLF must not pass for an LF
        assert text == expected, f"{name} differs from its golden file; if the change is intended, rerun with CFGATE_UPDATE_GOLDEN=1"

    return check


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so finding paths are repo-relative as in CI."""
    monkeypatch.chdir(ROOT)
    return ROOT


TF = "infra/vpc.tf"
ENV = "app/.env"


def evaluation(rule: str, status: str, line: int, *, file: str = TF, severity: str = "error", subject: str | None = None,
               value: object = 10, message: str | None = None, reason: str | None = None, details: dict | None = None) -> Evaluation:
    return Evaluation(
        rule=rule, name=NAMES[rule], severity=severity, status=status, message=message or f"{rule} {status} at line {line}",
        location=Location(file=file, line=line, column=3), subject=subject or f"google_vpc_access_connector.c.attr{line}",
        value=value, reason=reason, details=details or {},
    )


@pytest.fixture
def make():
    """The evaluation builder, for tests that need one of their own."""
    return evaluation


NAMES = {"CFG113": "vpc-connector-max-instances-out-of-range", "CFG114": "vpc-connector-instances-not-ordered",
         "CFG220": "env-timeout-above-request-timeout", "CFG210": "bypass-flag-expiry", "CFG999": "not-in-the-catalog"}


@pytest.fixture
def catalog() -> dict[str, RuleMeta]:
    metas = [
        RuleMeta(id="CFG113", name=NAMES["CFG113"], title="max_instances is outside 3..10", severity="error",
                 rationale="The API rejects it.", fix="Set max_instances to at most 10.", family="1",
                 references=("mmv1 Connector.yaml", "https://cloud.google.com/vpc/docs/serverless-vpc-access")),
        RuleMeta(id="CFG114", name=NAMES["CFG114"], title="max must exceed min", severity="error", rationale="Ordering.", family="1"),
        RuleMeta(id="CFG210", name=NAMES["CFG210"], title="bypass flags expire", severity="warning", rationale="Bypasses rot.",
                 aliases=("bypass-without-expiry",), family="2"),
        RuleMeta(id="CFG220", name=NAMES["CFG220"], title="timeout above the request timeout", severity="info",
                 rationale="A client timeout above 300 s never fires.", fix="Lower it.", family="2"),
    ]
    return {m.id: m for m in metas}


@pytest.fixture
def mixed(catalog) -> tuple[RunResult, ReportContext]:
    """Every status, every severity, a waiver of each kind, a duplicate and awkward text."""
    evaluations = [
        evaluation("CFG113", "fail", 10, value=100, message="max_instances = 100 | is outside 3..10\nsecond line"),
        evaluation("CFG114", "pass", 10, value=100, message="max_instances = 100 > 10"),
        evaluation("CFG113", "unknown", 12, value=None, subject="google_vpc_access_connector.d.max_instances",
                   message="google_vpc_access_connector.d.max_instances cannot be checked: its value is unknown",
                   reason="var.n: an expression, not a literal", details={"expr": "var.n"}),
        evaluation("CFG113", "waived", 20, value=50, subject="google_vpc_access_connector.e.max_instances",
                   reason="capacity test until 2025-10-01, ticket OPS-12"),
        evaluation("CFG210", "fail", 3, file=ENV, severity="warning", subject="STRIPE_BYPASS", value="true",
                   message="bypass flag STRIPE_BYPASS=true has no expiry: add STRIPE_BYPASS_EXPIRY, 100% sure"),
        evaluation("CFG210", "waived", 4, file=ENV, severity="warning", subject="AUTH_BYPASS", value="true",
                   reason="load test, see OPS-9", details={"waiver": {"kind": "inSource", "file": ENV, "line": 4}}),
        evaluation("CFG220", "fail", 5, file=ENV, severity="info", subject="REDIS_TIMEOUT", value="600",
                   message="REDIS_TIMEOUT = 600 s exceeds\r\nthe request timeout"),
        evaluation("CFG220", "fail", 5, file=ENV, severity="info", subject="REDIS_TIMEOUT", value="600",
                   message="REDIS_TIMEOUT = 600 s exceeds the request timeout (again)"),
        evaluation("CFG999", "fail", 7, file=ENV, severity="error", subject="X", value=None, message="a rule from nowhere"),
    ]
    evaluations.sort(key=Evaluation.sort_key)
    result = RunResult(as_of=dt.date(2025, 9, 19), files=(ENV, TF), evaluations=tuple(evaluations))
    return result, ReportContext(rules=catalog)
