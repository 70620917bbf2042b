"""Judge changed files in their context: ``cfgate check --changed-only`` (the pre-commit hook).

A changed file is rarely judged correctly on its own. ``max_instances = var.connector_max`` means nothing
without the ``variables.tf`` default or the ``terraform.tfvars`` beside it, a bypass flag's expiry can sit in
another file of the same env layer, and ``settings.DB_POOL_SIZE`` needs the settings class in another
module. Linting the changed file alone turns every such value into a false alarm or a silent unknown, which
is what changed-files hooks of other tools do. So cfgate reads each changed file with its context:

- ``.tf`` / ``.tfvars`` / ``.tfvars.json``: every input of its module directory (a module is a directory),
  the local modules that directory calls (transitively), and the directories found below the current
  directory that call it (transitively), so a module is evaluated with its callers' arguments, as a full
  run would. A changed ``--var-file`` that sits in a directory without ``.tf`` files applies to every root
  module, so every Terraform directory is read.
- an env file: every file of each declared env layer (``env_layers``) it belongs to (with no layers declared,
  each env file is a layer of its own), and the code that has pool settings, with what it imports, so that a
  pool size the env file sets is judged where the code uses it.
- a ``.py`` file: its top-level package (the directories above it that hold an ``__init__.py``; its own
  directory when it is in none) and the modules it imports found below the current directory (transitively).
- whenever code is read: every env file, as a full run reads them, since code takes its settings from the
  env layers.

Then only what concerns a changed file is kept: an evaluation located in a changed file, or one whose value
was set there (its recorded provenance names a changed file, as when ``terraform.tfvars`` alone changes
``connector_max`` to 100). Everything else read for context is dropped, so a finding in an untouched file
never fails the hook. Nothing here runs probes or touches the network: this is the static check only.

The current directory is the project root (pre-commit runs hooks from the repository root); context is
searched below it, honouring ``exclude`` and the directories discovery always skips.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .models import Evaluation, RunResult
from .sources import discover, display_path, kind_of
from .terraform.resolve import module_dir

if TYPE_CHECKING:
    from .engine import RunOptions
    from .rules.base import Rule

TERRAFORM_KINDS = frozenset({"terraform", "tfvars", "tfvars-json"})

#: ``add(files, reason)``: put files in the context, with why they are read
Add = Callable[[Iterable[str], str], None]

# `source = "./modules/x"` or `"../shared"`: a local module call. Read with a regex, not the HCL parser: the
# search for callers looks at every .tf file below the root and must stay cheap. A match outside a module
# block only adds a directory to the context, which costs time but never changes a verdict.
_LOCAL_SOURCE = re.compile(r'\bsource\s*=\s*"(\.{1,2}/[^"]*)"')
# a module-call step in a value's provenance ("module.vpc called at main.tf:12"): where the module was
# called, not where the value was set, so it does not make a finding belong to the caller's file
_CALL_STEP = re.compile(r"^module\..+ called$")


@dataclass(frozen=True)
class ChangeSet:
    """The changed inputs and everything to read to judge them."""

    changed: tuple[str, ...]  # display paths of the changed files cfgate reads, sorted
    context: tuple[str, ...]  # every file to read: the changed ones and their context, sorted
    why: Mapping[str, str] = field(default_factory=dict)  # context file (not changed) -> why it is read


class _Inventory:
    """Every input below the current directory, found once and only when a changed file needs context."""

    def __init__(self, excludes: tuple[str, ...]) -> None:
        self.excludes = excludes
        self._by_kind: dict[str, list[str]] | None = None

    def of(self, *kinds: str) -> list[str]:
        """Display paths of the inputs of these kinds (``terraform``, ``env``, ``python``...), sorted by kind."""
        if self._by_kind is None:
            self._by_kind = {}
            for _, display, kind in discover(["."], self.excludes):
                self._by_kind.setdefault(kind, []).append(display)
        return [path for kind in kinds for path in self._by_kind.get(kind, [])]


def plan(paths: Iterable[str], excludes: tuple[str, ...] = (), env_layers: Mapping[str, list[str]] | None = None,
         var_files: Iterable[str] = ()) -> ChangeSet:
    """The changed inputs among ``paths`` and the context each needs.

    A directory among ``paths`` counts as all its inputs changed. A file cfgate does not read (pre-commit
    may pass one when a user widens ``files:``) is skipped. A path that does not exist is a usage error.
    """
    changed: dict[str, str] = {}  # display path -> kind
    for raw in paths:
        path = Path(raw)
        if path.is_file() and kind_of(path) is None:
            continue
        for _, display, kind in discover([raw], excludes):  # raises UsageError for a missing path
            changed[display] = kind
    inventory = _Inventory(excludes)
    why: dict[str, str] = {}

    def add(files: Iterable[str], reason: str) -> None:
        for file in files:
            if file not in changed:
                why.setdefault(file, reason)

    tf_changed = [p for p, kind in changed.items() if kind in TERRAFORM_KINDS]
    if tf_changed:
        _terraform_context(tf_changed, {_display(v) for v in var_files}, inventory, add)
    env_changed = [p for p, kind in changed.items() if kind == "env"]
    py_changed = [p for p, kind in changed.items() if kind == "python"]
    if env_changed:
        _env_context(env_changed, inventory.of("env"), env_layers or {}, add)
    if py_changed or env_changed:
        python_files = inventory.of("python")
        index = _ModuleIndex(python_files)
        starts = list(py_changed)
        if py_changed:
            _packages(py_changed, python_files, add)
        if env_changed:
            # code whose pool settings an env file may set: a value it sets is judged where the code uses it
            readers = [p for p in python_files if p not in changed and _mentions_pool(p)]
            add(readers, "code with pool settings, which env files may set")
            starts += readers
        _imports(starts, index, add)
    if py_changed or any(path.endswith(".py") for path in why):
        # every env file, as a full run reads them: code takes its settings from the env layers, and a layer
        # read in part could resolve a value that the full set of layers leaves ambiguous
        add(inventory.of("env"), "an env file: code reads its settings from the env layers")
    return ChangeSet(changed=tuple(sorted(changed)), context=tuple(sorted({*changed, *why})), why=why)


def _display(raw: str) -> str:
    return display_path(Path(raw))


def _join(directory: str, relative: str) -> str:
    """The directory a local module source names, in the resolver's form ("" for the current directory)."""
    joined = posixpath.normpath(posixpath.join(directory, relative)) if directory else posixpath.normpath(relative)
    return "" if joined == "." else joined


