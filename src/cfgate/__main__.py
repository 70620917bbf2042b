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
    from .cli import run

    run()


if __name__ == "__main__":
    main()
