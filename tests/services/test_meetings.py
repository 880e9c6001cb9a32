"""Scheduling meetings (调度会), the service: preparing one with an agenda that starts with the
open decisions of earlier meetings, setting and reordering the agenda, and decisions that
open blockers of their projects (in the history, on the card, in the city's list), each with
its state for the follow-up (督办)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import OTHER_TEAM, actor, all_rows
from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.models import AuditEntry, Blocker, Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reads import meetings as meeting_reads
from wallchart.services import blockers, meetings


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def decision(project: int, **fields) -> dict:
    return {"project_id": project, "text": "协调解决用地指标", "department": "市自然资源和规划局",
            "due": days(14), "follow_up": "王科长", **fields}


def agenda_of(meeting_id: int) -> list[int]:
    return [item.project_id for item in meeting_reads.find_meeting(meeting_id).items]


def test_a_lead_prepares_a_meeting_with_attendees_and_an_agenda(app, make_project):
    a, b = make_project("a")["id"], make_project("b")["id"]
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "十二月项目调度会", "date": days(1), "attendees": ["lead", "member"],
            "guests": "分管副市长", "agenda": [b, a, b]})
        assert agenda_of(meeting.id) == [b, a]
        found = meeting_reads.find_meeting(meeting.id)
        assert [user.username for user in found.attendees] == ["lead", "member"]
        assert found.guests == "分管副市长" and found.created_by.username == "lead"
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "meeting.create")).scalar_one()
        assert entry.details["agenda"] == [b, a] and entry.actor.username == "lead"


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_only_leads_and_admins_prepare_meetings(app, make_project, who):
    with app.app_context(), pytest.raises(Forbidden):
        meetings.create_meeting(actor(who), {"title": "会", "date": days(1)})


@pytest.mark.parametrize("data, field", [
    ({"date": days(1)}, "title"),
    ({"title": "会"}, "date"),
    ({"title": "会", "date": "2026-02-30"}, "date"),
    ({"title": "会", "date": "1999-12-31"}, "date"),
    ({"title": "会\n二", "date": days(1)}, "title"),
    ({"title": "会", "date": days(1), "agenda": "1,2"}, "agenda"),
    ({"title": "会", "date": days(1), "agenda": [True]}, "agenda"),
    ({"title": "会", "date": days(1), "agenda": [999999]}, "agenda"),
    ({"title": "会", "date": days(1), "agenda": [2**63]}, "agenda"),
    ({"title": "会", "date": days(1), "attendees": ["nobody"]}, "attendees"),
    ({"title": "会", "date": days(1), "attendees": ["ad\x00min"]}, "attendees"),
    ({"title": "会", "date": days(1), "attendees": "admin"}, "attendees"),
    ({"title": "会", "date": days(1), "colour": "red"}, "colour"),
])
def test_a_bad_meeting_is_refused_and_nothing_is_written(app, make_project, data, field):
    before = all_rows(app)
    with app.app_context(), pytest.raises(Invalid) as refused:
        meetings.create_meeting(actor("lead"), data)
    assert field in refused.value.fields or field == "colour"
    assert all_rows(app) == before


def test_a_decision_opens_a_blocker_in_the_history_with_the_meeting_as_its_source(
        app, make_project):
    p = make_project("a")["id"]
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [p]})
        blocker = meetings.add_decision(actor("lead"), meeting.id, decision(p))
        project = db.session.get(Project, p)
        assert project.open_blockers == 1 and project.blocker_due == today() + timedelta(14)
        assert (blocker.status, blocker.kind, blocker.department, blocker.follow_up) == (
            "open", "other", "市自然资源和规划局", "王科长")
        assert blocker.meeting_id == meeting.id and blocker.description == "协调解决用地指标"
        event = db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == p, ProjectEvent.action == "blocker_raised")).scalar_one()
        assert event.changes["meeting"] == meeting.id
        assert event.changes["meeting_title"] == "调度会" and event.user.username == "lead"
        listed = blockers.city_list()
        assert [(b.id, b.meeting.title) for b in listed] == [(blocker.id, "调度会")]


def test_a_decision_is_announced_to_the_screens(app, make_project, monkeypatch):
    from wallchart.services import events

    p = make_project("a")["id"]
    heard = []
    monkeypatch.setattr(events, "_listeners", [heard.append])
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [p]})
        assert heard == []  # preparing a meeting changes no card
        meetings.add_decision(actor("member"), meeting.id, decision(p))
    assert [(a.project.id, a.action) for a in heard] == [(p, "blocker_raised")]


def test_who_may_add_decisions(app, make_project):
    mine = make_project("a")["id"]
    with app.app_context():
        theirs = make_project("b")["id"]
    with app.app_context():
        from wallchart.services.projects import create_project
        other = create_project(actor("outsider"), {
            "name": "二组项目", "investor": "投资方", "investment_wan": 100, "county": "鹤城区",
            "sector": "industry", "team": OTHER_TEAM}).id
        meeting = meetings.create_meeting(actor("admin"), {
            "title": "调度会", "date": days(0), "agenda": [mine, theirs, other]})
        meetings.add_decision(actor("member"), meeting.id, decision(mine))
        meetings.add_decision(actor("lead"), meeting.id, decision(other))  # leads run meetings
        for who, project in (("member", other), ("viewer", mine), ("outsider", mine)):
            with pytest.raises(Forbidden):
                meetings.add_decision(actor(who), meeting.id, decision(project))
        assert db.session.get(Project, other).open_blockers == 1


@pytest.mark.parametrize("fields, field", [
    ({"text": ""}, "text"),
    ({"department": " "}, "department"),
    ({"due": ""}, "due"),
    ({"due": "2026-13-01"}, "due"),
    ({"due": "yesterday"}, "due"),
    ({"kind": "weather"}, "kind"),
    ({"follow_up": "x" * 65}, "follow_up"),
    ({"text": "进" * 2001}, "text"),
    ({"project_id": "1"}, "project_id"),
    ({"extra": 1}, "extra"),
])
def test_a_bad_decision_is_refused_and_nothing_is_written(app, make_project, fields, field):
    p = make_project("a")["id"]
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [p]})
    if fields.get("due") == "yesterday":
        fields = {"due": days(-1)}
    before = all_rows(app)
    with app.app_context(), pytest.raises(Invalid) as refused:
        meetings.add_decision(actor("lead"), meeting.id, decision(p, **fields))
    assert field in refused.value.fields or field == "extra"
    assert all_rows(app) == before


def test_a_decision_needs_its_project_on_the_agenda_and_the_meeting_to_exist(app, make_project):
    a, b = make_project("a")["id"], make_project("b")["id"]
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [a]})
        with pytest.raises(Invalid):
            meetings.add_decision(actor("lead"), meeting.id, decision(b))
        with pytest.raises(NotFound):
            meetings.add_decision(actor("lead"), meeting.id + 100, decision(a))


def test_the_agenda_is_set_reordered_and_trimmed(app, make_project):
    a, b, c = (make_project(n)["id"] for n in "abc")
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [a, b]})
        meetings.set_agenda(actor("lead"), meeting.id, [c, b, a])
        assert agenda_of(meeting.id) == [c, b, a]
        meetings.set_agenda(actor("admin"), meeting.id, [b])
        assert agenda_of(meeting.id) == [b]
        with pytest.raises(Invalid):
            meetings.set_agenda(actor("lead"), meeting.id, [b])  # nothing changed
        with pytest.raises(Forbidden):
            meetings.set_agenda(actor("member"), meeting.id, [a])
        with pytest.raises(NotFound):
            meetings.set_agenda(actor("lead"), 999999, [a])
        entries = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "meeting.agenda").order_by(AuditEntry.id)).scalars().all()
        assert [entry.details["agenda"] for entry in entries] == [[[a, b], [c, b, a]],
                                                                   [[c, b, a], [b]]]


def test_the_next_agenda_starts_with_the_decisions_still_open(app, make_project):
    a, b, c = (make_project(n)["id"] for n in "abc")
    with app.app_context():
        first = meetings.create_meeting(actor("lead"), {
            "title": "十一月调度会", "date": days(-20), "agenda": [a, b, c]})
        done = meetings.add_decision(actor("lead"), first.id, decision(a))
        meetings.add_decision(actor("lead"), first.id, decision(c, due=days(3)))
        meetings.add_decision(actor("lead"), first.id, decision(b, due=days(9)))
        blockers.resolve_blocker(actor("lead"), done.id, done.version, "已解决")
        second = meetings.create_meeting(actor("lead"), {
            "title": "十二月调度会", "date": days(0), "agenda": [a]})
        assert agenda_of(second.id) == [c, b, a]
        assert [d.project_id for d in meeting_reads.open_decisions(second)] == [c, b]


def test_a_decisions_state_is_open_done_or_overdue(app, make_project):
    a, b, c = (make_project(n)["id"] for n in "abc")
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [a, b, c]})
        open_ = meetings.add_decision(actor("lead"), meeting.id, decision(a, due=days(0)))
        done = meetings.add_decision(actor("lead"), meeting.id, decision(b))
        late = meetings.add_decision(actor("lead"), meeting.id, decision(c, due=days(1)))
        blockers.resolve_blocker(actor("lead"), done.id, done.version, "已办结")
        day = today()
        assert meeting_reads.decision_state(open_, day) == "open"
        assert meeting_reads.decision_state(done, day) == "done"
        assert meeting_reads.decision_state(late, day + timedelta(2)) == "overdue"
        counts = meeting_reads.decision_counts(day + timedelta(2))[meeting.id]
        assert dict(counts) == {"overdue": 2, "done": 1}


def test_a_withdrawn_project_takes_no_decision_and_no_new_place(app, make_project):
    a, b = make_project("a")["id"], make_project("b")["id"]
    with app.app_context():
        from wallchart.services.projects import withdraw_project
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [a]})
        withdraw_project(actor("lead"), a, db.session.get(Project, a).version, "duplicate")
        withdraw_project(actor("lead"), b, db.session.get(Project, b).version, "duplicate")
        with pytest.raises(Invalid):
            meetings.add_decision(actor("lead"), meeting.id, decision(a))
        with pytest.raises(Invalid):
            meetings.set_agenda(actor("lead"), meeting.id, [a, b])
        assert db.session.execute(select(Blocker)).first() is None


def test_the_weekly_report_and_the_walls_attention_follow_the_decisions_up(app, make_project):
    from wallchart.reports import wall_views, weekly

    a, b, c = (make_project(n)["id"] for n in "abc")
    with app.app_context():
        meeting = meetings.create_meeting(actor("lead"), {
            "title": "调度会", "date": days(0), "agenda": [a, b, c]})
        due_now = meetings.add_decision(actor("lead"), meeting.id, decision(a, due=days(0)))
        done = meetings.add_decision(actor("lead"), meeting.id, decision(b, due=days(90)))
        meetings.add_decision(actor("lead"), meeting.id, decision(c, due=days(90)))  # later
        blockers.resolve_blocker(actor("lead"), done.id, done.version, "已办结")
        found = weekly.changes(weekly.week_of(today())).decisions
        assert [(blocker.id, state) for blocker, state in found] == [
            (due_now.id, "open"), (done.id, "done")]
        next_week = weekly.changes(weekly.week_of(today() + timedelta(7))).decisions
        assert (due_now.id, "open") in [(blocker.id, state) for blocker, state in next_week]
        rows = wall_views._blockers(today() + timedelta(3))
        assert sorted((row["decision"], row["late"]) for row in rows) == [
            (True, False), (True, True)]
