"""CFG230-CFG249: ``.env`` hygiene, read the way python-dotenv reads a file (DOMAIN.md §5).

Each rule is one small class over ``ctx.workspace.env``: entry rules look at an entry's ``raw``
source text, line rules at the decoded ``env.text``. None of them prints a value: values may be
secrets, so messages name keys, lines and columns only.

Severities follow one principle. ``warning``: python-dotenv loads something other than what the
line appears to say, or a shell / ``docker --env-file`` reading the same file would get a different
key or value. ``info``: layout and style that changes nothing when the file is loaded. ``error``:
only a live credential in a file that is not an example.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..models import EnvEntry, EnvFile, Evaluation, Example, Location, RuleMeta
from ..redact import is_secret_key
from .base import Context, evaluation

# --- reading helpers ----------------------------------------------------------------------------

_EXAMPLE_PARTS = frozenset({"example", "examples", "sample", "template", "tmpl", "tpl", "dist"})
# raw (already left-stripped) = [export ]KEY[ws][=[ws]VALUE]; keys as python-dotenv reads them
_BINDING = re.compile(r"(?P<export>export[ \t]+)?(?P<key>'[^']+'|[^=#\s]+)(?P<before>[ \t]*)(?:=(?P<after>[ \t]*))?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT_LINE = re.compile(r"[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*=")


def is_example_file(path: str) -> bool:
    """``.env.example``, ``.env.sample``, ``.env.template``, ``example.env``, ``.env.local.dist``..."""
    name = path.rsplit("/", 1)[-1].lower()
    return any(part in _EXAMPLE_PARTS for part in name.split("."))


def text_lines(text: str) -> list[str]:
    """Lines without their terminator; the CR of a CRLF ending is part of the terminator."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def value_lines(env: EnvFile) -> set[int]:
    """Lines whose end lies inside a quoted value spanning lines, or inside an unparsable region:
    their whitespace and blank lines are data (or CFG201's business), not layout."""
    inside: set[int] = set()
    for entry in env.entries:
        end = entry.location.end_line or entry.location.line
        inside.update(range(entry.location.line, end))
    for error in env.errors:
        inside.update(range(error.location.line, error.location.line + error.text.count("\n") + 1))
    return inside


@dataclass(frozen=True)
class Binding:
    """Where the parts of one entry sit in its ``raw`` text (offsets into ``raw``)."""

    key_start: int
    key_end: int
    before: tuple[int, int]  # whitespace between key and '='
    after: tuple[int, int]  # whitespace between '=' and value
    has_equals: bool
    quote: str  # '"', "'" or "" (unquoted)
    value_start: int  # first character of the value's content (inside the quotes)
    value_end: int  # end of the content (before the closing quote, or before an inline comment)
    closed: bool  # a quoted value found its closing quote


def binding(entry: EnvEntry) -> Binding | None:
    raw = entry.raw
    m = _BINDING.match(raw)
    if m is None:
        return None
    key_start, key_end = m.span("key")
    if raw[key_start] == "'":
        key_start, key_end = key_start + 1, key_end - 1
    before = m.span("before")
    if m.group("after") is None:
        return Binding(key_start, key_end, before, (m.end(), m.end()), False, "", m.end(), m.end(), True)
    after = m.span("after")
    start = m.end()
    if start < len(raw) and raw[start] in "'\"":
        quote, index = raw[start], start + 1
        while index < len(raw) and raw[index] != quote:
            index += 2 if raw[index] == "\\" else 1
        closed = index < len(raw)
        return Binding(key_start, key_end, before, after, True, quote, start + 1, min(index, len(raw)), closed)
    comment = re.search(r"[ \t]+#", raw[start:])
    end = start + comment.start() if comment else len(raw)
    while end > start and raw[end - 1] in " \t\r":
        end -= 1
    return Binding(key_start, key_end, before, after, True, "", start, end, True)


def position(entry: EnvEntry, offset: int) -> tuple[int, int]:
    """(line, column) of an offset into ``entry.raw``."""
    head = entry.raw[:offset]
    newlines = head.count("\n")
    if not newlines:
        return entry.location.line, entry.location.column + offset
    return entry.location.line + newlines, offset - head.rfind("\n")


def at(env: EnvFile, line: int, column: int = 1) -> Location:
    return Location(file=env.path, line=line, column=column)


