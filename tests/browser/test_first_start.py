"""The first days on the board: a person sees which cards he may move and, when that is none
because he is in no team, why and whom to ask; an empty board says what to do first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import card, drag_to, drop_into, empty_spot, grab_point

pytestmark = [pytest.mark.browser, pytest.mark.live]


def cursor(page: Page, project_id: int) -> str:
    return card(page, project_id).evaluate("c => getComputedStyle(c).cursor")


def test_cards_of_other_teams_neither_look_nor_act_draggable(live_server, api, open_board,
                                                            artifacts):
    """``outsider`` (二组) sees 一组's card without a grab cursor; dragging it picks nothing up
    and sends nothing, while his own team's card moves. A card redrawn by a live change keeps
    its look."""
    theirs = api("member").create("一组的项目")
    mine = api("outsider").create("二组的项目")
    page = open_board("outsider")
    moves: list[str] = []
    page.on("request", lambda request: moves.append(request.url) if "/move" in request.url
            else None)
    expect(card(page, theirs["id"])).to_have_class("card card-fixed")
    assert cursor(page, theirs["id"]) == "default" and cursor(page, mine["id"]) == "grab"
    page.screenshot(path=str(artifacts / "first-start-fixed-cards.png"))

    drag_to(page, grab_point(page, theirs["id"]), empty_spot(page, "negotiating"))
    expect(card(page, theirs["id"], "contact")).to_be_visible()
    # His own card moves; its request comes after anything the first drag could have sent.
    assert drop_into(page, mine["id"], "negotiating").status == 200
    assert moves == [f"{live_server.url}/api/projects/{mine['id']}/move"]
    assert api("member").get(theirs["id"])["stage"] == "contact"
    assert api("member").get(mine["id"])["stage"] == "negotiating"

    api("member").patch(theirs["id"], name="一组的项目（改名）")
    expect(card(page, theirs["id"]).locator(".card-title")).to_have_text("一组的项目（改名）")
    expect(card(page, theirs["id"])).to_have_class("card card-fixed")


def test_a_member_in_no_team_is_told_why_and_whom_to_ask(live_server, api, open_board,
                                                         artifacts):
    """A user created without --team, as the README's first start could leave him: the board
    says he is in no team and names the administrator; no card looks draggable."""
    project = api("member").create("等待专班的项目")
    live_server.flask("user", "create", "xiaoli", "--role", "member", "--display-name", "小李")
    page = open_board("xiaoli", through_form=True)
    notice = page.locator("#notice-teamless")
    expect(notice).to_contain_text("你还没有加入专班")
    expect(notice).to_contain_text("请联系管理员（Admin）")
    assert cursor(page, project["id"]) == "default"
    expect(page.get_by_role("button", name="新增项目")).to_have_count(0)
    page.screenshot(path=str(artifacts / "first-start-teamless.png"))
    # Someone in a team sees no such notice.
    expect(open_board("member").locator("#notice-teamless")).to_have_count(0)


@pytest.mark.parametrize("username, says", [
    ("admin", "看板上还没有项目。请先添加县市区与园区：系统管理 › 县市区与园区；"
              "然后点击「新增项目」录入第一个项目。"),
    ("member", "点击「新增项目」录入第一个项目。县市区还没有设置，请联系管理员（Admin）添加。"),
    ("viewer", "各专班录入项目后会显示在这里"),
])
def test_an_empty_board_says_what_to_do_first(live_server, api, open_board, artifacts, username,
                                              says):
    """No project and no county yet: the administrator is sent to the counties, a member to
    "New project" (and to the administrator for counties), a viewer told what will come.
    The notice goes when the first card arrives."""
    page = open_board(username)
    notice = page.locator("#notice-empty")
    expect(notice).to_contain_text(says)
    if username == "admin":
        notice.get_by_role("link").click()
        expect(page).to_have_url(f"{live_server.url}/admin/counties")
        return
    page.screenshot(path=str(artifacts / f"first-start-empty-{username}.png"))
    api("member").create("第一个项目")
    expect(page.locator(".card")).to_have_count(1)
    expect(notice).to_have_count(0)


def test_a_new_project_is_confirmed_and_shown(api, open_board, artifacts):
    """Saved from the form at the foot of a long column on a laptop: the page says it was
    created and brings its card into view, its name focused."""
    for number in range(14):
        api("member").create(f"已有项目{number + 1:02d}")
    page = open_board("member", viewport={"width": 1366, "height": 768})
    page.get_by_role("button", name="新增项目").click()
    form = page.locator("dialog#dialog .project-form")
    form.locator("input[name=name]").fill("麻阳冰糖橙深加工项目")
    form.locator("input[name=investor]").fill("湘西果业有限公司")
    form.locator("input[name=investment_wan]").fill("8000")
    with page.expect_response(lambda r: r.url.endswith("/board/projects")
                              and r.request.method == "POST") as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 204
    expect(page.locator("#toast")).to_have_text("已新增项目“麻阳冰糖橙深加工项目”。")
    new = page.locator(".card", has_text="麻阳冰糖橙深加工项目")
    expect(new).to_be_in_viewport()
    expect(new.locator(".card-title")).to_be_focused()
    page.screenshot(path=str(artifacts / "first-start-created-1366.png"))
    stored = [p for p in api("member").projects() if p["name"] == "麻阳冰糖橙深加工项目"]
    assert [(p["stage"], p["investment_wan"]) for p in stored] == [("contact", 8000)]


def test_a_card_that_entered_its_stage_today_says_today(api, open_board):
    """Not "0 天": "今天"; after midnight in Shanghai the screen counts "1 天" by itself."""
    from datetime import timedelta

    from wallchart.core.timeutil import today

    project = api("member").create("今天录入的项目")
    page = open_board("member")
    days = card(page, project["id"]).locator(".card-days")
    expect(days).to_have_text("今天")
    tomorrow = today() + timedelta(days=1)
    page.clock.install(time=f"{tomorrow.isoformat()}T00:00:05+08:00")
    page.reload()
    expect(days).to_have_text("1 天")


def test_an_administrator_moves_every_card(live_server, api, open_board):
    """In no team himself, an administrator may move every team's card, one without a team
    too: none looks fixed."""
    from tests.databases import run_sql

    ours, loose = api("member").create("一组项目"), api("outsider").create("无专班项目")
    run_sql(live_server.database_url, "UPDATE project SET team_id = NULL WHERE id = :id",
            id=loose["id"])
    page = open_board("admin")
    for project in (ours, loose):
        expect(card(page, project["id"])).to_have_class("card")
        assert cursor(page, project["id"]) == "grab"
