"""pydantic settings classes read from Python source, and the cross-file pass that links their uses.

A pool setting written ``pool_size=settings.DB_POOL_SIZE`` takes its value from the environment when
``settings`` is an instance of a pydantic ``BaseSettings`` subclass (pydantic-settings v2, or pydantic
v1's ``pydantic.BaseSettings``). This module reads such classes with :mod:`ast` (never importing the
code) and answers "which environment variable, with which default, does ``NAME.FIELD`` read?".

The rules follow pydantic-settings:

* the env key of a field is ``env_prefix + name``, upper-cased unless ``case_sensitive=True`` (the
  match is case-insensitive then, so the upper-cased form names the variable); an alias
  (``Field(validation_alias=...)``, else ``Field(alias=...)``; v1: ``Field(env=...)`` or
  ``Config.fields``) replaces it as written, without the prefix. v2 ignores ``Field(env=...)`` and v1
  ignores aliases, as the libraries do;
* configuration comes from ``model_config = SettingsConfigDict(...)`` (or ``ConfigDict``/a dict), class
  keywords (``class S(BaseSettings, env_prefix="APP_")``) or a nested ``class Config``; subclasses
  inherit fields and configuration;
* a default is validated as pydantic validates defaults of settings (``validate_default=True``):
  ``pool_size: int = "25"`` gives 25.

Two passes use it. :func:`scan_settings` runs per file (from :func:`~cfgate.parsers.python.parse_python`)
and records the classes, module-level instances and factories, and imports on the
:class:`~cfgate.models.pool.PythonFile`. :func:`link_settings` runs once over all parsed files and turns
the pool settings left as :class:`~cfgate.models.values.Unknown` with a
:class:`~cfgate.models.pool.SettingsRef` (``from app.core.config import settings``) into
:class:`~cfgate.models.pool.EnvRef`\\ s, or says why it cannot.
"""

from __future__ import annotations

import ast
import operator
import posixpath
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..models.location import Location
from ..models.pool import (
    EnvRef,
    PoolConfig,
    PoolSetting,
    PythonFile,
    SettingsBase,
    SettingsClass,
    SettingsField,
    SettingsObject,
    SettingsRef,
)
from ..models.values import Unknown
from .pyast import str_const as _str_const, terminal_name as _terminal, keyword as _keyword, argument as _argument, line_of as _line

__all__ = [
    "INIT_CONFIG_KEYWORDS",
    "FieldRead",
    "NotSettings",
    "SettingsIndex",
    "Unresolved",
    "annotation_cast",
    "env_ref",
    "link_settings",
    "outer_cast",
    "scan_settings",
    "validate_as",
]

#: import paths of pydantic's BaseSettings -> flavour
_ROOTS: dict[str, str] = {
    "pydantic_settings.BaseSettings": "v2",
    "pydantic_settings.main.BaseSettings": "v2",
    "pydantic.BaseSettings": "v1",
    "pydantic.env_settings.BaseSettings": "v1",
    "pydantic.v1.BaseSettings": "v1",
    "pydantic.v1.env_settings.BaseSettings": "v1",
}
#: imported bases from these packages never make a class a settings class (Generic, ABC, BaseModel...)
_NOT_SETTINGS_PACKAGES = frozenset({
    "typing", "typing_extensions", "abc", "enum", "dataclasses", "collections", "pydantic", "pydantic_settings",
})
_CAST_NAMES: dict[str, str] = {
    **dict.fromkeys(("int", "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt", "StrictInt",
                     "conint"), "int"),
    **dict.fromkeys(("float", "PositiveFloat", "NegativeFloat", "NonNegativeFloat", "NonPositiveFloat",
                     "StrictFloat", "FiniteFloat", "confloat"), "float"),
    **dict.fromkeys(("bool", "StrictBool"), "bool"),
    **dict.fromkeys(("str", "StrictStr", "constr"), "str"),
}
_WRAPPERS = frozenset({"Optional", "Annotated", "Union", "Required", "NotRequired", "Final"})
#: decorators that keep a factory's return value (``@lru_cache def get_settings(): return Settings()``)
_CACHE_DECORATORS = frozenset({"lru_cache", "cache", "cached"})
#: init keywords of BaseSettings that change how every field is read
INIT_CONFIG_KEYWORDS = frozenset({"_env_prefix", "_case_sensitive", "_env_nested_delimiter", "_env_parse_none_str"})
_CONFIG_KEYS = ("env_prefix", "case_sensitive", "env_file", "fields")
_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_TRY_NODES: tuple[type[ast.AST], ...] = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))
_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

Locate = Callable[[ast.AST], Location]
Snippet = Callable[[ast.AST], str]


# --- conversions shared with the pool extractor ----------------------------------------------------


@lru_cache(maxsize=8)
def _adapter(cast: str) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter({"int": int, "float": float, "bool": bool, "str": str}[cast])


def validate_as(cast: str, value: Any) -> tuple[bool, Any]:
    """Validate a literal as pydantic (lax mode) validates a field of type ``cast``: (ok, value).

    ``validate_as("int", "25") == (True, 25)``; ``validate_as("bool", "off") == (True, False)``;
    ``validate_as("str", 5)`` fails, as pydantic v2 does not turn numbers into strings.
    """
    from pydantic import ValidationError

    try:
        return True, _adapter(cast).validate_python(value)
    except ValidationError:
        return False, value


def outer_cast(kind: str, field_cast: str | None, default: Any, has_default: bool) -> tuple[Any, str] | str:
    """Apply a Python cast around a pydantic field read: ``int(settings.X)``.

    Returns (default, semantics) for the combined read (its cast is ``kind``), or the reason the
    combination is not modelled. A ``str`` field under ``int()`` reads like ``int(os.getenv(...))``;
    the same cast changes nothing; an ``int`` field under ``float()`` stays pydantic-validated.
    """
    if kind == field_cast:
        return default, "pydantic"
    if field_cast == "str":
        if not has_default or default is None:
            return default, "python"
        try:
            return {"int": int, "float": float, "bool": bool, "str": str}[kind](default), "python"
        except (TypeError, ValueError, OverflowError) as exc:
            return f"{kind}({default!r}) raises {type(exc).__name__} when the variable is unset"
    if kind == "float" and field_cast == "int":
        return (float(default) if has_default and default is not None else default), "pydantic"
    return f"{kind}() of a settings field of type {field_cast or 'unknown to cfgate'} is not modelled"


