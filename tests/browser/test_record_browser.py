"""The project record in a real browser: the stage gate's dialog after a drop, the panel with
the record and the timeline, withdrawing live to another window, the archive and reopening."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_not_reloaded,
    card,
    column_ids,
    drop_into,
    mark,
)
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]

RECORD = {
    "investor": "远航新能源科技有限公司", "investment_wan": 128000, "origin": "德国",
    "foreign_invested": True, "foreign_capital_usd_wan": 5600, "new_trade_entity": True,
    "three500": "fortune_global", "enterprise_type": "foreign", "industry_chain": "动力电池",
    "source_channel": "expo", "source_detail": "第二十届中博会", "contact_person": "李娜",
    "contact_phone": "0745-2345678", "land_mu": 260, "confidential": True,
    "description": "建设动力电池模组产线\n配套研发中心",
}


def test_a_drop_into_signed_asks_for_what_is_missing(api, open_board, artifacts):
    member = api("member")
    # First contact months ago, so that the signing can be dated back.
    project = api("lead").create("智能制造产业园项目", investment_wan=0,  # a lead's: 2024
                                 stage_dates={"contact": "2024-01-10"})
    other = member.create("冷链物流中心")
    pid = project["id"]
    a = open_board("member")
    b = open_board("lead")
    mark(a, b)
    gate = a.locator("#gate-dialog")

    response = drop_into(a, pid, "signed")
    assert response.status == 422 and "investment_wan" in response.json()["missing"]
    expect(gate).to_have_attribute("open", "")
    investment = gate.locator("input[name=investment_wan]")
    signed_on = gate.locator('input[name="stage_dates.signed"]')
    expect(investment).to_be_visible()
    expect(signed_on).to_be_visible()
    expect(signed_on).to_have_value(today().isoformat())
    # Exactly what the stage needs: no other stage's date is asked for.
    expect(gate.locator("[data-gate-field]:visible")).to_have_count(2)
    assert a.evaluate("document.getElementById('gate-dialog').contains(document.activeElement)")
    a.screenshot(path=artifacts / "record-gate-dialog.png")

    # Cancel: the card goes back, nothing is stored.
    gate.locator("[data-gate-cancel]").click()
    expect(gate).not_to_have_attribute("open", "")
    expect(card(a, pid, "contact")).to_be_visible()
    expect(card(a, pid, "signed")).to_have_count(0)
    assert column_ids(a, "contact") == [pid, other["id"]]
    stored = member.get(pid)
    assert (stored["stage"], stored["version"], stored["investment_wan"]) == \
        ("contact", project["version"], 0)

    # Again, and Escape puts it back as well.
    assert drop_into(a, pid, "signed").status == 422
    expect(gate).to_have_attribute("open", "")
    a.keyboard.press("Escape")
    expect(gate).not_to_have_attribute("open", "")
    expect(card(a, pid, "contact")).to_be_visible()

    # Again: a wrong amount is refused at its field, then the right one and a backdated date.
    assert drop_into(a, pid, "signed").status == 422
    expect(gate).to_have_attribute("open", "")
    investment.fill("八千万")
    with a.expect_response(f"**/api/projects/{pid}/move") as refused:
        gate.locator("button[type=submit]").click()
    assert refused.value.status == 422
    expect(investment).to_have_attribute("aria-invalid", "true")
    error = gate.locator('[data-gate-field="investment_wan"] .field-error')
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(investment).to_be_focused()
    a.screenshot(path=artifacts / "record-gate-dialog-error.png")
    assert member.get(pid)["stage"] == "contact"

    # A member dates back within the open month (a closed month's dates are a lead's).
    last_week = max(today() - timedelta(days=7), today().replace(day=1)).isoformat()
    investment.fill("8,000")
    signed_on.fill(last_week)
    with a.expect_response(f"**/api/projects/{pid}/move") as moved:
        gate.locator("button[type=submit]").click()
    assert moved.value.status == 200, moved.value.text()
    expect(gate).not_to_have_attribute("open", "")
    for page in (a, b):
        expect(card(page, pid, "signed")).to_be_visible()
        expect(card(page, pid, "contact")).to_have_count(0)
    stored = member.get(pid)
    assert (stored["stage"], stored["investment_wan"]) == ("signed", 8000)
    assert stored["stage_dates"]["signed"] == last_week
    assert stored["stage_dates"]["contact"] == "2024-01-10"
    expect(card(a, pid)).to_have_attribute("data-version", str(stored["version"]))
    a.screenshot(path=artifacts / "record-gate-dialog-done.png")
    assert_not_reloaded(a, b)


def test_the_panel_shows_the_record_and_timeline_and_withdraws_live(api, open_board,
                                                                     artifacts):
    member, lead = api("member"), api("lead")
    project = member.create("动力电池模组项目", **RECORD)
    pid = project["id"]
    member.move(pid, "negotiating")
    lead.patch(pid, next_step="组织专班赴企业对接",
               next_step_due=(today() - timedelta(days=2)).isoformat(), next_step_owner="member")
    a = open_board("lead")
    b = open_board("member")
    mark(a, b)

    # The card, as the wall would read it from across the room.
    shown = card(a, pid, "negotiating")
    for part in (".badge-big", ".badge-500", ".badge-foreign", ".card-overdue"):
        expect(shown.locator(part)).to_be_visible()
    expect(shown).to_have_class(re.compile(r"\bwarning-(yellow|red)\b"))
    assert "下一步工作已逾期" in shown.get_attribute("title")
    a.locator('.column[data-stage="negotiating"]').screenshot(path=artifacts
                                                             / "record-card-badges.png")

    shown.locator(".card-title").click()
    dialog = a.locator("dialog#dialog")
    panel = dialog.locator(f'[data-panel-project="{pid}"]')
    expect(panel).to_be_visible()
    record = panel.locator(".record")
    for text in ("12.8 亿元", "5,600 万美元", "260 亩", "世界500强", "第二十届中博会", "李娜",
                 "建设动力电池模组产线"):
        expect(record).to_contain_text(text)
    expect(panel.locator(".tag-confidential")).to_be_visible()
    expect(panel.locator(".panel-warning")).to_contain_text("下一步工作已逾期")
    expect(panel.locator(".next-step-meta.overdue")).to_be_visible()
    history = panel.locator(".history")
    expect(history.locator("> li")).to_have_count(3)
    expect(history.locator(".history-moved")).to_contain_text("接触洽谈")
    expect(history.locator(".history-updated")).to_contain_text("下一步工作")
    a.screenshot(path=artifacts / "record-panel.png")
    history.scroll_into_view_if_needed()
    a.screenshot(path=artifacts / "record-panel-timeline.png")

    # Withdraw from the panel: the other window loses the card without a reload.
    panel.locator("details.withdraw > summary").click()
    form = panel.locator("details.withdraw form")
    form.locator("select[name=withdrawn_reason]").select_option("went_elsewhere")
    form.locator("textarea[name=comment]").fill("企业最终落户邻市")
    with a.expect_response(f"**/board/projects/{pid}/withdraw") as withdrawn:
        form.locator("button[type=submit]").click()
    assert withdrawn.value.status == 200
    expect(panel).to_have_attribute("data-status", "withdrawn")
    expect(panel.locator(".panel-withdrawn")).to_contain_text("企业最终落户邻市")
    expect(panel.locator("form.reopen-form")).to_be_visible()
    for page in (a, b):
        expect(card(page, pid)).to_have_count(0)
    a.screenshot(path=artifacts / "record-panel-withdrawn.png")
    stored = member.get(pid)
    assert (stored["status"], stored["withdrawn_reason"]) == ("withdrawn", "went_elsewhere")
    assert_not_reloaded(a, b)
    a.keyboard.press("Escape")

    # The archive lists it; reopening brings the card back on the other screen.
    with a.expect_navigation():  # to its load: htmx makes the Reopen buttons work once it runs
        a.click("a[href$='/board/archive']")
    row = a.locator(f'tr[data-project-id="{pid}"]')
    expect(row).to_contain_text("落户他地")
    expect(row).to_contain_text("企业最终落户邻市")
    a.screenshot(path=artifacts / "record-archive.png")
    with a.expect_response(f"**/board/projects/{pid}/reopen") as reopened:
        row.locator("button[type=submit]").click()
    assert reopened.value.status == 200
    expect(a.locator(f'dialog [data-panel-project="{pid}"]')).to_have_attribute(
        "data-status", "active")
    expect(row).to_have_count(0)  # the list was fetched again
    expect(card(b, pid, "negotiating")).to_be_visible()
    assert member.get(pid)["status"] == "active"
    assert_not_reloaded(b)


def test_the_archive_reopens_before_its_script_runs(api, live_server, new_context, seeded,
                                                     artifacts):
    """A lead on a line so slow that htmx has not run yet (here: no script at all) clicks
    Reopen: the browser posts the form itself, and the archive says the project is back."""
    lead = api("lead")
    pid = lead.create("慢网络重启项目")["id"]
    lead.session.post(f"{live_server.url}/api/projects/{pid}/withdraw", timeout=10,
                      json={"version": 1, "withdrawn_reason": "went_elsewhere"}
                      ).raise_for_status()
    context = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": seeded.cookie_name, "value": seeded.cookies["lead"],
                          "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/board/archive")
    with page.expect_navigation():
        page.locator(f'tr[data-project-id="{pid}"] button[type=submit]').click()
    assert page.url == f"{live_server.url}/board/archive"
    expect(page.locator(".flashes")).to_have_text("“慢网络重启项目”已重新启用，回到看板的“接触洽谈”栏。")
    expect(page.locator(f'tr[data-project-id="{pid}"]')).to_have_count(0)
    page.screenshot(path=artifacts / "record-archive-reopened-without-script.png")
    assert lead.get(pid)["status"] == "active"


def test_the_new_project_form_and_a_near_duplicate(api, open_board, artifacts):
    api("member").create("湘澜新材料锂电池项目", investor="湘澜新材料有限公司")
    a = open_board("member")
    a.click("button[hx-get$='/board/projects/new']")
    form = a.locator("dialog#dialog .project-form")
    expect(form).to_be_visible()
    capital = form.locator("[data-foreign-capital]")
    expect(capital).to_be_hidden()
    form.locator("input[type=checkbox][name=foreign_invested]").check()
    expect(capital).to_be_visible()
    a.screenshot(path=artifacts / "record-new-project-form.png", full_page=True)
    form.locator("input[name=foreign_capital_usd_wan]").fill("300")
    form.locator("input[type=checkbox][name=foreign_invested]").uncheck()
    expect(capital).to_be_hidden()
    expect(form.locator("input[name=foreign_capital_usd_wan]")).to_have_value("")

    form.locator("input[name=name]").fill("湘澜新材料 锂电池 项目")
    form.locator("input[name=investor]").fill("湘澜新材料")
    with a.expect_response(lambda r: r.url.endswith("/board/projects")) as answer:
        form.locator("button.primary[type=submit]").click()
    assert answer.value.status == 409
    warning = a.locator("dialog .duplicates")
    expect(warning).to_contain_text("湘澜新材料锂电池项目")
    a.screenshot(path=artifacts / "record-duplicate-warning.png")
    with a.expect_response(lambda r: r.url.endswith("/board/projects")) as answer:
        a.locator("dialog button.save-anyway").click()
    assert answer.value.status == 204
    expect(a.locator("dialog#dialog")).not_to_have_attribute("open", "")
    names = [p["name"] for p in api("member").projects()]
    assert names.count("湘澜新材料 锂电池 项目") == 1
