"""The board on a phone (390 × 844, touch; issue 11): no page is wider than the screen, and a
tapped card's panel opens on the screen, full-screen, with "Move to…" in reach."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import card
from tests.databases import run_sql

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
#: Every page a person opens (an admin sees them all), and the wall.
PAGES = ["/board", "/indicators", "/reports/weekly", "/reports/schedule", "/blockers",
         "/board/workload", "/board/archive", "/account/password", "/admin", "/admin/audit",
         "/admin/counties", "/admin/displays", "/admin/targets", "/admin/teams", "/admin/users"]
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def test_no_page_is_wider_than_a_phone(live_server, api, open_board, wall_path, artifacts):
    # A red card in a column right of the screen: its column head counts it, for screen
    # readers too (a hidden label that once widened the page to 1,586 px).
    project = api("member").create("高端竹木家居制造项目", stage="negotiating")
    run_sql(live_server.database_url, "UPDATE project SET stage_entered_at = :day, "
            "negotiating_on = :day WHERE id = :id", day=date.today() - timedelta(days=100),
            id=project["id"])
    page = open_board("admin", **PHONE)
    too_wide = {}
    for path in [*PAGES, wall_path]:
        assert page.goto(live_server.url + path).status == 200, path
        page_width, screen = page.evaluate(WIDTHS)
        if page_width > screen or screen != 390:
            too_wide[path.split("?")[0]] = (page_width, screen)
    page.goto(live_server.url + "/board")
    expect(page.locator('.column[data-stage="negotiating"] .warning-count-red')).to_be_visible()
    page.screenshot(path=artifacts / "phone-board.png")
    assert too_wide == {}, f"wider than the phone's 390 px (page, layout viewport): {too_wide}"


def test_a_tapped_card_opens_its_panel_full_screen(api, open_board, artifacts):
    project = api("member").create("锂电池回收利用项目")
    page = open_board("member", **PHONE)
    card(page, project["id"]).locator(".card-title").tap()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator("h2")).to_contain_text("锂电池回收利用项目")
    box = dialog.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844), box
    move = dialog.get_by_role("combobox", name="移至…")
    expect(move).to_be_visible()
    assert move.bounding_box()["x"] + move.bounding_box()["width"] <= 390
    page.screenshot(path=artifacts / "phone-panel.png")
