"""Dragging a card on one board shows up on every other screen, live, and in the database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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


def test_drag_moves_card_on_every_screen_and_in_database(api, open_board, open_wall, artifacts):
    member = api("member")
    first, second, third, fourth = (member.create(name) for name in
                                    ("新能源电池材料生产基地", "智能装备制造产业园",
                                     "电子信息元器件项目", "冷链物流及跨境电商产业园"))
    a = open_board("member")
    b = open_board("lead")
    wall = open_wall()
    mark(a, b, wall)

    with a.expect_response(f"**/api/projects/{first['id']}/move") as moved:
        drag_to(a, grab_point(a, first["id"]), empty_spot(a, "negotiating"))
    assert moved.value.status == 200, moved.value.text()

    for page in (a, b, wall):
        expect(card(page, first["id"], "negotiating")).to_be_visible()
        expect(card(page, first["id"], "contact")).to_have_count(0)
        expect(page.locator('.column[data-stage="negotiating"] .count')).to_have_text("1")
    stored = member.get(first["id"])
    assert stored["stage"] == "negotiating"
    assert stored["version"] == first["version"] + 1
    assert [e["action"] for e in stored["history"]].count("moved") == 1

    # The history in the other window names the move, in the words of the columns.
    contact = b.locator('.column[data-stage="contact"] h2').inner_text()
    negotiating = b.locator('.column[data-stage="negotiating"] h2').inner_text()
    card(b, first["id"]).locator(".card-title").click()
    dialog = b.locator("dialog#dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator(".history-moved")).to_have_count(1)
    expect(dialog.locator(".history-moved")).to_contain_text(
        re.compile(f"{re.escape(contact)}.*{re.escape(negotiating)}"))
    b.screenshot(path=artifacts / "board-history-after-drag.png")
    b.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")

    # Reorder within a column: the last card goes to the top.
    assert column_ids(a, "contact") == [second["id"], third["id"], fourth["id"]]
    top = card(a, second["id"]).bounding_box()
    with a.expect_response(f"**/api/projects/{fourth['id']}/move") as moved:
        drag_to(a, grab_point(a, fourth["id"]), (top["x"] + top["width"] / 2, top["y"] + 5))
    assert moved.value.status == 200, moved.value.text()
    order = [fourth["id"], second["id"], third["id"]]
    for page in (a, b, wall):
        expect(page.locator('.column[data-stage="contact"] .card')).to_have_count(3)
        page.wait_for_function(
            "ids => JSON.stringify([...document.querySelectorAll("
            "'.column[data-stage=contact] .card')].map(c => Number(c.dataset.projectId)))"
            " === JSON.stringify(ids)", arg=order)
    stored = {p["id"]: p for p in member.projects()}
    assert [stored[i]["position"] for i in order] == [0, 1, 2]
    assert stored[fourth["id"]]["version"] == fourth["version"] + 1
    assert_not_reloaded(a, b, wall)
    a.screenshot(path=artifacts / "board-after-reorder.png")
    wall.screenshot(path=artifacts / "wall-after-moves.png")


def test_an_import_shows_on_open_boards_and_walls_without_a_reload(api, open_board, open_wall):
    """An import is announced once, as the board reloaded: each open screen reads its columns
    again and shows the ledger's cards, signed ones in their column."""
    lead = api("lead")
    board, wall = open_board("member"), open_wall()
    mark(board, wall)
    ledger = "项目名称,投资方,总投资（万元）,项目阶段,签约时间\n" + "".join(
        f"台账{n}号冷链仓储基地,投资企业{n},5000,{'已签约' if n % 2 else '在谈'},"
        f"{'2025年3月5日' if n % 2 else ''}\n" for n in range(6))
    response = lead.session.post(f"{lead.base}/api/imports", timeout=30,
                                 files={"file": ("台账.csv", ledger.encode())})
    assert response.status_code == 200, response.text
    ids = {row["name"]: row["project_id"] for row in response.json()["rows"]}
    for page in (board, wall):
        for name, project_id in ids.items():
            stage = "signed" if int(name[2]) % 2 else "negotiating"
            expect(card(page, project_id, stage)).to_be_visible()
    assert_not_reloaded(board, wall)
