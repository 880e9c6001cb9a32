"""A drop that skips stages (issue 9 §2): the gate dialog guesses no date for a skipped stage —
its field starts empty, "today" is one click away — and says which stages are skipped."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import card, drop_into
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_a_drop_from_negotiating_to_producing_asks_the_skipped_dates(api, open_board,
                                                                      artifacts):
    lead = api("lead")
    project = lead.create("新材料产业基地项目", investment_wan=80000, stage="negotiating",
                          stage_dates={"contact": "2025-01-05", "negotiating": "2025-02-01"})
    pid = project["id"]
    page = open_board("lead")
    gate = page.locator("#gate-dialog")

    response = drop_into(page, pid, "producing")
    assert response.status == 422
    assert response.json()["missing"] == ["stage_dates.signed", "stage_dates.started"]
    expect(gate).to_have_attribute("open", "")
    signed_on = gate.locator('input[name="stage_dates.signed"]')
    started_on = gate.locator('input[name="stage_dates.started"]')
    producing_on = gate.locator('input[name="stage_dates.producing"]')
    # The skipped stages start empty; only the stage the card enters is dated today.
    expect(signed_on).to_have_value("")
    expect(started_on).to_have_value("")
    expect(producing_on).to_have_value(today().isoformat())
    expect(gate.locator(".gate-skipped")).to_have_text(
        "此次移动跳过了已签约、已开工：请填写各阶段的实际日期。")
    expect(gate.locator("[data-gate-field]:visible .date-today")).to_have_count(3)
    page.screenshot(path=artifacts / "gate-skips.png")

    # Sent without them: refused at their fields, and nothing moves.
    with page.expect_response(f"**/api/projects/{pid}/move") as refused:
        gate.locator("button[type=submit]").click()
    assert refused.value.status == 422
    for field in (signed_on, started_on):
        expect(field).to_have_attribute("aria-invalid", "true")
    expect(gate.locator('[data-gate-field="stage_dates.signed"] .field-error')).to_have_text(
        "“竣工投产”阶段必填。")
    expect(gate).to_have_attribute("open", "")
    assert lead.get(pid)["stage"] == "negotiating"

    # Today is one click away; the person chooses.
    gate.locator('[data-gate-field="stage_dates.started"] .date-today').click()
    expect(started_on).to_have_value(today().isoformat())
    signed_on.fill("2025-03-15")
    started_on.fill("2025-09-01")
    page.screenshot(path=artifacts / "gate-skips-filled.png")
    with page.expect_response(f"**/api/projects/{pid}/move") as moved:
        gate.locator("button[type=submit]").click()
    assert moved.value.status == 200, moved.value.text()
    expect(gate).not_to_have_attribute("open", "")
    expect(card(page, pid, "producing")).to_be_visible()
    stored = lead.get(pid)
    assert stored["stage"] == "producing"
    assert stored["stage_dates"] == {"contact": "2025-01-05", "negotiating": "2025-02-01",
                                     "signed": "2025-03-15", "started": "2025-09-01",
                                     "producing": today().isoformat()}
