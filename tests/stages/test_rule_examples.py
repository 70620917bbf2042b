"""The documented examples of the probe rules (CFG9xx), run live: the bad one fails, the good one does not.

The static meta-tests (``tests/rules/test_catalog.py``) exempt the probe family, because a probe's
verdict depends on a live endpoint. Here each example's files are written as documented and probed
against servers started on loopback; only the documented ``localhost`` ports (and the example Redis
password) are mapped to the test servers', since their ports are chosen at random.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clirunner import run_cli
from stages.kit import FAST_POLICY, findings

from cfgate.models import Example
from cfgate.rules.probes import PROBE_METAS

META = {meta.id: meta for meta in PROBE_METAS}
LOOPBACK = "127.0.0.1"


def probe_example(example: Example, project: Callable[..., Path], mapping: dict[str, str], *extra: str) -> list[dict[str, Any]]:
    files = {name: content for name, content in example.files.items()}
    for name, content in files.items():
        for documented, actual in mapping.items():
            content = content.replace(documented, actual)
        files[name] = content
    project(files)
    result = run_cli(["probe", "--policy", str(FAST_POLICY), "--format", "json", *extra])
    assert result.code in (0, 1), result.stderr
    return findings(result.stdout)


def outcomes(items: list[dict[str, Any]], rule: str) -> set[str]:
    return {f["status"] for f in items if f["rule"] == rule}


def test_every_probe_rule_has_a_live_example_test() -> None:
    assert set(META) == {"CFG901", "CFG902", "CFG903", "CFG904"}


def test_cfg901_examples(project: Callable[..., Path], http_port: int) -> None:
    assert outcomes(probe_example(META["CFG901"].bad, project, {}), "CFG901") == {"fail"}  # type: ignore[arg-type]
    good = probe_example(META["CFG901"].good, project, {"localhost:8080": f"{LOOPBACK}:{http_port}"})  # type: ignore[arg-type]
    assert "fail" not in outcomes(good, "CFG901")


def test_cfg902_examples(project: Callable[..., Path], redis_server: Any) -> None:
    port = {"localhost:6379": f"{LOOPBACK}:{redis_server.port}"}
    assert outcomes(probe_example(META["CFG902"].bad, project, port), "CFG902") == {"fail"}  # type: ignore[arg-type]
    good = probe_example(META["CFG902"].good, project, {**port, ":s3cret-example@": f":{redis_server.password}@"})  # type: ignore[arg-type]
    assert outcomes(good, "CFG902") == set() and outcomes(good, "CFG901") == set()


def test_cfg903_examples(project: Callable[..., Path], black_hole_port: int, http_port: int) -> None:
    hole = {"localhost:8080": f"{LOOPBACK}:{black_hole_port}"}
    assert outcomes(probe_example(META["CFG903"].bad, project, hole, "--deadline", "0.5"), "CFG903") == {"fail"}  # type: ignore[arg-type]
    good = probe_example(META["CFG903"].good, project, {"localhost:8080": f"{LOOPBACK}:{http_port}"}, "--deadline", "5")  # type: ignore[arg-type]
    assert outcomes(good, "CFG903") == set()


def test_cfg904_examples(project: Callable[..., Path], postgres_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    port = {"localhost:5432": f"{LOOPBACK}:{postgres_server.port}"}
    assert outcomes(probe_example(META["CFG904"].good, project, port), "CFG904") == set()
    monkeypatch.setitem(sys.modules, "psycopg", None)  # the bad example's machine: no cfgate[probes] extra
    assert outcomes(probe_example(META["CFG904"].bad, project, port), "CFG904") == {"unknown"}  # type: ignore[arg-type]