def entry_at(entry: EnvEntry, offset: int | None = None) -> Location:
    if offset is None:
        return entry.location
    line, column = position(entry, offset)
    return Location(file=entry.location.file, line=line, column=column)


class EnvRule:
    """One evaluation per finding, and a single pass per checked file that has none."""

    meta: RuleMeta
    default_enabled = True
    passed = "checked"

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for env in ctx.workspace.env:
            found = list(self.check(env))
            if found:
                yield from found
            else:
                yield evaluation(self.meta, "pass", f"{env.path}: {self.passed}", at(env, 1), env.path)

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        raise NotImplementedError

    def fail(self, message: str, location: Location, subject: str, severity: str | None = None) -> Evaluation:
        return evaluation(self.meta, "fail", message, location, subject, severity=severity)


# --- CFG230 duplicated key ----------------------------------------------------------------------

class DuplicateKey(EnvRule):
    meta = RuleMeta(
        id="CFG230",
        name="env-duplicate-key",
        title="A key is set more than once in one env file",
        severity="warning",
        rationale=(
            "python-dotenv keeps the last assignment and drops the earlier ones without a word, so a reviewer "
            "who edits the first KEY= line changes nothing. A real .env never needs two assignments of one key, "
            "which is why this is on and a warning; it is not an error because the file still loads."
        ),
        fix="Delete all but one assignment of the key (the last one is the value that applies today).",
        bad=Example(files={".env": "DEBUG=false\nPORT=8000\nDEBUG=true\n"}),
        good=Example(files={".env": "DEBUG=true\nPORT=8000\n"}),
    )
    passed = "no key is set twice"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        seen: dict[str, list[int]] = {}
        for entry in env.entries:
            earlier = seen.setdefault(entry.key, [])
            if earlier:
                lines = ", ".join(map(str, earlier))
                yield self.fail(
                    f"{entry.key} is set again (also at line {lines}); python-dotenv keeps only the last assignment",
                    entry.location, entry.key,
                )
            earlier.append(entry.location.line)


# --- CFG231 key without value -------------------------------------------------------------------

class KeyWithoutValue(EnvRule):
    meta = RuleMeta(
        id="CFG231",
        name="env-key-without-value",
        title="A line names a key but has no '='",
        severity="warning",
        rationale=(
            "A bare KEY line (no '=') is not an assignment: load_dotenv skips it and dotenv_values reports None, "
            "so the variable is silently not set. KEY= (an empty value) is deliberate and never reported. In "
            "example files (.env.example, .env.sample, .env.template) a bare key is only a template slot, so "
            "there it is info; elsewhere it is a warning."
        ),
        fix="Write KEY= for an empty value, give it a value, or delete the line.",
        bad=Example(files={".env": "DATABASE_URL=postgres://db/app\nSENTRY_DSN\n"}),
        good=Example(files={".env": "DATABASE_URL=postgres://db/app\nSENTRY_DSN=\n"}),
    )
    passed = "every key has '='"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        example = is_example_file(env.path)
        for entry in env.entries:
            if entry.value is None:
                yield self.fail(
                    f"{entry.key} has no '=': load_dotenv does not set it at all; write {entry.key}= for an empty value",
                    entry.location, entry.key, severity="info" if example else None,
                )


# --- CFG232 lowercase key -----------------------------------------------------------------------

_LOWERCASE_BY_CONVENTION = frozenset({"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy", "rsync_proxy"})


class LowercaseKey(EnvRule):
    meta = RuleMeta(
        id="CFG232",
        name="env-lowercase-key",
        title="A key contains lowercase letters",
        severity="info",
        rationale=(
            "Environment variable names are upper case by convention (POSIX reserves lower case for applications "
            "but every tool expects DATABASE_URL, not database_url), and on Windows names are case-insensitive, so "
            "Key and KEY collide. python-dotenv loads a lowercase key exactly as written, so nothing breaks: info. "
            "The proxy variables (http_proxy, https_proxy, no_proxy...) are lower case by convention and are not "
            "reported."
        ),
        fix="Rename the key to upper case, and the code that reads it.",
        bad=Example(files={".env": "database_url=postgres://db/app\n"}),
        good=Example(files={".env": "DATABASE_URL=postgres://db/app\nhttps_proxy=http://proxy:3128\n"}),
    )
    passed = "every key is upper case"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            if entry.key in _LOWERCASE_BY_CONVENTION or not any(c.islower() for c in entry.key):
                continue
            found = binding(entry)
            offset = None
            if found:
                offset = found.key_start + next(i for i, c in enumerate(entry.key) if c.islower())
            yield self.fail(f"{entry.key} contains lowercase letters; env keys are upper case by convention",
                            entry_at(entry, offset), entry.key)