def annotation_cast(node: ast.expr | None) -> tuple[str | None, bool]:
    """The cast a field annotation implies and whether it admits None: ``int | None`` -> ("int", True)."""
    if node is None:
        return None, False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None, False
    if isinstance(node, ast.Constant) and node.value is None:
        return None, True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([node.left, node.right])
    if isinstance(node, ast.Subscript):
        name = _terminal(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if name == "Optional":
            return annotation_cast(args[0])[0], True
        if name == "Union":
            return _union(args)
        if name in _WRAPPERS:
            return annotation_cast(args[0])
        return None, False
    name = _terminal(node.func if isinstance(node, ast.Call) else node)
    return _CAST_NAMES.get(name or ""), False


def _union(members: list[ast.expr]) -> tuple[str | None, bool]:
    """A Union: its cast when exactly one member is not None."""
    casts = [annotation_cast(m) for m in members]
    optional = any(c == (None, True) for c in casts) or any(c[1] for c in casts)
    kinds = [c[0] for c in casts if c != (None, True)]
    return (kinds[0] if len(kinds) == 1 else None), optional


def env_keys(field_: SettingsField, flavour: str | None, prefix: str, case_sensitive: bool) -> tuple[str, ...]:
    """The variables a field reads under its class's configuration, first set wins."""
    explicit = field_.env if flavour == "v1" else (field_.validation_alias or ((field_.alias,) if field_.alias else ()))
    if explicit:
        return explicit
    key = prefix + field_.name
    return (key if case_sensitive else key.upper(),)


# --- per file: the scan -----------------------------------------------------------------------------


@dataclass
class _Bound:
    """One module-level binding of a name."""

    kind: str  # import, class, def, value, other
    node: ast.AST
    conditional: bool
    target: str = ""


@dataclass
class ScanResult:
    """What :func:`scan_settings` finds in one module (own fields only; see :class:`SettingsIndex`)."""

    classes: list[SettingsClass] = field(default_factory=list)
    objects: list[SettingsObject] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)


class _NotLiteral(Exception):
    """A default or config value that is not a literal cfgate can fold."""


def scan_settings(path: str, tree: ast.Module, locate: Locate, snippet: Snippet) -> ScanResult:
    """Settings classes, module-level instances/factories and imports of one parsed module.

    Classes carry their own fields and configuration; :meth:`SettingsIndex.finish` merges in-file base
    classes. ``locate``/``snippet`` give a node's Location and short source text.
    """
    return _Scanner(path, tree, locate, snippet).run()


