"""The live display: a redrawn line on a TTY, plain lines elsewhere; and exit statuses of a killed command."""

from __future__ import annotations

import io
import signal
import sys

from cfgate.probes import ProbeTarget, run_probes
from cfgate.stages import ProgressPrinter
from cfgate.stages.handoff import exit_status, run_command

LOOPBACK = "127.0.0.1"


def targets(closed_port: int, http_port: int) -> list[ProbeTarget]:
    fast = {"timeout_s": 1.0, "attempts": 2, "backoff_base_s": 0.01, "jitter": False}
    return [ProbeTarget(name="up", kind="http", address=f"http://{LOOPBACK}:{http_port}/health", **fast),
            ProbeTarget(name="down", kind="tcp", address=f"{LOOPBACK}:{closed_port}", **fast)]


def test_tty_display_redraws_one_status_line(closed_port: int, http_port: int) -> None:
    stream = io.StringIO()
    run_probes(targets(closed_port, http_port), deadline_s=5, on_event=ProgressPrinter(stream, tty=True))
    text = stream.getvalue()
    assert "\r\x1b[K" in text and "probing 0/2 done" in text
    assert "ok   up [http]" in text and "FAIL down [tcp]" in text
    assert text.endswith("done: 2 target(s), 1 failed\n")


def test_plain_display_prints_whole_lines(closed_port: int, http_port: int) -> None:
    stream = io.StringIO()
    run_probes(targets(closed_port, http_port), deadline_s=5, on_event=ProgressPrinter(stream, tty=False))
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and all(line.startswith("cfgate: [") for line in lines)
    assert any("down: attempt 1/2 failed" in line for line in lines)


def test_a_command_killed_by_a_signal_exits_like_a_shell_reports_it() -> None:
    assert exit_status(-signal.SIGTERM) == 128 + signal.SIGTERM and exit_status(5) == 5
    code = run_command([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], {}, io.StringIO())
    assert code == 128 + signal.SIGTERM
