#!/usr/bin/env python3
"""Core budgets (issue 2): `cfgate --version` starts in under 0.3 s; a check of the seed fixture takes under 1 s.

Each figure is the median wall time of N fresh processes (what a user or a pre-commit hook pays),
after one warm-up run that lets python-hcl2 write its grammar cache.

    python3 bench/bench_core.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
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


# A user's cfgate runs from compiled bytecode: pip compiles it at install time, and Python caches it on first
# import. An environment with PYTHONDONTWRITEBYTECODE=1 recompiles every module on every run (about +0.3 s);
# --no-bytecode measures that case too.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-bytecode", action="store_true", help="measure with PYTHONDONTWRITEBYTECODE=1 (no cached bytecode)")
    args = parser.parse_args()
    env = {**ENV, "PYTHONDONTWRITEBYTECODE": "1"} if args.no_bytecode else ENV
    failed = False
    for label, (argv, budget) in BUDGETS.items():
        timed(argv, env)  # warm-up: grammar cache, bytecode cache
        samples = [timed(argv, env) for _ in range(args.runs)]
        median = statistics.median(samples)
        ok = median < budget
        failed |= not ok
        print(f"{label:<45} median {median * 1000:7.1f} ms  min {min(samples) * 1000:7.1f} ms  "
              f"budget {budget * 1000:.0f} ms  {'ok' if ok else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
