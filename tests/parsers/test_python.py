"""Pool settings read from Python source: exact (setting, value, line) triples for real-shaped inputs."""

from __future__ import annotations

import sysconfig
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cfgate.models import EnvRef, PythonFile, Unknown
from cfgate.parsers.python import parse_python

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parsers" / "python"

Triple = tuple[str, Any, int]
Pool = tuple[str, str, int, list[Triple]]


def U(reason: str) -> tuple[str, str]:
    """An expected Unknown, compared by its reason."""
    return ("unknown", reason)


def env(key: str, default: Any = None, has_default: bool = False, cast: str | None = None) -> EnvRef:
    return EnvRef(key=key, default=default, has_default=has_default, cast=cast)


def _value(value: Any) -> Any:
    return U(value.reason) if isinstance(value, Unknown) else value


def summary(result: PythonFile) -> list[Pool]:
    """(kind, name, line, [(setting, value, line)]) for every pool, in order."""
    return [
        (p.kind, p.name, p.location.line, [(s.name, _value(s.value), s.location.line) for s in p.settings.values()])
        for p in result.pools
    ]


def parse_fixture(name: str) -> PythonFile:
    """Parse a fixture exactly as stored: BOM and CRLF kept, as the caller would pass them."""
    return parse_python(f"fixtures/parsers/python/{name}", (FIXTURES / name).read_bytes().decode("utf-8"))


def parse_text(source: str, path: str = "app/db.py") -> PythonFile:
    return parse_python(path, textwrap.dedent(source))


def setting(result: PythonFile, pool_name: str, name: str) -> Any:
    return next(p for p in result.pools if p.name == pool_name).settings[name]


# --- the seed's database_manager.py ----------------------------------------------------------------


def test_seed_before_class_attributes_and_engine_call() -> None:
    assert summary(parse_fixture("database_manager_before.py")) == [
        ("class", "DatabaseManager", 6, [
            ("pool_size", 25, 9), ("max_overflow", 25, 10), ("pool_timeout", 30, 11), ("pool_recycle", 1800, 12),
        ]),
        ("create_async_engine", "create_async_engine@20", 20, [
            ("pool_size", 25, 22), ("max_overflow", 25, 23), ("pool_timeout", 30, 24), ("pool_recycle", 1800, 25),
            ("pool_pre_ping", True, 26),
        ]),
    ]


def test_seed_after_class_attributes_and_engine_call() -> None:
    result = parse_fixture("database_manager_after.py")
    assert summary(result) == [
        ("class", "DatabaseManager", 6, [
            ("pool_size", 50, 10), ("max_overflow", 50, 11), ("pool_timeout", 600, 12), ("pool_recycle", 900, 13),
        ]),
        ("create_async_engine", "create_async_engine@21", 21, [
            ("pool_size", 50, 23), ("max_overflow", 50, 24), ("pool_timeout", 600, 25), ("pool_recycle", 900, 26),
            ("pool_pre_ping", True, 27),
        ]),
    ]
    timeout = setting(result, "create_async_engine@21", "pool_timeout")
    assert (timeout.expr, timeout.written_as) == ("self.pool_timeout", "pool_timeout")
    assert (timeout.location.file, timeout.location.line, timeout.location.column) == (
        "fixtures/parsers/python/database_manager_after.py", 25, 17)
    attribute = setting(result, "DatabaseManager", "pool_timeout")
    assert (attribute.expr, attribute.location.column, attribute.location.end_line) == ("600", 5, 12)
    assert result.path == "fixtures/parsers/python/database_manager_after.py"


# --- frameworks and factories ----------------------------------------------------------------------


def test_flask_engine_options_dicts_and_legacy_keys() -> None:
    assert summary(parse_fixture("flask_config.py")) == [
        ("module", "flask_config", 1, [("pool_recycle", 3600, 28)]),
        ("dict", "SQLALCHEMY_ENGINE_OPTIONS", 8, [
            ("pool_size", 10, 9), ("max_overflow", 5, 10), ("pool_recycle", 280, 11), ("pool_pre_ping", True, 12),
        ]),
        ("class", "Config", 16, [("pool_size", 20, 18), ("max_overflow", 10, 19)]),
        ("dict", "SQLALCHEMY_ENGINE_OPTIONS", 23, [("pool_size", 30, 23), ("pool_timeout", 10.5, 23),
                                                   ("pool_recycle", -1, 23)]),
        ("dict", "SQLALCHEMY_ENGINE_OPTIONS", 27, [("pool_size", 15, 27), ("pool_pre_ping", False, 27)]),
        ("dict", "engine_options", 29, [("pool_size", 8, 29), ("max_overflow", 0, 29)]),
    ]


