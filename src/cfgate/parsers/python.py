"""Database connection-pool settings read from Python source with :mod:`ast`.

The scanned file is parsed, never imported or executed. cfgate reads the five SQLAlchemy pool settings
(``pool_size``, ``max_overflow``, ``pool_timeout``, ``pool_recycle``, ``pool_pre_ping``) from:

* keyword arguments of ``create_engine``/``create_async_engine``/``engine_from_config``/
  ``async_engine_from_config`` and of ``QueuePool``/``AsyncAdaptedQueuePool`` (whose own names
  ``timeout``, ``recycle`` and ``pre_ping`` map to the canonical names);
* dict literals and ``dict(...)`` calls whose keys are those settings;
* module constants, class attributes, ``self.<name>`` assignments in methods and function locals whose
  name ends with a setting (``POOL_SIZE``, ``DB_POOL_SIZE``, ``SQLALCHEMY_MAX_OVERFLOW``).

Values are literals, :class:`~cfgate.models.pool.EnvRef` for environment reads, or
:class:`~cfgate.models.values.Unknown` with the reason cfgate could not resolve them. Names are resolved
with Python's scoping rules within the one file; nothing is guessed.

A value read from a pydantic settings instance (``settings.DB_POOL_SIZE``, ``get_settings().X``,
``Settings().X``, ``self.settings.X``, a parameter annotated ``settings: Settings``) is an EnvRef
through the field (``PoolSetting.via``/``via_name`` say where its default is) when the class is in this
file. When the object or class comes from another module, the value stays Unknown and carries a
:class:`~cfgate.models.pool.SettingsRef`; :func:`~cfgate.parsers.pysettings.link_settings` resolves it
once every file is parsed. Every file also records its settings classes, module-level settings objects
and imports (see :mod:`cfgate.parsers.pysettings`), whether or not it has pool settings.

The work is one pass over the statements (each expression node is visited once), then a resolution step
that only follows the settings found.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from ..models.location import Location
from ..models.pool import POOL_SETTINGS, EnvRef, PoolConfig, PoolSetting, PythonFile, SettingsRef
from ..models.values import Unknown
from .pyast import line_of as _line, str_const as _str_const, terminal_name as _terminal_name, keyword as _keyword, argument as _argument
from .pysettings import (
    INIT_CONFIG_KEYWORDS,
    FieldRead,
    NotSettings,
    SettingsIndex,
    Unresolved,
    import_target,
    outer_cast,
    scan_settings,
    settings_ref,
)

__all__ = ["parse_python"]

#: callee name as written -> PoolConfig.kind
_ENGINE_CALLS: dict[str, str] = {
    "create_engine": "create_engine",
    "create_async_engine": "create_async_engine",
    "engine_from_config": "engine_from_config",
    "async_engine_from_config": "engine_from_config",
    "QueuePool": "QueuePool",
    "AsyncAdaptedQueuePool": "QueuePool",
}
#: QueuePool/Pool keyword -> canonical create_engine name
_QUEUEPOOL_KWARGS: dict[str, str] = {
    "pool_size": "pool_size",
    "max_overflow": "max_overflow",
    "timeout": "pool_timeout",
    "recycle": "pool_recycle",
    "pre_ping": "pool_pre_ping",
}
#: QueuePool(creator, pool_size, max_overflow, timeout, ...): positional index -> keyword
_QUEUEPOOL_POSITIONAL: dict[int, str] = {1: "pool_size", 2: "max_overflow", 3: "timeout"}
#: settings engine_from_config coerces with ``util.asint`` (DefaultDialect.engine_config_types)
_ENGINE_CONFIG_INT = frozenset({"pool_size", "max_overflow", "pool_timeout", "pool_recycle"})
_CASTS: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "bool": bool, "str": str}
#: name segments before a setting that mean "not a SQL connection pool" (REDIS_POOL_SIZE, MIN_POOL_SIZE)
_NOT_DB_POOL = frozenset({
    "redis", "celery", "broker", "amqp", "rabbit", "rabbitmq", "kafka", "mongo", "mongodb", "elastic",
    "elasticsearch", "opensearch", "memcache", "memcached", "cache", "http", "https", "aiohttp", "httpx",
    "grpc", "thread", "threads", "worker", "workers", "executor", "process", "min", "minimum", "ldap", "smtp",
})
#: every config this module reports has one of these in its (lower-cased) source text
_TRIGGERS = (*POOL_SETTINGS, "create_engine", "create_async_engine", "engine_from_config", "queuepool")
_SEGMENT_RE = re.compile(r"[^a-z0-9]+")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_MAX_DEPTH = 40
_SNIPPET = 80
_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_TRY_NODES: tuple[type[ast.AST], ...] = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def parse_python(path: str, text: str) -> PythonFile:
    """Read the pool settings of one Python file.

    ``path`` is the display path (used as ``Location.file``); ``text`` is the decoded source. A leading
    BOM is ignored. Raises :class:`SyntaxError` when the file does not parse; nothing else escapes.
    """
    text = text.removeprefix("\ufeff")
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError:
        raise
    except ValueError as exc:  # null bytes on some 3.11 patch releases
        raise SyntaxError(str(exc), (path, 1, 1, None)) from None
    except (RecursionError, MemoryError):
        raise SyntaxError("too deeply nested to parse", (path, 1, 1, None)) from None
    src = _Source(text)
    scan = scan_settings(path, tree, lambda node: _locate(path, src, node), src.snippet)
    base = PythonFile(path=path, settings_classes=tuple(scan.classes), settings_objects=tuple(scan.objects),
                      imports=scan.imports)
    index = SettingsIndex([base], cross_file=False)
    base = base.model_copy(update={"settings_classes": index.finish(base)})
    lowered = text.lower()
    if not any(word in lowered for word in _TRIGGERS):
        return base  # no setting name and no engine factory anywhere in the text
    return base.model_copy(update={"pools": tuple(_Extractor(path, src, tree, index, base).run())})


def _is_number(value: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _match_name(name: str) -> tuple[str, str, str] | None:
    """Match a variable/attribute/key name to a setting: ``DB_POOL_SIZE`` -> (pool_size, "db", "DB_").

    Case-insensitive; the name must be the setting or end with it after a non-alphanumeric character,
    and the part before it must not name another kind of pool (``REDIS_POOL_SIZE``, ``MIN_POOL_SIZE``).
    Returns (setting, normalised prefix, prefix as written).
    """
    low = name.lower()
    for setting in POOL_SETTINGS:
        if not low.endswith(setting):
            continue
        head = low[: -len(setting)]
        if head and head[-1].isalnum():
            return None
        prefix = head.strip("_.-")
        if prefix and not _NOT_DB_POOL.isdisjoint(_SEGMENT_RE.split(prefix)):
            return None
        return setting, prefix, name[: len(head)]
    return None


# --- internal value types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Env:
    """An environment read, before it becomes an :class:`EnvRef`."""

    key: str
    default: Any = None
    has_default: bool = False
    cast: str | None = None
    semantics: str = "python"  # "pydantic" for a settings field
    case_sensitive: bool = True
    via: Location | None = None  # the settings field it is read through
    via_name: str | None = None


@dataclass(frozen=True)
class _Unk:
    """An unresolved value, before it becomes an :class:`Unknown` (whose ``expr`` is filled in last)."""

    reason: str
    chain: tuple[str, ...] = ()
    ref: SettingsRef | None = None  # a settings read link_settings may resolve across files


@dataclass(frozen=True)
class _Obj:
    """What an expression holds when it may be a settings instance, for :class:`SettingsIndex` to resolve.

    ``target`` is a module-level name of this file (``local``) or an import path; ``form`` says whether
    the expression is the target itself, a call of it, or a parameter annotated with it.
    """

    target: str
    local: bool
    form: str  # attribute | call | annotation
    overrides: tuple[tuple[str, ast.expr], ...] = ()  # constructor keywords, evaluated in ``scope``
    scope: _Scope | None = None
    unpacked: str | None = None  # the ``**mapping`` given to the constructor
    config: tuple[str, ...] = ()  # _env_prefix=... and similar constructor keywords


# --- scopes, bindings and collected entries ---------------------------------------------------------


@dataclass(eq=False)
class _Scope:
    """A Python scope: module, class body, function, lambda or comprehension."""

    kind: str
    name: str
    node: ast.AST
    parent: _Scope | None
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    self_name: str | None = None  # first parameter of a method
    class_only: bool = False  # classmethod: cls.X sees class attributes only
    owner: _Scope | None = None  # the class of a method
    instance_attrs: dict[str, list[_Binding]] = field(default_factory=dict)  # class scopes: self.X = ...
    entries: list[_Entry] = field(default_factory=list)  # module/class/function settings

    @property
    def top_block(self) -> tuple[Any, ...]:
        """The block path of the scope's own body."""
        return (id(self),)


