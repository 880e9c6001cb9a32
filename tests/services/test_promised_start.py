"""The start of construction the agreement promised (协议约定开工日期): a field of the record for
signed projects, never before the signing; read from a ledger by the names bureaus give it and
written to the exported ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from tests.helpers import actor, all_rows
from tests.services.test_imports import ledger
from wallchart.core.errors import Invalid
from wallchart.core.models import Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import FIELD_LABELS
from wallchart.extensions import db
from wallchart.reports import ledger as exported
from wallchart.services import imports, projects
from wallchart.services.ledger.headers import guess_mapping

SIGNED = today() - timedelta(days=40)


@pytest.fixture
def signed(make_project) -> dict:
    return make_project("签约项目", stage="signed", stage_dates={"signed": SIGNED.isoformat()})


def _set(app, project: dict, value, who: str = "member") -> Project:
    with app.test_request_context():
        return projects.update_project(actor(who), project["id"], {
            "promised_start_on": value, "version": project["version"]})


def test_a_member_records_the_promise_on_a_signed_project_in_its_history(app, signed):
    promised = SIGNED + timedelta(days=90)
    saved = _set(app, signed, promised.isoformat())
    assert saved.promised_start_on == promised
    with app.app_context():
        event = db.session.query(ProjectEvent).filter_by(project_id=signed["id"]).order_by(
            ProjectEvent.id.desc()).first()
        assert event.changes == {"promised_start_on": [None, promised.isoformat()]}


def test_the_signing_day_itself_may_be_promised_and_the_promise_cleared(app, signed):
    assert _set(app, signed, SIGNED.isoformat()).promised_start_on == SIGNED
    signed["version"] += 1
    assert _set(app, signed, "").promised_start_on is None


@pytest.mark.parametrize("value, message", [
    ((SIGNED - timedelta(days=1)).isoformat(),
     f"约定开工日期（{(SIGNED - timedelta(days=1)).isoformat()}）不能早于签约日期"),
    ("2026/07/01", "YYYY-MM-DD"),
    ("1999-12-31", "2000-01-01"),
    (20260701, "YYYY-MM-DD"),
])
def test_a_bad_promise_is_refused_at_its_field_in_chinese_and_changes_nothing(
        app, signed, value, message):
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
        projects.update_project(actor("member"), signed["id"], {
            "promised_start_on": value, "version": signed["version"]})
    assert message in refused.value.fields["promised_start_on"]
    assert all_rows(app) == before


def test_a_project_not_yet_signed_takes_no_promise(app, make_project):
    talking = make_project("在谈项目", stage="negotiating")
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
        projects.update_project(actor("member"), talking["id"], {
            "promised_start_on": today().isoformat(), "version": talking["version"]})
    assert refused.value.fields["promised_start_on"] == \
        "约定开工日期属于已签约项目：请先登记签约。"
    assert all_rows(app) == before


def test_a_promise_kept_through_a_move_back_is_no_refusal_of_later_edits(app, signed):
    _set(app, signed, (SIGNED + timedelta(days=10)).isoformat())
    with app.test_request_context():
        back = projects.move_project(actor("lead"), signed["id"], "negotiating",
                                     signed["version"] + 1, reason="签约未落实")
        edited = projects.update_project(actor("member"), signed["id"], {
            "investor": "另一家公司", "version": back.version})
        assert edited.promised_start_on == SIGNED + timedelta(days=10)


def test_ledgers_name_the_promise_in_their_own_words():
    assert guess_mapping(["项目名称", "约定开工时间", "开工时间", "承诺开工日期"]) == {
        0: "name", 1: "promised_start_on", 2: "stage_dates.started", 3: None}
    assert guess_mapping(["项目名称", "协议约定开工日期（年月日）"])[1] == "promised_start_on"
    assert guess_mapping(["Project name", "Promised start date"])[1] == "promised_start_on"


def test_an_import_sets_the_promise_and_refuses_one_before_the_signing(app, users, counties):
    headers = ["项目名称", "投资方", "总投资（万元）", "所属县市区", "项目阶段", "签约时间",
               "约定开工时间"]
    rows = [["甲项目", "甲公司", 10000, "鹤城区", "已签约", date(2025, 3, 18), date(2025, 9, 1)],
            ["乙项目", "乙公司", 10000, "鹤城区", "已签约", date(2025, 3, 18), date(2025, 1, 1)]]
    with app.test_request_context(), force_locale("zh"):
        refused = imports.apply(actor("lead"), ledger(rows, headers))
        assert (refused.written, refused.counts["refused"]) == (False, 1)
        assert "不能早于签约日期" in " ".join(refused.rows[1].reasons)
        plan = imports.apply(actor("lead"), ledger(rows[:1], headers))
        made = db.session.get(Project, plan.rows[0].project_id)
        assert made.promised_start_on == date(2025, 9, 1)


def test_the_exported_ledger_has_the_promise_after_the_plan(app, signed):
    _set(app, signed, (SIGNED + timedelta(days=60)).isoformat())
    with app.test_request_context(), force_locale("zh"):
        headers = exported.headers()
        column = headers.index("约定开工日期")
        assert headers[column - 1] == str(FIELD_LABELS["planned_on"])
        project = db.session.get(Project, signed["id"])
        assert exported.COLUMNS[column - 1][2](project) == SIGNED + timedelta(days=60)


def test_the_api_takes_the_promise_with_the_signing_and_refuses_it_in_talks(app, clients,
                                                                            counties):
    lead = clients["lead"]
    promised = (SIGNED + timedelta(days=20)).isoformat()
    made = lead.post("/api/projects", json={
        "name": "一次签约", "investment_wan": 10000, "stage": "signed",
        "stage_dates": {"signed": SIGNED.isoformat()}, "promised_start_on": promised})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["promised_start_on"] == promised
    talking = lead.post("/api/projects", json={"name": "在谈", "stage": "negotiating"}).get_json()
    before = all_rows(app)
    refused = lead.patch(f"/api/projects/{talking['id']}", json={
        "promised_start_on": promised, "version": talking["version"]})
    assert refused.status_code == 422
    assert "promised_start_on" in refused.get_json()["fields"]
    assert all_rows(app) == before
