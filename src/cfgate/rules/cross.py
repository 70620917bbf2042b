"""CFG4xx: one value followed everywhere it lives. Code, env files and Terraform, joined.

- CFG401 a pool setting written in code while an env file sets a same-named key to a different value;
- CFG402 pool_timeout not below the Cloud Run request timeout declared in Terraform;
- CFG403 an env ``*_TIMEOUT`` above that request timeout;
- CFG404 pool_recycle at or above a server idle timeout configured on the database;
- CFG405 an env key the code reads that no env layer sets;
- CFG410 the worst-case connection count against the database's capacity.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..entities import Attr, Entity
from ..models import Evaluation, Example, Location, RuleMeta, Unknown
from ..models.pool import EnvRef
from ..terraform.capacity import Figure, databases, services
from .base import Context, evaluation, show
from .threshold import provenance

SQLALCHEMY_DEFAULTS = {"pool_size": 5, "max_overflow": 10}
WORKER_KEYS = ("WEB_CONCURRENCY", "GUNICORN_WORKERS", "UVICORN_WORKERS", "WORKERS")

_DB = 'resource "google_sql_database_instance" "db" {\n  name             = "db"\n  database_version = "POSTGRES_15"\n  settings {\n    tier = "db-custom-2-7680"\n    database_flags {\n      name  = "max_connections"\n      value = "100"\n    }\n  }\n}\n'
_RUN = 'resource "google_cloud_run_v2_service" "api" {\n  name     = "api"\n  location = "us-central1"\n  template {\n    timeout = "120s"\n    scaling {\n      max_instance_count = 10\n    }\n  }\n}\n'


def _pools(ctx: Context) -> list[Entity]:
    return [e for e in ctx.entities if e.source == "python"]


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or value is None or isinstance(value, (Unknown, EnvRef)):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            return float(str(value).strip())
        except ValueError:
            return None


def request_timeout(ctx: Context) -> Figure | None:
    """The request timeout the scanned Terraform declares: the shortest among its Cloud Run services."""
    declared = [s for s in services(ctx.terraform) if "default" not in s.timeout_s.source]
    if not declared:
        return None
    known = [s for s in declared if not isinstance(s.timeout_s.value, Unknown)]
    if not known:
        return declared[0].timeout_s
    shortest = min(known, key=lambda s: s.timeout_s.value)
    return Figure(shortest.timeout_s.value, f"{shortest.address} request timeout, {shortest.timeout_s.source}", shortest.timeout_s.location)


# --- CFG401 ---------------------------------------------------------------------------------------

CODE_ENV_MISMATCH = RuleMeta(
    id="CFG401", name="pool-setting-differs-from-env", severity="warning",
    title="A pool setting is written in code while an env file sets a same-named key to another value",
    rationale=(
        "In the seed incident the pool size was 'doubled' in two places: pool_size = 50 in the code and DATABASE_POOL_SIZE=50 "
        "in an env file. When the code never reads the env key, the env value is dead configuration that reviewers believe in; "
        "when the two disagree, one of them is wrong. The code value is what runs."
    ),
    fix="Read the value from the environment in the code (int(os.getenv('DATABASE_POOL_SIZE', '5'))), or delete the dead env key.",
    bad=Example(files={"db.py": "class Db:\n    pool_size = 50\n", ".env": "DATABASE_POOL_SIZE=25\n"}),
    good=Example(files={"db.py": "import os\nclass Db:\n    pool_size = int(os.getenv('DATABASE_POOL_SIZE', '5'))\n", ".env": "DATABASE_POOL_SIZE=25\n"}),
)


class CodeEnvMismatch:
    meta = CODE_ENV_MISMATCH

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for pool in _pools(ctx):
            for name, attr in pool.attrs.items():
                if attr.origins or _number(attr.value) is None:
                    continue  # read from the environment, or not a literal number
                suffix = "_" + name.upper()
                for env in ctx.workspace.env:
                    entry = next((e for e in reversed(env.entries) if e.key == name.upper() or e.key.endswith(suffix)), None)
                    if entry is None:
                        continue
                    other = _number(entry.value)
                    subject = f"{pool.subject}.{name}"
                    if other is not None and other == _number(attr.value):
                        yield evaluation(self.meta, "pass", f"{subject} = {show(attr.value)} matches {entry.key} in {env.path}:{entry.location.line}",
                                         attr.location, subject, attr.value)
                    else:
                        yield evaluation(self.meta, "fail",
                                         f"{subject} = {show(attr.value)} in code, but {entry.key}={entry.value} in {env.path}:{entry.location.line}; "
                                         "the code never reads that key, so one of the two values is dead configuration",
                                         attr.location, subject, attr.value, details={"env": f"{env.path}:{entry.location.line}"})


# --- CFG402 / CFG403 ------------------------------------------------------------------------------

POOL_TIMEOUT_VS_REQUEST = RuleMeta(
    id="CFG402", name="pool-timeout-not-below-request-timeout", severity="error",
    title="pool_timeout is not below the Cloud Run request timeout declared in Terraform",
    rationale=(
        "A request that waits pool_timeout seconds for a connection is answered 504 by Cloud Run once its request timeout "
        "passes, while the worker keeps waiting. The pool wait must be shorter than the request it serves. The request timeout "
        "is read from the Cloud Run services in the scanned Terraform (the shortest one when there are several)."
    ),
    fix="Lower pool_timeout well below the request timeout (SQLAlchemy's default is 30 s).",
    bad=Example(files={"run.tf": _RUN, "db.py": "from sqlalchemy import create_engine\ne = create_engine('postgresql://db/x', pool_timeout=120)\n"}),
    good=Example(files={"run.tf": _RUN, "db.py": "from sqlalchemy import create_engine\ne = create_engine('postgresql://db/x', pool_timeout=30)\n"}),
)


class PoolTimeoutVsRequest:
    meta = POOL_TIMEOUT_VS_REQUEST

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        limit = request_timeout(ctx)
        if limit is None:
            return
        for pool in _pools(ctx):
            attr = pool.attrs.get("pool_timeout")
            if attr is not None:
                yield _below(self.meta, f"{pool.subject}.pool_timeout", attr, limit, strict=True)


def _below(meta: RuleMeta, subject: str, attr: Attr, limit: Figure, strict: bool, key: str | None = None) -> Evaluation:
    where = f"{limit.source}"
    if isinstance(limit.value, Unknown):
        return evaluation(meta, "unknown", f"{subject}: the request timeout is unknown", attr.location, subject, attr.value,
                          reason=limit.value.reason, key=key)
    value = _number(attr.value)
    if value is None:
        reason = attr.value.reason if isinstance(attr.value, Unknown) else f"{show(attr.value, key)} is not a number"
        return evaluation(meta, "unknown", f"{subject} cannot be compared with the request timeout" + provenance(attr), attr.location,
                          subject, attr.value, reason=reason, key=key)
    ok = value < limit.value if strict else value <= limit.value
    relation = "below" if strict else "at most"
    if ok:
        return evaluation(meta, "pass", f"{subject} = {show(attr.value, key)} s is {relation} the request timeout {limit.value} s ({where})",
                          attr.location, subject, attr.value, key=key)
    return evaluation(meta, "fail", f"{subject} = {show(attr.value, key)} s is not {relation} the request timeout of {limit.value} s ({where})"
                      + provenance(attr), attr.location, subject, attr.value, key=key, details={"request_timeout_s": limit.value})


ENV_TIMEOUT_VS_REQUEST = RuleMeta(
    id="CFG403", name="env-timeout-above-service-request-timeout", severity="error",
    title="A client timeout in an env file is above the Cloud Run request timeout declared in Terraform",
    rationale=(
        "A client call that may take longer than the request serving it cannot finish in time: Cloud Run returns 504 at its "
        "request timeout. This is the Terraform-aware twin of CFG220, which checks the 300 s default."
    ),
    fix="Keep each *_TIMEOUT at or below the service's request timeout, or raise the service timeout on purpose.",
    bad=Example(files={"run.tf": _RUN, ".env": "REDIS_TIMEOUT=200\n"}),
    good=Example(files={"run.tf": _RUN, ".env": "REDIS_TIMEOUT=5\n"}),
)


class EnvTimeoutVsRequest:
    meta = ENV_TIMEOUT_VS_REQUEST

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        limit = request_timeout(ctx)
        if limit is None:
            return
        for entity in ctx.entities:
            if entity.source == "env" and entity.key and entity.key.endswith("_TIMEOUT"):
                yield _below(self.meta, entity.key, entity.attrs["value"], limit, strict=False, key=entity.key)


# --- CFG404 ---------------------------------------------------------------------------------------

RECYCLE_VS_IDLE = RuleMeta(
    id="CFG404", name="pool-recycle-not-below-server-idle-timeout", severity="warning",
    title="pool_recycle is not below the database's idle session timeout",
    rationale=(
        "A server that closes idle sessions (PostgreSQL idle_session_timeout, set as a Cloud SQL database flag) leaves the pool "
        "holding dead connections; the next checkout fails. pool_recycle must be below that timeout, unless pool_pre_ping=True "
        "tests each connection before use. The idle timeout is read from the Cloud SQL flags in the scanned Terraform."
    ),
    fix="Set pool_recycle below the server's idle timeout, or enable pool_pre_ping.",
    bad=Example(files={"db.tf": _DB.replace('"max_connections"', '"idle_session_timeout"').replace('"100"', '"600000"'),
                       "db.py": "from sqlalchemy import create_engine\ne = create_engine('postgresql://db/x', pool_recycle=1800)\n"}),
    good=Example(files={"db.tf": _DB.replace('"max_connections"', '"idle_session_timeout"').replace('"100"', '"600000"'),
                        "db.py": "from sqlalchemy import create_engine\ne = create_engine('postgresql://db/x', pool_recycle=300)\n"}),
)


def _idle_timeout(ctx: Context) -> Figure | None:
    from ..terraform.capacity import database_flags

    for instance in ctx.terraform.instances:
        if instance.type != "google_sql_database_instance":
            continue
        flags = database_flags(instance)
        if "idle_session_timeout" in flags:
            value, attr = flags["idle_session_timeout"]
            number = _number(value)
            seconds: Any = number / 1000 if number is not None else Unknown(expr=str(value), reason="not a number of milliseconds")
            if seconds == 0:
                continue  # 0 disables the timeout
            return Figure(seconds, f"idle_session_timeout of {instance.address} at {attr.location.file}:{attr.location.line}", attr.location)
    return None


class RecycleVsIdle:
    meta = RECYCLE_VS_IDLE

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        idle = _idle_timeout(ctx)
        if idle is None:
            return
        for pool in _pools(ctx):
            if not any(k in pool.attrs for k in ("pool_recycle", "pool_size", "max_overflow")):
                continue
            subject = f"{pool.subject}.pool_recycle"
            recycle = pool.attrs.get("pool_recycle")
            pre_ping = pool.attrs.get("pool_pre_ping")
            if pre_ping is not None and pre_ping.value is True:
                yield evaluation(self.meta, "pass", f"{pool.subject} tests connections with pool_pre_ping", pre_ping.location, subject)
                continue
            value = _number(recycle.value) if recycle is not None else -1
            location = recycle.location if recycle is not None else pool.location
            if isinstance(idle.value, Unknown) or (recycle is not None and value is None):
                reason = idle.value.reason if isinstance(idle.value, Unknown) else str(getattr(recycle.value, "reason", "not a number"))
                yield evaluation(self.meta, "unknown", f"{subject} cannot be compared with the idle timeout", location, subject, reason=reason)
            elif value is None or value < 0 or value >= idle.value:
                shown = "never (-1, the default)" if value is None or value < 0 else f"{value} s"
                yield evaluation(self.meta, "fail", f"{subject} recycles connections {shown}, not below the server's idle timeout of "
                                 f"{idle.value:g} s ({idle.source}); enable pool_pre_ping or lower pool_recycle", location, subject,
                                 recycle.value if recycle else -1)
            else:
                yield evaluation(self.meta, "pass", f"{subject} = {value} s is below the idle timeout {idle.value:g} s", location, subject, value)


# --- CFG405 ---------------------------------------------------------------------------------------

ENV_KEY_NOT_DEFINED = RuleMeta(
    id="CFG405", name="env-key-read-but-not-set", severity="info",
    title="The code reads an env key that no env layer sets",
    rationale=(
        "A pool setting read with os.getenv('KEY', default) takes its default when no env file sets KEY. That may be deliberate, "
        "but it also hides a typo in the key or a layer that was forgotten. Reported as info so it shows in audits without failing."
    ),
    fix="Set the key in the env layer, or write the intended value as a literal in the code.",
    bad=Example(files={"db.py": "import os\nfrom sqlalchemy import create_engine\ne = create_engine('postgresql://db/x', pool_size=int(os.getenv('DB_POOL_SIZE', '5')))\n"}),
    good=Example(files={"db.py": "import os\nfrom sqlalchemy import create_engine\ne = create_engine('postgresql://db/x', pool_size=int(os.getenv('DB_POOL_SIZE', '5')))\n",
                        ".env": "DB_POOL_SIZE=5\n"}),
)


class EnvKeyNotDefined:
    meta = ENV_KEY_NOT_DEFINED

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for py in ctx.workspace.python:
            for pool in py.pools:
                for setting in pool.settings.values():
                    if not isinstance(setting.value, EnvRef):
                        continue
                    ref = setting.value
                    layers = [layer.name for layer in ctx.env.candidates if layer.get(ref.key) is not None]
                    subject = f"{pool.name}.{setting.name}"
                    if layers:
                        yield evaluation(self.meta, "pass", f"{ref.key} is set in {', '.join(layers)}", setting.location, subject)
                    else:
                        default = f"; the code's default {show(ref.default, ref.key)} applies" if ref.has_default else "; it has no default"
                        yield evaluation(self.meta, "fail", f"{subject} reads {ref.key}, which no env file sets{default}",
                                         setting.location, subject, ref, details={"key": ref.key})


# --- CFG410 ---------------------------------------------------------------------------------------

BUDGET = RuleMeta(
    id="CFG410", name="connection-budget-exceeded", severity="error",
    title="Worst-case database connections exceed the database's capacity",
    rationale=(
        "Each worker process holds its own SQLAlchemy pool of up to pool_size + max_overflow connections, and each Cloud Run "
        "instance runs its workers: the worst case is the sum over services of max instances x workers x (pool_size + "
        "max_overflow). It must stay within max_connections minus the reserved superuser slots (3 by default) and a headroom "
        "(10% by default). Doubling a 25+25 pool to 50+50 'for capacity' doubles the load on a database that could not take "
        "the old one. Inputs come from Terraform (max instances, max_connections), the code and env layers (pool), and the "
        "budget settings or WEB_CONCURRENCY / gunicorn workers (workers; 1 is used as a lower bound when unknown)."
    ),
    fix="Lower pool_size + max_overflow, cap the service's max instances, put a pooler (PgBouncer) in front, or raise max_connections.",
    bad=Example(files={"db.tf": _DB, "run.tf": _RUN, "db.py": "class Db:\n    pool_size = 50\n    max_overflow = 50\n"}),
    good=Example(files={"db.tf": _DB, "run.tf": _RUN, "db.py": "class Db:\n    pool_size = 4\n    max_overflow = 2\n", ".env": "WEB_CONCURRENCY=1\n"}),
)


@dataclass(frozen=True)
class _PoolSize:
    entity: Entity
    per_process: int | None  # None: unbounded
    text: str
    location: Location


def _pool_sizes(ctx: Context) -> tuple[list[_PoolSize], list[str]]:
    sizes, unknown = [], []
    for pool in _pools(ctx):
        if "pool_size" not in pool.attrs and "max_overflow" not in pool.attrs:
            continue
        parts: dict[str, Any] = {}
        for name in ("pool_size", "max_overflow"):
            attr = pool.attrs.get(name)
            value = SQLALCHEMY_DEFAULTS[name] if attr is None else attr.value
            number = _number(value)
            if number is None:
                reason = value.reason if isinstance(value, Unknown) else f"{show(value)} is not a number"
                unknown.append(f"{pool.subject}.{name}: {reason}")
                break
            parts[name] = int(number)
        else:
            location = (pool.attrs.get("pool_size") or pool.attrs.get("max_overflow")).location
            unbounded = parts["pool_size"] == 0 or parts["max_overflow"] < 0
            sizes.append(_PoolSize(pool, None if unbounded else parts["pool_size"] + parts["max_overflow"],
                                   f"({parts['pool_size']} + {parts['max_overflow']})", location))
    return sizes, unknown


def _workers(ctx: Context) -> tuple[int | None, str]:
    configured = (ctx.options.get("budget") or {}).get("workers")
    if configured:
        return int(configured), f"{configured} workers from the budget settings"
    for layer in ctx.env.candidates:
        for key in WORKER_KEYS:
            value = layer.get(key)
            if value is not None and isinstance(value.value, str) and value.value.strip().isdigit():
                return int(value.value), f"{key}={value.value} at {value.location.file}:{value.location.line}"
    for path, text in ctx.workspace.texts.items():
        if re.search(r"(^|/)gunicorn[^/]*\.py$", path):
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            for node in tree.body:
                if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "workers" for t in node.targets)
                        and isinstance(node.value, ast.Constant) and isinstance(node.value.value, int)):
                    return node.value.value, f"gunicorn workers = {node.value.value} at {path}:{node.lineno}"
    return None, "the worker count is unknown (set budget.workers, WEB_CONCURRENCY or gunicorn's workers)"


class ConnectionBudget:
    meta = BUDGET

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        pools, unknown_parts = _pool_sizes(ctx)
        dbs, svcs = databases(ctx.terraform), services(ctx.terraform)
        if not (pools or unknown_parts) or not (dbs or svcs):
            return  # nothing to join: no pool in code, or no Terraform that says where it runs
        anchor = pools[0].location if pools else next(e for e in _pools(ctx)).location
        subject = "connection-budget"
        missing: list[str] = list(unknown_parts)
        if not svcs:
            missing.append("max instances: no Cloud Run service in the scanned Terraform")
        if not dbs:
            missing.append("max_connections: no Cloud SQL instance in the scanned Terraform")
        elif len(dbs) > 1:
            missing.append("max_connections: several Cloud SQL instances (" + ", ".join(d.address for d in dbs) + "); cfgate cannot tell which one the pools use")
        for svc in svcs:
            if isinstance(svc.max_instances.value, Unknown):
                missing.append(f"max instances of {svc.address}: {svc.max_instances.value.reason}")
        if dbs and len(dbs) == 1 and isinstance(dbs[0].max_connections.value, Unknown):
            missing.append(f"max_connections of {dbs[0].address}: {dbs[0].max_connections.value.reason}")
        if any(p.per_process is None for p in pools):
            unbounded = next(p for p in pools if p.per_process is None)
            yield evaluation(self.meta, "fail", f"{unbounded.entity.subject} has no connection limit {unbounded.text}: pool_size=0 or "
                             "max_overflow=-1 lets one process open any number of connections", unbounded.location, subject)
            return
        per_process = sum(p.per_process for p in pools)  # type: ignore[misc]
        pool_text = " + ".join(p.text for p in pools) if len(pools) > 1 else (pools[0].text if pools else "?")
        workers, workers_text = _workers(ctx)
        if missing:
            yield evaluation(self.meta, "unknown", "the connection budget cannot be computed", anchor, subject,
                             reason="; ".join(missing), details={"missing": missing})
            return
        db = dbs[0]
        budget = ctx.options.get("budget") or {}
        reserved, headroom = int(budget.get("reserved", 3)), float(budget.get("headroom", 0.10))
        capacity = int(db.max_connections.value)
        allowed = capacity - reserved - math.ceil(capacity * headroom - 1e-9)
        used_workers = workers or 1
        terms = [f"{svc.max_instances.value} × {used_workers} × {pool_text}" for svc in svcs]
        worst = sum(int(svc.max_instances.value) * used_workers * per_process for svc in svcs)
        arithmetic = f"{' + '.join(terms)} = {worst}"
        budget_text = f"{capacity} max_connections ({db.max_connections.source}) − {reserved} reserved − {headroom:.0%} headroom = {allowed}"
        sources = "; ".join(f"max instances {svc.max_instances.value} of {svc.address} ({svc.max_instances.source})" for svc in svcs)
        details = {"worst_case": worst, "budget": allowed, "max_connections": capacity, "per_process": per_process,
                   "workers": workers, "services": [svc.address for svc in svcs]}
        if worst > allowed:
            bound = "" if workers else "; 1 worker per instance used as the lower bound: " + workers_text
            yield evaluation(self.meta, "fail", f"worst case {arithmetic} > {allowed} connections ({budget_text}; {sources}){bound}",
                             anchor, subject, worst, details=details)
        elif workers is None:
            yield evaluation(self.meta, "unknown", f"with 1 worker per instance the worst case is {arithmetic} ≤ {allowed}, but more workers may exceed it",
                             anchor, subject, worst, reason=workers_text, details=details)
        else:
            yield evaluation(self.meta, "pass", f"worst case {arithmetic} ≤ {allowed} ({budget_text}; {workers_text})", anchor, subject, worst, details=details)


CROSS_RULES = (CodeEnvMismatch(), PoolTimeoutVsRequest(), EnvTimeoutVsRequest(), RecycleVsIdle(), EnvKeyNotDefined(), ConnectionBudget())