# --- CFG233 incorrect delimiter / CFG234 leading character --------------------------------------

class KeyInvalidCharacter(EnvRule):
    meta = RuleMeta(
        id="CFG233",
        name="env-key-invalid-character",
        title="A key contains a character other than letters, digits and '_'",
        severity="warning",
        rationale=(
            "python-dotenv accepts any key up to '=' (API-KEY, app.port, even a quoted 'A B'), but a shell cannot "
            "export such a name (`set -a; . ./.env` fails with 'not a valid identifier'), docker compose "
            "interpolation cannot refer to it, and settings libraries map fields to [A-Z0-9_] names, so the value "
            "is usually never read. The file still loads, so this is a warning, not an error."
        ),
        fix="Use '_' as the word separator: API_KEY, APP_PORT.",
        bad=Example(files={".env": "API-KEY=abc\n"}),
        good=Example(files={".env": "API_KEY=abc\n"}),
    )
    passed = "every key uses only letters, digits and '_'"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            key = entry.key
            # the first character is CFG234's business; lower case is CFG232's
            bad = [i for i, c in enumerate(key) if i > 0 and not (c.isascii() and (c.isalnum() or c == "_"))]
            if not bad:
                continue
            found = binding(entry)
            offset = found.key_start + bad[0] if found else None
            shown = "a space" if key[bad[0]].isspace() else repr(key[bad[0]])
            yield self.fail(f"{key} contains {shown}; use only letters, digits and '_' in env keys",
                            entry_at(entry, offset), key)


class KeyLeadingCharacter(EnvRule):
    meta = RuleMeta(
        id="CFG234",
        name="env-key-leading-character",
        title="A key starts with a digit or another character that is not a letter or '_'",
        severity="warning",
        rationale=(
            "A variable name must start with a letter or '_' for a shell, docker compose interpolation and most "
            "settings libraries; 1PASSWORD_TOKEN or -DEBUG loads in python-dotenv but cannot be exported or "
            "referred to, and a leading '-', '.' or '*' is usually a stray character from an edit. A UTF-8 BOM "
            "is not a leading character: cfgate and python-dotenv both drop it."
        ),
        fix="Start the key with a letter (or '_'): ONEPASSWORD_TOKEN, DEBUG.",
        bad=Example(files={".env": "1PASSWORD_VAULT=dev\n"}),
        good=Example(files={".env": "ONEPASSWORD_VAULT=dev\n"}),
    )
    passed = "every key starts with a letter or '_'"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            first = entry.key[:1]
            if first == "_" or (first.isascii() and first.isalpha()):
                continue
            found = binding(entry)
            yield self.fail(f"{entry.key} starts with {first!r}; start env keys with a letter or '_'",
                            entry_at(entry, found.key_start if found else None), entry.key)


# --- CFG235 space around '=' --------------------------------------------------------------------

class SpaceAroundEquals(EnvRule):
    meta = RuleMeta(
        id="CFG235",
        name="env-space-around-equals",
        title="Whitespace around '=' in an assignment",
        severity="warning",
        rationale=(
            "python-dotenv ignores whitespace around '=', but the same file is often also read by `docker run "
            "--env-file` (which keeps it in the key or value), sourced by a shell (where `KEY = value` runs a "
            "command named KEY) or read by systemd, so the value depends on who reads the file. Warning, because "
            "the value differs between readers; `export KEY=value`, indentation and `KEY=  # comment` (an empty "
            "value with a comment) are fine and not reported."
        ),
        fix="Write KEY=value with nothing between the key, '=' and the value; quote a value that starts with a space.",
        bad=Example(files={".env": "PORT = 8000\n"}),
        good=Example(files={".env": "PORT=8000\nexport HOST=0.0.0.0\n"}),
    )
    passed = "no whitespace around '='"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            found = binding(entry)
            if found is None or not found.has_equals:
                continue
            before = found.before[1] > found.before[0]
            rest = entry.raw[found.after[1]:]
            after = found.after[1] > found.after[0] and rest.strip() != "" and not rest.startswith("#")
            if not (before or after):
                continue
            where = "before and after" if before and after else ("before" if before else "after")
            offset = found.before[0] if before else found.after[0]
            yield self.fail(f"{entry.key} has whitespace {where} '='; python-dotenv drops it but a shell or "
                            "docker --env-file does not", entry_at(entry, offset), entry.key)


