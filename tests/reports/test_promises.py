"""Start and keep promises (开工率, 履约率) of the projects signed in a period, against figures
worked out by hand; the same period last year; the list of those past their promise."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from wallchart.core.models import County, Project
from wallchart.extensions import db
from wallchart.reports import indicators, promises
from wallchart.reports.indicators import Period

HALF = Period(date(2026, 1, 1), date(2026, 6, 30))  # last year: 2025-01-01 to 2025-06-30
D = date


def _add(name: str, signed: date, started: date | None = None, producing: date | None = None,
         promised: date | None = None, status: str = "active", deleted: bool = False) -> None:
    stage = "producing" if producing else "started" if started else "signed"
    now = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)
    db.session.add(Project(
        name=name, investor="甲公司", investment_wan=10000, stage=stage, rank=1.0,
        stage_entered_at=producing or started or signed, signed_on=signed, started_on=started,
        producing_on=producing, promised_start_on=promised, status=status,
        deleted_at=now if deleted else None))


@pytest.fixture
def cohort(app):
    """Seven signings in the first half of 2026 (one more deleted), three in 2025."""
    with app.app_context():
        _add("A", D(2026, 1, 10), started=D(2026, 2, 9), promised=D(2026, 3, 1))   # 30 days
        _add("B", D(2026, 2, 1), started=D(2026, 5, 2), producing=D(2026, 6, 20))  # 90 days
        _add("C", D(2026, 3, 1), promised=D(2026, 5, 1))                  # past its promise
        _add("D", D(2026, 4, 1), started=D(2026, 8, 1), promised=D(2026, 6, 1))  # started late
        _add("E", D(2026, 5, 1), promised=D(2026, 7, 15))                  # promise to come
        _add("F", D(2026, 6, 1), promised=D(2026, 6, 10), status="withdrawn")
        _add("G", D(2026, 3, 1), promised=D(2026, 4, 1), deleted=True)
        _add("H", D(2026, 3, 15), started=D(2026, 4, 14))                  # 30 days
        _add("P1", D(2025, 2, 1), started=D(2025, 3, 3))                   # 30 days
        _add("P2", D(2025, 3, 1), promised=D(2025, 4, 1))                  # past its promise
        _add("P3", D(2025, 9, 1), promised=D(2025, 10, 1))                 # outside both
        db.session.commit()
        return {name: id_ for name, id_ in db.session.query(Project.name, Project.id)}


def test_the_rates_days_and_promises_of_a_half_year_by_hand(app, cohort):
    with app.test_request_context():
        now, before = promises.cohorts(HALF)
        figures = promises.figures(now, before)
        signed = indicators.compute(HALF)["indicators"]["signed"]
    assert (now.signed, before.signed) == (signed.count, signed.previous_count) == (7, 2)
    assert figures == {
        # A, B, H started by June 30 (D only in August): 3 of 7; 1 of 2 a year earlier.
        "signed_started": 3, "previous_signed_started": 1, "change_signed_started_pct": 200.0,
        "signed_producing": 1, "previous_signed_producing": 0,
        "change_signed_producing_pct": None,
        "start_rate_pct": 42.9, "previous_start_rate_pct": 50.0,
        "production_rate_pct": 14.3, "previous_production_rate_pct": 0.0,
        # 30, 90 and 30 days; a year earlier 30.
        "days_to_start_median": 30.0, "previous_days_to_start_median": 30.0,
        "days_to_start_mean": 50.0, "previous_days_to_start_mean": 30.0,
        # C and D on June 30 (the withdrawn F and the deleted G are off the board); P2.
        "past_promise": 2, "previous_past_promise": 1, "change_past_promise_pct": 100.0,
    }
    assert now.past_promise == [cohort["C"], cohort["D"]]


def test_the_list_and_a_county_and_an_empty_period(app, counties, cohort):
    with app.test_request_context():
        now, _before = promises.cohorts(HALF)
        assert [p.name for p in promises.past_promise(now)] == ["C", "D"]
        empty = promises.figures(*promises.cohorts(Period(D(2024, 1, 1), D(2024, 1, 31))))
        assert empty["start_rate_pct"] is None and empty["days_to_start_median"] is None
        assert empty["signed_started"] == 0 and empty["change_signed_started_pct"] is None
        county = db.session.query(County).filter_by(name=counties[0]).one()
        assert promises.cohorts(HALF, county)[0].signed == 0  # none of them names a county


def test_an_even_count_takes_the_middle_two_for_the_median(app, cohort):
    with app.app_context():
        _add("I", D(2026, 6, 1), started=D(2026, 6, 16))  # 15 days
        db.session.commit()
    with app.test_request_context():
        now, _before = promises.cohorts(HALF)
    assert sorted(now.days_to_start) == [15, 30, 30, 90]
    assert (now.days_to_start_median, now.days_to_start_mean) == (30.0, 41.3)  # 165 / 4, half up


def test_two_statements_for_the_figures_and_the_list(app, cohort):
    statements = []
    with app.test_request_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731 (args[2]: the SQL)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            now, _before = promises.cohorts(HALF)
            promises.past_promise(now)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 2


def test_the_api_answers_them_top_level_as_its_contract_says(app, clients, cohort):
    from jsonschema import Draft202012Validator

    body = clients["viewer"].get("/api/indicators?from=2026-01-01&to=2026-06-30").get_json()
    assert (body["signed_started"], body["start_rate_pct"], body["production_rate_pct"]) == \
        (3, 42.9, 14.3)
    assert (body["days_to_start_median"], body["days_to_start_mean"]) == (30.0, 50.0)
    assert (body["past_promise"], body["previous_past_promise"]) == (2, 1)
    assert body["past_promise_projects"] == [
        {"id": cohort["C"], "name": "C", "county": None, "signed_on": "2026-03-01",
         "promised_start_on": "2026-05-01"},
        {"id": cohort["D"], "name": "D", "county": None, "signed_on": "2026-04-01",
         "promised_start_on": "2026-06-01"}]
    document = app.test_client().get("/api/openapi.json").get_json()
    schema = {**document["components"]["schemas"]["Indicators"],
              "components": document["components"]}
    resolved = Draft202012Validator(schema).iter_errors(body)
    assert [error.message for error in resolved] == []
    described = set(schema["properties"])
    assert set(body) <= described and set(promises.PROMISE_FIGURES) <= described


@pytest.mark.parametrize("url", ["/indicators", "/reports/schedule"])
def test_the_indicators_page_and_the_scheduling_report_show_them(clients, cohort, url):
    page = clients["viewer"].get(f"{url}?from=2026-01-01&to=2026-06-30")
    assert page.status_code == 200
    block = page.get_data(as_text=True).split('data-section="kept_promises"')[1] \
        .split("</section>")[0]
    assert "开工与履约" in block and "本期签约项目 7 个（去年同期 2 个）" in block
    row = block.split('data-figure="start_rate_pct"')[1].split("</tr>")[0]
    assert "42.9% (3/7)" in row and "50.0% (1/2)" in row
    assert "14.3% (1/7)" in block.split('data-figure="production_rate_pct"')[1]
    median = block.split('data-figure="days_to_start_median"')[1].split("</tr>")[0]
    assert "30 天" in median
    assert "50 天" in block.split('data-figure="days_to_start_mean"')[1].split("</tr>")[0]
    listed = [int(i) for i in re.findall(r'<tr data-project-id="(\d+)"', block)]
    assert listed == [cohort["C"], cohort["D"]]
