"""Judging by results: the indicators' figures by team and owner, counted by the indicators'
own rules (the city total equals theirs), last year compared only where the team or person
existed, ranked, in a constant number of statements. The rows: tests/results_data.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from tests.helpers import OTHER_TEAM, TEAM, actor
from tests.results_data import H1, build_results
from wallchart.core.models import Project, Team, User
from wallchart.extensions import db
from wallchart.reports import indicators, results
from wallchart.reports.indicators import INDICATORS, Period
from wallchart.web.indicators import ranked


@pytest.fixture
def ids(app, counties):
    return build_results(app)


def shown_to(app, username: str, period: Period = H1) -> results.Results:
    with app.app_context():
        return results.results(period, actor(username))


def lines(shown: results.Results, grouping: str) -> dict:
    return {row.label: row for row in shown.lines[grouping]}


def values(row, column: str) -> tuple:
    return results.figure_of(row, column)


def test_each_team_and_owner_is_counted_by_hand(app, ids):
    shown = shown_to(app, "admin")
    teams = lines(shown, "team")
    assert [row.key for row in shown.lines["team"]] == [ids[TEAM], ids[OTHER_TEAM], None]
    first = teams[TEAM]
    assert [values(first, c)[0] for c in results.COLUMNS] == [1, 2, 170000, 1, 1, 1, 0, 5000]
    assert values(first, "signed") == (2, 1, 100.0)
    assert values(first, "signed_investment") == (170000, 10000, 1600.0)
    assert values(first, "funds_in_place") == (5000, 0, None)
    second = teams[OTHER_TEAM]
    assert [values(second, c)[0] for c in results.COLUMNS] == [0, 0, 0, 0, 0, 1, 0, 0]
    assert values(second, "signed")[1] == 1  # counted, but 二组 did not exist then
    assert shown.existed["team"] == {ids[TEAM]}
    stray = shown.lines["team"][-1]
    assert stray.key is None and values(stray, "signed_investment")[0] == 40000

    owners = {row.key: row for row in shown.lines["owner"]}
    assert [values(owners[ids["member"]], c)[0] for c in results.COLUMNS] == [
        1, 1, 150000, 1, 1, 1, 0, 0]
    assert values(owners[ids["member"]], "signed_investment") == (150000, 10000, 1400.0)
    assert values(owners[ids["lead"]], "funds_in_place") == (5000, 0, None)
    assert values(owners[ids["outsider"]], "started")[0] == 1
    # Everyone in a team has a line, with nothing or not.
    assert values(owners[ids["viewer"]], "signed") == (0, 0, None)
    assert shown.existed["owner"] == {ids["member"]}


def test_last_year_compares_where_the_team_existed(app, ids):
    """Last year's own period: 一组's 2025 is this year's previous, and D counts there."""
    shown = shown_to(app, "admin", Period(date(2025, 1, 1), date(2025, 6, 30)))
    teams = {row.key: row for row in shown.lines["team"]}
    assert values(teams[ids[TEAM]], "signed") == (1, 0, None)
    assert shown.existed["team"] == set()  # created in December 2024: not by June 2024


def test_the_city_total_equals_the_indicators(app, ids):
    shown = shown_to(app, "admin")
    with app.app_context():
        city = indicators.compute(H1)
    for name in INDICATORS:
        assert shown.total.indicators[name] == city["indicators"][name], name
    for name in indicators.AMOUNTS:
        assert getattr(shown.total, name) == city[name], name
    # ... and the teams' lines (with the projects of no team) add up to it.
    for column in results.COLUMNS:
        assert sum(values(row, column)[0] for row in shown.lines["team"]) == \
            values(shown.total, column)[0], column
    assert values(shown.total, "signed") == (3, 2, 50.0)


def test_ranking_by_each_column(app, ids):
    shown = shown_to(app, "admin")
    by_money = ranked(shown.lines["owner"], "signed_investment")
    assert [(rank, row.key) for rank, row in by_money[:2]] == [(1, ids["member"]),
                                                               (2, ids["lead"])]
    assert all(rank is None for rank, row in by_money[2:])  # nothing signed: no rank
    by_start = ranked(shown.lines["team"], "started")
    assert [rank for rank, _row in by_start] == [1, 1, None]  # a tie shares the rank
    by_funds = ranked(shown.lines["owner"], "funds_in_place")
    assert by_funds[0] == (1, by_funds[0][1]) and by_funds[0][1].key == ids["lead"]


def test_who_sees_what(app, ids):
    lead = shown_to(app, "lead")
    assert [row.key for row in lead.lines["team"]] == [ids[TEAM]]
    assert {row.key for row in lead.lines["owner"]} == {ids["lead"], ids["member"],
                                                        ids["viewer"]}
    assert lead.total is None
    member = shown_to(app, "member")
    assert member.lines["team"] == [] and member.total is None
    assert [row.key for row in member.lines["owner"]] == [ids["member"]]
    assert [row.key for row in shown_to(app, "outsider").lines["owner"]] == [ids["outsider"]]
    viewer = shown_to(app, "viewer")
    assert len(viewer.lines["team"]) == 3 and viewer.total is not None


def test_a_lead_who_belongs_to_a_team_without_leading_it_sees_it(app, ids):
    """The role makes the lead, as on the board: a second lead in a team runs it too."""
    with app.app_context():
        second = User(username="lead2", display_name="王科长", role="lead",
                      password_hash="-")
        team = db.session.execute(select(Team).where(Team.name == OTHER_TEAM)).scalar_one()
        team.members.append(second)
        db.session.commit()
    shown = shown_to(app, "lead2")
    assert [row.key for row in shown.lines["team"]] == [ids[OTHER_TEAM]]
    assert {row.key for row in shown.lines["owner"]} >= {ids["outsider"]}
    assert shown.total is None


def test_a_constant_number_of_statements(app, ids):
    """One for the figures, one each for the teams' and the people's names; a lead's teams
    one more: whatever the number of teams, people and projects."""
    def statements(username: str) -> int:
        found = []
        with app.app_context():
            user = actor(username)
            listen = lambda *args: found.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                results.results(H1, user)
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
        return len(found)

    before = statements("admin"), statements("lead")
    with app.app_context():
        owner = db.session.execute(select(User.id).where(User.username == "outsider")).scalar()
        db.session.add_all(Project(name=f"P{i}", stage="signed", signed_on=date(2026, 3, i + 1),
                                   stage_entered_at=date(2026, 3, i + 1), investment_wan=100,
                                   owner_id=owner) for i in range(20))
        db.session.commit()
    assert (statements("admin"), statements("lead")) == before == (3, 4)
