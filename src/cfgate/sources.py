"""Find input files, read them safely and parse each into its model.

Reading never raises for bad input: a binary file, a non-UTF-8 file or a syntax error becomes a
:class:`ReadProblem` with a location, which the engine reports as rule CFG001.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from .models import EnvFile, Location, PythonFile, TfFile

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".venv", "venv", ".cfgate-cache"})


class UsageError(Exception):
    """A problem with how cfgate was called (exit code 2)."""


def kind_of(path: Path) -> str | None:
    name = path.name
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith(".tfvars"):
        return "tfvars"
    if name.endswith(".tfvars.json"):
        return "tfvars-json"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    if name.endswith(".py"):
        return "python"
    return None


def display_path(path: Path) -> str:
    """Path relative to the current directory with forward slashes, else absolute."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _excluded(display: str, excludes: tuple[str, ...]) -> bool:
    name = display.rsplit("/", 1)[-1]
    return any(fnmatchcase(display, g) or fnmatchcase(name, g) or fnmatchcase(display, g.rstrip("/") + "/*") for g in excludes)


def discover(paths: list[str], excludes: tuple[str, ...] = ()) -> list[tuple[Path, str, str]]:
    """``(path, display path, kind)`` for every input below ``paths``, sorted, each once."""
    found: dict[str, tuple[Path, str, str]] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_file():
            kind = kind_of(path)
            if kind is None:
                raise UsageError(f"{raw}: cfgate reads .tf, .tfvars, .env files and .py files; pass one of those or a directory")
            display = display_path(path)
            if not _excluded(display, excludes):
                found[display] = (path, display, kind)
            continue
        for root, dirs, files in os.walk(path):
            root_path = Path(root)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (root_path / d / "pyvenv.cfg").exists()
                             and not _excluded(display_path(root_path / d), excludes))
            for name in sorted(files):
                file_path = root_path / name
                kind = kind_of(file_path)
                if kind is None:
                    continue
                display = display_path(file_path)
                if not _excluded(display, excludes):
                    found[display] = (file_path, display, kind)
    return [found[key] for key in sorted(found)]


@dataclass(frozen=True)
class ReadProblem:
    location: Location
    message: str


@dataclass
class Workspace:
    """Everything read from the inputs."""

    terraform: list[TfFile] = field(default_factory=list)
    env: list[EnvFile] = field(default_factory=list)
    python: list[PythonFile] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # display path -> decoded text


def read_text(path: Path, display: str) -> str | ReadProblem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ReadProblem(Location(file=display), f"cannot read the file: {exc.strerror or exc}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ReadProblem(Location(file=display), "the file is UTF-16 encoded; save it as UTF-8")
    if b"\x00" in data[:8192]:
        return ReadProblem(Location(file=display), "a binary file (it contains NUL bytes), not text configuration")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return ReadProblem(Location(file=display, line=line, column=column), f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")


def load_workspace(paths: list[str], excludes: tuple[str, ...] = ()) -> Workspace:
    from .parsers.env import parse_env
    from .parsers.terraform import HclSyntaxError, parse_terraform

    workspace = Workspace()
    for path, display, kind in discover(paths, excludes):
        workspace.files.append(display)
        text = read_text(path, display)
        if isinstance(text, ReadProblem):
            workspace.problems.append(text)
            continue
        workspace.texts[display] = text
        try:
            if kind in ("terraform", "tfvars"):
                workspace.terraform.append(parse_terraform(display, text.replace("\r\n", "\n")))
            elif kind == "tfvars-json":
                from .parsers.terraform import parse_tfvars_json

                workspace.terraform.append(parse_tfvars_json(display, text))
            elif kind == "env":
                workspace.env.append(parse_env(display, text))
            else:
                from .parsers.python import parse_python

                workspace.python.append(parse_python(display, text))
        except HclSyntaxError as exc:
            workspace.problems.append(ReadProblem(Location(file=display, line=exc.line, column=exc.column), f"HCL syntax error: {exc}"))
        except SyntaxError as exc:
            workspace.problems.append(ReadProblem(Location(file=display, line=exc.lineno or 1, column=exc.offset or 1), f"Python syntax error: {exc.msg}"))
        except RecursionError:
            workspace.problems.append(ReadProblem(Location(file=display), "the file nests too deeply to parse"))
    if workspace.python:
        from .parsers.pysettings import link_settings

        # settings.DB_POOL_SIZE used in one file, class Settings(BaseSettings) defined in another
        workspace.python = link_settings(workspace.python)
    return workspace
