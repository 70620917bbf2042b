"""Env layering: later files win, python-dotenv interpolation, provenance of every value."""

from __future__ import annotations

from cfgate.envlayer import build_layers
from cfgate.models import Unknown
from cfgate.parsers.env import parse_env

BASE = parse_env("app/.env", "DB_HOST=db\nDATABASE_URL=postgresql://u:p@${DB_HOST}:5432/x\nPOOL=5\nX=${NOPE}\nY=${NOPE:-dflt}\nB=$DB_HOST\n")
STAGING = parse_env("app/.env.staging", "POOL=50\nDB_HOST=staging-db\nZ='${DB_HOST}'\n")


def test_later_files_win_and_every_setter_is_recorded():
    (layer,) = build_layers([BASE, STAGING], {"staging": ["app/.env", ".env.staging", ".env.missing"]})
    pool = layer.get("POOL")
    assert pool.value == "50" and [(s.file, s.line) for s in pool.setters] == [("app/.env", 3), ("app/.env.staging", 1)]
    assert pool.provenance() == "POOL in app/.env.staging:1 (over app/.env:3)"
    assert layer.missing == (".env.missing",)


def test_interpolation_follows_python_dotenv():
    (layer,) = build_layers([BASE, STAGING], {"staging": ["app/.env", "app/.env.staging"]})
    assert layer.get("DATABASE_URL").value == "postgresql://u:p@db:5432/x"  # resolved when it was loaded
    assert layer.get("Z").value == "staging-db"  # single-quoted values are interpolated too
    assert layer.get("Y").value == "dflt"
    assert layer.get("B").value == "$DB_HOST"  # bare $NAME is literal
    assert isinstance(layer.get("X").value, Unknown) and "NOPE" in layer.get("X").value.reason
    assert "X" not in layer.plain()


def test_without_declared_layers_each_file_stands_alone():
    layers = build_layers([BASE, STAGING], {})
    assert [layer.name for layer in layers] == ["app/.env", "app/.env.staging"]
    assert layers[1].get("Z").value == "staging-db"
