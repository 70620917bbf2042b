"""Database connection-pool settings found in Python source (read with ``ast``, never imported)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import Model
from .location import Location

#: canonical names of the settings cfgate reads
POOL_SETTINGS = ("pool_size", "max_overflow", "pool_timeout", "pool_recycle", "pool_pre_ping")


class EnvRef(Model):
    """A value read from the environment: ``int(os.getenv("DATABASE_POOL_SIZE", "25"))``."""

    key: str
    default: Any = None  # the literal default, converted as the wrapper converts it; None if there is none
    has_default: bool = False
    cast: str | None = None  # int, float, bool, str


class PoolSetting(Model):
    name: str  # canonical name, one of POOL_SETTINGS
    value: Any  # literal, EnvRef or Unknown
    expr: str
    location: Location
    written_as: str  # the name in the source: "timeout" (QueuePool), "DATABASE_POOL_SIZE", "pool_size"
    defined_at: Location | None = None  # where a value passed by name is assigned (pool_size=self.pool_size)


class PoolConfig(Model):
    """One pool: a create_engine/QueuePool call, a dict literal, a class body or a module's constants."""

    kind: Literal["create_engine", "create_async_engine", "engine_from_config", "QueuePool", "dict", "class", "module", "function"]
    name: str  # e.g. "DatabaseManager", "create_engine@12", "SQLALCHEMY_ENGINE_OPTIONS"
    location: Location
    settings: dict[str, PoolSetting] = Field(default_factory=dict)


class PythonFile(Model):
    path: str
    pools: tuple[PoolConfig, ...] = ()
