"""Planning the probe stage, without a network: targets, locations, timing, layer choice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from cfgate.rules.registry import build_catalog
from cfgate.sources import UsageError, load_workspace
from cfgate.stages import ProbePlan, choose_layer, plan_probes

AS_OF = dt.date(2025, 9, 17)
POLICY_HEAD = "version: 1\nname: p\nrules: []\n"


def plan_of(root: Path, policy: str | Path | None = None, declared: dict[str, list[str]] | None = None,
            layer: str | None = None) -> ProbePlan:
    if isinstance(policy, str):
        (root / "policy.yaml").write_text(POLICY_HEAD + policy)
        policy = "policy.yaml"
    catalog = build_catalog([str(policy)] if policy else None)
    workspace = load_workspace(["."])
    return plan_probes(workspace, catalog, choose_layer(workspace, declared or {}, layer), AS_OF)


def test_targets_come_from_the_layer_with_the_line_that_set_them(project: Callable[..., Path]) -> None:
    root = project({
        ".env": "DATABASE_URL=postgresql://app:base-pw@db.internal:5432/app\nREDIS_HOST=cache.internal\nREDIS_PORT=6379\n",
        ".env.staging": "# staging\nDATABASE_URL=postgresql://app:stage-pw@db.staging.internal:5432/app\n",
    })
    plan = plan_of(root, declared={"staging": [".env", ".env.staging"]})
    where = {p.name: (p.kind, p.where, p.address) for p in plan.probes}
    assert where["DATABASE_URL"] == ("postgres", ".env.staging:2", "postgresql://app:***@db.staging.internal:5432/app")
    assert where["REDIS_HOST/REDIS_PORT"] == ("tcp", ".env:2", "cache.internal:6379")
    assert where["dns:db.staging.internal"][1] == ".env.staging:2"
    assert "dns:db.internal" not in where  # the base value is overridden in this layer


def test_timeout_own_setting_then_env_then_default_capped_by_the_policy(project: Callable[..., Path]) -> None:
    root = project({".env": (
        "DATABASE_URL=postgresql://app@127.0.0.1:5432/app?connect_timeout=3\nDATABASE_TIMEOUT=9\n"
        "REDIS_URL=redis://127.0.0.1:6379/0\nREDIS_TIMEOUT=600\n"
        "API_URL=http://127.0.0.1:8080/health\n"
    )})
    plan = plan_of(root, "probes:\n  max_timeout_s: 30\n  defaults: {timeout_s: 4}\n")
    timeouts = {p.name: p.target.timeout_s for p in plan.probes if p.target}
    assert timeouts == {"DATABASE_URL": 3, "REDIS_URL": 30, "API_URL": 4}


def test_seed_defaults_attempts_and_warmup(project: Callable[..., Path]) -> None:
    root = project({".env": "DATABASE_URL=postgresql://app@127.0.0.1:5432/app\nREDIS_URL=redis://127.0.0.1:6379/0\n"})
    plan = plan_of(root)  # the default policy
    targets = {p.name: p.target for p in plan.probes if p.target}
    assert (targets["DATABASE_URL"].attempts, targets["DATABASE_URL"].warmup_s) == (3, 45)
    assert targets["REDIS_URL"].warmup_s == 60


def test_policy_targets_interpolate_the_layer_and_replace_a_config_target(project: Callable[..., Path]) -> None:
    root = project({".env": "API_URL=http://127.0.0.1:8080\nAPI_TIMEOUT=7\nREDIS_URL=redis://127.0.0.1:6379/0\nREDIS_TIMEOUT=2\n"})
    policy = (
        "probes:\n  targets:\n"
        "    - {name: api-health, kind: http, address: '${API_URL}/health', timeout_key: API_TIMEOUT, expect_status: 204}\n"
        "    - {name: REDIS_URL, kind: redis, address: '${REDIS_URL}', attempts: 5}\n"
        "    - {name: search, kind: http, address: '${SEARCH_URL}/ping'}\n"
    )
    plan = plan_of(root, policy)
    probes = {p.name: p for p in plan.probes}
    api = probes["api-health"]
    assert api.target is not None and api.target.address == "http://127.0.0.1:8080/health"
    assert (api.target.timeout_s, api.target.expect_status, api.where, api.origin) == (7, 204, "policy.yaml:6", "policy")
    redis = probes["REDIS_URL"]
    assert redis.origin == "policy" and redis.target is not None
    assert (redis.target.attempts, redis.target.timeout_s) == (5, 2)  # its own attempts; the config's timeout
    assert [p.name for p in plan.probes].count("REDIS_URL") == 1
    search = probes["search"]
    assert search.target is None and "SEARCH_URL" in (search.unresolved or "")


def test_from_config_false_probes_only_the_policy_targets(project: Callable[..., Path]) -> None:
    root = project({".env": "REDIS_URL=redis://127.0.0.1:6379/0\n"})
    plan = plan_of(root, "probes:\n  from_config: false\n  targets:\n    - {name: t, kind: tcp, address: '127.0.0.1:1'}\n")
    assert [p.name for p in plan.probes] == ["t"]


def test_layer_choice(project: Callable[..., Path]) -> None:
    project({".env": "A=1\n", ".env.example": "A=\n", "sub/.env.staging": "A=2\n"})
    workspace = load_workspace(["."])
    with pytest.raises(UsageError, match="2 env layers.*--env-layer"):
        choose_layer(workspace, {}, None)
    layer = choose_layer(workspace, {}, "sub/.env.staging")
    assert layer is not None and layer.plain() == {"A": "2"}
    with pytest.raises(UsageError, match="no such env layer"):
        choose_layer(workspace, {}, "prod")
    declared = choose_layer(workspace, {"staging": [".env", ".env.staging"]}, None)
    assert declared is not None and declared.plain() == {"A": "2"}


def test_example_files_are_never_a_layer_of_their_own(project: Callable[..., Path]) -> None:
    project({".env": "A=1\n", ".env.example": "A=placeholder\n"})
    layer = choose_layer(load_workspace(["."]), {}, None)
    assert layer is not None and layer.name == ".env"