def test_flask_written_as_keeps_the_source_name() -> None:
    result = parse_fixture("flask_config.py")
    assert setting(result, "Config", "pool_size").written_as == "SQLALCHEMY_POOL_SIZE"
    assert setting(result, "flask_config", "pool_recycle").written_as == "SQLALCHEMY_POOL_RECYCLE"


def test_queuepool_names_map_to_canonical_settings() -> None:
    result = parse_fixture("queuepool.py")
    assert summary(result) == [
        ("QueuePool", "QueuePool@11", 11, [
            ("pool_size", 5, 11), ("max_overflow", 10, 11), ("pool_timeout", 30.0, 11), ("pool_recycle", 3600, 11),
            ("pool_pre_ping", True, 11),
        ]),
        ("QueuePool", "QueuePool@12", 12, [("pool_size", 7, 12), ("max_overflow", 3, 12), ("pool_timeout", 15, 12)]),
        ("QueuePool", "AsyncAdaptedQueuePool@13", 13, [("pool_size", 4, 13), ("pool_timeout", 5, 13)]),
    ]
    written = {name: s.written_as for name, s in result.pools[0].settings.items()}
    assert written == {"pool_size": "pool_size", "max_overflow": "max_overflow", "pool_timeout": "timeout",
                       "pool_recycle": "recycle", "pool_pre_ping": "pre_ping"}
    assert result.pools[0].settings["pool_timeout"].location.column == 59


def test_engine_from_config_prefixes_coercion_and_unresolved_config() -> None:
    unresolved = U("engine_from_config reads it from settings, which cfgate cannot resolve "
                   "(settings is a parameter of main())")
    result = parse_fixture("engine_from_config.py")
    assert summary(result) == [
        # "10" is coerced with int() as engine_from_config does; pool_pre_ping is not coerced: "false" stays truthy
        ("engine_from_config", "engine_from_config@5", 5, [
            ("pool_size", 10, 8), ("pool_pre_ping", "false", 9), ("pool_recycle", 1800, 12),
        ]),
        ("engine_from_config", "engine_from_config@15", 15, [("max_overflow", 4, 15)]),
        ("dict", "INI", 17, [("pool_timeout", "45", 17)]),
        ("engine_from_config", "engine_from_config@18", 18, [("pool_timeout", 45, 17)]),
        ("engine_from_config", "engine_from_config@22", 22, [
            ("max_overflow", unresolved, 22), ("pool_timeout", unresolved, 22), ("pool_recycle", unresolved, 22),
            ("pool_pre_ping", unresolved, 22), ("pool_size", 3, 22),
        ]),
    ]
    assert setting(result, "engine_from_config@5", "pool_size").written_as == "sqlalchemy.pool_size"
    assert setting(result, "engine_from_config@15", "max_overflow").written_as == "db.max_overflow"
    assert setting(result, "engine_from_config@22", "pool_timeout").written_as == "sqlalchemy.pool_timeout"


# --- values ----------------------------------------------------------------------------------------


def test_environment_wrappers_of_every_form() -> None:
    result = parse_fixture("env_wrappers.py")
    assert summary(result) == [
        ("create_engine", "create_engine@11", 11, [
            ("pool_size", env("DATABASE_POOL_SIZE", 25, True, "int"), 13),
            ("max_overflow", env("DATABASE_MAX_OVERFLOW"), 14),
            ("pool_timeout", env("DATABASE_POOL_TIMEOUT", 30.0, True, "float"), 15),
            ("pool_recycle", env("DATABASE_POOL_RECYCLE", None, False, "int"), 16),
            ("pool_pre_ping", env("DATABASE_PRE_PING", False, True, "bool"), 17),  # bool("") is False
        ]),
        ("create_engine", "create_engine@19", 19, [
            ("pool_size", env("POOL_SIZE", 5, True, "int"), 21),
            ("max_overflow", env("MAX_OVERFLOW", None, False, "int"), 22),
            ("pool_timeout", env("POOL_TIMEOUT", "30", True, "str"), 23),
            ("pool_recycle", env("POOL_RECYCLE", 1800, True, "int"), 24),
            ("pool_pre_ping", env("PRE_PING", True, True, None), 25),
        ]),
    ]
    assert setting(result, "create_engine@11", "pool_size").expr == 'int(os.getenv("DATABASE_POOL_SIZE", "25"))'


