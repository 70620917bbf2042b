"""Env layers: env files stacked for one environment, later files winning, as python-dotenv loads them.

A layer is declared in settings (``[tool.cfgate.env_layers] staging = [".env", ".env.staging",
".env.staging.tests"]``) and chosen with ``--env-layer``. Interpolation follows python-dotenv
(``${X}`` and ``${X:-default}``; a bare ``$X`` is literal; single-quoted values are interpolated
too). It never reads the process environment: a ``${X}`` that no layer defines and that has no
default is unknown, because its value depends on the machine that runs the code.

Every resolved value records each file and line that set it, in order; the last one is effective.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from .models import EnvFile, Location, Unknown

_REFERENCE = re.compile(r"\$\{(?P<name>[^}:]*)(?::-(?P<default>[^}]*))?\}")


@dataclass(frozen=True)
class LayeredValue:
    key: str
    value: str | Unknown | None  # None: a key with no '=' at all
    raw: str | None  # before interpolation
    setters: tuple[Location, ...]  # every place that set it, in load order; the last one wins

    @property
    def location(self) -> Location:
        return self.setters[-1]

    def provenance(self) -> str:
        """``DATABASE_POOL_SIZE in .env.staging.tests:4 (over .env:2)``."""
        last = self.setters[-1]
        text = f"{self.key} in {last.file}:{last.line}"
        if len(self.setters) > 1:
            text += " (over " + ", ".join(f"{s.file}:{s.line}" for s in reversed(self.setters[:-1])) + ")"
        return text


@dataclass
class EnvLayer:
    name: str
    files: tuple[str, ...]
    values: dict[str, LayeredValue] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # declared files that were not found among the inputs

    def get(self, key: str) -> LayeredValue | None:
        return self.values.get(key)

    def plain(self) -> dict[str, str]:
        """Known values only, as a process environment would receive them."""
        return {k: v.value for k, v in self.values.items() if isinstance(v.value, str)}


def interpolate(raw: str, known: dict[str, str | Unknown | None]) -> str | Unknown:
    unresolved: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group("name"), match.group("default")
        value = known.get(name)
        if isinstance(value, str):
            return value
        if default is not None:
            return default
        unresolved.append(name)
        return match.group(0)

    result = _REFERENCE.sub(substitute, raw)
    if unresolved:
        names = ", ".join(dict.fromkeys(unresolved))
        return Unknown(expr=raw, reason=f"refers to {names}, which no env file in the layer sets and which has no default; "
                                      "python-dotenv would take it from the process environment")
    return result


def resolve_layer(name: str, files: list[EnvFile], declared: tuple[str, ...] | None = None) -> EnvLayer:
    """Stack ``files`` in order (later wins) and interpolate each value with what was loaded before it."""
    values: dict[str, LayeredValue] = {}
    known: dict[str, str | Unknown | None] = {}
    for env in files:
        for entry in env.entries:
            previous = values.get(entry.key)
            setters = (previous.setters if previous else ()) + (entry.location,)
            value: str | Unknown | None = None if entry.value is None else interpolate(entry.value, known)
            values[entry.key] = LayeredValue(entry.key, value, entry.value, setters)
            known[entry.key] = value
    present = {env.path for env in files}
    missing = tuple(p for p in (declared or ()) if p not in present)
    return EnvLayer(name=name, files=tuple(env.path for env in files), values=values, missing=missing)


def _matches(path: str, pattern: str) -> bool:
    pattern = pattern.lstrip("./") if pattern.startswith("./") else pattern
    return path == pattern or path.endswith("/" + pattern) or fnmatchcase(path, pattern)


def build_layers(env_files: list[EnvFile], declared: dict[str, list[str]]) -> list[EnvLayer]:
    """The declared layers, each from the env files among the inputs that its patterns name, in declared order.

    With nothing declared, every env file is a layer of its own (named by its path).
    """
    if not declared:
        return [resolve_layer(env.path, [env]) for env in env_files]
    layers = []
    for layer_name, patterns in declared.items():
        chosen: list[EnvFile] = []
        for pattern in patterns:
            chosen += [env for env in env_files if _matches(env.path, pattern) and env not in chosen]
        missing = tuple(p for p in patterns if not any(_matches(env.path, p) for env in env_files))
        layer = resolve_layer(layer_name, chosen)
        layer.missing = missing
        layers.append(layer)
    return layers
