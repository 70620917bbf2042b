"""Secrets never reach any output: values of secret-like keys and credentials inside URLs are redacted.

Two nets: values are redacted where evaluations are built, and the engine scrubs every text field
of every evaluation against the secrets it saw while reading files, so a secret that slipped into
a message (an expression, a chain, a driver's error) is still replaced.
"""

from __future__ import annotations

import re
from fnmatch import translate
from functools import lru_cache
from typing import Any

MASK = "***"
SECRET_KEY_GLOBS = ("*PASSWORD*", "*PASSWD*", "*SECRET*", "*TOKEN*", "*_KEY", "*APIKEY*", "*CREDENTIAL*", "*PRIVATE_KEY*", "*_PASS")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/?#@\s]*):(?P<password>[^@/?#\s]+)@")


_SECRET_KEY = re.compile("|".join(translate(glob) for glob in SECRET_KEY_GLOBS))


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    return _SECRET_KEY.match(key.upper()) is not None


def redact_url(text: str) -> str:
    """``postgresql://app:hunter2@db/x`` -> ``postgresql://app:***@db/x``."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)


def url_passwords(text: str) -> list[str]:
    return [m["password"] for m in _URL_CREDENTIALS.finditer(text)]


def redact_value(key: str | None, value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if key is not None and is_secret_key(key):
        return MASK
    if isinstance(value, str):
        return redact_url(value)
    return value


class Redactor:
    """Collects the secret values seen in the inputs and scrubs them out of any text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._order: list[str] | None = None

    def _ordered(self) -> list[str]:
        """Longest first, so that a secret containing another is masked whole."""
        if self._order is None or len(self._order) != len(self._secrets):
            self._order = sorted(self._secrets, key=len, reverse=True)
        return self._order

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret != MASK:
            self._secrets.add(secret)

    def see(self, key: str, value: str | None) -> None:
        """Record ``key=value`` from an input: remember it if it is a secret."""
        if value is None:
            return
        if is_secret_key(key):
            self.add(value)
        for password in url_passwords(value):
            self.add(password)

    def scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            text = redact_url(value) if "@" in value else value  # URL credentials always have an '@'
            if self._secrets:
                for secret in self._ordered():
                    if secret in text:
                        text = text.replace(secret, MASK)
            return text
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.scrub(item) for item in value)
        if isinstance(value, dict):
            return {key: (MASK if isinstance(key, str) and is_secret_key(key) and item is not None else self.scrub(item)) for key, item in value.items()}
        return value
