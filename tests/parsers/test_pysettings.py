"""pydantic settings classes and the pool settings that read them: in one file, and across files.

Expected values are exact (setting, env key, default, line). ``test_*_matches_pydantic_settings`` check
cfgate's static reading against the real libraries (pydantic-settings v2 and pydantic.v1) on the same
fixture classes: the tests run the fixture classes, cfgate never does.
"""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cfgate.models import EnvRef, PythonFile, Unknown
from cfgate.models.pool import SettingsClass, SettingsRef
from cfgate.parsers.pysettings import link_settings, outer_cast, validate_as
from cfgate.parsers.python import parse_python

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parsers" / "python"
REL = "fixtures/parsers/python"
INLINE = f"{REL}/settings_inline.py"
V1 = f"{REL}/settings_v1.py"
FASTAPI = f"{REL}/settings/fastapi/app"
FLASK = f"{REL}/settings/flask"


def U(reason: str) -> tuple[str, str]:
    """An expected Unknown, compared by its reason."""
    return ("unknown", reason)


def pyd(key: str, default: Any = None, has_default: bool = True, cast: str | None = "int",
        case_sensitive: bool = False) -> EnvRef:
    """An expected EnvRef read through a pydantic settings field."""
    return EnvRef(key=key, default=default, has_default=has_default, cast=cast, semantics="pydantic",
                  case_sensitive=case_sensitive)


def _value(value: Any) -> Any:
    return U(value.reason) if isinstance(value, Unknown) else value


def reads(result: PythonFile, pool: str) -> list[tuple[str, Any, int, str | None]]:
    """(setting, value, line, "file:line of the settings field") for one pool."""
    found = next(p for p in result.pools if p.name == pool)
    return [(s.name, _value(s.value), s.location.line, f"{s.via.file}:{s.via.line}" if s.via else None)
            for s in found.settings.values()]


def fields(cls: SettingsClass) -> list[tuple[str, tuple[str, ...], Any, bool, str | None, int]]:
    """(name, env keys, default, has_default, cast, line) for every effective field."""
    return [(f.name, f.env_keys, _value(f.default), f.has_default, f.cast, f.location.line) for f in cls.fields]


def parse_file(path: str) -> PythonFile:
    return parse_python(path, (FIXTURES.parents[2] / path).read_bytes().decode("utf-8"))


def parse_tree(root: str) -> list[PythonFile]:
    """Every .py file under a fixture directory, parsed, with repository-relative paths."""
    base = FIXTURES.parents[2]
    return [parse_file(p.relative_to(base).as_posix()) for p in sorted((base / root).rglob("*.py"))]


def by_path(files: list[PythonFile], suffix: str) -> PythonFile:
    return next(f for f in files if f.path.endswith(suffix))


def parse_text(source: str, path: str = "app/db.py") -> PythonFile:
    return parse_python(path, textwrap.dedent(source))


def sources(files: dict[str, str]) -> list[PythonFile]:
    return [parse_python(path, textwrap.dedent(text)) for path, text in files.items()]


# --- one file: pydantic-settings v2 ----------------------------------------------------------------


def test_inline_settings_class_fields_keys_and_defaults() -> None:
    result = parse_file(INLINE)
    (cls,) = result.settings_classes
    assert (cls.name, cls.is_settings, cls.flavour, cls.env_prefix, cls.case_sensitive) == (
        "DatabaseSettings", True, "v2", "APP_", False)
    assert cls.env_files == (".env", ".env.local")
    assert cls.computed == ("pool_options",)
    assert fields(cls) == [
        ("DATABASE_URL", ("APP_DATABASE_URL",), "postgresql://localhost/app", True, "str", 17),
        ("DB_POOL_SIZE", ("APP_DB_POOL_SIZE",), 25, True, "int", 18),
        ("db_max_overflow", ("APP_DB_MAX_OVERFLOW",), 10, True, "int", 19),  # upper-cased: matched case-insensitively
        ("DB_POOL_TIMEOUT", ("APP_DB_POOL_TIMEOUT",), 30.0, True, "float", 20),  # "30" validated as float
        ("DB_POOL_RECYCLE", ("DATABASE_POOL_RECYCLE",), 1800, True, "int", 21),  # alias: no prefix; 30 * 60 folded
        ("DB_PRE_PING", ("PRE_PING",), False, True, "bool", 22),  # validation_alias; "off" is False for pydantic
        ("WORKER_POOL", ("APP_WORKER_POOL",), None, True, "int", 23),
        ("READ_POOL", ("APP_READ_POOL",), U("the default is computed at run time by its default_factory"), True,
         "int", 24),
        ("REPLICA_POOL", ("REPLICA_POOL_SIZE", "POOL_SIZE"), 5, True, "int", 25),
    ]


