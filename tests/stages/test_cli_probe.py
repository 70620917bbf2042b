"""``cfgate probe`` end to end against real servers on loopback (nothing mocks the network)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clirunner import run_cli
from stages.kit import FAST_POLICY, findings

LOOPBACK = "127.0.0.1"
FAST = ["--policy", str(FAST_POLICY)]


def by_rule(items: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(f["rule"], f["status"], f["severity"], f["subject"]) for f in items]


def test_live_postgres_redis_and_http_pass_through_the_cli(project: Callable[..., Path], postgres_server: Any,
                                                          redis_server: Any, http_port: int) -> None:
    project({".env": (
        f"DATABASE_URL={postgres_server.url(host='localhost')}\n"
        f"REDIS_URL={redis_server.url()}\n"
        f"API_URL=http://{LOOPBACK}:{http_port}/health\n"
    )})
    result = run_cli(["probe", *FAST, "--format", "json", "--show-passed"])
    assert result.code == 0, result.stdout + result.stderr
    items = findings(result.stdout)
    assert sorted(by_rule(items)) == sorted([
        ("CFG901", "pass", "error", "dns:localhost"), ("CFG901", "pass", "error", "DATABASE_URL"),
        ("CFG901", "pass", "error", "REDIS_URL"), ("CFG901", "pass", "error", "API_URL"),
    ])
    database = next(f for f in items if f["subject"] == "DATABASE_URL")
    assert (database["file"], database["line"]) == (".env", 1)
    assert database["details"]["resolved_addresses"] == [LOOPBACK]
    assert [a["ok"] for a in database["details"]["attempts"]] == [True]
    assert database["details"]["latency_ms"][0] > 0
    assert "SELECT 1 ok" in database["message"]
    for secret in (postgres_server.password, redis_server.password):
        assert secret not in result.stdout and secret not in result.stderr


def test_list_redacts_secrets_and_names_the_source_line(project: Callable[..., Path], postgres_server: Any) -> None:
    project({".env": f"# db\nDATABASE_URL={postgres_server.url()}\nDATABASE_TIMEOUT=3\n"})
    result = run_cli(["probe", *FAST, "--list"])
    assert result.code == 0
    assert postgres_server.password not in result.stdout + result.stderr
    assert f"postgresql://cfgate:***@{LOOPBACK}:{postgres_server.port}/postgres" in result.stdout
    assert ".env:2" in result.stdout and "timeout 2 s" in result.stdout  # DATABASE_TIMEOUT=3, capped at the policy's 2 s
    listed = json.loads(run_cli(["probe", *FAST, "--list", "--format", "json"]).stdout)
    assert listed["targets"][0]["line"] == 2 and postgres_server.password not in json.dumps(listed)


def test_closed_port_fails_the_gate(project: Callable[..., Path], closed_port: int) -> None:
    project({".env": f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\n"})
    result = run_cli(["probe", *FAST, "--format", "json"])
    assert result.code == 1
    [item] = findings(result.stdout)
    assert (item["rule"], item["severity"], item["line"]) == ("CFG901", "error", 1)
    assert f"connection refused by {LOOPBACK}:{closed_port}" in item["message"]
    assert len(item["details"]["attempts"]) == 2 and "bypass" not in item["message"]


BYPASS_ENV = "REDIS_URL=redis://{host}:{port}/0\nEMERGENCY_DEVELOPMENT_MODE=true\nEMERGENCY_BYPASS_EXPIRY=2025-09-18\n"


def test_a_valid_bypass_softens_a_failing_probe_to_a_warning(project: Callable[..., Path], closed_port: int) -> None:
    project({".env": BYPASS_ENV.format(host=LOOPBACK, port=closed_port)})
    result = run_cli(["probe", *FAST, "--format", "json", "--as-of", "2025-09-16"])
    assert result.code == 0, result.stdout
    [item] = findings(result.stdout)
    assert (item["rule"], item["status"], item["severity"]) == ("CFG901", "fail", "warning")
    assert "EMERGENCY_DEVELOPMENT_MODE is valid until 2025-09-18" in item["message"]
    assert item["details"]["bypass"]["flag"] == "EMERGENCY_DEVELOPMENT_MODE"


def test_an_expired_bypass_softens_nothing_and_says_why(project: Callable[..., Path], closed_port: int) -> None:
    project({".env": BYPASS_ENV.format(host=LOOPBACK, port=closed_port)})
    result = run_cli(["probe", *FAST, "--format", "json", "--as-of", "2025-09-19"])
    assert result.code == 1
    [item] = findings(result.stdout)
    assert (item["rule"], item["status"], item["severity"]) == ("CFG901", "fail", "error")
    assert "bypass EMERGENCY_DEVELOPMENT_MODE ignored" in item["message"]
    assert "expired on 2025-09-18 (1 day ago" in item["message"]
    text = run_cli(["probe", *FAST, "--as-of", "2025-09-19", "--no-color"]).stdout
    assert "error CFG901" in text and "ignored" in text


def test_wrong_password_is_an_auth_failure_without_the_password(project: Callable[..., Path], postgres_server: Any,
                                                               redis_server: Any) -> None:
    wrong = "Wr0ng-Secret-Value"
    project({".env": f"DATABASE_URL={postgres_server.url(password=wrong)}\nREDIS_URL={redis_server.url(password=wrong)}\n"})
    result = run_cli(["probe", *FAST, "--format", "json"])
    assert result.code == 1
    items = {f["subject"]: f for f in findings(result.stdout)}
    assert items["DATABASE_URL"]["rule"] == items["REDIS_URL"]["rule"] == "CFG902"
    assert len(items["DATABASE_URL"]["details"]["attempts"]) == 1  # a wrong password is not retried
    assert wrong not in result.stdout and wrong not in result.stderr


def test_unresolvable_host_name(project: Callable[..., Path]) -> None:
    project({".env": "API_URL=http://api.staging.invalid/health\n"})
    result = run_cli(["probe", *FAST, "--format", "json"])
    assert result.code == 1
    assert {(f["rule"], f["subject"]) for f in findings(result.stdout)} == {("CFG901", "dns:api.staging.invalid"), ("CFG901", "API_URL")}
    assert all("cannot resolve 'api.staging.invalid'" in f["message"] for f in findings(result.stdout))


def test_deadline_bounds_a_black_hole(project: Callable[..., Path], black_hole_port: int) -> None:
    project({".env": f"API_URL=http://{LOOPBACK}:{black_hole_port}/health\n"})
    started = time.monotonic()
    result = run_cli(["probe", *FAST, "--format", "json", "--deadline", "0.5"])
    elapsed = time.monotonic() - started
    assert result.code == 1
    [item] = findings(result.stdout)
    assert item["rule"] == "CFG903" and item["details"]["deadline_reached"]
    assert elapsed < 0.5 + 1.0, f"the stage took {elapsed:.2f} s with a 0.5 s deadline"


def test_policy_targets_are_probed_and_located_in_the_policy(project: Callable[..., Path], http_port: int) -> None:
    policy = FAST_POLICY.read_text().replace(
        "\n  bypass:\n    - flags",
        "\n  targets:\n    - {name: api-health, kind: http, address: '${API_URL}/unavailable', expect_status: 503}\n"
        "  bypass:\n    - flags",
    )
    root = project({".env": f"API_URL=http://{LOOPBACK}:{http_port}\n", "policy.yaml": policy})
    result = run_cli(["probe", "--policy", "policy.yaml", ".env", "--format", "json", "--show-passed"])
    assert result.code == 0, result.stdout + result.stderr
    item = next(f for f in findings(result.stdout) if f["subject"] == "api-health")
    assert item["status"] == "pass" and "HTTP 503" in item["message"]
    line = next(i for i, text in enumerate((root / "policy.yaml").read_text().splitlines(), 1) if "api-health" in text)
    assert (item["file"], item["line"]) == ("policy.yaml", line)


def test_every_format_shows_probe_outcomes(project: Callable[..., Path], closed_port: int) -> None:
    root = project({".env": f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\n"})
    result = run_cli(["probe", *FAST, "--report", "junit=probe.xml", "--report", "sarif=probe.sarif", "--format", "github"])
    assert result.code == 1
    assert "CFG901" in result.stdout
    assert "probe-target-unreachable" in (root / "probe.xml").read_text()
    sarif = json.loads((root / "probe.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "CFG901"


def test_ignoring_the_probe_family_probes_nothing(project: Callable[..., Path], closed_port: int) -> None:
    project({".env": f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\n"})
    result = run_cli(["probe", *FAST, "--ignore", "CFG9"])
    assert result.code == 0 and "nothing probed" in result.stderr


def test_a_missing_driver_is_unknown_and_names_the_extra(project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                                        postgres_server: Any) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a machine without cfgate[probes]
    project({".env": f"DATABASE_URL={postgres_server.url()}\n"})
    result = run_cli(["probe", *FAST, "--format", "json"])
    assert result.code == 0
    [item] = findings(result.stdout)
    assert (item["rule"], item["status"]) == ("CFG904", "unknown")
    assert "pip install 'cfgate[probes]'" in item["reason"]
    assert run_cli(["probe", *FAST, "--fail-on-unknown"]).code == 1


def test_several_layers_need_a_choice(project: Callable[..., Path]) -> None:
    project({".env": "A=1\n", ".env.staging": "A=2\n"})
    result = run_cli(["probe", *FAST])
    assert result.code == 2 and "--env-layer" in result.stderr


def test_explain_a_probe_rule() -> None:
    result = run_cli(["explain", "CFG901"])
    assert result.code == 0 and "probe-target-unreachable" in result.stdout and "Bad example" in result.stdout
