"""The board on a phone (390 × 844, touch; issue 11): no page is wider than the screen; one
stage at a time, chosen by tabs that keep their counts (a tap, a swipe, the keyboard); the top
bar and the filters folded into a menu; every target 44 px or more; "Move to…" moves a card
the way a drop does; a tapped card's panel opens full-screen. Wider screens keep every column."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    STAGES,
    Finger,
    assert_not_reloaded,
    card,
    column_ids,
    mark,
    wait_live,
)
from tests.databases import run_sql

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
#: Every page a person opens (an admin sees them all), and the wall.
PAGES = ["/board", "/indicators", "/reports/weekly", "/reports/schedule", "/results",
         "/blockers", "/board/workload", "/board/archive", "/account/password", "/admin",
         "/admin/audit", "/admin/counties", "/admin/displays", "/admin/targets", "/admin/teams",
         "/admin/users"]
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
#: A wide table's headings that wrap (on a phone it scrolls in its box instead of squeezing
#: its columns until Chinese breaks a character a line).
SQUEEZED = """() => [...document.querySelectorAll('.table-scroll th')].filter(th => {
  const range = document.createRange();
  range.selectNodeContents(th);
  const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
  return th.offsetParent && lines.size > 2;
}).map(th => th.innerText.trim())"""


def test_no_page_is_wider_than_a_phone(live_server, api, open_board, wall_path, artifacts):
    # A red card in a column right of the screen: its column head counts it, for screen
    # readers too (a hidden label that once widened the page to 1,586 px).
    project = api("member").create("高端竹木家居制造项目", stage="negotiating")
    run_sql(live_server.database_url, "UPDATE project SET stage_entered_at = :day, "
            "negotiating_on = :day WHERE id = :id", day=date.today() - timedelta(days=100),
            id=project["id"])
    page = open_board("admin", **PHONE)
    too_wide, squeezed = {}, {}
    for path in [*PAGES, wall_path]:
        assert page.goto(live_server.url + path).status == 200, path
        page_width, screen = page.evaluate(WIDTHS)
        if page_width > screen or screen != 390:
            too_wide[path.split("?")[0]] = (page_width, screen)
        if headings := page.evaluate(SQUEEZED):
            squeezed[path] = headings
    page.goto(live_server.url + "/board")
    page.get_by_role("tab", name=re.compile("在谈")).tap()
    expect(page.locator('.column[data-stage="negotiating"] .warning-count-red')).to_be_visible()
    page.screenshot(path=artifacts / "phone-board.png")
    assert too_wide == {}, f"wider than the phone's 390 px (page, layout viewport): {too_wide}"
    assert squeezed == {}, f"table headings squeezed onto several lines: {squeezed}"


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


# --- one stage at a time ------------------------------------------------------------------------

def shown_stage(page: Page) -> str:
    """The one column a phone shows (and checks that it is the only one)."""
    visible = page.locator(".column:visible")
    expect(visible).to_have_count(1)
    return visible.get_attribute("data-stage")


def tab_counts(page: Page) -> dict[str, int]:
    return dict(page.locator(".stage-tab").evaluate_all(
        "tabs => tabs.map(t => [t.dataset.tab, Number(t.querySelector('.count').textContent)])"))


def card_counts(page: Page) -> dict[str, int]:
    return {stage: len(column_ids(page, stage)) for stage in STAGES}


def expect_tab_counts(page: Page, counts: dict[str, int]) -> None:
    """The tabs say ``counts``, which are the cards in the columns (hidden ones included)."""
    for stage, count in counts.items():
        expect(page.locator(f"#stage-tab-{stage} .count")).to_have_text(str(count))
    assert tab_counts(page) == card_counts(page) == counts


def test_the_first_card_is_on_the_first_screen(api, open_board, artifacts):
    member = api("member")
    first = member.create("生物医药中间体项目")
    member.create("数据中心及算力服务项目", stage="negotiating")
    member.create("智能装备制造产业园", stage="negotiating")
    member.create("新能源电池材料基地", stage="signed")
    page = open_board("member", **PHONE)
    page.screenshot(path=artifacts / "phone-board-tabs.png")
    assert shown_stage(page) == "contact"
    box = card(page, first["id"]).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    assert box["width"] >= 390 - 2 * 10, box          # full width, but for a small margin
    tabs = page.get_by_role("tablist", name="阶段").get_by_role("tab")
    expect(tabs).to_have_text([re.compile(label) for label in
                               ("接触洽谈", "在谈", "已签约", "已开工", "竣工投产")])
    expect(tabs.first).to_have_attribute("aria-selected", "true")
    expect_tab_counts(page, {"contact": 1, "negotiating": 2, "signed": 1, "started": 0,
                             "producing": 0})
    # The column is the tab's panel; the top bar and the filters are folded away.
    panel = page.get_by_role("tabpanel", name=re.compile("接触洽谈"))
    expect(panel).to_contain_text("生物医药中间体项目")
    expect(page.get_by_role("button", name="新增项目")).to_be_hidden()
    expect(page.locator("#filter-bar")).to_be_hidden()


def test_tabs_switch_stages_on_tap_swipe_and_keys(api, open_board, artifacts):
    member = api("member")
    orange = member.create("冰糖橙冷链仓储项目")
    talks = member.create("碣滩茶产业融合发展项目", stage="negotiating")
    page = open_board("member", **PHONE)
    page.get_by_role("tab", name=re.compile("在谈")).tap()
    assert shown_stage(page) == "negotiating"
    expect(card(page, talks["id"])).to_be_in_viewport()
    expect(page.get_by_role("tab", name=re.compile("在谈"))).to_have_attribute(
        "aria-selected", "true")
    expect(page.get_by_role("tab", name=re.compile("接触洽谈"))).to_have_attribute(
        "aria-selected", "false")

    finger = Finger(page)
    mark(page)
    # Right to left: the next stage; left to right: back; up and down: the page scrolls.
    finger.swipe((330, 500), (80, 520))
    expect(page.get_by_role("tab", name=re.compile("已签约"))).to_have_attribute(
        "aria-selected", "true")
    assert shown_stage(page) == "signed"
    finger.swipe((60, 500), (320, 490))
    finger.swipe((60, 500), (320, 490))
    expect(page.get_by_role("tab", name=re.compile("接触洽谈"))).to_have_attribute(
        "aria-selected", "true")
    finger.swipe((60, 500), (320, 490))    # no stage before the first, and no page either
    finger.swipe((200, 600), (230, 300))   # mostly up
    assert shown_stage(page) == "contact"
    assert_not_reloaded(page)
    # A finger that rests on a card picks it up: sideways then, it drags the card, not the stage.
    box = card(page, orange["id"]).locator(".card-foot").bounding_box()
    start = (box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
    finger.drag(start, (start[0] - 250, start[1]), chosen=card(page, orange["id"]))
    expect(page.locator(".card-chosen")).to_have_count(0)
    assert shown_stage(page) == "contact"

    # The keyboard: arrows move along the tabs, the focus with them (one tab in the Tab order).
    tab = page.get_by_role("tab", name=re.compile("接触洽谈"))
    tab.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name=re.compile("在谈"))).to_be_focused()
    assert shown_stage(page) == "negotiating"
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name=re.compile("竣工投产"))).to_be_focused()
    assert shown_stage(page) == "producing"
    expect(page.locator('.stage-tab[tabindex="0"]')).to_have_count(1)
    page.screenshot(path=artifacts / "phone-board-producing.png")


#: Each thing the stage announcer says, in order (every time its words are set, the same again
#: included), in ``window.said``.
LISTEN = """() => {
  window.said = [];
  new MutationObserver(() => {
    const words = document.getElementById('stage-announcer').textContent;
    if (words) window.said.push(words);
  }).observe(document.getElementById('stage-announcer'), {childList: true, characterData: true,
                                                          subtree: true});
}"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_screen_reader_hears_the_stage_a_swipe_or_a_tap_shows(api, open_board, language):
    """A polite live region says the stage shown and its count, after a swipe or a tap."""
    member = api("member")
    member.create("冰糖橙冷链仓储项目")
    for name in ("碣滩茶产业融合发展项目", "黄精深加工项目"):
        member.create(name, stage="negotiating")
    member.create("新能源电池材料基地", stage="signed")
    page = open_board("member", **PHONE)
    if language == "en":
        page.get_by_role("button", name="菜单").tap()
        page.get_by_role("button", name="English").tap()
        wait_live(page)
    said = {"zh": ["在谈 · 2 个项目", "已签约 · 1 个项目", "在谈 · 2 个项目", "已开工 · 0 个项目"],
            "en": ["Negotiating · 2 projects", "Signed · 1 project", "Negotiating · 2 projects",
                   "Construction started · 0 projects"]}[language]
    region = page.get_by_role("status").and_(page.locator("#stage-announcer"))
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")            # nothing said on opening the board
    page.evaluate(LISTEN)
    finger = Finger(page)
    finger.swipe((330, 500), (80, 520))        # right to left: the next stage
    expect(region).to_have_text(said[0])
    finger.swipe((330, 500), (80, 520))
    expect(region).to_have_text(said[1])
    finger.swipe((60, 500), (320, 490))        # and back: the same words, said again
    expect(region).to_have_text(said[2])
    page.locator("#stage-tab-started").tap()
    expect(region).to_have_text(said[3])
    assert shown_stage(page) == "started"
    page.locator("#stage-tab-started").tap()   # the stage shown already: nothing new to say
    page.wait_for_timeout(300)
    assert page.evaluate("window.said") == said


