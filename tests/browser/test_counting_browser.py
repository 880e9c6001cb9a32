"""How a signing counts, in a real browser: a member opens a signed framework agreement's edit
form, turns it into a contract with the form's choice, and the panel then says when it became a
contract and its history names the conversion (协议项目转化为合同项目)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_tracking_browser import open_panel, wait_wired
from wallchart.core.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_a_member_turns_a_framework_agreement_into_a_contract(api, open_board, artifacts):
    project = api("lead").create("框架协议项目", stage="signed", investment_wan=120000,
                                 agreement_kind="framework",
                                 stage_dates={"signed": today().isoformat()})
    page = open_board("member")
    panel = open_panel(page, project["id"])
    expect(panel.locator("section.counting")).to_contain_text("框架协议")
    panel.locator("button[hx-get$='/edit']").click()
    form = page.locator("dialog .project-form")
    kind = form.locator("select[name=agreement_kind]")
    expect(kind).to_have_value("framework")
    expect(form.locator("select[name=project_kind]")).to_have_value("new")
    expect(form.locator("select[name=agreement_kind] option")).to_have_text(
        ["框架协议", "投资协议/合同", "补充协议"])
    wait_wired(page)
    kind.select_option("contract")
    page.screenshot(path=artifacts / "counting-edit-form.png")
    with page.expect_response(f"**/board/projects/{project['id']}") as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 204
    expect(page.locator("dialog#dialog")).not_to_have_attribute("open", "")

    stored = api("member").get(project["id"])
    assert (stored["agreement_kind"], stored["contracted_on"]) == ("contract", today().isoformat())
    panel = open_panel(page, project["id"])
    counting = panel.locator("section.counting")
    expect(counting).to_contain_text("投资协议/合同")
    expect(counting).to_contain_text(f"转为合同日期{today().isoformat()}")
    expect(panel).to_contain_text("登记框架协议转化为合同")
