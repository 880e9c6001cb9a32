"""A tablet: a finger drags a card (SortableJS's fallback mode listens to touch events)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Finger, assert_not_reloaded, card, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_touch_drag_moves_a_card(api, open_board, artifacts):
    member = api("member")
    project = member.create("生猪智慧养殖项目")
    tablet = open_board("member", viewport={"width": 820, "height": 1180}, has_touch=True,
                        is_mobile=True, device_scale_factor=2)
    mark(tablet)
    target_list = tablet.locator('.column[data-stage="negotiating"] .cards')
    tablet.screenshot(path=artifacts / "tablet-board-820x1180.png")

    source = card(tablet, project["id"]).locator(".card-meta").bounding_box()
    box = target_list.bounding_box()
    viewport = tablet.viewport_size
    end = (min(box["x"] + 40, viewport["width"] - 10), box["y"] + 200)
    with tablet.expect_response(f"**/api/projects/{project['id']}/move") as moved:
        Finger(tablet).drag((source["x"] + 5, source["y"] + source["height"] / 2), end,
                            chosen=card(tablet, project["id"]))
    assert moved.value.status == 200, moved.value.text()
    expect(card(tablet, project["id"], "negotiating")).to_be_visible()
    assert member.get(project["id"])["stage"] == "negotiating"
    assert_not_reloaded(tablet)
