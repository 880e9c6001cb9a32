"""Any board view as the bureau's ledger (项目台账): /board/export.xlsx and /board/export.csv take
the board's filter parameters and write every field of the cards shown, headers with units in
the reader's language, a 序号 column, amounts as numbers and dates as dates; staff only."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from tests.helpers import snapshot
from wallchart.core.timeutil import today
from wallchart.services import accounts

TODAY = today()
#: The whole record of one project, set to something other than its default.
RECORD = {
    "code": "HC-2026/001", "origin": "广东深圳", "foreign_invested": True,
    "three500": "fortune_global", "enterprise_type": "joint_venture",
    "industry_chain": "新能源电池", "source_channel": "liaison_office",
    "source_detail": "驻深圳招商联络处", "foreign_capital_usd_wan": 3200,
    "new_trade_entity": True, "contact_person": "周经理", "contact_phone": "0745-1234567",
    "land_mu": 820, "description": "一期：正极材料", "confidential": True,
    "planned_on": (TODAY + timedelta(days=30)).isoformat(), "next_step": "赴深圳总部拜访",
    "next_step_due": (TODAY + timedelta(days=7)).isoformat(), "next_step_owner": "member",
    "promised_start_on": (TODAY + timedelta(days=90)).isoformat(),
}
ZH_HEADERS = [
    "序号", "项目编码", "项目名称", "投资方", "投资方来源地", "投资额（万元）", "县市区",
    "产业类别", "产业链", "阶段", "首次接触日期", "进入在谈日期", "签约日期", "开工日期",
    "竣工投产日期", "下一阶段计划日期", "约定开工日期", "协议类型", "转为合同日期", "项目类型",
    "增资额（万元）", "专班", "责任人", "企业性质", "三类500强",
    "外资企业",
    "合同外资（万美元）", "新增外贸主体", "招商渠道", "渠道详情", "联系人", "联系电话",
    "用地面积（亩）", "下一步工作", "下一步完成时限", "下一步责任人", "保密", "说明",
]


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return list(sheet.iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def signed(make_project, counties):
    """A signed project with the whole record, and two others in other counties and stages."""
    full = make_project("锂电池材料项目", investor="湘澜新材料", investment_wan=350000,
                        stage="signed", stage_dates={"signed": TODAY.isoformat()}, **RECORD)
    other = make_project("文旅综合体", county=counties[1], sector="tourism")
    third = make_project("冷链物流园", investment_wan=8000)
    return full, other, third


def test_the_excel_ledger_has_every_field_with_units_and_typed_cells(clients, signed):
    full, _other, _third = signed
    rows = workbook_rows(clients["viewer"].get("/board/export.xlsx"))
    title, headers, *data = rows
    assert title[0].startswith("项目台账（3 个项目）")
    assert list(headers) == ZH_HEADERS
    assert [row[0] for row in data] == [1, 2, 3]  # 序号
    # The board's order: column by column (contact before signed), each top to bottom.
    assert [row[2] for row in data] == ["文旅综合体", "冷链物流园", "锂电池材料项目"]
    row = dict(zip(headers, data[2], strict=True))
    assert row["项目编码"] == "HC-2026/001"
    assert row["投资额（万元）"] == 350000 and isinstance(row["投资额（万元）"], int)
    assert row["合同外资（万美元）"] == 3200
    assert row["用地面积（亩）"] == 820
    assert row["签约日期"] == datetime.combine(TODAY, datetime.min.time())  # a real Excel date
    assert row["首次接触日期"] is None
    assert row["约定开工日期"] == datetime.combine(
        date.fromisoformat(RECORD["promised_start_on"]), datetime.min.time())
    assert row["下一步完成时限"] == datetime.combine(date.fromisoformat(RECORD["next_step_due"]),
                                              datetime.min.time())
    assert row["阶段"] == "已签约"
    assert (row["协议类型"], row["转为合同日期"], row["项目类型"], row["增资额（万元）"]) == (
        "投资协议/合同", None, "新建项目", 0)
    assert row["三类500强"] == "世界500强"
    assert row["外资企业"] == "是" and row["保密"] == "是"
    assert row["下一步责任人"] and row["专班"] == "一组"
    assert row["说明"] == RECORD["description"]
    book = openpyxl.load_workbook(io.BytesIO(clients["viewer"].get("/board/export.xlsx").data))
    sheet = book.active
    assert sheet.freeze_panes == "A3"
    assert sheet.cell(5, 13).number_format == "yyyy-mm-dd"
    assert full["id"]


def test_the_csv_ledger_has_the_same_rows(clients, signed):
    rows = csv_rows(clients["viewer"].get("/board/export.csv"))
    headers, *data = rows
    assert headers == ZH_HEADERS
    row = dict(zip(headers, data[2], strict=True))
    assert row["序号"] == "3"
    assert row["签约日期"] == TODAY.isoformat()
    assert row["投资额（万元）"] == "350000"
    assert row["项目编码"] == "HC-2026/001"


def test_english_readers_get_english_headers(clients, signed):
    viewer = clients["viewer"]
    viewer.post("/language", data={"lang": "en", "next": "/board"})
    headers = csv_rows(viewer.get("/board/export.csv"))[0]
    assert headers[:6] == ["No.", "Project code", "Project name", "Investor",
                           "Investor's origin", "Investment (10,000 yuan)"]
    assert "Contracted foreign capital (10,000 US dollars)" in headers
    assert "Land needed (mu)" in headers


def test_a_filter_narrows_the_export_exactly_as_the_board(clients, signed, counties):
    full, other, third = signed
    viewer = clients["viewer"]
    for query, expected in [
        ({"county": counties[1]}, [other]),
        ({"stage": "signed"}, [full]),
        ({"stage": ["contact", "signed"], "billion": "1"}, [full]),
        ({"q": "hc-2026"}, [full]),
        ({"q": "冷链", "sector": ""}, [third]),
        ({"foreign": "1"}, [full]),
    ]:
        board = viewer.get("/board", query_string=query).get_data(as_text=True)
        on_board = [p["id"] for p in (full, other, third)
                    if f'data-project-id="{p["id"]}"' in board]
        assert on_board == [p["id"] for p in expected] or set(on_board) == {
            p["id"] for p in expected}, query
        names = [row[2] for row in workbook_rows(viewer.get("/board/export.xlsx",
                                                            query_string=query))[2:]]
        assert sorted(names) == sorted(p["name"] for p in expected), query
        assert [row[2] for row in csv_rows(viewer.get("/board/export.csv",
                                                      query_string=query))[1:]] == names
    # A view with nothing in it is an empty ledger, not an error.
    empty = workbook_rows(viewer.get("/board/export.xlsx", query_string={"q": "不存在"}))
    assert empty[2][1] == "当前看板没有符合条件的项目。"


def test_my_projects_switch_narrows_the_export_as_it_narrows_the_board(clients, make_project):
    mine = make_project("甲")
    make_project("乙")
    assert clients["lead"].post(f"/api/projects/{mine['id']}/assign",
                                json={"owner": "member", "version": 1}).status_code == 200
    names = [row[2] for row in workbook_rows(
        clients["member"].get("/board/export.xlsx", query_string={"mine": "1"}))[2:]]
    assert names == ["甲"]
    mine_teams = [row[2] for row in workbook_rows(
        clients["member"].get("/board/export.xlsx", query_string={"teams": "mine"}))[2:]]
    assert sorted(mine_teams) == ["乙", "甲"]  # both are the member's team's


def board_refusal(html: str) -> str:
    match = re.search(r'<p class="form-error filter-error" role="alert">([^<]+)</p>', html)
    assert match, html[:300]
    return match.group(1)


def test_a_bad_filter_is_refused_as_the_board_refuses_it(app, clients, signed):
    viewer = clients["viewer"]
    before = snapshot(app)
    for query in ({"stage": "nowhere"}, {"county": "火星"}, {"sector": ["industry", "tourism"]},
                  {"q": "x" * 101}, {"owner": "nobody"}):
        board = viewer.get("/board", query_string=query)
        assert board.status_code == 400
        message = board_refusal(board.get_data(as_text=True))
        for url in ("/board/export.xlsx", "/board/export.csv"):
            answer = viewer.get(url, query_string=query)
            assert answer.status_code == 400, (url, query)
            assert "Content-Disposition" not in answer.headers
            assert message in answer.get_data(as_text=True), (url, query, message)
    assert snapshot(app) == before


def test_a_viewer_may_export_and_a_display_token_may_not(app, clients, signed):
    assert clients["viewer"].get("/board/export.xlsx").status_code == 200
    assert clients["viewer"].get("/board/export.csv").status_code == 200
    with app.app_context():
        tokens = [accounts.create_display_token(None, "大厅大屏", {"profile": "lobby"}),
                  accounts.create_display_token(None, "内部大屏")]
    client = app.test_client()
    for token in tokens:
        for url in ("/board/export.xlsx", "/board/export.csv"):
            for answer in (client.get(f"{url}?token={token}"),
                           client.get(url, headers={"Authorization": f"Bearer {token}"})):
                assert answer.status_code == 302, (url, answer.status_code)
                assert "/login" in answer.headers["Location"]
                assert "锂电池" not in answer.get_data(as_text=True)
    assert client.get("/board/export.xlsx").status_code == 302  # nobody signed in


def test_the_board_offers_the_export_with_its_filter(clients, signed, counties):
    page = clients["viewer"].get("/board", query_string=[("county", counties[1]),
                                                         ("stage", "contact"),
                                                         ("stage", "signed")])
    html = page.get_data(as_text=True)
    assert "导出" in html
    assert "/board/export.xlsx?county=" in html
    assert "stage=contact&amp;stage=signed" in html
    assert "/board/export.csv?" in html


def test_the_title_says_what_the_view_was_narrowed_to(clients, signed, counties):
    rows = workbook_rows(clients["viewer"].get("/board/export.xlsx", query_string=[
        ("county", counties[1]), ("warning", "any"), ("three500", "any"), ("q", "文旅")]))
    title = rows[0][0]
    assert title.startswith("项目台账（")
    assert f"县市区：{counties[1]}" in title and "“" not in title
    assert "黄灯或红灯" in title or "预警" in title
    assert f"截至 {today().isoformat()}" in title or today().isoformat() in title


def test_a_text_that_looks_like_a_formula_stays_text(clients, make_project):
    make_project("=HYPERLINK(\"http://evil\")", investor="+86 集团", description="@SUM(A1)")
    xlsx = openpyxl.load_workbook(io.BytesIO(clients["viewer"].get("/board/export.xlsx").data))
    cell = xlsx.active.cell(3, 3)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://evil\")"
    row = csv_rows(clients["viewer"].get("/board/export.csv"))[1]
    assert row[2] == "'=HYPERLINK(\"http://evil\")" and row[3] == "'+86 集团"
    assert row[-1] == "'@SUM(A1)"
