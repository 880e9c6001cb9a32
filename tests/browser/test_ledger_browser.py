"""The board's Export menu in a real browser: the ledger it downloads is the view the board shows,
its filter changed by the filter bar after the page loaded; and the search by project code
holds for cards changed live."""

from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import mark

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def board(live_server, api):
    live_server.flask("county", "add", "鹤城区", "中方县")
    member = api("member")
    return {
        "battery": member.create("新能源电池材料生产基地", investor="湘澜新材料股份有限公司",
                                 county="鹤城区", sector="industry", investment_wan=150_000,
                                 code="HC-2026/001"),
        "tea": member.create("有机茶叶种植示范园", investor="五溪茶业合作社", county="中方县",
                             sector="agriculture", investment_wan=6_000),
    }


def test_the_export_downloads_the_view_the_board_shows(board, open_board):
    page = open_board("lead")
    mark(page)
    bar = page.locator("#filter-bar")
    with page.expect_response(lambda r: "/board?" in r.url):
        bar.locator("select[name=sector]").select_option("industry")
    expect(page.locator("#match-count")).to_have_text("1")
    page.locator("summary", has_text="报表").click()  # the export is in the reports menu
    with page.expect_download() as info:
        page.get_by_role("link", name="项目台账（Excel）").click()
    download = info.value
    assert download.suggested_filename.startswith("项目台账_")
    with open(download.path(), "rb") as handle:
        rows = list(openpyxl.load_workbook(io.BytesIO(handle.read())).active
                    .iter_rows(values_only=True))
    assert [row[2] for row in rows[2:]] == ["新能源电池材料生产基地"]
    assert rows[2][1] == "HC-2026/001"


def test_a_card_given_a_matching_code_elsewhere_joins_a_searched_board(board, api, open_board):
    page = open_board("lead")
    page.goto(page.url + "?q=hc-2026")
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#match-count")).to_have_text("1")
    api("member").patch(board["tea"]["id"], code="HC-2026/002")
    expect(page.locator("#match-count")).to_have_text("2")
    api("member").patch(board["battery"]["id"], code="")
    expect(page.locator("#match-count")).to_have_text("1")
    expect(page.locator(f'.card[data-project-id="{board["tea"]["id"]}"]')).to_be_visible()
