"""The import page in the real browser: a lead uploads a real .xlsx ledger, changes one column's
meaning, sees the preview, confirms, and the projects are on the board; at a phone's width
(390 px) and at 1080p nothing overflows. Screenshots in test-artifacts/."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import assert_fits, wait_live
from tests.helpers import make_app

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZES = {"phone": (390, 844), "full-hd": (1920, 1080)}
HEADERS = ["序号", "项目名称", "投资方", "总投资（亿元）", "县市区", "产业类别", "项目阶段",
           "签约时间", "对接人"]
ROWS = [[1, "智能装备产业园", "远桥智造有限公司", 12, "鹤城区", "工业", "已签约", "2025年3月18日",
         "周经理"],
        [2, "冷链物流园", "湘西物流集团", 0.8, "中方县", "现代服务业", "在谈", None, "李主任"]]


@pytest.fixture
def database(live_server, monkeypatch):
    """The live server's database, with its counties; ``database.rows(...)`` reads it."""
    from wallchart.core.models import County
    from wallchart.extensions import db

    for key in ("WALLCHART_INSTANCE_PATH", "WALLCHART_DATABASE_URL"):
        monkeypatch.setenv(key, live_server.env[key])
    app = make_app()
    with app.app_context():
        db.session.add_all(County(name=name, sort_order=n)
                           for n, name in enumerate(["鹤城区", "中方县"]))
        db.session.commit()

    def rows(*columns):
        with app.app_context():
            found = [tuple(row) for row in db.session.execute(select(*columns)
                                                               .order_by(columns[0]))]
            db.engine.dispose()
            return found

    app.rows = rows
    return app


def ledger_file(folder: Path) -> Path:
    """A county's ledger as Excel writes it: a title row above the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["鹤城区招商引资项目台账"])
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    path = folder / "台账.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("size", SIZES)
def test_a_lead_imports_a_workbook_changing_one_column(live_server, database, open_board,
                                                       artifacts, tmp_path, size):
    from wallchart.core.models import Project

    width, height = SIZES[size]
    page = open_board("lead", viewport={"width": width, "height": height})
    menu = page.get_by_role("button", name="菜单")
    if menu.is_visible():
        menu.click()
    page.locator("summary", has_text="报表").click()
    page.get_by_role("link", name="导入台账").click()
    expect(page.get_by_role("heading", name="导入台账")).to_be_visible()
    assert_fits(page)
    page.set_input_files("input[type=file]", str(ledger_file(tmp_path)))
    page.get_by_role("button", name="上传").click()
    # The columns: 对接人 is not a name the bureaus' ledgers use; the lead says what it holds.
    chosen = page.locator('tr[data-column="I"] select')
    expect(chosen).to_have_value("")
    expect(page.locator('tr[data-column="B"] select')).to_have_value("name")
    expect(page.locator('tr[data-column="I"] .samples')).to_contain_text("周经理")
    chosen.select_option("contact_person")
    assert_fits(page)
    page.screenshot(path=str(artifacts / f"import-columns-{size}.png"), full_page=True)
    page.get_by_role("button", name="预览导入结果").click()
    expect(page.locator('[data-count="create"] strong')).to_have_text("2")
    expect(page.locator('[data-count="refused"] strong')).to_have_text("0")
    expect(page.locator('[data-rows="create"]')).to_contain_text("联系人：周经理")
    assert_fits(page)
    page.screenshot(path=str(artifacts / f"import-preview-{size}.png"), full_page=True)
    assert database.rows(Project.name) == []  # nothing written before the confirmation
    with page.expect_navigation():  # to its load: htmx makes the projects' names open panels
        page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".import-done")).to_contain_text("新建 2 个")
    assert_fits(page)
    page.screenshot(path=str(artifacts / f"import-done-{size}.png"), full_page=True)
    assert database.rows(Project.name, Project.stage, Project.investment_wan,
                         Project.contact_person) == [  # by name
        ("冷链物流园", "negotiating", 8_000, "李主任"),
        ("智能装备产业园", "signed", 120_000, "周经理")]
    # A project's name opens its panel; the board shows the cards.
    page.get_by_role("button", name="冷链物流园").click()
    expect(page.locator("#dialog")).to_contain_text("湘西物流集团")
    page.keyboard.press("Escape")
    page.get_by_role("link", name="返回看板").first.click()
    [signed_id] = [row[0] for row in database.rows(Project.id, Project.name)
                   if row[1] == "智能装备产业园"]
    card = page.locator(f'.card[data-project-id="{signed_id}"]')
    wait_live(page)  # the board's scripts are running (the tabs answer)
    if size == "phone":  # one stage at a time: the signed column's tab
        page.locator("#stage-tab-signed").click()
        expect(page.locator("#stage-tab-signed")).to_have_attribute("aria-selected", "true")
    expect(card).to_be_visible()



#: Kept across the navigation (the form's answer replaces the page): what the bar said, in turn.
RECORD_PROGRESS = """document.addEventListener("DOMContentLoaded", () => {
  const text = document.querySelector(".import-progress-text");
  if (text) new MutationObserver(() => sessionStorage.setItem("progress",
    (sessionStorage.getItem("progress") || "") + "|" + text.textContent))
    .observe(text, {childList: true});
});"""


def test_a_large_ledger_shows_its_rows_as_they_are_checked(live_server, database, open_board,
                                                           tmp_path):
    """The preview of 1,200 rows: while the request runs, the page polls the progress the
    import writes beside the upload, and the bar counts the rows (in thousands too: the count
    written "1,200" once broke the bar, and no count was shown)."""
    lines = ["项目名称,投资方,总投资（万元）,县市区,产业类别"]
    lines += [f"批量项目{n},批量投资{n}有限公司,{1000 + n},鹤城区,工业" for n in range(1200)]
    path = tmp_path / "大台账.csv"
    path.write_text("\n".join(lines), encoding="gb18030")
    page = open_board("lead", viewport={"width": 1280, "height": 800})
    page.add_init_script(RECORD_PROGRESS)
    page.goto(f"{live_server.url}/board/import")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传").click()
    expect(page.locator('tr[data-column="A"] select')).to_have_value("name")
    page.get_by_role("button", name="预览导入结果").click(no_wait_after=True)
    expect(page.locator('[data-count="create"] strong')).to_have_text("1200", timeout=120_000)
    said = page.evaluate("sessionStorage.getItem('progress')").split("|")
    assert "正在读取台账…" in said and any(text.startswith("已上传 ") for text in said), said
    counted = [text for text in said if re.fullmatch(r"已处理 [\d,]+ / 1,200 行", text)]
    # Seen as it ran: a count short of the whole (on a fast machine the page polls once or
    # twice before the answer comes).
    assert counted and counted[0] != "已处理 1,200 / 1,200 行", said


def test_a_file_that_is_no_ledger_is_refused_on_the_page(live_server, database, open_board,
                                                         tmp_path):
    from wallchart.core.models import Project

    path = tmp_path / "照片.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page = open_board("lead", viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/board/import")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".import-error")).to_contain_text("该文件不是电子表格")
    expect(page.get_by_role("button", name="上传")).to_be_enabled()
    assert page.url.endswith("/board/import")
    assert database.rows(Project.id) == []
    assert not (Path(live_server.env["WALLCHART_INSTANCE_PATH"]) / "imports").exists() or \
        not any((Path(live_server.env["WALLCHART_INSTANCE_PATH"]) / "imports").iterdir())
