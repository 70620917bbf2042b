"""Settings from ``cfgate.toml`` or ``[tool.cfgate]`` in ``pyproject.toml``; CLI flags go on top.

The nearest file wins, searching from the current directory upwards (like ruff and black).
Unknown keys are errors, reported with file and line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from .models.base import Model
from .sources import UsageError, display_path


class BudgetSettings(Model):
    """Inputs of the connection budget (rule CFG410) that Terraform and env files cannot give."""

    workers: int | None = Field(default=None, ge=1, description="worker processes per instance (else WEB_CONCURRENCY or gunicorn's workers)")
    reserved: int = Field(default=3, ge=0, description="connections kept back for superusers (PostgreSQL's default is 3)")
    headroom: float = Field(default=0.10, ge=0, lt=1, description="fraction of max_connections left free")


class Settings(Model):
    policy: list[str] = Field(default_factory=list, description="policy files, relative to the config file")
    exclude: list[str] = Field(default_factory=list)
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    fail_on: Literal["error", "warning", "info", "never"] = "error"
    fail_on_unknown: bool = False
    format: str = "text"
    env_layers: dict[str, list[str]] = Field(default_factory=dict, description="layer name -> env files, later files win")
    env_layer: str | None = Field(default=None, description="the layer to resolve env values with (default: each file alone)")
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    waivers: str | None = Field(default=None, description="waiver file, relative to the config file (default: cfgate-waivers.yaml if present)")
    baseline: str | None = Field(default=None, description="baseline file for check, relative to the config file (cfgate baseline create writes it)")


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "cfgate.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.cfgate]" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def load_settings(path: Path | None = None) -> tuple[Settings, Path | None]:
    path = path or find_config()
    if path is None:
        return Settings(), None
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))  # tomllib names the position only in its message
        line = int(found.group(1)) if found else 1
        raise UsageError(f"{display_path(path)}:{line}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("cfgate", {})
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        line = next((i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith(str(first["loc"][0]))), 1)
        valid = ", ".join(Settings.model_fields)
        raise UsageError(f"{display_path(path)}:{line}: invalid cfgate setting '{key}': {first['msg']} (valid settings: {valid})") from None
    base = path.parent
    resolved = [str((base / p)) if not Path(p).is_absolute() else p for p in settings.policy]
    files = {key: str(base / value) for key in ("waivers", "baseline")
             if isinstance(value := getattr(settings, key), str) and not Path(value).is_absolute()}
    return settings.model_copy(update={"policy": resolved, **files}), path
