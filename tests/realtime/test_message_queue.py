"""Several server processes behind one Redis queue: a change made on one reaches screens on all."""

from __future__ import annotations

import queue

import pytest
import requests
import socketio

from tests.helpers import PASSWORD, csrf_token_of
from tests.live import LiveServer

pytestmark = pytest.mark.live


def _signed_in(server: LiveServer, username: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token_of(session.get(server.url + "/login", timeout=10).text)
    session.post(server.url + "/login", timeout=10, data={
        "username": username, "password": PASSWORD, "csrf_token": token})
    session.headers["X-CSRFToken"] = csrf_token_of(session.get(server.url + "/board").text)
    return session


def test_a_move_on_one_process_reaches_screens_on_the_other(two_servers):
    first, second = two_servers
    wall_path = first.flask("display", "create", "大厅").strip().splitlines()[-1]
    token = wall_path.split("token=")[1]
    received: queue.Queue = queue.Queue()
    screen = socketio.Client(reconnection=False)
    screen.on("project", received.put)
    screen.connect(second.url, auth={"token": token}, transports=["websocket"],
                   wait_timeout=10)
    try:
        member = _signed_in(first, "member")
        created = member.post(first.url + "/api/projects", json={"name": "跨进程项目"},
                              timeout=10).json()
        moved = member.post(f"{first.url}/api/projects/{created['id']}/move", timeout=10,
                            json={"stage": "signed", "version": created["version"],
                                  "investment_wan": 50000})
        assert moved.status_code == 200
        events = [received.get(timeout=5), received.get(timeout=5)]
        assert [e["action"] for e in events] == ["created", "moved"]
        assert events[1]["revision"] == events[0]["revision"] + 1
        assert events[1]["stage"] == "signed" and "跨进程项目" in events[1]["html"]
        # The second process reads the same database: the card is where the first put it.
        viewer = _signed_in(second, "viewer")
        assert viewer.get(f"{second.url}/api/projects/{created['id']}",
                          timeout=10).json()["stage"] == "signed"
    finally:
        screen.disconnect()
