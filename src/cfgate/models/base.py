"""Base model shared by every cfgate model: frozen, and strict about unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Frozen, ``extra="forbid"``: a typo in a policy is an error, never a silently ignored key."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # build validators on first use: start-up matters
