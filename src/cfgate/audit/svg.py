"""Inline SVG for the HTML audit: the expiry timeline and the before/after chart.

Plain SVG elements with presentation attributes: no script, no external reference, no font to
fetch. Every text comes through :func:`html.escape`. Each mark carries a ``<title>`` with the full
text, so a truncated label is still readable on hover and by a screen reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from .model import AuditReport, ValueChange
from .text import days_text, number_text

# one colour per meaning; the screenshot test samples them, so no other element uses these exact colours
COLOURS = {
    "ok": "#2e7d32",
    "soon": "#ef6c00",
    "overdue": "#c62828",
    "too-far": "#6d4c41",
    "none": "#9e9e9e",
    "void": "#b0bec5",
    "as-of": "#1565c0",
    "before": "#90a4ae",
    "after": "#6a1b9a",
}
_FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\""


@dataclass(frozen=True)
class Mark:
    kind: str  # bypass | waiver
    label: str
    date: dt.date | None
    tone: str  # a COLOURS key
    detail: str


def _tone(days: int | None, state: str) -> str:
    if days is None:
        return "none"
    if days < 0:
        return "overdue"
    if "beyond" in state:
        return "too-far"
    if "soon" in state or "expiring" in state:
        return "soon"
    return "ok"


VOID_STATES = ("malformed", "unused", "on-unwaivable-rule")


def _waiver_tone(days: int | None, states: tuple[str, ...]) -> str:
    """A waiver that waives nothing (malformed, unused, on an unwaivable rule) is drawn as void, not as active."""
    if (days is not None and days < 0) or "expired" in states:
        return "overdue"
    if any(state in VOID_STATES for state in states):
        return "void"
    if "expiry-too-far" in states:
        return "too-far"
    if "expiring-soon" in states:
        return "soon"
    return _tone(days, "")


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def marks(report: AuditReport) -> list[Mark]:
    """Enabled bypass flags and waivers, each with its expiry (or none), bypasses first."""
    out = []
    for b in report.bypasses:
        if b.state == "off":
            continue
        detail = f"{b.flag} ({b.file}:{b.line}): {b.state}; expiry {b.expiry or 'none'}; {days_text(b.days_left)}"
        out.append(Mark("bypass", b.flag, _date(b.expiry_date), _tone(b.days_left, b.state), detail))
    for w in report.waivers.waivers:
        label = f"waiver {', '.join(w.rules) or w.id}"
        detail = (f"{label} ({w.file}:{w.line}) owner {w.owner or '-'}: {w.reason or '-'}; until {w.until or 'none'}; "
                  f"{days_text(w.days_left)}; {', '.join(w.states)}")
        out.append(Mark("waiver", label, _date(w.until_date), _waiver_tone(w.days_left, w.states), detail))
    return out


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _truncate_left(text: str, limit: int) -> str:
    """Keep the end of a dotted subject, where the attribute name is: ``…connector.max_instances``."""
    return text if len(text) <= limit else "\u2026" + text[len(text) - limit + 1:]


def _ticks(lo: dt.date, hi: dt.date) -> list[dt.date]:
    span = (hi - lo).days
    step = next((s for s in (1, 2, 7, 14, 28, 56, 91, 182, 364, 728, 1456) if span / s <= 7), 2912)
    return [lo + dt.timedelta(days=k * step) for k in range(span // step + 1)]


def timeline(report: AuditReport) -> str:
    """The expiry timeline: one bar per flag or waiver from the as-of date to its expiry; empty when there is none."""
    items = marks(report)
    if not items:
        return ""
    as_of = dt.date.fromisoformat(report.as_of)
    dates = [as_of] + [m.date for m in items if m.date is not None]
    lo, hi = min(dates) - dt.timedelta(days=2), max(dates) + dt.timedelta(days=2)
    if (hi - lo).days < 14:
        pad = 14 - (hi - lo).days
        lo, hi = lo - dt.timedelta(days=pad // 2), hi + dt.timedelta(days=pad - pad // 2)
    left, x0, x1, width = 12, 300, 930, 1180
    top, row = 46, 26
    height = top + row * len(items) + 16
    span = (hi - lo).days

    def x(day: dt.date) -> float:
        return round(x0 + (day - lo).days / span * (x1 - x0), 1)

    out = [(f'<svg id="expiry-timeline" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="expiry-timeline-title" {_FONT} font-size="12">'),
           f'<title id="expiry-timeline-title">Expiry timeline as of {escape(report.as_of)}: {len(items)} bypass flags and waivers</title>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for tick in _ticks(lo, hi):
        tx = x(tick)
        out.append(f'<line x1="{tx}" y1="{top - 8}" x2="{tx}" y2="{height - 8}" stroke="#e0e0e0" stroke-width="1"/>')
        out.append(f'<text x="{tx}" y="{top - 14}" text-anchor="middle" fill="#555555">{tick.isoformat()}</text>')
    for i, mark in enumerate(items):
        y = top + i * row
        out.append(f'<g class="tl-row" data-kind="{mark.kind}" data-tone="{mark.tone}"><title>{escape(mark.detail)}</title>')
        kind = "flag" if mark.kind == "bypass" else "waiver"
        out.append(f'<text x="{left}" y="{y + 15}" fill="#222222">{escape(_truncate(mark.label, 38))}</text>')
        out.append(f'<text x="{x0 - 8}" y="{y + 15}" text-anchor="end" fill="#777777" font-size="10">{kind}</text>')
        if mark.date is None:
            start = x(as_of)
            out.append(f'<rect class="tl-bar" x="{start}" y="{y + 5}" width="{round(x1 - start, 1)}" height="12" fill="none" '
                       f'stroke="{COLOURS["none"]}" stroke-width="2" stroke-dasharray="6 4"/>')
            out.append(f'<text x="{x1 + 6}" y="{y + 16}" fill="#555555">no expiry</text>')
        else:
            a, b = sorted((x(as_of), x(mark.date)))
            out.append(f'<rect class="tl-bar" x="{a}" y="{y + 5}" width="{max(round(b - a, 1), 3)}" height="14" '
                       f'fill="{COLOURS[mark.tone]}"/>')
            out.append(f'<text x="{max(b, a + 3) + 6}" y="{y + 16}" fill="#222222">{mark.date.isoformat()} '
                       f'({escape(days_text((mark.date - as_of).days))})</text>')
        out.append("</g>")
    ax = x(as_of)
    out.append(f'<line id="as-of-marker" x1="{ax}" y1="{top - 8}" x2="{ax}" y2="{height - 6}" stroke="{COLOURS["as-of"]}" stroke-width="3"/>')
    out.append(f'<text x="{ax}" y="{top - 28}" text-anchor="middle" fill="{COLOURS["as-of"]}" font-weight="bold">as of {escape(report.as_of)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def before_after_chart(changes: tuple[ValueChange, ...]) -> str:
    """Paired bars for each changed number: before (grey) and after (purple), each row scaled to its own larger value."""
    rows = [c for c in changes if c.before_number is not None and c.after_number is not None]
    if not rows:
        return ""
    left, x0, x1, width = 12, 360, 860, 1180
    top, row = 40, 40
    height = top + row * len(rows) + 8
    out = [(f'<svg id="before-after-chart" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="before-after-title" {_FONT} font-size="12">'),
           f'<title id="before-after-title">Changed numeric values, before and after ({len(rows)})</title>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
           f'<rect x="{x0}" y="10" width="14" height="10" fill="{COLOURS["before"]}"/>',
           f'<text x="{x0 + 20}" y="19" fill="#333333">before</text>',
           f'<rect x="{x0 + 80}" y="10" width="14" height="10" fill="{COLOURS["after"]}"/>',
           f'<text x="{x0 + 100}" y="19" fill="#333333">after</text>',
           f'<text x="{x1}" y="19" text-anchor="end" fill="#777777" font-size="10">each row is scaled to its larger value</text>']
    for i, c in enumerate(rows):
        y = top + i * row
        old, new = float(c.before_number or 0), float(c.after_number or 0)
        scale = max(abs(old), abs(new)) or 1.0
        wb, wa = round(abs(old) / scale * (x1 - x0), 1), round(abs(new) / scale * (x1 - x0), 1)
        label = f"{number_text(old, c.unit)} \u2192 {number_text(new, c.unit)} ({c.change})"
        full = f"{c.subject} in {c.file}: {label}"
        out.append(f'<g class="ba-row" data-subject="{escape(c.subject)}"><title>{escape(full)}</title>')
        out.append(f'<text x="{left}" y="{y + 17}" fill="#222222">{escape(_truncate_left(c.subject, 50))}</text>')
        out.append(f'<rect x="{x0}" y="{y + 4}" width="{max(wb, 1)}" height="12" fill="{COLOURS["before"]}"/>')
        out.append(f'<rect x="{x0}" y="{y + 18}" width="{max(wa, 1)}" height="12" fill="{COLOURS["after"]}"/>')
        out.append(f'<text x="{x1 + 10}" y="{y + 22}" fill="#222222">{escape(label)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
