"""CEL (Common Expression Language) for ``relation`` rules: the evaluator, loaded only when a policy needs it.

cfgate uses the Rust-backed binding ``common-expression-language`` (``pip install 'cfgate[cel]'``); see
``bench/bench_cel.py`` for why. Importing :mod:`cfgate` never imports it: :func:`load_backend` runs the
first time a relation rule is compiled, so only a policy that has one pays.

The binding's package ``__init__`` also imports its interactive REPL (``cel.cli``: prompt_toolkit, rich,
typer), which costs about 0.4 s. cfgate needs only the compiled evaluator inside it (``cel.cel``, about
25 ms), so it loads that module by itself and falls back to ``import cel`` if the layout ever changes.

Besides compiling and running expressions, this module reads an expression's text statically:
:func:`references` lists the ``name.attr`` pairs it uses (for locations, unknowns and messages) and
:func:`unbound_names` finds names the expression uses but no binding defines. Nothing here calls
Python ``eval``.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

INSTALL_HINT = "pip install 'cfgate[cel]'"
BACKEND = "common-expression-language"

#: words CEL reserves; none of them can name a binding
RESERVED = frozenset({
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
    "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
})
#: identifiers an expression may use without binding them: type names (``type(x) == int``) and the
#: ``cel.`` namespace of extension macros (``cel.bind``)
_PREDECLARED = frozenset({"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type",
                          "dyn", "cel", "google", "optional", "math", "strings"})


class CelUnavailable(Exception):
    """The CEL library is not installed (or cannot be loaded)."""

    def __init__(self, detail: str = "") -> None:
        text = f"relation rules need the CEL evaluator, which is not installed: {INSTALL_HINT}"
        super().__init__(f"{text} ({detail})" if detail else text)


class CelSyntaxError(Exception):
    """An expression that does not compile; ``str()`` is the library's message, trimmed."""


class MissingKey(Exception):
    """Evaluation looked up a map key that is not there (CEL ``no such key``)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class CelEvalError(Exception):
    """Any other evaluation error: no matching overload, overflow, division by zero, an undefined name."""


@lru_cache(maxsize=1)
def load_backend() -> ModuleType:
    """The compiled evaluator module (``cel.cel``): ``compile(src) -> Program`` with ``Program.execute(vars)``.

    Raises :class:`CelUnavailable` when ``common-expression-language`` is not installed.
    """
    if "cel.cel" in sys.modules:
        return sys.modules["cel.cel"]
    try:
        spec = importlib.util.find_spec("cel")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise CelUnavailable()
    module = _load_extension(Path(next(iter(spec.submodule_search_locations))))
    if module is None:  # an unexpected layout: take the slow, public way
        try:
            import cel as package  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise CelUnavailable(str(exc)) from None
        module = package.cel
    if not (hasattr(module, "compile") and hasattr(module, "Program")):
        raise CelUnavailable(f"the installed {BACKEND} has no compile(); cfgate needs {BACKEND}>=0.10")
    return module


def _load_extension(directory: Path) -> ModuleType | None:
    """Load ``cel/cel.<abi>.so`` as ``cel.cel`` without running the package ``__init__``."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = directory / f"cel{suffix}"
        if not path.is_file():
            continue
        loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(path))
        spec = importlib.util.spec_from_file_location("cel.cel", path, loader=loader)
        if spec is None:
            return None
        try:
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
        except ImportError:
            return None
        sys.modules["cel.cel"] = module  # a PyO3 module initialises once per process; `import cel` reuses it
        return module
    return None


@dataclass(frozen=True)
class Reference:
    """``name.attr`` (or ``name["attr"]``) as written in an expression."""

    name: str
    attr: str

    def __str__(self) -> str:
        return f"{self.name}.{self.attr}"


