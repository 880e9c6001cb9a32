"""Annual targets per county: set by administrators only, validated, audited; and the pace of
the year (序时进度) against them, at the edges of its statuses."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from tests.helpers import actor, snapshot
from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.models import AuditEntry, County, CountyTarget, Project
from wallchart.extensions import db
from wallchart.reports import indicators
from wallchart.services import targets

VALUES = {"signed_count": "12", "signed_investment_wan": "1,500,000", "started_count": "6",
          "foreign_capital_usd_wan": "3000", "funds_in_place_wan": "800,000",
          "foreign_capital_actual_usd_wan": "1200"}


def form(county: int, year: str = "2026", **values: str) -> dict[str, str]:
    """The targets page's one form, as it posts one county's row (named FIELD.COUNTY_ID)."""
    return {"year": year, **{f"{name}.{county}": value for name, value in values.items()}}


def county_id(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(select(County.id).where(County.name == name)).scalar_one()


def stored(app) -> list[tuple]:
    """Every target row and every audit entry: what a refusal must leave as it was."""
    with app.app_context():
        rows = db.session.execute(select(CountyTarget.county_id, CountyTarget.year,
                                         CountyTarget.signed_count,
                                         CountyTarget.signed_investment_wan,
                                         CountyTarget.started_count,
                                         CountyTarget.foreign_capital_usd_wan)).all()
        audit = db.session.execute(select(AuditEntry.id)).scalars().all()
        return [tuple(row) for row in rows] + [("audit", *audit)]


def test_an_administrator_sets_a_countys_targets(app, clients, counties):
    admin = clients["admin"]
    hecheng = county_id(app, "鹤城区")
    response = admin.post("/admin/targets", data=form(hecheng, **VALUES))
    assert response.status_code == 302
    assert response.location.endswith("/admin/targets?year=2026")
    page = admin.get("/admin/targets?year=2026").get_data(as_text=True)
    assert "2026 年目标已保存。" in page
    assert 'value="1500000"' in page
    with app.app_context():
        row = db.session.execute(select(CountyTarget)).scalar_one()
        assert (row.county_id, row.year, row.signed_count, row.signed_investment_wan,
                row.started_count, row.foreign_capital_usd_wan, row.funds_in_place_wan,
                row.foreign_capital_actual_usd_wan) == (hecheng, 2026, 12, 1_500_000, 6, 3000,
                                                        800_000, 1200)
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "target.set")
                                   ).scalar_one()
        assert (entry.actor.username, entry.target) == ("admin", "鹤城区 2026")
        assert entry.details["from"] == dict.fromkeys(targets.FIELDS, 0)
        assert entry.details["to"] == {"signed_count": 12, "signed_investment_wan": 1_500_000,
                                       "started_count": 6, "foreign_capital_usd_wan": 3000,
                                       "funds_in_place_wan": 800_000,
                                       "foreign_capital_actual_usd_wan": 1200}
    # Changing them again updates the same row and says what it was.
    admin.post("/admin/targets", data=form(hecheng, **{**VALUES, "signed_count": "15"}))
    with app.app_context():
        assert db.session.execute(select(CountyTarget.signed_count)).scalars().all() == [15]
        last = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalar()
        assert (last.details["from"]["signed_count"], last.details["to"]["signed_count"]) == (
            12, 15)
    log = admin.get("/admin/audit?action=target.set").get_data(as_text=True)
    assert "设定年度目标" in log


def test_other_years_stay_apart(app, clients, counties):
    admin = clients["admin"]
    hecheng = county_id(app, "鹤城区")
    admin.post("/admin/targets", data=form(hecheng, **VALUES))
    page = admin.get("/admin/targets?year=2027").get_data(as_text=True)
    assert "2027 年度目标" in page and 'value="1500000"' not in page
    with app.app_context():
        assert targets.targets_of(2027)[0][1] is None
        assert targets.targets_of(2026)[0][1].signed_count == 12


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_administrators_set_targets(app, clients, counties, role):
    before, rows = snapshot(app), stored(app)
    hecheng = county_id(app, "鹤城区")
    assert clients[role].get("/admin/targets?year=2026").status_code == 403
    response = clients[role].post("/admin/targets", data=form(hecheng, **VALUES))
    assert response.status_code == 403
    with app.app_context(), pytest.raises(Forbidden):
        targets.set_targets(actor(role), 2026, {hecheng: VALUES})
    assert (snapshot(app), stored(app)) == (before, rows)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("signed_count", "-3", "0 或更大的整数"),
    ("signed_count", "十二", "0 或更大的整数"),
    ("started_count", "1.5", "0 或更大的整数"),
    ("signed_investment_wan", "100000001", "最多 100,000,000"),
    ("year", "1999", "2000 至 2100"),
    ("year", "next", "2000 至 2100"),
])
def test_targets_are_validated_and_nothing_is_saved(app, clients, counties, field, value,
                                                    words):
    rows = stored(app)
    hecheng = county_id(app, "鹤城区")
    values = {**VALUES, field: value} if field != "year" else VALUES
    response = clients["admin"].post("/admin/targets", data=form(
        hecheng, value if field == "year" else "2026", **values))
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert stored(app) == rows


def test_the_service_refuses_what_no_form_sends(app, counties):
    hecheng = county_id(app, "鹤城区")
    with app.app_context():
        admin = actor("admin")
        with pytest.raises(Invalid) as refused:
            targets.set_targets(admin, 2026, {hecheng: {"signed_count": True}})
        assert f"signed_count.{hecheng}" in refused.value.fields
        with pytest.raises(Invalid) as refused:
            targets.set_targets(admin, 2026, {hecheng: {"bonus": 5}})
        assert f"bonus.{hecheng}" in refused.value.fields
        with pytest.raises(NotFound):
            targets.set_targets(admin, 2026, {999_999: {}})
        # A missing field is a target of 0 (none).
        [row] = targets.set_targets(admin, 2026, {hecheng: {"signed_count": 4}})
        assert (row.signed_count, row.started_count) == (4, 0)


def test_a_missing_county_is_404(app, clients, counties):
    response = clients["admin"].post("/admin/targets", data=form(999999, **VALUES))
    assert response.status_code == 404


# --- the pace of the year ----------------------------------------------------------------------

def test_the_share_of_the_year():
    assert indicators.year_share(2026, date(2026, 1, 1)) == Fraction(1, 365)
    assert indicators.year_share(2026, date(2026, 7, 2)) == Fraction(183, 365)
    assert indicators.year_share(2026, date(2026, 12, 31)) == 1
    assert indicators.year_share(2028, date(2028, 12, 31)) == 1  # leap year: 366 days
    assert indicators.year_share(2028, date(2028, 2, 29)) == Fraction(60, 366)
    assert indicators.year_share(2026, date(2025, 12, 31)) == 0
    assert indicators.year_share(2026, date(2027, 3, 1)) == 1


#: 2026-04-10 is the 100th day of 365: a target of 36,500 万元 expects 10,000 万元 by then.
AS_OF = date(2026, 4, 10)


@pytest.mark.parametrize(("signed_wan", "status"), [
    (10_500, "ahead"),       # 105 % of the pace: ahead
    (10_499, "on_pace"),
    (9_500, "on_pace"),      # 95 %: still on pace
    (9_499, "behind"),
    (0, "behind"),
])
def test_pace_statuses_at_their_edges(app, counties, signed_wan, status):
    with app.app_context():
        hecheng = db.session.execute(select(County).where(County.name == "鹤城区")).scalar_one()
        if signed_wan:
            db.session.add(Project(name="签约项目", county_id=hecheng.id, stage="signed",
                                   stage_entered_at=date(2026, 3, 1), signed_on=date(2026, 3, 1),
                                   investment_wan=signed_wan))
        # Signed after the day of the pace: not counted yet.
        db.session.add(Project(name="以后签约", county_id=hecheng.id, stage="signed",
                               stage_entered_at=date(2026, 4, 11), signed_on=date(2026, 4, 11),
                               investment_wan=50_000))
        db.session.commit()
        targets.set_targets(actor("admin"), 2026, {
            hecheng.id: {"signed_investment_wan": 36_500, "signed_count": 0}})
        [row] = indicators.pace(2026, AS_OF)
    item = row.items["signed_investment_wan"]
    assert (row.label, item.target, item.actual, item.expected) == (
        "鹤城区", 36_500, signed_wan, 10_000)
    assert item.status == status
    assert row.items["signed_count"].status is None  # a target of 0: nothing to keep pace with


def test_pace_lists_only_counties_with_targets_in_board_order(app, counties):
    with app.app_context():
        admin = actor("admin")
        for name in ("怀化高新区", "鹤城区"):
            cid = db.session.execute(select(County.id).where(County.name == name)).scalar_one()
            targets.set_targets(admin, 2026, {cid: {"signed_count": 10}})
        targets.set_targets(admin, 2025, {cid: {"signed_count": 10}})
        assert [row.label for row in indicators.pace(2026, AS_OF)] == ["鹤城区", "怀化高新区"]
        assert [row.label for row in indicators.pace(2025, AS_OF)] == ["鹤城区"]
        assert indicators.pace(2024, AS_OF) == []


def test_the_indicators_page_shows_the_pace(app, clients, counties):
    with app.app_context():
        hecheng = db.session.execute(select(County.id).where(County.name == "鹤城区")).scalar_one()
        zhongfang = db.session.execute(select(County.id).where(County.name == "中方县")
                                       ).scalar_one()
        db.session.add(Project(name="签约项目", county_id=hecheng, stage="signed",
                               stage_entered_at=date(2026, 3, 1), signed_on=date(2026, 3, 1),
                               investment_wan=20_000))
        db.session.commit()
        admin = actor("admin")
        targets.set_targets(admin, 2026, {hecheng: {"signed_count": 1}})
        targets.set_targets(admin, 2026, {zhongfang: {"signed_count": 10}})
    viewer = clients["viewer"]
    page = viewer.get("/indicators?from=2026-01-01&to=2026-04-10").get_data(as_text=True)
    assert "截至 2026-04-10，全年时间已过 27.4%" in page
    assert 'data-target="signed_count" data-status="ahead"' in page
    assert 'data-target="signed_count" data-status="behind"' in page
    assert "快于序时进度" in page and "滞后序时进度" in page and "未设目标" in page
    viewer.post("/language", data={"lang": "en", "next": "/indicators"})
    english = viewer.get("/indicators?from=2026-01-01&to=2026-04-10").get_data(as_text=True)
    assert "Ahead of the pace" in english and "Behind the pace" in english
    # Administrators find the targets from the page; others do not see the link.
    assert "/admin/targets" not in page
    assert "/admin/targets?year=2026" in clients["admin"].get(
        "/indicators?from=2026-01-01&to=2026-04-10").get_data(as_text=True)


def test_the_whole_table_is_saved_at_once_or_not_at_all(app, clients, counties):
    """One form for every county: a wrong figure in one row saves no row, keeps what was typed
    in every row and marks the one; then all are saved, and only the counties whose figures
    changed are recorded."""
    admin = clients["admin"]
    hecheng, zhongfang = county_id(app, "鹤城区"), county_id(app, "中方县")
    rows = stored(app)
    typed = {**form(hecheng, **VALUES), **form(zhongfang, signed_count="-1", started_count="2")}
    refused = admin.post("/admin/targets", data=typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert page.count('aria-invalid="true"') == 1
    assert f'name="signed_count.{zhongfang}"' in page.split('aria-invalid="true"')[0][-400:]
    assert 'value="1,500,000"' in page and 'value="-1"' in page
    assert stored(app) == rows
    assert admin.post("/admin/targets", data={**typed, f"signed_count.{zhongfang}": "3"}
                      ).status_code == 302
    with app.app_context():
        assert sorted(db.session.execute(select(
            CountyTarget.county_id, CountyTarget.signed_count, CountyTarget.started_count)).all()
        ) == sorted([(hecheng, 12, 6), (zhongfang, 3, 2)])
    admin.post("/admin/targets", data={**typed, f"signed_count.{zhongfang}": "4"})
    with app.app_context():
        entries = db.session.execute(select(AuditEntry.target).where(
            AuditEntry.action == "target.set").order_by(AuditEntry.id)).scalars().all()
    assert entries == ["鹤城区 2026", "中方县 2026", "中方县 2026"]