def test_a_move_on_another_screen_updates_the_tab_counts(api, open_board):
    member = api("member")
    projects = [member.create(f"工业园区项目{i}") for i in range(3)]
    page = open_board("member", **PHONE)
    expect_tab_counts(page, {"contact": 3, "negotiating": 0, "signed": 0, "started": 0,
                             "producing": 0})
    member.move(projects[0]["id"], "negotiating")
    expect_tab_counts(page, {"contact": 2, "negotiating": 1, "signed": 0, "started": 0,
                             "producing": 0})
    assert shown_stage(page) == "contact"   # the screen stays where its reader was


# --- the menu ----------------------------------------------------------------------------------

def test_the_menu_holds_the_top_bar_and_the_filters(api, open_board, artifacts):
    member = api("member")
    farm = member.create("稻渔综合种养项目", stage="negotiating", sector="agriculture")
    member.create("汽车零部件制造项目", stage="negotiating", sector="industry")
    member.create("预制菜加工项目", sector="agriculture")
    page = open_board("member", **PHONE)
    page.get_by_role("tab", name=re.compile("在谈")).tap()
    menu = page.get_by_role("button", name="菜单")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in ("新增项目", "退出登录"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="调度会")).to_be_visible()
    sector = page.get_by_role("combobox", name="产业类别")
    expect(sector).to_be_visible()
    page.screenshot(path=artifacts / "phone-menu.png", full_page=True)

    with page.expect_response(lambda r: "sector=agriculture" in r.url):
        sector.select_option("agriculture")
    expect(page.locator("#match-count")).to_have_text("2")
    assert "sector=agriculture" in page.url
    # The stage read before stays; the tabs count what the filter keeps.
    assert shown_stage(page) == "negotiating"
    expect_tab_counts(page, {"contact": 1, "negotiating": 1, "signed": 0, "started": 0,
                             "producing": 0})
    assert column_ids(page, "negotiating") == [farm["id"]]

    menu.tap()
    expect(page.get_by_role("button", name="新增项目")).to_be_hidden()
    # Folded, the filter still says what it keeps, and can be cleared.
    chips = page.get_by_role("list", name="已选筛选条件")
    expect(chips).to_be_visible()
    expect(chips).to_have_text("现代农业")
    expect(page.locator(".filter-clear")).to_be_visible()
    expect(sector).to_be_hidden()
    page.screenshot(path=artifacts / "phone-menu-folded-filtered.png")
    # A keyboard folds it too: Escape, and the focus goes back to the button.
    menu.focus()
    page.keyboard.press("Enter")
    expect(sector).to_be_visible()
    sector.focus()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(sector).to_be_hidden()