@dataclass(eq=False)
class _Binding:
    """One thing that binds a name: an assignment, parameter, import, def, loop target..."""

    kind: str
    name: str
    scope: _Scope  # where ``value`` is evaluated
    value: ast.expr | None
    line: int
    block: tuple[Any, ...]
    detail: str = ""  # import origin ("os.getenv") or the function of a parameter
    target_scope: _Scope | None = None  # the class scope of a ``class`` binding
    annotation: ast.expr | None = None  # a parameter's annotation
    module_import: bool = False  # bound by ``import x`` (a module), not ``from x import y``


@dataclass(eq=False)
class _Entry:
    """One occurrence of a setting, in source order."""

    setting: str
    written_as: str
    scope: _Scope
    loc: ast.AST
    value: ast.expr | None = None
    preset: _Unk | None = None
    expr: str | None = None
    block: tuple[Any, ...] = ()
    order: int = 0
    instance: bool = False
    prefix: str = ""
    head: str = ""


@dataclass(eq=False)
class _Splat:
    """A mapping whose keys may set settings: ``**kwargs``, a dict's ``**base``, engine_from_config's config."""

    node: ast.expr
    scope: _Scope
    loc: ast.AST
    mode: str  # "kwargs" (call), "mapping" (dict), "config" (engine_from_config), "args" (*args)
    prefix_node: ast.expr | None = None


@dataclass(frozen=True)
class _KeyMap:
    """How keys of one kind of config map to settings."""

    match: Callable[[str], tuple[str, str] | None]
    written: Callable[[str], str]


def _engine_key(key: str) -> tuple[str, str] | None:
    """A create_engine keyword: the canonical names only."""
    return (key, key) if key in POOL_SETTINGS else None


def _queuepool_key(key: str) -> tuple[str, str] | None:
    """A QueuePool keyword: ``timeout``/``recycle``/``pre_ping`` map to the canonical names."""
    setting = _QUEUEPOOL_KWARGS.get(key)
    return (setting, key) if setting else None


def _dict_key(key: str) -> tuple[str, str] | None:
    """A dict key or ``dict(...)`` keyword, matched like a variable name."""
    found = _match_name(key)
    return (found[0], key) if found else None


_QP_WRITTEN = {setting: kwarg for kwarg, setting in _QUEUEPOOL_KWARGS.items()}
_ENGINE_KEYS = _KeyMap(_engine_key, lambda s: s)
_QUEUEPOOL_KEYS = _KeyMap(_queuepool_key, lambda s: _QP_WRITTEN[s])
_DICT_KEYS = _KeyMap(_dict_key, lambda s: s)


def _config_keys(prefix: str) -> _KeyMap:
    """Keys of an engine_from_config mapping: ``<prefix><setting>``."""

    def match(key: str) -> tuple[str, str] | None:
        if key.startswith(prefix) and key[len(prefix):] in POOL_SETTINGS:
            return key[len(prefix):], key
        return None

    return _KeyMap(match, lambda s: prefix + s)


@dataclass(eq=False)
class _Group:
    """A call or dict literal that is one pool config."""

    kind: str
    name: str
    node: ast.AST
    scope: _Scope
    keys: _KeyMap
    items: list[_Entry | _Splat] = field(default_factory=list)
    coerce_int: bool = False
    callee: str | None = None  # a bare callee name, dropped if the file defines it itself


# --- source text ------------------------------------------------------------------------------------


class _Source:
    """Source segments and character columns, with the lines split once and only when needed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """The lines as the tokenizer counts them (``\\r\\n``, ``\\r`` or ``\\n``), ends kept."""
        if self._lines is None:
            self._lines = _LINE_RE.findall(self.text)
        return self._lines

    def column(self, lineno: int, col_offset: int) -> int:
        """1-based character column of a node (``col_offset`` counts UTF-8 bytes)."""
        lines = self.lines
        if 1 <= lineno <= len(lines) and not lines[lineno - 1].isascii():
            return len(lines[lineno - 1].encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1
        return col_offset + 1

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``, newlines normalised to ``\\n``."""
        lineno = getattr(node, "lineno", None)
        end_lineno = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if lineno is None or end_lineno is None or col is None or end_col is None:
            return ast.unparse(node)
        lines = self.lines[lineno - 1: end_lineno]
        if not lines:
            return ast.unparse(node)
        if len(lines) == 1:
            text = _cut(lines[0], col, end_col)
        else:
            text = _cut(lines[0], col, None) + "".join(lines[1:-1]) + _cut(lines[-1], 0, end_col)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def snippet(self, node: ast.AST) -> str:
        """A short, one-line form of ``node``'s source for reasons and chains."""
        text = " ".join(self.segment(node).split())
        return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."


def _cut(line: str, start: int, end: int | None) -> str:
    """Slice a line by UTF-8 byte offsets."""
    if line.isascii():
        return line[start:end]
    return line.encode("utf-8")[start:end].decode("utf-8", "replace")


# --- the extractor ----------------------------------------------------------------------------------


