"""The words and small cues a person reads: Chinese never slanted, one message where two said
the same, full-width brackets in Chinese, required fields marked, the displays' table."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_report_print import midyear_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: Every element with text of its own that is set in italic (or oblique), and every style rule
#: of the page's own stylesheets that asks for it: a browser slants Chinese, which has no italic.
SLANTED = """() => {
  const shown = Array.from(document.querySelectorAll("body *")).filter(element =>
    Array.from(element.childNodes).some(node => node.nodeType === 3 && node.textContent.trim())
    && getComputedStyle(element).fontStyle !== "normal").map(element => element.textContent.trim());
  const rules = Array.from(document.styleSheets).flatMap(sheet => Array.from(sheet.cssRules))
    .filter(rule => rule.style && /italic|oblique/.test(rule.style.fontStyle))
    .map(rule => rule.selectorText);
  return shown.concat(rules);
}"""


def slanted(page: Page) -> list[str]:
    return page.evaluate(SLANTED)


def test_no_chinese_is_set_in_italic(midyear_server, open_board):  # noqa: F811
    page = open_board("viewer")
    for path in ("/indicators", "/board/workload"):
        page.goto(midyear_server.url + path)
        assert slanted(page) == [], path


def test_an_out_of_order_date_is_refused_once_at_its_field(api, open_board, artifacts):
    """A lead's correction that puts 在谈 before 接触洽谈: the reason is said at the date, once."""
    from datetime import timedelta

    from tests.browser.helpers import card
    from wallchart.core.timeutil import today

    project = api("member").create("日期顺序项目")
    api("member").move(project["id"], "negotiating")
    page = open_board("lead")
    card(page, project["id"]).locator(".card-title").click()
    row = page.locator('#dialog [data-stage-date="negotiating"]')
    row.locator("summary").click()
    yesterday = (today() - timedelta(days=1)).isoformat()
    row.locator("input[name=date]").fill(yesterday)
    row.locator("input[name=reason]").fill("补录")
    with page.expect_response(lambda r: r.url.endswith("/dates")) as answer:
        row.get_by_role("button").click()
    assert answer.value.status == 422
    refusal = page.locator("#dialog").get_by_text("不能早于")
    expect(refusal).to_have_count(1)
    expect(page.locator('#dialog [data-stage-date="negotiating"] .field-error')).to_have_text(
        f"“在谈”的日期（{yesterday}）不能早于“接触洽谈”的日期（{today().isoformat()}）。")
    page.screenshot(path=str(artifacts / "words-date-order-once.png"))
    assert api("member").get(project["id"])["stage_dates"]["negotiating"] == today().isoformat()


def test_the_project_form_marks_what_is_required_and_says_everything_at_once(api, open_board,
                                                                              artifacts):
    """An administrator (every team) submits the new-project form empty but for a negative
    amount: the name and the team are refused together at the first submission, the amount
    "不能小于零"; the required fields carry their mark and the units full-width brackets."""
    before = len(api("admin").projects())
    page = open_board("admin")
    page.get_by_role("button", name="新增项目").click()
    form = page.locator("dialog#dialog .project-form")
    for field in ("name", "team"):
        label = form.locator(f"label:has([name={field}])")
        expect(label.locator(".required-mark")).to_have_text("*")
    expect(form.locator(".required-note")).to_have_text("* 为必填项")
    expect(form.locator("label:has([name=investment_wan]) .field-unit")).to_have_text("（万元）")
    assert "(" not in form.inner_text() and ")" not in form.inner_text()
    form.locator("input[name=investment_wan]").fill("-5")
    with page.expect_response(lambda r: r.url.endswith("/board/projects")) as answer:
        form.get_by_role("button", name="保存", exact=True).click()
    assert answer.value.status == 422
    form = page.locator("dialog#dialog .project-form")
    for field in ("name", "team", "investment_wan"):
        expect(form.locator(f"[name={field}]")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#error-investment_wan")).to_have_text("不能小于零。")
    expect(form.locator("#error-team")).to_have_text("请选择专班。")
    page.screenshot(path=str(artifacts / "words-project-form-refused.png"))
    assert len(api("admin").projects()) == before


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_the_displays_table_reads_in_whole_words(live_server, open_board, open_wall, artifacts,
                                                 width, height):
    """Each heading and name on one line (a settings form in a cell squeezed them to a
    character a line), the screen that is on says so, and switching off reads 停用."""
    live_server.flask("display", "create", "二楼会议室", "--views", "board,ranking,charts")
    open_wall()
    page = open_board("admin", viewport={"width": width, "height": height})
    page.goto(f"{live_server.url}/admin/displays")
    lines = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.displays-table thead th, .displays-table .display-name')).map(cell => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          const tops = Array.from(range.getClientRects()).map(rect => Math.round(rect.top));
          return [cell.textContent.trim(), new Set(tops).size];
        })""")
    assert all(count <= 1 for _text, count in lines), lines
    on = page.locator('.displays-table tr:has(.display-name:text-is("lobby")) .display-seen')
    expect(on).to_have_text("在线")
    expect(page.locator('.displays-table tr:has(.display-name:text-is("二楼会议室")) '
                        '.display-seen')).to_have_text("从未连接")
    expect(page.get_by_role("button", name="停用")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # scrolls in its box
    page.screenshot(path=str(artifacts / f"words-displays-{width}.png"), full_page=True)


def test_the_targets_page_has_one_save(live_server, open_board, artifacts):
    """Sixteen counties had sixteen save buttons: one form, one save, every row kept."""
    live_server.flask("county", "add", "鹤城区", "中方县", "沅陵县", "辰溪县")
    page = open_board("admin", viewport={"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/targets?year=2026")
    expect(page.locator("main button[type=submit]:not(.targets-year button)")).to_have_count(1)
    page.get_by_label("鹤城区 · 签约项目（个）").fill("12")
    page.get_by_label("沅陵县 · 签约项目（个）").fill("5")
    page.get_by_role("button", name="保存 2026 年目标").click()
    expect(page.locator(".flashes")).to_contain_text("2026 年目标已保存。")
    expect(page.get_by_label("鹤城区 · 签约项目（个）")).to_have_value("12")
    expect(page.get_by_label("沅陵县 · 签约项目（个）")).to_have_value("5")
    expect(page.get_by_label("中方县 · 签约项目（个）")).to_have_value("0")
    page.screenshot(path=str(artifacts / "words-targets-1366.png"), full_page=True)