# --- fingers ----------------------------------------------------------------------------------

#: Whatever a finger can hit (a checkbox's target is its label), visible, smaller than 44 × 44.
SMALL_TARGETS = """() => {
  const targets = new Set();
  for (const el of document.querySelectorAll(
      "a[href], button, select, textarea, input:not([type=hidden]), summary, [role=tab]")) {
    const label = el.matches("input[type=checkbox], input[type=radio]") && el.closest("label");
    targets.add(label || el);
  }
  return Array.from(targets).filter(el => el.getClientRects().length && el.checkVisibility())
    .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
    .filter(([, box]) => box.width < 44 || box.height < 44)
    .map(([html, box]) => `${html} ${Math.round(box.width)}x${Math.round(box.height)}`);
}"""


def test_every_target_on_the_board_is_44_px_or_more(api, open_board):
    lead = api("lead")
    lead.create("光伏组件生产线项目")
    page = open_board("lead", **PHONE)
    assert page.evaluate(SMALL_TARGETS) == []
    page.get_by_role("button", name="菜单").tap()
    assert page.evaluate(SMALL_TARGETS) == []
    for pick in ("县市区", "阶段"):
        page.locator(".filter-pick summary", has_text=pick).tap()
        assert page.evaluate(SMALL_TARGETS) == [], pick
    page.get_by_text("报表").tap()
    expect(page.get_by_role("link", name="周报")).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    page.get_by_role("button", name="批量选择").tap()
    expect(page.locator(".card-select")).to_have_count(1)
    assert page.evaluate(SMALL_TARGETS) == []
    page.locator(".card-move").tap()
    expect(page.locator("#move-dialog")).to_have_attribute("open", "")
    assert page.evaluate(SMALL_TARGETS) == []
    page.get_by_role("button", name="取消").tap()
    # The panel, every fold of it open (stage dates, notes, blockers, withdrawing…).
    page.locator(".card-title").tap()
    panel = page.locator("dialog#dialog .project-panel")
    expect(panel).to_be_visible()
    panel.locator("details").evaluate_all("folds => folds.forEach(d => { d.open = true; })")
    assert page.evaluate(SMALL_TARGETS) == []