def _terraform_context(changed: list[str], var_files: set[str], inventory: _Inventory, add: Add) -> None:
    """Module directories of the changed Terraform files, with their local callees and their callers."""
    files = inventory.of(*TERRAFORM_KINDS)
    by_dir: dict[str, list[str]] = {}
    for path in files:
        by_dir.setdefault(module_dir(path), []).append(path)
    tf_dirs = {d for d, paths in by_dir.items() if any(p.endswith(".tf") for p in paths)}
    wanted: set[str] = set()
    for path in changed:
        directory = module_dir(path)
        if path in var_files and directory not in tf_dirs:
            wanted |= tf_dirs  # a --var-file of its own directory applies to every root module
        else:
            wanted.add(directory)
    calls = {d: _local_calls(d, [p for p in by_dir[d] if p.endswith(".tf")]) for d in tf_dirs}
    callers: dict[str, set[str]] = {}
    for caller, targets in calls.items():
        for target in targets:
            callers.setdefault(target, set()).add(caller)
    reasons: dict[str, str] = {d: "in the module directory of a changed file" for d in wanted}
    # callees (down) and callers (up), each followed to its end; a caller's other callees are not needed
    pending = list(wanted)
    while pending:
        directory = pending.pop()
        for callee in sorted(calls.get(directory, ())):
            if callee not in reasons and callee in by_dir:
                reasons[callee] = f"a local module called from {directory or '.'}"
                pending.append(callee)
    pending = list(wanted)
    while pending:
        directory = pending.pop()
        for caller in sorted(callers.get(directory, ())):
            if caller not in reasons:
                reasons[caller] = f"calls the module {directory or '.'}"
                pending.append(caller)
    for directory, reason in sorted(reasons.items()):
        add(by_dir.get(directory, []), reason)


def _local_calls(directory: str, tf_files: list[str]) -> set[str]:
    targets: set[str] = set()
    for path in tf_files:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # unreadable: the full read reports it (CFG001) if it is in the context
        targets.update(_join(directory, source.rstrip("/")) for source in _LOCAL_SOURCE.findall(text))
    return targets


def _env_context(changed: list[str], env_files: list[str], declared: Mapping[str, list[str]], add: Add) -> None:
    """Every file of each declared env layer a changed env file belongs to."""
    if not declared:
        return  # each env file is a layer of its own
    from .envlayer import build_layers
    from .models import EnvFile

    # the layers are matched exactly as a full run matches them, on stand-ins that carry only the path
    layers = build_layers([EnvFile(path=path) for path in sorted({*env_files, *changed})], dict(declared))
    for layer in layers:
        if any(path in layer.files for path in changed):
            add(layer.files, f"in the env layer {layer.name}")


