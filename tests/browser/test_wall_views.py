"""The grown-up wall in a real Chromium: the header of key indicators and the ticker follow
changes live, a move slides and gets the "today" mark, views take turns, the page reloads itself
after an upgrade or new display settings, and nothing scrolls at 1920x1080 or 3840x2160.

Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_not_reloaded, card, mark, wait_live, watch
from tests.databases import run_sql
from tests.helpers import printed_wall_path
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZES = ((1920, 1080), (3840, 2160))
SECRET_INVESTOR = "绝密资本控股集团"


def arrange(live_server, project_id: int, **values: Any) -> None:
    """Set a project's record in the server's database (its confidential flag, stage dates):
    the state a wall finds when it opens."""
    columns = ", ".join(f"{name} = :{name}" for name in values)
    run_sql(live_server.database_url, f"UPDATE project SET {columns} WHERE id = :project_id",
            project_id=project_id, **values)


def display(live_server, name: str, *options: str) -> str:
    """A new display token's wall path, ``options`` as on the command line."""
    return printed_wall_path(live_server.flask("display", "create", name, *options))


@pytest.fixture
def open_display(live_server, new_context, page_errors):
    """``open_display(path, 1920, 1080)``: a wall screen on that display's path, connected."""

    def open_(path: str, width: int = 1920, height: int = 1080, clock: bool = False,
              **context_args: Any) -> Page:
        context = new_context(viewport={"width": width, "height": height}, **context_args)
        page = watch(context.new_page(), page_errors, f"wall {width}x{height}")
        if clock:
            page.clock.install()
        page.goto(live_server.url + path)
        wait_live(page)
        return page

    return open_


def no_scroll_bars(page: Page) -> None:
    size = page.evaluate("""() => [document.documentElement.scrollWidth,
        document.documentElement.scrollHeight, innerWidth, innerHeight]""")
    assert size[0] <= size[2] and size[1] <= size[3], f"the page scrolls: {size}"


def header_figure(page: Page, key: str):
    return page.locator(f'#wall-indicators [data-indicator="{key}"] .figure-value')


def record_slides(page: Page) -> None:
    """Keep every animation a card starts in ``window.__slides`` (id and first keyframe)."""
    page.evaluate("""() => {
        window.__slides = [];
        const animate = Element.prototype.animate;
        Element.prototype.animate = function (keyframes, options) {
            if (this.classList.contains('card'))
                window.__slides.push([this.dataset.projectId, keyframes[0].transform]);
            return animate.call(this, keyframes, options);
        };
    }""")


def shown_revision(page: Page) -> int:
    return int(page.locator("#wall-indicators").get_attribute("data-revision"))


@pytest.fixture
def busy_board(live_server, api) -> dict[str, dict]:
    """A believable board: projects in every stage, signed this year with their stage dates,
    one of them confidential, a few moves in the ticker."""
    member = api("member")
    names = ["新能源电池材料生产基地", "智能装备制造产业园", "电子信息元器件项目",
             "冷链物流及跨境电商产业园", "碣滩茶产业融合发展项目", "通道万佛山康养旅游项目",
             "年产十万吨高性能铝合金精密压铸件项目", "中药材精深加工项目", "侗族文化旅游度假区",
             "城市商业综合体", "数据中心及算力服务项目", "生物医药中间体项目"]
    stages = ["contact", "negotiating", "signed", "started", "producing"]
    made = {}
    for n, name in enumerate(names):
        made[name] = member.create(name, investment_wan=12_000 * (n + 1) + 3_000 * (n % 3),
                                   investor=f"示例投资集团第{n + 1}有限公司")
    day = today().isoformat()
    for n, name in enumerate(names):
        stage = stages[n % 5]
        if stage != "contact":  # the gates of started and producing ask for the earlier dates
            member.move(made[name]["id"], stage, stage_dates={
                s: day for s in ("signed", "started") if stages.index(s) < stages.index(stage)})
        arrange(live_server, made[name]["id"], **{
            f"{s}_on": day for s in stages[:stages.index(stage) + 1]})
    arrange(live_server, made["数据中心及算力服务项目"]["id"], confidential=True,
            investor=SECRET_INVESTOR)
    return made


# --- live header, ticker, slide and mark ------------------------------------------------------

