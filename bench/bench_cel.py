#!/usr/bin/env python3
"""Weigh the two CEL bindings on PyPI for cfgate's ``relation`` rules (issue 4, step 6).

- ``common-expression-language`` (module ``cel``): Rust (the ``cel`` crate) behind PyO3;
- ``cel-python`` (module ``celpy``): pure Python on a Lark grammar.

Figures: import cost (median wall time of fresh processes, minus an empty interpreter), compile time,
evaluation time (10k evaluations of ``pool.pool_size + pool.max_overflow <= 40`` with the bindings
built the way cfgate builds them), installed size (the library and the dependencies cfgate does not
already pull in), and agreement with the CEL language definition on int/double arithmetic and
comparisons. Both libraries must be installed::

    pip install common-expression-language cel-python
    python3 bench/bench_cel.py [--runs 7] [--evals 10000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, distribution
from typing import Any

EXPR = "pool.pool_size + pool.max_overflow <= 40"
POOL: dict[str, Any] = {
    "pool_size": 50, "max_overflow": 50, "pool_timeout": 600, "pool_recycle": 900, "pool_pre_ping": True,
    "file": "netra_backend/app/db/database_manager.py", "name": "DatabaseManager", "type": "class",
}

# How cfgate loads the Rust binding: the compiled module alone, without the package __init__, which
# imports the library's interactive REPL (cel.cli: prompt_toolkit, rich, typer).
DIRECT_LOAD = (
    "from cfgate.cel import load_backend; load_backend()"
)

IMPORTS = {
    "python (empty)": "pass",
    "import cel": "import cel",
    "cfgate.cel.load_backend() (cel extension only)": DIRECT_LOAD,
    "import celpy": "import celpy",
    "import celpy + first Environment().compile": "import celpy; celpy.Environment().compile('1 + 1')",
}

# Expression -> what the CEL language definition says (a value, or ERROR). Numeric equality and
# ordering work across int, uint and double "as though on a continuous number line" (cel-spec
# proposal 210, in langdef since v0.10; cel-go compareIntDouble); arithmetic never mixes types.
SPEC: list[tuple[str, Any]] = [
    ("50 + 50 <= 40", False),
    ("20 + 10 <= 40", True),
    ("7 / 2", 3),
    ("-7 / 2", -3),
    ("-7 % 2", -1),
    ("7.0 / 2.0", 3.5),
    ("0.1 + 0.2 == 0.3", False),
    ("1 + 1.5", "ERROR"),
    ("1 < 1.5", True),
    ("4.0 < 10", True),
    ("10 < 4.0", False),
    ("2 > 1.5", True),
    ("1 == 1.0", True),
    ("40 >= 40.0", True),
    ("1u + 1", "ERROR"),
    ("9223372036854775807 + 1", "ERROR"),
    ("-9223372036854775807 - 2", "ERROR"),
    ("5 / 0", "ERROR"),
    ("5 % 0", "ERROR"),
    ("1.0 / 0.0 > 1e308", True),
    ("int(2.9)", 2),
    ("int(-2.9)", -2),
    ("int(1e19)", "ERROR"),
    ("double(50) + 0.5", 50.5),
    ("int('50') + 1", 51),
    ("double('30.5') < 31", True),
    ("{'a': 1}.b", "ERROR"),
    ("has({'a': 1}.b)", False),
    ("[1, 2].all(x, x < 3)", True),
]


def fresh(code: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def per_call(fn: Callable[[], Any], count: int) -> float:
    """Best of three batches, in microseconds per call."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / count * 1e6


def rust_backend() -> dict[str, Callable[..., Any]]:
    import cel

    program = cel.compile(EXPR)
    return {
        "compile": lambda: cel.compile(EXPR),
        "evaluate": lambda: program.execute({"pool": dict(POOL)}),
        "run": lambda expr: cel.compile(expr).execute({}),
    }


def python_backend() -> dict[str, Callable[..., Any]]:
    import celpy

    env = celpy.Environment()
    program = env.program(env.compile(EXPR))
    activation = {"pool": celpy.json_to_cel(POOL)}
    return {
        "compile": lambda: env.program(env.compile(EXPR)),
        "evaluate": lambda: program.evaluate({"pool": celpy.json_to_cel(dict(POOL))}),
        "evaluate (bindings converted once)": lambda: program.evaluate(activation),
        "run": lambda expr: env.program(env.compile(expr)).evaluate({}),
    }


def closure(name: str, seen: set[str] | None = None) -> set[str]:
    """The distribution and everything it requires (no extras), by normalised name."""
    from packaging.requirements import Requirement

    seen = set() if seen is None else seen
    key = name.lower().replace("_", "-")
    if key in seen:
        return seen
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        return seen
    seen.add(key)
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            closure(req.name, seen)
    return seen


def installed_mb(names: set[str]) -> float:
    total = 0
    for name in names:
        files = distribution(name).files or []
        total += sum(f.size or 0 for f in files)
    return total / 1e6


def outcome(run: Callable[[str], Any], expr: str) -> Any:
    try:
        value = run(expr)
    except Exception:  # noqa: BLE001 - any evaluation error counts as ERROR
        return "ERROR"
    if isinstance(value, bool) or value is None:
        return value
    if type(value).__name__ == "BoolType":  # celpy's bool is an int subclass
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per import figure")
    parser.add_argument("--evals", type=int, default=10_000)
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}; expression: {EXPR}\n")
    print("import cost (median of fresh processes, minus the empty interpreter):")
    base = fresh(IMPORTS["python (empty)"], args.runs)
    print(f"  {'python (empty)':<48} {base * 1000:7.1f} ms")
    for label, code in list(IMPORTS.items())[1:]:
        print(f"  {label:<48} +{(fresh(code, args.runs) - base) * 1000:6.1f} ms")

    backends = {"common-expression-language": rust_backend(), "cel-python": python_backend()}
    print(f"\ncompile and evaluate (best of 3 batches; {args.evals} evaluations):")
    for label, fns in backends.items():
        compile_us = per_call(fns["compile"], max(args.evals // 10, 100))
        print(f"  {label:<28} compile {compile_us:9.1f} us")
        for key in [k for k in fns if k.startswith("evaluate")]:
            us = per_call(fns[key], args.evals)
            print(f"  {label:<28} {key:<36} {us:8.2f} us/eval  {us * args.evals / 1000:8.1f} ms per {args.evals}")

    core = closure("cfgate")
    print("\ninstalled size beyond cfgate's own dependencies:")
    for dist_name in ("common-expression-language", "cel-python"):
        extra = closure(dist_name) - core
        print(f"  {dist_name:<28} {installed_mb(extra):6.1f} MB  ({', '.join(sorted(extra))})")

    print("\nagreement with the CEL language definition (int/double arithmetic and comparisons):")
    results = {label: [outcome(fns["run"], expr) for expr, _ in SPEC] for label, fns in backends.items()}
    for label, got in results.items():
        pairs = zip(SPEC, got, strict=True)
        wrong = [(expr, want, have) for (expr, want), have in pairs if have != want or type(have) is not type(want)]
        print(f"  {label:<28} {len(SPEC) - len(wrong)}/{len(SPEC)} as specified")
        for expr, want, have in wrong:
            print(f"      {expr:<28} spec {want!r:<8} got {have!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
