"""Real servers on loopback for the probe tests: PostgreSQL, Redis, HTTP, a black hole.

Nothing here mocks the network. PostgreSQL refuses to run as root, and tests (and CI) run as
root, so when euid is 0 the server commands run as an unprivileged account (``postgres``, which
Debian's postgresql package creates, else ``nobody``) through ``subprocess``'s ``user=``/
``group=`` arguments, in a temp dir under a world-traversable parent, chowned to that account.
"""

from __future__ import annotations

import contextlib
import glob
import http.server
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from support import REQUIRE_ALL, need

LOOPBACK = "127.0.0.1"
PG_USER = "cfgate"
PG_PASSWORD = "pg-S3cret-Probe!"
REDIS_PASSWORD = "redis-S3cret-Probe"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {LOOPBACK}:{port} after {timeout_s} s")


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/(\d+(?:\.\d+)?)/", path)
    return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)


def pg_bin(name: str) -> str:
    """A PostgreSQL server binary: on PATH, else Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_pg_version_key)
    if candidates:
        return candidates[-1]
    return need(name, "PostgreSQL server binaries (Debian package postgresql)")


@dataclass(frozen=True)
class Account:
    """Who runs the PostgreSQL commands: None fields mean "the current user"."""

    uid: int | None = None
    gid: int | None = None

    def popen_kwargs(self) -> dict[str, object]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def unprivileged_account() -> Account:
    """The current user, or (as root) an unprivileged system account initdb will accept."""
    if os.geteuid() != 0:
        return Account()
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return Account(entry.pw_uid, entry.pw_gid)
    message = "running as root and no unprivileged account (postgres, nobody) to run PostgreSQL"
    if REQUIRE_ALL:
        pytest.fail(message)
    pytest.skip(message)


def world_traversable_tmp() -> str:
    """A temp parent every user can enter (root's pytest tmp dirs are mode 0700)."""
    base = Path(tempfile.gettempdir()).resolve()
    for part in (base, *base.parents):
        if not part.stat().st_mode & stat.S_IXOTH:
            return "/tmp"
    return str(base)


@dataclass(frozen=True)
class PostgresServer:
    port: int
    user: str
    password: str
    dbname: str = "postgres"

    def url(self, *, password: str | None = None, host: str = LOOPBACK) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{self.user}:{secret}@{host}:{self.port}/{self.dbname}"


def _run_as(account: Account, args: list[str], workdir: str, log: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": workdir}
    result = subprocess.run(
        args, cwd=workdir, env=env, capture_output=True, text=True, timeout=60, **account.popen_kwargs()
    )
    log.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:1])} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """PostgreSQL (initdb + pg_ctl) on a free loopback port, scram password auth over TCP."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    pg_bin("postgres")
    account = unprivileged_account()
    workdir = tempfile.mkdtemp(prefix="cfgate-pg-", dir=world_traversable_tmp())
    os.chmod(workdir, 0o700)
    if account.uid is not None:
        os.chown(workdir, account.uid, account.gid or 0)
    pwfile = Path(workdir, "pwfile")
    pwfile.write_text(PG_PASSWORD + "\n")
    if account.uid is not None:
        os.chown(pwfile, account.uid, account.gid or 0)
    data, log = Path(workdir, "data"), Path(workdir, "server.log")
    port = free_port()
    try:
        _run_as(
            account,
            [
                initdb,
                "-D",
                str(data),
                "-U",
                PG_USER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            workdir,
            Path(workdir, "initdb.log"),
        )
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {port}\nlisten_addresses = '{LOOPBACK}'\nunix_socket_directories = ''\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 20\nshared_buffers = 16MB\n"
            )
        _run_as(
            account,
            [pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "30", "start"],
            workdir,
            Path(workdir, "pg_ctl.log"),
        )
        wait_for_port(port, 10)
        yield PostgresServer(port=port, user=PG_USER, password=PG_PASSWORD)
    finally:
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                _run_as(
                    account,
                    [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                    workdir,
                    Path(workdir, "pg_ctl_stop.log"),
                )
        shutil.rmtree(workdir, ignore_errors=True)


# --- Redis -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedisServer:
    port: int
    password: str

    def url(self, *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"redis://:{secret}@{LOOPBACK}:{self.port}/0"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """Debian's redis-server on a free loopback port, no persistence, ``requirepass`` set."""
    binary = need("redis-server", "Debian package redis-server")
    workdir = tempfile.mkdtemp(prefix="cfgate-redis-")
    port = free_port()
    log = open(Path(workdir, "redis.log"), "wb")  # noqa: SIM115 - closed in teardown
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            REDIS_PASSWORD,
            "--dir",
            workdir,
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    try:
        wait_for_port(port, 10)
        yield RedisServer(port=port, password=REDIS_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


# --- HTTP, a black hole, a closed port -----------------------------------------------------------


class _HealthHandler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, int]] = {"/health": 200, "/": 200, "/unavailable": 503}

    def do_GET(self) -> None:
        status = self.routes.get(self.path.split("?", 1)[0], 404)
        body = b"ok\n" if status == 200 else b"no\n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def http_server_on(port: int = 0) -> Iterator[int]:
    """A stdlib HTTP server in a thread on loopback; yields its port."""
    server = http.server.ThreadingHTTPServer((LOOPBACK, port), _HealthHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def http_port() -> Iterator[int]:
    with http_server_on() as port:
        yield port


@pytest.fixture(scope="session")
def black_hole_port() -> Iterator[int]:
    """Accepts connections and never says a word (nor reads one)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(64)
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                conn, _ = listener.accept()
                held.append(conn)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        listener.close()


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def serve_http() -> object:
    """The :func:`http_server_on` context manager, for tests that start a server themselves."""
    return http_server_on


@pytest.fixture(scope="session")
def reserve_port() -> object:
    """The :func:`free_port` function."""
    return free_port
