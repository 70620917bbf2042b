"""``.env`` files, read with python-dotenv's own grammar, each key on its own line."""

from __future__ import annotations

from pydantic import Field

from .base import Model
from .location import Location


class EnvEntry(Model):
    key: str
    value: str | None  # None: a key with no '=' at all
    location: Location
    raw: str  # the exact source text of the binding (used by hygiene rules; may contain secrets: never print)
    comment: str | None = None  # inline comment after an unquoted value, without the '#'
    comments_above: tuple[str, ...] = ()  # contiguous comment lines directly above the key


class EnvError(Model):
    """A line python-dotenv could not parse. Later keys keep their own lines."""

    location: Location
    text: str


class EnvFile(Model):
    path: str
    entries: tuple[EnvEntry, ...] = ()
    errors: tuple[EnvError, ...] = ()
    text: str = Field(default="", repr=False)  # decoded file text (never printed)

    def get(self, key: str) -> EnvEntry | None:
        """The effective entry for ``key``: the last one wins, as in python-dotenv."""
        found = None
        for entry in self.entries:
            if entry.key == key:
                found = entry
        return found
