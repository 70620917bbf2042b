"""Keep credentials out of everything the probe stage prints or returns.

Three tools:

* :func:`redact_address` masks the password of a URL's userinfo, the ``password=`` of a libpq
  ``key=value`` string and secret-looking query parameters: ``postgresql://app:***@db/app``.
* :func:`secrets_of` lists the literal secrets an address carries (raw and percent-decoded).
* :func:`scrub` removes those secrets from arbitrary text, such as a driver's error message
  (libpq and psycopg may echo the DSN, e.g. ``invalid percent-encoded token: "p%ss"``), and
  applies the same pattern masking as :func:`redact_address` to whatever URLs it contains.

Literal replacement skips secrets shorter than :data:`MIN_SECRET_LEN` characters, which would
otherwise shred unrelated words; the pattern masking still hides them where they appear as a
password (``user:x@``, ``password=x``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

MASK = "***"
MIN_SECRET_LEN = 3

SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "sslpassword",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "auth_token",
        "api_key",
        "apikey",
        "sig",
        "signature",
    }
)
"""Query / conninfo keys whose values are secrets (compared case-insensitively)."""

_TOKEN_USERINFO_SCHEMES = frozenset({"http", "https"})
"""Schemes where a userinfo without a colon is usually a token (``https://ghp_x@host``)."""

# scheme://userinfo@ — the userinfo runs to the *last* "@" of the authority, like urlsplit.
_URL_USERINFO = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*)://(?P<userinfo>[^/?#\s\"'<>]*)@",
)
# key=value with a secret key, in a query string or a libpq conninfo (value optionally quoted).
_SECRET_PAIR = re.compile(
    r"(?P<key>\b(?:" + "|".join(sorted(SECRET_KEYS, key=len, reverse=True)) + r"))"
    r"(?P<eq>\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'?|[^\s&;,\"']*)",
    re.IGNORECASE,
)


def _mask_userinfo(match: re.Match[str]) -> str:
    scheme, userinfo = match.group("scheme"), match.group("userinfo")
    if ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        return f"{scheme}://{user}:{MASK}@"
    if userinfo and scheme.lower() in _TOKEN_USERINFO_SCHEMES:
        return f"{scheme}://{MASK}@"
    return match.group(0)


def _mask_pair(match: re.Match[str]) -> str:
    value = match.group("value")
    if not value:
        return match.group(0)
    return f"{match.group('key')}{match.group('eq')}{MASK}"


def redact_address(address: str) -> str:
    """Return ``address`` with its credentials masked; usernames, hosts and paths stay."""
    return _SECRET_PAIR.sub(_mask_pair, _URL_USERINFO.sub(_mask_userinfo, address))


def _variants(value: str) -> set[str]:
    return {value, unquote(value), unquote_plus(value)}


def secrets_of(address: str) -> list[str]:
    """The literal secrets carried by ``address``, longest first (for :func:`scrub`)."""
    found: set[str] = set()
    if "://" in address:
        try:
            parts = urlsplit(address)
        except ValueError:
            parts = None
        if parts is not None:
            userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
            if ":" in userinfo:
                found |= _variants(userinfo.split(":", 1)[1])
            elif userinfo and parts.scheme.lower() in _TOKEN_USERINFO_SCHEMES:
                found |= _variants(userinfo)
            for key, value in parse_qsl(parts.query, keep_blank_values=False):
                if key.lower() in SECRET_KEYS:
                    found |= _variants(value)
    for match in _SECRET_PAIR.finditer(address):
        value = match.group("value")
        if value.startswith("'"):
            value = value[1:-1] if value.endswith("'") and len(value) > 1 else value[1:]
            found.add(value.replace("\\'", "'").replace("\\\\", "\\"))
        found |= _variants(value)
    return sorted((s for s in found if s), key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove ``secrets`` (see :func:`secrets_of`) and any URL/conninfo password from ``text``."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LEN:
            text = text.replace(secret, MASK)
    return redact_address(text)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse a multi-line driver message to one line, at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
