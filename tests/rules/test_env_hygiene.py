"""The .env hygiene rules (CFG230-CFG243): quiet on real web-app env files, loud on real problems,
and never a secret in a message."""

from __future__ import annotations

import datetime as dt

import pytest

from cfgate.engine import evaluate
from cfgate.models import SEVERITY_RANK
from cfgate.rules.env_hygiene import ENV_HYGIENE_RULES, is_example_file, secret_kind
from cfgate.rules.registry import build_catalog
from cfgate.rules.tool import TOOL_RULES
from cfgate.sources import load_workspace

RULES = [*TOOL_RULES, *ENV_HYGIENE_RULES]
DEFAULT_RULES = [r for r in RULES if r.meta.id not in build_catalog().disabled]

# Shaped like cookiecutter-django's .envs/.local/.django + .postgres, merged into one local .env.
DJANGO_ENV = """\
# General
# ------------------------------------------------------------------------------
USE_DOCKER=yes
IPYTHONDIR=/app/.ipython
DJANGO_SETTINGS_MODULE=config.settings.local
DJANGO_DEBUG=True
DJANGO_SECRET_KEY=django-insecure-8k$w!t3v@q#r^x2m&n9p(l)z_b+c=d-e4f5g6h7j8
DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,[::1]

# Redis
# ------------------------------------------------------------------------------
REDIS_URL=redis://redis:6379/0
CELERY_BROKER_URL=${REDIS_URL}

# PostgreSQL
# ------------------------------------------------------------------------------
POSTGRES_HOST=postgres
POSTGRES_PORT=5432
POSTGRES_DB=myproject
POSTGRES_USER=debug
POSTGRES_PASSWORD=debug
DATABASE_URL=postgres://debug:debug@postgres:5432/myproject

# Email
EMAIL_HOST=mailpit
EMAIL_PORT=1025
DEFAULT_FROM_EMAIL="My Project <noreply@example.com>"
# Sentry is off locally
SENTRY_DSN=
"""

# Shaped like a MERN / Express starter's .env, saved on Windows (CRLF), with a Stripe test setup.
NODE_ENV_CRLF = (
    "NODE_ENV=development\n"
    "PORT=3000\n"
    "CLIENT_URL=http://localhost:5173\n"
    "MONGODB_URI=mongodb://localhost:27017/myapp\n"
    "\n"
    "# auth\n"
    "JWT_SECRET=supersecretjwtkey\n"
    "JWT_EXPIRES_IN=7d\n"
    "\n"
    "# stripe (test mode)\n"
    "STRIPE_PUBLISHABLE_KEY=pk_test_51HqLyjWDarjtT1zdp7dcXvDzTmQ0QfGHyPvOaN3Wl4kAPbV8x3YcZ0U9nZcM1Rr5S\n"
    "STRIPE_SECRET_KEY=sk_test_51HqLyjWDarjtT1zdKjx7G2uYbQ9w8Ue3NfP6zRt4Xv1Lm0Ao5Sd2Fg7Hj8Kl9Zq\n"
    "NEXT_PUBLIC_SUPABASE_ANON_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.dGhpc2lzYXNpZ25hdHVyZQ\n"
    "RECAPTCHA_SITE_KEY=6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI\n"
    "\n"
    "# mail (mailtrap sandbox)\n"
    "SMTP_HOST=sandbox.smtp.mailtrap.io\n"
    "SMTP_PORT=2525\n"
    "SMTP_USER=\n"
    "SMTP_PASS=\n"
    'APP_NAME="Acme Shop"\n'
    "export LOG_LEVEL=debug\n"
).replace("\n", "\r\n")

# Shaped like a Flask / Laravel .env.example: empty values and placeholders are the point.
FLASK_EXAMPLE = """\
# Copy to .env and fill in.
FLASK_APP=app.py
FLASK_DEBUG=1
SECRET_KEY=change-me-to-a-long-random-string

DATABASE_URL=postgresql://user:password@localhost:5432/acme
REDIS_URL=redis://localhost:6379/0

# Mail
MAIL_SERVER=smtp.mailgun.org
MAIL_PORT=587
MAIL_USERNAME=
MAIL_PASSWORD=
SENTRY_DSN

# AWS: the documentation's sample keys
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_STORAGE_BUCKET_NAME=acme-media
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
"""


def run(tmp_path, monkeypatch, files: dict[str, str | bytes], rules=DEFAULT_RULES):
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    monkeypatch.chdir(tmp_path)
    result = evaluate(load_workspace(["."]), list(rules), dt.date(2025, 9, 17))
    return [e for e in result.evaluations if e.status != "pass"]


def above_info(findings):
    return [(e.rule, e.location.file, e.location.line, e.message) for e in findings
            if SEVERITY_RANK[e.severity] > SEVERITY_RANK["info"]]


@pytest.mark.parametrize(("name", "text"), [(".env", DJANGO_ENV), (".env", NODE_ENV_CRLF), (".env.example", FLASK_EXAMPLE)],
                         ids=["django", "node-crlf", "flask-example"])
def test_real_world_files_raise_nothing_above_info(name, text, tmp_path, monkeypatch):
    assert above_info(run(tmp_path, monkeypatch, {name: text})) == []


def test_real_world_info_findings_are_the_expected_ones(tmp_path, monkeypatch):
    """Info findings are allowed, but only these: the bare SENTRY_DSN template slot in the example."""
    found = run(tmp_path, monkeypatch, {".env": DJANGO_ENV, ".env.local": NODE_ENV_CRLF, ".env.example": FLASK_EXAMPLE})
    assert [(e.rule, e.location.file, e.location.line, e.severity) for e in found] == [
        ("CFG231", ".env.example", 14, "info"),
    ]


