"""Comment scanners: a '#' inside a string, a heredoc or a quoted env value is never a comment."""

from __future__ import annotations

from cfgate.waivers.comments import language_of, scan


def texts(path: str, source: str) -> list[tuple[int, str, bool]]:
    found = scan(path, source)
    assert found is not None
    return [(c.line, c.text.strip(), c.own_line) for c in found.comments]


def test_languages_by_file_name():
    assert [language_of(p) for p in ("a/main.tf", "x.tfvars", "db.py", ".env", ".env.prod", "prod.env", "v.tfvars.json")] == \
        ["hcl", "hcl", "python", "env", "env", "env", None]


def test_hcl_comment_forms_and_strings():
    source = (
        'a = "x # not // a comment /* either */"  # one\n'
        "// two\n"
        'b = "${var.x == "#" ? "//" : "c"}" /* three */ // four\n'
        "/* five\n"
        " * six\n"
        " */ c = 1\n"
        'd = "$${literal} # still a string"\n'
    )
    assert texts("main.tf", source) == [
        (1, "one", False), (2, "two", True), (3, "three", False), (3, "four", False),
        (4, "five", True), (5, "six", True), (6, "", False),
    ]


def test_hcl_heredoc_body_is_not_scanned():
    source = 'x = <<-EOT\n  # cfgate: waive CFG113 inside a heredoc\n  EOT\ny = 1 # after\n'
    assert texts("main.tf", source) == [(4, "after", False)]


def test_hcl_unterminated_string_does_not_hide_later_comments():
    source = 'x = "never closed\n# a comment\n'
    assert texts("main.tf", source) == [(2, "a comment", True)]


def test_python_uses_the_tokenizer():
    source = 'x = "# no"  # yes\ns = """\n# no, a docstring\n"""\n    # indented\n'
    assert texts("db.py", source) == [(1, "yes", False), (5, "indented", True)]


def test_python_that_cannot_be_tokenized_still_gives_comment_lines():
    source = 'x = (\n# a comment\n'  # an unclosed parenthesis
    assert texts("db.py", source) == [(2, "a comment", True)]


def test_env_follows_python_dotenv():
    source = (
        "# top\n"
        "A=1 # yes\n"
        "B=1#no\n"
        'C="a # b" # quoted then comment\n'
        "D='multi\n"
        "line # inside' # after\n"
        "export E=2  # exported\n"
    )
    assert texts(".env", source) == [
        (1, "top", True), (2, "yes", False), (4, "quoted then comment", False), (6, "after", False),
        (7, "exported", False),
    ]


def test_crlf_and_blank_lines():
    found = scan(".env", "# c\r\n\r\nA=1\r\n")
    assert found is not None
    assert [c.line for c in found.comments] == [1] and 2 in found.blank and found.comment_only == {1}


def test_json_tfvars_has_no_comments():
    assert scan("x.tfvars.json", '{"a": "# no"}') is None
