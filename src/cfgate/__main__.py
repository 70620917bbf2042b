"""Entry point: ``cfgate`` and ``python -m cfgate``.

``--version`` is answered before the CLI framework is imported, so it stays fast.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from . import __version__

        print(f"cfgate {__version__}")
        return
    import gc

    # cfgate builds many small, long-lived objects (parse trees, models) and frees few: a larger first
    # generation keeps the collector from rescanning them over and over (about 25% of a large run).
    gc.set_threshold(100_000, 50, 1000)
    from .cli import run

    run()


if __name__ == "__main__":
    main()