class _Scanner:
    """Reads the module-level statements of one module."""

    def __init__(self, path: str, tree: ast.Module, locate: Locate, snippet: Snippet) -> None:
        self.path = path
        self.tree = tree
        self.locate = locate
        self.snippet = snippet
        self.bindings: dict[str, list[_Bound]] = {}
        self.import_targets: dict[str, list[str]] = {}
        self.consts: dict[str, Any] = {}
        self.classes: dict[str, SettingsClass] = {}

    def run(self) -> ScanResult:
        """Collect bindings, then build the records."""
        statements = list(_module_statements(self.tree.body))
        for stmt, conditional in statements:
            self._collect(stmt, conditional)
        self._fold_constants(statements)
        result = ScanResult(imports={name: targets[0] for name, targets in self.import_targets.items()})
        for stmt, _ in statements:
            if isinstance(stmt, ast.ClassDef):
                cls = self._class(stmt)
                if cls is not None:
                    self.classes[cls.name] = cls
        result.classes = list(self.classes.values())
        for name, binds in self.bindings.items():
            obj = self._object(name, binds)
            if obj is not None:
                result.objects.append(obj)
        result.objects.sort(key=lambda o: (o.location.line, o.name))
        return result

    # ---- bindings ----

    def _bind(self, name: str, bound: _Bound) -> None:
        self.bindings.setdefault(name, []).append(bound)

    def _collect(self, stmt: ast.stmt, conditional: bool) -> None:
        """Record what a module-level statement binds."""
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                name = alias.asname or alias.name.split(".")[0]
                target = alias.name if alias.asname else alias.name.split(".")[0]
                self.import_targets.setdefault(name, []).append(target)
                self._bind(name, _Bound("import", stmt, conditional, target))
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                name = alias.asname or alias.name
                target = import_target(stmt.level, stmt.module, alias.name)
                self.import_targets.setdefault(name, []).append(target)
                self._bind(name, _Bound("import", stmt, conditional, target))
        elif isinstance(stmt, ast.ClassDef):
            self._bind(stmt.name, _Bound("class", stmt, conditional))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self._bind(stmt.name, _Bound("def", stmt, conditional))
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            if stmt.value is None:
                return  # ``x: int`` binds nothing
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for node in targets:
                if isinstance(node, ast.Name):
                    self._bind(node.id, _Bound("value", stmt, conditional))
                else:
                    for name in _target_names(node):
                        self._bind(name, _Bound("other", stmt, conditional))
        else:
            for bound in _stmt_targets(stmt):
                for name in _target_names(bound):
                    self._bind(name, _Bound("other", stmt, conditional))

    def _fold_constants(self, statements: list[tuple[ast.stmt, bool]]) -> None:
        """Module constants bound once, unconditionally, to a foldable literal (for defaults)."""
        for stmt, conditional in statements:
            if conditional or not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is None:
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name) and len(self.bindings.get(target.id, [])) == 1:
                    try:
                        self.consts[target.id] = self._fold(stmt.value)
                    except _NotLiteral:
                        pass

    def _dotted(self, node: ast.expr) -> tuple[str, bool] | None:
        """(target, local) of a Name/Attribute chain: an import path, or a module-level name of this file."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.reverse()
        if node.id in self.import_targets:
            return ".".join([self.import_targets[node.id][0], *parts]), False
        if not parts and node.id in self.bindings:
            return node.id, True
        return None

    # ---- classes ----

    def _root_flavour(self, node: ast.expr) -> str | None:
        """The flavour when ``node`` names pydantic's BaseSettings (any compat import of it)."""
        if isinstance(node, ast.Name) and node.id in self.import_targets:
            flavours = {_ROOTS.get(t) for t in self.import_targets[node.id]} - {None}
            return ("v2" if "v2" in flavours else "v1") if flavours else None
        dotted = self._dotted(node)
        return _ROOTS.get(dotted[0]) if dotted and not dotted[1] else None

    def _base(self, node: ast.expr) -> SettingsBase | None:
        """A base class expression as a :class:`SettingsBase`, or None when it cannot make a settings class."""
        written = self.snippet(node)
        flavour = self._root_flavour(node)
        if flavour is not None:
            return SettingsBase(written=written, kind="root",
                                target="pydantic_settings.BaseSettings" if flavour == "v2" else "pydantic.BaseSettings")
        dotted = self._dotted(node)
        if dotted is None:
            return None
        target, local = dotted
        if local:
            return SettingsBase(written=written, kind="local", target=target) if target in self.classes else None
        if target.lstrip(".").split(".")[0] in _NOT_SETTINGS_PACKAGES and not target.startswith("."):
            return None
        return SettingsBase(written=written, kind="import", target=target)

    def _class(self, node: ast.ClassDef) -> SettingsClass | None:
        """A module-level class that derives, or may derive, from BaseSettings."""
        bases = [b for b in (self._base(expr) for expr in node.bases) if b is not None]
        if not bases:
            return None
        config: dict[str, Any] = {}
        problems: list[str] = []
        for kw in node.keywords:
            if kw.arg in _CONFIG_KEYS:
                config[kw.arg] = self._config_value(kw.arg, kw.value)
        fields: list[SettingsField] = []
        computed: list[str] = []
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                computed.append(stmt.name)
            elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                config.update(self._v1_config(stmt, problems))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.target.id == "model_config":
                    if stmt.value is not None:
                        config.update(self._model_config(stmt.value, problems))
                elif not stmt.target.id.startswith("_") and not _is_classvar(stmt.annotation):
                    fields.append(self._field(node.name, stmt.target, stmt.annotation, stmt.value))
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                name = stmt.targets[0].id
                if name == "model_config":
                    config.update(self._model_config(stmt.value, problems))
                elif not name.startswith("_") and _is_field_value(stmt.value):
                    fields.append(self._field(node.name, stmt.targets[0], None, stmt.value))  # pydantic v1 style
        return SettingsClass(name=node.name, location=self.locate(node), is_settings=False, bases=tuple(bases),
                             declared_config=config, fields=tuple(fields), computed=tuple(computed),
                             problem="; ".join(problems) or None)

    def _model_config(self, value: ast.expr, problems: list[str]) -> dict[str, Any]:
        """``SettingsConfigDict(...)``/``ConfigDict(...)``/``dict(...)``/a dict literal."""
        config: dict[str, Any] = {}
        if isinstance(value, ast.Call) and _terminal(value.func) in ("SettingsConfigDict", "ConfigDict", "dict"):
            for kw in value.keywords:
                if kw.arg is None:
                    problems.append(f"model_config unpacks {self.snippet(kw.value)}, which cfgate does not follow")
                elif kw.arg in _CONFIG_KEYS:
                    config[kw.arg] = self._config_value(kw.arg, kw.value)
            return config
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if key is None:
                    problems.append(f"model_config unpacks {self.snippet(item)}, which cfgate does not follow")
                elif isinstance(key, ast.Constant) and key.value in _CONFIG_KEYS:
                    config[key.value] = self._config_value(key.value, item)
            return config
        problems.append(f"model_config = {self.snippet(value)} is not a literal SettingsConfigDict(...)")
        return config

    def _v1_config(self, node: ast.ClassDef, problems: list[str]) -> dict[str, Any]:
        """``class Config: env_prefix = "APP_"`` (pydantic v1, still read by v2)."""
        config: dict[str, Any] = {}
        for stmt in node.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else \
                stmt.target if isinstance(stmt, ast.AnnAssign) else None
            value = getattr(stmt, "value", None)
            if isinstance(target, ast.Name) and target.id in _CONFIG_KEYS and value is not None:
                config[target.id] = self._config_value(target.id, value)
        return config

    def _config_value(self, key: str, node: ast.expr) -> Any:
        """A configuration value: literal, or Unknown when computed."""
        if key == "fields":
            return self._v1_fields(node)
        try:
            value = self._fold(node, allow_sequence=key == "env_file")
        except _NotLiteral as exc:
            return Unknown(expr=self.snippet(node), reason=str(exc))
        expected = {"env_prefix": str, "case_sensitive": bool}.get(key)
        if expected is not None and not isinstance(value, expected):
            return Unknown(expr=self.snippet(node), reason=f"{key} is not a {expected.__name__}")
        return value

    def _v1_fields(self, node: ast.expr) -> dict[str, tuple[str, ...]]:
        """v1 ``Config.fields = {"name": {"env": "X"}}`` / ``{"name": "X"}``: the env keys per field."""
        out: dict[str, tuple[str, ...]] = {}
        if not isinstance(node, ast.Dict):
            return out
        for key, value in zip(node.keys, node.values, strict=True):
            name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            if name is None:
                continue
            if isinstance(value, ast.Dict):
                env = next((v for k, v in zip(value.keys, value.values, strict=True)
                            if isinstance(k, ast.Constant) and k.value == "env"), None)
            else:
                env = value
            keys = _str_or_strs(env) if env is not None else None
            if keys:
                out[name] = keys
        return out

    def _field(self, owner: str, target: ast.Name, annotation: ast.expr | None, value: ast.expr | None) -> SettingsField:
        """One field: its default, cast and aliases (env keys are set by :class:`SettingsIndex`)."""
        cast, optional = annotation_cast(annotation)
        alias: str | None = None
        validation_alias: tuple[str, ...] = ()
        env: tuple[str, ...] = ()
        problem: str | None = None
        default_node: ast.expr | None = value
        factory: ast.expr | None = None
        if isinstance(value, ast.Call) and _terminal(value.func) == "Field":
            default_node = _argument(value, 0, "default")
            factory = _keyword(value, "default_factory")
            if (node := _keyword(value, "alias")) is not None:
                alias = _str_const(node)
                if alias is None:
                    problem = f"the alias {self.snippet(node)} is not a string literal"
            if (node := _keyword(value, "validation_alias")) is not None:
                choices = _alias_choices(node)
                if choices is None:
                    problem = f"the validation_alias {self.snippet(node)} is not a string or AliasChoices of strings"
                else:
                    validation_alias = choices
            if (node := _keyword(value, "env")) is not None:
                env = _str_or_strs(node) or ()
        if annotation is None and cast is None and value is not None and default_node is not None:
            try:  # v1 infers the type from an unannotated default
                cast = _CAST_NAMES.get(type(self._fold(default_node)).__name__)
            except _NotLiteral:
                pass
        default, has_default = self._default(default_node, factory, cast, optional)
        name = target.id
        return SettingsField(name=name, env_key=name.upper(), env_keys=(name.upper(),), default=default,
                             has_default=has_default, cast=cast, location=self.locate(target), declared_in=owner,
                             alias=alias, validation_alias=validation_alias, env=env, problem=problem)

    def _default(self, node: ast.expr | None, factory: ast.expr | None, cast: str | None,
                 optional: bool) -> tuple[Any, bool]:
        """(default, has_default); a computed default is an Unknown."""
        if node is None or (isinstance(node, ast.Constant) and node.value is Ellipsis):
            if factory is not None:
                return Unknown(expr=f"default_factory={self.snippet(factory)}",
                               reason="the default is computed at run time by its default_factory"), True
            return None, False
        try:
            value = self._fold(node)
        except _NotLiteral as exc:
            return Unknown(expr=self.snippet(node), reason=str(exc)), True
        if value is None or cast is None:
            return value, True
        ok, validated = validate_as(cast, value)
        if not ok:
            reason = f"the default {value!r} is not a valid {cast}: pydantic raises a ValidationError"
            return Unknown(expr=self.snippet(node), reason=reason), True
        return validated, True

    def _fold(self, node: ast.expr, allow_sequence: bool = False) -> Any:
        """A literal: constants, module constants, signs and arithmetic; tuples of them when allowed."""
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, bool | int | float | str):
                return node.value
            raise _NotLiteral(f"a {type(node.value).__name__} literal is not a setting value")
        if isinstance(node, ast.Name):
            if node.id in self.consts:
                return self.consts[node.id]
            raise _NotLiteral(f"{node.id} is not a module constant cfgate can read")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self._fold(node.operand)
            if isinstance(operand, int | float) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self._fold(node.left), self._fold(node.right)
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
                try:
                    return _BINOPS[type(node.op)](left, right)
                except ArithmeticError as exc:
                    raise _NotLiteral(f"{self.snippet(node)} raises {type(exc).__name__}") from None
            if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
                return left + right
        if allow_sequence and isinstance(node, ast.Tuple | ast.List):
            return tuple(self._fold(e) for e in node.elts)
        if isinstance(node, ast.Call):
            raise _NotLiteral(f"computed at run time by a call to {self.snippet(node.func)}()")
        raise _NotLiteral(f"{self.snippet(node)} is not a literal")

    # ---- module-level objects ----

    def _object(self, name: str, binds: list[_Bound]) -> SettingsObject | None:
        """A module-level instance or factory a settings read may go through; None for anything else."""
        first = binds[0]
        if len(binds) > 1:
            same_import = all(b.kind == "import" for b in binds) and len({b.target for b in binds}) == 1
            if not same_import and not all(not b.conditional for b in binds):
                return SettingsObject(name=name, kind="ambiguous", target="", location=self.locate(first.node),
                                      lines=tuple(_line(b.node) for b in binds))
            first = binds[-1] if not same_import else first
        if first.kind == "value":
            return self._value_object(name, first.node)
        if first.kind == "def":
            assert isinstance(first.node, ast.FunctionDef | ast.AsyncFunctionDef)
            return self._factory(first.node)
        return None

    def _value_object(self, name: str, stmt: ast.AST) -> SettingsObject | None:
        """``settings = Settings()`` / ``settings = get_settings()`` / ``settings = other``."""
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.Call):
            dotted = self._dotted(value.func)
            if dotted is None:
                return None
            overrides, unpacked = _call_overrides(value)
            return SettingsObject(name=name, kind="value", target=dotted[0], local=dotted[1], form="call",
                                  location=self.locate(stmt), overrides=overrides, unpacked=unpacked)
        if isinstance(value, ast.Name | ast.Attribute):
            dotted = self._dotted(value)
            if dotted is None:
                return None
            return SettingsObject(name=name, kind="value", target=dotted[0], local=dotted[1], form="name",
                                  location=self.locate(stmt))
        return None

    def _factory(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> SettingsObject | None:
        """A function returning a settings instance: every ``return`` agrees, else the return annotation."""
        if isinstance(node, ast.AsyncFunctionDef) or any(_terminal(d) not in _CACHE_DECORATORS
                                                         for d in node.decorator_list):
            return None
        assigned: dict[str, list[ast.expr]] = {}
        returns: list[ast.expr | None] = []
        for sub in _function_statements(node.body):
            if isinstance(sub, ast.Return):
                returns.append(sub.value)
                if not isinstance(sub.value, ast.Call | ast.Name | ast.Attribute):
                    break  # not a factory: no need to read further
            elif isinstance(sub, ast.Assign):
                for assigned_to in sub.targets:
                    if isinstance(assigned_to, ast.Name):
                        assigned.setdefault(assigned_to.id, []).append(sub.value)
        found: set[tuple[str, bool, str, tuple[str, ...], bool]] = set()
        for value in returns:
            if isinstance(value, ast.Name) and len(assigned.get(value.id, [])) == 1:
                value = assigned[value.id][0]  # s = Settings(); return s  /  global _s; _s = Settings()
            if isinstance(value, ast.Call) and (dotted := self._dotted(value.func)) is not None:
                found.add((dotted[0], dotted[1], "call", *_call_overrides(value)))
            elif isinstance(value, ast.Name | ast.Attribute) and (dotted := self._dotted(value)) is not None:
                found.add((dotted[0], dotted[1], "name", (), False))
            else:
                found.add(("", False, "", (), False))
        if len(found) == 1 and next(iter(found))[2]:
            target, local, form, overrides, unpacked = next(iter(found))
        elif node.returns is not None and (annotated := self._dotted(node.returns)) is not None:
            target, local, form, overrides, unpacked = annotated[0], annotated[1], "annotation", (), False
        else:
            return None
        return SettingsObject(name=node.name, kind="factory", target=target, local=local, form=form,  # type: ignore[arg-type]
                              location=self.locate(node), overrides=overrides, unpacked=unpacked)


def import_target(level: int, module: str | None, name: str) -> str:
    """The dotted path ``from <module> import <name>`` binds: ``app.core.config.settings``, ``..config.X``."""
    dots = "." * level
    return f"{dots}{module}.{name}" if module else f"{dots}{name}"


def _module_statements(body: Iterable[ast.stmt], conditional: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Module-level statements, including those nested in if/try/with blocks (marked conditional)."""
    for stmt in body:
        yield stmt, conditional
        if isinstance(stmt, ast.If):
            yield from _module_statements(stmt.body, True)
            yield from _module_statements(stmt.orelse, True)
        elif isinstance(stmt, _TRY_NODES):
            for part in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(stmt, part), True)
            for handler in getattr(stmt, "handlers", ()):
                yield from _module_statements(handler.body, True)
        elif isinstance(stmt, ast.With):
            yield from _module_statements(stmt.body, conditional)


def _stmt_targets(stmt: ast.stmt) -> list[ast.AST]:
    """Assignment-like targets of a statement that is not a plain assignment."""
    if isinstance(stmt, ast.AugAssign):
        return [stmt.target]
    if isinstance(stmt, ast.For | ast.AsyncFor):
        return [stmt.target]
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    if isinstance(stmt, ast.Delete):
        return list(stmt.targets)
    return []


def _target_names(target: ast.AST) -> Iterator[str]:
    """Names an assignment target binds (``a``, ``a, *b``); ``x.y``/``x[0]`` bind none."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _function_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a function body, in blocks too, without entering nested functions or classes."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, _SCOPE_NODES):
            continue
        for part in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, part, None)
            if isinstance(inner, list):
                yield from _function_statements(inner)
        for handler in getattr(stmt, "handlers", ()):
            yield from _function_statements(handler.body)
        for case in getattr(stmt, "cases", ()):
            yield from _function_statements(case.body)


