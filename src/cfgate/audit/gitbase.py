"""The inputs as they were at a git revision, exported into a temporary directory: read, never run.

Files are read with ``git ls-tree`` and ``git cat-file --batch``: the raw blobs, written to a fresh
temporary directory. Nothing from the repository is executed, and unlike ``git archive`` no
``.gitattributes`` of the revision applies (``export-ignore`` could hide a file from the audit,
``export-subst`` could rewrite one, a filter driver would run a command). No hook, filter or
fsmonitor runs: git is called with hooks and fsmonitor turned off, for read-only plumbing only.

Only what cfgate reads is exported: files cfgate parses (``.tf``, ``.tfvars``, ``.env``, ``.py``)
under the requested paths, plus the ``--var-file`` files inside the repository. Symbolic links
and submodules are not followed; they are listed in the notes.

The export mirrors the layout around the current directory, so that running the engine from the
mirrored directory gives the same display paths as the head run and both sides match by file.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..sources import SKIP_DIRS, kind_of

_GIT_SAFE = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false")


class BaseError(Exception):
    """``--base`` cannot be honoured: not a repository, an unknown revision, a path outside the repository."""

    code = 2


@dataclass
class BaseTree:
    """The exported revision and how to run the engine on it."""

    ref: str
    commit: str
    root: Path  # the repository's top level as exported
    cwd: Path  # where to run the engine so display paths match the head run
    paths: tuple[str, ...]  # the requested paths, mapped into the export (absolute)
    var_files: tuple[str, ...]
    prefix_map: tuple[str, str] | None = None  # (exported top level, real top level) when display paths are absolute
    notes: list[str] = field(default_factory=list)


def _git(toplevel: Path, *args: str, data: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(["git", *_GIT_SAFE, "-C", str(toplevel), *args], input=data, capture_output=True, env=env,
                              check=False, timeout=120)
    except FileNotFoundError:
        raise BaseError("--base needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise BaseError(f"git {args[0]} took more than 120 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaseError(f"git {args[0]} failed: {message[-1] if message else f'exit {done.returncode}'}")
    return done.stdout


def _toplevel(start: Path) -> Path:
    try:
        out = _git(start, "rev-parse", "--show-toplevel")
    except BaseError as exc:
        raise BaseError(f"--base needs the paths to be in a git repository ({exc})") from None
    return Path(out.decode("utf-8").strip()).resolve()


def _commit(toplevel: Path, ref: str) -> str:
    if not ref or ref.startswith("-") or any(ch in ref for ch in "\0\n"):
        raise BaseError(f"--base {ref!r}: not a git revision")
    try:
        out = _git(toplevel, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except BaseError:
        raise BaseError(f"--base {ref}: no such commit in {toplevel}") from None
    return out.decode("ascii").strip()


def _relative(path: Path, toplevel: Path) -> PurePosixPath | None:
    try:
        return PurePosixPath(Path(os.path.realpath(path)).relative_to(toplevel).as_posix())
    except ValueError:
        return None


def _under(path: PurePosixPath, roots: list[PurePosixPath]) -> bool:
    return any(root == PurePosixPath(".") or path == root or root in path.parents for root in roots)


def _blobs(toplevel: Path, commit: str) -> list[tuple[str, str, str]]:
    """``(mode, sha, path)`` of every entry of the revision's tree."""
    entries = []
    for record in _git(toplevel, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, _kind, sha = meta.decode("ascii").split()
        entries.append((mode, sha, raw_path.decode("utf-8", "surrogateescape")))
    return entries


def _cat(toplevel: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of the blobs, read in one ``git cat-file --batch``."""
    if not shas:
        return {}
    unique = sorted(set(shas))
    out = _git(toplevel, "cat-file", "--batch", data=("\n".join(unique) + "\n").encode("ascii"))
    contents: dict[str, bytes] = {}
    pos = 0
    for sha in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii").split()
        if len(header) != 3 or header[1] != "blob":
            raise BaseError(f"git cat-file: unexpected object {sha}: {' '.join(header)}")
        size = int(header[2])
        contents[sha] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return contents


def _layout(cwd: Path, toplevel: Path, tmp: Path) -> tuple[Path, Path, bool]:
    """Where to export the top level and where to run from, mirroring how ``cwd`` relates to it.

    Returns ``(export root, run directory, display paths are absolute)``.
    """
    inside = _relative(cwd, toplevel)
    if inside is not None:  # cwd in the repository: run from the same place in the export
        root = tmp / "tree"
        return root, root.joinpath(*inside.parts), False
    try:  # the repository below cwd: export it at the same relative place
        below = Path(os.path.realpath(toplevel)).relative_to(Path(os.path.realpath(cwd)))
        return tmp / "cwd" / below, tmp / "cwd", False
    except ValueError:  # unrelated: display paths are absolute on both sides (run from outside the export),
        return tmp / "tree", tmp / "cwd", True  # and the export's prefix is mapped to the repository's afterwards


@contextmanager
def export(ref: str, paths: tuple[str, ...], var_files: tuple[str, ...], cwd: Path | None = None) -> Iterator[BaseTree]:
    """Export ``ref`` for ``paths`` into a temporary directory; removed when the block ends."""
    here = (cwd or Path.cwd()).resolve()
    first = here / (paths[0] if paths else ".")
    toplevel = _toplevel(first if first.is_dir() else first.parent)
    commit = _commit(toplevel, ref)
    with tempfile.TemporaryDirectory(prefix="cfgate-base-") as raw_tmp:
        tmp = Path(raw_tmp).resolve()
        root, run_dir, absolute = _layout(here, toplevel, tmp)
        notes: list[str] = []
        roots: list[PurePosixPath] = []
        for raw in paths:
            rel = _relative(here / raw, toplevel)
            if rel is None:
                raise BaseError(f"--base: {raw} is outside the git repository {toplevel}")
            roots.append(rel)
        var_rels = [_relative(here / raw, toplevel) for raw in var_files]
        wanted_vars = {rel for rel in var_rels if rel is not None}
        chosen: list[tuple[str, str]] = []
        for mode, sha, name in _blobs(toplevel, commit):
            path = PurePosixPath(name)
            if path in wanted_vars or (_under(path, roots) and kind_of(Path(path.name)) is not None
                                       and not any(part in SKIP_DIRS for part in path.parts[:-1])):
                if mode == "120000":
                    notes.append(f"{name} is a symbolic link at {ref}; not followed")
                elif mode == "160000":
                    notes.append(f"{name} is a submodule at {ref}; not read")
                elif mode in ("100644", "100755"):
                    chosen.append((sha, name))
        contents = _cat(toplevel, [sha for sha, _ in chosen])
        for sha, name in chosen:
            target = root.joinpath(*PurePosixPath(name).parts)
            if root not in target.resolve().parents:
                raise BaseError(f"--base: refusing the path {name!r} from {ref}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(contents[sha])
        run_dir.mkdir(parents=True, exist_ok=True)
        mapped: list[str] = []
        for raw, rel in zip(paths, roots):
            target = root.joinpath(*rel.parts)
            if not target.exists():
                if (here / raw).is_dir():
                    target.mkdir(parents=True, exist_ok=True)  # the directory held no input at the base: nothing to read
                    notes.append(f"{raw}: no input files at {ref}")
                else:
                    notes.append(f"{raw}: not present at {ref}")
                    continue
            mapped.append(str(target))
        kept_vars: list[str] = []  # in the given order: later files win
        for raw, rel in zip(var_files, var_rels):
            if rel is None:
                kept_vars.append(str((here / raw).resolve()))  # outside the repository: the same file on both sides
            elif root.joinpath(*rel.parts).is_file():
                kept_vars.append(str(root.joinpath(*rel.parts)))
            else:
                notes.append(f"--var-file {raw}: not present at {ref}; the base is evaluated without it")
        yield BaseTree(ref=ref, commit=commit, root=root, cwd=run_dir, paths=tuple(mapped), var_files=tuple(kept_vars),
                       prefix_map=(root.as_posix(), toplevel.as_posix()) if absolute else None, notes=sorted(set(notes)))