class _Extractor:
    """Walks one module once, collecting bindings and settings, then resolves the settings."""

    def __init__(self, path: str, src: _Source, tree: ast.Module, index: SettingsIndex, base: PythonFile) -> None:
        self.path = path
        self.src = src
        self.tree = tree
        self.index = index
        self.base = base
        self.module = _Scope("module", _module_name(path), tree, None)
        self.var_scopes: list[_Scope] = [self.module]
        self.groups: list[_Group] = []
        self.consumed: set[int] = set()
        self.engine_aliases: dict[str, str] = {}
        self.order = 0
        self.active: set[int] = set()

    # ---- pass 1: statements and expressions ----

    def run(self) -> list[PoolConfig]:
        """Collect, resolve and return the pool configs sorted by position."""
        self._prescan_imports(self.tree.body)
        self._block(self.tree.body, self.module, self.module.top_block)
        configs = [c for c in (self._finish_group(g) for g in self.groups) if c is not None]
        for scope in self.var_scopes:
            configs.extend(self._finish_scope(scope))
        configs.sort(key=lambda c: (c.location.line, c.location.column, c.kind, c.name))
        return configs

    def _prescan_imports(self, body: Iterable[ast.stmt]) -> None:
        """Aliases of SQLAlchemy engine factories imported at module level (``create_engine as ce``)."""
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom):
                self._note_engine_alias(stmt)
            elif isinstance(stmt, (ast.If, *_TRY_NODES)):
                for name in ("body", "orelse", "finalbody"):
                    self._prescan_imports(getattr(stmt, name, ()))
                for handler in getattr(stmt, "handlers", ()):
                    self._prescan_imports(handler.body)

    def _note_engine_alias(self, stmt: ast.ImportFrom) -> None:
        """Remember ``from sqlalchemy... import create_engine as <alias>``."""
        if (stmt.module or "").split(".")[0] != "sqlalchemy":
            return
        for alias in stmt.names:
            if alias.name in _ENGINE_CALLS and alias.asname:
                self.engine_aliases[alias.asname] = alias.name

    def _block(self, body: Iterable[ast.stmt], scope: _Scope, block: tuple[Any, ...]) -> None:
        """Visit a list of statements that run in order in one block."""
        for stmt in body:
            self._stmt(stmt, scope, block)

    def _stmt(self, node: ast.stmt, scope: _Scope, block: tuple[Any, ...]) -> None:
        """Record what one statement binds and sets, and scan its expressions."""
        if isinstance(node, _FUNCTION_DEFS):
            self._function(node, scope, block)
        elif isinstance(node, ast.ClassDef):
            self._class(node, scope, block)
        elif isinstance(node, ast.Assign):
            self._scan(node.value, scope, _target_hint(node.targets[0]))
            for target in node.targets:
                self._scan_target(target, scope)
                self._assign(target, node.value, scope, block)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._scan(node.value, scope, _target_hint(node.target))
                self._scan_target(node.target, scope)
                self._assign(node.target, node.value, scope, block)
        elif isinstance(node, ast.AugAssign):
            self._scan(node.value, scope, None)
            self._scan_target(node.target, scope)
            self._augmented(node, scope, block)
        elif isinstance(node, ast.For | ast.AsyncFor):
            self._scan(node.iter, scope, None)
            self._bind_all(node.target, "loop", scope, block, node.iter)
            self._block(node.body, scope, (*block, (id(node), "body")))
            self._block(node.orelse, scope, (*block, (id(node), "orelse")))
        elif isinstance(node, ast.While | ast.If):
            self._scan(node.test, scope, None)
            self._block(node.body, scope, (*block, (id(node), "body")))
            self._block(node.orelse, scope, (*block, (id(node), "orelse")))
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                self._scan(item.context_expr, scope, None)
                if item.optional_vars is not None:
                    self._bind_all(item.optional_vars, "with", scope, block, item.context_expr)
            self._block(node.body, scope, block)  # a with body runs unconditionally
        elif isinstance(node, _TRY_NODES):
            self._try(node, scope, block)
        elif isinstance(node, ast.Match):
            self._match(node, scope, block)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                origin = alias.name if alias.asname else alias.name.split(".")[0]
                self._bind(scope, bound, _Binding("import", bound, scope, None, node.lineno, block, origin,
                                                  module_import=True))
        elif isinstance(node, ast.ImportFrom):
            self._note_engine_alias(node)
            for alias in node.names:
                bound = alias.asname or alias.name
                self._bind(scope, bound, _Binding("import", bound, scope, None, node.lineno, block,
                                                  import_target(node.level, node.module, alias.name)))
        elif isinstance(node, ast.Global):
            scope.declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.declared_nonlocal.update(node.names)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self._scan_target(target, scope)
                self._bind_all(target, "delete", scope, block, None)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                self._scan(node.value, scope, scope.name if scope.kind == "function" else None)
        else:
            self._scan_fields(node, scope)

    def _scan_fields(self, node: ast.AST, scope: _Scope) -> None:
        """Scan every expression field of a statement this module does not special-case."""
        for _, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, ast.AST) and not isinstance(item, ast.stmt):
                    self._scan(item, scope, None)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope,
                  block: tuple[Any, ...]) -> None:
        """A def: decorators and defaults belong to the enclosing scope, the body to a new one."""
        for expr in (*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d)):
            self._scan(expr, scope, None)
        self._bind(scope, node.name, _Binding("def", node.name, scope, None, node.lineno, block))
        qualname = node.name if scope.kind == "module" else f"{scope.name}.{node.name}"
        fscope = _Scope("function", qualname, node, scope)
        decorators = {_terminal_name(d) for d in node.decorator_list}
        positional = [*node.args.posonlyargs, *node.args.args]
        if scope.kind == "class" and "staticmethod" not in decorators and positional:
            fscope.owner = scope
            fscope.self_name = positional[0].arg
            fscope.class_only = "classmethod" in decorators
        self._bind_params(node.args, fscope, scope)
        self.var_scopes.append(fscope)
        self._block(node.body, fscope, fscope.top_block)

    def _bind_params(self, args: ast.arguments, fscope: _Scope, outer: _Scope) -> None:
        """Bind a function's parameters, each with its default (evaluated in the enclosing scope)."""
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs: list[tuple[ast.arg, ast.expr | None]] = list(zip(positional, defaults, strict=True))
        pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
        pairs += [(a, None) for a in (args.vararg, args.kwarg) if a is not None]
        line = getattr(fscope.node, "lineno", 1)
        for arg, default in pairs:
            fscope.bindings.setdefault(arg.arg, []).append(
                _Binding("param", arg.arg, outer, default, line, fscope.top_block, fscope.name,
                         annotation=arg.annotation))

    def _class(self, node: ast.ClassDef, scope: _Scope, block: tuple[Any, ...]) -> None:
        """A class body is a scope of its own; its settings form one config."""
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self._scan(expr, scope, None)
        qualname = node.name if scope.kind == "module" else f"{scope.name}.{node.name}"
        cscope = _Scope("class", qualname, node, scope)
        self._bind(scope, node.name,
                   _Binding("class", node.name, scope, None, node.lineno, block, target_scope=cscope))
        self.var_scopes.append(cscope)
        self._block(node.body, cscope, cscope.top_block)

    def _try(self, node: ast.AST, scope: _Scope, block: tuple[Any, ...]) -> None:
        """Each part of a try statement is a block of its own."""
        for name in ("body", "orelse", "finalbody"):
            self._block(getattr(node, name), scope, (*block, (id(node), name)))
        for handler in getattr(node, "handlers", ()):
            if handler.type is not None:
                self._scan(handler.type, scope, None)
            inner = (*block, (id(handler), "body"))
            if handler.name:
                self._bind(scope, handler.name, _Binding("except", handler.name, scope, None, handler.lineno, inner))
            self._block(handler.body, scope, inner)

    def _match(self, node: ast.Match, scope: _Scope, block: tuple[Any, ...]) -> None:
        """Each case of a match statement is a block of its own; captures bind names."""
        self._scan(node.subject, scope, None)
        for case in node.cases:
            inner = (*block, (id(case), "body"))
            for sub in ast.walk(case.pattern):
                name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                if isinstance(name, str):
                    self._bind(scope, name, _Binding("match", name, scope, None, case.pattern.lineno, inner))
                elif isinstance(sub, ast.expr):
                    self._scan(sub, scope, None)
            if case.guard is not None:
                self._scan(case.guard, scope, None)
            self._block(case.body, scope, inner)

    # ---- bindings and variable settings ----

    def _bind(self, scope: _Scope, name: str, binding: _Binding) -> None:
        """Record a binding in the scope that owns the name (honouring global/nonlocal)."""
        target = scope
        while target.kind == "comprehension" and target.parent is not None:
            target = target.parent
        if name in target.declared_global:
            target = self.module
        elif name in target.declared_nonlocal:
            outer = target.parent
            while outer is not None and not (outer.kind == "function" and name in outer.bindings):
                outer = outer.parent
            target = outer or target
        target.bindings.setdefault(name, []).append(binding)

    def _bind_all(self, target: ast.AST, kind: str, scope: _Scope, block: tuple[Any, ...],
                  value: ast.expr | None) -> None:
        """Bind every name in a target (``for a, b in ...``) with one kind."""
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                self._bind(scope, sub.id, _Binding(kind, sub.id, scope, value, sub.lineno, block))

    def _var_scope(self, scope: _Scope, name: str | None) -> _Scope:
        """The scope whose config group an assignment to ``name`` belongs to."""
        if name is not None and name in scope.declared_global:
            return self.module
        return scope

    def _assign(self, target: ast.expr, value: ast.expr, scope: _Scope, block: tuple[Any, ...]) -> None:
        """Bind an assignment target and record it if it names a setting."""
        if isinstance(target, ast.Name):
            self._bind(scope, target.id, _Binding("assign", target.id, scope, value, target.lineno, block))
            self._add_var(self._var_scope(scope, target.id), target.id, target, value, scope, block, None)
        elif isinstance(target, ast.Tuple | ast.List):
            elts = target.elts
            if (isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(elts)
                    and not any(isinstance(e, ast.Starred) for e in (*elts, *value.elts))):
                for sub_target, sub_value in zip(elts, value.elts, strict=True):
                    self._assign(sub_target, sub_value, scope, block)
                return
            unpacked = _Unk(f"assigned by unpacking {self.src.snippet(value)}")
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    self._bind(scope, sub.id, _Binding("unpack", sub.id, scope, value, sub.lineno, block))
                    self._add_var(self._var_scope(scope, sub.id), sub.id, sub, None, scope, block, unpacked)
        elif isinstance(target, ast.Attribute):
            klass = self._method_class(target.value, scope)
            if klass is not None:
                klass.instance_attrs.setdefault(target.attr, []).append(
                    _Binding("assign", f"self.{target.attr}", scope, value, target.lineno, block))
                self._add_var(klass, target.attr, target, value, scope, block, None, instance=True)
        elif isinstance(target, ast.Subscript):
            key = target.slice
            if (isinstance(key, ast.Constant) and isinstance(key.value, str)
                    and _terminal_name(target.value) != "environ"):
                self._add_var(scope, key.value, target, value, scope, block, None)

    def _augmented(self, node: ast.AugAssign, scope: _Scope, block: tuple[Any, ...]) -> None:
        """``POOL_SIZE += 5``: the name is rebound to a value cfgate does not compute."""
        target = node.target
        reason = _Unk(f"changed by {self.src.snippet(node)} (line {node.lineno})")
        if isinstance(target, ast.Name):
            self._bind(scope, target.id, _Binding("aug", target.id, scope, node.value, node.lineno, block))
            self._add_var(self._var_scope(scope, target.id), target.id, target, node.value, scope, block, reason)
        elif isinstance(target, ast.Attribute):
            klass = self._method_class(target.value, scope)
            if klass is not None:
                klass.instance_attrs.setdefault(target.attr, []).append(
                    _Binding("aug", f"self.{target.attr}", scope, node.value, node.lineno, block))
                self._add_var(klass, target.attr, target, node.value, scope, block, reason, instance=True)

    def _add_var(self, group: _Scope, name: str, loc: ast.AST, value: ast.expr | None, scope: _Scope,
                 block: tuple[Any, ...], preset: _Unk | None, instance: bool = False) -> None:
        """Record a setting-named variable/attribute/key in its scope's group."""
        found = _match_name(name)
        if found is None or group.kind not in ("module", "class", "function"):
            return
        setting, prefix, head = found
        self.order += 1
        group.entries.append(_Entry(setting, name, scope, loc, value, preset, block=block, order=self.order,
                                    instance=instance, prefix=prefix, head=head))

    def _method_class(self, base: ast.expr, scope: _Scope) -> _Scope | None:
        """The class whose instance ``base`` is, when ``base`` is the ``self`` of an enclosing method."""
        if not isinstance(base, ast.Name):
            return None
        owner, binds = self._lookup(base.id, scope)
        if (owner is not None and owner.owner is not None and owner.self_name == base.id
                and len(binds) == 1 and binds[0].kind == "param" and not owner.class_only):
            return owner.owner
        return None

    # ---- expressions ----

    def _scan_target(self, target: ast.expr, scope: _Scope) -> None:
        """Scan the expression parts of an assignment target (``get()["k"] = ...``)."""
        if isinstance(target, ast.Attribute | ast.Subscript):
            self._scan(target, scope, None)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            for child in ast.iter_child_nodes(target):
                if isinstance(child, ast.expr):
                    self._scan_target(child, scope)

    def _scan(self, root: ast.AST, scope: _Scope, hint: str | None) -> None:
        """Visit every node of an expression once, finding engine calls, dict configs and walruses."""
        stack: list[tuple[ast.AST, _Scope, str | None]] = [(root, scope, hint)]
        while stack:
            node, sc, name = stack.pop()
            if isinstance(node, ast.Call):
                self._call(node, sc, name)
                stack.append((node.func, sc, None))
                stack.extend((arg, sc, None) for arg in node.args)
                stack.extend((kw.value, sc, kw.arg) for kw in node.keywords)
            elif isinstance(node, ast.Dict):
                if id(node) not in self.consumed:
                    self._dict(node, sc, name)
                for key, value in zip(node.keys, node.values, strict=True):
                    if key is not None:
                        stack.append((key, sc, None))
                    stack.append((value, sc, _str_const(key)))
            elif isinstance(node, ast.NamedExpr):
                self._bind(sc, node.target.id, _Binding("walrus", node.target.id, sc, node.value,
                                                        node.lineno, (id(node),)))
                stack.append((node.value, sc, None))
            elif isinstance(node, ast.Lambda):
                lscope = _Scope("lambda", f"{sc.name}.<lambda>", node, sc)
                self._bind_params(node.args, lscope, sc)
                stack.extend((d, sc, None) for d in (*node.args.defaults, *node.args.kw_defaults) if d)
                stack.append((node.body, lscope, None))
            elif isinstance(node, _COMPREHENSIONS):
                cscope = _Scope("comprehension", sc.name, node, sc)
                for index, gen in enumerate(node.generators):
                    for sub in ast.walk(gen.target):
                        if isinstance(sub, ast.Name):
                            cscope.bindings.setdefault(sub.id, []).append(
                                _Binding("loop", sub.id, cscope, gen.iter, sub.lineno, cscope.top_block))
                    stack.append((gen.iter, sc if index == 0 else cscope, None))
                    stack.extend((cond, cscope, None) for cond in gen.ifs)
                for part in ("elt", "key", "value"):
                    child = getattr(node, part, None)
                    if child is not None:
                        stack.append((child, cscope, None))
            else:
                stack.extend((child, sc, None) for child in ast.iter_child_nodes(node))

    def _engine_callee(self, func: ast.expr) -> str | None:
        """The SQLAlchemy factory a call's callee names, if any."""
        if isinstance(func, ast.Name):
            if func.id in _ENGINE_CALLS:
                return func.id
            return self.engine_aliases.get(func.id)
        if isinstance(func, ast.Attribute) and func.attr in _ENGINE_CALLS:
            return func.attr
        return None

    def _call(self, node: ast.Call, scope: _Scope, hint: str | None) -> None:
        """An engine/pool factory call, or a ``dict(...)`` call with setting keywords."""
        callee = self._engine_callee(node.func)
        if callee is not None:
            self._engine_call(node, scope, callee)
        elif (isinstance(node.func, ast.Name) and node.func.id == "dict" and id(node) not in self.consumed
              and any(kw.arg and _dict_key(kw.arg) for kw in node.keywords)):
            group = _Group("dict", hint or f"dict@{node.lineno}", node, scope, _DICT_KEYS, callee="dict")
            group.items.extend(_Splat(arg, scope, arg, "mapping") for arg in node.args)
            group.items.extend(self._keyword_items(node, scope, _DICT_KEYS, "mapping", ()))
            self.groups.append(group)

    def _engine_call(self, node: ast.Call, scope: _Scope, callee: str) -> None:
        """One config per SQLAlchemy factory call, built from its keywords and unpacked mappings."""
        kind = _ENGINE_CALLS[callee]
        keys = _QUEUEPOOL_KEYS if kind == "QueuePool" else _ENGINE_KEYS
        bare = node.func.id if isinstance(node.func, ast.Name) else None
        group = _Group(kind, f"{callee}@{node.lineno}", node, scope, keys,
                       coerce_int=kind == "engine_from_config", callee=bare)
        splats: list[_Entry | _Splat] = []
        explicit: list[_Entry | _Splat] = []
        skip: tuple[str, ...] = ()
        if kind == "engine_from_config":
            skip = ("configuration", "prefix")
            config = _argument(node, 0, "configuration")
            if config is not None:
                self._consume(config)
                splats.append(_Splat(config, scope, config, "config", _argument(node, 1, "prefix")))
        for index, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                if kind == "QueuePool" and index <= max(_QUEUEPOOL_POSITIONAL):
                    splats.append(_Splat(arg.value, scope, arg, "args"))
                break
            if kind == "QueuePool" and index in _QUEUEPOOL_POSITIONAL:
                written = _QUEUEPOOL_POSITIONAL[index]
                self.order += 1
                explicit.append(_Entry(_QUEUEPOOL_KWARGS[written], written, scope, arg, arg, order=self.order))
        for item in self._keyword_items(node, scope, keys, "kwargs", skip):
            (splats if isinstance(item, _Splat) else explicit).append(item)
        # a keyword given both explicitly and through ** is a TypeError, so explicit ones win
        group.items = splats + explicit
        self.groups.append(group)

    def _keyword_items(self, node: ast.Call, scope: _Scope, keys: _KeyMap, mode: str,
                       skip: tuple[str, ...]) -> list[_Entry | _Splat]:
        """Setting keywords and ``**mapping`` arguments of a call, in order."""
        items: list[_Entry | _Splat] = []
        for kw in node.keywords:
            if kw.arg is None:
                if mode == "kwargs":
                    self._consume(kw.value)
                items.append(_Splat(kw.value, scope, kw, mode))
            elif kw.arg not in skip and (found := keys.match(kw.arg)) is not None:
                self.order += 1
                items.append(_Entry(found[0], found[1], scope, kw, kw.value, order=self.order))
        return items

    def _consume(self, node: ast.expr) -> None:
        """An inline dict passed to an engine call belongs to that call, not to a config of its own."""
        if isinstance(node, ast.Dict) or _is_dict_call(node):
            self.consumed.add(id(node))

    def _dict(self, node: ast.Dict, scope: _Scope, hint: str | None) -> None:
        """A dict literal with at least one setting key is a config of its own."""
        if not any((key := _str_const(k)) is not None and _dict_key(key) for k in node.keys):
            return
        group = _Group("dict", hint or f"dict@{node.lineno}", node, scope, _DICT_KEYS)
        for key_node, value in zip(node.keys, node.values, strict=True):
            if key_node is None:
                group.items.append(_Splat(value, scope, value, "mapping"))
            elif (key := _str_const(key_node)) is not None and (found := _dict_key(key)) is not None:
                self.order += 1
                group.items.append(_Entry(found[0], found[1], scope, key_node, value, order=self.order))
        self.groups.append(group)

    # ---- pass 2: resolution ----

    def _lookup(self, name: str, scope: _Scope) -> tuple[_Scope | None, list[_Binding]]:
        """Python's name lookup: local, enclosing functions (not class bodies), module."""
        current: _Scope | None = scope
        first = True
        while current is not None:
            if current.kind == "module":
                return current, current.bindings.get(name, [])
            if name in current.declared_global:
                return self.module, self.module.bindings.get(name, [])
            if (first or current.kind != "class") and name in current.bindings \
                    and name not in current.declared_nonlocal:
                return current, current.bindings[name]
            first = False
            current = current.parent
        return None, []

    def _choose(self, binds: list[_Binding], owner: _Scope | None, use_scope: _Scope, use_line: int,
                label: str) -> _Binding | _Unk:
        """Which binding a use sees: the only one, or the last of straight-line assignments."""
        if not binds:
            return _Unk(f"{label} is not defined in this file")
        if len(binds) == 1:
            return binds[0]
        if len({b.block for b in binds}) == 1:
            if use_scope is owner:
                before = [b for b in binds if b.line < use_line]
                return before[-1] if before else _Unk(f"{label} is used before it is assigned")
            return binds[-1]
        lines = ", ".join(str(b.line) for b in binds[:8])
        return _Unk(f"{label} is assigned on different code paths (lines {lines}); "
                    "the value depends on run-time conditions")

    def _resolve(self, node: ast.expr, scope: _Scope) -> _Binding | _Unk:
        """The binding a Name, ``self.X``/``cls.X`` or ``ClassName.X`` refers to."""
        if isinstance(node, ast.Name):
            owner, binds = self._lookup(node.id, scope)
            return self._choose(binds, owner, scope, node.lineno, node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            base = node.value.id
            owner, binds = self._lookup(base, scope)
            klass: _Scope | None = None
            class_only = True
            if (owner is not None and owner.owner is not None and owner.self_name == base
                    and len(binds) == 1 and binds[0].kind == "param"):
                klass, class_only = owner.owner, owner.class_only
            elif len(binds) == 1 and binds[0].kind == "class":
                klass = binds[0].target_scope
            if klass is not None:
                return self._class_attr(klass, node.attr, class_only, scope, node)
        return _Unk(f"read at run time from {self.src.snippet(node)}")

    def _class_attr(self, klass: _Scope, attr: str, class_only: bool, use_scope: _Scope,
                    node: ast.expr) -> _Binding | _Unk:
        """An attribute of a class in this file: instance assignments shadow class attributes."""
        inst = [] if class_only else klass.instance_attrs.get(attr, [])
        own = klass.bindings.get(attr, [])
        if inst and any(len(b.block) == 1 for b in inst):
            pool = inst
        else:
            pool = inst + own
        if not pool:
            return _Unk(f"{self.src.snippet(node)} is not assigned in class {klass.name} "
                        "(it may be inherited or set elsewhere)")
        return self._choose(pool, klass, use_scope, getattr(node, "lineno", 0), self.src.snippet(node))

    def _binding_value(self, binding: _Binding, depth: int) -> Any:
        """The value a binding gives its name."""
        kind = binding.kind
        if kind in ("assign", "walrus") and binding.value is not None:
            if id(binding) in self.active:
                return _Unk(f"{binding.name} refers to itself")
            self.active.add(id(binding))
            try:
                value = self._eval(binding.value, binding.scope, depth + 1)
            finally:
                self.active.discard(id(binding))
            if isinstance(value, _Unk):
                step = f"{binding.name} = {self.src.snippet(binding.value)} (line {binding.line})"
                return _Unk(value.reason, (step, *value.chain), value.ref)
            return value
        if kind == "param":
            default = f", default {self.src.snippet(binding.value)}" if binding.value is not None else ""
            return _Unk(f"{binding.name} is a parameter of {binding.detail}(){default}")
        if kind == "import":
            return _Unk(f"{binding.name} is imported from {binding.detail}; cfgate reads one file at a time")
        if kind == "unpack" and binding.value is not None:
            return _Unk(f"{binding.name} is assigned by unpacking {self.src.snippet(binding.value)}")
        described = {
            "def": "a function", "class": "a class", "loop": "a loop variable", "with": "bound by a with statement",
            "except": "an exception", "delete": "deleted", "match": "bound by a match pattern",
            "aug": f"changed by an augmented assignment (line {binding.line})",
        }
        return _Unk(f"{binding.name} is {described.get(kind, 'bound at run time')}")

    def _eval(self, node: ast.expr, scope: _Scope, depth: int = 0) -> Any:
        """A literal, an :class:`_Env` or an :class:`_Unk` for one expression."""
        if depth > _MAX_DEPTH:
            return _Unk("the expression is nested too deeply to evaluate")
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None or isinstance(value, bool | int | float | str):
                return value
            return _Unk(f"a {type(value).__name__} literal is not a pool setting value")
        if isinstance(node, ast.Attribute):
            read = self._settings_read(node, scope, depth)
            if read is not None:
                return read
        if isinstance(node, ast.Name | ast.Attribute):
            resolved = self._resolve(node, scope)
            return resolved if isinstance(resolved, _Unk) else self._binding_value(resolved, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, self._eval(node.operand, scope, depth + 1))
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, scope, depth + 1)
            right = self._eval(node.right, scope, depth + 1)
            return self._binop(node, left, right)
        if isinstance(node, ast.Call):
            return self._eval_call(node, scope, depth)
        if isinstance(node, ast.Subscript):
            if self._is_environ(node.value, scope):
                return self._env_key(node.slice, scope, depth)
            return _Unk(f"looked up at run time: {self.src.snippet(node)}")
        if isinstance(node, ast.BoolOp):
            return self._boolop(node, scope, depth)
        if isinstance(node, ast.IfExp):
            return _Unk(f"chosen at run time by the condition {self.src.snippet(node.test)}")
        if isinstance(node, ast.JoinedStr):
            return _Unk("an f-string is built at run time")
        if isinstance(node, ast.Compare):
            return _Unk(f"a comparison evaluated at run time: {self.src.snippet(node)}")
        if isinstance(node, ast.Await):
            return _Unk(f"awaited at run time: {self.src.snippet(node)}")
        return _Unk(f"a {type(node).__name__} expression is not evaluated by cfgate")

    def _unary(self, node: ast.UnaryOp, operand: Any) -> Any:
        """Fold ``-5``, ``+5`` and ``not True``."""
        if isinstance(operand, _Unk):
            return operand
        if isinstance(operand, _Env):
            return _Unk(f"arithmetic on environment variable {operand.key}")
        if isinstance(node.op, ast.USub) and _is_number(operand):
            return -operand
        if isinstance(node.op, ast.UAdd) and _is_number(operand):
            return +operand
        if isinstance(node.op, ast.Not) and isinstance(operand, bool):
            return not operand
        return _Unk(f"{self.src.snippet(node)} is not folded by cfgate")

    def _binop(self, node: ast.BinOp, left: Any, right: Any) -> Any:
        """Fold simple arithmetic over known numbers (``30 * 60``)."""
        for side in (left, right):
            if isinstance(side, _Unk):
                return _Unk(f"arithmetic on a value cfgate cannot resolve: {side.reason}", side.chain)
            if isinstance(side, _Env):
                return _Unk(f"arithmetic on environment variable {side.key}")
        function = _BINOPS.get(type(node.op))
        if function is None or not _is_number(left) or not _is_number(right):
            return _Unk(f"{self.src.snippet(node)} is not folded by cfgate")
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 2**64):
            return _Unk(f"{self.src.snippet(node)} is too large to fold")
        try:
            result = function(left, right)
        except (ArithmeticError, ValueError) as exc:
            return _Unk(f"{self.src.snippet(node)} raises {type(exc).__name__}")
        if isinstance(result, complex) or (isinstance(result, int) and result.bit_length() > 128):
            return _Unk(f"{self.src.snippet(node)} is not a pool setting value")
        return result

    def _boolop(self, node: ast.BoolOp, scope: _Scope, depth: int) -> Any:
        """``os.getenv("X") or "25"``: the literal is the default."""
        if isinstance(node.op, ast.Or) and len(node.values) == 2:
            first = self._eval(node.values[0], scope, depth + 1)
            second = self._eval(node.values[1], scope, depth + 1)
            if isinstance(first, _Env) and not isinstance(second, _Env | _Unk):
                if first.has_default and first.default:
                    return first
                return replace(first, default=second, has_default=True)
        return _Unk(f"chosen at run time by {self.src.snippet(node)}")

    def _eval_call(self, node: ast.Call, scope: _Scope, depth: int) -> Any:
        """Casts, environment reads and ``Field(default)``; any other call is computed at run time."""
        func = node.func
        plain = not node.keywords and len(node.args) == 1 and not isinstance(node.args[0], ast.Starred)
        if isinstance(func, ast.Name) and func.id in _CASTS and plain and not self._lookup(func.id, scope)[1]:
            return _cast(func.id, self._eval(node.args[0], scope, depth + 1))
        if self._is_env_getter(func, scope):
            return self._env_call(node, scope, depth)
        if _terminal_name(func) in ("Field", "field"):
            default = _argument(node, 0, "default") if _terminal_name(func) == "Field" else _keyword(node, "default")
            if default is not None and not (isinstance(default, ast.Constant) and default.value is Ellipsis):
                return self._eval(default, scope, depth + 1)
        return _Unk(f"computed at run time by a call to {self.src.snippet(func)}()")

    # ---- pydantic settings reads ----

    def _settings_read(self, node: ast.Attribute, scope: _Scope, depth: int) -> Any:
        """``settings.X``/``get_settings().X``/``self.settings.X`` when the object is a settings instance.

        Returns an :class:`_Env` for a field read, an :class:`_Unk` (with a :class:`SettingsRef` when
        another file may resolve it), a literal for a constructor argument, or None when the object is
        not a settings instance (the caller resolves the attribute as before).
        """
        obj = self._instance_of(node.value, scope, depth + 1)
        if obj is None:
            return None
        shown = self.src.snippet(node.value)
        read = self.index.read(self.base, obj.target, obj.local, obj.form, node.attr, shown)
        if isinstance(read, NotSettings):
            return None
        if isinstance(read, Unresolved):
            if not read.linkable:
                return _Unk(read.reason)
            if obj.overrides or obj.unpacked or obj.config:
                return _Unk(f"{shown} is created with arguments, and its class is in another file")
            reason = read.reason if obj.local else f"read at run time from {self.src.snippet(node)}"
            return _Unk(reason, ref=settings_ref(shown, obj.target, obj.local, node.attr, obj.form))
        assert isinstance(read, FieldRead)
        return self._field_value(read, obj, node.attr, depth)

    def _field_value(self, read: FieldRead, obj: _Obj, attr: str, depth: int) -> Any:
        """A field read of an instance created in this file: constructor arguments win over the environment."""
        fld = read.field
        if obj.config:
            return _Unk(f"the settings instance is created with {', '.join(obj.config)}=..., "
                        "which changes the variables it reads")
        for name, value in obj.overrides:
            if name == attr or (fld.alias is not None and name == fld.alias):
                assert obj.scope is not None
                return self._eval(value, obj.scope, depth + 1)
        if obj.unpacked is not None:
            return _Unk(f"the settings instance is created with **{obj.unpacked}, which may set {attr}")
        return _Env(fld.env_key, fld.default, fld.has_default, fld.cast, "pydantic", read.cls.case_sensitive,
                    fld.location, read.via_name)

    def _instance_of(self, node: ast.expr, scope: _Scope, depth: int) -> _Obj | None:
        """What settings object an expression may hold, following assignments; None if it is not one."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Call):
            callee = self._callee_target(node.func, scope)
            if callee is None or any(isinstance(a, ast.Starred) for a in node.args):
                return None
            overrides = tuple((kw.arg, kw.value) for kw in node.keywords if kw.arg is not None
                              and not kw.arg.startswith("_"))
            config = tuple(kw.arg for kw in node.keywords if kw.arg in INIT_CONFIG_KEYWORDS)
            unpacked = next((self.src.snippet(kw.value) for kw in node.keywords if kw.arg is None), None)
            return _Obj(callee[0], callee[1], "call", overrides, scope, unpacked, config)
        if isinstance(node, ast.Name):
            resolved = self._resolve(node, scope)
            if isinstance(resolved, _Unk):
                return None
            if resolved.kind in ("assign", "walrus") and resolved.value is not None:
                return self._instance_of(resolved.value, resolved.scope, depth + 1)
            if resolved.kind == "param" and resolved.annotation is not None:
                target = self._annotation_target(resolved.annotation, resolved.scope)
                return _Obj(target[0], target[1], "annotation") if target is not None else None
            if resolved.kind == "import" and not resolved.module_import:
                return _Obj(resolved.detail, False, "attribute")
            return None
        if isinstance(node, ast.Attribute):
            dotted = self._imported_path(node, scope)
            if dotted is not None:
                return _Obj(dotted, False, "attribute")
            resolved = self._resolve(node, scope)  # self.settings / cls.settings / Config.settings
            if isinstance(resolved, _Binding) and resolved.kind == "assign" and resolved.value is not None:
                return self._instance_of(resolved.value, resolved.scope, depth + 1)
        return None

    def _callee_target(self, func: ast.expr, scope: _Scope) -> tuple[str, bool] | None:
        """(target, local) of a called class or factory: module-level in this file, or imported."""
        if isinstance(func, ast.Name):
            owner, binds = self._lookup(func.id, scope)
            if len(binds) != 1:
                return None
            bind = binds[0]
            if bind.kind in ("class", "def") and owner is self.module:
                return func.id, True
            if bind.kind == "import" and not bind.module_import:
                return bind.detail, False
            return None
        if isinstance(func, ast.Attribute):
            dotted = self._imported_path(func, scope)
            return (dotted, False) if dotted is not None else None
        return None

    def _annotation_target(self, node: ast.expr, scope: _Scope) -> tuple[str, bool] | None:
        """The class a parameter annotation names: ``Settings``, ``"Settings"``, ``Annotated[Settings, ...]``."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.Subscript) and _terminal_name(node.value) in ("Annotated", "Optional"):
            first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return self._annotation_target(first, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(other, ast.Constant) and other.value is None:
                    return self._annotation_target(side, scope)
            return None
        if isinstance(node, ast.Name):
            owner, binds = self._lookup(node.id, scope)
            if len(binds) == 1 and binds[0].kind == "class" and owner is self.module:
                return node.id, True
            if len(binds) == 1 and binds[0].kind == "import" and not binds[0].module_import:
                return binds[0].detail, False
            return None
        if isinstance(node, ast.Attribute):
            dotted = self._imported_path(node, scope)
            return (dotted, False) if dotted is not None else None
        return None

    def _imported_path(self, node: ast.Attribute, scope: _Scope) -> str | None:
        """``app.core.config.settings`` for ``cfg.settings`` when ``cfg`` is an imported module or name."""
        parts: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            return None
        binds = self._lookup(current.id, scope)[1]
        if len(binds) != 1 or binds[0].kind != "import":
            return None
        return ".".join([binds[0].detail, *reversed(parts)])

    # ---- environment reads ----

    def _is_os(self, node: ast.expr, scope: _Scope) -> bool:
        """``os`` (imported, or not bound at all in this file)."""
        if not isinstance(node, ast.Name):
            return False
        binds = self._lookup(node.id, scope)[1]
        if not binds:
            return node.id == "os"
        return all(b.kind == "import" and b.detail == "os" for b in binds)

    def _imported_as(self, node: ast.expr, scope: _Scope, origin: str) -> bool:
        """A Name bound only by ``from os import <x>`` (possibly aliased)."""
        if not isinstance(node, ast.Name):
            return False
        binds = self._lookup(node.id, scope)[1]
        return bool(binds) and all(b.kind == "import" and b.detail == origin for b in binds)

    def _is_environ(self, node: ast.expr, scope: _Scope) -> bool:
        """``os.environ`` or a name imported with ``from os import environ [as ...]``."""
        if isinstance(node, ast.Attribute):
            return node.attr == "environ" and self._is_os(node.value, scope)
        return self._imported_as(node, scope, "os.environ")

    def _is_env_getter(self, func: ast.expr, scope: _Scope) -> bool:
        """``os.getenv``, ``os.environ.get``, ``environ.get`` or ``getenv`` imported from os."""
        if isinstance(func, ast.Attribute):
            if func.attr == "getenv":
                return self._is_os(func.value, scope)
            return func.attr == "get" and self._is_environ(func.value, scope)
        return self._imported_as(func, scope, "os.getenv")

    def _env_key(self, node: ast.expr, scope: _Scope, depth: int) -> Any:
        """An environment read of the variable named by ``node`` (a literal or a constant)."""
        key = self._eval(node, scope, depth + 1)
        if isinstance(key, str):
            return _Env(key)
        if isinstance(key, _Unk):
            return _Unk(f"the environment variable name is not known: {key.reason}", key.chain)
        return _Unk(f"the environment variable name {self.src.snippet(node)} is not a string")

    def _env_call(self, node: ast.Call, scope: _Scope, depth: int) -> Any:
        """``os.getenv(key[, default])`` / ``os.environ.get(key[, default])``."""
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return _Unk(f"environment read with unpacked arguments: {self.src.snippet(node)}")
        key_node = _argument(node, 0, "key")
        if key_node is None:
            return _Unk(f"environment read without a variable name: {self.src.snippet(node)}")
        env = self._env_key(key_node, scope, depth)
        if not isinstance(env, _Env):
            return env
        default_node = _argument(node, 1, "default")
        if default_node is None:
            return env
        default = self._eval(default_node, scope, depth + 1)
        if isinstance(default, _Unk | _Env):
            why = default.reason if isinstance(default, _Unk) else f"another environment variable ({default.key})"
            return _Unk(f"default of environment variable {env.key} is not a literal: {why}")
        return _Env(env.key, default, True)

    # ---- building the configs ----

    def _expand(self, splat: _Splat, keys: _KeyMap, depth: int = 0) -> list[_Entry]:
        """The entries a ``**mapping`` contributes: its keys when cfgate can see them, else Unknowns."""
        if splat.mode == "config":
            prefix = "sqlalchemy."
            if splat.prefix_node is not None:
                value = self._eval(splat.prefix_node, splat.scope)
                if not isinstance(value, str):
                    return self._unknown_entries(splat, _ENGINE_KEYS, _Unk(
                        f"engine_from_config's prefix {self.src.snippet(splat.prefix_node)} is not a literal"))
                prefix = value
            keys = _config_keys(prefix)
        if splat.mode == "args":
            return self._unknown_entries(splat, keys, _Unk(
                f"positional arguments come from {self.src.snippet(splat.loc)}, which cfgate does not expand"))
        target = self._mapping(splat.node, splat.scope, depth)
        if isinstance(target, _Unk):
            return self._unknown_entries(splat, keys, target)
        node, scope = target
        entries: list[_Entry] = []
        if isinstance(node, ast.Dict):
            for key_node, value in zip(node.keys, node.values, strict=True):
                if key_node is None:
                    entries.extend(self._expand(_Splat(value, scope, value, "mapping"), keys, depth + 1))
                elif (key := _str_const(key_node)) is not None and (found := keys.match(key)) is not None:
                    entries.append(_Entry(found[0], found[1], scope, key_node, value))
        elif isinstance(node, ast.Call):
            for arg in node.args:
                entries.extend(self._expand(_Splat(arg, scope, arg, "mapping"), keys, depth + 1))
            for kw in node.keywords:
                if kw.arg is None:
                    entries.extend(self._expand(_Splat(kw.value, scope, kw, "mapping"), keys, depth + 1))
                elif (found := keys.match(kw.arg)) is not None:
                    entries.append(_Entry(found[0], found[1], scope, kw, kw.value))
        return entries

    def _mapping(self, node: ast.expr, scope: _Scope, depth: int) -> tuple[ast.expr, _Scope] | _Unk:
        """Follow names to the dict literal / ``dict(...)`` call a mapping expression stands for."""
        for _ in range(_MAX_DEPTH - depth):
            if isinstance(node, ast.Dict) or (_is_dict_call(node) and not self._lookup("dict", scope)[1]):
                return node, scope
            if not isinstance(node, ast.Name | ast.Attribute):
                break
            resolved = self._resolve(node, scope)
            if isinstance(resolved, _Unk):
                return resolved
            if resolved.kind not in ("assign", "walrus") or resolved.value is None:
                value = self._binding_value(resolved, depth)
                return value if isinstance(value, _Unk) else _Unk(f"{resolved.name} is not a dict literal")
            node, scope = resolved.value, resolved.scope
        value = self._eval(node, scope, depth)
        return value if isinstance(value, _Unk) else _Unk(f"{self.src.snippet(node)} is not a dict literal")

    def _unknown_entries(self, splat: _Splat, keys: _KeyMap, why: _Unk) -> list[_Entry]:
        """Every setting may come from a mapping cfgate cannot see."""
        source = self.src.snippet(splat.loc)
        if splat.mode == "mapping" and not isinstance(splat.loc, ast.keyword):
            source = f"**{source}"  # a dict's ``**base`` has no node of its own
        if splat.mode == "config":
            reason = f"engine_from_config reads it from {source}, which cfgate cannot resolve ({why.reason})"
        else:
            reason = f"may be set through {source}, which cfgate cannot resolve ({why.reason})"
        unknown = _Unk(reason, why.chain)
        expr = self.src.segment(splat.loc)
        if splat.mode == "mapping" and not isinstance(splat.loc, ast.keyword):
            expr = f"**{expr}"
        return [_Entry(s, keys.written(s), splat.scope, splat.loc, preset=unknown, expr=expr) for s in POOL_SETTINGS]

    def _finish_group(self, group: _Group) -> PoolConfig | None:
        """Resolve a call/dict config; later items win, as in Python."""
        if group.callee is not None:
            binds = self._lookup(group.callee, group.scope)[1]
            if any(b.kind in ("def", "class", "assign", "param") for b in binds):
                return None  # the file's own create_engine/dict, not SQLAlchemy's
        winners: dict[str, _Entry] = {}
        for item in group.items:
            for entry in self._expand(item, group.keys) if isinstance(item, _Splat) else [item]:
                winners.pop(entry.setting, None)
                winners[entry.setting] = entry
        if not winners:
            return None
        settings = {s: self._setting(e, group.coerce_int) for s, e in winners.items()}
        return PoolConfig(kind=group.kind, name=group.name,  # type: ignore[arg-type]
                          location=self._location(group.node), settings=_ordered(settings))

    def _finish_scope(self, scope: _Scope) -> list[PoolConfig]:
        """One config per module/class/function, split by name prefix only when two prefixes collide."""
        if not scope.entries:
            return []
        by_setting: dict[str, set[str]] = {}
        for entry in scope.entries:
            by_setting.setdefault(entry.setting, set()).add(entry.prefix)
        split = any(len(prefixes) > 1 for prefixes in by_setting.values())
        partitions: dict[str, list[_Entry]] = {}
        for entry in scope.entries:
            partitions.setdefault(entry.prefix if split else "", []).append(entry)
        configs = []
        for prefix, entries in partitions.items():
            per_setting: dict[str, list[_Entry]] = {}
            for entry in sorted(entries, key=lambda e: e.order):
                per_setting.setdefault(entry.setting, []).append(entry)
            settings = {s: self._setting(self._pick(es), False) for s, es in per_setting.items()}
            name = scope.name if not prefix else f"{scope.name} ({entries[0].head}*)"
            configs.append(PoolConfig(kind=scope.kind, name=name,  # type: ignore[arg-type]
                                      location=self._scope_location(scope), settings=_ordered(settings)))
        return configs

    def _pick(self, entries: list[_Entry]) -> _Entry:
        """The assignment that wins: the last of straight-line code; instance attributes shadow class ones."""
        instance = [e for e in entries if e.instance]
        candidates = instance if any(len(e.block) == 1 for e in instance) else entries
        if len(candidates) == 1 or len({e.block for e in candidates}) == 1:
            return candidates[-1]
        last = candidates[-1]
        shown = ", ".join(f"{self.src.snippet(e.value) if e.value is not None else '?'} (line {_line(e.loc)})"
                          for e in candidates[:6])
        reason = f"{last.written_as} is assigned on different code paths: {shown}; "
        return replace(last, preset=_Unk(reason + "the value depends on run-time conditions"))

    def _setting(self, entry: _Entry, coerce_int: bool) -> PoolSetting:
        """Turn a winning entry into a :class:`PoolSetting`."""
        expr = entry.expr if entry.expr is not None else self.src.segment(entry.value or entry.loc)
        value: Any = entry.preset if entry.preset is not None else (
            self._eval(entry.value, entry.scope) if entry.value is not None else _Unk("no value"))
        if coerce_int and entry.setting in _ENGINE_CONFIG_INT:
            value = _cast("int", value, none_passes=True)
        via: Location | None = None
        via_name: str | None = None
        ref: SettingsRef | None = None
        if isinstance(value, _Unk):
            ref = value.ref
            value = Unknown(expr=expr, reason=value.reason, chain=value.chain)
        elif isinstance(value, _Env):
            via, via_name = value.via, value.via_name
            value = EnvRef(key=value.key, default=value.default, has_default=value.has_default, cast=value.cast,
                           semantics=value.semantics, case_sensitive=value.case_sensitive)  # type: ignore[arg-type]
        end = entry.value if entry.value is not None else entry.loc
        return PoolSetting(name=entry.setting, value=value, expr=expr, written_as=entry.written_as,
                           location=self._location(entry.loc, end), defined_at=self._defined_at(entry),
                           via=via, via_name=via_name, settings_ref=ref)

    def _defined_at(self, entry: _Entry) -> Location | None:
        """Where a value passed by name (``pool_size=self.pool_size``) is assigned, if in this file."""
        if not isinstance(entry.value, (ast.Name, ast.Attribute)):
            return None
        target = self._resolve(entry.value, entry.scope)
        if isinstance(target, _Binding) and target.kind == "assign":
            return Location(file=self.path, line=target.line)
        return None

    def _location(self, node: ast.AST, end: ast.AST | None = None) -> Location:
        """A Location for a node; ``end`` gives the last line when it differs."""
        return _locate(self.path, self.src, node, end)

    def _scope_location(self, scope: _Scope) -> Location:
        """A module config spans the file; a class/function config its definition."""
        if scope.kind == "module":
            return Location(file=self.path, line=1, column=1, end_line=max(len(self.src.lines), 1))
        return self._location(scope.node)


# --- helpers ----------------------------------------------------------------------------------------


def _cast(kind: str, value: Any, none_passes: bool = False) -> Any:
    """Apply ``int``/``float``/``bool``/``str`` as Python would; an :class:`_Env` keeps its key.

    A settings read not resolved yet remembers the cast for link_settings; a pydantic field read
    combines the cast with the field's own validation (see :func:`~.pysettings.outer_cast`).
    """
    if isinstance(value, _Unk):
        if value.ref is not None and value.ref.cast != kind:
            ref = value.ref.model_copy(update={"cast": kind}) if value.ref.cast is None else None
            return replace(value, ref=ref)  # two different casts: not modelled, not linked
        return value
    if none_passes and value is None:
        return value
    convert = _CASTS[kind]
    if isinstance(value, _Env) and value.semantics == "pydantic":
        combined = outer_cast(kind, value.cast, value.default, value.has_default)
        if isinstance(combined, str):
            return _Unk(f"{value.via_name}: {combined}")
        return replace(value, cast=kind, default=combined[0], semantics=combined[1])
    if isinstance(value, _Env):
        if not value.has_default or (none_passes and value.default is None):
            return replace(value, cast=kind)
        try:
            return replace(value, default=convert(value.default), has_default=True, cast=kind)
        except (ValueError, TypeError, OverflowError) as exc:
            return _Unk(f"{kind}({value.default!r}) raises {type(exc).__name__} when {value.key} is unset")
    try:
        return convert(value)
    except (ValueError, TypeError, OverflowError) as exc:
        return _Unk(f"{kind}({value!r}) raises {type(exc).__name__}")


def _locate(path: str, src: _Source, node: ast.AST, end: ast.AST | None = None) -> Location:
    """A Location for a node (character column); ``end`` gives the last line when it differs."""
    line = _line(node)
    return Location(file=path, line=line, column=src.column(line, getattr(node, "col_offset", 0)),
                    end_line=getattr(end or node, "end_lineno", None) or line)


def _ordered(settings: dict[str, PoolSetting]) -> dict[str, PoolSetting]:
    """Settings in source order."""
    return dict(sorted(settings.items(), key=lambda kv: (kv[1].location.line, kv[1].location.column)))








def _is_dict_call(node: ast.AST) -> bool:
    """``dict(...)``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"






def _target_hint(target: ast.expr) -> str | None:
    """The name a dict config takes from its assignment target."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return _str_const(target.slice)
    return None


def _module_name(path: str) -> str:
    """``app/db/session.py`` -> ``session``; a package's ``__init__.py`` takes the package name."""
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.stem == "__init__" and pure.parent.name:
        return pure.parent.name
    return pure.stem or path