def test_inline_reads_module_instance_factory_and_constructor() -> None:
    result = parse_file(INLINE)
    assert reads(result, "create_engine@40") == [
        ("pool_size", pyd("APP_DB_POOL_SIZE", 25), 42, f"{INLINE}:18"),  # settings.X, settings = DatabaseSettings()
        ("max_overflow", pyd("APP_DB_MAX_OVERFLOW", 10), 43, f"{INLINE}:19"),
        ("pool_timeout", pyd("APP_DB_POOL_TIMEOUT", 30.0, cast="float"), 44, f"{INLINE}:20"),  # get_settings().X
        ("pool_recycle", pyd("DATABASE_POOL_RECYCLE", 1800), 45, f"{INLINE}:21"),  # DatabaseSettings().X
        ("pool_pre_ping", pyd("PRE_PING", False, cast="bool"), 46, f"{INLINE}:22"),
    ]
    size = next(p for p in result.pools if p.name == "create_engine@40").settings["pool_size"]
    assert (size.via_name, size.expr, size.settings_ref) == ("DatabaseSettings.DB_POOL_SIZE", "settings.DB_POOL_SIZE",
                                                             None)


def test_inline_reads_through_self_parameters_and_what_stays_unknown() -> None:
    result = parse_file(INLINE)
    assert reads(result, "create_engine@56") == [
        ("pool_size", 3, 58, None),  # self.local = DatabaseSettings(DB_POOL_SIZE=3): the argument wins
        ("max_overflow", pyd("APP_WORKER_POOL", None), 59, f"{INLINE}:23"),  # Annotated[DatabaseSettings, Depends]
        ("pool_timeout", U("DatabaseSettings.DB_POOL_TIMEOUT: int() of a settings field of type float is not "
                           "modelled"), 60, None),
        ("pool_recycle", U("DatabaseSettings.READ_POOL reads environment variable APP_READ_POOL; its default is not "
                           "a literal (the default is computed at run time by its default_factory)"), 61, None),
        ("pool_pre_ping", U("DatabaseSettings.pool_options is a method or property of the settings class, computed "
                            "at run time"), 62, None),
    ]
    assert reads(result, "create_engine@67") == [  # settings: DatabaseSettings = Depends(get_settings)
        ("pool_size", U("DatabaseSettings.REPLICA_POOL reads the first of the environment variables "
                        "REPLICA_POOL_SIZE, POOL_SIZE that is set"), 67, None),
        ("max_overflow", U(f"DatabaseSettings (a settings class in {INLINE}:14) has no field MISSING"), 67, None),
    ]


def test_inline_settings_class_body_is_still_a_class_pool() -> None:
    """The class body keeps its own (literal) pool config, as before settings were linked."""
    result = parse_file(INLINE)
    assert [(p.kind, p.name, p.location.line) for p in result.pools][:2] == [
        ("class", "DatabaseSettings", 14), ("dict", "DatabaseSettings.pool_options", 29)]


# --- one file: pydantic v1 -------------------------------------------------------------------------


def test_v1_config_class_env_and_inherited_config() -> None:
    result = parse_file(V1)
    base, replica = result.settings_classes
    assert (base.flavour, base.env_prefix, base.case_sensitive) == ("v1", "SVC_", True)
    assert fields(base) == [
        ("database_url", ("SVC_database_url",), "sqlite://", True, "str", 8),  # case_sensitive: the name as written
        ("pool_size", ("SVC_pool_size",), 20, True, "int", 9),  # v1 does not read aliases
        ("max_overflow", ("DB_MAX_OVERFLOW", "MAX_OVERFLOW"), 5, True, "int", 10),
        ("pool_timeout", ("DB_POOL_TIMEOUT",), None, False, "float", 11),  # Field(...): required
        ("pool_recycle", ("SVC_pool_recycle",), 900, True, "int", 12),  # unannotated: v1 infers int
        ("pre_ping", ("DB_PRE_PING",), True, True, "bool", 13),  # Config.fields
    ]
    # the subclass's Config overrides env_prefix and inherits case_sensitive and fields
    assert (replica.env_prefix, replica.case_sensitive) == ("REPLICA_", True)
    assert [f.env_key for f in replica.fields] == [
        "REPLICA_database_url", "REPLICA_pool_size", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "REPLICA_pool_recycle",
        "DB_PRE_PING"]
    assert {f.declared_in for f in replica.fields} == {"Settings"}


