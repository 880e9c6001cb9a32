"""Filters in a real browser: the filter bar narrows the board and keeps the view in the URL;
cards changed in another session leave or join a filtered screen (board and wall) by the same
rules the server filters with."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_not_reloaded, card, mark
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]

COUNTIES = ("鹤城区", "中方县", "沅陵县")


@pytest.fixture
def board(live_server, api):
    """Four projects of different counties, sectors and stages, made by a member."""
    live_server.flask("county", "add", *COUNTIES)
    member = api("member")
    long_ago = (today() - timedelta(days=60)).isoformat()   # contact past 45 days: yellow
    return {
        "battery": member.create("新能源电池材料生产基地", investor="湘澜新材料股份有限公司",
                                 county="鹤城区", sector="industry", investment_wan=150_000),
        # first contacted in a closed month: brought in by the lead
        "tea": api("lead").create("有机茶叶种植示范园", investor="五溪茶业合作社", county="中方县",
                                  sector="agriculture", investment_wan=6_000,
                                  stage_dates={"contact": long_ago}),
        "town": member.create("古城文旅街区改造", investor="Pacific Tourism Ltd", county="鹤城区",
                              sector="tourism", investment_wan=80_000, foreign_invested=True),
        "chips": member.create("电子元器件封装测试线", investor="粤芯微电子有限公司",
                               county="沅陵县", sector="industry", investment_wan=120_000,
                               stage="negotiating"),
    }


def ids(page: Page) -> set[int]:
    return {int(i) for i in page.locator("#columns .card").evaluate_all(
        "cards => cards.filter(c => !c.hidden).map(c => c.dataset.projectId)")}


def server_ids(api, query: str) -> set[int]:
    """What the server shows for the same filter: a fresh render of the columns."""
    html = api("viewer").session.get(f"{api('viewer').base}/board/columns?{query}", timeout=10)
    assert html.status_code == 200, html.text
    return {int(i) for i in re.findall(r'<article class="card[^"]*" data-project-id="(\d+)"',
                                       html.text)}


def query_of(page: Page) -> str:
    return page.url.split("?", 1)[1] if "?" in page.url else ""


def answered(page: Page, action) -> None:
    """Do ``action`` and wait for the filter bar's answer to be swapped in."""
    with page.expect_response(lambda r: "/board?" in r.url or r.url.endswith("/board")) as info:
        action()
    assert info.value.status == 200, info.value.text()
    expect(page.locator("#columns.htmx-settling")).to_have_count(0)


def test_the_filter_bar_narrows_the_board_and_the_url_keeps_the_view(board, open_board,
                                                                      artifacts):
    page = open_board("lead")
    mark(page)
    bar = page.locator("#filter-bar")
    expect(page.locator("#match-count")).to_have_text("4")

    answered(page, lambda: bar.locator("select[name=sector]").select_option("industry"))
    expect(page).to_have_url(re.compile(r"/board\?sector=industry$"))
    assert ids(page) == {board["battery"]["id"], board["chips"]["id"]}
    expect(page.locator("#match-count")).to_have_text("2")

    bar.locator("summary", has_text="县市区").click()
    answered(page, lambda: bar.get_by_label("鹤城区").check())
    expect(page).to_have_url(re.compile(r"\?county=%E9%B9%A4%E5%9F%8E%E5%8C%BA&sector=industry$"))
    assert ids(page) == {board["battery"]["id"]}
    expect(bar.locator(".filter-chips li")).to_have_text(["鹤城区", "工业"])
    page.keyboard.press("Escape")   # the pick list closes like a menu
    expect(bar.locator(".filter-pick[open]")).to_have_count(0)
    assert_not_reloaded(page)   # htmx swapped the columns; the page and its socket stayed
    page.screenshot(path=artifacts / "board-filtered.png")

    # The view survives a reload, the controls showing it.
    page.reload()
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")
    assert ids(page) == {board["battery"]["id"]}
    expect(bar.locator("select[name=sector]")).to_have_value("industry")
    expect(bar.get_by_label("鹤城区")).to_be_checked()

    # "My projects" (board.js, in the browser) narrows what the server sent: the count follows,
    # and the filter bar keeps the switch in the address (the lead owns none of them).
    page.locator("#filter-mine").check()
    expect(page.locator("#match-count")).to_have_text("0")
    answered(page, lambda: bar.locator("select[name=sector]").select_option(""))
    expect(page).to_have_url(re.compile(r"\?county=%E9%B9%A4%E5%9F%8E%E5%8C%BA&mine=1$"))
    expect(page.locator("#match-count")).to_have_text("0")
    assert len(ids(page)) == 0 and page.locator("#columns .card").count() == 2  # hidden
    page.locator("#filter-mine").uncheck()
    expect(page.locator("#match-count")).to_have_text("2")

    # A search, typed: sent after a pause, case-insensitive; stages: only their columns.
    mark(page)
    answered(page, lambda: page.locator("[data-clear-filters]").click())
    expect(page).to_have_url(re.compile(r"/board$"))
    expect(page.locator("#match-count")).to_have_text("4")
    answered(page, lambda: bar.locator("input[name=q]").press_sequentially("pacific"))
    # A slow machine may pause mid-word and send a part first: the whole word's answer is last.
    expect(page).to_have_url(re.compile(r"\?q=pacific$"))
    expect(page.locator("#columns.htmx-settling")).to_have_count(0)
    assert ids(page) == {board["town"]["id"]}
    # The cleared search is answered (and its address pushed) before the next filter, so that
    # Back below steps over exactly one entry.
    answered(page, lambda: bar.locator("input[name=q]").fill(""))
    expect(page).to_have_url(re.compile(r"/board$"))
    bar.locator("summary", has_text="阶段").click()
    answered(page, lambda: bar.get_by_label("在谈").check())
    expect(page.locator(".column")).to_have_count(1)
    expect(page.locator(".column h2")).to_have_text("在谈")
    assert ids(page) == {board["chips"]["id"]}
    assert_not_reloaded(page)

    # Back: the page before (htmx reloads it, so that the scripts start afresh).
    page.go_back()
    expect(page.locator(".column")).to_have_count(5)
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")