def _call_overrides(call: ast.Call) -> tuple[tuple[str, ...], bool]:
    """Keyword arguments of a settings constructor that change fields or configuration, and ``**``."""
    names = tuple(kw.arg for kw in call.keywords if kw.arg is not None
                  and (not kw.arg.startswith("_") or kw.arg in INIT_CONFIG_KEYWORDS))
    return names, any(kw.arg is None for kw in call.keywords)


def _is_classvar(annotation: ast.expr) -> bool:
    """``ClassVar`` / ``ClassVar[int]`` / ``typing.ClassVar[...]``."""
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return _terminal(node) == "ClassVar"


def _is_field_value(node: ast.expr) -> bool:
    """An unannotated class attribute pydantic v1 takes as a field (a literal or ``Field(...)``)."""
    if isinstance(node, ast.Call):
        return _terminal(node.func) == "Field"
    return isinstance(node, ast.Constant | ast.UnaryOp | ast.BinOp) or (
        isinstance(node, ast.Name) and node.id not in ("property", "classmethod", "staticmethod"))


def _alias_choices(node: ast.expr) -> tuple[str, ...] | None:
    """``"X"`` or ``AliasChoices("X", "Y")`` (strings only); None for AliasPath and anything computed."""
    single = _str_const(node)
    if single is not None:
        return (single,)
    if isinstance(node, ast.Call) and _terminal(node.func) == "AliasChoices" and node.args and not node.keywords:
        choices = [_str_const(a) for a in node.args]
        if all(c is not None for c in choices):
            return tuple(c for c in choices if c is not None)
    return None


