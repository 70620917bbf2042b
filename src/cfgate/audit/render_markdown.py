"""The audit as Markdown: the same sections as the HTML, as GitHub-flavoured tables.

Every table cell goes through :func:`cfgate.reporters.markdown.cell` (or ``code`` for paths and
subjects), so a value from a user's file never turns into formatting, a link or HTML.
"""

from __future__ import annotations

from ..reporters.markdown import cell, code
from .model import AuditReport, Comparison, FindingChange
from .text import cell_text, days_text, details_text, plural, value_text, verdict_text


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    return ["| " + " | ".join(header) + " |", align or "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


def _where(file: str | None, line: int | None) -> str:
    if not file:
        return "-"
    return code(f"{file}:{line}" if line else file)


def _value(value: object) -> str:
    return "-" if value is None else cell(value_text(value))


def _run(report: AuditReport) -> list[str]:
    run = report.run
    rows = [
        ["Tool", cell(f"{report.tool} {report.version}")],
        ["Evaluated as of", cell(report.as_of)],
        ["Policy set sha256", code(report.policy_set_sha256)],
        ["Gate", cell(f"fail on {run.fail_on}" + (" and on unknown values" if run.fail_on_unknown else "")
                      + f"; exit code {report.verdict.exit_code}")],
        ["Paths", ", ".join(code(p) for p in run.paths) or "-"],
    ]
    for label, items in (("Excluded", run.excludes), ("Selected rules", run.select), ("Ignored rules", run.ignore),
                         ("Terraform var files", run.var_files), ("Terraform variables (names)", run.variables)):
        if items:
            rows.append([label, ", ".join(code(i) for i in items)])
    if run.env_layer:
        rows.append(["Env layer", code(run.env_layer)])
    if report.comparison is not None:
        rows.append(["Compared with", f"{code(report.comparison.ref)} (commit {code(report.comparison.commit)})"])
    out = ["## Run", ""] + _table(["", ""], rows)
    out += ["", "### Policies", ""] + _table(["Policy", "sha256"], [[code(p.path), code(p.sha256)] for p in report.policies])
    return out


def _summary(report: AuditReport) -> list[str]:
    s = report.verdict.summary
    rows = [[label, str(s[key])] for label, key in (("Errors", "errors"), ("Warnings", "warnings"), ("Info", "info"),
                                                    ("Unknown", "unknown"), ("Waived", "waived"), ("Passed", "passed"),
                                                    ("Files", "files"))]
    return ["## Summary", "", cell(verdict_text(report)), ""] + _table(["Result", "Count"], rows, "|---|---:|")


def _finding_rows(items: tuple[FindingChange, ...]) -> list[list[str]]:
    return [[_where(f.file, f.line), f"{cell(f.rule)} {cell(f.name)}", cell(f.severity), code(f.subject),
             _value(f.value), cell(f.message), cell(f.note or "")] for f in items]


def _comparison(c: Comparison) -> list[str]:
    out = ["## Before and after", "", cell(f"Base: {c.ref} (commit {c.commit}). ") + " ".join(cell(n) for n in c.notes), ""]
    out += [f"### Changed values ({len(c.values)})", ""]
    if c.values:
        rows = []
        for v in c.values:
            where = _where(v.file, v.after.line or v.before.line)
            if v.base_file:
                where += f" (was in {code(v.base_file)})"
            rows.append([code(v.subject), where, cell(cell_text(v.before)), cell(cell_text(v.after)), cell(v.change),
                         cell(", ".join(v.rules)) if v.rules else "not checked by any rule"])
        out += _table(["Subject", "Where", "Before", "After", "Change", "Checked by"], rows)
    else:
        out.append("No value changed.")
    header = ["Where", "Rule", "Severity", "Subject", "Value", "Message", "Note"]
    for title, items in (("New findings", c.new), ("Fixed findings", c.fixed), ("Unchanged findings", c.unchanged)):
        out += ["", f"### {title} ({len(items)})", ""]
        out += _table(header, _finding_rows(items)) if items else ["None."]
    out += ["", "### Input files compared", ""]
    out += _table(["File", "Change", "sha256 before", "sha256 after"],
                  [[code(i.file), cell(i.change), code(i.before) if i.before else "-", code(i.after) if i.after else "-"]
                   for i in c.inputs])
    return out


def _bypasses(report: AuditReport) -> list[str]:
    out = [f"## Bypass register ({len(report.bypasses)})", ""]
    if not report.bypasses:
        return out + ["No bypass flag found."]
    rows = [[code(b.flag), _where(b.file, b.line), _value(b.value), cell(b.expiry or ("-" if b.state == "off" else "none")),
             cell(days_text(b.days_left)), cell(b.state), cell(b.expiry_source or "-")] for b in report.bypasses]
    return out + _table(["Flag", "Where", "Value", "Expiry", "Days", "State", "Expiry from"], rows)


def _waivers(report: AuditReport) -> list[str]:
    register = report.waivers
    out = [f"## Waiver register ({len(register.waivers)})", ""]
    if not register.waivers:
        return out + ["No waivers." if register.checked else "No waivers: no waiver check ran in this catalog (CFG010-CFG019)."]
    rows = []
    for w in register.waivers:
        hides = ", ".join(f"{h.rule} {h.subject} ({h.file}:{h.line})" for h in w.hides) or "nothing"
        if w.fixed:
            hides += f"; fixed since recorded ({len(w.fixed)}): " + ", ".join(f"{h.rule} {h.subject} ({h.file}:{h.line})" for h in w.fixed)
        state = ", ".join(w.states) + ("; " + "; ".join(w.problems) if w.problems else "")
        rows.append([_where(w.file, w.line), cell(", ".join(w.rules) or "-"), cell(w.owner or "-"), cell(w.reason or "-"),
                     cell(w.until or "-"), cell(days_text(w.days_left)), cell(state), cell(hides)])
    return out + _table(["Waiver", "Rules", "Owner", "Reason", "Until", "Days", "State", "Hides"], rows)


def _unknowns(report: AuditReport) -> list[str]:
    out = [f"## Unknown values ({len(report.unknowns)})", ""]
    if not report.unknowns:
        return out + ["Every value was resolved."]
    rows = [[_where(u.file, u.line), f"{cell(u.rule)} {cell(u.name)}", code(u.subject), cell(u.reason)] for u in report.unknowns]
    return out + _table(["Where", "Rule", "Subject", "Reason"], rows)


def _evaluations(report: AuditReport) -> list[str]:
    out = [f"## Evaluations ({len(report.evaluations)})", ""]
    rows = []
    for e in report.evaluations:
        provenance = "; ".join(x for x in (details_text(e.details), "; ".join(e.origins), f"reason: {e.reason}" if e.reason else "") if x)
        rows.append([cell(e.status), f"{cell(e.rule)} {cell(e.name)}", cell(e.severity), _where(e.file, e.line), code(e.subject),
                     _value(e.value), cell(e.message), cell(provenance)])
    return out + _table(["Status", "Rule", "Severity", "Where", "Subject", "Value", "Message", "Provenance"], rows)


def _inputs(report: AuditReport) -> list[str]:
    rows = [[code(i.file), code(i.sha256) if i.sha256 else "unreadable", str(i.bytes) if i.bytes is not None else "-"]
            for i in report.inputs]
    out = [f"## Input files ({len(report.inputs)})", ""] + _table(["File", "sha256", "Bytes"], rows, "|---|---|---:|")
    out += ["", "<details><summary>" + plural(len(report.rules), "active rule") + "</summary>", ""]
    out += _table(["Rule", "Name", "Severity", "Defined in"],
                  [[cell(r.id), cell(r.name), cell(r.severity), cell(r.origin)] for r in report.rules])
    return out + ["", "</details>"]


def render(report: AuditReport) -> str:
    out = [f"# cfgate audit report: as of {report.as_of}", ""]
    out += _summary(report) + [""] + _run(report) + [""]
    if report.comparison is not None:
        out += _comparison(report.comparison) + [""]
    out += _bypasses(report) + [""] + _waivers(report) + [""] + _unknowns(report) + [""]
    out += _evaluations(report) + [""] + _inputs(report)
    return "\n".join(out) + "\n"
