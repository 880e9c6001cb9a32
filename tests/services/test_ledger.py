"""A county's ledger read into rows (issue 12, the import's first half): real .xlsx files built
with openpyxl (title rows with merged cells, a 合计 row, 亿元 and 万元, dates, stages and yeses as
people write them), CSV in UTF-8, UTF-8 with BOM and GB18030, and each bad file, refused in
Chinese. Nothing here touches a database."""

from __future__ import annotations

import io
import random
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from wallchart.services.ledger import (
    LEDGER_FIELDS,
    LEDGER_MAX_BYTES,
    UnreadableLedger,
    guess_mapping,
    load_sheet,
    parse_sheet,
    read_ledger,
)

TRANSLATIONS = Path(__file__).resolve().parents[2] / "wallchart" / "translations"

HEADER = ["序号", "项目名称", "投资方", "总投资（亿元）", "所属县市区", "产业类别", "项目阶段",
          "签约时间", "开工时间", "投产时间", "是否外资", "合同外资（万美元）", "三类500强",
          "项目编码", "备注", "责任人", "专班"]


@pytest.fixture(scope="module")
def babel_app() -> Flask:
    """The app's translations without its database: this module reads files only."""
    app = Flask(__name__)
    Babel(app, default_locale="zh", default_translation_directories=str(TRANSLATIONS))
    return app


@pytest.fixture
def zh(babel_app):
    with babel_app.test_request_context(), force_locale("zh"):
        yield


@pytest.fixture
def en(babel_app):
    with babel_app.test_request_context(), force_locale("en"):
        yield