def _str_or_strs(node: ast.expr) -> tuple[str, ...] | None:
    """``"X"`` or a list/tuple/set of string literals."""
    single = _str_const(node)
    if single is not None:
        return (single,)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_str_const(e) for e in node.elts]
        if items and all(i is not None for i in items):
            return tuple(i for i in items if i is not None)
    return None












# --- resolution: one file, or all of them ----------------------------------------------------------


@dataclass(frozen=True)
class FieldRead:
    """``NAME.FIELD`` reads the environment through a settings field."""

    cls: SettingsClass
    field: SettingsField
    via_name: str  # "Settings.DB_POOL_SIZE"


@dataclass(frozen=True)
class Unresolved:
    """A settings read cfgate cannot resolve; ``linkable`` when another file may resolve it."""

    reason: str
    linkable: bool = False


@dataclass(frozen=True)
class NotSettings:
    """``NAME`` is not a settings instance: the read is something else."""

    reason: str


@dataclass(frozen=True)
class _Cls:
    file: PythonFile
    cls: SettingsClass


@dataclass(frozen=True)
class _Inst:
    file: PythonFile
    cls: SettingsClass
    obj: SettingsObject | None = None  # the module-level object created with arguments, if any


@dataclass(frozen=True)
class _Fac:
    file: PythonFile
    cls: SettingsClass
    obj: SettingsObject | None = None


@dataclass(frozen=True)
class _Mod:
    file: PythonFile


_Thing = _Cls | _Inst | _Fac | _Mod
_Result = _Thing | Unresolved | NotSettings


def _module_parts(path: str) -> tuple[str, ...]:
    """``app/core/config.py`` -> (app, core, config); a package's ``__init__.py`` -> the package."""
    clean = posixpath.normpath(path.replace("\\", "/"))
    parts = clean.split("/")
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    return tuple(p for p in parts if p not in ("", "."))


