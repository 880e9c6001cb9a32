"""The scheduling report in the real browser: the page, its print view on A4 landscape (printed
to PDF by Chromium), screenshots of both kept in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bench.midyear import SIGNED, build_midyear
from tests.helpers import make_app

pytestmark = [pytest.mark.browser, pytest.mark.live]

HALF = "from=2026-01-01&to=2026-06-30"
A4_LONG, A4_SHORT = 841.9, 595.3  # points


@pytest.fixture
def midyear_server(live_server, monkeypatch):
    """The live server's database filled with the mid-year dataset."""
    from wallchart.extensions import db

    for key in ("WALLCHART_INSTANCE_PATH", "WALLCHART_DATABASE_URL"):
        monkeypatch.setenv(key, live_server.env[key])
    app = make_app()
    build_midyear(app)
    with app.app_context():
        db.engine.dispose()
    return live_server


def test_the_report_prints_on_a4_landscape(midyear_server, open_board, artifacts):
    page = open_board("viewer", viewport={"width": 1440, "height": 900})
    page.goto(f"{midyear_server.url}/reports/schedule?{HALF}")
    signed = page.locator('section[data-section="signed"]')
    expect(signed.locator("tr.total")).to_have_attribute("data-count", str(SIGNED))
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.screenshot(path=str(artifacts / "report-screen.png"))

    page.emulate_media(media="print")
    for hidden in (".topbar", ".report-period", ".report-actions"):
        expect(page.locator(hidden).first).to_be_hidden()
    styles = page.evaluate("""() => {
        const table = document.querySelector('section[data-section="signed"] table');
        return {head: getComputedStyle(table.tHead).display,
                row: getComputedStyle(table.tBodies[0].rows[1]).breakInside,
                overflow: document.documentElement.scrollWidth - window.innerWidth};
    }""")
    assert styles["head"] == "table-header-group"  # repeated on every printed page
    assert styles["row"] == "avoid"  # a row is never cut in two
    page.set_viewport_size({"width": 1040, "height": 735})  # A4 landscape, 96 dpi, margins
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "report-print.png"))

    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (artifacts / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) >= 3, "121 signings and more fill several pages"
    for width, height in boxes:
        assert float(width) == pytest.approx(A4_LONG, abs=2)  # landscape: the long side across
        assert float(height) == pytest.approx(A4_SHORT, abs=2)


def test_the_weekly_report(midyear_server, open_board, artifacts):
    page = open_board("viewer", viewport={"width": 1440, "height": 900})
    page.goto(f"{midyear_server.url}/reports/weekly?week=2026-06-24")
    expect(page.locator("h2")).to_contain_text("2026年第26周")
    advanced = page.locator('section[data-section="advanced"] tbody tr')
    expect(advanced.first).to_be_visible()
    assert advanced.count() >= 3  # the half's last week is busy with signings
    page.screenshot(path=str(artifacts / "report-weekly.png"), full_page=True)
    page.get_by_role("link", name="← 上一周").click()
    expect(page.locator("h2")).to_contain_text("2026年第25周")


@pytest.mark.parametrize("path", ["/reports/schedule", "/reports/weekly", "/blockers"])
def test_one_click_on_print_prints_once(live_server, open_board, path):
    """Every page's Print button has one handler (static/js/print.js): listeners run during
    the click's dispatch, so the count is final when the click returns."""
    page = open_board("viewer")
    page.goto(f"{live_server.url}{path}")
    page.evaluate("() => { window.__prints = 0; window.print = () => { window.__prints += 1; }; }")
    page.locator("[data-print]").first.click()
    assert page.evaluate("window.__prints") == 1
