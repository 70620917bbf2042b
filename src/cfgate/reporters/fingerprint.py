"""A stable identity for an evaluation, shared by SARIF ``partialFingerprints`` and the baseline.

The identity is the rule id, the file, the subject and the (already redacted) value, and never
the line or column: inserting a comment above a finding moves it but does not make it new. A
changed value is a different finding (``max_instances = 100`` fixed to ``50`` and still too high
is worth a fresh look).

Two evaluations can share an identity (a key assigned twice with the same value). SARIF and
GitHub expect fingerprints to be unique within a run, so :func:`fingerprints` numbers repeats in
the order the engine sorted them, as GitHub's own ``primaryLocationLineHash`` does (``<hash>:1``,
``<hash>:2``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable

from ..models import Evaluation

# The key under partialFingerprints; bump the version if the identity ever changes, so that old
# and new fingerprints are never compared as if they meant the same thing.
FINGERPRINT_KEY = "cfgateIdentity/v1"


def fingerprint(e: Evaluation) -> str:
    """Hex SHA-256 of rule id, file, subject and value (canonical JSON, so key order never matters)."""
    identity = [e.rule, e.location.file, e.subject, e.value]
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def fingerprints(evaluations: Iterable[Evaluation]) -> list[str]:
    """``<hash>:<n>`` for each evaluation, where n counts earlier evaluations with the same hash."""
    seen: Counter[str] = Counter()
    out: list[str] = []
    for e in evaluations:
        digest = fingerprint(e)
        seen[digest] += 1
        out.append(f"{digest}:{seen[digest]}")
    return out
