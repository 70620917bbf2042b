"""Where an entity or a finding sits in a file."""

from __future__ import annotations

from .base import Model


class Location(Model):
    """A position in a file. ``file`` uses forward slashes; lines and columns are 1-based."""

    file: str
    line: int = 1
    column: int = 1
    end_line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"
