"""Fixtures for the audit tests: a git repository with the golden path's before and after commits,
headless Chromium, and a small PNG decoder (zlib only) to sample the screenshot's pixels."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "fixtures" / "golden-path"
AUDIT_FIXTURES = ROOT / "fixtures" / "audit"
AS_OF = "2025-09-16"  # the seed's date: the bypass flags expire in 2 days

# a credential in each revision: neither may reach any report
BASE_SECRET_LINE = "DATABASE_URL=postgresql://app:oldpass1999@db.internal:5432/app\n"
HEAD_SECRET_LINE = "DATABASE_URL=postgresql://app:hunter2@db.internal:5432/app\n"


def _git_env() -> dict[str, str]:
    return {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "cfgate test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid", "GIT_COMMITTER_NAME": "cfgate test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid", "GIT_AUTHOR_DATE": "2025-09-16T12:00:00Z",
            "GIT_COMMITTER_DATE": "2025-09-16T12:00:00Z"}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with no user or system configuration."""
    done = subprocess.run(["git", *args], cwd=repo, env=_git_env(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def _replace_tree(repo: Path, source: Path) -> None:
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(source, repo, dirs_exist_ok=True)


@pytest.fixture
def make_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``make_repo(tree1, tree2, ...)``: a repository with one commit per tree (a directory, or a dict of
    relative path -> text); the working directory is the repository."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def make(*trees: Path | dict[str, str], name: str = "repo") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        for number, tree in enumerate(trees, start=1):
            if isinstance(tree, Path):
                _replace_tree(repo, tree)
            else:
                for child in repo.iterdir():
                    if child.name != ".git":
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
                for rel, text in tree.items():
                    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
                    (repo / rel).write_text(text, encoding="utf-8")
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", f"commit {number}")
        monkeypatch.chdir(repo)
        return repo

    return make


@pytest.fixture
def golden_repo(make_repo: Callable[..., Path], tmp_path: Path) -> Path:
    """The golden path as two commits: ``before`` (HEAD~1), then ``after`` (HEAD); each with a DATABASE_URL credential."""
    trees = []
    for side, secret in (("before", BASE_SECRET_LINE), ("after", HEAD_SECRET_LINE)):
        tree = tmp_path / "trees" / side
        shutil.copytree(GOLDEN / side, tree)
        with (tree / ".env.staging.tests").open("a", encoding="utf-8") as handle:
            handle.write(secret)
        trees.append(tree)
    return make_repo(*trees)


# --- Chromium ------------------------------------------------------------------------------------

@dataclass
class Page:
    dom: str
    console: list[str]  # Chromium's CONSOLE log lines: any message at all, from script or from a blocked load


class Chromium:
    """Headless Chromium with a throw-away profile, no network services, logging to stderr."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary = binary
        self.profile = profile

    def _run(self, url: str, *extra: str) -> tuple[str, list[str]]:
        args = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                f"--user-data-dir={self.profile}", "--enable-logging=stderr", "--v=0", *extra, url]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
        return done.stdout, console

    def dump_dom(self, path: Path) -> Page:
        dom, console = self._run(path.as_uri(), "--dump-dom")
        return Page(dom, console)

    def render(self, path: Path, png: Path, width: int = 1280, height: int = 2000) -> Page:
        """Load the page once: its DOM after layout, a screenshot of the window, and the console lines."""
        dom, console = self._run(path.as_uri(), "--dump-dom", f"--screenshot={png}", f"--window-size={width},{height}",
                                 "--hide-scrollbars", "--force-device-scale-factor=1", "--force-color-profile=srgb")
        assert png.is_file() and png.stat().st_size > 10_000, "the screenshot is missing or trivially small"
        return Page(dom, console)


@pytest.fixture
def chromium(tmp_path: Path) -> Chromium:
    from support import need

    return Chromium(need("chromium", "renders the HTML audit report"), tmp_path / "chromium-profile")


# --- PNG -----------------------------------------------------------------------------------------

@dataclass
class Image:
    width: int
    height: int
    channels: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = x * self.channels
        r, g, b = self.rows[y][i:i + 3]
        return r, g, b

    def find(self, y: int, colour: tuple[int, int, int]) -> list[int]:
        """The x of every pixel of exactly ``colour`` on row ``y`` (a byte search: fast on rows without it)."""
        row, needle, xs = self.rows[y], bytes(colour), []
        at = row.find(needle)
        while at != -1:
            if at % self.channels == 0:
                xs.append(at // self.channels)
            at = row.find(needle, at + 1)
        return xs


def decode_png(data: bytes) -> Image:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) with zlib alone.

    The "up" filter (most of Chromium's rows) is undone for a whole row at once with one big-integer
    addition per byte lane, so a 1280x2000 screenshot decodes in well under a second.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, []
    width = height = depth = colour = interlace = 0
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    assert depth == 8 and interlace == 0 and colour in (2, 6), f"unsupported PNG: depth {depth}, colour {colour}"
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(chunks))
    low, high = int.from_bytes(b"\x7f" * stride, "big"), int.from_bytes(b"\x80" * stride, "big")
    rows: list[bytes] = []
    prev, prev_int = bytes(stride), 0
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1:start + 1 + stride]
        if kind == 0:
            out = line
        elif kind == 2:  # up: bytewise (line + prev) mod 256, all lanes at once
            x = int.from_bytes(line, "big")
            out = (((x & low) + (prev_int & low)) ^ ((x ^ prev_int) & high)).to_bytes(stride, "big")
        else:
            buf = bytearray(line)
            if kind == 1:  # sub
                for i in range(bpp, stride):
                    buf[i] = (buf[i] + buf[i - bpp]) & 255
            elif kind == 3:  # average
                for i in range(stride):
                    buf[i] = (buf[i] + ((buf[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
            else:  # paeth
                for i in range(stride):
                    a = buf[i - bpp] if i >= bpp else 0
                    b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    buf[i] = (buf[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            out = bytes(buf)
        rows.append(out)
        prev, prev_int = out, int.from_bytes(out, "big")
    return Image(width, height, bpp, rows)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


@pytest.fixture
def run_git() -> Callable[..., str]:
    """``run_git(repo, *args)``: git with no user or system configuration."""
    return git


@pytest.fixture
def png() -> Callable[[bytes], Image]:
    """The zlib-only PNG decoder."""
    return decode_png