# --- every staff page's top bar ----------------------------------------------------------------

#: The pages with a top bar: all but the password form.
TOPBAR_PAGES = [path for path in PAGES if path != "/account/password"]
#: What a page's top bar shows: its items' texts from left to right, whether they stand on one
#: row (each item overlaps every other from top to bottom), its height, how far right it reaches.
TOPBAR = """() => {
  const bar = document.querySelector('.topbar');
  const shown = [...bar.children].filter(el => el.getClientRects().length)
    .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left);
  const boxes = shown.map(el => el.getBoundingClientRect());
  return {
    items: shown.map(el => el.innerText.trim()),
    oneRow: Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom)),
    height: Math.round(bar.getBoundingClientRect().height),
    right: Math.max(bar.scrollWidth, ...boxes.map(b => Math.ceil(b.right))),
  };
}"""
#: The top bar's targets smaller than 44 × 44 px.
SMALL_IN_TOPBAR = SMALL_TARGETS.replace("document.querySelectorAll(",
                                        "document.querySelector('.topbar').querySelectorAll(")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_staff_pages_top_bar_folds_to_one_row(live_server, open_board, artifacts,
                                                    language):
    """The title, the way back to the board (the board: its live badge) and the menu button,
    on one row, nothing past the screen's edge; the rest behind the button, as on the board."""
    page = open_board("admin", **PHONE)
    if language == "en":
        page.get_by_role("button", name="菜单").tap()
        page.get_by_role("button", name="English").tap()
        expect(page.get_by_role("button", name="Menu")).to_be_visible()
    menu, back = ("菜单", "返回看板") if language == "zh" else ("Menu", "Back to the board")
    folded, wide = {}, {}
    for path in TOPBAR_PAGES:
        assert page.goto(live_server.url + path).status == 200, path
        if path == "/board":
            wait_live(page)
        bar = page.evaluate(TOPBAR)
        expected = [page.locator(".topbar h1").inner_text(), back, menu]
        if path == "/board":
            expected[1] = "实时" if language == "zh" else "Live"
        if not (bar["oneRow"] and bar["height"] <= 60) or bar["items"] != expected:
            folded[path] = bar
        page_width, screen = page.evaluate(WIDTHS)
        if max(page_width, bar["right"]) > screen:
            wide[path] = (page_width, bar["right"], screen)
        page.screenshot(path=artifacts / f"phone-topbar-{language}{path.replace('/', '-')}.png")
    assert folded == {}, f"top bars not folded to one row: {folded}"
    assert wide == {}, f"wider than the phone (page, top bar, screen): {wide}"

    # Unfolded: the page's own links, the language switch and who is signed in, a row each.
    for path, own in (("/blockers", "button"), ("/admin/users", "link")):
        page.goto(live_server.url + path)
        toggle = page.get_by_role("button", name=menu)
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.tap()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        name = {"button": ("打印", "Print"), "link": ("用户", "Users")}[own][language == "en"]
        expect(page.locator(".topbar").get_by_role(own, name=name, exact=True)).to_be_visible()
        other = "English" if language == "zh" else "中文"
        expect(page.get_by_role("button", name=other)).to_be_visible()
        assert page.evaluate(SMALL_IN_TOPBAR) == [], path
        assert page.evaluate(WIDTHS)[0] <= 390, path
        page.screenshot(path=artifacts / f"phone-topbar-{language}{path.replace('/', '-')}"
                                         "-open.png")
        toggle.tap()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        assert page.evaluate(TOPBAR)["oneRow"], path


