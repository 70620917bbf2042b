"""Credentials never leave the probe stage: addresses are masked, driver messages scrubbed."""

from __future__ import annotations

import pytest

from cfgate.probes import ProbeTarget, redact_address, scrub, secrets_of


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("postgresql://app:s3cret@db.internal:5432/app", "postgresql://app:***@db.internal:5432/app"),
        ("postgresql://app@db.internal/app", "postgresql://app@db.internal/app"),
        ("redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"),
        ("rediss://default:p@ss:w0rd@cache:6380", "rediss://default:***@cache:6380"),
        ("https://ghp_token123@git.example/x", "https://***@git.example/x"),
        ("http://api.internal/health?token=abc&x=1", "http://api.internal/health?token=***&x=1"),
        ("postgresql://db/app?password=s3cret&sslmode=require", "postgresql://db/app?password=***&sslmode=require"),
        ("host=db user=app password=s3cret dbname=app", "host=db user=app password=*** dbname=app"),
        ("host=db password='a b\\' c' dbname=app", "host=db password=*** dbname=app"),
        ("db.internal:5432", "db.internal:5432"),
    ],
)
def test_redact_address(address: str, expected: str) -> None:
    assert redact_address(address) == expected


def test_secrets_of_covers_raw_and_decoded_forms() -> None:
    secrets = secrets_of("postgresql://app:p%40ss%2Fword@db/app?sslpassword=k3y")
    assert {"p%40ss%2Fword", "p@ss/word", "k3y"} <= set(secrets)
    assert secrets == sorted(secrets, key=len, reverse=True)


def test_secrets_of_conninfo_quoted_value() -> None:
    assert "a b' c" in secrets_of("host=db password='a b\\' c'")


def test_scrub_removes_secrets_anywhere_in_a_message() -> None:
    message = 'invalid percent-encoded token: "p%zzword" in postgresql://app:p%zzword@db/app'
    cleaned = scrub(message, secrets_of("postgresql://app:p%zzword@db/app"))
    assert "p%zzword" not in cleaned and "zzword" not in cleaned
    assert "postgresql://app:***@db/app" in cleaned


def test_scrub_masks_url_passwords_it_was_not_told_about() -> None:
    assert scrub("failed: redis://:other@cache:6379") == "failed: redis://:***@cache:6379"


def test_scrub_keeps_ordinary_words() -> None:
    text = 'password authentication failed for user "app"'
    assert scrub(text, ["xy"]) == text  # too short to replace literally; no pattern matches


def test_target_repr_and_str_hide_the_password() -> None:
    target = ProbeTarget(name="DATABASE_URL", kind="postgres", address="postgresql://app:s3cret@db/app", timeout_s=5)
    assert "s3cret" not in repr(target)
    assert "s3cret" not in str(target)
    assert target.redacted_address == "postgresql://app:***@db/app"