# --- CFG236 quotes not needed -------------------------------------------------------------------

_NEEDS_NO_QUOTES = re.compile(r"[A-Za-z0-9_./:@%+,=-]+")


class UnneededQuotes(EnvRule):
    meta = RuleMeta(
        id="CFG236",
        name="env-unneeded-quotes",
        title="A value is quoted although it contains nothing that needs quoting",
        severity="info",
        rationale=(
            "Quotes are needed for a value with spaces, '#', '$', quotes, backslash escapes, several lines or a "
            "character a shell would expand (~ * ? ; & | < > ( ) ! ` { } [ ]), and those are never reported. Around "
            "a plain word, number or URL they change nothing in python-dotenv or compose, but `docker run "
            "--env-file` keeps them as part of the value. Style with a small portability payoff: info. Empty "
            "quotes (KEY=\"\") are a common explicit empty value and are not reported."
        ),
        fix="Drop the quotes: KEY=value.",
        bad=Example(files={".env": 'PORT="8000"\n'}),
        good=Example(files={".env": 'PORT=8000\nAPP_NAME="Acme Shop"\n'}),
    )
    passed = "no value has quotes it does not need"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            found = binding(entry)
            if found is None or not found.quote or not found.closed:
                continue
            content = entry.raw[found.value_start:found.value_end]
            if content and _NEEDS_NO_QUOTES.fullmatch(content):
                yield self.fail(f"{entry.key}'s value needs no quotes; docker --env-file would keep them in the value",
                                entry_at(entry, found.value_start - 1), entry.key)


# --- CFG237 substitution python-dotenv reads differently ---------------------------------------

