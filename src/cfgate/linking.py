"""Join values that code reads from the environment with the env layers that set them.

``int(os.getenv("DATABASE_POOL_SIZE", "25"))`` is an :class:`~cfgate.models.pool.EnvRef`. Its
effective value comes from the env layer in use:

- the layer chosen with ``--env-layer`` (or the ``env_layer`` setting); else the only declared
  layer; else every layer (each env file is one when none are declared), as long as they agree;
- a key no layer sets takes the code's default, and the result says so (and rule CFG405 reports
  the key); with no default it is unknown;
- layers that set different values leave it unknown and say which, so the user can pick one.

The chain reads like "pool_size = 50 (DATABASE_POOL_SIZE in .env.staging.tests:4, default 25 in
database_manager.py:18)".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .envlayer import EnvLayer, build_layers
from .models import EnvFile, Location, Origin, Unknown
from .models.pool import EnvRef
from .redact import redact_value


class LayerError(Exception):
    """An env layer that does not exist was chosen."""


@dataclass(frozen=True)
class Linked:
    value: Any  # the effective value (cast as the code casts it), or Unknown
    origins: tuple[Origin, ...]
    from_default: bool = False  # no layer sets the key: the code's default applies


@dataclass
class EnvContext:
    layers: list[EnvLayer] = field(default_factory=list)
    selected: EnvLayer | None = None

    @property
    def candidates(self) -> list[EnvLayer]:
        return [self.selected] if self.selected is not None else self.layers

    def link(self, ref: EnvRef, used_at: Location) -> Linked:
        default_origin = Origin(what=f"default {_show(ref.key, ref.default)}", location=used_at) if ref.has_default else None
        found = [(layer, _lookup(layer, ref)) for layer in self.candidates]
        found = [(layer, value) for layer, value in found if value is not None]
        if not found:
            if ref.has_default:
                where = f"layer {self.selected.name}" if self.selected else "no env file"
                return Linked(ref.default, (Origin(what=f"{ref.key} is set by {where}; the code's default {_show(ref.key, ref.default)} applies", location=used_at),),
                              from_default=True)
            return Linked(Unknown(expr=f"env {ref.key}", reason=f"{ref.key} is read from the environment, has no default, and no env layer sets it"), ())
        distinct = {str(v.value) for _, v in found}
        if len(distinct) > 1:
            shown = ", ".join(f"{v.location.file}:{v.location.line}" for _, v in found)
            return Linked(Unknown(expr=f"env {ref.key}", reason=f"{ref.key} differs between env layers ({shown}); choose one with --env-layer"), ())
        layer, value = found[0]
        origins = [Origin(what=ref.key, location=value.location)]
        origins += [Origin(what=f"{ref.key} (overridden)", location=s) for s in reversed(value.setters[:-1])]
        if default_origin is not None:
            origins.append(default_origin)
        raw = value.value
        if isinstance(raw, Unknown) or raw is None:
            reason = raw.reason if isinstance(raw, Unknown) else f"{ref.key} has no value in {value.location.file}:{value.location.line}"
            return Linked(Unknown(expr=f"env {ref.key}", reason=reason), tuple(origins))
        if getattr(ref, "semantics", "python") == "pydantic":
            from .parsers.pysettings import validate_as

            ok, converted = validate_as(ref.cast or "str", raw)
            value_out = converted if ok else Unknown(expr=f"env {ref.key}", reason=f"pydantic rejects {ref.key}={raw!r} as {ref.cast}: the app fails to start")
            return Linked(value_out, tuple(origins))
        return Linked(cast(raw, ref.cast, ref.key), tuple(origins))


def _lookup(layer: EnvLayer, ref: EnvRef) -> Any:
    """The layer's value for the key; pydantic settings match env keys case-insensitively unless told otherwise."""
    found = layer.get(ref.key)
    if found is None and not getattr(ref, "case_sensitive", True):
        wanted = ref.key.upper()
        found = next((v for k, v in layer.values.items() if k.upper() == wanted), None)
    return found


def cast(text: str, kind: str | None, key: str) -> Any:
    """Convert an env string as the code's wrapper would (int(...), float(...)); a failure is unknown."""
    try:
        if kind == "int":
            return int(text.strip())
        if kind == "float":
            return float(text.strip())
        if kind == "bool":
            return bool(text)  # bool("false") is True in Python, as the code would see it
    except ValueError:
        return Unknown(expr=f"env {key}", reason=f"{kind}({text!r}) fails at run time: {key} is not a valid {kind}")
    return text


def _show(key: str, value: Any) -> str:
    shown = redact_value(key, value)
    return f'"{shown}"' if isinstance(shown, str) else str(shown)


def env_context(env_files: list[EnvFile], declared: dict[str, list[str]], chosen: str | None) -> EnvContext:
    layers = build_layers(env_files, declared)
    if chosen is not None:
        names = [layer.name for layer in layers]
        if chosen not in names:
            raise LayerError(f"--env-layer {chosen!r}: no such layer; declared layers: {', '.join(names) or 'none (set env_layers in cfgate.toml)'}")
        return EnvContext(layers, next(layer for layer in layers if layer.name == chosen))
    if declared and len(layers) == 1:
        return EnvContext(layers, layers[0])
    return EnvContext(layers)