class SettingsIndex:
    """Resolves settings classes and ``NAME.FIELD`` reads over a set of parsed files.

    With ``cross_file=False`` (the per-file parse) anything imported is :class:`Unresolved` with
    ``linkable=True``; with ``cross_file=True`` imports are followed to the scanned file whose path ends
    with the module's dotted path (``app.core.config`` <-> ``.../app/core/config.py``), preferring the
    file under the importing file's root when several match.
    """

    def __init__(self, files: Sequence[PythonFile], cross_file: bool = True) -> None:
        self.files = list(files)
        self.cross_file = cross_file
        self._by_last: dict[str, list[tuple[tuple[str, ...], PythonFile]]] = {}
        self._by_path: dict[str, PythonFile] = {}
        for f in self.files:
            parts = _module_parts(f.path)
            if parts:
                self._by_last.setdefault(parts[-1], []).append((parts, f))
            self._by_path[posixpath.normpath(f.path.replace("\\", "/"))] = f
        self._memo: dict[tuple[str, str], tuple[SettingsClass, dict[str, Any]]] = {}
        self._active: set[tuple[str, str]] = set()

    # ---- modules ----

    def _find_module(self, module: str, importer: PythonFile) -> PythonFile | Unresolved | None:
        """The scanned file of a dotted module (relative to ``importer`` when it starts with dots)."""
        level = len(module) - len(module.lstrip("."))
        names = tuple(p for p in module.lstrip(".").split(".") if p)
        if level:
            base = posixpath.dirname(posixpath.normpath(importer.path.replace("\\", "/")))
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            stem = posixpath.join(base, *names) if names else base
            for candidate in (f"{stem}.py", posixpath.join(stem, "__init__.py")):
                found = self._by_path.get(posixpath.normpath(candidate))
                if found is not None:
                    return found
            return None
        if not names:
            return None
        matches = [(parts, f) for parts, f in self._by_last.get(names[-1], []) if parts[-len(names):] == names]
        if len(matches) <= 1:
            return matches[0][1] if matches else None
        importer_parts = _module_parts(importer.path)
        rooted = []
        for parts, f in matches:
            root = parts[: len(parts) - len(names)]  # the directory Python would import it from
            if importer_parts[: len(root)] == root:
                rooted.append((len(root), f))
        rooted.sort(key=lambda item: -item[0])
        if len(rooted) == 1 or (len(rooted) > 1 and rooted[0][0] > rooted[1][0]):
            return rooted[0][1]
        shown = ", ".join(sorted(f.path for _, f in matches)[:4])
        return Unresolved(f"{module.lstrip('.') or module} matches several scanned files ({shown})")

    def _target(self, file: PythonFile, target: str, local: bool, seen: frozenset[tuple[str, str]]) -> _Result:
        """What a target names: a settings class, instance, factory or module."""
        if local:
            return self._name(file, target, seen)
        if not self.cross_file:
            return Unresolved(f"{target} is in another file", linkable=True)
        dots = len(target) - len(target.lstrip("."))
        rest_head, _, last = target[dots:].rpartition(".")
        head = "." * dots + rest_head
        if head:  # a name in a module (or, for ``from . import x``, maybe the submodule x)
            found = self._find_module(head, file)
            if isinstance(found, Unresolved):
                return found
            if found is not None:
                named = self._name(found, last, seen)
                if isinstance(named, NotSettings) and isinstance(whole := self._find_module(target, file), PythonFile):
                    return _Mod(whole)
                return named
        whole = self._find_module(target, file)
        if isinstance(whole, Unresolved):
            return whole
        if whole is not None:
            return _Mod(whole)
        names = target[dots:].split(".")
        for cut in range(len(names) - 2, 0, -1):  # app.core.config.settings.db: a nested attribute
            prefix = "." * dots + ".".join(names[:cut])
            if isinstance(self._find_module(prefix, file), PythonFile):
                return Unresolved(f"{target} is an attribute of an object in {prefix}; cfgate follows module-level "
                                  "settings objects, not their nested attributes")
        module = head or target
        return Unresolved(f"{target} is imported from {module}, which is not among the scanned files")

    def _name(self, file: PythonFile, name: str, seen: frozenset[tuple[str, str]]) -> _Result:
        """A module-level name of ``file``."""
        key = (file.path, name)
        if key in seen:
            return Unresolved(f"{name} in {file.path} refers to itself through imports")
        seen = seen | {key}
        obj = next((o for o in file.settings_objects if o.name == name), None)
        if obj is not None and obj.kind == "ambiguous":
            lines = ", ".join(str(n) for n in obj.lines)
            return Unresolved(f"{name} is bound more than once in {file.path} (lines {lines}); "
                              "which one is used depends on run-time conditions")
        cls = next((c for c in file.settings_classes if c.name == name), None)
        if cls is not None:
            return _Cls(file, cls)
        if obj is not None:
            return self._object(file, obj, seen)
        if name in file.imports:
            return self._target(file, file.imports[name], False, seen)
        return NotSettings(f"{file.path} defines no settings class or instance named {name}")

    def _object(self, file: PythonFile, obj: SettingsObject, seen: frozenset[tuple[str, str]]) -> _Result:
        """A module-level value or factory."""
        inner = self._target(file, obj.target, obj.local, seen)
        where = f"{file.path}:{obj.location.line}"
        if isinstance(inner, NotSettings):
            if obj.kind == "factory":
                return NotSettings(f"{obj.name}() ({where}) does not return a pydantic settings instance")
            shape = f"{obj.name} = {obj.target}()" if obj.form == "call" else f"{obj.name} = {obj.target}"
            return NotSettings(f"{shape} ({where}) is not a pydantic settings instance")
        if isinstance(inner, Unresolved):
            if inner.linkable:
                what = f"{obj.name}()" if obj.kind == "factory" else obj.name
                return Unresolved(f"{what} comes from {obj.target}, in another file", linkable=True)
            return inner
        made = obj if obj.overrides or obj.unpacked else None
        if obj.kind == "value" and obj.form == "name":
            return inner  # an alias
        if obj.kind == "value":  # obj.target(...)
            if isinstance(inner, _Cls):
                return _Inst(inner.file, inner.cls, made)
            if isinstance(inner, _Fac):
                return _Inst(inner.file, inner.cls, inner.obj or made)
            return NotSettings(f"{obj.name} = {obj.target}(...) is not a settings instance")
        if obj.form == "name" and isinstance(inner, _Inst):
            return _Fac(inner.file, inner.cls, inner.obj)
        if obj.form in ("call", "annotation") and isinstance(inner, _Cls):
            return _Fac(inner.file, inner.cls, made)
        if obj.form == "call" and isinstance(inner, _Fac):
            return _Fac(inner.file, inner.cls, inner.obj or made)
        return NotSettings(f"{obj.name}() does not return a settings instance")

    # ---- classes ----

    def finish(self, file: PythonFile) -> tuple[SettingsClass, ...]:
        """The file's classes with inherited fields, configuration and env keys resolved."""
        return tuple(self.effective(file, c) for c in file.settings_classes)

    def effective(self, file: PythonFile, cls: SettingsClass) -> SettingsClass:
        """One class with its bases followed (in this file, or across files when ``cross_file``)."""
        return self._effective(file, cls)[0]

    def _effective(self, file: PythonFile, cls: SettingsClass) -> tuple[SettingsClass, dict[str, Any]]:
        key = (file.path, cls.name)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return cls.model_copy(update={"problem": f"{cls.name} inherits from itself"}), {}
        self._active.add(key)
        try:
            result = self._compute(file, cls)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _own_fields(self, file: PythonFile, cls: SettingsClass) -> list[SettingsField]:
        return [f for f in cls.fields if f.declared_in == cls.name and f.location.file == file.path]

    def _compute(self, file: PythonFile, cls: SettingsClass) -> tuple[SettingsClass, dict[str, Any]]:
        """Merge bases (last base first, as in the MRO of simple hierarchies), then the class itself."""
        is_settings = False
        flavours: set[str] = set()
        pending: list[str] = []
        problems: list[str] = []
        config: dict[str, Any] = {}
        fields: dict[str, SettingsField] = {}
        computed: list[str] = []
        for base in reversed(cls.bases):
            if base.kind == "root":
                is_settings = True
                flavours.add(_ROOTS[base.target])
                continue
            found: _Result
            if base.kind == "local":
                other = next((c for c in file.settings_classes if c.name == base.target and c is not cls), None)
                found = _Cls(file, other) if other is not None else NotSettings("")
            else:
                found = self._target(file, base.target, False, frozenset())
            if isinstance(found, Unresolved):
                pending.append(base.target)
                if not found.linkable:
                    problems.append(f"{cls.name} derives from {base.written}: {found.reason}")
                continue
            if not isinstance(found, _Cls):
                continue
            eff, eff_config = self._effective(found.file, found.cls)
            if not (eff.is_settings or eff.pending_bases):
                continue
            is_settings = is_settings or eff.is_settings
            if eff.flavour:
                flavours.add(eff.flavour)
            pending.extend(eff.pending_bases)
            config.update(eff_config)
            fields.update({f.name: f for f in eff.fields})
            computed.extend(eff.computed)
            if eff.problem:
                problems.append(eff.problem)
        config.update(cls.declared_config)
        for own in self._own_fields(file, cls):
            fields[own.name] = own
        computed.extend(cls.computed)
        if cls.problem and cls.problem not in problems:
            problems.append(cls.problem)
        flavour = ("v2" if "v2" in flavours else "v1") if flavours else None
        prefix = config.get("env_prefix", "")
        case_sensitive = config.get("case_sensitive", False)
        for key, value in (("env_prefix", prefix), ("case_sensitive", case_sensitive)):
            if isinstance(value, Unknown):
                problems.append(f"{key} = {value.expr} is not a literal ({value.reason})")
        prefix = prefix if isinstance(prefix, str) else ""
        case_sensitive = case_sensitive if isinstance(case_sensitive, bool) else False
        env_file = config.get("env_file")
        env_files = (env_file,) if isinstance(env_file, str) else tuple(
            e for e in env_file if isinstance(e, str)) if isinstance(env_file, tuple) else ()
        v1_fields = config.get("fields") if flavour == "v1" else None
        keyed = []
        for f in fields.values():
            if isinstance(v1_fields, dict) and f.name in v1_fields and not f.env:
                f = f.model_copy(update={"env": v1_fields[f.name]})
            keys = env_keys(f, flavour, prefix, case_sensitive)
            keyed.append(f.model_copy(update={"env_key": keys[0], "env_keys": keys}))
        result = cls.model_copy(update={
            "is_settings": is_settings, "flavour": flavour, "pending_bases": tuple(dict.fromkeys(pending)),
            "env_prefix": prefix, "case_sensitive": case_sensitive, "env_files": env_files, "fields": tuple(keyed),
            "computed": tuple(dict.fromkeys(computed)), "problem": "; ".join(dict.fromkeys(problems)) or None,
        })
        return result, config

    # ---- reads ----

    def read(self, file: PythonFile, target: str, local: bool, form: str, attr: str,
             described: str | None = None) -> FieldRead | Unresolved | NotSettings:
        """What ``<target>.<attr>`` (form "attribute"), ``<target>().<attr>`` ("call") or an instance of
        the class ``<target>`` ("annotation") reads. ``described`` names the object in reasons."""
        what = described or target
        thing = self._target(file, target, local, frozenset())
        if isinstance(thing, Unresolved | NotSettings):
            return thing
        if isinstance(thing, _Mod):
            return NotSettings(f"{what} is the module {thing.file.path}; cfgate does not read module attributes "
                               "across files")
        instance: _Inst | None = None
        if form == "attribute" and isinstance(thing, _Inst):
            instance = thing
        elif form == "call" and isinstance(thing, _Cls | _Fac):
            instance = _Inst(thing.file, thing.cls, thing.obj if isinstance(thing, _Fac) else None)
        elif form == "annotation" and isinstance(thing, _Cls):
            instance = _Inst(thing.file, thing.cls)
        if instance is None:
            kind = {_Cls: "a class", _Inst: "an instance", _Fac: "a function"}[type(thing)]
            return NotSettings(f"{what} is {kind}, so {what}.{attr} is not a settings field read")
        return self._field_read(instance, attr, what)

    def _field_read(self, instance: _Inst, attr: str, what: str) -> FieldRead | Unresolved | NotSettings:
        """The field of an instance, or why its value is not an environment read."""
        cls = self.effective(instance.file, instance.cls)
        if not cls.is_settings:
            if cls.pending_bases and not cls.problem:
                bases = ", ".join(cls.pending_bases)
                return Unresolved(f"{cls.name} derives from {bases}, in another file", linkable=True)
            if cls.problem:
                return Unresolved(cls.problem)
            return NotSettings(f"{cls.name} does not derive from pydantic's BaseSettings")
        if cls.pending_bases:
            bases = ", ".join(cls.pending_bases)
            if cls.problem:
                return Unresolved(cls.problem)
            return Unresolved(f"{cls.name} also derives from {bases}, in another file", linkable=True)
        if cls.problem:
            return Unresolved(cls.problem)
        via_name = f"{cls.name}.{attr}"
        fld = cls.field(attr)
        if fld is None:
            if attr in cls.computed:
                return Unresolved(f"{via_name} is a method or property of the settings class, computed at run time")
            return Unresolved(f"{cls.name} (a settings class in {cls.location.file}:{cls.location.line}) "
                              f"has no field {attr}")
        obj = instance.obj
        if obj is not None:
            config = [o for o in obj.overrides if o in INIT_CONFIG_KEYWORDS]
            if config:
                return Unresolved(f"{obj.name} is created with {', '.join(config)}=... ({obj.location.file}:"
                                  f"{obj.location.line}), which changes the variables it reads")
            if attr in obj.overrides or (fld.alias and fld.alias in obj.overrides):
                return Unresolved(f"{obj.name} is created with {attr}=... ({obj.location.file}:{obj.location.line}); "
                                  "an argument wins over the environment, and cfgate does not follow it here")
            if obj.unpacked:
                return Unresolved(f"{obj.name} is created with **arguments ({obj.location.file}:"
                                  f"{obj.location.line}) that may set {attr}")
        if fld.problem:
            return Unresolved(f"{via_name}: {fld.problem}")
        if len(fld.env_keys) > 1:
            return Unresolved(f"{via_name} reads the first of the environment variables {', '.join(fld.env_keys)} "
                              "that is set")
        if isinstance(fld.default, Unknown):
            return Unresolved(f"{via_name} reads environment variable {fld.env_key}; its default is not a literal "
                              f"({fld.default.reason})")
        return FieldRead(cls, fld, via_name)


