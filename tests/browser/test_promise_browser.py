"""The promise light in a real browser: a member enters the promised start in a signed
project's panel and its card lights yellow; when a lead corrects the promise to one long past,
the card turns red in another window without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_not_reloaded, card, mark
from tests.browser.test_tracking_browser import open_panel
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_card_lights_its_promise_yellow_then_red(api, open_board, artifacts):
    signed = today() - timedelta(days=60)
    project = api("lead").create("承诺开工项目", stage="signed",
                                 stage_dates={"signed": signed.isoformat()})
    a, b = open_board("member"), open_board("lead")
    mark(a, b)
    expect(card(b, project["id"]).locator(".card-promise")).to_have_count(0)

    panel = open_panel(a, project["id"])
    panel.locator("details.plan > summary").click()
    soon = today() + timedelta(days=5)
    panel.locator("input[name=promised_start_on]").fill(soon.isoformat())
    with a.expect_response(f"**/board/projects/{project['id']}/plan") as answer:
        panel.locator("details.plan button[type=submit]").click()
    assert answer.value.status == 200
    expect(panel.locator("tr.promised-start td.date")).to_have_text(soon.isoformat())

    for page in (a, b):
        light = card(page, project["id"], "signed").locator(".card-promise")
        expect(light).to_have_text("临近约定开工")
        expect(light).to_have_attribute("data-promise", "yellow")

    api("lead").patch(project["id"], promised_start_on=(today() - timedelta(days=40)).isoformat())
    light = card(b, project["id"], "signed").locator(".card-promise")
    expect(light).to_have_text("逾期未开工")
    expect(light).to_have_attribute("data-promise", "red")
    expect(light).to_have_attribute("title", f"约定开工日期（{today() - timedelta(days=40)}）"
                                             "已过 40 天，仍未开工")
    b.screenshot(path=artifacts / "promise-light-red.png")
    assert_not_reloaded(a, b)
