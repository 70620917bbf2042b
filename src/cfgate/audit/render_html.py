"""The audit as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched.

A Content-Security-Policy of ``default-src 'none'`` (styles inline only) makes the "nothing fetched"
a property of the page itself: even a value that slipped through as markup could not load anything.
Every text from the inputs goes through :func:`html.escape`.

Section ids (``summary``, ``before-after``, ``bypass-register``, ``waiver-register``, ``unknowns``,
``evaluations``, ``inputs``) are stable: tests and links rely on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .model import AuditReport, Comparison, FindingChange
from .svg import COLOURS, before_after_chart, timeline
from .text import cell_text, days_text, details_text, plural, value_text, verdict_text

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 16px; margin: 20px 0 8px; }
.sub { color: #57606a; margin: 0 0 16px; }
.verdict { padding: 12px 16px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
.verdict.fail { background: #fdecea; border: 1px solid #e5a39c; }
.verdict.pass { background: #e9f5ec; border: 1px solid #9ccba8; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card b { display: block; font-size: 22px; }
.card span { color: #57606a; font-size: 12px; }
nav { margin: 8px 0 4px; font-size: 13px; }
nav a { margin-right: 12px; color: #0550ae; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef1f4; font-weight: 600; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.loc { min-width: 24ch; }
td.rule { min-width: 19ch; }
td.note { min-width: 20ch; }
td.wide { min-width: 26ch; }
.small { font-size: 11px; }
td.num { text-align: right; white-space: nowrap; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.b-fail { background: #ffd7d5; color: #82071e; }
.b-pass { background: #d3f0db; color: #116329; }
.b-unknown { background: #ece2fb; color: #512a97; }
.b-waived { background: #fff1c2; color: #6f4b00; }
.b-new { background: #ffd7d5; color: #82071e; }
.b-fixed { background: #d3f0db; color: #116329; }
.b-same { background: #e7ecf0; color: #424a53; }
.up { color: #9a3412; font-weight: 600; }
.down { color: #0f5132; font-weight: 600; }
.muted { color: #6e7781; }
.warn { color: #9a3412; font-weight: 600; }
.chart { display: block; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 8px 0 14px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
.kv th { width: 220px; }
details > summary { cursor: pointer; color: #0550ae; margin: 6px 0; }
footer { margin-top: 32px; color: #6e7781; font-size: 12px; }
@media print { body { background: #fff; } main { max-width: none; padding: 0; } details { display: block; } }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _code(value: object) -> str:
    return f"<code>{_e(value)}</code>"


def _where(file: str | None, line: int | None) -> str:
    if not file:
        return '<span class="muted">-</span>'
    return _code(f"{file}:{line}" if line else file)


def _table(table_id: str | None, header: Iterable[str], rows: Iterable[Iterable[str]],
           classes: dict[int, str] | None = None) -> str:
    """A table from already-escaped cells; ``classes`` styles columns by index (``num``, ``nowrap``, ``loc``)."""
    classes = classes or {}

    def td(i: int, content: str) -> str:
        return f'<td class="{classes[i]}">{content}</td>' if i in classes else f"<td>{content}</td>"

    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(td(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rule(rule: str, name: str) -> str:
    return f'{_e(rule)}<br><span class="muted small">{_e(name)}</span>'


def _value(value: object) -> str:
    return '<span class="muted">-</span>' if value is None else _e(value_text(value))


def _badge(status: str | None) -> str:
    if status is None:
        return '<span class="muted">-</span>'
    return f'<span class="badge b-{_e(status)}">{_e(status)}</span>'


def _header(report: AuditReport) -> str:
    s = report.verdict.summary
    verdict = "fail" if report.verdict.exit_code else "pass"
    cards = "".join(f'<div class="card"><b>{s[key]}</b><span>{label}</span></div>'
                    for label, key in (("errors", "errors"), ("warnings", "warnings"), ("info", "info"), ("unknown", "unknown"),
                                       ("waived", "waived"), ("passed", "passed"), ("files", "files")))
    sections = [("summary", "Summary"), ("timeline", "Expiry timeline"), ("bypass-register", "Bypass register"),
                ("waiver-register", "Waiver register")]
    if report.comparison is not None:
        sections.append(("before-after", "Before and after"))
    sections += [("unknowns", "Unknowns"), ("evaluations", "Evaluations"), ("run", "Run and inputs")]
    nav = "".join(f'<a href="#{ident}">{title}</a>' for ident, title in sections)
    base = ""
    if report.comparison is not None:
        base = f" &middot; compared with {_code(report.comparison.ref)} ({_code(report.comparison.commit[:12])})"
    return (f'<header id="summary"><h1>cfgate audit report</h1>'
            f'<p class="sub">as of <b>{_e(report.as_of)}</b> &middot; {_e(report.tool)} {_e(report.version)} &middot; '
            f'policy set sha256 {_code(report.policy_set_sha256[:16])}&hellip;{base}</p>'
            f'<nav>{nav}</nav>'
            f'<div class="verdict {verdict}">{_e(verdict_text(report))}</div>'
            f'<div class="cards">{cards}</div></header>')


def _change_class(change: str) -> str:
    if change.startswith("+"):
        return "up"
    if change.startswith("-"):
        return "down"
    return "warn" if change.startswith("unknown") else ""


def _finding_rows(items: tuple[FindingChange, ...], kind: str) -> list[list[str]]:
    return [[f'<span class="badge b-{kind}">{kind}</span>', _where(f.file, f.line), _rule(f"{f.rule} \u00b7 {f.severity}", f.name),
             _code(f.subject), _value(f.value),
             f"{_badge(f.status_before)} &rarr; {_badge(f.status_after)}", _e(f.message),
             _e(f.note) if f.note else ""] for f in items]


def _comparison(c: Comparison) -> str:
    out = ['<section id="before-after"><h2>Before and after</h2>',
           f'<p>Base {_code(c.ref)}, commit {_code(c.commit)}. ' + " ".join(_e(n) for n in c.notes) + "</p>",
           f"<h3>Changed values ({len(c.values)})</h3>"]
    if c.values:
        rows = []
        for v in c.values:
            where = _where(v.file, v.after.line or v.before.line)
            if v.base_file:
                where += f' <span class="muted">(was in {_code(v.base_file)})</span>'
            checked = _e(", ".join(v.rules)) if v.rules else '<span class="warn">not checked by any rule</span>'
            rows.append([_code(v.subject), where, _e(cell_text(v.before)), _e(cell_text(v.after)),
                         f'<span class="{_change_class(v.change)}">{_e(v.change)}</span>', checked])
        out.append(_table("changed-values", ["Subject", "Where", "Before", "After", "Change", "Checked by"], rows,
                          {0: "loc", 1: "loc", 4: "num"}))
        chart = before_after_chart(c.values)
        if chart:
            out += ["<h3>Changed numbers</h3>", chart]
    else:
        out.append("<p>No value changed.</p>")
    counts = f"{len(c.new)} new, {len(c.fixed)} fixed, {len(c.unchanged)} unchanged"
    out.append(f"<h3>Findings: {counts}</h3>")
    rows = _finding_rows(c.new, "new") + _finding_rows(c.fixed, "fixed") + _finding_rows(c.unchanged, "same")
    if rows:
        out.append(_table("findings-diff", ["", "Where", "Rule", "Subject", "Value", "Status", "Message", "Note"], rows,
                          {0: "nowrap", 1: "loc", 2: "rule", 3: "loc", 5: "nowrap", 6: "wide", 7: "note"}))
    else:
        out.append('<p id="findings-diff">No findings on either side.</p>')
    out.append("<h3>Input files compared</h3>")
    out.append(_table("inputs-diff", ["File", "Change", "sha256 before", "sha256 after"],
                      [[_code(i.file), _e(i.change), _code(i.before) if i.before else "-", _code(i.after) if i.after else "-"]
                       for i in c.inputs], {1: "nowrap"}))
    out.append("</section>")
    return "\n".join(out)


def _legend() -> str:
    items = [("ok", "active"), ("soon", "expiring soon"), ("overdue", "overdue"), ("too-far", "beyond the allowed window"),
             ("void", "waives nothing")]
    spans = "".join(f'<span><i style="background:{COLOURS[k]}"></i>{_e(label)}</span>' for k, label in items)
    return f'<p class="legend">{spans}<span><i style="border:2px dashed {COLOURS["none"]}"></i>no expiry</span>' \
           f'<span><i style="background:{COLOURS["as-of"]}"></i>as-of date</span></p>'


def _timeline(report: AuditReport) -> str:
    svg = timeline(report)
    body = _legend() + svg if svg else "<p>No enabled bypass flag and no waiver: nothing expires.</p>"
    return f'<section id="timeline"><h2>Expiry timeline</h2>{body}</section>'


def _bypasses(report: AuditReport) -> str:
    out = [f'<section id="bypass-register"><h2>Bypass register ({len(report.bypasses)})</h2>']
    if report.bypasses:
        rows = [[_code(b.flag), _where(b.file, b.line), _value(b.value), _e(b.expiry or ("-" if b.state == "off" else "none")),
                 _e(days_text(b.days_left)), _e(b.state), _e(b.expiry_source or "-"), _badge(b.status)] for b in report.bypasses]
        out.append(_table("bypass-table", ["Flag", "Where", "Value", "Expiry", "Days", "State", "Expiry from", "Status"], rows,
                          {1: "loc", 3: "nowrap", 4: "nowrap", 7: "nowrap"}))
    else:
        out.append('<p id="bypass-table">No bypass flag found.</p>')
    out.append("</section>")
    return "\n".join(out)


def _waivers(report: AuditReport) -> str:
    register = report.waivers
    out = [f'<section id="waiver-register"><h2>Waiver register ({len(register.waivers)})</h2>']
    if register.waivers:
        rows = []
        for w in register.waivers:
            hides = "<br>".join(f"{_e(h.rule)} {_code(h.subject)} at {_where(h.file, h.line)}" for h in w.hides) or '<span class="muted">nothing</span>'
            if w.fixed:
                hides += f'<br><span class="muted">fixed since recorded ({len(w.fixed)}):</span><br>' + "<br>".join(
                    f"{_e(h.rule)} {_code(h.subject)} at {_where(h.file, h.line)}" for h in w.fixed)
            state = _e(", ".join(w.states)) + "".join(f"<br><span class=\"warn\">{_e(p)}</span>" for p in w.problems)
            rows.append([_where(w.file, w.line), _e(", ".join(w.rules) or "-"), _e(w.owner or "-"), _e(w.reason or "-"),
                         _e(w.until or "-"), _e(days_text(w.days_left)), state, hides])
        out.append(_table("waiver-table", ["Waiver", "Rules", "Owner", "Reason", "Until", "Days", "State", "Hides"], rows,
                          {0: "loc", 1: "nowrap", 4: "nowrap", 5: "nowrap", 6: "wide"}))
    elif register.checked:
        out.append('<p id="waiver-table">No waivers.</p>')
    else:
        out.append('<p id="waiver-table">No waivers: no waiver check (CFG010&ndash;CFG019) ran in this catalog.</p>')
    out.append("</section>")
    return "\n".join(out)


def _unknowns(report: AuditReport) -> str:
    out = [f'<section id="unknowns"><h2>Unknown values ({len(report.unknowns)})</h2>']
    if report.unknowns:
        out.append("<p>Values cfgate could not resolve: neither passed nor failed. Check them by hand or make them literal.</p>")
        out.append(_table("unknown-table", ["Where", "Rule", "Subject", "Reason", "Message"],
                          [[_where(u.file, u.line), _rule(u.rule, u.name), _code(u.subject), _e(u.reason), _e(u.message)]
                           for u in report.unknowns], {0: "loc", 1: "rule", 2: "loc"}))
    else:
        out.append("<p>Every value was resolved.</p>")
    out.append("</section>")
    return "\n".join(out)


def _evaluations(report: AuditReport) -> str:
    rows = []
    for e in report.evaluations:
        provenance = []
        if e.details:
            provenance.append(_e(details_text(e.details)))
        provenance += [_e(o) for o in e.origins]
        if e.reason:
            provenance.append(f"reason: {_e(e.reason)}")
        rows.append([_badge(e.status), _rule(e.rule, e.name), _e(e.severity), _where(e.file, e.line), _code(e.subject),
                     _value(e.value), _e(e.message), "<br>".join(provenance)])
    table = _table("evaluation-table", ["Status", "Rule", "Severity", "Where", "Subject", "Value", "Message", "Provenance"], rows,
                   {0: "nowrap", 1: "rule", 2: "nowrap", 3: "loc", 4: "loc", 6: "wide"})
    return f'<section id="evaluations"><h2>Evaluations ({len(report.evaluations)})</h2>{table}</section>'


def _run(report: AuditReport) -> str:
    run = report.run
    rows = [["Tool", _e(f"{report.tool} {report.version}")], ["Evaluated as of", _e(report.as_of)],
            ["Policy set sha256", _code(report.policy_set_sha256)],
            ["Gate", _e(f"fail on {run.fail_on}" + (" and on unknown values" if run.fail_on_unknown else "")
                        + f"; exit code {report.verdict.exit_code}")],
            ["Paths", ", ".join(_code(p) for p in run.paths)]]
    for label, items in (("Excluded", run.excludes), ("Selected rules", run.select), ("Ignored rules", run.ignore),
                         ("Terraform var files", run.var_files), ("Terraform variables (names)", run.variables)):
        if items:
            rows.append([label, ", ".join(_code(i) for i in items)])
    if run.env_layer:
        rows.append(["Env layer", _code(run.env_layer)])
    head = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    out = [f'<section id="run"><h2>Run and inputs</h2><table class="kv">{head}</table>',
           "<h3>Policies</h3>", _table("policy-table", ["Policy", "sha256"], [[_code(p.path), _code(p.sha256)] for p in report.policies]),
           f'<h3 id="inputs">Input files ({len(report.inputs)})</h3>',
           _table("input-table", ["File", "sha256", "Bytes"],
                  [[_code(i.file), _code(i.sha256) if i.sha256 else "unreadable", _e(i.bytes if i.bytes is not None else "-")]
                   for i in report.inputs], {2: "num"}),
           f"<details><summary>{_e(plural(len(report.rules), 'active rule'))}</summary>",
           _table("rule-table", ["Rule", "Name", "Severity", "Defined in"],
                  [[_e(r.id), _e(r.name), _e(r.severity), _e(r.origin)] for r in report.rules]),
           "</details></section>"]
    return "\n".join(out)


def render(report: AuditReport) -> str:
    title = f"cfgate audit report, as of {report.as_of}"
    parts = [_header(report), _timeline(report), _bypasses(report), _waivers(report)]
    if report.comparison is not None:
        parts.append(_comparison(report.comparison))
    parts += [_unknowns(report), _evaluations(report), _run(report)]
    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">\n'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style></head>\n"
            f"<body><main>\n{body}\n"
            f"<footer>Written by {_e(report.tool)} {_e(report.version)} from the inputs listed above; "
            "values of secret-like keys and credentials in URLs are redacted.</footer>\n"
            "</main></body></html>\n")
