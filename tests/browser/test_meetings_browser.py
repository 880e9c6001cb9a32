"""A scheduling meeting prepared and held in a real browser, on a phone (390 px) and on a wide
screen (1920 px): a lead prepares it, draws its agenda from the board by a county, reorders it,
types a decision on an item (htmx), and the decision shows as an open blocker of the project;
no page is wider than the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import wait_live, watch
from tests.helpers import printed_wall_path
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "wide": {"viewport": {"width": 1920, "height": 1080}},
}


@pytest.mark.parametrize("screen", SCREENS)
def test_preparing_a_meeting_and_adding_a_decision(live_server, api, open_board, artifacts,
                                                   screen):
    county = {"phone": "辰溪县", "wide": "溆浦县"}[screen]
    live_server.flask("county", "add", county)
    lead_api = api("lead")
    first = lead_api.create(f"{county}光伏项目", county=county)
    lead_api.create(f"{county}冷链项目", county=county)
    page = open_board("lead", **SCREENS[screen])
    page.goto(f"{live_server.url}/meetings")
    page.locator("details.new-meeting > summary").click()
    page.locator("#meeting-title").fill(f"十二月调度会<{screen}>")
    page.locator("input[name=attendees][value=member]").check()
    page.locator("#meeting-guests").fill("分管副市长")
    with page.expect_navigation():
        page.get_by_role("button", name="准备", exact=True).click()
    expect(page.locator("h2")).to_have_text(f"十二月调度会<{screen}>")
    expect(page.locator(".agenda-items .empty")).to_be_visible()

    page.locator("details.agenda-from-board > summary").click()
    page.locator("#agenda-county").select_option(county)
    with page.expect_response("**/meetings/*/agenda"):
        page.get_by_role("button", name="加入议程").click()
    items = page.locator(".agenda-item .item-name")
    expect(items).to_have_count(2)
    names = items.all_inner_texts()
    with page.expect_response("**/meetings/*/agenda"):
        page.locator(".agenda-item").nth(1).locator("button[value=up]").click()
    expect(items.first).to_have_text(names[1])

    item = page.locator(f"#item-{first['id']}")
    item.locator("details.add-decision > summary").click()
    item.locator("textarea[name=text]").fill("协调35千伏线路接入")
    item.locator("input[name=department]").fill("国网辰溪供电公司")
    due = (today() + timedelta(days=14)).isoformat()
    item.locator("input[name=due]").fill(due)
    item.locator("input[name=follow_up]").fill("王科长")
    with page.expect_response("**/meetings/*/decisions"):
        item.get_by_role("button", name="添加交办事项").click()
    decision = page.locator(f"#item-{first['id']} .decision")
    expect(decision).to_have_count(1)
    expect(decision.locator(".state")).to_have_text("办理中")
    expect(decision.locator(".decision-text")).to_have_text("协调35千伏线路接入")
    scroll, inner = page.evaluate(WIDTHS)
    assert scroll <= inner, (scroll, inner)
    page.screenshot(path=artifacts / f"meeting-{screen}.png", full_page=True)

    # The decision is an open blocker of the project, with that department and due date.
    blockers = lead_api.session.get(f"{live_server.url}/api/projects/{first['id']}/blockers",
                                    timeout=10).json()["blockers"]
    assert [(b["status"], b["department"], b["due_on"], b["follow_up"]) for b in blockers] == [
        ("open", "国网辰溪供电公司", due, "王科长")]
    assert blockers[0]["meeting"]["title"] == f"十二月调度会<{screen}>"

    page.goto(f"{live_server.url}/meetings/{blockers[0]['meeting']['id']}/minutes")
    expect(page.locator(".minutes-decisions td").first).to_have_text("协调35千伏线路接入")
    scroll, inner = page.evaluate(WIDTHS)
    assert scroll <= inner, (scroll, inner)


def test_the_chair_drives_a_wall_from_a_phone(live_server, api, open_board, open_wall,
                                              artifacts):
    """Meeting mode: the wall shows the item the chair puts up, follows Next, and returns to its
    rotation when the chair stops."""
    lead_api = api("lead")
    first = lead_api.create("会议模式光伏项目", investor="甲光伏有限公司")
    second = lead_api.create("会议模式冷链物流园", investor="乙物流集团")
    made = lead_api.session.post(f"{live_server.url}/api/meetings", json={
        "title": "大屏调度会", "date": today().isoformat(),
        "agenda": [first["id"], second["id"]]}, timeout=10)
    assert made.status_code == 201, made.text
    wall = open_wall()
    expect(wall.locator("#meeting-pane")).to_be_hidden()
    chair = open_board("lead", **SCREENS["phone"])
    chair.goto(f"{live_server.url}/meetings/{made.json()['id']}")
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="在大屏上演示").click()
    # Each answer swaps the chair's page: the next button is pressed on the page swapped in.
    expect(chair.locator("span.on-walls")).to_contain_text("第 1 项")
    pane = wall.locator("#meeting-pane")
    expect(pane).to_be_visible()
    expect(pane.locator(".meeting-screen-project")).to_contain_text("会议模式光伏项目")
    expect(wall.locator("#wall-views")).to_be_hidden()
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="下一项").click()
    expect(chair.locator("span.on-walls")).to_contain_text("第 2 项")
    expect(pane.locator(".meeting-screen-project")).to_contain_text("会议模式冷链物流园")
    wall.screenshot(path=artifacts / "meeting-mode-wall.png")
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="结束演示").click()
    expect(pane).to_be_hidden()
    expect(wall.locator("#wall-views")).to_be_visible()


@pytest.fixture
def open_display(live_server, new_context, page_errors):
    """``open_display(name, *options)``: a new wall display's screen, connected, its clock
    under the test's hand (its rotation turns when the test says so)."""

    def open_(name: str, *options: str) -> Page:
        path = printed_wall_path(live_server.flask("display", "create", name, *options))
        context = new_context(viewport={"width": 1920, "height": 1080})
        page = watch(context.new_page(), page_errors, f"wall {name}")
        page.clock.install()
        page.goto(live_server.url + path)
        wait_live(page)
        return page

    return open_


