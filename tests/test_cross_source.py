"""The seed's values followed across code, env files and Terraform (issue: cross-source rules)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from clirunner import run_cli

ROOT = Path(__file__).resolve().parent.parent


def tree(tmp_path: Path, *extra: str) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures/golden-path/after", target)
    for name in extra:
        shutil.copy(ROOT / "fixtures/cross-source" / name, target / "terraform-gcp-staging" / name)
    return target


def budget(repo: Path, monkeypatch) -> dict:
    monkeypatch.chdir(repo)
    result = run_cli(["check", ".", "--format", "json", "--select", "CFG410", "--as-of", "2025-09-17"])
    (finding,) = json.loads(result.stdout)["findings"]
    return finding


def test_seed_budget_is_an_error_with_its_arithmetic(tmp_path, monkeypatch):
    finding = budget(tree(tmp_path, "cloudsql.tf", "cloudrun.tf"), monkeypatch)
    assert (finding["rule"], finding["status"], finding["severity"]) == ("CFG410", "fail", "error")
    assert (finding["file"], finding["line"]) == ("netra_backend/app/db/database_manager.py", 10)
    assert "10 × 1 × (50 + 50) = 1000 > 87" in finding["message"]
    assert "100 max_connections (database flag max_connections at terraform-gcp-staging/cloudsql.tf:12)" in finding["message"]
    assert "1 worker per instance used as the lower bound" in finding["message"]


def test_without_cloud_run_the_budget_is_unknown_and_names_max_instances(tmp_path, monkeypatch):
    finding = budget(tree(tmp_path, "cloudsql.tf"), monkeypatch)
    assert finding["status"] == "unknown"
    assert "max instances: no Cloud Run service in the scanned Terraform" in finding["reason"]


def test_pool_value_chain_names_env_file_and_default(tmp_path, monkeypatch):
    (tmp_path / "db.py").write_text("import os\nfrom sqlalchemy import create_engine\n\nengine = create_engine(\n    'postgresql://db/app',\n"
                                    "    pool_timeout=int(os.getenv('DATABASE_POOL_TIMEOUT', '30')),\n)\n")
    (tmp_path / ".env").write_text("DATABASE_POOL_TIMEOUT=20\n")
    (tmp_path / ".env.staging.tests").write_text("# staging\nDATABASE_POOL_TIMEOUT=600\n")
    (tmp_path / "cfgate.toml").write_text('env_layers = { staging = [".env", ".env.staging.tests"] }\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", ".", "--format", "json", "--select", "CFG301", "--env-layer", "staging"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["value"] == 600 and finding["line"] == 6
    assert finding["message"] == ("pool_timeout = 600 s exceeds the request timeout of 300 s (from DATABASE_POOL_TIMEOUT at .env.staging.tests:2; "
                                  "DATABASE_POOL_TIMEOUT (overridden) at .env:1; default 30 at db.py:6)")
    assert run_cli(["check", ".", "--env-layer", "prod"]).code == 2
    # with no layers declared each file stands alone; they disagree: unknown, and it says how to choose
    (tmp_path / "cfgate.toml").unlink()
    result = run_cli(["check", ".", "--format", "json", "--select", "CFG301"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["status"] == "unknown" and "--env-layer" in finding["reason"]


def test_secrets_stay_redacted_in_chains(tmp_path, monkeypatch):
    (tmp_path / "db.py").write_text("import os\nfrom sqlalchemy import create_engine\nengine = create_engine('x', pool_timeout=int(os.getenv('DB_TOKEN_TIMEOUT', 'hunter2hunter2')))\n")
    (tmp_path / ".env").write_text("DB_TOKEN_TIMEOUT=sekr3t-value\nDATABASE_URL=postgresql://app:pa55word@db/x\n")
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "json"):
        out = run_cli(["check", ".", "--format", fmt, "--show-passed"]).stdout
        assert "sekr3t-value" not in out and "pa55word" not in out and "hunter2hunter2" not in out


def test_pydantic_settings_read_across_files(tmp_path, monkeypatch):
    (tmp_path / "app" / "core").mkdir(parents=True)
    (tmp_path / "app" / "db").mkdir(parents=True)
    (tmp_path / "app" / "core" / "config.py").write_text(
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    DB_POOL_SIZE: int = 5\n"
        "    DB_POOL_TIMEOUT: int = 30\n\n\nsettings = Settings()\n")
    (tmp_path / "app" / "db" / "session.py").write_text(
        "from sqlalchemy import create_engine\n\nfrom app.core.config import settings\n\n"
        "engine = create_engine('postgresql://db/app', pool_size=settings.DB_POOL_SIZE, pool_timeout=settings.DB_POOL_TIMEOUT)\n")
    (tmp_path / ".env").write_text("db_pool_timeout=600\nDB_POOL_SIZE=8\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", ".", "--format", "json", "--select", "CFG301", "--select", "CFG401"])
    findings = json.loads(result.stdout)["findings"]
    # pydantic matches env keys case-insensitively; the settings class body reads the env, so no CFG401; the call
    # that reads settings.DB_POOL_TIMEOUT is judged at the field, once
    assert [(f["rule"], f["file"], f["line"], f["value"]) for f in findings] == [("CFG301", "app/core/config.py", 6, 600)]
    assert "(from DB_POOL_TIMEOUT at .env:1; default 30 at app/core/config.py:6)" in findings[0]["message"]
