""".env parser: python-dotenv's grammar, each key on its own line, malformed lines isolated."""

from __future__ import annotations

from cfgate.parsers.env import inline_comment, parse_env

TEXT = (
    "# header comment\n"
    "A=1\n"
    "\n"
    "\n"
    "B='single # not a comment'  # real comment\n"
    'export C="multi\n'
    'line"\n'
    'BROKEN="unterminated\n'
    "just words here\n"
    "D=val # inline\n"
    "E\n"
    "F=\n"
    "A=2\n"
    "G=x#y\n"
)


def entries(text):
    env = parse_env(".env", text)
    return env, [(e.key, e.value, e.location.line) for e in env.entries]


def test_keys_keep_their_own_lines_despite_blanks_and_errors():
    env, rows = entries(TEXT)
    assert rows == [("A", "1", 2), ("B", "single # not a comment", 5), ("C", "multi\nline", 6),
                    ("D", "val", 10), ("E", None, 11), ("F", "", 12), ("A", "2", 13), ("G", "x#y", 14)]
    assert [(e.location.line, e.text) for e in env.errors] == [(8, 'BROKEN="unterminated'), (9, "just words here")]


def test_duplicates_last_one_wins():
    env, _ = entries(TEXT)
    assert env.get("A").value == "2" and env.get("A").location.line == 13


def test_comments():
    env, _ = entries(TEXT)
    by_key = {e.key: e for e in env.entries}
    assert by_key["B"].comment == "real comment"
    assert by_key["D"].comment == "inline"
    assert by_key["G"].comment is None
    assert by_key["A"].comments_above == ()  # the last A; the first one has the header above it
    assert env.entries[0].comments_above == ("header comment",)
    assert inline_comment('X="a # b" # expires: 2025-09-18') == "expires: 2025-09-18"


def test_crlf():
    _, rows = entries("A=1\r\n\r\nB=two # c\r\n")
    assert rows == [("A", "1", 1), ("B", "two", 3)]


def test_bom_is_stripped_by_the_reader(tmp_path):
    from cfgate.sources import read_text

    path = tmp_path / ".env"
    path.write_bytes(b"\xef\xbb\xbfA=1\n")
    _, rows = entries(read_text(path, ".env"))
    assert rows == [("A", "1", 1)]


def test_crlf_with_malformed_lines_keeps_later_lines():
    env, rows = entries('A=1\r\nX="abc\r\nB=2\r\nbad line\r\n')
    assert rows == [("A", "1", 1), ("B", "2", 3)]
    assert [e.location.line for e in env.errors] == [2, 4]