# --- Move to… ----------------------------------------------------------------------------------

def moves_of(live_server, project_id: int) -> list[tuple]:
    return run_sql(live_server.database_url,
                   'SELECT e.from_stage, e.to_stage, u.username FROM project_event e '
                   'JOIN "user" u ON u.id = e.user_id '
                   "WHERE e.project_id = :id AND e.action = 'moved' ORDER BY e.id", id=project_id)


def test_move_to_moves_the_card_as_a_drop_does(live_server, api, open_board, artifacts):
    member = api("member")
    project = member.create("锂电池回收利用项目")
    page = open_board("member", **PHONE)
    card(page, project["id"]).get_by_role("button", name="移至…").tap()
    sheet = page.get_by_role("dialog", name="移至…")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("锂电池回收利用项目")
    expect(sheet.get_by_role("button", name=re.compile("接触洽谈"))).to_be_disabled()
    expect(sheet.get_by_role("button", name=re.compile("接触洽谈"))).to_contain_text("当前阶段")
    box = sheet.bounding_box()
    assert (box["x"], box["width"], round(box["y"] + box["height"])) == (0, 390, 844), box
    page.screenshot(path=artifacts / "phone-move-to.png")

    with page.expect_response(f"**/api/projects/{project['id']}/move") as moved:
        sheet.get_by_role("button", name="在谈").tap()
    assert moved.value.status == 200, moved.value.text()
    expect(sheet).to_be_hidden()
    expect(page.locator("#toast")).to_have_text("已移至“在谈”。")
    expect(card(page, project["id"], "negotiating")).to_be_attached()
    expect_tab_counts(page, {"contact": 0, "negotiating": 1, "signed": 0, "started": 0,
                             "producing": 0})
    assert member.get(project["id"])["stage"] == "negotiating"
    assert moves_of(live_server, project["id"]) == [("contact", "negotiating", "member")]


def test_move_to_asks_what_the_stage_gate_needs(live_server, api, open_board, artifacts):
    member = api("member")
    # Signing needs the agreed investment, which this project does not have yet.
    project = member.create("新能源电池材料生产基地", stage="negotiating", investment_wan=None)
    page = open_board("member", **PHONE)
    page.get_by_role("tab", name=re.compile("在谈")).tap()
    card(page, project["id"]).get_by_role("button", name="移至…").tap()
    with page.expect_response(f"**/api/projects/{project['id']}/move") as refused:
        page.get_by_role("dialog", name="移至…").get_by_role("button", name="已签约").tap()
    assert refused.value.status == 422
    gate = page.locator("#gate-dialog")
    expect(gate).to_have_attribute("open", "")
    assert gate.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
    gate.get_by_label(re.compile("投资额")).fill("120,000")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    expect(gate.locator('input[name="stage_dates.signed"]')).to_have_value(today)
    page.screenshot(path=artifacts / "phone-move-to-gate.png")
    with page.expect_response(f"**/api/projects/{project['id']}/move") as moved:
        gate.get_by_role("button", name="保存并移动").tap()
    assert moved.value.status == 200, moved.value.text()
    expect(card(page, project["id"], "signed")).to_be_attached()
    stored = member.get(project["id"])
    assert (stored["stage"], stored["investment_wan"], stored["stage_dates"]["signed"]) == \
        ("signed", 120000, today)
    assert moves_of(live_server, project["id"]) == [("negotiating", "signed", "member")]


def test_move_to_a_card_changed_meanwhile_is_refused(live_server, api, open_board):
    member = api("member")
    project = member.create("中药材精深加工项目")
    page = open_board("member", **PHONE)
    card(page, project["id"]).get_by_role("button", name="移至…").tap()
    # The card changes while the sheet is open, and this screen has not heard of it yet: the
    # version it sends is stale…
    run_sql(live_server.database_url, "UPDATE project SET investor = :investor, "
            "version = version + 1 WHERE id = :id", investor="五溪本草药业有限公司",
            id=project["id"])
    with page.expect_response(f"**/api/projects/{project['id']}/move") as refused:
        page.get_by_role("dialog", name="移至…").get_by_role("button", name="在谈").tap()
    assert refused.value.status == 409
    expect(page.locator("#toast")).to_have_class(re.compile(r"\berror\b"))
    # …so nothing moved, and the screen shows what the database holds.
    expect(card(page, project["id"], "contact")).to_contain_text("五溪本草药业有限公司")
    assert member.get(project["id"])["stage"] == "contact"
    assert moves_of(live_server, project["id"]) == []


