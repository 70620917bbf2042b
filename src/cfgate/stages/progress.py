"""Live progress of the probe stage on stderr: one redrawn status line on a TTY, plain lines otherwise."""

from __future__ import annotations

import shutil
from typing import TextIO

from ..probes import ProbeEvent, ProgressLine, format_event, format_outcome


class ProgressPrinter:
    """An ``on_event`` callback for :func:`cfgate.probes.run_probes` that writes to ``stream``.

    On a terminal it keeps one status line (``probing 2/5 done, 0 failed; DATABASE_URL attempt 2``)
    redrawn in place, and prints each finished target above it. Elsewhere (CI logs, pipes) it prints
    the plain line of each event that matters, so logs read top to bottom. Addresses come redacted
    from the probe library; nothing here sees a secret.
    """

    def __init__(self, stream: TextIO, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.line = ProgressLine()

    def __call__(self, event: ProbeEvent) -> None:
        if not self.tty:
            text = format_event(event)
            if text is not None:
                self.stream.write(f"cfgate: {text}\n")
                self.stream.flush()
            return
        self.line.update(event)
        width = max(shutil.get_terminal_size((100, 20)).columns - 1, 20)
        clear = "\r\x1b[K"
        if event.type == "target_done" and event.outcome is not None:
            self.stream.write(f"{clear}{format_outcome(event.outcome)}\n")
        if event.type == "stage_end":
            self.stream.write(f"{clear}{format_event(event) or ''}\n")
        else:
            self.stream.write(clear + self.line.render(width))
        self.stream.flush()
