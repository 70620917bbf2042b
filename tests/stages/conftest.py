"""Fixtures for the live stages: the real loopback servers of ``tests/probes`` and small project trees.

The servers (PostgreSQL via initdb/pg_ctl, Redis, a stdlib HTTP server, a black hole and a closed
port) are the probe tests' own fixtures, imported rather than copied. pytest registers them again
for this directory, so a run of both directories starts each session server once per directory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from probes.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    LOOPBACK,
    PG_PASSWORD,
    REDIS_PASSWORD,
    black_hole_port,
    closed_port,
    free_port,
    http_port,
    postgres_server,
    redis_server,
    serve_http,
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write files into a fresh project directory and make it the working directory."""

    def write(files: dict[str, str]) -> Path:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return write
