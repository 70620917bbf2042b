"""Pieces shared by the probe checks: the error they raise and what they observed."""

from __future__ import annotations

from dataclasses import dataclass, field

INSTALL_HINT = "pip install 'cfgate[probes]'"


class ProbeError(Exception):
    """A failed attempt, with a message fit to show (the runner scrubs secrets from it).

    ``retryable=False`` stops the retries at once: a wrong password, a missing driver or a
    malformed address will not fix itself by waiting.
    """

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


def missing_driver(module: str) -> ProbeError:
    """The error for an optional driver that is not importable."""
    return ProbeError(f"{module} is not installed; {INSTALL_HINT}", retryable=False)


@dataclass
class Observation:
    """What one attempt learned, kept even when the attempt then fails."""

    resolved: list[str] = field(default_factory=list)
    detail: str | None = None
