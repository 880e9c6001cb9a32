"""Progress notes and blockers in a real browser: one window writes in a card's panel, another
window with the same panel open sees the card and its panel change without a reload — and keeps
what its person is typing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_not_reloaded, card, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]


def open_panel(page: Page, project_id: int):
    card(page, project_id).locator(".card-title").click()
    panel = page.locator(f'dialog#dialog[open] .project-panel[data-panel-project="{project_id}"]')
    expect(panel).to_be_visible()
    wait_wired(page)
    return panel


def wait_wired(page: Page) -> None:
    """A busy machine can be faster at the keyboard than htmx at wiring up new forms."""
    page.wait_for_function("""() => [...document.querySelectorAll('dialog form[hx-post]')]
        .every(form => form['htmx-internal-data']?.initHash)""")


def note_texts(panel) -> list[str]:
    return panel.locator("#notes-list .note-text").evaluate_all(
        "notes => notes.map(n => n.textContent)")


def test_notes_and_blockers_reach_another_window(api, open_board, live_server, artifacts):
    member = api("member")
    project = member.create("新能源汽车零部件产业园")
    a = open_board("member")
    b = open_board("lead")
    mark(a, b)
    panel_a, panel_b = open_panel(a, project["id"]), open_panel(b, project["id"])
    # The lead starts a note of his own and leaves it unsent.
    panel_b.locator("#note-text").fill("草稿：待与县里核实")

    # A note with line breaks, sent with Ctrl+Enter; the box empties and keeps the keyboard.
    panel_a.locator("#note-text").fill("企业来访考察。\n对接用地选址，\n下周报方案。")
    with a.expect_response(f"**/board/projects/{project['id']}/notes") as answer:
        a.keyboard.press("Control+Enter")
    assert answer.value.status == 200
    expect(panel_a.locator("#notes-list .note")).to_have_count(1)
    assert note_texts(panel_a) == ["企业来访考察。\n对接用地选址，\n下周报方案。"]
    assert "\n对接用地选址，\n" in panel_a.locator("#notes-list .note-text").inner_text()
    expect(panel_a.locator("#note-text")).to_have_value("")
    expect(panel_a.locator("#note-text")).to_be_focused()
    expect(panel_a.locator(".note-by")).to_have_text("Member")
    a.screenshot(path=artifacts / "tracking-note-added.png")

    # The other window's panel shows it; the lead's draft is untouched.
    expect(panel_b.locator("#notes-list .note")).to_have_count(1)
    assert note_texts(panel_b) == note_texts(panel_a)
    expect(panel_b.locator("#note-text")).to_have_value("草稿：待与县里核实")

    # A blocker, raised through the panel's form.
    panel_a.locator("details.raise > summary").click()
    panel_a.locator("#blocker-kind").select_option("approval")
    panel_a.locator("#blocker-department").fill("市生态环境局")
    panel_a.locator("#blocker-description").fill("环评批复未下达")
    panel_a.locator("#blocker-due").fill("2030-06-30")
    with a.expect_response(f"**/board/projects/{project['id']}/blockers") as answer:
        panel_a.get_by_role("button", name="提出协调事项").click()
    assert answer.value.status == 200
    expect(panel_a.locator("#blockers-list .blocker-open")).to_have_count(1)
    expect(panel_a.locator(".blocker-department")).to_have_text("市生态环境局")

    # The second window: the card's badge and the open panel follow without a reload.
    for page in (a, b):
        expect(card(page, project["id"])).to_have_attribute("data-blockers", "1")
    badge = card(b, project["id"]).locator(".card-blockers")
    if badge.count():  # the badge the card shows once the record work adds it
        expect(badge).to_contain_text("1")
    expect(panel_b.locator("#blockers-list .blocker-open .blocker-department")) \
        .to_have_text("市生态环境局")
    b.screenshot(path=artifacts / "tracking-blocker-seen-elsewhere.png")

    # The lead starts resolving it; a note arriving meanwhile leaves his typing alone.
    panel_b.locator("details.resolve > summary").click()
    wait_wired(b)
    resolution = panel_b.locator("#blockers-list textarea[name=resolution]")
    resolution.fill("已请市生态环境局加快审查")
    panel_a.locator("#note-text").fill("环评材料已补正")
    with a.expect_response(f"**/board/projects/{project['id']}/notes"):
        a.keyboard.press("Control+Enter")
    expect(panel_b.locator("#notes-list .note")).to_have_count(2)
    assert note_texts(panel_b)[0] == "环评材料已补正"
    expect(resolution).to_have_value("已请市生态环境局加快审查")
    expect(panel_b.locator("#blockers-list details.resolve")).to_have_attribute("open", "")

    with b.expect_response(re.compile(r".*/board/blockers/\d+/resolve$")) as answer:
        resolution.press("Control+Enter")
    assert answer.value.status == 200
    expect(panel_b.locator("#blockers-list .blocker-resolved .blocker-resolution")) \
        .to_have_text("已请市生态环境局加快审查")
    for page in (a, b):
        expect(card(page, project["id"])).to_have_attribute("data-blockers", "0")
    expect(panel_a.locator("#blockers-list .blocker-resolved")).to_have_count(1)
    expect(panel_b.locator("#note-text")).to_have_value("草稿：待与县里核实")
    b.screenshot(path=artifacts / "tracking-blocker-resolved.png")

    stored = member.session.get(f"{live_server.url}/api/projects/{project['id']}/blockers",
                                timeout=10).json()["blockers"]
    assert [(s["status"], s["raised_by"], s["resolved_by"], s["due_on"]) for s in stored] == \
        [("resolved", "member", "lead", "2030-06-30")]
    notes = member.session.get(f"{live_server.url}/api/projects/{project['id']}/notes",
                               timeout=10).json()["notes"]
    assert [n["text"] for n in notes] == ["环评材料已补正",
                                          "企业来访考察。\n对接用地选址，\n下周报方案。"]
    assert_not_reloaded(a, b)


def test_a_list_changed_again_while_it_is_fetched_shows_the_last_change(api, open_board,
                                                                        live_server):
    """Two blockers raised elsewhere in quick succession: the panel's list, still fetching after
    the first, must show the second too once the first answer lands, not stop at the first."""
    member = api("member")
    project = member.create("精细化工新材料项目")
    page = open_board("member")
    panel = open_panel(page, project["id"])
    # The first fetch is answered with the list as it stood, but only when the test says so.
    held = []

    def hold_the_first(route) -> None:
        if held or route.request.method != "GET":
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route(f"**/board/projects/{project['id']}/blockers", hold_the_first)

    def raise_blocker(department: str) -> None:
        response = member.session.post(
            f"{live_server.url}/api/projects/{project['id']}/blockers", timeout=10,
            json={"kind": "land", "department": department})
        assert response.status_code == 201, response.text

    raise_blocker("市自然资源和规划局")
    expect(card(page, project["id"])).to_have_attribute("data-blockers", "1")
    for _ in range(200):  # waiting on the page lets Playwright run the route's handler
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    raise_blocker("市财政局")
    expect(card(page, project["id"])).to_have_attribute("data-blockers", "2")
    route, first_answer = held[0]
    route.fulfill(response=first_answer)

    departments = panel.locator("#blockers-list .blocker-department")
    expect(departments).to_have_count(2)
    assert sorted(departments.all_inner_texts()) == ["市自然资源和规划局", "市财政局"]


def test_refusals_show_at_the_fields(api, open_board, artifacts):
    project = api("member").create("农产品冷链物流中心")
    page = open_board("member")
    panel = open_panel(page, project["id"])
    with page.expect_response(f"**/board/projects/{project['id']}/notes") as answer:
        panel.get_by_role("button", name="添加进展").click()
    assert answer.value.status == 422
    expect(panel.locator("#note-text")).to_have_attribute("aria-invalid", "true")
    expect(panel.locator("#note-text-error")).to_have_text("此项为必填项。")
    expect(panel.locator("#note-text")).to_be_focused()

    wait_wired(page)
    panel.locator("details.raise > summary").click()
    panel.locator("#blocker-raised").fill("2020-05-01")
    panel.locator("#blocker-due").fill("2020-04-01")
    with page.expect_response(f"**/board/projects/{project['id']}/blockers") as answer:
        panel.get_by_role("button", name="提出协调事项").click()
    assert answer.value.status == 422
    expect(panel.locator("details.raise")).to_have_attribute("open", "")
    expect(panel.locator("#blocker-department-error")).to_have_text("此项为必填项。")
    expect(panel.locator("#blocker-due-error")).to_contain_text("不能早于提出日期")
    expect(panel.locator("#blocker-department")).to_be_focused()
    page.screenshot(path=artifacts / "tracking-blocker-refused.png")
    # The rest of the panel is still there: only the section was redrawn.
    expect(panel.locator(".record")).to_be_visible()


def test_the_city_wide_list_sorts_filters_and_prints(api, open_board, live_server, artifacts):
    member = api("member")
    first = member.create("智能制造装备产业园")
    second = member.create("文旅康养综合体")
    for project, department, raised in ((first, "市自然资源和规划局", "2025-01-10"),
                                        (second, "市税务局", "2025-03-01"),
                                        (first, "市财政局", "2025-02-01")):
        response = member.session.post(
            f"{live_server.url}/api/projects/{project['id']}/blockers", timeout=10,
            json={"kind": "land", "department": department, "raised_on": raised,
                  "due_on": "2025-04-01"})
        assert response.status_code == 201, response.text
    page = open_board("viewer")
    page.get_by_role("link", name="协调事项清单").click()
    expect(page).to_have_url(re.compile(r"/blockers$"))
    departments = page.locator(".blocker-table td.department")
    expect(departments).to_have_text(["市自然资源和规划局", "市财政局", "市税务局"])
    expect(page.locator("#count-open")).to_have_text("3")
    expect(page.locator("#count-overdue")).to_have_text("3")
    expect(page.locator(".blocker-table tr.overdue")).to_have_count(3)

    page.get_by_role("link", name="按部门").click()
    expect(page).to_have_url(re.compile(r"/blockers\?sort=department$"))
    expect(departments).to_have_text(["市税务局", "市自然资源和规划局", "市财政局"])
    page.locator("select[name=department]").select_option("市财政局")
    page.get_by_role("button", name="显示").click()
    expect(page).to_have_url(re.compile(r"sort=department&county=&department="))
    expect(departments).to_have_text(["市财政局"])
    expect(page.locator(".blocker-table tbody th")).to_contain_text("智能制造装备产业园")
    page.screenshot(path=artifacts / "tracking-city-blockers.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".blocker-filters")).to_be_hidden()
    expect(page.locator(".print-only")).to_be_visible()
    page.screenshot(path=artifacts / "tracking-city-blockers-print.png", full_page=True)