_WELL_KNOWN_VARS = frozenset({"HOME", "USER", "LOGNAME", "PATH", "PWD", "HOSTNAME", "SHELL", "TMPDIR", "LANG"})
_BARE_REF = re.compile(r"(?<![\\$])\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
_BRACED_BODY = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^$]*))?")
_URL_CREDENTIALS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:[^@/?#\s]+@")


class SubstitutionMisread(EnvRule):
    meta = RuleMeta(
        id="CFG237",
        name="env-substitution-misread",
        title="A $-reference that python-dotenv expands differently from a shell or compose",
        severity="warning",
        rationale=(
            "python-dotenv expands only ${NAME} and ${NAME:-default}, in file order. A bare $NAME stays literal "
            "(a shell and compose would expand it), an unclosed ${NAME or ${NAME:=x} / ${NAME-x} stays literal or "
            "expands to an empty string, ${NAME} referring to a key defined further down gets os.environ's value "
            "or an empty string, and ${NAME} inside single quotes IS expanded (a shell would not). Each gives the "
            "app a different value from the one the author meant: warning. To cut noise from passwords and "
            "hashes containing '$', a bare $name is reported only in upper case, and in secret-like keys or URL "
            "credentials only when it names a key of the same file; single-quoted $NAME and $$ are left alone."
        ),
        fix="Write ${NAME} (or ${NAME:-default}), define NAME above the line that uses it, and single-quote nothing you want expanded.",
        bad=Example(files={".env": "HOST=db.internal\nDATABASE_URL=postgres://$HOST/app\n"}),
        good=Example(files={".env": "HOST=db.internal\nDATABASE_URL=postgres://${HOST}/app\n"}),
    )
    passed = "every $-reference means what it says"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        defined: dict[str, int] = {}
        for entry in env.entries:
            defined.setdefault(entry.key, entry.location.line)
        defined_above: set[str] = set()
        for entry in env.entries:
            found = binding(entry)
            if found is not None and found.has_equals and found.closed:
                yield from self._check_value(entry, found, defined, defined_above)
            defined_above.add(entry.key)

    def _check_value(self, entry: EnvEntry, found: Binding, defined: dict[str, int], above: set[str]) -> Iterator[Evaluation]:
        raw, start, end = entry.raw, found.value_start, found.value_end
        content = raw[start:end]
        secret = is_secret_key(entry.key)
        credentials = [m.span() for m in _URL_CREDENTIALS.finditer(content)]
        index = content.find("${")
        while index >= 0:
            close = content.find("}", index + 2)
            offset = start + index
            if close < 0:
                yield self.fail(f"{entry.key} has '${{' with no closing '}}'; python-dotenv keeps it literally",
                                entry_at(entry, offset), entry.key)
                break
            body = _BRACED_BODY.fullmatch(content[index + 2:close])
            if body is None:
                yield self.fail(f"{entry.key} uses a ${{...}} form python-dotenv does not support (only ${{NAME}} and "
                                "${NAME:-default}); it keeps it literally or expands it to an empty string",
                                entry_at(entry, offset), entry.key)
            elif found.quote == "'":
                yield self.fail(f"{entry.key} is single-quoted but python-dotenv still expands its ${{...}} "
                                "(a shell would not)", entry_at(entry, offset), entry.key)
            elif body["name"] in defined and body["name"] not in above and body["name"] != entry.key:
                yield self.fail(f"{entry.key} refers to ${{{body['name']}}}, which is defined only later "
                                f"(line {defined[body['name']]}); python-dotenv expands in file order, so it gets "
                                "os.environ's value or an empty string", entry_at(entry, offset), entry.key)
            index = content.find("${", close + 1)
        if found.quote == "'":
            return  # single quotes: a shell would not expand $NAME either
        for m in _BARE_REF.finditer(content):
            name = m["name"]
            if content[m.end():m.end() + 1] == "{":
                continue
            sensitive = secret or any(a <= m.start() < b for a, b in credentials)
            if sensitive:
                if name not in defined and name not in _WELL_KNOWN_VARS:
                    continue
                message = f"{entry.key} has a bare $-reference; python-dotenv expands only ${{NAME}}"
            else:
                if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                    continue
                message = f"{entry.key} has ${name}, which python-dotenv does not expand (a shell would); write ${{{name}}}"
            yield self.fail(message, entry_at(entry, start + m.start()), entry.key)


# --- CFG238 trailing whitespace / CFG239 extra blank line / CFG240 file ending -------------------

class TrailingWhitespace(EnvRule):
    meta = RuleMeta(
        id="CFG238",
        name="env-trailing-whitespace",
        title="A line ends with spaces or tabs",
        severity="info",
        rationale=(
            "Invisible trailing whitespace after an unquoted value is dropped by python-dotenv and compose but "
            "kept by `docker run --env-file`, and it makes diffs noisy. It changes nothing for python-dotenv, so "
            "info. A CRLF line ending is not trailing whitespace, and whitespace inside a quoted multi-line value "
            "is data and is not reported."
        ),
        fix="Delete the whitespace at the end of the line (most editors can do it on save).",
        bad=Example(files={".env": "DEBUG=true  \n"}),
        good=Example(files={".env": "DEBUG=true\r\nPORT=8000\r\n"}),
    )
    passed = "no line ends with whitespace"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        data = value_lines(env)
        for number, line in enumerate(text_lines(env.text), start=1):
            if number in data:
                continue
            kept = line.rstrip()
            if kept != line:
                yield self.fail("the line ends with whitespace", at(env, number, len(kept) + 1), f"{env.path}:{number}")


def _blank_runs(env: EnvFile) -> tuple[list[str], list[tuple[int, int]]]:
    """Runs of blank layout lines as (first, last) line numbers."""
    lines = text_lines(env.text)
    data = value_lines(env)
    runs: list[tuple[int, int]] = []
    start = None
    for number, line in enumerate(lines, start=1):
        blank = number not in data and line.strip() == ""
        if blank and start is None:
            start = number
        elif not blank and start is not None:
            runs.append((start, number - 1))
            start = None
    if start is not None:
        runs.append((start, len(lines)))
    return lines, runs


class ExtraBlankLine(EnvRule):
    meta = RuleMeta(
        id="CFG239",
        name="env-extra-blank-line",
        title="Two or more blank lines in a row",
        severity="info",
        rationale=(
            "One blank line separates groups of keys and is good layout; a second one in a row carries no meaning. "
            "Pure layout, so info. Blank lines at the end of the file are CFG240's business, and blank lines inside "
            "a quoted multi-line value are data."
        ),
        fix="Keep one blank line between groups.",
        bad=Example(files={".env": "DEBUG=true\n\n\nPORT=8000\n"}),
        good=Example(files={".env": "DEBUG=true\n\nPORT=8000\n"}),
    )
    passed = "no blank lines in a row"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        lines, runs = _blank_runs(env)
        for first, last in runs:
            if last - first >= 1 and last < len(lines):
                yield self.fail(f"{last - first + 1} blank lines in a row; one separates groups",
                                at(env, first + 1), f"{env.path}:{first + 1}")


class EndingBlankLine(EnvRule):
    meta = RuleMeta(
        id="CFG240",
        name="env-ending-blank-line",
        title="An env file does not end with exactly one newline",
        severity="info",
        rationale=(
            "A file without a final newline makes `echo KEY=value >> .env` glue the new key onto the last line "
            "(DEBUG=trueKEY=value), and blank lines after the last key carry no meaning. python-dotenv reads "
            "both the same, so info. CRLF files end with CRLF and are fine; an empty file is fine."
        ),
        fix="End the file with a single newline after the last line.",
        bad=Example(files={".env": "DEBUG=true"}),
        good=Example(files={".env": "DEBUG=true\n"}),
    )
    passed = "ends with one newline"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        if env.text == "":
            return
        lines, runs = _blank_runs(env)
        if not env.text.endswith("\n"):
            yield self.fail("no newline at the end of the file", at(env, len(lines), len(lines[-1]) + 1),
                            f"{env.path}:{len(lines)}")
        elif runs and runs[-1][1] == len(lines):
            first, last = runs[-1]
            yield self.fail(f"{last - first + 1} blank line(s) at the end of the file", at(env, first), f"{env.path}:{first}")


# --- CFG241 unordered keys (off by default) ----------------------------------------------------

class UnorderedKey(EnvRule):
    meta = RuleMeta(
        id="CFG241",
        name="env-unordered-key",
        title="Keys in a group are not in alphabetical order (off by default)",
        severity="info",
        rationale=(
            "Sorted keys make a long file easy to scan and merge. Most real files group keys by meaning "
            "(DATABASE_URL next to DATABASE_POOL_SIZE, the app's name first), so this would be noise on a typical "
            "web app: it is off by default and info; turn it on with --select CFG241. A group is a run of keys "
            "with no blank or comment line between them, and a key that interpolates an earlier key of its group "
            "(${NAME}) must stay below it and is not reported."
        ),
        fix="Sort the keys of the group alphabetically, or separate unrelated groups with a blank line.",
        bad=Example(files={".env": "PORT=8000\nDEBUG=true\n"}),
        good=Example(files={".env": "DEBUG=true\nPORT=8000\n\nALLOWED_HOSTS=example.com\n"}),
    )
    default_enabled = False
    passed = "keys are ordered within each group"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        group: list[EnvEntry] = []
        previous_end = None
        for entry in env.entries:
            if previous_end is None or entry.location.line != previous_end + 1:
                group = []
            previous_end = entry.location.end_line or entry.location.line
            refers = {m["name"] for m in re.finditer(r"\$\{(?P<name>[^}:]*)", entry.raw)}
            previous = group[-1] if group else None
            if previous and previous.key.upper() > entry.key.upper() and not refers & {e.key for e in group}:
                yield self.fail(f"{entry.key} should come before {previous.key} (line {previous.location.line}) "
                                "in this group", entry.location, entry.key)
            group.append(entry)


# --- CFG242 unbalanced quotes -------------------------------------------------------------------

_APOSTROPHE = re.compile(r"(?<=[A-Za-z0-9])'(?=[A-Za-z0-9])")


class UnbalancedQuotes(EnvRule):
    meta = RuleMeta(
        id="CFG242",
        name="env-unbalanced-quotes",
        title="A value has a quote that is never closed, or a quote that swallows the following lines",
        severity="warning",
        rationale=(
            "python-dotenv takes I=open \"quote literally, quote included, where the author meant a quoted value; "
            "and a quote left open can run on and close on a later line, turning the KEY=value lines in between "
            "into part of one value so those keys vanish. (An unclosed quote at the start of a value is a parse "
            "error, CFG201.) The app gets another value than the one written: warning. An apostrophe inside a "
            "word (O'Brien, it's), balanced quotes inside a value (JSON), and a single quote inside a password in a "
            "secret-like key (generated passwords contain them) are not reported."
        ),
        fix="Close the quote on the same line, or quote the whole value and escape the inner quote.",
        bad=Example(files={".env": 'GREETING=Hello "world\n'}),
        good=Example(files={".env": "GREETING='Hello \"world\"'\nOWNER=O'Brien\n"}),
    )
    passed = "every quote is closed where it should be"

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            found = binding(entry)
            if found is None or not found.has_equals:
                continue
            content = entry.raw[found.value_start:found.value_end]
            if not found.quote:
                # a generated password may hold one quote on purpose: there only a trailing quote (a lost opener) counts
                secret = is_secret_key(entry.key)
                for quote, text in (('"', content), ("'", _APOSTROPHE.sub("", content))):
                    if text.count(quote) % 2 and (not secret or content.endswith(quote)):
                        offset = found.value_start + content.rfind(quote)
                        yield self.fail(f"{entry.key}'s value has an unmatched {quote}; python-dotenv keeps it as a "
                                        "literal character", entry_at(entry, offset), entry.key)
                        break
                continue
            inner = content.split("\n")[1:]
            swallowed = [i for i, line in enumerate(inner, start=1) if _ASSIGNMENT_LINE.match(line)]
            if swallowed:
                end = entry.location.end_line or entry.location.line
                lines = ", ".join(str(entry.location.line + i) for i in swallowed)
                yield self.fail(f"{entry.key}'s quote opened here closes only at line {end}, so line {lines} "
                                "(a KEY=value line) becomes part of its value", entry_at(entry, found.value_start - 1),
                                entry.key)


# --- CFG243 committed secret --------------------------------------------------------------------

_TOKENS = (
    ("a GitHub token", re.compile(r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}")),
    ("a GitHub fine-grained token", re.compile(r"github_pat_[A-Za-z0-9_]{40,}")),
    ("a Stripe live key", re.compile(r"(?:sk|rk)_live_[A-Za-z0-9]{16,}")),
    ("an AWS access key id", re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{16}")),
    ("a Slack token", re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"AIza[A-Za-z0-9_-]{35}")),
    ("a GitLab token", re.compile(r"glpat-[A-Za-z0-9_-]{20,}")),
    ("an OpenAI or Anthropic API key", re.compile(r"sk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{32,}")),
    ("a SendGrid key", re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")),
    ("an npm token", re.compile(r"npm_[A-Za-z0-9]{36}")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
)
_PLACEHOLDER_WORDS = ("example", "sample", "placeholder", "change", "replace", "your", "dummy", "fake", "test",
                      "insecure", "secret", "password", "todo", "xxx", "dev", "local", "<", ">", "${", "***")
_PLACEHOLDER_PASSWORDS = frozenset({"password", "pass", "passwd", "postgres", "root", "admin", "secret", "changeme",
                                    "example", "test", "dev", "guest", "mysql", "redis", "user", "pwd", "app"})
# public by design (browser-side keys) or test mode: not a leak even when long and random
_PUBLIC_KEY_WORDS = ("PUBLIC", "PUBLISHABLE", "ANON", "SITE_KEY")
_NOT_LIVE_PREFIXES = ("pk_live_", "pk_test_", "sk_test_", "rk_test_")
_DEV_HOST_SUFFIXES = (".local", ".localhost", ".test", ".example", ".invalid", "example.com", "example.org", "example.net")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^:/?#@\s]*):(?P<password>[^@/?#\s]+)@(?P<host>\[[^\]]*\]|[^:/?#\s]*)")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_like_placeholder(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in _PLACEHOLDER_WORDS) or re.search(r"(.)\1{5}", text) is not None


def looks_random(text: str) -> bool:
    """Long, one token, varied: a generated key rather than a word or a sentence."""
    if len(text) < 16 or any(c.isspace() for c in text) or looks_like_placeholder(text):
        return False
    classes = sum(bool(re.search(pattern, text)) for pattern in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes >= 2 and entropy(text) >= 3.5


def _dev_host(host: str) -> bool:
    """localhost, loopback, a compose service name (db, redis), a reserved test domain; not Kubernetes DNS."""
    host = host.lower().strip("[]")
    if host.endswith(".cluster.local"):
        return False
    return ("." not in host and ":" not in host) or host in ("127.0.0.1", "::1", "0.0.0.0", "host.docker.internal") \
        or host.startswith("127.") or host.endswith(_DEV_HOST_SUFFIXES)


def secret_kind(key: str, value: str) -> str | None:
    """What kind of credential ``value`` looks like, or None. Never returns any part of the value."""
    for kind, pattern in _TOKENS:
        for m in pattern.finditer(value):
            body = m.group(0)
            if kind == "a private key" or not looks_like_placeholder(body) and entropy(body) >= 3.0:
                return kind
    for m in _URL.finditer(value):
        password = m["password"]
        if _dev_host(m["host"]) or password == m["user"] or password.lower() in _PLACEHOLDER_PASSWORDS \
                or looks_like_placeholder(password):
            continue
        return "a URL with an inline password for a non-local host"
    public = any(word in key.upper() for word in _PUBLIC_KEY_WORDS) or value.startswith(_NOT_LIVE_PREFIXES)
    if is_secret_key(key) and not public and looks_random(value):
        return "a high-entropy value in a secret-like key"
    return None


class CommittedSecret(EnvRule):
    meta = RuleMeta(
        id="CFG243",
        name="env-committed-secret",
        title="A live-looking credential in an env file that is not an example",
        severity="error",
        rationale=(
            "In CI the checkout holds only committed files, so a credential there is in the repository history "
            "for everyone with read access, and rotating it is the only fix: error. To stay quiet on a real "
            "web app, it looks only for: tokens with a known issuer prefix (ghp_, github_pat_, sk_live_, AKIA, "
            "xoxb-, AIza, glpat-, sk-, SG., npm_, a PEM private key); a URL with an inline password for a host "
            "that is not local (localhost, 127.*, host.docker.internal, a single-label compose service name like "
            "db, *.local but not *.cluster.local, *.test, example.com); and a long, varied value in a secret-like "
            "key (*SECRET*, *TOKEN*, *PASSWORD*, *_KEY...). Placeholders (changeme, your-key-here, xxxx, EXAMPLE, "
            "django-insecure-..., ${VAR}), Stripe test keys and keys public by design (pk_live_/pk_test_, "
            "*PUBLIC*, *PUBLISHABLE*, *ANON*, *SITE_KEY) are not reported, and example files (.env.example, "
            ".env.sample, .env.template, *.example) are skipped. "
            "A local, git-ignored .env that holds real credentials will fail too: exclude it (--exclude .env) when "
            "checking a working copy. The message never contains the value."
        ),
        fix=(
            "Revoke and rotate the credential, remove it from the file (and the history), and load it from a secret "
            "manager or a git-ignored file; commit only a .env.example with placeholders."
        ),
        bad=Example(files={".env": "GITHUB_TOKEN=ghp_" + "Zq8mXr2LkT9vWb4NcY7pHs1DjF5gUa3Ee6Qo" + "\n"}),
        good=Example(files={".env": "GITHUB_TOKEN=${GITHUB_TOKEN}\nDATABASE_URL=postgres://app:app@db:5432/app\n",
                            ".env.example": "GITHUB_TOKEN=ghp_your_token_here\n"}),
    )
    passed = "no live-looking credential"

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        for env in ctx.workspace.env:
            if is_example_file(env.path):
                continue  # an example file documents keys; its values are placeholders by intent
            found = list(self.check(env))
            yield from found or [evaluation(self.meta, "pass", f"{env.path}: {self.passed}", at(env, 1), env.path)]

    def check(self, env: EnvFile) -> Iterator[Evaluation]:
        for entry in env.entries:
            if not entry.value:
                continue
            kind = secret_kind(entry.key, entry.value)
            if kind:
                yield self.fail(f"{entry.key} holds what looks like {kind}, in a file that is not an example; "
                                "rotate it and load it from a secret store", entry.location, entry.key)


ENV_HYGIENE_RULES = (
    DuplicateKey(), KeyWithoutValue(), LowercaseKey(), KeyInvalidCharacter(), KeyLeadingCharacter(),
    SpaceAroundEquals(), UnneededQuotes(), SubstitutionMisread(), TrailingWhitespace(), ExtraBlankLine(),
    EndingBlankLine(), UnorderedKey(), UnbalancedQuotes(), CommittedSecret(),
)
