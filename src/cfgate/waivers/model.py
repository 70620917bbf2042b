"""What a waiver is once read, wherever it was written, and what a run's waiver settings are."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

from ..models import Evaluation, Location

Resolver = Callable[[str], tuple[tuple[str, ...], bool]]
"""A rule selector -> (the rule ids it names, whether it named one rule exactly); no ids: unknown."""


@dataclass(frozen=True)
class Waiver:
    """One waiver: an inline comment (``inSource``) or a record of a waiver file (``external``).

    ``problems`` lists what is malformed (empty when well formed). The scope is the file and lines
    for a comment, or a path glob (plus optional subject glob and line) for a waiver-file record.
    """

    kind: Literal["inSource", "external"]
    location: Location  # where the waiver itself is written
    selectors: tuple[str, ...]
    until: dt.date | None
    reason: str | None
    owner: str | None
    problems: tuple[str, ...] = ()
    file: str | None = None  # inSource: the file the comment is in (display path)
    lines: tuple[int, ...] = ()  # inSource: the lines it covers; external: the one line given, if any
    path: str | None = None  # external: glob on the file, relative to the waiver file's directory
    subject: str | None = None  # external: glob on the finding's subject
    base: str = ""  # external: the directory cfgate runs in, relative to the waiver file's directory
    until_text: str | None = None

    @property
    def id(self) -> str:
        """A stable name for the waiver: where it is written, ``file:line``."""
        return f"{self.location.file}:{self.location.line}"

    @property
    def shown(self) -> str:
        """The rules as the waiver names them, for messages: ``CFG113`` or ``CFG113,CFG114``."""
        return ",".join(self.selectors) or "?"

    def covers(self, e: Evaluation, places: frozenset[tuple[str, int]] = frozenset()) -> bool:
        """Whether the finding ``e`` sits where this waiver applies (the rule is checked separately).

        An inline waiver covers the finding's own line, and also the places its value was set
        (``places``: a ``.tfvars`` line, a variable default), so that a value is waived where it is written.
        """
        if self.kind == "inSource":
            return any((self.file, line) in places or (e.location.file == self.file and e.location.line == line)
                       for line in self.lines)
        if self.lines and e.location.line not in self.lines:
            return False
        if self.subject is not None and not fnmatchcase(e.subject, self.subject):
            return False
        if self.path is None:
            return False
        relative = self.relative(e.location.file)
        if relative.startswith("../") and not self.path.startswith("../"):
            return False  # outside the waiver file's directory: only a glob that climbs out reaches it
        return fnmatchcase(relative, self.path)

    def relative(self, display: str) -> str:
        """A display path (relative to where cfgate runs) made relative to the waiver file's directory."""
        if not self.base or display.startswith("/"):
            return display
        return posixpath.normpath(posixpath.join(self.base, display))


@dataclass(frozen=True)
class WaiverSettings:
    """The policy's ``waivers:`` section, combined over every loaded policy, with selectors resolved."""

    require_owner: bool = False
    max_days: int = 90
    warn_days: int = 7
    unwaivable: frozenset[str] = frozenset()  # rule ids


@dataclass(frozen=True)
class WaiverConfig:
    """Everything the engine needs to apply waivers, besides the inputs' own comments.

    ``resolve`` maps a rule selector to rule ids (``None``: the default catalog, built only when a
    waiver is found); ``records`` are the waiver files' records, already read.
    """

    settings: WaiverSettings = field(default_factory=WaiverSettings)
    resolve: Resolver | None = None
    records: tuple[Waiver, ...] = ()
    files: tuple[str, ...] = ()  # the waiver files read, display paths
