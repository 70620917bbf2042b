"""Shared test helpers (import as `from support import need`).

``need(binary)`` skips a test whose binary is missing on a user's machine, but fails it when
``CFGATE_REQUIRE_ALL=1`` (as ``.ci/run`` sets), so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_ALL = os.environ.get("CFGATE_REQUIRE_ALL") == "1"


def need(binary: str, why: str = "") -> str:
    """Return the path of ``binary``, or skip (fail under CFGATE_REQUIRE_ALL=1) if it is missing."""
    path = shutil.which(binary)
    if path:
        return path
    message = f"{binary} not found on PATH" + (f" ({why})" if why else "")
    if REQUIRE_ALL:
        pytest.fail(f"{message}; CFGATE_REQUIRE_ALL=1 forbids skipping")
    pytest.skip(message)


def need_module(name: str, extra: str = "") -> object:
    """Import ``name`` or skip (fail under CFGATE_REQUIRE_ALL=1)."""
    try:
        return __import__(name)
    except ImportError:
        message = f"python module {name} is not installed" + (f" (pip install {extra})" if extra else "")
        if REQUIRE_ALL:
            pytest.fail(f"{message}; CFGATE_REQUIRE_ALL=1 forbids skipping")
        pytest.skip(message)
