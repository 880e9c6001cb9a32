"""The weekly report: what changed from Monday 00:00 to Sunday 24:00 (Asia/Shanghai), from the
history rows; cards that turned yellow or red during the week."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event, update

from tests.helpers import actor
from wallchart.core.models import Blocker, Project, ProjectEvent
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


def add_blocker(app, project_id: int, entered: datetime, resolved_on: date | None = None,
                **fields) -> int:
    """A blocker as the services keep it, entered at a chosen time (and resolved on a day)."""
    values = {"kind": "land", "department": "市自然资源和规划局", "description": "用地指标未落实",
              "raised_on": entered.date(), **fields}
    with app.app_context():
        blocker = Blocker(project_id=project_id, created_at=entered, **values)
        if resolved_on:
            blocker.status, blocker.resolved_on, blocker.resolution = \
                "resolved", resolved_on, "已协调解决"
        db.session.add(blocker)
        db.session.commit()
        return blocker.id


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
    assert "2026年第23周（2026年6月1日至6月7日）" in text
    assert "本周没有新增项目。" in text


def reason_cells(text: str, key: str) -> list[str] | None:
    """The reason column of a section: its cells, or None when the section has no such column."""
    body = re.search(rf'<section[^>]*data-section="{key}".*?</section>', text, re.S).group(0)
    if "<th scope=\"col\">原因</th>" not in body:
        return None
    return re.findall(r'<td class="reason">([^<]*)</td>', body)


def test_the_reason_column_is_filled_or_left_out(app, clients, make_project):
    """A withdrawal reads its reason from the list with the comment; a move its reason, "—"
    where one move of several had none; a section where nobody gave one has no such column."""
    ids = {name: make_project(name)["id"] for name in
           ("created", "forward", "back", "back_silent", "withdrawn", "withdrawn_bare")}
    add_event(app, ids["created"], FIRST_MOMENT, "created", to_stage="contact")
    add_event(app, ids["forward"], FIRST_MOMENT, "moved", "negotiating", "signed")
    add_event(app, ids["back"], datetime(2026, 6, 4, 2), "moved", "signed", "negotiating",
              reason="资金未到位")
    add_event(app, ids["back_silent"], datetime(2026, 6, 4, 3), "moved", "signed", "contact")
    with app.app_context():
        from wallchart.services import projects

        for name, comment in (("withdrawn", "集团战略调整"), ("withdrawn_bare", None)):
            version = db.session.get(Project, ids[name]).version
            projects.withdraw_project(actor("lead"), ids[name], version, "investor_withdrew",
                                      comment)
        db.session.execute(update(ProjectEvent).where(ProjectEvent.action == "withdrawn")
                           .values(at=datetime(2026, 6, 5, 2)))
        db.session.commit()
    text = clients["viewer"].get("/reports/weekly?week=2026-06-01").get_data(as_text=True)
    assert reason_cells(text, "created") is None
    assert reason_cells(text, "advanced") is None
    assert reason_cells(text, "moved_back") == ["资金未到位", "—"]
    assert reason_cells(text, "withdrawn") == ["投资方放弃（集团战略调整）", "投资方放弃"]


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
    start, end = this_week.start, this_week.end
    assert f'value="{start.isoformat()}"' in text
    assert f"{start.year}年{start.month}月{start.day}日至" in text
    assert f"{end.month}月{end.day}日）" in text
    assert weekly.week_of(date(2026, 6, 7)) == WEEK == weekly.week_of(date(2026, 6, 1))
    assert f'href="/reports/weekly?week={WEEK.previous.start.isoformat()}"' in \
        clients["viewer"].get("/reports/weekly?week=2026-06-05").get_data(as_text=True)


@pytest.mark.parametrize("week", ["2026-02-30", "next monday", "2026-6-1", "3000-01-01"])
def test_an_invalid_week_is_refused_with_a_reason(clients, counties, week):
    response = clients["viewer"].get("/reports/weekly", query_string={"week": week})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "周次无效" in text and 'role="alert"' in text and 'aria-invalid="true"' in text


def test_four_statements_whatever_the_week_holds(app, make_project):
    for number in range(6):
        project_id = make_project(f"项目{number}")["id"]
        add_event(app, project_id, FIRST_MOMENT, "moved", "contact", "negotiating")
        set_row(app, project_id, stage="negotiating", stage_entered_at=date(2026, 5, 3))
        add_blocker(app, project_id, FIRST_MOMENT, resolved_on=date(2026, 6, 2) if number % 2
                    else None)
    statements = []
    with app.test_request_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731 (args[2]: the SQL)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            changes = weekly.changes(WEEK)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len(changes.advanced) == 6 and len(changes.stalled) == 6
    assert len(changes.blockers_raised) == 6 and len(changes.blockers_resolved) == 3
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4, selects


def test_blockers_raised_and_resolved_during_the_week(app, clients, make_project, counties):
    """Raised: entered during the week (the day it says it was raised may be earlier);
    resolved: closed during it. Deleted projects' blockers are left out."""
    ids = {name: make_project(name, county=counties[1])["id"] for name in
           ("甲项目", "乙项目", "已删除项目")}
    made = {
        "new": add_blocker(app, ids["甲项目"], FIRST_MOMENT, due_on=date(2026, 6, 20),
                           description="环评批复待办"),
        "noted_late": add_blocker(app, ids["乙项目"], LAST_MOMENT, raised_on=date(2026, 5, 20),
                                  kind="funding", department="市财政局"),
        "before": add_blocker(app, ids["甲项目"], LAST_MOMENT_BEFORE),
        "after": add_blocker(app, ids["甲项目"], FIRST_MOMENT_AFTER),
        "solved": add_blocker(app, ids["乙项目"], datetime(2026, 5, 1, 2),
                              raised_on=date(2026, 5, 1), resolved_on=date(2026, 6, 7)),
        "solved_later": add_blocker(app, ids["乙项目"], datetime(2026, 5, 1, 2),
                                    resolved_on=date(2026, 6, 8)),
        "gone": add_blocker(app, ids["已删除项目"], FIRST_MOMENT, resolved_on=date(2026, 6, 2)),
    }
    set_row(app, ids["已删除项目"], deleted_at=datetime(2026, 6, 3))
    text = clients["viewer"].get("/reports/weekly?week=2026-06-01").get_data(as_text=True)

    def listed(key):
        body = re.search(rf'<section[^>]*data-section="{key}".*?</section>', text, re.S).group(0)
        return body, [int(i) for i in re.findall(r'<tr data-blocker-id="(\d+)"', body)]

    raised, raised_ids = listed("blockers_raised")
    assert raised_ids == [made["noted_late"], made["new"]]  # by the day raised
    assert "新提出的协调事项" in raised and "2 项" in raised
    for cell in ("甲项目", counties[1], "用地", "市自然资源和规划局", "环评批复待办",
                 "2026-05-20", "2026-06-20", "资金", "市财政局"):
        assert cell in raised, cell
    resolved, resolved_ids = listed("blockers_resolved")
    assert resolved_ids == [made["solved"]]
    assert "已协调解决" in resolved and "2026-06-07" in resolved and ">37<" in resolved
    quiet = clients["viewer"].get("/reports/weekly?week=2026-05-11").get_data(as_text=True)
    assert "本周没有新提出的协调事项。" in quiet and "本周没有解决的协调事项。" in quiet