def env_ref(read: FieldRead) -> EnvRef:
    """The :class:`EnvRef` a field read gives."""
    fld = read.field
    return EnvRef(key=fld.env_key, default=fld.default, has_default=fld.has_default, cast=fld.cast,
                  semantics="pydantic", case_sensitive=read.cls.case_sensitive)


# --- the workspace pass ----------------------------------------------------------------------------


def link_settings(files: list[PythonFile]) -> list[PythonFile]:
    """Resolve settings reads across files: call once after every Python file is parsed.

    Pure: returns new :class:`PythonFile` objects (the same object when nothing changed), in the same
    order. Settings classes get their cross-file bases merged (``is_settings`` set, ``pending_bases``
    emptied when found; a candidate that turns out not to derive from BaseSettings is dropped). A pool setting whose value is an :class:`Unknown` carrying a
    :class:`SettingsRef` becomes an :class:`EnvRef` (with ``via``/``via_name``) when the name resolves
    unambiguously to an instance of a settings class that has the field; otherwise it stays Unknown
    with a reason that says why. Running it twice changes nothing more.
    """
    index = SettingsIndex(files, cross_file=True)
    out: list[PythonFile] = []
    for f in files:
        # a candidate whose bases were all found and none is a settings class is dropped
        classes = tuple(c for c in index.finish(f) if c.is_settings or c.pending_bases)
        pools = tuple(_link_pool(index, f, pool) for pool in f.pools)
        if classes == f.settings_classes and all(a is b for a, b in zip(pools, f.pools, strict=True)):
            out.append(f)
        else:
            out.append(f.model_copy(update={"settings_classes": classes, "pools": pools}))
    return out