def test_the_chair_picks_one_wall_and_puts_up_the_county_ranking(live_server, api, open_board,
                                                                open_display, artifacts):
    """Present on…: a phone chair chooses the meeting room's wall only; it shows the item, then
    the county ranking, then the next item, while the corridor's wall keeps its rotation."""
    lead_api = api("lead")
    first = lead_api.create("择屏光伏项目", investor="甲光伏有限公司")
    second = lead_api.create("择屏冷链物流园", investor="乙物流集团")
    made = lead_api.session.post(f"{live_server.url}/api/meetings", json={
        "title": "择屏调度会", "date": today().isoformat(),
        "agenda": [first["id"], second["id"]]}, timeout=10)
    assert made.status_code == 201, made.text
    room = open_display("会议室大屏")
    corridor = open_display("走廊大屏", "--views", "board,ranking", "--rotate", "10")
    chair = open_board("lead", **SCREENS["phone"])
    chair.goto(f"{live_server.url}/meetings/{made.json()['id']}")
    walls = chair.locator("fieldset.meeting-walls input[name=display]")
    expect(walls).to_have_count(2)
    chair.screenshot(path=artifacts / "meeting-chair-walls-phone.png")
    chair.get_by_label("走廊大屏").uncheck()
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="在大屏上演示").click()
    expect(chair.locator("span.on-walls")).to_contain_text("会议室大屏")
    expect(chair.locator("span.on-walls")).not_to_contain_text("走廊大屏")

    pane = room.locator("#meeting-pane")
    expect(pane.locator(".meeting-screen-project")).to_contain_text("择屏光伏项目")
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="显示县市区排名").click()
    expect(pane.locator(".meeting-screen-view[data-view=ranking] .ranking")).to_be_visible()
    expect(chair.locator("span.on-walls")).to_contain_text("县市区排名")
    room.screenshot(path=artifacts / "meeting-mode-ranking.png")
    chair.screenshot(path=artifacts / "meeting-chair-phone.png", full_page=True)
    scroll, inner = chair.evaluate(WIDTHS)
    assert scroll <= inner, (scroll, inner)

    # The corridor's wall was not chosen: no meeting, and its rotation turns as ever.
    expect(corridor.locator("#meeting-pane")).to_be_hidden()
    views = corridor.locator(".wall-view:visible")
    expect(views).to_have_attribute("data-wall-view", "board")
    corridor.clock.fast_forward(10_000)
    expect(views).to_have_attribute("data-wall-view", "ranking")
    expect(corridor.locator("#meeting-pane")).to_be_hidden()

    with chair.expect_response("**/present"):  # Back: the item the ranking interrupted
        chair.get_by_role("button", name="上一项").click()
    expect(pane.locator(".meeting-screen-project")).to_contain_text("择屏光伏项目")
    expect(chair.locator("span.on-walls")).to_contain_text("第 1 项")
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="下一项").click()
    expect(pane.locator(".meeting-screen-project")).to_contain_text("择屏冷链物流园")
    expect(chair.locator("span.on-walls")).to_contain_text("第 2 项")  # the page swapped in
    with chair.expect_response("**/present"):
        chair.get_by_role("button", name="结束演示").click()
    expect(pane).to_be_hidden()
    expect(room.locator("#wall-views")).to_be_visible()
    expect(corridor.locator("#meeting-pane")).to_be_hidden()
