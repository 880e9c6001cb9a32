"""``POST /api/imports``: a script brings a county's ledger in (multipart ``file``, ``dry_run``,
``team``); the plan comes back, everything or nothing is written, and every bad request is a
clear 4xx that changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.helpers import TEAM, snapshot
from wallchart.core.models import Project
from wallchart.extensions import db

SIGNED = "项目名称,投资方,总投资（亿元）,县市区,产业类别,项目阶段,签约时间\n" \
         "智能装备产业园,远桥智造有限公司,12,鹤城区,工业,已签约,2025年3月18日\n"


def post(client, content: bytes | None, name: str = "台账.csv", **form: str):
    data: dict = dict(form)
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return client.post("/api/imports", data=data)


def projects(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Project.name, Project.stage, Project.investment_wan, Project.signed_on))]


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(app, clients, counties):
    before = snapshot(app)
    response = post(clients["lead"], SIGNED.encode(), dry_run="1", team=TEAM)
    assert response.status_code == 200, response.get_json()
    plan = response.get_json()
    assert plan["written"] is False
    assert plan["counts"] == {"create": 1, "update": 0, "unchanged": 0, "refused": 0}
    assert [column["field"] for column in plan["columns"]] == [
        "name", "investor", "investment_wan", "county", "sector", "stage", "stage_dates.signed"]
    assert [(row["row"], row["action"], row["name"]) for row in plan["rows"]] == [
        (2, "create", "智能装备产业园")]
    assert snapshot(app) == before


def test_an_import_writes_the_ledger_once(app, clients, counties):
    from datetime import date

    response = post(clients["lead"], SIGNED.encode(), team=TEAM)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["written"] is True
    assert projects(app) == [("智能装备产业园", "signed", 120_000, date(2025, 3, 18))]
    before = snapshot(app)
    again = post(clients["lead"], SIGNED.encode(), team=TEAM).get_json()
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 1, "refused": 0}
    assert again["written"] is False
    assert snapshot(app) == before


def test_a_refused_row_refuses_the_whole_ledger_naming_row_and_column(app, clients, counties):
    ledger = SIGNED + "光伏组件生产线,阳光晨曦新能源有限公司,3,不存在县,工业,在谈,\n"
    before = snapshot(app)
    response = post(clients["lead"], ledger.encode(), team=TEAM)
    assert response.status_code == 422
    plan = response.get_json()
    assert plan["written"] is False
    assert plan["counts"]["refused"] == 1
    [refused] = [row for row in plan["rows"] if row["action"] == "refused"]
    assert refused["row"] == 3
    assert any(reason.startswith("第3行“县市区”") for reason in refused["reasons"]), refused
    assert snapshot(app) == before


@pytest.mark.parametrize(("form", "content", "field", "message"), [
    ({}, None, "file", "请选择要导入的台账文件。"),
    ({"dry_run": "maybe"}, SIGNED.encode(), "dry_run", None),
    ({"owner": "lead"}, SIGNED.encode(), "owner", None),
    ({}, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file", None),
    ({}, b"", "file", "文件是空的。"),
])
def test_bad_requests_are_refused_at_their_field_and_change_nothing(app, clients, counties, form,
                                                                      content, field, message):
    before = snapshot(app)
    response = post(clients["lead"], content, **form)
    assert response.status_code == 422, response.get_data(as_text=True)
    fields = response.get_json()["fields"]
    assert field in fields
    if message:
        assert fields[field] == message
    assert snapshot(app) == before


def test_a_ledger_larger_than_a_form_may_be_is_read(app, clients, counties):
    """The app takes 1 MB a request; a ledger may be larger (blank rows here, skipped)."""
    padded = SIGNED + ",,,,,,\n" * 300_000
    assert len(padded.encode()) > 2 * 1024 * 1024
    response = post(clients["lead"], padded.encode(), dry_run="true", team=TEAM)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["counts"]["create"] == 1


def test_only_leads_and_administrators_import(app, clients, counties):
    before = snapshot(app)
    response = post(clients["member"], SIGNED.encode(), team=TEAM)
    assert response.status_code == 403
    assert snapshot(app) == before
