"""Meeting mode (会议模式): the chair puts an agenda item on every wall and moves through the
agenda; each wall hears it live and shows it over its rotation, and its first HTML holds it too.
A lobby wall never receives a confidential project's investor or amount, nor any blocker's or
decision's text; a staff wall shows them. Stopping returns the walls to their rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.helpers import actor, socket_client
from wallchart.core.errors import Forbidden, Invalid
from wallchart.core.models import Meeting, Project
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import blockers, meetings

SECRET_INVESTOR = "绝密资本控股集团"
SECRET_WAN = 987_654


@pytest.fixture
def displays(app) -> dict[str, str]:
    from wallchart.services import accounts

    with app.app_context():
        return {"staff": accounts.create_display_token(None, "会议室大屏"),
                "lobby": accounts.create_display_token(None, "大厅大屏", {"profile": "lobby"})}


@pytest.fixture
def meeting(app, make_project) -> tuple[int, int, int]:
    """A meeting whose agenda is a confidential project with an open blocker and a decision,
    then an open one."""
    secret = make_project("保密合作项目", investor=SECRET_INVESTOR, investment_wan=SECRET_WAN)["id"]
    public = make_project("公开项目", investor="公开投资有限公司")["id"]
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == secret).values(confidential=True))
        db.session.commit()
        blockers.raise_blocker(actor("member"), secret, {
            "kind": "land", "department": "自然资源局", "description": "用地红线待调整"})
        found = meetings.create_meeting(actor("lead"), {
            "title": "十二月调度会", "date": today().isoformat(), "agenda": [secret, public]})
        meetings.add_decision(actor("lead"), found.id, {
            "project_id": secret, "text": "三日内完成红线调整", "department": "规划局",
            "due": (today() + timedelta(days=3)).isoformat()})
        return found.id, secret, public


def meeting_messages(client) -> list[dict]:
    return [m["args"][0] for m in client.get_received() if m["name"] == "meeting"]


def test_the_walls_follow_the_chair_and_a_lobby_never_learns_the_hidden(app, displays, meeting):
    meeting_id, secret, public = meeting
    staff = socket_client(app, auth={"token": displays["staff"], "lang": "zh"})
    lobby = socket_client(app, auth={"token": displays["lobby"], "lang": "zh"})
    staff.get_received(), lobby.get_received()
    with app.app_context():
        meetings.present(actor("lead"), meeting_id, 0)
    [on_staff] = meeting_messages(staff)
    [on_lobby] = meeting_messages(lobby)
    assert f'data-project-id="{secret}"' in on_staff["html"]
    assert SECRET_INVESTOR in on_staff["html"] and "用地红线待调整" in on_staff["html"]
    assert "三日内完成红线调整" in on_staff["html"] and "第 1 项，共 2 项" in on_staff["html"]
    assert f'data-project-id="{secret}"' in on_lobby["html"] and "保密合作项目" in on_lobby["html"]
    for hidden in (SECRET_INVESTOR, "98.77", "987,654", "用地红线待调整", "三日内完成红线调整"):
        assert hidden not in on_lobby["html"], hidden
    assert "自然资源局" in on_lobby["html"]  # who must act is on every wall's attention view

    with app.app_context():
        meetings.present(actor("admin"), meeting_id, 1)
    assert f'data-project-id="{public}"' in meeting_messages(lobby)[0]["html"]
    assert "公开投资有限公司" in meeting_messages(staff)[0]["html"]

    # A wall that starts now shows the item at once.
    page = app.test_client().get("/wall", query_string={"token": displays["lobby"]})
    assert 'id="meeting-pane"' in page.get_data(as_text=True)
    assert f'data-project-id="{public}"' in page.get_data(as_text=True)
    assert "meeting-mode" in page.get_data(as_text=True)
    # ... and one back after a drop gets it with its header and ticker.
    summary = app.test_client().get("/wall/summary", query_string={"token": displays["lobby"]})
    assert f'data-project-id="{public}"' in summary.get_data(as_text=True)

    with app.app_context():
        meetings.present(actor("lead"), meeting_id, None)
        assert db.session.get(Meeting, meeting_id).current_position is None
    assert meeting_messages(staff) == [{"html": None}]
    assert meeting_messages(lobby) == [{"html": None}]
    page = app.test_client().get("/wall", query_string={"token": displays["staff"]})
    assert 'id="meeting-pane" class="wall-meeting" aria-live="polite" hidden' in \
        page.get_data(as_text=True)
    summary = app.test_client().get("/wall/summary", query_string={"token": displays["lobby"]})
    assert 'id="meeting-pane" class="wall-meeting" aria-live="polite" hidden></section>' in \
        summary.get_data(as_text=True)


def test_a_decision_typed_while_on_the_walls_reaches_them(app, displays, meeting):
    meeting_id, secret, _public = meeting
    with app.app_context():
        meetings.present(actor("lead"), meeting_id, 0)
    staff = socket_client(app, auth={"token": displays["staff"], "lang": "zh"})
    staff.get_received()
    with app.app_context():
        meetings.add_decision(actor("member"), meeting_id, {
            "project_id": secret, "text": "督促企业补交材料", "department": "商务局",
            "due": (today() + timedelta(days=5)).isoformat()})
    assert "督促企业补交材料" in meeting_messages(staff)[-1]["html"]


def test_one_meeting_at_a_time_and_who_may_drive(app, meeting, make_project):
    meeting_id, secret, _public = meeting
    with app.app_context():
        other = meetings.create_meeting(actor("lead"), {
            "title": "专题会", "date": today().isoformat(), "agenda": [secret]})
        meetings.present(actor("lead"), meeting_id, 1)
        meetings.present(actor("lead"), other.id, 0)
        assert db.session.get(Meeting, meeting_id).current_position is None
        assert db.session.get(Meeting, other.id).current_position == 0
        for who in ("member", "viewer"):
            with pytest.raises(Forbidden):
                meetings.present(actor(who), other.id, 0)
        for position in (1, -1, "0", True):
            with pytest.raises(Invalid):
                meetings.present(actor("lead"), other.id, position)
        with pytest.raises(Invalid):
            meetings.present(actor("lead"), meeting_id, None)  # not on the walls
        meetings.set_agenda(actor("lead"), other.id, [])
        assert db.session.get(Meeting, other.id).current_position is None


def test_the_chair_drives_from_the_meeting_page(app, clients, meeting):
    meeting_id, secret, public = meeting
    lead = clients["lead"]
    page = lead.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "在大屏上演示" in page
    assert lead.post(f"/meetings/{meeting_id}/present", data={"position": "0"}).status_code == 303
    page = lead.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "大屏正在显示：第 1 项，共 2 项" in page
    assert lead.post(f"/meetings/{meeting_id}/present", data={"position": "1"}).status_code == 303
    assert lead.post(f"/meetings/{meeting_id}/present", data={"position": "2"}).status_code == 422
    assert clients["member"].post(f"/meetings/{meeting_id}/present",
                                  data={"position": "0"}).status_code == 403
    assert lead.post(f"/meetings/{meeting_id}/present",
                     data={"position": "stop"}).status_code == 303
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).current_position is None