def _packages(changed: list[str], python_files: list[str], add: Add) -> None:
    """The top-level package of each changed module (its directory when it is in no package)."""
    for path in changed:
        root = _package_root(path)
        if root is None:
            directory = posixpath.dirname(path)
            add([p for p in python_files if posixpath.dirname(p) == directory], "a module beside a changed one")
        else:
            add([p for p in python_files if p.startswith(root + "/")], f"in the package {root}")


def _imports(starts: list[str], index: _ModuleIndex, add: Add) -> None:
    """The modules found below the root that ``starts`` import, transitively (settings classes, factories)."""
    seen = set(starts)
    pending = list(starts)
    while pending:
        path = pending.pop()
        for imported in index.imports_of(path):
            if imported not in seen:
                seen.add(imported)
                add([imported], f"imported by {path}")
                pending.append(imported)


def _mentions_pool(path: str) -> bool:
    """Whether a Python file names a pool setting at all (the pool extractor reads nothing else)."""
    from .models.pool import POOL_SETTINGS

    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return False
    return any(name in text for name in POOL_SETTINGS)


def _package_root(path: str) -> str | None:
    """The outermost directory above ``path`` that is a package (has ``__init__.py``), or None."""
    directory = PurePosixPath(path).parent
    root: str | None = None
    while str(directory) not in ("", ".") and Path(directory, "__init__.py").is_file():
        root = str(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    return root


class _ModuleIndex:
    """Python files below the root by dotted-name suffix: ``app.core.config`` -> ``svc/app/core/config.py``.

    The same rule the settings linker uses to follow imports, so the context holds every file a full run
    could link to.
    """

    def __init__(self, files: list[str]) -> None:
        self.by_path = set(files)
        self.by_suffix: dict[tuple[str, ...], list[str]] = {}
        for path in files:
            parts = _module_parts(path)
            for start in range(len(parts)):
                self.by_suffix.setdefault(parts[start:], []).append(path)

    def imports_of(self, path: str) -> list[str]:
        try:
            tree = ast.parse(Path(path).read_bytes(), filename=path)
        except (OSError, SyntaxError, ValueError, RecursionError):
            return []  # the full read reports the file (CFG001)
        found: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found += self._absolute(alias.name)
            elif isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names if alias.name != "*"]
                if node.level:
                    found += self._relative(path, node.level, node.module, names)
                elif node.module:
                    found += self._absolute(node.module)
                    for name in names:
                        found += self._absolute(f"{node.module}.{name}")  # `from app import config`
        return sorted(set(found) - {path})

    def _absolute(self, module: str) -> list[str]:
        return self.by_suffix.get(tuple(module.split(".")), [])

    def _relative(self, path: str, level: int, module: str | None, names: list[str]) -> list[str]:
        base = posixpath.dirname(path)
        for _ in range(level - 1):
            base = posixpath.dirname(base)
        stem = posixpath.join(base, *module.split(".")) if module else base
        candidates = [stem] + [posixpath.join(stem, name) for name in names]
        found = []
        for candidate in candidates:
            for file in (f"{candidate}.py", posixpath.join(candidate, "__init__.py")):
                normal = posixpath.normpath(file)
                if normal in self.by_path:
                    found.append(normal)
        return found


def _module_parts(path: str) -> tuple[str, ...]:
    parts = tuple(p for p in PurePosixPath(path).with_suffix("").parts if p not in ("", ".", "/"))
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


# --- keeping what concerns the changed files -----------------------------------------------------


def concerns(evaluation: Evaluation, changed: frozenset[str]) -> bool:
    """Whether an evaluation is located in a changed file or its value was set in one."""
    if evaluation.location.file in changed:
        return True
    return any(_origin_file(text) in changed for text in _strings(evaluation.details.get("origins")))


def _origin_file(text: str) -> str | None:
    """The file of a provenance step ("var.connector_max set at infra/terraform.tfvars:3"), else None."""
    what, sep, where = text.rpartition(" at ")
    if not sep or _CALL_STEP.match(what):
        return None
    file, colon, line = where.rpartition(":")
    return file if colon and line.isdigit() else None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def restrict(result: RunResult, changed: Iterable[str]) -> RunResult:
    """The result with only the evaluations that concern ``changed``; its files are the changed ones read."""
    keep = frozenset(changed)
    return result.model_copy(update={
        "files": tuple(f for f in result.files if f in keep),
        "evaluations": tuple(e for e in result.evaluations if concerns(e, keep)),
    })


def run_changed(options: RunOptions, rules: list[Rule]) -> RunResult:
    """``engine.run`` over the changed files in ``options.paths`` and their context, restricted to them."""
    from .engine import run

    change = plan(options.paths, options.excludes, options.env_layers, options.var_files)
    if not change.changed:
        return RunResult(as_of=options.as_of)
    return restrict(run(replace(options, paths=change.context), rules), change.changed)