def test_v1_pool_reads() -> None:
    result = parse_file(V1)
    cs = {"case_sensitive": True}
    assert reads(result, "create_engine@29") == [
        ("pool_size", pyd("SVC_pool_size", 20, **cs), 31, f"{V1}:9"),
        ("max_overflow", U("Settings.max_overflow reads the first of the environment variables DB_MAX_OVERFLOW, "
                           "MAX_OVERFLOW that is set"), 32, None),
        ("pool_timeout", pyd("DB_POOL_TIMEOUT", None, False, "float", **cs), 33, f"{V1}:11"),
        ("pool_recycle", pyd("SVC_pool_recycle", 900, **cs), 34, f"{V1}:12"),
        ("pool_pre_ping", pyd("DB_PRE_PING", True, cast="bool", **cs), 35, f"{V1}:13"),
    ]
    assert reads(result, "create_engine@37") == [
        ("pool_size", pyd("REPLICA_pool_size", 20, **cs), 37, f"{V1}:9"),
        ("pool_recycle", pyd("REPLICA_pool_recycle", 900, **cs), 37, f"{V1}:12"),
    ]


# --- across files ----------------------------------------------------------------------------------


def test_fastapi_parse_leaves_imported_settings_unknown_with_a_ref() -> None:
    files = parse_tree(FASTAPI)
    session = by_path(files, "db/session.py")
    assert reads(session, "create_engine@6")[0] == (
        "pool_size", U("read at run time from settings.DB_POOL_SIZE"), 8, None)
    ref = next(p for p in session.pools).settings["pool_size"].settings_ref
    assert ref == SettingsRef(name="settings", target="app.core.config.settings", field="DB_POOL_SIZE",
                              form="attribute")
    config = by_path(files, "core/config.py")
    assert [(o.name, o.kind, o.target, o.local, o.form) for o in config.settings_objects] == [
        ("settings", "value", "Settings", True, "call"), ("get_settings", "factory", "Settings", True, "call")]


def test_fastapi_link_module_instance_import() -> None:
    config = f"{FASTAPI}/core/config.py"
    linked = link_settings(parse_tree(FASTAPI))
    session = by_path(linked, "db/session.py")
    assert reads(session, "create_engine@6") == [
        ("pool_size", pyd("DB_POOL_SIZE", 25), 8, f"{config}:30"),
        ("max_overflow", pyd("DB_MAX_OVERFLOW", 10), 9, f"{config}:31"),
        ("pool_timeout", pyd("DB_POOL_TIMEOUT", 30.0, cast="float"), 10, f"{config}:32"),
        ("pool_recycle", pyd("DATABASE_POOL_RECYCLE", 1800), 11, f"{config}:33"),
        ("pool_pre_ping", U("Settings.SQLALCHEMY_DATABASE_URI is a method or property of the settings class, "
                            "computed at run time"), 12, None),
    ]
    size = next(p for p in session.pools).settings["pool_size"]
    assert size.via_name == "Settings.DB_POOL_SIZE"


def test_fastapi_link_annotation_module_alias_relative_factory_and_cast() -> None:
    config = f"{FASTAPI}/core/config.py"
    deps = by_path(link_settings(parse_tree(FASTAPI)), "db/deps.py")
    assert reads(deps, "create_async_engine@10") == [
        ("pool_size", pyd("DB_POOL_SIZE", 25), 12, f"{config}:30"),  # int(settings.X), settings: Settings
        ("max_overflow", pyd("DB_MAX_OVERFLOW", 10), 13, f"{config}:31"),  # import app.core.config as cfg
        ("pool_timeout", pyd("DB_POOL_TIMEOUT", 30.0, cast="float"), 14, f"{config}:32"),  # from ..core.config
        ("pool_recycle", U(f"Settings (a settings class in {config}:16) has no field POOL_RECYCLE"), 15, None),
    ]


