"""The results page in the real browser: on a phone (390 px), a laptop and a 1080p screen no
part is wider than the screen (the tables scroll in their boxes); a column head ranks by it;
printed, the controls are gone. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import TEAM, make_app
from tests.results_data import build_results

pytestmark = [pytest.mark.browser, pytest.mark.live]

H1 = "from=2026-01-01&to=2026-06-30"
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
#: Elements (outside the tables' scrolling boxes) that reach past the screen's right edge.
SPILLING = """() => [...document.querySelectorAll('main > *, .report-block > *')]
  .filter(node => node.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(node => node.className || node.tagName)"""
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
    "1080p": {"viewport": {"width": 1920, "height": 1080}},
}


@pytest.fixture
def results_server(live_server, monkeypatch):
    """The live server's database with the results tests' projects."""
    from wallchart.core.models import County
    from wallchart.extensions import db

    for key in ("WALLCHART_INSTANCE_PATH", "WALLCHART_DATABASE_URL"):
        monkeypatch.setenv(key, live_server.env[key])
    app = make_app()
    with app.app_context():
        db.session.add(County(name="鹤城区"))
        db.session.commit()
    build_results(app)
    with app.app_context():
        db.engine.dispose()
    return live_server


@pytest.mark.parametrize("screen", SCREENS)
def test_the_page_fits_every_screen(results_server, open_board, artifacts, screen):
    page = open_board("viewer", **SCREENS[screen])
    assert page.goto(f"{results_server.url}/results?{H1}").status == 200
    teams = page.locator('table[data-grouping="team"]')
    expect(teams.locator("tbody tr").first.locator("th")).to_have_text(TEAM)
    expect(page.get_by_role("heading", name="按专班")).to_be_visible()
    page_width, width = page.evaluate(WIDTHS)
    assert page_width <= width == SCREENS[screen]["viewport"]["width"]
    assert page.evaluate(SPILLING) == []
    page.screenshot(path=artifacts / f"results-{screen}.png", full_page=True)


def test_a_column_head_ranks_by_it_and_print_hides_the_controls(results_server, open_board):
    page = open_board("admin", viewport={"width": 1920, "height": 1080})
    page.goto(f"{results_server.url}/results?{H1}")
    owners = page.locator('table[data-grouping="owner"]')
    owners.locator('thead a[href*="sort=funds_in_place"]').click()
    expect(page.locator('table[data-grouping="owner"]')).to_have_attribute(
        "data-sort", "funds_in_place")
    first = page.locator('table[data-grouping="owner"] tbody tr').first
    expect(first.locator("th")).to_have_text("Lead")
    expect(first.locator("td.rank")).to_have_text("1")
    page.emulate_media(media="print")
    expect(page.locator(".report-actions")).to_be_hidden()
    expect(page.locator(".report-period")).to_be_hidden()
    expect(owners).to_be_visible()
