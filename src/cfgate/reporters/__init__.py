"""Reporters, one module per output format, listed explicitly."""

from __future__ import annotations

from importlib import import_module

from .base import ReportContext, Reporter

FORMATS: dict[str, str] = {
    "text": "cfgate.reporters.text",
    "json": "cfgate.reporters.json",
    "sarif": "cfgate.reporters.sarif",
    "junit": "cfgate.reporters.junit",
    "github": "cfgate.reporters.github",
    "markdown": "cfgate.reporters.markdown",
}


def get(name: str) -> Reporter:
    return import_module(FORMATS[name]).render  # type: ignore[no-any-return]


__all__ = ["FORMATS", "ReportContext", "Reporter", "get"]