def test_flask_link_reexport_inheritance_across_files_and_missing_module() -> None:
    settings_py, base_py = f"{FLASK}/config/settings.py", f"{FLASK}/config/base.py"
    files = parse_tree(FLASK)
    parsed_cls = by_path(files, "config/settings.py").settings_classes[0]
    assert (parsed_cls.is_settings, parsed_cls.pending_bases) == (False, (".base.AppSettings",))
    linked = link_settings(files)
    cls = by_path(linked, "config/settings.py").settings_classes[0]
    assert (cls.is_settings, cls.pending_bases, cls.env_prefix, cls.env_files) == (True, (), "SVC_", (".env",))
    assert [(f.name, f.env_key, f.declared_in, f.location.file) for f in cls.fields] == [
        ("DEBUG", "SVC_DEBUG", "AppSettings", base_py),
        ("POOL_RECYCLE", "SVC_POOL_RECYCLE", "AppSettings", base_py),
        ("SQLALCHEMY_DATABASE_URI", "SVC_SQLALCHEMY_DATABASE_URI", "Settings", settings_py),
        ("POOL_SIZE", "SVC_POOL_SIZE", "Settings", settings_py),
        ("MAX_OVERFLOW", "DB_MAX_OVERFLOW", "Settings", settings_py),
    ]
    extensions = by_path(linked, "app/extensions.py")
    assert reads(extensions, "SQLALCHEMY_ENGINE_OPTIONS") == [  # from config import settings (config/__init__.py)
        ("pool_size", pyd("SVC_POOL_SIZE", 5), 9, f"{settings_py}:8"),
        ("max_overflow", pyd("DB_MAX_OVERFLOW", 2), 10, f"{settings_py}:9"),
        ("pool_timeout", U(f"Settings (a settings class in {settings_py}:6) has no field POOL_TIMEOUT"), 11, None),
        ("pool_recycle", pyd("SVC_POOL_RECYCLE", 3600), 12, f"{base_py}:10"),  # inherited: default in base.py
    ]
    assert reads(extensions, "create_engine@18") == [
        ("pool_size", pyd("SVC_POOL_SIZE", 5), 18, f"{settings_py}:8"),  # settings: Settings (config.settings)
        ("max_overflow", U("vendor.conf.settings is imported from vendor.conf, which is not among the scanned "
                           "files"), 19, None),
    ]


def test_link_is_pure_idempotent_and_keeps_unchanged_files() -> None:
    files = parse_tree(FASTAPI)
    snapshot = [f.model_dump() for f in files]
    once = link_settings(files)
    assert [f.model_dump() for f in files] == snapshot
    assert link_settings(once) == once
    assert by_path(once, "core/config.py") is by_path(files, "core/config.py")  # nothing to change there
    assert [f.path for f in once] == [f.path for f in files]


def test_link_alone_says_the_module_was_not_scanned() -> None:
    (unknowns,) = link_settings([parse_file(f"{REL}/unknowns.py")])
    size = next(p for p in unknowns.pools).settings["pool_size"]
    assert size.value == Unknown(expr="settings.DB_POOL_SIZE", reason="app.core.config.settings is imported from "
                                 "app.core.config, which is not among the scanned files")


def test_local_class_with_a_base_in_another_file() -> None:
    files = sources({
        "svc/app/base.py": """\
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class AppSettings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="SVC_")
                POOL_SIZE: int = 3
            """,
        "svc/app/db.py": """\
            from sqlalchemy import create_engine
            from .base import AppSettings

            class Settings(AppSettings):
                MAX_OVERFLOW: int = 1

            settings = Settings()
            engine = create_engine("x", pool_size=settings.POOL_SIZE, max_overflow=settings.MAX_OVERFLOW)
            """,
    })
    why = "Settings derives from .base.AppSettings, in another file"
    assert reads(files[1], "create_engine@8") == [("pool_size", U(why), 8, None), ("max_overflow", U(why), 8, None)]
    assert files[1].pools[-1].settings["pool_size"].settings_ref == SettingsRef(
        name="settings", target="Settings", local=True, field="POOL_SIZE", form="call")  # settings = Settings()
    linked = link_settings(files)
    assert reads(linked[1], "create_engine@8") == [
        ("pool_size", pyd("SVC_POOL_SIZE", 3), 8, "svc/app/base.py:5"),
        ("max_overflow", pyd("SVC_MAX_OVERFLOW", 1), 8, "svc/app/db.py:5"),
    ]


