"""A wall on one process, changes made on another, and the Redis between them dies: the wall
says within seconds that it may be out of date, and catches up by itself when Redis is back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Api, assert_not_reloaded, card, mark, wait_live
from tests.helpers import printed_wall_path
from tests.live import HEARTBEAT_SECONDS, start_two_servers

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_badge_says_stale_while_redis_is_down_and_live_after(
        tmp_path, seeded_db, own_redis, new_context, page_errors, artifacts):  # noqa: F811
    first, second = start_two_servers(tmp_path, seeded_db, own_redis.url)
    try:
        member = Api(first.url, "member")
        early, late = member.create("沅陵县碣滩茶产业园"), member.create("怀化国际陆港物流枢纽")
        wall_path = printed_wall_path(second.flask("display", "create", "大厅"))
        wall = new_context(viewport={"width": 1600, "height": 900}).new_page()
        wall.on("pageerror", lambda error: page_errors.append(str(error)))
        wall.goto(second.url + wall_path)
        wait_live(wall)
        mark(wall)
        badge = wall.locator(".live-indicator")
        signed = wall.locator('[data-indicator="signed"] .figure-value')

        own_redis.kill()
        # No heartbeat for 2.5 intervals: the badge says so, in the wall's language.
        expect(badge).to_have_attribute("data-state", "stale",
                                        timeout=(3 * HEARTBEAT_SECONDS + 5) * 1000)
        expect(badge).to_have_text("可能不是最新")
        # A signing on the first process commits, but cannot reach the wall on the second.
        member.move(early["id"], "signed")
        assert member.get(early["id"])["stage"] == "signed"
        wall.wait_for_timeout(1000)
        expect(card(wall, early["id"], "contact")).to_be_visible()
        expect(signed).to_have_text("0")
        wall.screenshot(path=artifacts / "wall-stale-redis-down.png")

        own_redis.start()
        # The feed comes back by itself: live again, and the signing it missed is on the wall,
        # in its column and in the header's count.
        expect(badge).to_have_attribute("data-state", "live", timeout=40_000)
        expect(card(wall, early["id"], "signed")).to_be_visible()
        expect(signed).to_have_text("1")
        # And the next change arrives live, as before the outage.
        member.move(late["id"], "negotiating")
        expect(card(wall, late["id"], "negotiating")).to_be_visible()
        expect(badge).to_have_text("实时")
        wall.screenshot(path=artifacts / "wall-live-after-redis-returns.png")
        assert_not_reloaded(wall)
    finally:
        for server in (first, second):
            server.stop()
