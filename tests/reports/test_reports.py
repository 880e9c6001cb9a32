"""The scheduling report (调度报告): the page, the Excel workbook and the CSV, with the mid-year
meeting's dataset (``bench/midyear.py``): its figures exactly, subtotals that add up to the city
total, the boundary days, escaping, invalid periods, and a constant number of queries."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, update

from bench.midyear import (
    BILLION_PLUS,
    INVESTMENT_BEFORE_WAN,
    INVESTMENT_WAN,
    MIDYEAR,
    SIGNED,
    SIGNED_BEFORE,
    THREE500_COUNT,
    build_midyear,
)
from wallchart.core.models import County, Project
from wallchart.extensions import db
from wallchart.reports.report_data import SECTIONS

HALF = {"from": "2026-01-01", "to": "2026-06-30"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def midyear(app, counties):
    return build_midyear(app)


def page(client, **args) -> str:
    response = client.get("/reports/schedule", query_string=args or HALF)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def section_html(text: str, key: str) -> str:
    match = re.search(rf'<section[^>]*data-section="{key}".*?</section>', text, re.S)
    assert match, key
    return match.group(0)


def indicator_row(text: str, name: str) -> str:
    match = re.search(rf'<tr data-indicator="{name}">.*?</tr>', text, re.S)
    assert match, name
    return match.group(0)


def listed_ids(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-project-id="(\d+)"', text)]


def sums(text: str, kind: str) -> list[tuple[int, int]]:
    return [(int(count), int(wan)) for count, wan in re.findall(
        rf'<tr class="{kind}" data-count="(\d+)" data-investment="(\d+)"', text)]


def set_dates(app, project_id: int, **dates: date) -> None:
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project_id)
                           .values(**{f"{stage}_on": day for stage, day in dates.items()}))
        db.session.commit()


# --- the page --------------------------------------------------------------------------------

def test_the_page_shows_the_midyear_figures_exactly(clients, midyear):
    text = page(clients["viewer"])
    assert "调度报告" in text and "2026年1月1日至6月30日" in text
    signed = indicator_row(text, "signed")
    assert f'data-count="{SIGNED}"' in signed and f">{SIGNED}<" in signed
    assert f">{SIGNED_BEFORE}<" in signed
    assert f'data-investment="{INVESTMENT_WAN}"' in signed
    assert "458.00 亿元" in signed and f"{INVESTMENT_BEFORE_WAN / 10000:,.2f} 亿元" in signed
    assert "同比增长 210%" in signed and "同比增长 340%" in signed
    assert f'data-count="{BILLION_PLUS}"' in indicator_row(text, "signed_billion_plus")
    assert f'data-count="{THREE500_COUNT}"' in indicator_row(text, "signed_three500")
    # The list of signings: 121 projects, 458.00 亿元 as the city total (in 亿元, as officials
    # write totals, not 4,580,000 万元); the rows numbered 1 to 121 through the counties.
    listed = section_html(text, "signed")
    assert sums(listed, "total") == [(SIGNED, INVESTMENT_WAN)]
    assert f"{SIGNED} 个项目 · 458.00 亿元</span>" in listed
    total_row = re.search(r'<tr class="total".*?</tr>', listed, re.S).group(0)
    assert "458.00 亿元" in total_row and "4,580,000" not in listed
    numbers = re.findall(r'<tr data-project-id="\d+"[^>]*><td class="number">(\d+)</td>', listed)
    assert [int(n) for n in numbers] == list(range(1, SIGNED + 1))


def test_every_list_is_what_its_indicator_counts_and_adds_up_by_county(app, clients, midyear):
    text = page(clients["member"])
    with app.app_context():
        order = [name for (name,) in db.session.execute(
            db.select(County.name).order_by(County.sort_order, County.id))]
    for key in SECTIONS:
        listed = section_html(text, key)
        expected = midyear.counted(MIDYEAR, key)
        assert sorted(listed_ids(listed)) == sorted(spec.id for spec in expected), key
        subtotals, total = sums(listed, "subtotal"), sums(listed, "total")
        if not expected:  # an empty list says so, without a table (the dataset converts none)
            assert total == [] and "<table" not in listed, key
            continue
        assert total == [(len(expected), sum(spec.investment_wan for spec in expected))], key
        assert (sum(c for c, _ in subtotals), sum(w for _, w in subtotals)) == total[0], key
        shown = re.findall(r'<tbody data-county="([^"]*)"', listed)
        assert shown == [name for name in order if name in shown], f"{key}: county order"
        for county in shown:  # each county's rows are its own projects
            group = re.search(rf'<tbody data-county="{county}">.*?</tbody>', listed, re.S)
            names = {spec.id: spec.county for spec in expected}
            assert {names[i] for i in listed_ids(group.group(0))} == {county}


def test_boundaries_deleted_withdrawn_and_moved_back(clients, midyear):
    listed = listed_ids(section_html(page(clients["viewer"]), "signed"))
    ids = midyear.ids
    assert ids["last_day"] in listed  # signed on 2026-06-30: in
    assert ids["first_day_next"] not in listed  # 2026-07-01: the next period's
    assert ids["before_start"] not in listed  # 2025-12-31: the period before
    assert ids["deleted"] not in listed  # deleted: never
    assert ids["moved_back"] not in listed  # the signing fell through: its date was cleared
    assert ids["withdrawn"] in listed  # withdrawn after signing: it did sign
    july = section_html(page(clients["viewer"], **{"from": "2026-07-01", "to": "2026-07-31"}),
                        "signed")
    assert ids["first_day_next"] in listed_ids(july)
    withdrawn_row = re.search(rf'<tr data-project-id="{ids["withdrawn"]}".*?</tr>',
                              section_html(page(clients["viewer"]), "signed"), re.S).group(0)
    assert "已终止" in withdrawn_row


def test_confidential_projects_are_listed_and_marked(app, clients, make_project):
    project = make_project("保密的签约项目", investment_wan=8800)
    set_dates(app, project["id"], signed=date(2026, 3, 3))
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project["id"])
                           .values(confidential=True))
        db.session.commit()
    row = re.search(rf'<tr data-project-id="{project["id"]}"[^>]*>.*?</tr>',
                    section_html(page(clients["viewer"]), "signed"), re.S).group(0)
    assert 'class="confidential"' in row and "保密</span>" in row and "8,800" in row


def test_names_are_escaped(app, clients, make_project):
    project = make_project("<b>x</b>", investor='<img src=x onerror="alert(1)">')
    set_dates(app, project["id"], signed=date(2026, 2, 2))
    text = page(clients["viewer"])
    assert "<b>x</b>" not in text and "<img src=x" not in text
    assert html.escape("<b>x</b>", quote=False) in text


def test_empty_sections_say_so(clients, counties):
    text = page(clients["viewer"])
    for key in SECTIONS:
        listed = section_html(text, key)
        assert "本期没有此类项目。" in listed and "<table" not in listed


def test_english(clients, midyear):
    client = clients["viewer"]
    client.post("/language", data={"lang": "en", "next": "/board"})
    text = page(client)
    assert "Scheduling report" in text and "Newly signed projects" in text
    assert "up 210% year on year" in text and "CNY 45.80bn" in text


@pytest.mark.parametrize(("args", "field"), [
    ({"from": "2026-06-30", "to": "2026-01-01"}, "to"),
    ({"from": "2026-13-01", "to": "2026-12-31"}, "from"),
    ({"from": "yesterday", "to": "2026-12-31"}, "from"),
    ({"from": "2026-01-01"}, "to"),
    ({"preset": "decade"}, None),
])
def test_invalid_periods_are_refused_with_a_reason(clients, counties, args, field):
    client = clients["viewer"]
    response = client.get("/reports/schedule", query_string=args)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'role="alert"' in text and "调度报告" in text
    if field:
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', text), field
    for suffix in (".xlsx", ".csv"):  # a page that says why, never a broken file
        download = client.get(f"/reports/schedule{suffix}", query_string=args)
        assert download.status_code == 422
        assert download.mimetype == "text/html"
        assert "Content-Disposition" not in download.headers
        assert 'role="alert"' in download.get_data(as_text=True)


def test_presets_and_the_default_period(clients, counties):
    from wallchart.core.timeutil import today

    day = today()
    year_to_date = f"{day.year}年1月1日至{day.month}月{day.day}日"
    assert year_to_date in page(clients["viewer"], preset="year")
    text = clients["viewer"].get("/reports/schedule").get_data(as_text=True)
    assert year_to_date in text  # the year to date
    assert 'href="/reports/schedule?preset=month"' in text


def test_the_report_costs_two_statements(app, midyear):
    from wallchart.reports import report_data

    statements = []
    with app.app_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731 (args[2]: the SQL)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            report = report_data.schedule(MIDYEAR)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the indicators, then the four lists
    assert report.sections[1].count == SIGNED


# --- Excel -------------------------------------------------------------------------------------

def workbook_of(client, **args):
    response = client.get("/reports/schedule.xlsx", query_string=args or HALF)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    return response, load_workbook(io.BytesIO(response.data))


def city_total(app) -> str:
    from flask_babel import gettext

    with app.test_request_context():
        return gettext("City total")


def test_the_excel_file(app, clients, midyear):
    response, book = workbook_of(clients["lead"])
    disposition = response.headers["Content-Disposition"]
    assert 'filename="schedule-report_2026-01-01_2026-06-30.xlsx"' in disposition
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
    assert unquote(encoded) == "调度报告_2026-01-01_2026-06-30.xlsx"
    assert book.sheetnames == ["指标", "新进入洽谈项目", "新签约项目", "协议项目转化为合同项目",
                               "新开工项目", "新竣工投产项目"]

    sheet = book["指标"]
    assert sheet.freeze_panes == "A3"
    assert "2026年1月1日至6月30日" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == [
        "指标", "本期（个）", "上年同期（个）", "同比（%）", "本期投资（亿元）",
        "上年同期投资（亿元）", "投资同比（%）", "备注"]
    assert all(cell.font.bold for cell in sheet[2])
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    signed = rows["新签约项目"]
    assert [signed[1].value, signed[2].value] == [SIGNED, SIGNED_BEFORE]
    assert signed[3].value == pytest.approx(2.103) and signed[3].number_format == "0.0%"
    assert signed[4].value == pytest.approx(458.0) and signed[4].number_format == "#,##0.00"
    assert signed[6].value == pytest.approx(3.4)
    assert signed[7].value is None  # a remark only where last year had nothing
    assert rows["签约10亿元以上项目"][1].value == BILLION_PLUS
    assert rows["签约三类500强项目"][1].value == THREE500_COUNT
    assert rows["合同外资"][1].number_format == "#,##0"
    for row in sheet.iter_rows(min_row=3):  # the change columns hold numbers or nothing
        if row[0].value and row[0].value != "指标":
            assert all(cell.value is None or cell.data_type == "n" for cell in (row[3], row[6]))
    headers = [row for row in sheet.iter_rows(min_row=3) if row[0].value == "指标"]
    assert [cell.value for cell in headers[0][:5]] == ["指标", "本期（万美元）",
                                                       "上年同期（万美元）", "同比（%）", "备注"]

    sheet = book["新签约项目"]
    assert sheet.freeze_panes == "A3"
    assert sheet["A1"].value == (f"新签约项目（{SIGNED} 个项目，458.00 亿元）· 调度报告 · "
                                 "2026年1月1日至6月30日")
    header = [cell.value for cell in sheet[2]]
    assert header == ["序号", "县市区", "项目数（个）", "项目名称", "投资方", "产业类别",
                      "投资额（万元）", "签约日期", "三类500强", "外资企业", "责任人", "专班",
                      "备注"]
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("1D4F91") for cell in sheet[2])
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["C"].width
    data = list(sheet.iter_rows(min_row=3))
    projects = [row for row in data if row[2].value is None]
    subtotals = [row for row in data if str(row[1].value).endswith("小计")]
    total = data[-1]
    assert len(projects) == SIGNED
    assert [row[0].value for row in projects] == list(range(1, SIGNED + 1))  # 序号 1..n
    assert all(row[0].data_type == "n" for row in projects)
    assert all(row[0].value is None for row in (*subtotals, total))
    assert total[1].value == city_total(app)
    assert (total[2].value, total[6].value) == (SIGNED, INVESTMENT_WAN)
    assert total[1].font.bold and total[6].font.bold and total[6].number_format == "#,##0"
    assert all(row[1].font.bold for row in subtotals)
    assert sum(row[2].value for row in subtotals) == SIGNED
    assert sum(row[6].value for row in subtotals) == INVESTMENT_WAN
    first = projects[0]
    assert isinstance(first[7].value, datetime) and first[7].number_format == "yyyy-mm-dd"
    assert MIDYEAR.start <= first[7].value.date() <= MIDYEAR.end
    assert isinstance(first[6].value, int) and first[6].number_format == "#,##0"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$2:$2"


def test_excel_says_when_last_year_had_nothing_in_a_column_of_its_own(app, clients, counties,
                                                                     make_project):
    """A change with nothing to compare with is an empty cell, never the words in a numeric
    column; "去年同期为零" stands in the remarks column instead."""
    project = make_project("今年签约项目", investment_wan=120000)
    set_dates(app, project["id"], signed=date(2026, 3, 3))
    _response, book = workbook_of(clients["viewer"])
    rows = {row[0].value: row for row in book["指标"].iter_rows(min_row=3)}
    signed = rows["新签约项目"]
    assert [signed[1].value, signed[2].value, signed[4].value] == [1, 0, 12.0]
    assert signed[3].value is None and signed[6].value is None
    assert signed[7].value == "去年同期为零" and signed[7].data_type == "s"
    assert rows["合同外资"][3].value is None and rows["合同外资"][4].value == "去年同期为零"
    figures = [cell for row in book["指标"].iter_rows(min_row=3, max_row=10) for cell in row[1:7]]
    assert all(cell.value is None or cell.data_type == "n" for cell in figures)


def test_excel_keeps_texts_as_texts(app, clients, make_project):
    """A project named like a formula stays a text in the workbook and in the CSV."""
    project = make_project("=HYPERLINK(\"http://evil.example\",\"x\")", investor="+1-2")
    set_dates(app, project["id"], signed=date(2026, 5, 5))
    _response, book = workbook_of(clients["viewer"])
    row = next(row for row in book["新签约项目"].iter_rows(min_row=3)
               if row[3].value and "HYPERLINK" in row[3].value)
    assert row[3].data_type == "s" and row[3].value.startswith("=HYPERLINK")
    text = clients["viewer"].get("/reports/schedule.csv", query_string=HALF).data.decode()
    assert "'=HYPERLINK" in text and "'+1-2" in text


def test_an_empty_period_gives_a_valid_workbook(app, clients, counties):
    _response, book = workbook_of(clients["viewer"])
    sheet = book["新开工项目"]
    values = [row[1].value for row in sheet.iter_rows(min_row=3)]
    assert values == ["本期没有此类项目。", city_total(app)]
    assert sheet["C4"].value == 0 and sheet["G4"].value == 0


def test_excel_in_english(clients, midyear):
    client = clients["viewer"]
    client.post("/language", data={"lang": "en", "next": "/board"})
    response, book = workbook_of(client)
    assert book.sheetnames[0] == "Indicators" and "Newly signed projects" in book.sheetnames
    assert book["Indicators"]["B2"].value == "This period (projects)"
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", response.headers[
        "Content-Disposition"]).group(1)) == "Scheduling report_2026-01-01_2026-06-30.xlsx"


# --- CSV ---------------------------------------------------------------------------------------

def test_the_csv_file(clients, midyear):
    response = clients["viewer"].get("/reports/schedule.csv", query_string=HALF)
    assert response.status_code == 200
    # The charset said once, in the header; the BOM is for Excel, which reads UTF-8 only so.
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="schedule-report_2026-01-01_2026-06-30.csv"' in disposition
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    assert header[:5] == ["类别", "县市区", "行类型", "序号", "项目数（个）"]
    assert all(len(row) == len(header) for row in rows)  # one rectangle, for sorting
    assert "投资额（万元）" in header and "阶段日期" in header
    wan, day = header.index("投资额（万元）"), header.index("阶段日期")
    signed = [row for row in rows if row[0] == "新签约项目"]
    projects = [row for row in signed if row[2] == "项目"]
    subtotals = [row for row in signed if row[2] == "小计"]
    assert len(projects) == SIGNED
    assert [int(row[3]) for row in projects] == list(range(1, SIGNED + 1))
    assert signed[-1][1:5] == ["全市", "合计", "", str(SIGNED)]
    assert signed[-1][wan] == str(INVESTMENT_WAN)
    assert sum(int(row[4]) for row in subtotals) == SIGNED
    assert sum(int(row[wan]) for row in subtotals) == INVESTMENT_WAN
    assert sum(int(row[wan]) for row in projects) == INVESTMENT_WAN
    assert all(date.fromisoformat(row[day]) <= MIDYEAR.end for row in projects)
    lists = {"新进入洽谈项目", "新签约项目", "协议项目转化为合同项目", "新开工项目",
             "新竣工投产项目"}
    assert {row[0] for row in rows if row[2] != "指标"} == lists
    assert sum(1 for row in rows if row[2] == "合计") == 5


def test_the_csv_starts_with_the_indicator_rows(clients, midyear):
    """The indicators come first, one row each, in the lists' own columns where they mean the
    same (count, investment in 万元) and last year and the change in columns of their own."""
    text = clients["viewer"].get("/reports/schedule.csv", query_string=HALF).data
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    header = rows[0]
    column = {name: header.index(name) for name in (
        "项目数（个）", "投资额（万元）", "备注", "上年同期（个）", "同比（%）",
        "上年同期投资额（万元）", "投资同比（%）", "合同外资（万美元）",
        "上年同期合同外资（万美元）", "合同外资同比（%）")}
    indicators = [row for row in rows[1:] if row[2] == "指标"]
    assert [row[0] for row in indicators] == [
        "新进入洽谈项目", "新签约项目", "协议项目转化为合同项目", "新开工项目", "新竣工投产项目",
        "签约10亿元以上项目", "签约三类500强项目", "新设外资企业", "新引进外贸主体", "到位资金",
        "合同外资", "实际利用外资"]
    assert rows[1:13] == indicators  # before the lists
    assert all(len(row) == len(header) and row[1] == "全市" for row in indicators)
    signed = indicators[1]
    assert [signed[column[name]] for name in (
        "项目数（个）", "投资额（万元）", "上年同期（个）", "同比（%）", "投资同比（%）")] == [
        str(SIGNED), str(INVESTMENT_WAN), str(SIGNED_BEFORE), "210.3", "340.0"]
    assert signed[column["上年同期投资额（万元）"]] == str(INVESTMENT_BEFORE_WAN)
    foreign = indicators[-2]
    assert foreign[column["项目数（个）"]] == "" and foreign[column["投资额（万元）"]] == ""
    assert int(foreign[column["合同外资（万美元）"]]) > 0


def test_the_csv_says_when_last_year_had_nothing(app, clients, counties, make_project):
    project = make_project("今年签约项目", investment_wan=120000)
    set_dates(app, project["id"], signed=date(2026, 3, 3))
    text = clients["viewer"].get("/reports/schedule.csv", query_string=HALF).data
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    header, signed = rows[0], next(row for row in rows if row[:3] == ["新签约项目", "全市", "指标"])
    assert signed[header.index("同比（%）")] == ""
    assert signed[header.index("备注")] == "去年同期为零"
    assert signed[header.index("项目数（个）")] == "1"


def test_contracted_foreign_capital_has_one_name_everywhere(app, clients, counties):
    """What signed projects contracted is 合同外资 on every page and in the Excel: never
    签约项目外资额 or a bare 利用外资; what was paid in is 实际利用外资 (the receipts of funds),
    beside it on the indicators page and in the scheduling report, never on a wall."""
    from tests.helpers import actor
    from wallchart.services.accounts import create_display_token

    with app.app_context():
        wall = "/wall?token=" + create_display_token(actor("admin"), "大厅")
    viewer = clients["viewer"]
    workbook = load_workbook(io.BytesIO(viewer.get("/reports/schedule.xlsx").data))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)
    texts = {path: viewer.get(path).get_data(as_text=True)
             for path in ("/indicators", "/reports/schedule", wall)}
    texts["/reports/schedule.xlsx"] = cells
    for where, text in texts.items():
        assert "合同外资" in text, where
        assert not re.search("签约项目外资额|(?<!实际)利用外资", text), where
        assert ("实际利用外资" in text) == (where != wall), where
