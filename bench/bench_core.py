#!/usr/bin/env python3
"""Core budgets (issue 2): `cfgate --version` starts in under 0.3 s; a check of the seed fixture takes under 1 s.

Each figure is the median wall time of N fresh processes (what a user or a pre-commit hook pays),
after one warm-up run that lets python-hcl2 write its grammar cache.

    python3 bench/bench_core.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGETS = {
    "cfgate --version": (["cfgate", "--version"], 0.3),
    "cfgate check fixtures/golden-path/after": (["cfgate", "check", "fixtures/golden-path/after", "--as-of", "2025-09-19"], 1.0),
}


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    failed = False
    for label, (argv, budget) in BUDGETS.items():
        timed(argv)
        samples = [timed(argv) for _ in range(args.runs)]
        median = statistics.median(samples)
        ok = median < budget
        failed |= not ok
        print(f"{label:<45} median {median * 1000:7.1f} ms  min {min(samples) * 1000:7.1f} ms  "
              f"budget {budget * 1000:.0f} ms  {'ok' if ok else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
