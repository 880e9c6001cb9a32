"""Funds in place in a real browser: a member records a receipt from the project's panel and
sees its total and rates; a lead with the same panel open in another window sees it arrive
without a reload, and removes it with a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_not_reloaded, mark
from tests.browser.test_tracking_browser import open_panel, wait_wired
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_a_receipt_recorded_in_the_panel_shows_its_total_and_rate_everywhere(api, open_board,
                                                                            artifacts):
    project = api("lead").create("外资新材料项目", investment_wan=40000, foreign_invested=True,
                                 foreign_capital_usd_wan=1000, stage="signed",
                                 stage_dates={"signed": today().isoformat()})
    a, b = open_board("member"), open_board("lead")
    mark(a, b)
    panel_a, panel_b = open_panel(a, project["id"]), open_panel(b, project["id"])
    expect(panel_a.locator("#funds-list .empty")).to_have_text("尚未登记到位资金。")

    panel_a.locator("details.record-funds > summary").click()
    panel_a.locator("#funds-amount").fill("10000")
    panel_a.locator("#funds-foreign").fill("250")
    panel_a.locator("#funds-document").fill("银收〔2026〕7号")
    with a.expect_response(f"**/board/projects/{project['id']}/funds") as answer:
        panel_a.get_by_role("button", name="登记", exact=True).click()
    assert answer.value.status == 200
    expect(panel_a.locator(".funds-total .amount")).to_have_text("1 亿元")
    expect(panel_a.locator(".funds-rate")).to_have_text("到位率 25.0%")
    expect(panel_a.locator(".funds-foreign .amount")).to_have_text("250 万美元")
    expect(panel_a.locator(".funds-foreign-rate")).to_have_text("已到位 25.0%")
    expect(panel_a.locator("#funds-list .receipt")).to_have_count(1)
    a.screenshot(path=artifacts / "funds-recorded.png")

    # The lead's open panel follows without a reload, and offers him the removal.
    expect(panel_b.locator(".funds-rate")).to_have_text("到位率 25.0%")
    expect(panel_b.locator(".receipt-document")).to_have_text("银收〔2026〕7号")
    wait_wired(b)
    panel_b.locator("details.remove-receipt > summary").click()
    panel_b.locator("details.remove-receipt input[name=reason]").fill("重复录入")
    with b.expect_response("**/board/funds/*/remove") as answer:
        panel_b.locator("details.remove-receipt button[type=submit]").click()
    assert answer.value.status == 200
    expect(panel_b.locator(".funds-rate")).to_have_text("到位率 0.0%")
    expect(panel_a.locator("#funds-list .receipt")).to_have_count(0)
    assert_not_reloaded(a, b)


def test_a_walls_header_shows_its_chosen_figures_as_they_change(live_server, api, open_wall):
    """A wall chose funds in place and foreign capital actually used among its seven: a receipt
    recorded elsewhere reaches its header live, which keeps its own seven figures in order."""
    chosen = ["funds_in_place", "foreign_capital_actual", "signed", "signed_investment",
              "foreign_capital", "started", "producing"]
    live_server.flask("display", "set", "lobby", "--header", ",".join(chosen))
    wall = open_wall()
    figures = wall.locator("#wall-indicators .figure")
    expect(figures).to_have_count(7)
    assert figures.evaluate_all("all => all.map(f => f.dataset.indicator)") == chosen
    expect(wall.locator('[data-indicator="funds_in_place"] .figure-value')).to_have_text("0.00")

    lead = api("lead")
    project = lead.create("外资到位测试项目", foreign_invested=True, stage="signed",
                          stage_dates={"signed": today().isoformat()})
    answer = lead.session.post(f"{live_server.url}/api/projects/{project['id']}/funds",
                               json={"date": today().isoformat(), "amount_wan": 25000,
                                     "foreign_usd_wan": 1200}, timeout=10)
    assert answer.status_code == 201, answer.text
    expect(wall.locator('[data-indicator="funds_in_place"] .figure-value')).to_have_text("2.50")
    expect(wall.locator('[data-indicator="foreign_capital_actual"] .figure-value')) \
        .to_have_text("1,200")
    expect(figures).to_have_count(7)
    assert figures.evaluate_all("all => all.map(f => f.dataset.indicator)") == chosen
