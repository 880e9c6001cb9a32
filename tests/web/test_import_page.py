"""The import page (/board/import): upload a ledger, confirm or change its columns, see the
preview, confirm, and the projects are on the board; every bad file and every bad step is
refused with a clear message and changes nothing; the template reads back as it is."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select

from tests.helpers import snapshot
from wallchart.core.models import Project
from wallchart.extensions import db
from wallchart.services.ledger import LEDGER_FIELDS, LEDGER_MAX_BYTES, read_ledger

HEADER = "项目名称,投资方,总投资（亿元）,县市区,产业类别,项目阶段,签约时间,备注\n"
SIGNED = HEADER + "智能装备产业园,远桥智造有限公司,12,鹤城区,工业,已签约,2025年3月18日,一期\n" \
    "冷链物流园,湘西物流集团,0.8,中方县,现代服务业,在谈,,\n"


def upload(client, content: bytes, name: str = "台账.csv", **headers):
    return client.post("/board/import", headers=headers,
                       data={"ledger": (io.BytesIO(content), name)})


def token_of(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return re.fullmatch(r".*/board/import/([\w-]+)", response.headers["Location"]).group(1)


def selects(html: str) -> dict[str, str]:
    """Each column's select and the field preselected in it ("" for not imported)."""
    found = {}
    for name, body in re.findall(r'<select name="(column-\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def mapping_of(client, token: str) -> dict[str, str]:
    response = client.get(f"/board/import/{token}")
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return selects(response.get_data(as_text=True))


def counts(html: str) -> dict[str, int]:
    return {key: int(value) for key, value in
            re.findall(r'data-count="(\w+)"[^>]*><strong>(\d+)</strong>', html)}


def projects(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Project.name, Project.stage, Project.investment_wan, Project.signed_on,
                   Project.description).order_by(Project.id))]


def uploads_of(app) -> list[Path]:
    root = Path(app.instance_path) / "imports"
    return sorted(root.iterdir()) if root.is_dir() else []


def test_a_ledger_goes_through_every_step_and_a_second_import_changes_nothing(
        app, clients, counties):
    lead = clients["lead"]
    page = lead.get("/board/import")
    assert page.status_code == 200
    assert "导入台账" in page.get_data(as_text=True)
    token = token_of(upload(lead, SIGNED.encode()))
    chosen = mapping_of(lead, token)
    assert list(chosen.values()) == ["name", "investor", "investment_wan", "county", "sector",
                                     "stage", "stage_dates.signed", "description"]
    before = snapshot(app)
    preview = lead.post(f"/board/import/{token}/preview", data=chosen)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[:800]
    assert counts(html) == {"create": 2, "update": 0, "unchanged": 0, "refused": 0}
    assert "智能装备产业园" in html and "12 亿元" in html
    assert snapshot(app) == before  # a preview writes nothing
    done = lead.post(f"/board/import/{token}/apply", data=chosen)
    html = done.get_data(as_text=True)
    assert done.status_code == 200, html[:800]
    assert "已导入" in html and "新建的项目" in html and "创建时间" not in html
    assert projects(app) == [
        ("智能装备产业园", "signed", 120_000, date(2025, 3, 18), "一期"),
        ("冷链物流园", "negotiating", 8_000, None, "")]
    assert uploads_of(app) == []  # the upload is gone once imported
    with app.app_context():
        ids = db.session.execute(select(Project.id).order_by(Project.id)).scalars().all()
    assert all(f"/board/projects/{i}" in html for i in ids)
    # The same ledger again: nothing to do, nothing written.
    before = snapshot(app)
    token = token_of(upload(lead, SIGNED.encode()))
    again = lead.post(f"/board/import/{token}/preview", data=mapping_of(lead, token))
    assert counts(again.get_data(as_text=True)) == {
        "create": 0, "update": 0, "unchanged": 2, "refused": 0}
    assert "没有需要导入的内容" in again.get_data(as_text=True)
    applied = lead.post(f"/board/import/{token}/apply", data=mapping_of(lead, token))
    assert applied.status_code == 200
    assert "没有需要导入的内容" in applied.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_changed_column_is_read_as_chosen_and_a_corrected_ledger_updates(
        app, clients, counties):
    lead = clients["lead"]
    token = token_of(upload(lead, SIGNED.encode()))
    chosen = mapping_of(lead, token)
    chosen["column-7"] = ""  # 备注 not imported
    lead.post(f"/board/import/{token}/apply", data=chosen)
    assert [row[4] or None for row in projects(app)] == [None, None]
    corrected = SIGNED.replace(",12,", ",15,")
    token = token_of(upload(lead, corrected.encode()))
    preview = lead.post(f"/board/import/{token}/preview", data=mapping_of(lead, token))
    html = preview.get_data(as_text=True)
    # The first row's amount and its 备注 (now imported) change; the second has none.
    assert counts(html) == {"create": 0, "update": 1, "unchanged": 1, "refused": 0}
    assert "12 亿元 → 15 亿元" in html and "说明：— → 一期" in html
    lead.post(f"/board/import/{token}/apply", data=mapping_of(lead, token))
    assert projects(app)[0][2] == 150_000