def test_move_to_a_card_redrawn_meanwhile_sends_its_new_version(live_server, api, open_board):
    member = api("member")
    project = member.create("古商城街区保护开发项目")
    page = open_board("member", **PHONE)
    card(page, project["id"]).get_by_role("button", name="移至…").tap()
    # Another screen edits the card while the sheet is open, and its push redraws the card here.
    member.patch(project["id"], investor="古城文旅发展有限公司")
    expect(card(page, project["id"])).to_contain_text("古城文旅发展有限公司")
    with page.expect_response(f"**/api/projects/{project['id']}/move") as moved:
        page.get_by_role("dialog", name="移至…").get_by_role("button", name="在谈").tap()
    assert moved.value.status == 200, moved.value.text()
    expect(card(page, project["id"], "negotiating")).to_be_attached()
    assert moves_of(live_server, project["id"]) == [("contact", "negotiating", "member")]


# --- a phone held sideways ----------------------------------------------------------------------

#: The same phone turned sideways: wider than a tablet's 600 px, but a touch screen 390 px high.
SIDEWAYS = {**PHONE, "viewport": {"width": 844, "height": 390}}


def test_a_phone_held_sideways_shows_one_stage_with_its_tabs(api, open_board, artifacts):
    """Not the tablet's five squeezed columns: the tabs, one column at full width, a tap or a
    swipe to change stage, the top bar folded to one row."""
    member = api("member")
    orange = member.create("冰糖橙冷链仓储项目")
    talks = member.create("碣滩茶产业融合发展项目", stage="negotiating")
    page = open_board("member", **SIDEWAYS)
    assert page.evaluate(WIDTHS) == [844, 844]
    expect(page.get_by_role("tablist", name="阶段")).to_be_visible()
    expect_tab_counts(page, {"contact": 1, "negotiating": 1, "signed": 0, "started": 0,
                             "producing": 0})
    assert shown_stage(page) == "contact"
    expect(page.get_by_role("tabpanel", name=re.compile("接触洽谈"))).to_contain_text(
        "冰糖橙冷链仓储项目")
    box = card(page, orange["id"]).bounding_box()
    assert box["width"] >= 844 - 2 * 10 and box["y"] + box["height"] <= 390, box
    bar = page.evaluate(TOPBAR)
    assert bar["oneRow"] and bar["items"] == ["挂图作战", "实时", "菜单"], bar
    expect(page.locator("#filter-bar select").first).to_be_hidden()
    page.screenshot(path=artifacts / "phone-sideways-board.png")

    page.get_by_role("tab", name=re.compile("在谈")).tap()
    assert shown_stage(page) == "negotiating"
    expect(card(page, talks["id"])).to_be_in_viewport()
    finger = Finger(page)
    finger.swipe((760, 300), (420, 310))    # right to left: the next stage
    expect(page.get_by_role("tab", name=re.compile("已签约"))).to_have_attribute(
        "aria-selected", "true")
    assert shown_stage(page) == "signed"
    finger.swipe((100, 300), (500, 290))    # and back
    expect(page.get_by_role("tab", name=re.compile("在谈"))).to_have_attribute(
        "aria-selected", "true")
    assert shown_stage(page) == "negotiating"
    page.screenshot(path=artifacts / "phone-sideways-negotiating.png")


# --- wider screens ------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (1280, 480)])
def test_wider_screens_keep_every_column(api, open_board, size, artifacts):
    """A laptop's window, a short one too (a mouse, not a finger), keeps every column."""
    api("member").create("绿色建材产业园")
    page = open_board("member", viewport={"width": size[0], "height": size[1]})
    expect(page.locator(".column:visible")).to_have_count(5)
    for hidden in (".stage-tabs", ".menu-toggle", ".card-move"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("button", name="新增项目")).to_be_visible()
    expect(page.locator("#filter-bar select").first).to_be_visible()
    assert page.get_by_role("tabpanel").count() == 0
    page.screenshot(path=artifacts / f"board-{size[0]}x{size[1]}.png")