def test_unknowns_carry_the_reason_and_are_never_guessed() -> None:
    kwargs = U("may be set through **kwargs, which cfgate cannot resolve (kwargs is a parameter of make_engine())")
    result = parse_fixture("unknowns.py")
    assert summary(result) == [
        ("create_engine", "create_engine@12", 12, [
            ("pool_size", U("read at run time from settings.DB_POOL_SIZE"), 14),
            ("max_overflow", U("arithmetic on environment variable DB_POOL_SIZE"), 15),
            ("pool_timeout", U("computed at run time by a call to get_pool_timeout()"), 16),
            ("pool_recycle", U("chosen at run time by the condition settings.MYSQL"), 17),
            ("pool_pre_ping", U("POOL_LIMIT is imported from .limits.POOL_LIMIT; cfgate reads one file at a time"), 18),
        ]),
        ("create_engine", "create_engine@23", 23, [
            ("pool_size", U("pool_size is a parameter of make_engine(), default 5"), 23),
            ("max_overflow", kwargs, 23), ("pool_timeout", kwargs, 23), ("pool_recycle", kwargs, 23),
            ("pool_pre_ping", kwargs, 23),
        ]),
    ]
    timeout = setting(result, "create_engine@12", "pool_timeout")
    assert timeout.value == Unknown(expr="get_pool_timeout()",
                                    reason="computed at run time by a call to get_pool_timeout()")
    assert setting(result, "create_engine@23", "pool_recycle").expr == "**kwargs"


def test_scoping_duplicates_branches_locals_and_prefix_split() -> None:
    assert summary(parse_fixture("scoping.py")) == [
        ("module", "scoping", 1, [
            ("pool_size", 8, 8),  # assigned twice in straight-line code: the last one wins
            ("pool_timeout", 60, 9),  # 30 * 2 folded
            ("pool_recycle", U("POOL_RECYCLE is assigned on different code paths: 300 (line 14), 1800 (line 16); "
                               "the value depends on run-time conditions"), 16),
        ]),  # REDIS_POOL_SIZE and MIN_POOL_SIZE are not SQL pool settings
        ("function", "build", 19, [("pool_size", 12, 20), ("max_overflow", 24, 21)]),
        ("create_engine", "create_engine@22", 22, [
            ("pool_size", 12, 22), ("max_overflow", 24, 22), ("pool_timeout", 60, 23),
            ("pool_recycle", U("POOL_RECYCLE is assigned on different code paths (lines 14, 16); "
                               "the value depends on run-time conditions"), 23),
        ]),
        ("class", "Pools", 26, [("pool_timeout", U("pool_timeout is a parameter of Pools.__init__(), default 5"), 32)]),
        ("class", "Pools (READ_*)", 26, [("pool_size", 4, 27), ("max_overflow", 1, 29)]),
        ("class", "Pools (WRITE_*)", 26, [("pool_size", 2, 28)]),
    ]


# --- file-level behaviour --------------------------------------------------------------------------


def test_syntax_error_is_raised() -> None:
    with pytest.raises(SyntaxError) as info:
        parse_fixture("syntax_error.py")
    assert info.value.lineno == 1
    assert info.value.filename == "fixtures/parsers/python/syntax_error.py"


def test_crlf_line_endings() -> None:
    raw = (FIXTURES / "crlf.py").read_bytes()
    assert b"\r\n" in raw, "the fixture must keep its CRLF line endings"
    result = parse_fixture("crlf.py")
    assert summary(result) == [
        ("module", "crlf", 1, [("pool_size", 20, 3)]),
        ("create_engine", "create_engine@5", 5, [("pool_size", 20, 7), ("max_overflow", 10, 8)]),
    ]
    overflow = setting(result, "create_engine@5", "max_overflow")
    assert (overflow.expr, overflow.location.line, overflow.location.end_line) == ("10\n        + 0", 8, 10)


