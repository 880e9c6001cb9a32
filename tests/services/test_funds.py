"""Funds in place (资金到位): recording, correcting and removing receipts through the service —
every rule, every refusal changing nothing, each change in the project's history and announced."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import OTHER_TEAM, actor, all_rows
from wallchart.core.errors import Forbidden, Invalid, NotFound, ServiceError
from wallchart.core.models import FundReceipt, Project, ProjectEvent, Team
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import funds, projects
from wallchart.services.record import FOREIGN_CAPITAL_MAX_USD_WAN, INVESTMENT_MAX_WAN

SIGNED = today() - timedelta(days=30)


@pytest.fixture
def signed(make_project) -> dict:
    """A signed foreign-invested project of the member's team, agreed at 5亿元 and US$1000万."""
    return make_project("外资项目", stage="signed", stage_dates={"signed": SIGNED.isoformat()},
                        foreign_invested=True, foreign_capital_usd_wan=1000)


@pytest.fixture
def domestic(make_project) -> dict:
    return make_project("内资项目", stage="signed", stage_dates={"signed": SIGNED.isoformat()})


def receipt(**fields) -> dict:
    return {"date": today().isoformat(), "amount_wan": 20000, **fields}


def record(app, who: str, project_id: int, **fields) -> FundReceipt:
    with app.app_context():
        made = funds.record_receipt(actor(who), project_id, receipt(**fields))
        db.session.expunge(made)
        return made


def refused(app, call, who: str | None, *args) -> ServiceError:
    """Call a service as ``who`` would, expecting a refusal that changes nothing."""
    before = all_rows(app)
    with app.app_context(), pytest.raises(ServiceError) as caught:
        call(actor(who) if who else None, *args)
    assert all_rows(app) == before
    return caught.value


def version_of(project: dict) -> int:
    return db.session.get(Project, project["id"]).version


def history(app, project_id: int, action: str) -> list[ProjectEvent]:
    with app.app_context():
        found = list(db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == project_id, ProjectEvent.action == action)
            .order_by(ProjectEvent.id)).scalars())
        db.session.expunge_all()
        return found


# --- recording --------------------------------------------------------------------------------

def test_a_member_records_a_receipt_in_the_history_and_announced(app, signed, heard):
    made = record(app, "member", signed["id"], foreign_usd_wan=300, document="银收〔2026〕8号",
                  note="  首期注资  ")
    assert (made.amount_wan, made.foreign_usd_wan, made.document, made.note) == \
        (20000, 300, "银收〔2026〕8号", "首期注资")
    [event] = history(app, signed["id"], "funds_recorded")
    assert event.changes == {"receipt": made.id, "date": today().isoformat(), "amount_wan": 20000,
                             "foreign_usd_wan": 300, "document": "银收〔2026〕8号",
                             "note": "首期注资"}
    with app.app_context():
        assert event.user_id == actor("member").id
    assert [(h.project.id, h.action) for h in heard] == [(signed["id"], "funds_recorded")]
    assert heard[0].revision == event.revision


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_leads_and_admins_record_too(app, signed, who):
    assert record(app, who, signed["id"]).recorded_by_id is not None


def test_a_receipt_on_the_signing_day_and_without_foreign_part_or_text(app, domestic):
    made = record(app, "member", domestic["id"], date=SIGNED.isoformat(), foreign_usd_wan=None,
                  document="", note="")
    assert (made.received_on, made.foreign_usd_wan, made.document) == (SIGNED, None, "")


def test_the_foreign_part_may_equal_the_amount(app, signed):
    assert record(app, "member", signed["id"], amount_wan=700, foreign_usd_wan=700) \
        .foreign_usd_wan == 700


def test_receipts_beyond_the_agreed_investment_are_taken_and_rated_over_100(app, signed):
    record(app, "member", signed["id"], amount_wan=40000, foreign_usd_wan=800)
    record(app, "member", signed["id"], amount_wan=20000, foreign_usd_wan=400)
    with app.app_context():
        project = db.session.get(Project, signed["id"])
        summary = funds.in_place(project, funds.receipts_of(project.id))
    assert summary == funds.InPlace(60000, 1200, 120.0, 120.0)