def test_a_real_problem_in_a_real_file_is_found(tmp_path, monkeypatch):
    broken = DJANGO_ENV.replace("CELERY_BROKER_URL=${REDIS_URL}", "CELERY_BROKER_URL=$REDIS_URL") + "DJANGO_DEBUG=False\n"
    found = above_info(run(tmp_path, monkeypatch, {".env": broken}))
    assert [(rule, line) for rule, _, line, _ in found] == [("CFG237", 13), ("CFG230", 30)]


LIVE = "ghp_" + "Zq8mXr2LkT9vWb4NcY7pHs1DjF5gUa3Ee6Qo"
RANDOM = "q9W2vL7xR4tY8uP1oK6jH3gF5dS0aZmN"


@pytest.mark.parametrize(("line", "kind"), [
    (f"GH={LIVE}", "a GitHub token"),
    ("STRIPE_SECRET_KEY=sk_live_" + RANDOM, "a Stripe live key"),
    ("AWS_ACCESS_KEY_ID=AKIA" + "Q3ZT7XW2LMPR4VNB", "an AWS access key id"),
    ("DATABASE_URL=postgres://app:" + RANDOM + "@db.prod.acme.io:5432/app", "a URL with an inline password for a non-local host"),
    ("DJANGO_SECRET_KEY=" + RANDOM, "a high-entropy value in a secret-like key"),
    ("DATABASE_URL=postgres://app:" + RANDOM + "@pg.prod.svc.cluster.local/app", "a URL with an inline password"),
])
def test_committed_secret_is_an_error_and_never_printed(line, kind, tmp_path, monkeypatch):
    found = run(tmp_path, monkeypatch, {".env": line + "\n"}, [r for r in RULES if r.meta.id == "CFG243"])
    assert [(e.rule, e.severity, e.location.line) for e in found] == [("CFG243", "error", 1)]
    value = line.split("=", 1)[1]
    for e in found:
        assert kind in e.message
        assert RANDOM not in e.model_dump_json() and value not in e.model_dump_json()


@pytest.mark.parametrize("line", [
    "STRIPE_SECRET_KEY=sk_test_" + RANDOM,  # test mode
    "STRIPE_PUBLISHABLE_KEY=pk_live_" + RANDOM,  # public by design
    "DATABASE_URL=postgres://app:" + RANDOM + "@localhost:5432/app",  # local host
    "DATABASE_URL=postgres://app:" + RANDOM + "@db:5432/app",  # a compose service
    "DATABASE_URL=postgres://app:" + RANDOM + "@host.docker.internal:5432/app",
    "SECRET_KEY=django-insecure-" + RANDOM,  # Django marks it as a dev key
    "API_TOKEN=${API_TOKEN}",
    "CACHE_KEY_PREFIX=myapp",
    "SESSION_SECRET=your-session-secret",
])
def test_committed_secret_ignores_dev_values_and_placeholders(line, tmp_path, monkeypatch):
    assert run(tmp_path, monkeypatch, {".env": line + "\n"}, [r for r in RULES if r.meta.id == "CFG243"]) == []


def test_example_files_are_not_checked_for_secrets(tmp_path, monkeypatch):
    rules = [r for r in RULES if r.meta.id == "CFG243"]
    assert run(tmp_path, monkeypatch, {".env.example": f"GH={LIVE}\n", "prod.env.sample": f"GH={LIVE}\n"}, rules) == []


def test_messages_never_carry_values(tmp_path, monkeypatch):
    """Rules that look at values name keys, lines and columns only, even for a value no redactor knows."""
    text = f'PLAIN="{RANDOM}"\nOTHER={RANDOM}"\nSPACE = {RANDOM}\n'
    found = run(tmp_path, monkeypatch, {".env": text})
    assert {e.rule for e in found} >= {"CFG236", "CFG242", "CFG235"}
    for e in found:
        assert RANDOM not in e.message and RANDOM not in str(e.value)


def test_a_quote_inside_a_generated_password_is_not_unbalanced(tmp_path, monkeypatch):
    rules = [r for r in RULES if r.meta.id == "CFG242"]
    found = run(tmp_path, monkeypatch, {".env": "DB_PASSWORD=aB3\"x9'Qz\nAPI_TOKEN=abc123\"\nTITLE=abc\"def\n"}, rules)
    assert [(e.location.line, e.location.column) for e in found] == [(2, 17), (3, 10)]


def test_is_example_file():
    assert all(map(is_example_file, [".env.example", ".env.sample", ".env.template", "example.env", "config/.env.dist"]))
    assert not any(map(is_example_file, [".env", ".env.local", ".env.production", "staging.env"]))


def test_secret_kind_never_returns_part_of_the_value():
    kind = secret_kind("GH", LIVE)
    assert kind and LIVE[4:] not in kind


def test_unordered_keys_is_off_by_default_but_can_be_selected():
    catalog = build_catalog()
    assert "CFG241" in catalog.disabled
    assert "CFG241" not in {r.meta.id for r in catalog.active()}
    assert [r.meta.id for r in catalog.active(("CFG241",))] == ["CFG241"]
    assert [r.meta.id for r in catalog.active(("env-unordered-key",))] == ["CFG241"]


def test_bom_and_crlf_are_not_layout_problems(tmp_path, monkeypatch):
    found = run(tmp_path, monkeypatch, {".env": b"\xef\xbb\xbfDEBUG=true\r\nPORT=8000\r\n"})
    assert found == []


def test_multiline_values_are_data(tmp_path, monkeypatch):
    text = 'CERT="-----BEGIN CERTIFICATE-----  \nMIIB\n\n\nabc\n-----END CERTIFICATE-----"\nPORT=8000\n'
    assert run(tmp_path, monkeypatch, {".env": text}) == []