# String literals (with r/b prefixes, single, double and triple quotes) and // comments, so that the
# static scans below never look inside them.
_STRING = r"""(?:[rRbB]{0,2})(?:\"\"\"(?:\\.|[^\\])*?\"\"\"|'''(?:\\.|[^\\])*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
_OPAQUE = re.compile(rf"{_STRING}|//[^\n]*", re.DOTALL)
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_FIELD = re.compile(rf"(?<![\w.])({_IDENT})\s*\.\s*({_IDENT})\b(?!\s*\()")
_INDEX = re.compile(rf"""(?<![\w.])({_IDENT})\s*\[\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')\s*\]""")
_MACRO_VARS = re.compile(rf"\.\s*{_IDENT}\s*\(\s*({_IDENT})\s*,(?:\s*({_IDENT})\s*,)?")
_HAS = re.compile(rf"(?<![\w.])has\s*\(\s*({_IDENT})\s*\.\s*({_IDENT})\s*\)")


def _blank(source: str) -> str:
    """The expression with string literals and comments replaced by spaces (offsets kept)."""
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), source)


def references(source: str, names: Iterable[str]) -> tuple[Reference, ...]:
    """The ``name.attr`` pairs the expression uses, for the given bound names, in text order, each once.

    ``pool.pool_size`` and ``pool["pool_size"]`` both count; a field of a field counts as its first
    step (``db.settings.tier`` -> ``db.settings``); macro calls (``pool.all(k, ...)``) do not.
    """
    bound = set(names)
    blanked = _blank(source)
    found: list[tuple[int, Reference]] = []
    for match in _FIELD.finditer(blanked):
        if match.group(1) in bound:
            found.append((match.start(), Reference(match.group(1), match.group(2))))
    for match in _INDEX.finditer(source):
        if match.group(1) in bound and blanked[match.start()] != " ":
            found.append((match.start(), Reference(match.group(1), match.group(2) or match.group(3) or "")))
    return tuple(dict.fromkeys(ref for _, ref in sorted(found, key=lambda item: item[0])))


def guarded(source: str, names: Iterable[str]) -> frozenset[Reference]:
    """The references the expression tests with ``has(name.attr)``."""
    bound = set(names)
    return frozenset(Reference(m.group(1), m.group(2)) for m in _HAS.finditer(_blank(source)) if m.group(1) in bound)


def unbound_names(source: str, names: Iterable[str]) -> list[str]:
    """Identifiers the expression reads as variables that no binding defines (after a successful compile).

    Comprehension variables (``[..].all(x, ...)``, ``cel.bind(t, ...)``) and type names are allowed.
    """
    program = compile_expression(source)
    used = set(program.variables()) if hasattr(program, "variables") else set()
    blanked = _blank(source)
    local = {v for m in _MACRO_VARS.finditer(blanked) for v in m.groups() if v}
    local |= {m.group(1) for m in re.finditer(rf"\bbind\s*\(\s*({_IDENT})\s*,", blanked)}
    return sorted(used - set(names) - local - _PREDECLARED)


@lru_cache(maxsize=256)
def compile_expression(source: str) -> Any:
    """A compiled program. Raises :class:`CelSyntaxError` or :class:`CelUnavailable`."""
    backend = load_backend()
    try:
        return backend.compile(source)
    except Exception as exc:  # noqa: BLE001 - the binding raises ValueError, but any failure is a bad expression
        raise CelSyntaxError(_trim(str(exc), source)) from None


def _trim(message: str, source: str) -> str:
    """``Failed to parse expression '...': ERROR: <input>:1:5: Syntax error: ...`` -> ``1:5: Syntax error: ...``."""
    text = message.replace(f"Failed to parse expression '{source}': ", "")
    text = re.sub(r"^ERROR: <input>:", "", text.strip())
    return text.splitlines()[0] if text else message


def execute(program: Any, variables: dict[str, Any]) -> Any:
    """Run a compiled program. Raises :class:`MissingKey` or :class:`CelEvalError`; never returns an error value."""
    try:
        return program.execute(variables)
    except KeyError as exc:
        key = exc.args[0] if exc.args else ""
        raise MissingKey(str(key)) from None
    except Exception as exc:  # noqa: BLE001 - TypeError, RuntimeError, OverflowError, ZeroDivisionError, ValueError
        raise CelEvalError(_eval_message(exc)) from None


def _eval_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if text.startswith("No such overload"):
        return ("no such overload: CEL does not mix types in arithmetic (int + double, int + uint, "
                "number + string); convert with double(x), int(x) or string(x)")
    if text.startswith("Undefined variable or function"):
        return text.split(". Check that", 1)[0]
    return text