def _link_pool(index: SettingsIndex, file: PythonFile, pool: PoolConfig) -> PoolConfig:
    """A pool with its linkable settings resolved."""
    changed = {name: linked for name, s in pool.settings.items() if (linked := _link_setting(index, file, s)) is not s}
    if not changed:
        return pool
    return pool.model_copy(update={"settings": {**pool.settings, **changed}})


def _link_setting(index: SettingsIndex, file: PythonFile, setting: PoolSetting) -> PoolSetting:
    """One setting: an EnvRef through the settings field, or the Unknown with the reason it stays so."""
    ref = setting.settings_ref
    if ref is None or not isinstance(setting.value, Unknown):
        return setting
    read = index.read(file, ref.target, ref.local, ref.form, ref.field, ref.name)
    if isinstance(read, FieldRead):
        value = env_ref(read)
        if ref.cast is not None:
            combined = outer_cast(ref.cast, value.cast, value.default, value.has_default)
            if isinstance(combined, str):
                return _unknown(setting, f"{read.via_name}: {combined}")
            value = value.model_copy(update={"cast": ref.cast, "default": combined[0], "semantics": combined[1]})
        return setting.model_copy(update={"value": value, "via": read.field.location, "via_name": read.via_name})
    return _unknown(setting, read.reason)


def _unknown(setting: PoolSetting, reason: str) -> PoolSetting:
    """The setting's Unknown with a new reason (the chain kept)."""
    assert isinstance(setting.value, Unknown)
    if setting.value.reason == reason:
        return setting
    return setting.model_copy(update={"value": setting.value.model_copy(update={"reason": reason})})


def settings_ref(name: str, target: str, local: bool, attr: str, form: str, cast: str | None = None) -> SettingsRef:
    """Build a :class:`SettingsRef` (used by the pool extractor)."""
    return SettingsRef(name=name, target=target, local=local, field=attr, form=form, cast=cast)  # type: ignore[arg-type]