def test_module_matched_by_root_when_two_trees_define_it() -> None:
    config = """\
        from pydantic_settings import BaseSettings
        class Settings(BaseSettings):
            POOL_SIZE: int = {n}
        settings = Settings()
        """
    use = """\
        from sqlalchemy import create_engine
        from app.config import settings
        engine = create_engine("x", pool_size=settings.POOL_SIZE)
        """
    files = sources({"services/a/app/config.py": config.format(n=1), "services/b/app/config.py": config.format(n=2),
                     "services/b/app/db.py": use, "tools/db.py": use})
    linked = link_settings(files)
    assert reads(linked[2], "create_engine@3") == [("pool_size", pyd("POOL_SIZE", 2), 3, "services/b/app/config.py:3")]
    assert reads(linked[3], "create_engine@3") == [("pool_size", U(
        "app.config matches several scanned files (services/a/app/config.py, services/b/app/config.py)"), 3, None)]


def test_ambiguous_and_overridden_instances_stay_unknown() -> None:
    files = sources({
        "app/config.py": """\
            import os
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                POOL_SIZE: int = 5

            if os.getenv("TESTING"):
                settings = Settings(POOL_SIZE=1)
            else:
                settings = Settings()
            fixed = Settings(POOL_SIZE=2)
            prefixed = Settings(_env_prefix="X_")
            """,
        "app/db.py": """\
            from sqlalchemy import create_engine
            from app.config import fixed, prefixed, settings
            engine = create_engine("x", pool_size=settings.POOL_SIZE, max_overflow=fixed.POOL_SIZE,
                                   pool_timeout=prefixed.POOL_SIZE)
            """,
    })
    assert reads(link_settings(files)[1], "create_engine@3") == [
        ("pool_size", U("settings is bound more than once in app/config.py (lines 8, 10); which one is used depends "
                        "on run-time conditions"), 3, None),
        ("max_overflow", U("fixed is created with POOL_SIZE=... (app/config.py:11); an argument wins over the "
                           "environment, and cfgate does not follow it here"), 3, None),
        ("pool_timeout", U("prefixed is created with _env_prefix=... (app/config.py:12), which changes the variables "
                           "it reads"), 4, None),
    ]


def test_candidate_classes_are_kept_until_their_bases_are_found() -> None:
    files = sources({
        "app/base.py": "class Base:\n    pass\n",
        "app/models.py": """\
            from app.base import Base
            from vendor.orm import Model

            class User(Base):
                name: str = "x"

            class Order(Model):
                total: int = 0
            """,
    })
    parsed = files[1].settings_classes
    assert [(c.name, c.is_settings, c.pending_bases) for c in parsed] == [
        ("User", False, ("app.base.Base",)), ("Order", False, ("vendor.orm.Model",))]
    linked = link_settings(files)[1].settings_classes
    assert [(c.name, c.is_settings, c.pending_bases) for c in linked] == [("Order", False, ("vendor.orm.Model",))]
    assert linked[0].problem == ("Order derives from Model: vendor.orm.Model is imported from vendor.orm, which is "
                                 "not among the scanned files")


def test_not_a_settings_object_after_linking() -> None:
    files = sources({
        "app/config.py": """\
            class Plain:
                POOL_SIZE = 5
            plain = Plain()
            """,
        "app/db.py": """\
            from sqlalchemy import create_engine
            import app.config
            from app.config import plain
            engine = create_engine("x", pool_size=plain.POOL_SIZE, max_overflow=app.config.POOL_SIZE)
            """,
    })
    assert reads(link_settings(files)[1], "create_engine@4") == [
        ("pool_size", U("plain = Plain() (app/config.py:3) is not a pydantic settings instance"), 4, None),
        ("max_overflow", U("app.config is the module app/config.py; cfgate does not read module attributes across "
                           "files"), 4, None),
    ]


# --- forms within one file -------------------------------------------------------------------------