def test_a_move_slides_is_marked_and_reaches_the_header_and_ticker(live_server, api, busy_board,
                                                                   open_display, artifacts):
    path = display(live_server, "大厅", "--profile", "staff")
    wall = open_display(path)
    mark(wall)
    record_slides(wall)
    moving = busy_board["智能装备制造产业园"]  # in negotiating
    expect(card(wall, moving["id"], "negotiating")).to_be_visible()
    before = shown_revision(wall)
    member = api("member")
    member.move(moving["id"], "signed", 0)
    moved = card(wall, moving["id"], "signed")
    expect(moved).to_be_visible()
    # it slid from its old place: a transform animation started on the card
    wall.wait_for_function(f"""() => window.__slides.some(([id, from]) =>
        id === '{moving["id"]}' && from.startsWith('translate('))""")
    expect(moved.locator(".today-mark")).to_have_text("今日")
    expect(moved).to_have_class(re.compile(r"\bmoved-today\b"))
    # its days line would say 今天 beside the mark: hidden (its column shows whole cards)
    assert moved.evaluate("card => card.closest('.cards').dataset.layout") == "full"
    expect(moved.locator(".card-days")).to_be_hidden()
    # the ticker names it first; the header was pushed again after the move
    first = wall.locator("#ticker .ticker-item").first
    expect(first).to_contain_text("智能装备制造产业园")
    expect(first).to_contain_text("在谈 → 已签约")
    wall.wait_for_function(f"""() => Number(document.getElementById('wall-indicators')
        .dataset.revision) > {before}""")
    figures = member.session.get(f"{live_server.url}/api/indicators", timeout=10).json()
    expect(header_figure(wall, "signed")).to_have_text(
        str(figures["indicators"]["signed"]["count"]))
    # an edit of a signed project's amount changes the header's figure live
    signed = busy_board["电子信息元器件项目"]
    shown = header_figure(wall, "signed_investment").text_content()
    current = member.get(signed["id"])
    member.patch(signed["id"], investment_wan=current["investment_wan"] + 500_000)
    expect(header_figure(wall, "signed_investment")).not_to_have_text(shown)
    assert float(header_figure(wall, "signed_investment").text_content().replace(",", "")) \
        == pytest.approx(float(shown.replace(",", "")) + 50)
    no_scroll_bars(wall)
    wall.screenshot(path=artifacts / "wall-live-move-1920x1080.png")
    assert_not_reloaded(wall)


def test_a_header_pushed_again_as_it_was_is_kept_and_a_wall_in_doubt_asks_again(
        live_server, api, busy_board, open_display):
    """Moves from 接触洽谈 to 在谈 change no key figure: after the first, the header comes
    again only as a new revision, which the wall takes without asking the server; a wall
    whose header is not the one pushed before (as if loaded in between) asks for the
    summary once, and shows what it is told."""
    wall = open_display(display(live_server, "大厅"))
    mark(wall)
    asked: list[str] = []
    wall.on("request", lambda request: asked.append(request.url)
            if "/wall/summary" in request.url else None)
    member = api("member")
    moves = ["新能源电池材料生产基地", "通道万佛山康养旅游项目", "数据中心及算力服务项目"]
    revisions = [shown_revision(wall)]

    def move(name: str) -> None:
        member.move(busy_board[name]["id"], "negotiating")
        expect(wall.locator("#ticker .ticker-item").first).to_contain_text(name)
        wall.wait_for_function(f"""() => Number(document.getElementById('wall-indicators')
            .dataset.revision) > {revisions[-1]}""")
        revisions.append(shown_revision(wall))

    move(moves[0])
    shown = wall.locator("#wall-indicators").inner_html()
    move(moves[1])
    assert wall.locator("#wall-indicators").inner_html() == shown
    assert asked == []
    # As if the page had loaded after that push: its header carries another revision.
    wall.evaluate(f"document.getElementById('wall-indicators').dataset.revision = "
                  f"'{revisions[-1] - 1}'")
    revisions[-1] -= 1
    move(moves[2])
    assert len(asked) == 1, asked
    figures = member.session.get(f"{live_server.url}/api/indicators", timeout=10).json()
    expect(header_figure(wall, "signed")).to_have_text(
        str(figures["indicators"]["signed"]["count"]))
    assert_not_reloaded(wall)


def test_without_motion_a_move_jumps(live_server, api, busy_board, open_display):
    """A screen that asks for reduced motion gets the card in its place, with no slide."""
    wall = open_display(display(live_server, "大厅"), reduced_motion="reduce")
    record_slides(wall)
    moving = busy_board["年产十万吨高性能铝合金精密压铸件项目"]  # in negotiating
    api("member").move(moving["id"], "started", 0, stage_dates={"signed": today().isoformat()})
    expect(card(wall, moving["id"], "started").locator(".today-mark")).to_have_count(1)
    assert wall.evaluate("window.__slides") == []


