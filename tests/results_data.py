"""The projects the results tests count, by hand: first half 2026 against first half 2025.

一组 (led by ``lead``; ``member`` and ``viewer`` in it) and ``member`` existed in 2025; ``lead``,
``outsider`` and 二组 are new, so their last year is not compared.

====  =====  ========  ==========================================================  =========
name  team   owner     stage dates (and receipts)                                  万元
====  =====  ========  ==========================================================  =========
A     一组   member    negotiating 2026-02-01, signed 2026-03-01, started 05-01,    150,000
                       Fortune Global 500
B     一组   lead      signed 2026-04-10; 5,000 in place 2026-05-05                  20,000
C     二组   outsider  signed 2025-03-01, started 2026-02-01                        30,000
D     一组   member    signed 2025-05-01                                            10,000
E     —      —         signed 2026-06-01                                            40,000
====  =====  ========  ==========================================================  =========
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update

from tests.helpers import OTHER_TEAM, TEAM
from wallchart.core.models import County, FundReceipt, Project, Team, User
from wallchart.extensions import db
from wallchart.reports.indicators import Period

H1 = Period(date(2026, 1, 1), date(2026, 6, 30))
H1_ARGS = {"from": "2026-01-01", "to": "2026-06-30"}
LONG_AGO = datetime(2024, 12, 1)


def build_results(app) -> dict[str, int]:
    """The rows above, written directly (as the record services leave them); returns the ids of
    the teams and people by name."""
    with app.app_context():
        county = db.session.execute(select(County.id)).scalars().first()
        teams = dict(db.session.execute(select(Team.name, Team.id)).all())
        people = dict(db.session.execute(select(User.username, User.id)).all())
        db.session.execute(update(Team).where(Team.name == TEAM).values(created_at=LONG_AGO))
        db.session.execute(update(User).where(User.username == "member")
                           .values(created_at=LONG_AGO))

        def add(name, team, owner, investment, **dates):
            stage = ("signed" if dates.get("signed_on") else "negotiating") \
                if not dates.get("started_on") else "started"
            row = Project(name=name, county_id=county, sector="industry", stage=stage,
                          stage_entered_at=date(2026, 1, 1), investment_wan=investment,
                          team_id=teams.get(team), owner_id=people.get(owner), **dates)
            db.session.add(row)
            db.session.flush()
            return row

        add("A", TEAM, "member", 150000, negotiating_on=date(2026, 2, 1),
            signed_on=date(2026, 3, 1), started_on=date(2026, 5, 1)).three500 = "fortune_global"
        b = add("B", TEAM, "lead", 20000, signed_on=date(2026, 4, 10))
        db.session.add(FundReceipt(project_id=b.id, received_on=date(2026, 5, 5),
                                   amount_wan=5000))
        add("C", OTHER_TEAM, "outsider", 30000, signed_on=date(2025, 3, 1),
            started_on=date(2026, 2, 1))
        add("D", TEAM, "member", 10000, signed_on=date(2025, 5, 1))
        add("E", None, None, 40000, signed_on=date(2026, 6, 1))
        db.session.commit()
        return {**teams, **people}