def test_self_settings_assigned_in_init_and_global_cache_factory() -> None:
    result = parse_text("""\
        from pydantic_settings import BaseSettings
        from sqlalchemy import create_engine

        class Settings(BaseSettings, env_prefix="DB_", case_sensitive=True):
            pool_size: int = 5
            max_overflow: str = "2"

        _settings = None

        def get_settings():
            global _settings
            if _settings is None:
                _settings = Settings()
            return _settings

        class Database:
            def __init__(self):
                self.settings = Settings()

            def engine(self):
                return create_engine("x", pool_size=self.settings.pool_size,
                                     max_overflow=int(get_settings().max_overflow))
        """)
    assert reads(result, "create_engine@21") == [
        ("pool_size", pyd("DB_pool_size", 5, case_sensitive=True), 21, "app/db.py:5"),
        # a str field under int() converts as int(os.getenv(...)) would
        ("max_overflow", EnvRef(key="DB_max_overflow", default=2, has_default=True, cast="int", semantics="python",
                                case_sensitive=True), 22, "app/db.py:6"),
    ]


def test_constructor_arguments_and_unresolvable_configuration() -> None:
    result = parse_text("""\
        import os
        from pydantic_settings import BaseSettings, SettingsConfigDict
        from sqlalchemy import create_engine

        class Settings(BaseSettings):
            POOL_SIZE: int = 5

        class Dynamic(BaseSettings):
            model_config = SettingsConfigDict(env_prefix=os.environ["PREFIX"])
            POOL_SIZE: int = 5

        def make(options):
            return create_engine("x", pool_size=Settings(**options).POOL_SIZE,
                                 max_overflow=Settings(_env_file=".env.test").POOL_SIZE,
                                 pool_timeout=Dynamic().POOL_SIZE)
        """)
    (dynamic,) = [c for c in result.settings_classes if c.name == "Dynamic"]
    assert dynamic.problem == ('env_prefix = os.environ["PREFIX"] is not a literal (os.environ["PREFIX"] is not a '
                               "literal)")
    assert reads(result, "create_engine@13") == [
        ("pool_size", U("the settings instance is created with **options, which may set POOL_SIZE"), 13, None),
        ("max_overflow", pyd("POOL_SIZE", 5), 14, "app/db.py:6"),  # _env_file changes the file, not the key
        ("pool_timeout", U(dynamic.problem), 15, None),
    ]


def test_unrelated_attribute_reads_are_unchanged() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine

        class Config:
            POOL_SIZE = 4

        config = Config()
        engine = create_engine("x", pool_size=config.POOL_SIZE, max_overflow=Config.POOL_SIZE)
        """)
    assert result.settings_classes == ()
    assert reads(result, "create_engine@7") == [
        ("pool_size", U("read at run time from config.POOL_SIZE"), 7, None), ("max_overflow", 4, 7, None)]
    assert all(s.settings_ref is None for s in result.pools[-1].settings.values())


def test_every_file_records_settings_even_without_pool_settings() -> None:
    result = parse_text("""\
        from pydantic_settings import BaseSettings
        from . import helpers

        class Settings(BaseSettings):
            DEBUG: bool = False

        settings = Settings()
        """, path="app/__init__.py")
    assert result.pools == ()
    assert [c.name for c in result.settings_classes] == ["Settings"]
    assert result.imports == {"BaseSettings": "pydantic_settings.BaseSettings", "helpers": ".helpers"}


# --- conversions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cast", "value", "expected"), [
    ("int", "25", (True, 25)), ("float", 30, (True, 30.0)), ("bool", "off", (True, False)),
    ("bool", "yes", (True, True)), ("str", 5, (False, 5)), ("int", "2.5", (False, "2.5")),
])
def test_defaults_are_validated_as_pydantic_does(cast: str, value: Any, expected: tuple[bool, Any]) -> None:
    assert validate_as(cast, value) == expected


def test_outer_casts() -> None:
    assert outer_cast("int", "int", 5, True) == (5, "pydantic")
    assert outer_cast("int", "str", "5", True) == (5, "python")
    assert outer_cast("float", "int", 5, True) == (5.0, "pydantic")
    assert outer_cast("int", "str", "x", True) == "int('x') raises ValueError when the variable is unset"
    assert outer_cast("bool", "int", 1, True) == "bool() of a settings field of type int is not modelled"


# --- ground truth: the real libraries on the fixture classes ----------------------------------------

_ALLOWED_IMPORTS = ("pydantic", "pydantic_settings", "pydantic_core", "typing", "functools", "secrets")


def _runnable(path: str, keep: set[str], replace: dict[str, str] | None = None) -> str:
    """The fixture's imports of pydantic/stdlib, its constants, helper functions and the settings classes."""
    text = (FIXTURES.parents[2] / path).read_text()
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    tree = ast.parse(text)
    def wanted(stmt: ast.stmt) -> bool:
        if isinstance(stmt, ast.ImportFrom):
            return stmt.level == 0 and (stmt.module or "").split(".")[0] in _ALLOWED_IMPORTS
        if isinstance(stmt, ast.Import):
            return all(a.name.split(".")[0] in _ALLOWED_IMPORTS for a in stmt.names)
        if isinstance(stmt, ast.Assign):
            return isinstance(stmt.value, ast.Constant | ast.BinOp)
        return isinstance(stmt, ast.ClassDef | ast.FunctionDef) and stmt.name in keep

    kept = [stmt for stmt in tree.body if wanted(stmt)]
    return ast.unparse(ast.Module(body=kept, type_ignores=[]))


