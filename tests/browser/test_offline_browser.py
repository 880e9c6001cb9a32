"""Work that survives a dead connection (issue 15), in Chromium with the network cut
(``context.set_offline``): a drag made offline waits on the device, shown on its card, survives a
reload (the service worker's offline page), and lands once the connection returns; a card changed
meanwhile asks the person; sign-out deletes what waits; the worker never stores data."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import card, drag_to, empty_spot, grab_point

pytestmark = [pytest.mark.browser, pytest.mark.live]

KEPT = "() => JSON.parse(localStorage.getItem('wallchart.outbox.member') || '[]')"
CACHED = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push([name, new URL(request.url).pathname]);
  }
  return urls;
}"""


def controlled(page: Page) -> None:
    """Wait until the service worker is installed and controls the page."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def drag_offline(page: Page, project_id: int, stage: str) -> None:
    drag_to(page, grab_point(page, project_id), empty_spot(page, stage))
    pending = card(page, project_id, stage).locator(".card-pending")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text("1")


def stored(api, project_id: int, stage: str) -> dict:
    """The project once the database has it in ``stage`` (a sent change takes a moment)."""
    for _ in range(100):
        project = api.get(project_id)
        if project["stage"] == stage:
            return project
        time.sleep(0.1)
    raise AssertionError(f"project {project_id} is in {project['stage']}, not {stage}")


def test_a_drag_offline_waits_survives_a_reload_and_lands_when_the_connection_returns(
        api, open_board, artifacts):
    member = api("member")
    project = member.create("新能源电池材料生产基地")
    page = open_board("member")
    controlled(page)

    page.context.set_offline(True)
    drag_offline(page, project["id"], "negotiating")
    expect(page.locator('.column[data-stage="negotiating"] .count')).to_have_text("1")
    expect(page.locator('.column[data-stage="contact"] .count')).to_have_text("0")
    kept = page.evaluate(KEPT)
    assert [(k["kind"], k["project"], k["version"], k["body"]["stage"]) for k in kept] == [
        ("move", str(project["id"]), project["version"], "negotiating")]
    assert member.get(project["id"])["stage"] == "contact"
    page.screenshot(path=artifacts / "board-offline-pending.png")

    # A reload without a connection: the worker's offline page, which counts what waits.
    page.reload()
    expect(page.locator("body.offline-page")).to_be_visible()
    expect(page.locator("#offline-pending")).to_contain_text("1")
    page.screenshot(path=artifacts / "offline-page.png")

    # The connection returns: the offline page loads the board again, which sends the move.
    page.context.set_offline(False)
    expect(page.locator("#board")).to_be_visible()
    landed = stored(member, project["id"], "negotiating")
    assert landed["version"] == project["version"] + 1
    expect(card(page, project["id"], "negotiating")).to_be_visible()
    expect(page.locator(".card-pending")).to_have_count(0)
    assert page.evaluate(KEPT) == []


def test_a_card_changed_meanwhile_shows_both_and_the_person_chooses(api, open_board, artifacts):
    member, lead = api("member"), api("lead")
    mine = member.create("智能装备制造产业园")
    dropped = member.create("电子信息元器件项目")
    page = open_board("member")

    page.context.set_offline(True)
    drag_offline(page, mine["id"], "negotiating")
    drag_offline(page, dropped["id"], "negotiating")
    # Meanwhile the lead moves both cards: the versions they were moved against are stale.
    lead.move(mine["id"], "negotiating")
    lead.move(mine["id"], "contact", reason="退回洽谈")
    lead.move(dropped["id"], "negotiating")

    page.context.set_offline(False)
    dialog = page.locator("#outbox-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".outbox-project")).to_have_text("智能装备制造产业园")
    negotiating = page.locator('.column[data-stage="negotiating"]').get_attribute("aria-label")
    contact = page.locator('.column[data-stage="contact"]').get_attribute("aria-label")
    expect(dialog.locator(".outbox-mine")).to_contain_text(negotiating)
    expect(dialog.locator(".outbox-now")).to_contain_text(contact)
    expect(dialog.locator(".outbox-now")).to_contain_text("lead")
    page.screenshot(path=artifacts / "board-offline-conflict.png")
    dialog.locator("button[value=apply]").click()

    # Applied on the current version; then the second card asks in turn, and is dropped.
    expect(dialog.locator(".outbox-project")).to_have_text("电子信息元器件项目")
    assert stored(member, mine["id"], "negotiating")["version"] == mine["version"] + 3
    dialog.locator("button[value=drop]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".card-pending")).to_have_count(0)
    assert page.evaluate(KEPT) == []
    theirs = member.get(dropped["id"])
    assert theirs["stage"] == "negotiating" and theirs["version"] == dropped["version"] + 1
    assert [e["by"] for e in theirs["history"] if e["action"] == "moved"] == ["lead"]
    expect(card(page, mine["id"], "negotiating")).to_be_visible()
    expect(card(page, dropped["id"], "negotiating")).to_be_visible()


def test_sign_out_deletes_what_waits_after_asking(api, open_board):
    member = api("member")
    project = member.create("冷链物流及跨境电商产业园")
    page = open_board("member")
    # The move cannot reach the server (the browser still thinks it is online).
    page.route("**/api/projects/*/move", lambda route: route.abort("internetdisconnected"))
    drag_offline(page, project["id"], "negotiating")
    assert len(page.evaluate(KEPT)) == 1
    page.unroute("**/api/projects/*/move")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.locator("form[action='/logout'] button").click()
    assert asked and "1" in asked[0]
    expect(page.locator("input[name=username]")).to_be_visible()
    assert page.evaluate(KEPT) == []
    # (The member's API session was the browser's, which the sign-out ended.)
    assert api("lead").get(project["id"])["stage"] == "contact"


def test_the_worker_never_stores_a_page_or_an_answer_with_data(api, open_board, live_server):
    member = api("member")
    project = member.create("文旅综合体项目")
    page = open_board("member")
    controlled(page)
    # Pages and answers holding data, through the worker.
    page.evaluate("""async (id) => {
      for (const url of ["/board", "/board?mine=1", "/api/projects", "/api/projects/" + id,
                         "/board/columns", "/manifest.webmanifest"]) {
        await (await fetch(url, { credentials: "same-origin" })).text();
      }
    }""", project["id"])
    page.goto(f"{live_server.url}/board/workload")
    page.goto(f"{live_server.url}/board")
    controlled(page)
    cached = page.evaluate(CACHED)
    paths = [path for _name, path in cached]
    assert "/offline" in paths and "/static/js/board.js" in paths
    assert {name for name, _path in cached} == {page.evaluate(
        "caches.keys().then(k => k[0])")}
    wrong = [path for path in paths if path != "/offline" and not path.startswith(
        ("/static/vendor/", "/static/css/", "/static/js/", "/static/icons/", "/static/favicon"))]
    assert not wrong, wrong
    # The one HTML in the cache is the offline page, and it names nobody.
    offline = page.evaluate("""async () => {
      const response = await caches.match("/offline");
      return [response.headers.get("Content-Type"), await response.text()];
    }""")
    assert offline[0].startswith("text/html")
    assert "member" not in offline[1] and "csrf" not in offline[1].lower()


def test_a_note_and_a_blocker_written_offline_are_sent_when_the_connection_returns(api, open_board):
    member = api("member")
    project = member.create("新能源汽车零部件产业园")
    page = open_board("member")
    card(page, project["id"]).locator(".card-title").click()
    panel = page.locator("dialog#dialog[open] .project-panel"
                         f'[data-panel-project="{project["id"]}"]')
    expect(panel).to_be_visible()
    page.wait_for_function("""() => [...document.querySelectorAll('dialog form[hx-post]')]
        .every(form => form['htmx-internal-data']?.initHash)""")

    page.context.set_offline(True)
    panel.locator("#note-text").fill("企业来访考察，对接用地选址。")
    panel.get_by_role("button", name="添加进展").click()
    expect(panel.locator("#note-text")).to_have_value("")
    panel.locator("details.raise > summary").click()
    panel.locator("#blocker-kind").select_option("approval")
    panel.locator("#blocker-department").fill("市生态环境局")
    panel.locator("#blocker-description").fill("环评批复未下达")
    panel.get_by_role("button", name="提出协调事项").click()
    expect(card(page, project["id"]).locator(".card-pending")).to_contain_text("2")
    waiting = panel.locator(".panel-pending li")
    expect(waiting).to_have_count(2)
    expect(waiting.first).to_contain_text("企业来访考察")
    expect(waiting.last).to_contain_text("市生态环境局")
    kept = page.evaluate(KEPT)
    assert [k["kind"] for k in kept] == ["note", "blocker"]
    assert kept[1]["body"]["department"] == "市生态环境局"

    page.context.set_offline(False)
    expect(card(page, project["id"]).locator(".card-pending")).to_have_count(0)
    expect(waiting).to_have_count(0)
    expect(panel.locator("#notes-list .note")).to_have_count(1)
    notes = member.session.get(f"{member.base}/api/projects/{project['id']}/notes", timeout=10)
    assert [n["text"] for n in notes.json()["notes"]] == ["企业来访考察，对接用地选址。"]
    blockers = member.session.get(f"{member.base}/api/projects/{project['id']}/blockers",
                                  timeout=10).json()["blockers"]
    assert [(b["kind"], b["department"]) for b in blockers] == [("approval", "市生态环境局")]
    assert page.evaluate(KEPT) == []


def test_the_phones_move_to_offline_waits_and_lands(api, open_board):
    member = api("member")
    project = member.create("光伏组件生产线项目")
    page = open_board("member", viewport={"width": 390, "height": 844}, is_mobile=True,
                      has_touch=True, device_scale_factor=2)
    page.context.set_offline(True)
    page.locator(".card-move").tap()
    dialog = page.locator("#move-dialog")
    expect(dialog).to_have_attribute("open", "")
    dialog.locator('button[data-move-to="negotiating"]').tap()
    moved = card(page, project["id"], "negotiating")
    expect(moved).to_have_count(1)
    expect(moved.locator(".card-pending")).to_have_count(1)
    assert [k["body"]["stage"] for k in page.evaluate(KEPT)] == ["negotiating"]

    page.context.set_offline(False)
    assert stored(member, project["id"], "negotiating")["version"] == project["version"] + 1
    expect(page.locator(".card-pending")).to_have_count(0)
    assert page.evaluate(KEPT) == []