def test_refused_rows_are_listed_with_row_and_column_and_nothing_is_written(
        app, clients, counties):
    lead = clients["lead"]
    ledger = SIGNED + "光伏组件生产线,阳光晨曦新能源有限公司,3,不存在县,工业,在谈,,\n"
    token = token_of(upload(lead, ledger.encode()))
    chosen = mapping_of(lead, token)
    before = snapshot(app)
    html = lead.post(f"/board/import/{token}/preview", data=chosen).get_data(as_text=True)
    assert counts(html)["refused"] == 1
    assert "第4行“县市区”" in html
    assert "导入：新建" not in html  # no confirmation while a row is refused
    refused = lead.post(f"/board/import/{token}/apply", data=chosen)
    assert refused.status_code == 422
    assert "未导入任何内容" in refused.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_duplicate_of_a_project_on_record_is_flagged_and_may_be_imported_anyway(
        app, clients, counties, make_project):
    make_project("智能装备产业园", investor="远桥智造有限公司", team="一组")
    lead = clients["lead"]
    token = token_of(upload(lead, (HEADER + "智能装备产业园（一期）,远桥智造有限公司,12,鹤城区,"
                                   "工业,在谈,,\n").encode()))
    chosen = mapping_of(lead, token)
    html = lead.post(f"/board/import/{token}/preview", data=chosen).get_data(as_text=True)
    assert counts(html)["refused"] == 1
    assert "可能重复" in html and 'name="allow_duplicates"' in html
    anyway = {**chosen, "allow_duplicates": "1"}
    html = lead.post(f"/board/import/{token}/preview", data=anyway).get_data(as_text=True)
    assert counts(html) == {"create": 1, "update": 0, "unchanged": 0, "refused": 0}
    assert lead.post(f"/board/import/{token}/apply", data=anyway).status_code == 200
    assert len(projects(app)) == 2


def test_a_row_like_a_row_above_it_is_flagged_and_may_be_imported_anyway(app, clients, counties):
    """The same project twice in one ledger: the second row is flagged as the rows like a
    project on record are, and the same choice lets both in."""
    lead = clients["lead"]
    rows = ("智能装备产业园,远桥智造有限公司,12,鹤城区,工业,在谈,,\n"
            "智能装备产业园（一期）,远桥智造有限公司,12,鹤城区,工业,在谈,,\n")
    token = token_of(upload(lead, (HEADER + rows).encode()))
    chosen = mapping_of(lead, token)
    html = lead.post(f"/board/import/{token}/preview", data=chosen).get_data(as_text=True)
    assert counts(html) == {"create": 1, "update": 0, "unchanged": 0, "refused": 1}
    assert "可能重复" in html and "与已有项目或上面的行相似" in html
    anyway = {**chosen, "allow_duplicates": "1"}
    assert lead.post(f"/board/import/{token}/apply", data=anyway).status_code == 200
    assert len(projects(app)) == 2


