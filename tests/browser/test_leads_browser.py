"""Leads' tools in a real browser: select cards and give them one owner; the "my teams" filter."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_not_reloaded, card, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]


def count(page, stage: str):
    return page.locator(f'.column[data-stage="{stage}"] .count')


def test_a_lead_selects_two_cards_and_gives_them_one_owner(api, open_board, artifacts):
    member = api("member")
    first, second, third = (member.create(name) for name in
                            ("新能源电池材料生产基地", "智能装备制造产业园", "电子信息元器件项目"))
    lead = open_board("lead")
    other = open_board("viewer")
    mark(lead, other)

    lead.locator("#select-mode").click()
    expect(lead.locator("#select-mode")).to_have_attribute("aria-pressed", "true")
    expect(lead.locator("#bulk-bar")).to_be_visible()
    # By mouse, and by keyboard: the checkbox is a real one, named after the project.
    card(lead, first["id"]).locator(".card-select").check()
    box = lead.get_by_role("checkbox", name=second["name"])
    box.focus()
    lead.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(lead.locator("#bulk-count")).to_have_text("2")
    lead.locator("#bulk-owner").select_option("member")
    lead.screenshot(path=artifacts / "board-bulk-assign-selected.png")

    with lead.expect_response("**/api/projects/assign") as answer:
        lead.locator("#bulk-assign").click()
    assert answer.value.status == 200, answer.value.text()
    assert answer.value.request.post_data_json == {
        "projects": [{"id": first["id"], "version": first["version"]},
                     {"id": second["id"], "version": second["version"]}],
        "owner": "member"}

    for page in (other, lead):
        for project in (first, second):
            expect(card(page, project["id"])).to_have_attribute("data-owner", "member")
            expect(card(page, project["id"]).locator(".card-owner")).to_have_text("Member")
        expect(card(page, third["id"])).to_have_attribute("data-owner", "")
    # The selection is cleared; the lead stays in select mode, each card with its checkbox.
    expect(lead.locator("#bulk-count")).to_have_text("0")
    expect(lead.locator(".card-select")).to_have_count(3)
    expect(lead.locator(".card-select:checked")).to_have_count(0)
    expect(other.locator(".card-select")).to_have_count(0)
    lead.screenshot(path=artifacts / "board-bulk-assign-done.png")
    for project in (first, second):
        stored = member.get(project["id"])
        assert (stored["owner"], stored["version"]) == ("member", project["version"] + 1)
        assert stored["history"][0]["by"] == "lead"
    assert member.get(third["id"])["owner"] is None

    # Escape in the bar leaves select mode, and the checkboxes go.
    lead.locator("#bulk-owner").focus()
    lead.keyboard.press("Escape")
    expect(lead.locator("#bulk-bar")).to_be_hidden()
    expect(lead.locator(".card-select")).to_have_count(0)
    assert_not_reloaded(lead, other)


def test_one_stale_card_refuses_the_whole_assignment(api, open_board):
    member = api("member")
    first, second = member.create("绿色建材产业园"), member.create("冷链物流及跨境电商产业园")
    lead = open_board("lead")
    mark(lead)
    lead.locator("#select-mode").click()
    for project in (first, second):
        card(lead, project["id"]).locator(".card-select").check()
    # The screen holds an older version of the second card than the database.
    card(lead, second["id"]).evaluate("c => { c.dataset.version = String(c.dataset.version - 1) }")
    lead.locator("#bulk-owner").select_option("viewer")

    with lead.expect_response("**/api/projects/assign") as answer:
        lead.locator("#bulk-assign").click()
    assert answer.value.status == 409
    expect(lead.locator("#toast")).to_have_class(re.compile(r"\berror\b"))
    expect(lead.locator("#toast")).to_contain_text(second["name"])
    # The screen resyncs to what the database holds: nobody owns either card.
    expect(card(lead, second["id"])).to_have_attribute("data-version", str(second["version"]))
    for project in (first, second):
        expect(card(lead, project["id"])).to_have_attribute("data-owner", "")
        stored = member.get(project["id"])
        assert (stored["owner"], stored["version"]) == (None, project["version"])
    assert_not_reloaded(lead)


def test_my_teams_hides_other_teams_cards_and_recounts(api, open_board, live_server, artifacts):
    ours = [api("member").create("一组甲", investment_wan=10000),
            api("member").create("一组乙", investment_wan=20000)]
    theirs = api("outsider").create("二组丙", investment_wan=40000)
    api("lead").session.post(f"{live_server.url}/api/projects/{ours[0]['id']}/assign",
                             json={"owner": "member", "version": ours[0]["version"]}, timeout=10)
    page = open_board("member")
    mark(page)
    expect(count(page, "contact")).to_have_text("3")
    expect(page.locator('.column[data-stage="contact"] .total')).to_have_text("7.00")

    page.locator("#filter-teams").check()
    expect(card(page, theirs["id"])).to_be_hidden()
    for project in ours:
        expect(card(page, project["id"])).to_be_visible()
    expect(count(page, "contact")).to_have_text("2")
    expect(page.locator('.column[data-stage="contact"] .total')).to_have_text("3.00")
    assert page.url.endswith("/board?teams=mine")
    page.screenshot(path=artifacts / "board-filter-my-teams.png")

    # Filters combine: my projects within my teams.
    page.locator("#filter-mine").check()
    expect(count(page, "contact")).to_have_text("1")
    expect(card(page, ours[1]["id"])).to_be_hidden()
    page.locator("#filter-mine").uncheck()
    expect(count(page, "contact")).to_have_text("2")

    # A card pushed live obeys the filter too.
    pushed = api("outsider").create("二组丁")
    mine = api("member").create("一组戊")
    expect(card(page, mine["id"])).to_be_visible()
    expect(card(page, pushed["id"])).to_be_hidden()
    expect(count(page, "contact")).to_have_text("3")
    assert_not_reloaded(page)

    # The URL keeps the filter: a reload shows the same.
    page.reload()
    expect(page.locator("#filter-teams")).to_be_checked()
    expect(card(page, theirs["id"])).to_be_hidden()
    expect(count(page, "contact")).to_have_text("3")
    page.locator("#filter-teams").uncheck()
    expect(count(page, "contact")).to_have_text("5")
    assert "teams=" not in page.url


def test_the_workload_page_from_the_board(api, open_board, live_server, artifacts):
    api("member").create("一组甲", investment_wan=12345)
    api("outsider").create("二组乙", investment_wan=40000)
    page = open_board("viewer")
    page.locator("details.menu summary").click()  # among the reports
    page.get_by_role("link", name="工作量").click()
    expect(page).to_have_url(re.compile(r"/board/workload$"))
    unowned = page.locator('tr[data-owner=""]')
    expect(unowned.locator('td[data-stage="contact"]')).to_have_text("2")
    expect(unowned.locator("td[data-investment]")).to_have_text("5.23 亿元")
    page.locator("select[name=team]").select_option("二组")
    page.get_by_role("button", name="显示").click()
    expect(page).to_have_url(re.compile(r"/board/workload\?team="))
    expect(unowned.locator('td[data-stage="contact"]')).to_have_text("1")
    expect(page.locator('tr[data-owner="outsider"]')).to_be_visible()
    page.screenshot(path=artifacts / "workload-team.png", full_page=True)
