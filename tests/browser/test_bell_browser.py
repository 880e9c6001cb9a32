"""The bell in a real browser: a member's board shows his unread count, which rises live when
a lead hands him a project (no reload), and the notifications page marks them read."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_not_reloaded, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_bell_counts_live_and_the_page_marks_read(api, open_board, artifacts):
    project = api("member").create("铃声测试项目")
    board = open_board("member")
    mark(board)
    count = board.locator("#bell-count")
    expect(count).to_be_hidden()
    lead = api("lead")
    version = lead.get(project["id"])["version"]
    answer = lead.session.post(f"{lead.base}/api/projects/{project['id']}/assign", timeout=10,
                               json={"owner": "member", "version": version})
    assert answer.status_code == 200, answer.text
    expect(count).to_have_text("1")
    expect(count).to_be_visible()
    assert_not_reloaded(board)
    board.screenshot(path=artifacts / "bell-count.png")

    board.locator("#bell").click()
    expect(board.locator(".notification.unread")).to_have_count(1)
    expect(board.locator(".notification-text")).to_have_text("项目“铃声测试项目”已交给您负责。")
    board.get_by_role("button", name="全部标为已读").click()
    expect(board.locator(".notification.unread")).to_have_count(0)
    expect(board.locator("#bell-count")).to_be_hidden()