def test_leading_bom_and_character_columns() -> None:
    raw = (FIXTURES / "bom.py").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    result = parse_fixture("bom.py")
    assert summary(result) == [
        ("module", "bom", 1, [("pool_size", 5, 1)]),
        ("create_engine", "create_engine@2", 2, [("pool_size", 5, 2), ("max_overflow", 2, 2)]),
    ]
    assert setting(result, "bom", "pool_size").location.column == 1
    # columns count characters, not UTF-8 bytes: "ü" before the keyword is one column
    assert setting(result, "create_engine@2", "pool_size").location.column == 52


def test_file_without_pool_settings_has_no_pools() -> None:
    assert parse_text("import os\nTIMEOUT = 5\n").pools == ()


@pytest.mark.parametrize("source", [
    "x = 1\x00\n",
    "x = " + "(" * 300 + ")" * 300 + "\n",
    "x = " + "+".join(["1"] * 100_000) + "\n",
], ids=["null-byte", "nested-parentheses", "recursion-in-parser"])
def test_unparsable_input_raises_syntax_error_only(source: str) -> None:
    with pytest.raises(SyntaxError):
        parse_python("bad.py", source)


# --- name resolution and the forms around it ------------------------------------------------------


def test_module_constant_resolution_follows_straight_line_order() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine
        SIZE = 5
        early = create_engine("sqlite://", pool_size=SIZE)
        SIZE = 7
        late = create_engine("sqlite://", pool_size=SIZE)

        def later():
            return create_engine("sqlite://", pool_size=SIZE)
        """)
    assert [s.value for p in result.pools for s in p.settings.values()] == [5, 7, 7]


def test_aliases_attributes_and_own_definitions() -> None:
    result = parse_text("""\
        import sqlalchemy as sa
        from sqlalchemy import create_engine as ce
        a = ce("sqlite://", pool_size=1)
        b = sa.create_engine("sqlite://", pool_size=2)

        def engine_from_config(cfg, pool_size=0):
            return cfg
        c = engine_from_config({}, pool_size=3)
        """)
    assert summary(result) == [
        ("create_engine", "create_engine@3", 3, [("pool_size", 1, 3)]),
        ("create_engine", "create_engine@4", 4, [("pool_size", 2, 4)]),
    ]


def test_named_and_inline_kwargs_dicts_are_expanded_into_the_call() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine
        OPTIONS = {"pool_size": 10, "pool_recycle": 3600}
        e1 = create_engine("sqlite://", **OPTIONS)
        e2 = create_engine("sqlite://", **{"max_overflow": 2}, pool_pre_ping=True)
        """)
    assert summary(result) == [
        ("dict", "OPTIONS", 2, [("pool_size", 10, 2), ("pool_recycle", 3600, 2)]),
        ("create_engine", "create_engine@3", 3, [("pool_size", 10, 2), ("pool_recycle", 3600, 2)]),
        ("create_engine", "create_engine@4", 4, [("max_overflow", 2, 4), ("pool_pre_ping", True, 4)]),
    ]


def test_dict_unpacking_after_a_key_may_override_it() -> None:
    result = parse_text("""\
        ENGINE = {"pool_size": 5, **extra, "max_overflow": 1}
        """)
    pool = result.pools[0]
    assert pool.settings["max_overflow"].value == 1
    size = pool.settings["pool_size"].value
    assert isinstance(size, Unknown) and size.expr == "**extra"
    assert size.reason == "may be set through **extra, which cfgate cannot resolve (extra is not defined in this file)"