def test_a_bad_value_in_the_url_shows_why_and_no_cards(board, open_board, live_server):
    page = open_board("viewer")
    response = page.goto(f"{live_server.url}/board?warning=purple&county=鹤城区")
    assert response.status == 400
    expect(page.locator("#filter-status .filter-error")).to_have_text("未知的预警：“purple”。")
    expect(page.locator(".card")).to_have_count(0)
    page.locator("[data-clear-filters]").click()
    expect(page.locator(".card")).to_have_count(4)


def test_cards_changed_elsewhere_leave_or_join_a_filtered_board(board, api, open_board):
    member = api("member")
    query = "county=鹤城区&county=中方县&sector=industry&sector=&billion=1"
    page = open_board("lead")
    page.goto(page.url + "?" + query)
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")
    mark(page)
    assert ids(page) == {board["battery"]["id"]} == server_ids(api, query)

    # Edited out of the filter: it leaves; edited into it: it arrives. Client and server agree.
    steps = [
        (board["battery"]["id"], {"investment_wan": 90_000}, set()),
        (board["chips"]["id"], {"county": "中方县"}, {board["chips"]["id"]}),
        (board["battery"]["id"], {"investment_wan": 100_000},
         {board["chips"]["id"], board["battery"]["id"]}),
        (board["tea"]["id"], {"sector": "industry", "investment_wan": 200_000},
         {board["chips"]["id"], board["battery"]["id"], board["tea"]["id"]}),
        (board["chips"]["id"], {"county": "沅陵县"}, {board["battery"]["id"], board["tea"]["id"]}),
    ]
    for project_id, change, expected in steps:
        member.patch(project_id, **change)
        expect(page.locator("#match-count")).to_have_text(str(len(expected)))
        assert ids(page) == expected == server_ids(api, query), change
    # Moved into a column the screen does not show: it leaves; back into one it shows: back.
    page.goto(page.url.split("?")[0] + "?stage=contact&warning=yellow")
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")
    assert ids(page) == {board["tea"]["id"]}
    expect(page.locator('.column[data-stage="contact"] .warning-count-yellow .n')).to_have_text("1")
    member.move(board["tea"]["id"], "negotiating")
    expect(page.locator("#columns .card")).to_have_count(0)
    expect(page.locator('.column[data-stage="contact"] .warning-count-yellow')).to_be_hidden()
    assert server_ids(api, "stage=contact&warning=yellow") == set()
    # A new project that sits past its stage's limit is yellow at once, and joins the screen.
    fresh = api("lead").create("冷链物流集散中心", investor="顺达冷链物流有限公司",
                               county="中方县", sector="services", investment_wan=30_000,
                               stage_dates={"contact": (today() - timedelta(days=50))
                                            .isoformat()})
    expect(card(page, fresh["id"])).to_have_attribute("data-warning", "yellow")
    expect(page.locator('.column[data-stage="contact"] .warning-count-yellow .n')).to_have_text("1")
    assert ids(page) == {fresh["id"]} == server_ids(api, "stage=contact&warning=yellow")
    # Its date corrected by a lead to today, it is no longer stalled: it leaves.
    api("lead").patch(fresh["id"], stage_dates={"contact": today().isoformat()})
    expect(page.locator("#columns .card")).to_have_count(0)


def test_a_filtered_wall_drops_cards_that_leave_its_filter(board, api, open_wall, live_server):
    member = api("member")
    wall = open_wall()
    wall.goto(wall.url + "&county=鹤城区&q=" + "PACIFIC")
    expect(wall.locator(".live-indicator")).to_have_attribute("data-state", "live")
    assert ids(wall) == {board["town"]["id"]}
    member.patch(board["battery"]["id"], investor="Pacific Energy Holdings")
    expect(card(wall, board["battery"]["id"])).to_be_visible()
    member.patch(board["town"]["id"], county="中方县")
    expect(card(wall, board["town"]["id"])).to_have_count(0)
    expect(wall.locator(".column-stats .count").first).to_have_text("1")
