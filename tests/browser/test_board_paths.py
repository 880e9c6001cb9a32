"""The other ways a card moves, or does not: a stale drag, the keyboard, a read-only viewer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    assert_not_reloaded,
    card,
    column_ids,
    drag_to,
    empty_spot,
    grab_point,
    mark,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

NEW_PROJECT = "button[hx-get$='/board/projects/new']"


def test_stale_drag_shows_error_and_snaps_back(api, open_board, artifacts):
    member = api("member")
    first, second = member.create("数据中心及算力服务项目"), member.create("绿色建材产业园")
    a = open_board("member")
    mark(a)
    # The screen holds an older version than the database (as if it had missed an edit).
    card(a, first["id"]).evaluate("c => { c.dataset.version = String(c.dataset.version - 1) }")

    with a.expect_response(f"**/api/projects/{first['id']}/move") as moved:
        drag_to(a, grab_point(a, first["id"]), empty_spot(a, "negotiating"))
    assert moved.value.status == 409, moved.value.text()
    message = moved.value.json()["error"]

    toast = a.locator("#toast")
    expect(toast).to_have_class(re.compile(r"\bshow\b"))
    expect(toast).to_have_class(re.compile(r"\berror\b"))
    expect(toast).to_have_text(message)
    # Snapped back to where the database has it, with the database's version.
    expect(card(a, first["id"], "contact")).to_be_visible()
    expect(card(a, first["id"], "negotiating")).to_have_count(0)
    expect(card(a, first["id"])).to_have_attribute("data-version", str(first["version"]))
    assert column_ids(a, "contact") == [first["id"], second["id"]]
    expect(a.locator('.column[data-stage="negotiating"] .count')).to_have_text("0")
    a.screenshot(path=artifacts / "board-stale-move-refused.png")

    stored = member.get(first["id"])
    assert (stored["stage"], stored["position"]) == ("contact", 0)
    assert stored["version"] == first["version"]
    assert [e["action"] for e in stored["history"]] == ["created"]
    assert_not_reloaded(a)


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_move_through_the_panel(api, open_board, artifacts):
    member = api("member")
    project = member.create("高端竹木家居制造项目")
    a = open_board("member")
    b = open_board("lead")
    mark(a, b)

    tab_to(a, f'.card[data-project-id="{project["id"]}"] .card-title')
    a.keyboard.press("Enter")
    dialog = a.locator("dialog#dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator(f'[data-panel-project="{project["id"]}"]')).to_be_visible()
    # A busy machine can be faster at the keyboard than htmx at wiring up the new panel.
    a.wait_for_function("""() => [...document.querySelectorAll('dialog form[hx-post]')]
        .every(form => form['htmx-internal-data']?.initHash)""")

    tab_to(a, "dialog select[name=stage]")
    a.keyboard.press("ArrowDown")
    expect(dialog.locator("select[name=stage]")).to_have_value("negotiating")
    tab_to(a, "dialog form:has(select[name=stage]) button[type=submit]")
    with a.expect_response(f"**/board/projects/{project['id']}/move") as moved:
        a.keyboard.press("Enter")
    assert moved.value.status == 200
    a.screenshot(path=artifacts / "board-keyboard-move-panel.png")

    for page in (a, b):
        expect(card(page, project["id"], "negotiating")).to_be_visible()
        expect(card(page, project["id"], "contact")).to_have_count(0)
    # The panel, still open, now tells the new stage.
    expect(dialog.locator("select[name=stage]")).to_have_value("negotiating")
    stored = member.get(project["id"])
    assert stored["stage"] == "negotiating"
    assert stored["version"] == project["version"] + 1
    assert stored["history"][0]["by"] == "member"
    a.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    assert_not_reloaded(a, b)


def test_viewer_cannot_drag_or_create(api, open_board):
    project = api("member").create("中药材精深加工项目")
    viewer = open_board("viewer", through_form=True)  # and the sign-in form works in a browser
    mark(viewer)
    expect(viewer.locator(NEW_PROJECT)).to_have_count(0)
    expect(viewer.locator("#board")).to_have_attribute("data-can-move", "0")
    writes: list[str] = []
    viewer.on("request", lambda r: writes.append(r.url) if r.method != "GET" else None)

    drag_to(viewer, grab_point(viewer, project["id"]), empty_spot(viewer, "negotiating"))
    expect(viewer.locator(".card-chosen, .card-ghost, .sortable-fallback")).to_have_count(0)
    expect(card(viewer, project["id"], "contact")).to_be_visible()
    # A round trip to the server: any request the drag had started would have left by now.
    viewer.evaluate("fetch('/board/columns').then(r => r.status)")
    assert writes == []
    assert api("member").get(project["id"])["stage"] == "contact"

    # The panel reads, but offers no way to change the card.
    card(viewer, project["id"]).locator(".card-title").click()
    dialog = viewer.locator("dialog#dialog")
    expect(dialog.locator(f'[data-panel-project="{project["id"]}"]')).to_be_visible()
    expect(dialog.locator("select[name=stage], form")).to_have_count(0)
    assert_not_reloaded(viewer)


def test_the_header_fits_at_1280_and_its_reports_menu_leads_to_the_reports(open_board, artifacts):
    """The board's page links: lists beside each other, the reports (and the export, and for a
    lead the import) in one menu, one line."""
    page = open_board("lead", viewport={"width": 1280, "height": 800})
    header = page.locator("header.topbar")
    tops = header.evaluate(
        "h => [...h.children].filter(e => e.getClientRects().length)"   # shown ones (not a phone's)
        ".map(e => Math.round(e.getBoundingClientRect().top))")
    assert max(tops) - min(tops) < 20, tops   # nothing wrapped to a second line
    menu = page.locator("details.menu")
    menu.locator("summary").click()
    expect(menu.get_by_role("link")).to_have_text(["主要指标", "调度报告", "实绩排名", "周报",
                                                   "工作量", "项目台账（Excel）", "项目台账（CSV）",
                                                   "导入台账", "导入模板（Excel）"])
    expect(menu.locator(".menu-heading")).to_have_text(["按当前看板导出", "台账导入"])
    page.screenshot(path=artifacts / "board-header-reports-menu.png")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.locator("summary")).to_be_focused()
    menu.locator("summary").click()
    page.locator("#board").click(position={"x": 5, "y": 5})  # a click elsewhere closes it
    expect(menu).not_to_have_attribute("open", "")
    menu.locator("summary").click()
    with page.expect_navigation():
        menu.get_by_role("link", name="调度报告").click()
    assert page.url.endswith("/reports/schedule")