def test_instance_attributes_class_references_and_classmethods() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine

        class Settings:
            pool_size = 5
            pool_recycle = 60

            def __init__(self):
                self.pool_size = 20

            def engine(self):
                return create_engine("sqlite://", pool_size=self.pool_size, pool_recycle=Settings.pool_recycle)

            @classmethod
            def from_class(cls):
                return create_engine("sqlite://", pool_size=cls.pool_size)
        """)
    assert summary(result) == [
        ("class", "Settings", 3, [("pool_recycle", 60, 5), ("pool_size", 20, 8)]),
        ("create_engine", "create_engine@11", 11, [("pool_size", 20, 11), ("pool_recycle", 60, 11)]),
        ("create_engine", "create_engine@15", 15, [("pool_size", 5, 15)]),
    ]
    chain = setting(result, "create_engine@11", "pool_size")
    assert chain.expr == "self.pool_size"


def test_pydantic_settings_fields_and_annotations() -> None:
    result = parse_text("""\
        from pydantic import Field
        from pydantic_settings import BaseSettings

        class DatabaseSettings(BaseSettings):
            pool_size: int = 25
            max_overflow: int = Field(10, description="extra")
            pool_timeout: float = Field(default=30.0)
            pool_recycle: int = Field(default_factory=lambda: 1800)
            pool_pre_ping: bool
        """)
    assert summary(result) == [
        ("class", "DatabaseSettings", 4, [
            ("pool_size", 25, 5), ("max_overflow", 10, 6), ("pool_timeout", 30.0, 7),
            ("pool_recycle", U("computed at run time by a call to Field()"), 8),
        ]),
    ]


def test_scopes_lambda_comprehension_and_unpacking() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine
        n = 3
        make = lambda n: create_engine("sqlite://", pool_size=n)
        engines = [create_engine(u, max_overflow=n) for u, n in PAIRS]
        pool_size, max_overflow = 6, 4
        pool_timeout, pool_recycle = compute()
        """)
    assert summary(result) == [
        ("module", "db", 1, [
            ("pool_size", 6, 5), ("max_overflow", 4, 5),
            ("pool_timeout", U("assigned by unpacking compute()"), 6),
            ("pool_recycle", U("assigned by unpacking compute()"), 6),
        ]),
        ("create_engine", "create_engine@3", 3, [("pool_size", U("n is a parameter of db.<lambda>()"), 3)]),
        ("create_engine", "create_engine@4", 4, [("max_overflow", U("n is a loop variable"), 4)]),
    ]


def test_augmented_assignment_global_and_chain() -> None:
    result = parse_text("""\
        import os
        from sqlalchemy import create_engine
        POOL_SIZE = 10
        POOL_SIZE += 5
        BASE = compute_base()
        POOL_TIMEOUT = BASE
        e = create_engine("sqlite://", pool_timeout=POOL_TIMEOUT)
        """)
    assert summary(result)[0] == ("module", "db", 1, [
        ("pool_size", U("changed by POOL_SIZE += 5 (line 4)"), 4),
        ("pool_timeout", U("computed at run time by a call to compute_base()"), 6),
    ])
    timeout = setting(result, "create_engine@7", "pool_timeout").value
    assert timeout.chain == ("POOL_TIMEOUT = BASE (line 6)", "BASE = compute_base() (line 5)")


def test_relative_package_import_names_its_module() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine
        from . import limits
        from .. import POOL
        e = create_engine("sqlite://", pool_size=POOL)
        """)
    assert summary(result) == [("create_engine", "create_engine@4", 4, [
        ("pool_size", U("POOL is imported from ..POOL; cfgate reads one file at a time"), 4)])]
    assert result.imports == {"create_engine": "sqlalchemy.create_engine", "limits": ".limits", "POOL": "..POOL"}


def test_shadowed_os_and_builtins_are_not_trusted() -> None:
    result = parse_text("""\
        from sqlalchemy import create_engine
        from config import os

        def int(value):
            return 3
        e = create_engine("sqlite://", pool_size=int("5"), max_overflow=os.getenv("X", "1"))
        """)
    assert summary(result) == [
        ("create_engine", "create_engine@6", 6, [
            ("pool_size", U("computed at run time by a call to int()"), 6),
            ("max_overflow", U("computed at run time by a call to os.getenv()"), 6),
        ]),
    ]


def test_bad_casts_and_huge_arithmetic_become_unknown() -> None:
    result = parse_text("""\
        POOL_SIZE = int("many")
        MAX_OVERFLOW = 10 ** 100000
        POOL_TIMEOUT = 1 / 0
        POOL_RECYCLE = int(os.getenv("R", "x"))
        """)
    assert summary(result) == [
        ("module", "db", 1, [
            ("pool_size", U("int('many') raises ValueError"), 1),
            ("max_overflow", U("10 ** 100000 is too large to fold"), 2),
            ("pool_timeout", U("1 / 0 raises ZeroDivisionError"), 3),
            ("pool_recycle", U("int('x') raises ValueError when R is unset"), 4),
        ]),
    ]


def test_stdlib_sample_never_raises_anything_but_syntax_error() -> None:
    """Robustness: real code of every shape goes through the extractor without an exception."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))[:50]
    assert files
    for path in files:
        text = path.read_text("utf-8", errors="replace") + "\npool_size = 1\n"  # force the full extraction
        try:
            result = parse_python(path.name, text)
        except SyntaxError:
            continue
        assert any(p.kind == "module" for p in result.pools)
