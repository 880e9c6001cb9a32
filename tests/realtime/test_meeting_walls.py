"""Meeting mode on the walls the chair chose (issue 16), with real Socket.IO clients: a chosen
staff wall and a chosen lobby wall follow him, the county ranking and the blocker list included;
a wall not chosen hears nothing but "not you" and keeps its rotation; a wall that loads or
reconnects learns from its first HTML (or its summary) whether it is in the meeting. A lobby
wall never receives what its profile hides."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.helpers import actor, socket_client
from wallchart.core.models import DisplayToken, Project
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import accounts, blockers, meetings

SECRET_INVESTOR = "绝密资本控股集团"


@pytest.fixture
def walls(app) -> dict[str, str]:
    """Tokens of three walls: the meeting room's, the corridor's, the lobby's."""
    with app.app_context():
        return {"room": accounts.create_display_token(None, "会议室大屏"),
                "corridor": accounts.create_display_token(None, "走廊大屏"),
                "lobby": accounts.create_display_token(None, "大厅大屏", {"profile": "lobby"})}


def wall_id(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(select(DisplayToken.id).where(
            DisplayToken.name == name)).scalar_one()


@pytest.fixture
def meeting(app, make_project) -> int:
    secret = make_project("保密合作项目", investor=SECRET_INVESTOR, county="鹤城区")["id"]
    public = make_project("公开项目", county="鹤城区")["id"]
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == secret).values(confidential=True))
        db.session.commit()
        blockers.raise_blocker(actor("member"), secret, {
            "kind": "land", "department": "自然资源局", "description": "用地红线待调整"})
        return meetings.create_meeting(actor("lead"), {
            "title": "十二月调度会", "date": today().isoformat(), "agenda": [secret, public]}).id


def meeting_messages(client) -> list[dict]:
    return [m["args"][0] for m in client.get_received() if m["name"] == "meeting"]


def test_only_the_chosen_walls_follow_the_chair_and_the_views_he_puts_up(app, walls, meeting):
    room = socket_client(app, auth={"token": walls["room"], "lang": "zh"})
    corridor = socket_client(app, auth={"token": walls["corridor"], "lang": "zh"})
    lobby = socket_client(app, auth={"token": walls["lobby"], "lang": "zh"})
    for client in (room, corridor, lobby):
        client.get_received()
    chosen = [wall_id(app, "会议室大屏"), wall_id(app, "大厅大屏")]
    with app.app_context():
        meetings.present(actor("lead"), meeting, 0, chosen)
    [on_room], [on_lobby] = meeting_messages(room), meeting_messages(lobby)
    assert "保密合作项目" in on_room["html"] and SECRET_INVESTOR in on_room["html"]
    assert "保密合作项目" in on_lobby["html"] and SECRET_INVESTOR not in on_lobby["html"]
    assert "用地红线待调整" not in on_lobby["html"]
    assert all(message["html"] is None for message in meeting_messages(corridor))

    with app.app_context():
        meetings.show_view(actor("lead"), meeting, "ranking")
    [on_room], [on_lobby] = meeting_messages(room), meeting_messages(lobby)
    assert 'data-view="ranking"' in on_room["html"] and "县市区排名" in on_room["html"]
    assert "鹤城区" in on_room["html"]
    assert 'data-view="ranking"' in on_lobby["html"] and "不含保密项目" in on_lobby["html"]
    assert all(message["html"] is None for message in meeting_messages(corridor))

    with app.app_context():
        meetings.show_view(actor("lead"), meeting, "attention")
    [on_room], [on_lobby] = meeting_messages(room), meeting_messages(lobby)
    assert 'data-view="attention"' in on_room["html"] and "自然资源局" in on_room["html"]
    assert 'data-view="attention"' in on_lobby["html"]
    assert "用地红线待调整" not in on_lobby["html"] and SECRET_INVESTOR not in on_lobby["html"]

    # A wall that loads (or reconnects and reads its summary) learns where it stands.
    web = app.test_client()
    page = web.get("/wall", query_string={"token": walls["room"]}).get_data(as_text=True)
    assert 'data-view="attention"' in page
    corridor_page = web.get("/wall", query_string={"token": walls["corridor"]})
    assert "meeting-screen" not in corridor_page.get_data(as_text=True)
    summary = web.get("/wall/summary", query_string={"token": walls["lobby"]})
    assert 'data-view="attention"' in summary.get_data(as_text=True)
    summary = web.get("/wall/summary", query_string={"token": walls["corridor"]})
    assert "meeting-screen" not in summary.get_data(as_text=True)

    with app.app_context():
        meetings.present(actor("lead"), meeting, 1)  # Next: back to the agenda
    [on_room], [on_lobby] = meeting_messages(room), meeting_messages(lobby)
    assert 'data-position="1"' in on_room["html"] and "公开项目" in on_room["html"]
    assert 'data-position="1"' in on_lobby["html"]

    with app.app_context():
        meetings.present(actor("lead"), meeting, None)
    assert [m["html"] for m in meeting_messages(room)] == [None]
    assert [m["html"] for m in meeting_messages(lobby)] == [None]
    page = web.get("/wall", query_string={"token": walls["room"]}).get_data(as_text=True)
    assert "meeting-screen" not in page
    for client in (room, corridor, lobby):
        client.disconnect()


def test_the_chair_chooses_walls_and_views_from_the_meeting_page(app, clients, walls, meeting):
    lead = clients["lead"]
    page = lead.get(f"/meetings/{meeting}").get_data(as_text=True)
    assert "在以下大屏演示" in page and "走廊大屏" in page and "大厅" in page
    corridor = wall_id(app, "走廊大屏")
    assert lead.post(f"/meetings/{meeting}/present", data={
        "position": "0", "choose_walls": "1"}).status_code == 422  # none chosen
    assert lead.post(f"/meetings/{meeting}/present", data={
        "position": "0", "choose_walls": "1", "display": ["x"]}).status_code == 422
    assert lead.post(f"/meetings/{meeting}/present", data={
        "position": "0", "choose_walls": "1", "display": [str(corridor)]}).status_code == 303
    with app.app_context():
        assert set(db.session.execute(select(DisplayToken.name).where(
            DisplayToken.in_meeting)).scalars()) == {"走廊大屏"}
    assert lead.post(f"/meetings/{meeting}/present", data={"view": "ranking"}).status_code == 303
    page = lead.get(f"/meetings/{meeting}").get_data(as_text=True)
    assert "大屏正在显示：县市区排名" in page and "显示协调事项清单" in page
    assert lead.post(f"/meetings/{meeting}/present", data={"view": "charts"}).status_code == 422
    assert clients["member"].post(f"/meetings/{meeting}/present",
                                  data={"view": "attention"}).status_code == 403
    assert lead.post(f"/meetings/{meeting}/present", data={"position": "stop"}).status_code == 303
