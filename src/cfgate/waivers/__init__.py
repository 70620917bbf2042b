"""Waivers that expire and say why: inline ``cfgate: waive`` comments and ``cfgate-waivers.yaml``.

- :mod:`.comments` finds comments per language (HCL, Python, env) in the decoded texts;
- :mod:`.syntax` reads the waiver grammar;
- :mod:`.wfile` reads waiver files;
- :mod:`.judge` applies waivers to a run's evaluations and judges each one (CFG010-CFG015).
"""

from __future__ import annotations

from .judge import apply_waivers, catalog_resolver, inline_waivers
from .model import Waiver, WaiverConfig, WaiverSettings
from .wfile import DEFAULT_NAME, WaiverFileError, load_waiver_file

__all__ = [
    "DEFAULT_NAME", "Waiver", "WaiverConfig", "WaiverFileError", "WaiverSettings", "apply_waivers",
    "catalog_resolver", "inline_waivers", "load_waiver_file",
]
