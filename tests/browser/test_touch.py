"""A tablet: a finger drags a card (SortableJS's fallback mode listens to touch events)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_not_reloaded, card, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]


class Finger:
    """Touch input through the DevTools protocol: Playwright has tap, but no touch drag."""

    def __init__(self, page: Page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 20,
             chosen=None) -> None:
        self._send("touchStart", *start)
        if chosen is not None:
            # A touch must rest (Sortable's delay) before it picks the card up.
            expect(chosen).to_have_class(re.compile(r"\bcard-chosen\b"))
        (x0, y0), (x1, y1) = start, end
        for i in range(1, steps + 1):
            self._send("touchMove", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
        self._send("touchMove", x1, y1 + 1)
        self._send("touchEnd", x1, y1)


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
