"""Shared constants and helpers of the stage tests (import as ``from stages.kit import ...``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAST_POLICY = ROOT / "fixtures" / "stages" / "fast-policy.yaml"
"""The default policy's bypass and timeout rules with probe timing fit for tests (no warm-up, 2 attempts)."""


def findings(stdout: str) -> list[dict[str, Any]]:
    """The findings of a ``--format json`` report."""
    return list(json.loads(stdout)["findings"])


def cfgate(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real ``cfgate`` in a fresh process (for stages that start a command of their own)."""
    return subprocess.run([sys.executable, "-m", "cfgate", *args], check=False, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
