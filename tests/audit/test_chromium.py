"""The HTML audit in headless Chromium: it renders with no console message, and the screenshot shows
the expiry timeline (four bars starting at the as-of line), the before/after chart and the registers."""

from __future__ import annotations

from pathlib import Path

from clirunner import run_cli

from cfgate.audit.svg import COLOURS

AS_OF = "2025-09-16"


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs."""
    out: list[tuple[int, int]] = []
    for y in rows:
        if out and y == out[-1][1] + 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


def test_console_detection_sees_a_blocked_load(chromium, tmp_path):
    """The control: a page whose CSP blocks an image logs a CONSOLE line, so silence below means something."""
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
                    "</head><body><img src=\"https://example.invalid/x.png\"></body></html>", encoding="utf-8")
    assert chromium.dump_dom(page).console, "Chromium logged nothing for a blocked load: the console check below would be blind"


def test_report_renders_and_shows_its_key_elements(golden_repo: Path, chromium, png, tmp_path):
    report = tmp_path / "report.html"
    result = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1", "--output", str(report)])
    assert result.code == 1, result.stderr
    shot = tmp_path / "report.png"
    page = chromium.render(report, shot, 1280, 2600)

    assert page.console == [], page.console
    dom = page.dom
    for marker in ('<svg id="expiry-timeline"', 'id="as-of-marker"', '<table id="bypass-table">', '<table id="changed-values">',
                   '<svg id="before-after-chart"', '<table id="findings-diff">', '<section id="waiver-register">'):
        assert marker in dom, marker
    assert dom.count('class="tl-row"') == 4 and dom.count('class="ba-row"') == 12

    image = png(shot.read_bytes())
    assert (image.width, image.height) == (1280, 2600)
    soon, as_of, after = rgb(COLOURS["soon"]), rgb(COLOURS["as-of"]), rgb(COLOURS["after"])

    xs = image.find

    # the timeline: four bars (the four flags expiring in 2 days), each a band of solid orange rows
    bar_rows = [y for y in range(image.height) if len(xs(y, soon)) >= 50]
    bands = runs(bar_rows)
    assert len(bands) == 4, bands
    assert all(10 <= last - first + 1 <= 16 for first, last in bands), bands
    for first, last in bands:
        middle = (first + last) // 2
        bar = xs(middle, soon)
        assert 60 <= bar[-1] - bar[0] <= 200  # two days on an axis of 16 to 18 days
        # each bar starts at the as-of line: blue pixels right before it, on the same row
        line = [x for x in xs(middle, as_of) if bar[0] - 6 <= x < bar[0]]
        assert line, f"no as-of marker next to the bar at row {middle}"

    # the before/after chart: twelve purple 'after' bars, below the timeline
    chart_rows = [y for y in range(bands[-1][1], image.height) if len(xs(y, after)) >= 100]
    assert len(runs(chart_rows)) == 12, runs(chart_rows)