def workbook_bytes(rows: list[list], *, titles: list[str] = (), merge: bool = True,
                   width: int = len(HEADER)) -> bytes:
    """An .xlsx with ``titles`` (each merged across the width) above ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    for number, title in enumerate(titles, start=1):
        sheet.cell(number, 1, title)
        if merge:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number,
                              end_column=width)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def by_number(ledger) -> dict:
    return {row.number: row for row in ledger.rows}


# --- a county's ledger in 亿元 ------------------------------------------------------------------

def yi_ledger() -> bytes:
    rows = [
        HEADER,
        [1, "鹤城新能源电池项目", "宁德某某科技有限公司", 12.5, "鹤城区", "工业", "已签约",
         datetime(2025, 3, 5), "2025年4月8日", None, "是", 3000, "世界500强", "HC-001",
         "一期", "张三", "一组"],
        [2, " 芷江文旅\n综合体 ", "怀化文旅集团", "1.5亿", "芷江县", "文旅", "在谈",
         "2025.3.5", None, None, "否", None, "否", 2025002, "第一行\n第二行", "李四", "二组"],
        [None] * len(HEADER),  # a blank row between
        [3, "溆浦农业园", "某农业公司", "0.8", "溆浦县", "现代农业", "竣工投产", "2025/3/5",
         "2025-03-05", 45721, "√", None, "×", None, None, None, None],
        [4, "沅陵物流园", "某物流公司", 2, "沅陵县", "现代服务业", "开工", 45721, 20250305,
         None, "Y", None, None, None, "—", None, None],
        ["合计", None, None, "=SUM(D4:D8)", None, None, None, None, None, None, None, None,
         None, None, None, None, None],
    ]
    return workbook_bytes(rows, titles=["鹤城县2025年招商引资项目台账",
                                        "填报单位：鹤城县商务局    填报时间：2025年6月30日"])


def test_a_ledger_in_yi_yuan_is_read_with_its_title_rows_and_total_skipped(zh):
    ledger = read_ledger(yi_ledger())
    assert (ledger.kind, ledger.sheet_name, ledger.header_row) == ("xlsx", "台账", 3)
    assert [(column.letter, column.header, column.field) for column in ledger.columns] == [
        ("A", "序号", None), ("B", "项目名称", "name"), ("C", "投资方", "investor"),
        ("D", "总投资（亿元）", "investment_wan"), ("E", "所属县市区", "county"),
        ("F", "产业类别", "sector"), ("G", "项目阶段", "stage"),
        ("H", "签约时间", "stage_dates.signed"), ("I", "开工时间", "stage_dates.started"),
        ("J", "投产时间", "stage_dates.producing"), ("K", "是否外资", "foreign_invested"),
        ("L", "合同外资（万美元）", "foreign_capital_usd_wan"), ("M", "三类500强", "three500"),
        ("N", "项目编码", "code"), ("O", "备注", "description"), ("P", "责任人", "owner"),
        ("Q", "专班", "team")]
    rows = by_number(ledger)
    assert list(rows) == [4, 5, 7, 8]  # Excel's numbers: two title rows, the header, a blank
    assert ledger.errors == []
    assert rows[4].values == {
        "name": "鹤城新能源电池项目", "investor": "宁德某某科技有限公司",
        "investment_wan": 125_000, "county": "鹤城区", "sector": "industry",
        "stage": "signed", "stage_dates.signed": date(2025, 3, 5),
        "stage_dates.started": date(2025, 4, 8), "foreign_invested": True,
        "foreign_capital_usd_wan": 3000, "three500": "fortune_global", "code": "HC-001",
        "description": "一期", "owner": "张三", "team": "一组"}
    assert rows[5].values == {
        "name": "芷江文旅综合体", "investor": "怀化文旅集团", "investment_wan": 15_000,
        "county": "芷江县", "sector": "tourism", "stage": "negotiating",
        "stage_dates.signed": date(2025, 3, 5), "foreign_invested": False, "three500": None,
        "code": "2025002", "description": "第一行\n第二行", "owner": "李四", "team": "二组"}
    assert rows[7].values["investment_wan"] == 8000
    assert rows[7].values["stage"] == "producing"
    assert rows[7].values["sector"] == "agriculture"
    assert [rows[7].values[f"stage_dates.{stage}"] for stage in ("signed", "started",
                                                                "producing")] == \
        [date(2025, 3, 5)] * 3
    assert (rows[7].values["foreign_invested"], rows[7].values["three500"]) == (True, None)
    assert rows[8].values["stage_dates.signed"] == date(2025, 3, 5)  # an Excel serial number
    assert rows[8].values["stage_dates.started"] == date(2025, 3, 5)  # written 20250305
    assert rows[8].values["investment_wan"] == 20_000
    assert rows[8].values["stage"] == "started"
    assert "description" not in rows[8].values  # "—" says nothing


# --- a county's ledger in 万元, with faults ---------------------------------------------------

def wan_ledger() -> bytes:
    rows = [
        ["序号", "项目名称", "投资主体", "计划总投资\n(万元)", "县市区", "行业", "进度",
         "签约日期", "是否三类500强", "外资"],
        [1, "甲项目", "甲公司", "1,200", "鹤城区", "服务业", "洽谈", "2025年2月30日", "是", "有"],
        [2, "乙项目", "乙公司", 1234.5, "鹤城区", "工业", "已签约，正在办理土地手续", "2025年3月",
         "中国民营企业500强", "无"],
        [3, "丙项目", "丙公司", "-5", "鹤城区", "新能源", "未开工", "下周", "世界五百强", "也许"],
        [4, "丁项目", "丁公司", "约一千", "鹤城区", "工业", "接触", "2025-3-5", "no", "N"],
        [5, None, None, None, None, None, None, None, None, None],  # numbered, empty
        ["小计", None, None, 9999, None, None, None, None, None, None],
    ]
    return workbook_bytes(rows, titles=["某县重点项目台账"], width=10)


def test_a_ledger_in_wan_yuan_lists_each_fault_by_row_and_header_in_chinese(zh):
    ledger = read_ledger(wan_ledger())
    assert ledger.header_row == 2
    assert ledger.mapping == {0: None, 1: "name", 2: "investor", 3: "investment_wan",
                              4: "county", 5: "sector", 6: "stage", 7: "stage_dates.signed",
                              8: "three500", 9: "foreign_invested"}
    rows = by_number(ledger)
    assert list(rows) == [3, 4, 5, 6]
    assert rows[3].values["investment_wan"] == 1200
    assert rows[3].values["stage"] == "negotiating"
    assert rows[3].values["foreign_invested"] is True
    assert rows[4].values == {"name": "乙项目", "investor": "乙公司", "investment_wan": 1235,
                              "county": "鹤城区", "sector": "industry", "stage": "signed",
                              "three500": "china_private", "foreign_invested": False}
    assert rows[5].values["three500"] == "fortune_global"
    assert rows[6].values["stage"] == "contact"
    assert rows[6].values["stage_dates.signed"] == date(2025, 3, 5)
    assert (rows[6].values["three500"], rows[6].values["foreign_invested"]) == (None, False)
    assert [str(error) for error in ledger.errors] == [
        "第3行“签约日期”：日历上没有这一天。",
        "第3行“是否三类500强”：请写明属于哪一类：世界500强、中国500强、中国民营500强。",
        "第4行“签约日期”：请写到具体哪一天：只有年月不是日期。",
        "第5行“计划总投资\n(万元)”：不能小于零。",
        "第5行“行业”：无法识别的产业类别：请填写工业、现代农业、文化旅游、现代服务业之一。",
        "第5行“进度”：无法识别的项目阶段：请填写接触洽谈、在谈、已签约、已开工、竣工投产之一。",
        "第5行“签约日期”：请填写日期，如 2025-03-05、2025/3/5、2025.3.5 或 2025年3月5日。",
        "第5行“外资”：请填写“是”或“否”。",
        "第6行“计划总投资\n(万元)”：请填写数字，如 1,200 或 1.5亿。",
    ]
    error = ledger.errors[0]
    assert (error.row, error.column, error.header, error.message) == (
        3, 7, "签约日期", "日历上没有这一天。")


def test_the_errors_read_in_english_for_an_english_reader(en):
    errors = read_ledger(wan_ledger()).errors
    assert str(errors[0]) == "Row 3, 签约日期: There is no such day in the calendar."
    assert str(errors[3]) == "Row 5, 计划总投资\n(万元): It cannot be less than zero."


def test_every_stage_word_and_yes_word(zh):
    stages = {"在谈": "negotiating", "洽谈": "negotiating", "接触": "contact",
              "接触洽谈": "contact", "已签约": "signed", "签约": "signed", "开工": "started",
              "在建": "started", "已开工": "started", "竣工": "producing", "投产": "producing",
              "已投产": "producing", "竣工投产": "producing", "Signed": "signed",
              "Construction started": "started"}
    yeses = [("是", True), ("否", False), ("√", True), ("×", False), ("Y", True), ("N", False),
             ("yes", True), ("No", False), ("1", True), ("0", False), ("有", True),
             ("无", False), (1, True), (0, False), (True, True), (False, False)]
    rows = [["项目名称", "项目阶段", "外资"]]
    rows += [[f"项目{i}", stage, None] for i, stage in enumerate(stages)]
    rows += [[f"外资{i}", None, word] for i, (word, _yes) in enumerate(yeses)]
    ledger = read_ledger(workbook_bytes(rows))
    assert ledger.errors == []
    got = [row.values for row in ledger.rows]
    assert [values["stage"] for values in got[:len(stages)]] == list(stages.values())
    assert [values["foreign_invested"] for values in got[len(stages):]] == \
        [yes for _word, yes in yeses]


# --- the header --------------------------------------------------------------------------------

def test_the_names_bureaus_use_and_their_english_equivalents():
    assert guess_mapping(["No.", "Project name", "Investor", "Investment (10,000 yuan)",
                          "County / district", "Sector", "Stage", "Signing date",
                          "Construction start date", "Production date", "Owner", "Team",
                          "Foreign-invested", "Foreign capital", "Three Category 500",
                          "Project code", "Remarks"]) == {
        0: None, 1: "name", 2: "investor", 3: "investment_wan", 4: "county", 5: "sector",
        6: "stage", 7: "stage_dates.signed", 8: "stage_dates.started",
        9: "stage_dates.producing", 10: "owner", 11: "team", 12: "foreign_invested",
        13: "foreign_capital_usd_wan", 14: "three500", 15: "code", 16: "description"}
    assert guess_mapping(["项目名称", "签约企业", "投资额(亿元)", "县（市、区）", "竣工投产时间",
                          "项目编号", "签约日期（实际）", "计划开工时间", "实际利用外资"]) == {
        0: "name", 1: "investor", 2: "investment_wan", 3: "county",
        4: "stage_dates.producing", 5: "code", 6: "stage_dates.signed", 7: None, 8: None}


def test_a_field_goes_to_the_column_that_names_it_most_plainly():
    # 推进情况 is often free text: 项目阶段 names the stage more plainly, wherever it stands.
    assert guess_mapping(["项目名称", "推进情况", "项目阶段"]) == {
        0: "name", 1: None, 2: "stage"}
    assert guess_mapping(["项目名称", "项目名称"]) == {0: "name", 1: None}


def test_a_second_header_row_under_merged_group_titles(zh):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["某县重点项目推进表"])
    sheet.append(["序号", "项目名称", "投资情况", None, "时间节点", None])
    sheet.append([None, None, "总投资（亿元）", "合同外资（万美元）", "签约时间", "开工时间"])
    sheet.append([1, "甲", 1.2, 500, "2025.1.2", "2025.6.1"])
    for cells in ("A1:F1", "A2:A3", "B2:B3", "C2:D2", "E2:F2"):
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    ledger = read_ledger(out.getvalue())
    assert ledger.header_row == 2
    assert [(column.header, column.field) for column in ledger.columns] == [
        ("序号", None), ("项目名称", "name"), ("总投资（亿元）", "investment_wan"),
        ("合同外资（万美元）", "foreign_capital_usd_wan"), ("签约时间", "stage_dates.signed"),
        ("开工时间", "stage_dates.started")]
    assert [(row.number, row.values) for row in ledger.rows] == [(4, {
        "name": "甲", "investment_wan": 12_000, "foreign_capital_usd_wan": 500,
        "stage_dates.signed": date(2025, 1, 2), "stage_dates.started": date(2025, 6, 1)})]


def test_a_second_header_row_below_a_header_that_names_two_columns(zh):
    rows = [["项目名称", "投资方", "时间节点", None], [None, None, "签约时间", "开工时间"],
            ["甲", "甲公司", "2025.1.2", None]]
    ledger = read_ledger(workbook_bytes(rows))
    assert (ledger.header_row, ledger.mapping) == (1, {
        0: "name", 1: "investor", 2: "stage_dates.signed", 3: "stage_dates.started"})
    assert [row.number for row in ledger.rows] == [3]


def test_the_sheet_the_workbook_opens_on_is_read_first(zh):
    workbook = openpyxl.Workbook()
    workbook.active.append(["项目名称", "总投资"])
    workbook.active.append(["旧表的项目", 1])
    current = workbook.create_sheet("2025年")
    current.append(["项目名称", "总投资"])
    current.append(["今年的项目", 2])
    workbook.active = 1
    out = io.BytesIO()
    workbook.save(out)
    ledger = read_ledger(out.getvalue())
    assert (ledger.sheet_name, ledger.rows[0].values["name"]) == ("2025年", "今年的项目")


def test_the_unit_of_a_title_row_counts_for_amount_columns_that_name_none(zh):
    rows = [["项目名称", "总投资"], ["甲", 2.5]]
    ledger = read_ledger(workbook_bytes(rows, titles=["某县台账", "单位：亿元"], width=2))
    assert ledger.rows[0].values == {"name": "甲", "investment_wan": 25_000}
    assert ledger.columns[1].scale == 10_000
    plain = read_ledger(workbook_bytes(rows, titles=["某县台账"], width=2))
    assert plain.rows[0].values["investment_wan"] == 3  # 万元, the record's unit, rounded


def test_the_person_may_change_what_a_column_holds(zh):
    sheet = load_sheet(wan_ledger())
    ledger = parse_sheet(sheet, {1: "name", 6: "description"})
    assert ledger.errors == []
    assert ledger.rows[0].values == {"name": "甲项目", "description": "洽谈"}
    assert ledger.mapping[3] is None
    assert set(LEDGER_FIELDS) >= {"name", "investment_wan", "stage", "code"}
    assert str(LEDGER_FIELDS["code"]) == "项目编码"
    with pytest.raises(Exception) as refused:
        parse_sheet(sheet, {1: "password"})
    assert refused.value.message == "未知字段：password"


def test_a_section_heading_and_a_row_numbered_but_empty_are_skipped(zh):
    rows = [["序号", "项目名称", "总投资（万元）"], [None, "一、工业项目", None], [1, "甲", 5],
            [2, None, None], [None, "（二）文旅项目", None], [3, "乙", 6],
            [4, "小计算机产业园", 7], [None, "小计（2个）", 13], ["总计", None, 20]]
    ledger = read_ledger(workbook_bytes(rows))
    assert [(row.number, row.values["name"]) for row in ledger.rows] == [
        (3, "甲"), (6, "乙"), (7, "小计算机产业园")]


def test_a_county_merged_down_a_block_of_rows_is_each_rows_county(zh):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "所属县市区", "专班", "备注"])
    sheet.append(["甲", "鹤城区", "一组", "合并"])
    sheet.append(["乙", None, None, None])
    sheet.append(["丙", None, "二组", None])
    sheet.append(["丁", "芷江县", None, None])
    sheet.merge_cells("B2:B4")  # one county for three projects
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("D2:E2")  # across, not down: the next column gets nothing
    out = io.BytesIO()
    workbook.save(out)
    ledger = read_ledger(out.getvalue())
    assert [row.values for row in ledger.rows] == [
        {"name": "甲", "county": "鹤城区", "team": "一组", "description": "合并"},
        {"name": "乙", "county": "鹤城区", "team": "一组"},
        {"name": "丙", "county": "鹤城区", "team": "二组"},
        {"name": "丁", "county": "芷江县"}]


def test_an_excel_error_an_amount_in_yuan_and_a_field_chosen_twice(zh):
    rows = [["项目名称", "总投资", "签约时间"], ["甲", "#DIV/0!", "#N/A"],
            ["乙", "5000000元", None]]
    sheet = load_sheet(workbook_bytes(rows))
    ledger = parse_sheet(sheet)
    assert [str(error) for error in ledger.errors] == [
        "第2行“总投资”：该单元格显示 Excel 错误（#DIV/0!）：请在工作簿中更正。",
        "第2行“签约时间”：该单元格显示 Excel 错误（#N/A）：请在工作簿中更正。"]
    assert ledger.rows[1].values["investment_wan"] == 500
    with pytest.raises(Exception) as refused:
        parse_sheet(sheet, {0: "name", 1: "name"})
    assert refused.value.message == "只能有一列对应“项目名称”。"


# --- CSV ---------------------------------------------------------------------------------------

CSV_TEXT = ("鹤城县项目台账,,,\r\n"
            "项目名称,总投资（亿元）,签约时间,项目阶段\r\n"
            "鹤城电池项目,\"1,200\",2025年3月5日,已签约\r\n"
            ",,,\r\n"
            "芷江文旅,0.5,2025.3.6,在谈\r\n"
            "合计,\"1,200.5\",,\r\n")


@pytest.mark.parametrize(("encoding", "named"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_a_csv_in_utf8_with_or_without_bom_or_in_gb18030(zh, encoding, named):
    ledger = read_ledger(CSV_TEXT.encode(encoding))
    assert (ledger.kind, ledger.encoding, ledger.header_row) == ("csv", named, 2)
    assert [(row.number, row.values) for row in ledger.rows] == [
        (3, {"name": "鹤城电池项目", "investment_wan": 12_000_000,
             "stage_dates.signed": date(2025, 3, 5), "stage": "signed"}),
        (5, {"name": "芷江文旅", "investment_wan": 5000,
             "stage_dates.signed": date(2025, 3, 6), "stage": "negotiating"})]


def test_a_csv_read_from_a_stream(zh):
    ledger = read_ledger(io.BytesIO(CSV_TEXT.encode("gb18030")))
    assert len(ledger.rows) == 2


def test_a_csv_row_is_one_row_however_many_lines_its_cells_hold(zh):
    text = "项目名称,备注,签约时间\n甲,\"第一行\n第二行\",2025/3/5\n乙,,2025年3月32日\n"
    ledger = read_ledger(text.encode())
    assert ledger.rows[0].values["description"] == "第一行\n第二行"
    assert [str(error) for error in ledger.errors] == [
        "第3行“签约时间”：日历上没有这一天。"]


# --- bad files ---------------------------------------------------------------------------------

def refusal(data) -> UnreadableLedger:
    with pytest.raises(UnreadableLedger) as refused:
        read_ledger(data)
    return refused.value


NOT_A_SPREADSHEET = "该文件不是电子表格：请上传 Excel 工作簿（.xlsx）或 CSV 文件。"


def test_random_bytes_are_not_a_spreadsheet(zh):
    noise = random.Random(12).randbytes(4096)
    error = refusal(noise)
    assert (error.reason, error.message) == ("not_a_spreadsheet", NOT_A_SPREADSHEET)
    assert error.status == 422
    assert error.fields == {"file": NOT_A_SPREADSHEET}
    assert refusal(b"\x89PNG\r\n\x1a\n" + bytes(100)).reason == "not_a_spreadsheet"


def test_an_ole2_file_is_an_encrypted_workbook_or_an_old_xls(zh):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    encrypted = refusal(ole2 + "EncryptionInfo".encode("utf-16-le") + bytes(64))
    assert (encrypted.reason, encrypted.message) == (
        "encrypted", "该工作簿设有密码保护：请另存一份不带密码的副本后再上传。")
    old = refusal(ole2)
    assert (old.reason, old.message) == (
        "old_excel", "这是旧版 Excel 文件（.xls）：请另存为 Excel 工作簿（.xlsx）后再上传。")


def test_a_zip_that_is_no_workbook_is_damaged(zh):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    error = refusal(out.getvalue())
    assert (error.reason, error.message) == ("damaged", "无法打开该工作簿：文件可能已损坏，或不是 "
                                             "Excel 工作簿。请在 Excel 中重新另存为 .xlsx。")
    assert refusal(yi_ledger()[:3000]).reason == "damaged"  # cut short


def test_a_sheet_without_a_header(zh):
    rows = [["某县工作总结"], ["今年招商引资工作取得新进展"], ["项目名称"], [1, 2, 3]]
    error = refusal(workbook_bytes(rows))
    assert (error.reason, error.message) == ("no_header", "找不到表头行：前 30 行中没有一行包含两个"
                                             "可识别的列名（如“项目名称”和“总投资”）。")
    assert refusal("这只是一段文字\n没有表头\n".encode()).reason == "no_header"


def test_a_file_over_the_limit(zh):
    message = "文件超过 20 MB：请将台账拆分成较小的文件。"
    error = refusal(b"x" * (LEDGER_MAX_BYTES + 1))
    assert (error.reason, error.message) == ("too_large", message)
    assert refusal(io.BytesIO(b"x" * (LEDGER_MAX_BYTES + 1))).message == message


def test_an_empty_file(zh):
    assert refusal(b"").message == "文件是空的。"


def test_a_formula_never_calculated_is_refused_in_its_cell(zh):
    rows = [["项目名称", "总投资（万元）", "签约时间"], ["甲", "=100*2", "2025-03-05"],
            ["乙", 300, "=DATE(2025,3,5)"], ["合计", "=SUM(B2:B3)", None]]
    ledger = read_ledger(workbook_bytes(rows))
    message = "该单元格是从未计算过的公式：请用 Excel 打开文件并保存，或将公式粘贴为数值。"
    assert [str(error) for error in ledger.errors] == [
        f"第2行“总投资（万元）”：{message}", f"第3行“签约时间”：{message}"]
    assert ledger.rows[0].values == {"name": "甲", "stage_dates.signed": date(2025, 3, 5)}


def test_a_formula_excel_calculated_gives_its_result(zh):
    rows = [["项目名称", "总投资（亿元）"], ["甲", "=1+1"]]
    data = workbook_bytes(rows)
    # What Excel saves: the formula and its last result.
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>1+1</f><v></v>" in content or b"<f>1+1</f><v />" in content
                content = content.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
                content = content.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
            target.writestr(item, content)
    ledger = read_ledger(out.getvalue())
    assert ledger.errors == []
    assert ledger.rows[0].values == {"name": "甲", "investment_wan": 20_000}


# --- a large ledger ----------------------------------------------------------------------------

def test_ten_thousand_rows_parse_in_seconds(zh, capsys):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["鹤城县项目台账"])
    sheet.append(HEADER)
    for i in range(10_000):
        sheet.append([i + 1, f"项目{i}", f"公司{i}", 1.5, "鹤城区", "工业", "已签约",
                      datetime(2025, 3, 5), "2025年4月8日", None, "否", None, "否",
                      f"HC-{i:05d}", "备注", "张三", "一组"])
    sheet.append(["合计", None, None, 15_000])
    out = io.BytesIO()
    workbook.save(out)
    started = time.perf_counter()
    ledger = read_ledger(out.getvalue())
    elapsed = time.perf_counter() - started
    assert len(ledger.rows) == 10_000 and ledger.errors == []
    assert ledger.rows[-1].number == 10_002
    assert ledger.rows[-1].values["investment_wan"] == 15_000
    with capsys.disabled():
        print(f"\n10,000-row ledger ({len(out.getvalue()):,} bytes) read in {elapsed:.2f} s")
