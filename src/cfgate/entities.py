"""A uniform view of everything a policy can select: Terraform blocks, env entries and pools."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from fnmatch import fnmatchcase, translate
from functools import lru_cache
from typing import Any, Iterator, Mapping

from .linking import EnvContext
from .models import Location, Origin
from .models.pool import EnvRef
from .policies.model import Selector, as_tuple
from .sources import Workspace
from .terraform.resolve import Resolution


@dataclass(frozen=True)
class Attr:
    value: Any  # literal, Unknown or EnvRef
    location: Location
    expr: str = ""
    origins: tuple[Origin, ...] = ()


@dataclass(frozen=True)
class Entity:
    source: str  # terraform | env | python
    file: str
    subject: str  # base for messages: google_vpc_access_connector.connector, REDIS_TIMEOUT, DatabaseManager
    location: Location
    attrs: Mapping[str, Attr] = field(default_factory=dict)  # lazily evaluated for Terraform instances
    block: str | None = None
    type: str | None = None
    name: str | None = None
    key: str | None = None

    def attr_subject(self, attribute: str) -> str:
        return self.subject if self.source == "env" else f"{self.subject}.{attribute}"


class _AttrView(Mapping[str, Attr]):
    """A resource instance's attributes as :class:`Attr`, evaluated only when a rule reads them.

    As in Terraform, an attribute whose value is ``null`` (``x = lookup(m, "x", null)``) is not set: it is
    absent from the mapping, for every rule alike.
    """

    def __init__(self, attributes: Mapping[str, Any]) -> None:
        self._attributes = attributes
        self._cache: dict[str, Attr] = {}

    def _attr(self, key: str) -> Attr:
        found = self._cache.get(key)
        if found is None:
            a = self._attributes[key]
            found = self._cache[key] = Attr(a.value, a.location, a.expr, a.origins)
        return found

    def __getitem__(self, key: str) -> Attr:
        found = self._attr(key)
        if found.value is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._attributes and self._attr(key).value is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._attributes if self._attr(key).value is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _stable_name(name: str, ordinals: dict[str, int]) -> str:
    """``create_engine@12`` -> ``create_engine#1``: the first such call in the file, whatever line it moves to,
    so that subjects (and the fingerprints built on them) survive edits above the call."""
    callee, at, line = name.rpartition("@")
    if not at or not line.isdigit():
        return name
    ordinals[callee] = ordinals.get(callee, 0) + 1
    return f"{callee}#{ordinals[callee]}"


def _settings_pool(pool: Any, klass: Any) -> Any:
    """A pydantic settings class body: its fields are env reads with defaults, not literals."""
    settings = {}
    for name, setting in pool.settings.items():
        field_ = klass.field(setting.written_as)
        if field_ is not None and field_.env_key:
            ref = EnvRef(key=field_.env_key, default=field_.default, has_default=field_.has_default, cast=field_.cast,
                         semantics="pydantic", case_sensitive=klass.case_sensitive)
            setting = setting.model_copy(update={"value": ref})
        settings[name] = setting
    return pool.model_copy(update={"settings": settings})


def _python_attr(setting: Any, env: EnvContext | None) -> Attr:
    """A pool setting; a value read from the environment takes its effective value from the env layers."""
    if isinstance(setting.value, EnvRef) and env is not None:
        linked = env.link(setting.value, setting.location)
        return Attr(linked.value, setting.location, setting.expr, linked.origins)
    return Attr(setting.value, setting.location, setting.expr)


def entities(workspace: Workspace, terraform: Resolution | None = None, env_ctx: EnvContext | None = None) -> Entities:
    """Every selectable entity. Resources and data sources come evaluated (one per count/for_each
    instance and per module call) when a Terraform resolution is given; other blocks as written."""
    out: list[Entity] = []
    evaluated = terraform is not None
    for tf in workspace.terraform:
        if tf.is_tfvars:
            continue
        for block in tf.blocks:
            kind = block.kind
            if evaluated and kind in ("resource", "data"):
                continue
            type_ = block.labels[0] if kind in ("resource", "data") and block.labels else None
            name = block.labels[-1] if block.labels else None
            # ``x = null`` leaves x unset, as in Terraform (but a variable's ``default = null`` is a real default)
            attrs = {k: Attr(a.value, a.location, a.expr, a.origins) for k, a in block.attributes.items()
                     if a.value is not None or kind == "variable"}
            out.append(Entity("terraform", tf.path, block.address, block.location, attrs, kind, type_, name))
    for instance in (terraform.instances if terraform is not None else []):
        attrs = _AttrView(instance.attributes)
        out.append(Entity("terraform", instance.location.file, instance.address, instance.location, attrs,
                          instance.kind, instance.type, instance.name))
    for env in workspace.env:
        effective = {entry.key: entry for entry in env.entries}  # last one wins, as in python-dotenv
        for entry in effective.values():
            attrs = {"value": Attr(entry.value, entry.location, entry.raw)}
            out.append(Entity("env", env.path, entry.key, entry.location, attrs, key=entry.key))
    # A call that passes a setting by name (pool_size=self.pool_size, or settings.DB_POOL_SIZE from a settings
    # class) reuses a value another pool defines; that definition is where it is judged: one root cause, one finding.
    everywhere = {(py.path, s.location.line, s.name) for py in workspace.python for pool in py.pools for s in pool.settings.values()}
    for py in workspace.python:
        defined = {(line, name) for path, line, name in everywhere if path == py.path}
        settings_classes = {c.name: c for c in getattr(py, "settings_classes", ()) if c.is_settings}
        ordinals: dict[str, int] = {}
        for pool in py.pools:
            name = _stable_name(pool.name, ordinals)
            if pool.kind == "class" and pool.name in settings_classes:
                pool = _settings_pool(pool, settings_classes[pool.name])
            attrs = {k: _python_attr(s, env_ctx) for k, s in pool.settings.items()
                     if (s.defined_at is None or (s.defined_at.line, s.name) not in defined)
                     and (getattr(s, "via", None) is None or (s.via.file, s.via.line, s.name) not in everywhere)}
            out.append(Entity("python", py.path, name, pool.location, attrs, pool.kind, None, name))
    return Entities(out)


@lru_cache(maxsize=1024)
def _pattern(globs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(translate(glob) for glob in globs))


def _match(value: str | None, globs: tuple[str, ...]) -> bool:
    return value is not None and _pattern(globs).match(value) is not None


def _match_file(path: str, globs: tuple[str, ...]) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(fnmatchcase(path, g) or fnmatchcase(name, g) or fnmatchcase(path, g.replace("**/", "")) for g in globs)


class Entities(list):
    """The entity list, indexed by source and by (source, type), so that each rule scans only its candidates."""

    def __init__(self, items: list[Entity]) -> None:
        super().__init__(items)
        self.by_source: dict[str, list[Entity]] = {}
        self.by_type: dict[tuple[str, str | None], list[Entity]] = {}
        for entity in items:
            self.by_source.setdefault(entity.source, []).append(entity)
            self.by_type.setdefault((entity.source, entity.type), []).append(entity)

    def candidates(self, selector: Selector) -> list[Entity]:
        if selector.source is None:
            return self
        types = as_tuple(selector.type)
        if types and not any(ch in "".join(types) for ch in "*?["):
            return [e for t in types for e in self.by_type.get((selector.source, t), [])]
        return self.by_source.get(selector.source, [])


def select(selector: Selector, items: list[Entity]) -> Iterator[Entity]:
    if isinstance(items, Entities):
        items = items.candidates(selector)
    for entity in items:
        if selector.source and entity.source != selector.source:
            continue
        if selector.files and not _match_file(entity.file, as_tuple(selector.files)):
            continue
        if selector.exclude_files and _match_file(entity.file, as_tuple(selector.exclude_files)):
            continue
        if selector.block and not _match(entity.block, as_tuple(selector.block)):
            continue
        if selector.type and not _match(entity.type, as_tuple(selector.type)):
            continue
        if selector.name and not _match(entity.name, as_tuple(selector.name)):
            continue
        if selector.keys and not _match(entity.key, as_tuple(selector.keys)):
            continue
        if selector.exclude_keys and _match(entity.key, as_tuple(selector.exclude_keys)):
            continue
        yield entity