def workbook_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypted_workbook() -> bytes:
    """An OLE2 container holding ``EncryptionInfo``: how Excel stores a workbook with a password."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + \
        "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "photo.png", "该文件不是电子表格"),
    (encrypted_workbook(), "台账.xlsx", "密码"),
    ("标题\n甲,乙,丙\n1,2,3\n".encode(), "台账.csv", "找不到表头行"),
    (b"", "empty.csv", "文件是空的"),
    (workbook_bytes([["项目名称", "投资方", "总投资（万元）"], ["甲项目", "甲公司", "=1+1"]]),
     "formula.xlsx", None),
])
def test_a_bad_file_is_refused_on_the_page_and_nothing_is_kept(
        app, clients, counties, content, name, message):
    lead = clients["lead"]
    before = snapshot(app)
    response = upload(lead, content, name)
    html = response.get_data(as_text=True)
    if message is None:  # a formula without a saved result: refused at its cell, in the preview
        token = token_of(response)
        html = lead.post(f"/board/import/{token}/preview",
                         data=mapping_of(lead, token)).get_data(as_text=True)
        assert counts(html)["refused"] == 1
        assert "第2行“总投资（万元）”" in html and "公式" in html
    else:
        assert response.status_code == 422, html[:500]
        assert message in html
        assert uploads_of(app) == []
    assert snapshot(app) == before


def test_a_file_over_the_limit_is_refused_with_its_message(app, clients, counties):
    lead = clients["lead"]
    big = upload(lead, SIGNED.encode() + b"x" * LEDGER_MAX_BYTES, "big.csv")
    assert big.status_code == 422
    assert "文件超过 20 MB" in big.get_data(as_text=True)
    huge = upload(lead, b"x" * (LEDGER_MAX_BYTES + 200 * 1024), "huge.csv")
    assert huge.status_code == 422
    assert "文件超过 20 MB" in huge.get_data(as_text=True)
    assert uploads_of(app) == []


def test_no_file_is_refused(app, clients):
    response = clients["lead"].post("/board/import", data={})
    assert response.status_code == 422
    assert "请选择要导入的台账文件" in response.get_data(as_text=True)


@pytest.mark.parametrize(("change", "message"), [
    ({"column-1": "password_hash"}, "未知字段"),
    ({"column-1": "name"}, "只能有一列"),
])
def test_a_bad_mapping_is_refused_at_its_column(app, clients, counties, change, message):
    lead = clients["lead"]
    token = token_of(upload(lead, SIGNED.encode()))
    chosen = {**mapping_of(lead, token), **change}
    before = snapshot(app)
    for step in ("preview", "apply"):
        response = lead.post(f"/board/import/{token}/{step}", data=chosen)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, html[:500]
        assert message in html and 'aria-invalid="true"' in html
    assert snapshot(app) == before


def test_an_upload_is_its_uploaders_alone_and_expires(app, clients, counties):
    token = token_of(upload(clients["lead"], SIGNED.encode()))
    admin = clients["admin"]
    for response in (admin.get(f"/board/import/{token}"),
                     admin.get(f"/board/import/{token}/progress"),
                     admin.post(f"/board/import/{token}/apply", data={"column-0": "name"})):
        assert response.status_code == 404
        assert "上传的台账已不在" in response.get_data(as_text=True)
    for bad in ("not-a-token", "../../etc", "A" * 22):
        assert clients["lead"].get(f"/board/import/{bad}").status_code == 404
    [folder] = uploads_of(app)
    owner = json.loads((folder / "owner.json").read_text())
    (folder / "owner.json").write_text(json.dumps({**owner, "at": time.time() - 3601}))
    assert clients["lead"].get(f"/board/import/{token}").status_code == 404
    token_of(upload(clients["lead"], SIGNED.encode()))  # a new upload sweeps the old
    assert folder not in uploads_of(app)


def test_progress_is_reported_beside_the_upload(app, clients, counties):
    lead = clients["lead"]
    token = token_of(upload(lead, SIGNED.encode()))
    assert lead.get(f"/board/import/{token}/progress").get_json()["phase"] == "waiting"
    mapping_of(lead, token)
    assert lead.get(f"/board/import/{token}/progress").get_json()["phase"] == "reading"
    lead.post(f"/board/import/{token}/preview", data=mapping_of(lead, token))
    assert lead.get(f"/board/import/{token}/progress").get_json() == {
        "phase": "done", "done": 0, "total": 0}


def test_the_page_scripts_upload_gets_the_next_step_as_json(app, clients, counties):
    response = upload(clients["lead"], SIGNED.encode(), Accept="application/json")
    assert response.status_code == 201
    assert re.fullmatch(r"/board/import/[\w-]{22}", response.get_json()["location"])


def test_every_post_needs_the_csrf_token(app, clients, counties):
    lead = clients["lead"]
    token = token_of(upload(lead, SIGNED.encode()))
    chosen = mapping_of(lead, token)
    before = snapshot(app)
    for url, data in (("/board/import", {"ledger": (io.BytesIO(SIGNED.encode()), "a.csv")}),
                      (f"/board/import/{token}/preview", chosen),
                      (f"/board/import/{token}/apply", chosen)):
        response = lead.client.post(url, data=data)
        assert response.status_code == 400, url
    assert snapshot(app) == before
    assert len(uploads_of(app)) == 1


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_and_viewers_may_not_import(app, clients, who):
    for response in (clients[who].get("/board/import"),
                     clients[who].get("/board/import/template.xlsx"),
                     upload(clients[who], SIGNED.encode())):
        assert response.status_code == 403
    assert uploads_of(app) == []


def test_the_board_menu_links_the_import_for_leads_only(clients):
    assert "/board/import" in clients["lead"].get("/board").get_data(as_text=True)
    assert "/board/import" not in clients["member"].get("/board").get_data(as_text=True)


def test_the_template_has_every_field_lists_and_an_example_that_reads_back(
        app, clients, counties):
    response = clients["lead"].get("/board/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith(
        "filename*=UTF-8''" + quote("台账导入模板.xlsx"))  # named in the reader's language
    with app.test_request_context():
        ledger = read_ledger(response.data)
    assert [column.field for column in ledger.columns] == list(LEDGER_FIELDS)
    [row] = ledger.rows
    assert row.errors == []
    assert row.values["county"] == "鹤城区" and row.values["stage"] == "negotiating"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[2]]
    assert "投资额（万元）" in headers and "用地面积（亩）" in headers
    lists = {str(validation.sqref).split(":")[0][:-1]: validation.formula1
             for validation in sheet.data_validations.dataValidation}
    stage = openpyxl.utils.get_column_letter(headers.index("阶段") + 1)
    assert stage in lists
    allowed = book.worksheets[1]
    assert {"在谈", "已签约"} <= {cell.value for column in allowed.iter_cols()
                                 for cell in column}
    assert "万元" in sheet.cell(2, headers.index("投资额（万元）") + 1).comment.text
    # The example imports as it is (a county that keeps it gets one example project).
    lead = clients["lead"]
    token = token_of(upload(lead, response.data, "模板.xlsx"))
    html = lead.post(f"/board/import/{token}/preview",
                     data=mapping_of(lead, token)).get_data(as_text=True)
    assert counts(html)["create"] == 1, html[:3000]


def test_a_long_preview_and_result_list_their_first_rows_and_count_them_all(app, clients, counties,
                                                                 monkeypatch):
    from wallchart.web import imports as page

    monkeypatch.setattr(page, "LISTED_ROWS", 1)
    lead = clients["lead"]
    token = token_of(upload(lead, SIGNED.encode()))
    html = lead.post(f"/board/import/{token}/preview",
                     data=mapping_of(lead, token)).get_data(as_text=True)
    assert counts(html)["create"] == 2
    assert "智能装备产业园" in html and "冷链物流园" not in html
    assert "仅列出前 1 行（共 2 行）" in html
    # The result too: a 10,000-row ledger's would be 10,000 buttons for the browser to wire.
    done = lead.post(f"/board/import/{token}/apply",
                     data=mapping_of(lead, token)).get_data(as_text=True)
    assert "新建 2 个" in done and "仅列出前 1 行（共 2 行）" in done
    assert "智能装备产业园" in done and "冷链物流园" not in done