BAD_FIELDS = [
    ({"date": None}, "date"),
    ({"date": ""}, "date"),
    ({"date": "2026/01/01"}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": 20260101}, "date"),
    ({"date": (today() + timedelta(days=1)).isoformat()}, "date"),
    ({"date": (SIGNED - timedelta(days=1)).isoformat()}, "date"),
    ({"amount_wan": 0}, "amount_wan"),
    ({"amount_wan": -5}, "amount_wan"),
    ({"amount_wan": None}, "amount_wan"),
    ({"amount_wan": "100"}, "amount_wan"),
    ({"amount_wan": 1.5}, "amount_wan"),
    ({"amount_wan": True}, "amount_wan"),
    ({"amount_wan": INVESTMENT_MAX_WAN + 1}, "amount_wan"),
    ({"foreign_usd_wan": 0}, "foreign_usd_wan"),
    ({"foreign_usd_wan": -1}, "foreign_usd_wan"),
    ({"foreign_usd_wan": "3"}, "foreign_usd_wan"),
    ({"foreign_usd_wan": 20001}, "foreign_usd_wan"),
    ({"amount_wan": INVESTMENT_MAX_WAN, "foreign_usd_wan": FOREIGN_CAPITAL_MAX_USD_WAN + 1},
     "foreign_usd_wan"),
    ({"document": "x" * 65}, "document"),
    ({"document": "a\nb"}, "document"),
    ({"document": 12}, "document"),
    ({"note": "x" * 2001}, "note"),
    ({"note": "bell\x07"}, "note"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_FIELDS)
def test_bad_fields_are_refused_at_their_field_in_chinese(app, signed, fields, field):
    error = refused(app, funds.record_receipt, "member", signed["id"], receipt(**fields))
    assert isinstance(error, Invalid) and set(error.fields) == {field}
    assert re.search(r"[\u4e00-\u9fff]", error.fields[field]), error.fields[field]


def test_every_fault_is_named_at_once(app, signed):
    error = refused(app, funds.record_receipt, "member", signed["id"],
                    {"date": "tomorrow", "amount_wan": -1, "note": 3})
    assert set(error.fields) == {"date", "amount_wan", "note"}


def test_unknown_fields_are_refused(app, signed):
    error = refused(app, funds.record_receipt, "member", signed["id"],
                    receipt(recorded_by_id=1))
    assert set(error.fields) == {"recorded_by_id"}


def test_foreign_capital_only_on_a_foreign_invested_project(app, domestic):
    error = refused(app, funds.record_receipt, "member", domestic["id"],
                    receipt(foreign_usd_wan=10))
    assert error.fields == {"foreign_usd_wan": "只有外资项目才能填写外资金额。"}


def test_a_project_not_yet_signed_takes_no_receipts(app, make_project):
    talking = make_project("洽谈中", stage="negotiating")
    error = refused(app, funds.record_receipt, "member", talking["id"], receipt())
    assert isinstance(error, Invalid) and "签约" in error.message


def test_a_withdrawn_project_takes_no_receipts(app, signed):
    with app.app_context():
        projects.withdraw_project(actor("lead"), signed["id"], version_of(signed), "duplicate")
    assert isinstance(refused(app, funds.record_receipt, "member", signed["id"],
                              receipt()), Invalid)


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_a_viewer_and_another_team_may_not_record(app, signed, who):
    assert isinstance(refused(app, funds.record_receipt, who, signed["id"], receipt()),
                      Forbidden)


def test_no_actor_and_no_project_are_refused(app, signed):
    assert isinstance(refused(app, funds.record_receipt, None, signed["id"], receipt()),
                      Forbidden)
    for missing in (999_999, "1", None, True):
        assert isinstance(refused(app, funds.record_receipt, "member", missing,
                                  receipt()), NotFound)


# --- correcting -------------------------------------------------------------------------------

def correct(app, who: str, made: FundReceipt, reason="录入有误", version=None, **fields):
    with app.app_context():
        fixed = funds.correct_receipt(actor(who), made.id,
                                      made.version if version is None else version, fields,
                                      reason)
        db.session.expunge(fixed)
        return fixed


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_a_lead_corrects_a_receipt_from_and_to_in_the_history(app, signed, heard, who):
    made = record(app, "member", signed["id"], foreign_usd_wan=300)
    fixed = correct(app, who, made, amount_wan=25000, document="更正号")
    assert (fixed.amount_wan, fixed.foreign_usd_wan, fixed.document, fixed.version) == \
        (25000, 300, "更正号", made.version + 1)
    [event] = history(app, signed["id"], "funds_corrected")
    assert event.changes == {"receipt": made.id, "amount_wan": [20000, 25000],
                             "document": ["", "更正号"]}
    assert event.reason == "录入有误"
    assert [h.action for h in heard] == ["funds_recorded", "funds_corrected"]


def test_a_correction_may_clear_the_foreign_part(app, signed):
    made = record(app, "member", signed["id"], foreign_usd_wan=300)
    assert correct(app, "lead", made, foreign_usd_wan=None).foreign_usd_wan is None


def test_a_member_may_not_correct(app, signed):
    made = record(app, "member", signed["id"])
    assert isinstance(refused(app, funds.correct_receipt, "member", made.id, made.version,
                              {"amount_wan": 1}, "因为"), Forbidden)


@pytest.mark.parametrize(("fields", "reason", "field"), [
    ({"amount_wan": 1}, "", "reason"),
    ({"amount_wan": 1}, None, "reason"),
    ({"amount_wan": 0}, "因为", "amount_wan"),
    ({"date": (SIGNED - timedelta(days=1)).isoformat()}, "因为", "date"),
    ({"amount_wan": 100}, "因为", "foreign_usd_wan"),  # now below its foreign part
    ({"owner": "x"}, "因为", "owner"),
])
def test_bad_corrections_are_refused(app, signed, fields, reason, field):
    made = record(app, "member", signed["id"], foreign_usd_wan=300)
    error = refused(app, funds.correct_receipt, "lead", made.id, made.version, fields,
                    reason)
    assert field in error.fields


def test_a_correction_that_changes_nothing_or_is_stale_is_refused(app, signed):
    made = record(app, "member", signed["id"])
    assert refused(app, funds.correct_receipt, "lead", made.id, made.version,
                   {"amount_wan": 20000}, "因为").status == 422
    assert refused(app, funds.correct_receipt, "lead", made.id, made.version + 1,
                   {"amount_wan": 1}, "因为").status == 409
    assert refused(app, funds.correct_receipt, "lead", made.id, "1",
                   {"amount_wan": 1}, "因为").status == 422


def test_another_teams_lead_may_not_correct(app, signed):
    made = record(app, "member", signed["id"])
    with app.app_context():  # the project goes to 二组, which "lead" does not lead
        team = db.session.execute(select(Team).where(Team.name == OTHER_TEAM)).scalar_one()
        db.session.get(Project, signed["id"]).team_id = team.id
        db.session.commit()
    assert isinstance(refused(app, funds.correct_receipt, "lead", made.id, made.version,
                              {"amount_wan": 1}, "因为"), Forbidden)


# --- removing ---------------------------------------------------------------------------------

def test_a_lead_removes_a_receipt_kept_in_its_table_and_history(app, signed, heard):
    made = record(app, "member", signed["id"], foreign_usd_wan=300)
    with app.app_context():
        removed = funds.remove_receipt(actor("lead"), made.id, made.version, "重复录入")
        assert removed.removed_at is not None and removed.removed_reason == "重复录入"
        assert funds.receipts_of(signed["id"]) == []
        assert db.session.get(FundReceipt, made.id) is not None
    [event] = history(app, signed["id"], "funds_removed")
    assert (event.changes["receipt"], event.changes["amount_wan"], event.reason) == \
        (made.id, 20000, "重复录入")
    assert [h.action for h in heard] == ["funds_recorded", "funds_removed"]
    error = refused(app, funds.remove_receipt, "lead", made.id, made.version + 1, "再")
    assert error.status == 422
    assert refused(app, funds.correct_receipt, "lead", made.id, made.version + 1,
                   {"amount_wan": 1}, "再").status == 422


@pytest.mark.parametrize(("who", "reason", "status"), [
    ("member", "重复", 403), ("viewer", "重复", 403), ("lead", "", 422), ("lead", 5, 422)])
def test_bad_removals_are_refused(app, signed, who, reason, status):
    made = record(app, "member", signed["id"])
    assert refused(app, funds.remove_receipt, who, made.id, made.version,
                   reason).status == status


def test_a_receipt_of_a_deleted_project_is_not_found(app, signed):
    made = record(app, "member", signed["id"])
    with app.app_context():
        projects.delete_project(actor("lead"), signed["id"], version_of(signed))
    assert isinstance(refused(app, funds.remove_receipt, "lead", made.id, made.version,
                              "因为"), NotFound)
    assert isinstance(refused(app, funds.correct_receipt, "lead", 424242, 1,
                              {"amount_wan": 1}, "因为"), NotFound)
