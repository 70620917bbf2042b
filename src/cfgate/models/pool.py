"""Database connection-pool settings found in Python source (read with ``ast``, never imported)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import Model
from .location import Location

#: canonical names of the settings cfgate reads
POOL_SETTINGS = ("pool_size", "max_overflow", "pool_timeout", "pool_recycle", "pool_pre_ping")


class EnvRef(Model):
    """A value read from the environment: ``int(os.getenv("DATABASE_POOL_SIZE", "25"))``.

    A pydantic settings field (``settings.DATABASE_POOL_SIZE``) is an EnvRef too: its ``semantics`` is
    ``"pydantic"`` (the env string is validated as pydantic validates it: ``bool`` accepts ``"false"``,
    ``"0"``, ``"no"``, ``"off"``...) and, unless the class sets ``case_sensitive=True``, the key matches
    the environment case-insensitively.
    """

    key: str
    default: Any = None  # the literal default, converted as the wrapper converts it; None if there is none
    has_default: bool = False
    cast: str | None = None  # int, float, bool, str
    semantics: Literal["python", "pydantic"] = "python"  # how ``cast`` converts the env string
    case_sensitive: bool = True  # os.getenv is; pydantic-settings is not unless the class says so


class SettingsRef(Model):
    """Where a pool setting read ``NAME.FIELD`` of an object cfgate could not resolve in its own file.

    ``parsers.pysettings.link_settings`` follows it across the scanned files. ``target`` is a module-level
    name of the same file when ``local``, else the dotted import path of the object as the file imports
    it: ``app.core.config.settings``, or ``..core.config.settings`` for a relative import.
    """

    name: str  # the object as written where it is read: "settings", "get_settings()", "self.settings"
    target: str
    local: bool = False
    field: str  # the attribute read: "DB_POOL_SIZE"
    form: Literal["attribute", "call", "annotation"]  # settings.X | get_settings().X | (settings: Settings).X
    cast: str | None = None  # a Python cast applied around the read: int(settings.X)


class SettingsField(Model):
    """One field of a pydantic settings class and the environment variable it reads."""

    name: str  # the attribute name: "DB_POOL_SIZE"
    env_key: str  # the variable read: prefix + name (upper-cased unless case_sensitive), or the alias as written
    env_keys: tuple[str, ...] = ()  # every variable read, first set wins (AliasChoices, v1 env=[...]); env_key first
    default: Any = None  # literal validated as pydantic validates defaults, an Unknown when computed, None if required
    has_default: bool = False
    cast: str | None = None  # int, float, bool, str from the annotation (Optional/Annotated/PositiveInt unwrapped)
    location: Location  # the field's line in the class body
    declared_in: str  # the class whose body declares it (a base class for an inherited field)
    alias: str | None = None  # Field(alias=...)
    validation_alias: tuple[str, ...] = ()  # Field(validation_alias="X" | AliasChoices("X", "Y"))
    env: tuple[str, ...] = ()  # pydantic v1 Field(env=...) or Config.fields; ignored by pydantic-settings v2
    problem: str | None = None  # why the env key is not known (AliasPath, computed alias)


class SettingsBase(Model):
    """A base class of a settings class as cfgate resolved it."""

    written: str  # as in the source: "BaseSettings", "AppSettings", "base.AppSettings"
    kind: Literal["root", "local", "import"]  # pydantic's BaseSettings | a class of this file | imported
    target: str  # root: "pydantic_settings.BaseSettings"; local: the class name; import: dotted import path


class SettingsClass(Model):
    """A class deriving from pydantic's ``BaseSettings`` (v2 ``pydantic_settings`` or v1 ``pydantic``).

    ``fields`` are the effective fields (inherited ones included, the subclass's config applied).
    A class whose base is imported from another file is recorded with ``is_settings=False`` and the
    base in ``pending_bases`` until ``link_settings`` follows it; use only ``is_settings`` classes.
    """

    name: str
    location: Location
    is_settings: bool
    flavour: Literal["v2", "v1"] | None = None  # pydantic-settings v2, or pydantic v1's BaseSettings
    bases: tuple[SettingsBase, ...] = ()
    pending_bases: tuple[str, ...] = ()  # import targets of bases not followed (yet)
    env_prefix: str = ""  # effective
    case_sensitive: bool = False  # effective
    env_files: tuple[str, ...] = ()  # effective env_file(s), as written
    declared_config: dict[str, Any] = Field(default_factory=dict)  # env_prefix/case_sensitive/env_file/fields set here
    fields: tuple[SettingsField, ...] = ()
    computed: tuple[str, ...] = ()  # methods and properties of the body: attributes that are not fields
    problem: str | None = None  # why no env key of the class is known (a computed env_prefix)

    def field(self, name: str) -> SettingsField | None:
        """The effective field read as ``instance.<name>``."""
        return next((f for f in self.fields if f.name == name), None)


class SettingsObject(Model):
    """A module-level name that may give a settings instance: ``settings = Settings()``, ``get_settings``."""

    name: str
    kind: Literal["value", "factory", "ambiguous"]  # an assignment, a function, or bound more than once
    target: str  # what it calls or names (see ``SettingsRef.target``); "" when ambiguous
    local: bool = False
    form: Literal["call", "name", "annotation"] = "call"  # Settings() | other_name | def f() -> Settings
    location: Location
    overrides: tuple[str, ...] = ()  # keyword arguments of the call: they win over the environment
    unpacked: bool = False  # the call passes **mapping: any field may be overridden
    lines: tuple[int, ...] = ()  # every binding line when ambiguous


class PoolSetting(Model):
    name: str  # canonical name, one of POOL_SETTINGS
    value: Any  # literal, EnvRef or Unknown
    expr: str
    location: Location
    written_as: str  # the name in the source: "timeout" (QueuePool), "DATABASE_POOL_SIZE", "pool_size"
    defined_at: Location | None = None  # where a value passed by name is assigned (pool_size=self.pool_size)
    via: Location | None = None  # the settings field an EnvRef comes through (its default's line)
    via_name: str | None = None  # that field: "Settings.DB_POOL_SIZE"
    settings_ref: SettingsRef | None = None  # NAME.FIELD left for link_settings (kept after linking)


class PoolConfig(Model):
    """One pool: a create_engine/QueuePool call, a dict literal, a class body or a module's constants."""

    kind: Literal["create_engine", "create_async_engine", "engine_from_config", "QueuePool", "dict", "class", "module", "function"]
    name: str  # e.g. "DatabaseManager", "create_engine@12", "SQLALCHEMY_ENGINE_OPTIONS"
    location: Location
    settings: dict[str, PoolSetting] = Field(default_factory=dict)


class PythonFile(Model):
    path: str
    pools: tuple[PoolConfig, ...] = ()
    settings_classes: tuple[SettingsClass, ...] = ()
    settings_objects: tuple[SettingsObject, ...] = ()
    imports: dict[str, str] = Field(default_factory=dict)  # module-level name -> dotted import path