def test_the_today_marks_go_at_midnight(live_server, busy_board, open_display):
    """Just before midnight in Shanghai a card moved today is marked; after it, not."""
    wall = open_display(display(live_server, "大厅"), clock=True)
    expect(wall.locator(".card.moved-today").first).to_be_visible()
    wall.clock.set_system_time(f"{today().isoformat()}T23:59:58+08:00")
    wall.clock.fast_forward(1000)
    expect(wall.locator(".card.moved-today").first).to_be_visible()
    wall.clock.fast_forward(5000)
    expect(wall.locator(".card.moved-today")).to_have_count(0)
    expect(wall.locator(".today-mark")).to_have_count(0)


# --- views that take turns ---------------------------------------------------------------------

def test_views_take_turns_and_nothing_scrolls(live_server, api, busy_board, open_display,
                                              artifacts):
    path = display(live_server, "轮播", "--views", "board,ranking,attention,charts",
                   "--rotate", "10", "--profile", "lobby")
    for width, height in SIZES:
        wall = open_display(path, width, height, clock=True)
        views = wall.locator(".wall-view:visible")
        for turn, name in enumerate(("board", "ranking", "attention", "charts", "board")):
            if turn:
                wall.clock.fast_forward(10_000)
            expect(views).to_have_count(1)
            expect(views).to_have_attribute("data-wall-view", name)
            if name == "board":
                expect(wall.locator(".card")).to_have_count(len(busy_board))
            else:
                expect(views.locator("section")).to_have_count(1)
            if (width, name) == (1920, "ranking"):  # a change while it is up: fetched again
                with wall.expect_request(re.compile(r"/wall/views/ranking\?")):
                    api("member").move(busy_board["中药材精深加工项目"]["id"], "started",
                                       stage_dates={"signed": today().isoformat()})
            no_scroll_bars(wall)
            wall.screenshot(path=artifacts / f"wall-rotation-{turn}-{name}-{width}x{height}.png")
        # a lobby screen never shows the confidential investor, whatever the view
        assert SECRET_INVESTOR not in wall.content()
        wall.context.close()


def test_a_single_view_never_turns(live_server, busy_board, open_display):
    wall = open_display(display(live_server, "看板"), clock=True)
    wall.clock.fast_forward(3_600_000)
    expect(wall.locator(".wall-view:visible")).to_have_attribute("data-wall-view", "board")
    expect(wall.locator(".card")).to_have_count(len(busy_board))


# --- reloads -----------------------------------------------------------------------------------

def test_the_wall_reloads_after_an_upgrade_and_not_otherwise(live_server, api, open_display):
    live_server.stop()
    live_server.env["WALLCHART_BUILD_ID"] = "release-1"
    live_server.start()
    wall = open_display(display(live_server, "大厅"))
    assert wall.locator("#wall-views").get_attribute("data-build") == "release-1"
    mark(wall)
    live_server.stop()
    live_server.start()  # the same build: the wall only reconnects
    api("member").create("重启后项目")
    expect(wall.locator(".card")).to_have_count(1)
    assert_not_reloaded(wall)
    live_server.stop()
    live_server.env["WALLCHART_BUILD_ID"] = "release-2"
    live_server.start()
    expect(wall.locator("#wall-views")).to_have_attribute("data-build", "release-2",
                                                          timeout=30_000)
    assert wall.evaluate("window.__marker") is None  # it reloaded
    wait_live(wall)


def test_new_settings_reload_the_wall_with_them(live_server, busy_board, open_display):
    path = display(live_server, "大厅", "--profile", "staff")
    wall = open_display(path)
    confidential = card(wall, busy_board["数据中心及算力服务项目"]["id"])
    expect(confidential.locator(".card-investor")).to_have_text(SECRET_INVESTOR)
    mark(wall)
    live_server.flask("display", "set", "大厅", "--profile", "lobby")
    expect(confidential.locator(".card-amount")).to_have_text("保密", timeout=20_000)
    assert wall.evaluate("window.__marker") is None
    assert SECRET_INVESTOR not in wall.content()
    expect(wall.locator(".wall-period")).to_contain_text("不含保密项目")


# --- how it looks ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_of_a_working_wall(live_server, api, busy_board, open_display, artifacts,
                                       lang):
    member = api("member")
    member.move(busy_board["碣滩茶产业融合发展项目"]["id"], "started",
                stage_dates={"signed": today().isoformat()})
    path = display(live_server, "大厅", "--profile", "lobby") + f"&lang={lang}"
    for width, height in SIZES:
        wall = open_display(path, width, height)
        expect(wall.locator("#ticker .ticker-item").first).to_contain_text(
            "碣滩茶产业融合发展项目")
        no_scroll_bars(wall)
        assert SECRET_INVESTOR not in wall.content()
        wall.screenshot(path=artifacts / f"wall-lobby-{lang}-{width}x{height}.png")
        wall.context.close()