_SAMPLES = {"int": ("7", 7), "float": ("7.5", 7.5), "bool": ("true", True), "str": ("from-env", "from-env")}


def _check_against_library(cls: SettingsClass, runtime: type, monkeypatch: pytest.MonkeyPatch) -> int:
    """Instantiate the real class with a controlled environment; compare every field cfgate resolved."""
    keys = {k.lower() for f in cls.fields for k in f.env_keys}
    for name in list(os.environ):
        if name.lower() in keys:
            monkeypatch.delenv(name)
    required = {f.env_key: _SAMPLES[f.cast or "str"][0] for f in cls.fields if not f.has_default}
    for key, value in required.items():
        monkeypatch.setenv(key, value)
    checked = 0
    baseline = runtime(_env_file=None)
    for f in cls.fields:
        if f.has_default and not isinstance(f.default, Unknown):
            assert getattr(baseline, f.name) == f.default, f.name
        if f.cast is None or f.problem:
            continue
        raw, expected = _SAMPLES[f.cast]
        keys_in_env = [f.env_key if cls.case_sensitive else f.env_key.lower()]  # case-insensitive match shown
        if len(f.env_keys) > 1:  # the first key that is set wins
            monkeypatch.setenv(f.env_keys[-1], "0" if f.cast in ("int", "float", "bool") else "other")
        for key in keys_in_env:
            monkeypatch.setenv(key, raw)
            assert getattr(runtime(_env_file=None), f.name) == expected, (f.name, key)
            monkeypatch.delenv(key)
        if len(f.env_keys) > 1:
            monkeypatch.delenv(f.env_keys[-1])
        for key, value in required.items():
            monkeypatch.setenv(key, value)
        checked += 1
    return checked


def test_inline_and_fastapi_classes_match_pydantic_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pydantic_settings")
    for path, name, keep in ((INLINE, "DatabaseSettings", {"DatabaseSettings"}),
                             (f"{FASTAPI}/core/config.py", "Settings", {"Settings", "parse_cors"})):
        namespace: dict[str, Any] = {}
        exec(compile(_runnable(path, keep), path, "exec", dont_inherit=True), namespace)  # noqa: S102 - the test runs its fixture
        (cls,) = [c for c in parse_file(path).settings_classes if c.name == name]
        assert _check_against_library(cls, namespace[name], monkeypatch) >= 6


def test_flask_classes_across_files_match_pydantic_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pydantic_settings")
    namespace: dict[str, Any] = {}
    for path, keep in ((f"{FLASK}/config/base.py", {"AppSettings"}), (f"{FLASK}/config/settings.py", {"Settings"})):
        exec(compile(_runnable(path, keep), path, "exec", dont_inherit=True), namespace)  # noqa: S102
    cls = by_path(link_settings(parse_tree(FLASK)), "config/settings.py").settings_classes[0]
    assert _check_against_library(cls, namespace["Settings"], monkeypatch) == 5


@pytest.mark.filterwarnings("ignore:aliases are no longer used:FutureWarning")
def test_v1_classes_match_pydantic_v1(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pydantic.v1")
    namespace: dict[str, Any] = {}
    code = _runnable(V1, {"Settings", "ReplicaSettings"}, {"from pydantic import": "from pydantic.v1 import"})
    exec(compile(code, V1, "exec", dont_inherit=True), namespace)  # noqa: S102
    for cls in parse_file(V1).settings_classes:
        assert _check_against_library(cls, namespace[cls.name], monkeypatch) == 6
