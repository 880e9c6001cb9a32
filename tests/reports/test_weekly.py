"""The weekly report: what changed from Monday 00:00 to Sunday 24:00 (Asia/Shanghai), from the
history rows; cards that turned yellow or red during the week."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event, update

from tests.helpers import actor
from wallchart.core.models import Project, ProjectEvent
from wallchart.extensions import db
from wallchart.reports import weekly
from wallchart.reports.weekly import Week

WEEK = Week(date(2026, 6, 1))  # Monday 1 June to Sunday 7 June 2026
# Shanghai is UTC+8: the week runs from 2026-05-31 16:00 to 2026-06-07 16:00 UTC.
LAST_MOMENT_BEFORE = datetime(2026, 5, 31, 15, 59, 59)
FIRST_MOMENT = datetime(2026, 5, 31, 16, 0, 0)
LAST_MOMENT = datetime(2026, 6, 7, 15, 59, 59)
FIRST_MOMENT_AFTER = datetime(2026, 6, 7, 16, 0, 0)


def add_event(app, project_id: int, at: datetime, action: str, from_stage: str | None = None,
              to_stage: str | None = None, reason: str | None = None) -> None:
    """A history row as the services write it, at a chosen time."""
    with app.app_context():
        db.session.add(ProjectEvent(project_id=project_id, at=at, user_id=actor("lead").id,
                                    action=action, from_stage=from_stage, to_stage=to_stage,
                                    reason=reason, revision=0))
        db.session.commit()


def set_row(app, project_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project_id).values(**values))
        db.session.commit()


def sections(client, week: str = "2026-06-03") -> dict[str, list[int]]:
    response = client.get("/reports/weekly", query_string={"week": week})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    found = {}
    for key, body in re.findall(r'<section[^>]*data-section="(\w+)"(.*?)</section>', text, re.S):
        found[key] = [int(i) for i in re.findall(r'<tr data-project-id="(\d+)"', body)]
    return found


def test_events_count_in_the_week_they_happened_in_shanghai(app, clients, make_project):
    ids = {name: make_project(name)["id"] for name in
           ("before", "first", "last", "after", "deleted")}
    add_event(app, ids["before"], LAST_MOMENT_BEFORE, "created", to_stage="contact")
    add_event(app, ids["first"], FIRST_MOMENT, "created", to_stage="contact")
    add_event(app, ids["last"], LAST_MOMENT, "created", to_stage="negotiating")
    add_event(app, ids["after"], FIRST_MOMENT_AFTER, "created", to_stage="contact")
    add_event(app, ids["deleted"], FIRST_MOMENT, "created", to_stage="contact")
    set_row(app, ids["deleted"], deleted_at=datetime(2026, 6, 2))
    found = sections(clients["viewer"])
    assert found["created"] == [ids["first"], ids["last"]]
    assert sections(clients["viewer"], "2026-06-07")["created"] == [ids["first"], ids["last"]]
    assert sections(clients["viewer"], "2026-05-31")["created"] == [ids["before"]]
    assert sections(clients["viewer"], "2026-06-08")["created"] == [ids["after"]]


def test_moves_forward_back_and_withdrawals(app, clients, make_project):
    ids = {name: make_project(name)["id"] for name in
           ("forward", "leap", "back", "reordered", "withdrawn", "earlier")}
    add_event(app, ids["forward"], FIRST_MOMENT, "moved", "negotiating", "signed")
    add_event(app, ids["leap"], datetime(2026, 6, 3, 2), "moved", "contact", "producing")
    add_event(app, ids["back"], datetime(2026, 6, 4, 2), "moved", "signed", "negotiating",
              reason="资金未到位")
    add_event(app, ids["reordered"], datetime(2026, 6, 4, 2), "moved", "signed", "signed")
    add_event(app, ids["withdrawn"], LAST_MOMENT, "withdrawn", "negotiating", "negotiating",
              reason="投资方撤回")
    add_event(app, ids["earlier"], LAST_MOMENT_BEFORE, "moved", "contact", "negotiating")
    found = sections(clients["member"])
    assert found["advanced"] == [ids["forward"], ids["leap"]]
    assert found["moved_back"] == [ids["back"]]
    assert found["withdrawn"] == [ids["withdrawn"]]
    assert found["created"] == []
    text = clients["member"].get("/reports/weekly?week=2026-06-01").get_data(as_text=True)
    assert "已签约 → 在谈" in text and "资金未到位" in text and "投资方撤回" in text
    assert "2026年第23周（2026-06-01 至 2026-06-07）" in text
    assert "本周没有新增项目。" in text


def test_cards_that_turned_yellow_or_red_during_the_week(app, clients, make_project):
    """Negotiating: yellow after 30 days without news, red after 60 (the default settings)."""
    rows = {
        "turned_yellow": date(2026, 5, 3),    # 28 days on Sunday before, 35 on the last day
        "already_yellow": date(2026, 4, 20),  # 41 → 48: yellow all along
        "turned_red": date(2026, 4, 3),       # 58 (yellow) → 65 (red)
        "noted": date(2026, 4, 1),            # but a note on 5 June: 2 days since
        "withdrawn": date(2026, 5, 3),        # off the board
    }
    ids = {}
    for name, entered in rows.items():
        ids[name] = make_project(name)["id"]
        set_row(app, ids[name], stage="negotiating", stage_entered_at=entered,
                negotiating_on=entered)
    set_row(app, ids["noted"], last_note_on=date(2026, 6, 5))
    set_row(app, ids["withdrawn"], status="withdrawn")
    client = clients["viewer"]
    assert sections(client)["stalled"] == [ids["turned_red"], ids["turned_yellow"]]
    text = client.get("/reports/weekly?week=2026-06-01").get_data(as_text=True)
    assert f'data-project-id="{ids["turned_red"]}" data-warning="red"' in text
    assert f'data-project-id="{ids["turned_yellow"]}" data-warning="yellow"' in text
    assert "35 天" in text  # why: no update for 35 days
    turned_red = re.search(rf'<tr data-project-id="{ids["turned_red"]}".*?</tr>', text, re.S)
    assert "黄灯</span> → <span" in turned_red.group(0)
    # The week before, "already_yellow" turned yellow (after 30 days on 20 May).
    assert ids["already_yellow"] in sections(client, "2026-05-20")["stalled"]


def test_the_week_runs_monday_to_sunday_and_defaults_to_this_one(app, clients, counties):
    from wallchart.core.timeutil import today

    this_week = weekly.week_of(today())
    assert this_week.start.weekday() == 0 and this_week.end.weekday() == 6
    assert this_week.start <= today() <= this_week.end
    text = clients["viewer"].get("/reports/weekly").get_data(as_text=True)
    assert this_week.start.isoformat() in text and this_week.end.isoformat() in text
    assert weekly.week_of(date(2026, 6, 7)) == WEEK == weekly.week_of(date(2026, 6, 1))
    assert f'href="/reports/weekly?week={WEEK.previous.start.isoformat()}"' in \
        clients["viewer"].get("/reports/weekly?week=2026-06-05").get_data(as_text=True)


@pytest.mark.parametrize("week", ["2026-02-30", "next monday", "2026-6-1", "3000-01-01"])
def test_an_invalid_week_is_refused_with_a_reason(clients, counties, week):
    response = clients["viewer"].get("/reports/weekly", query_string={"week": week})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "周次无效" in text and 'role="alert"' in text and 'aria-invalid="true"' in text


def test_two_statements_whatever_the_week_holds(app, make_project):
    for number in range(6):
        project_id = make_project(f"项目{number}")["id"]
        add_event(app, project_id, FIRST_MOMENT, "moved", "contact", "negotiating")
        set_row(app, project_id, stage="negotiating", stage_entered_at=date(2026, 5, 3))
    statements = []
    with app.test_request_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731 (args[2]: the SQL)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            changes = weekly.changes(WEEK)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len(changes.advanced) == 6 and len(changes.stalled) == 6
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects
