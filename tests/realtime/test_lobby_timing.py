"""A lobby screen cannot tell *when* a confidential project's hidden values changed.

Its socket hears only of the changes it can see, numbered by a revision of its own: an edit of
the investor, the amount, the Three-500 list or anything else its card does not show leaves a
lobby screen nothing at all (no card, no header, no ticker, no gap in its revision, no other
heartbeat, the same columns byte for byte), while staff screens get every change. Real
Socket.IO clients against ``python wsgi.py``.

``services.events.LOBBY_CARD_SHOWS`` names what a lobby sees of a confidential card; the first
test renders the lobby's card with every other attribute changed, so that the list cannot fall
behind the card.
"""

from __future__ import annotations

import queue
import re
import time
from datetime import date, datetime, timedelta

import pytest
import requests
import socketio
from sqlalchemy import inspect, select

from tests.live import LiveServer, Person, create, expect
from wallchart.core.models import Project
from wallchart.extensions import db
from wallchart.reads import card_cache
from wallchart.services import events

pytestmark = pytest.mark.live

#: Heartbeats this often in the test's server: a lobby must hear the same revision in them.
HEARTBEAT_SECONDS = 1


def _other(value, column_type, session, relationship=None):
    """A value unlike ``value`` for an attribute of this type."""
    if relationship is not None:
        if value is not None:
            return None
        return session.execute(select(relationship.mapper.class_)).scalars().first()
    python = column_type.python_type
    if python is bool:
        return not value
    if python is int:
        return (value or 0) + 7
    if python is float:
        return (value or 0.0) + 7.5
    if python is datetime:
        return (value or datetime(2020, 1, 1)) - timedelta(days=3)
    if python is date:
        return (value or date(2020, 1, 1)) - timedelta(days=3)
    return (value or "") + "变"


@pytest.mark.parametrize("warned", [False, True], ids=["quiet card", "red card"])
def test_no_attribute_outside_the_list_changes_a_lobby_card(app, make_project, warned):
    from flask_babel import force_locale

    made = make_project("保密项目", confidential=True, three500="fortune_global",
                        next_step="回访", investment_wan=987_654)
    with app.app_context(), app.test_request_context(), db.session.no_autoflush:
        project = db.session.get(Project, made["id"])
        if warned:  # idle, next step and blocker overdue, past its promised start: every lamp lit
            project.stage_entered_at = date(2020, 1, 1)
            project.next_step_due = date(2020, 2, 1)
            project.open_blockers, project.blocker_due = 1, date(2020, 3, 1)
            project.stage, project.promised_start_on = "signed", date(2020, 4, 1)

        def cards() -> list[str]:
            found = []
            for locale in app.config["LANGUAGES"]:
                with force_locale(locale):
                    found.append(card_cache.render(project, "wall", redact=True))
            return found

        seen = cards()
        mapper = inspect(Project)
        others = [prop.key for prop in mapper.attrs
                  if prop.key not in events.LOBBY_CARD_SHOWS and prop.key != "id"]
        assert {"investor", "investment_wan", "three500", "version"} <= set(others)
        for name in others:
            before = getattr(project, name)
            relationship = mapper.relationships.get(name)
            column_type = None if relationship else mapper.columns[name].type
            setattr(project, name, _other(before, column_type, db.session, relationship))
            assert cards() == seen, f"{name} shows on a lobby's card: add it to LOBBY_CARD_SHOWS"
            setattr(project, name, before)
        db.session.rollback()


# --- over a real socket -------------------------------------------------------------------------

class Recorder:
    """A real ``socketio.Client`` that keeps every event it receives, in order."""

    def __init__(self, server: LiveServer, *, auth: dict | None = None,
                 cookie: str | None = None):
        headers = {"Cookie": cookie, "Origin": server.url} if cookie else {}
        self.client = socketio.Client(reconnection=False, websocket_extra_options={
            "suppress_origin": bool(cookie)})
        self.got: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.client.on("*", lambda event, data=None: self.got.put((event, data)))
        self.client.on("hello", lambda data: self.got.put(("hello", data)))
        self.client.connect(server.url, headers=headers, auth=auth, transports=["websocket"],
                            wait_timeout=5)
        self.hello = self.next("hello")

    def next(self, name: str, timeout: float = 10) -> dict:
        """The next ``name`` event (those before it are dropped)."""
        return self.until(name, timeout=timeout)[-1][1]

    def until(self, name: str, where=lambda data: True,
              timeout: float = 10) -> list[tuple[str, dict]]:
        """Every event received up to and including the next ``name`` event that ``where``
        accepts: what this screen heard before that one, in order."""
        heard = []
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event, data = self.got.get(timeout=left)
            except queue.Empty:
                break
            heard.append((event, data))
            if event == name and where(data):
                return heard
        raise AssertionError(f"no {name} within {timeout} s: {heard}")


@pytest.fixture
def server(tmp_path, databases, seeded_db):
    live_server = LiveServer(tmp_path, seeded_db, {
        "WALLCHART_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)})
    live_server.start()
    yield live_server
    live_server.drop_database()


def display(server: LiveServer, name: str, profile: str) -> str:
    """A display token of this profile."""
    path = server.flask("display", "create", name, "--profile", profile).strip().splitlines()[-1]
    return path.split("=", 1)[1]


def columns_of(server: LiveServer, token: str) -> str:
    response = requests.get(server.url + "/wall/columns", params={"token": token}, timeout=10)
    assert response.status_code == 200
    return response.text


def revision_of(html: str) -> int:
    return int(re.search(r'data-revision="(\d+)"', html).group(1))


def test_a_lobby_hears_nothing_of_a_change_it_cannot_see(server):
    lobby_token, staff_token = (display(server, name, profile)
                                for name, profile in (("大厅", "lobby"), ("内部", "staff")))
    member = Person(server, "member")
    secret = create(member, "保密合作项目", confidential=True, investor="绝密资本控股集团",
                    investment_wan=987_654)
    lobby = Recorder(server, auth={"token": lobby_token})
    staff_wall = Recorder(server, auth={"token": staff_token})
    board = Recorder(server, cookie=member.cookie)
    lobby_columns = columns_of(server, lobby_token)
    assert revision_of(lobby_columns) == lobby.hello["revision"]
    # A heartbeat on each screen: whatever was sent before (the connection's own) is behind.
    for screen in (lobby, staff_wall, board):
        screen.next("heartbeat")

    # Every hidden value, and what no card shows, one edit each.
    version = secret["version"]
    hidden = [{"investor": "另一家资本集团"}, {"investment_wan": 1_000},
              {"three500": "fortune_global"}, {"description": "第二期用地"},
              {"contact_person": "王经理"}, {"land_mu": 300}]
    for change in hidden:
        response = member.api("PATCH", f"/projects/{secret['id']}",
                              json={"version": version, **change})
        version = expect(response, 200).json()["version"]
    board_revision = board.hello["revision"] + len(hidden)

    # The staff screens hear of each edit; the staff wall gets its header once the burst is
    # read (the walls' refresh that would have told a lobby room in the same breath).
    at_last = lambda data: data["revision"] == board_revision  # noqa: E731
    for screen, last in ((board, "project"), (staff_wall, "indicators")):
        pushed = [data for event, data in screen.until(last, at_last) if event == "project"]
        assert [data["action"] for data in pushed] == ["updated"] * len(hidden)
        assert pushed[-1]["revision"] == board_revision
    # A heartbeat read after every edit: the lobby's revision has not moved.
    heard = lobby.until("heartbeat")
    assert columns_of(server, lobby_token) == lobby_columns

    # The sentinel, a change a lobby can see: the next lobby revision, then its header. All the
    # lobby heard before it is heartbeats at the revision it was greeted with.
    response = member.api("PATCH", f"/projects/{secret['id']}",
                          json={"version": version, "name": "保密合作项目（二期）"})
    expect(response, 200)
    heard += lobby.until("project")
    *before, (_event, pushed) = heard
    assert {event for event, _data in before} == {"heartbeat"}, before
    assert {data["revision"] for _event, data in before} == {lobby.hello["revision"]}
    assert pushed["revision"] == lobby.hello["revision"] + 1 and "version" not in pushed
    assert "保密合作项目（二期）" in pushed["html"] and "绝密" not in pushed["html"]
    assert lobby.next("indicators")["revision"] == pushed["revision"]
    assert revision_of(columns_of(server, lobby_token)) == pushed["revision"]
    assert board.next("project")["revision"] == board_revision + 1
