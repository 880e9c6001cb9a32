"""Several server processes behind one Redis queue: a change made on one reaches screens on all."""

from __future__ import annotations

import os
import queue
import uuid

import pytest
import requests
import socketio

from tests.conftest import PASSWORD, LiveServer, csrf_token_of

pytestmark = pytest.mark.live
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not answering at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI starts it in .ci/run)")
        pytest.skip(message)


@pytest.fixture
def two_servers(tmp_path, seeded_db):
    _redis_or_skip()
    shared = {"WALLCHART_MESSAGE_QUEUE": REDIS_URL,
              "WALLCHART_MESSAGE_QUEUE_CHANNEL": f"wallchart-test-{uuid.uuid4().hex}"}
    (tmp_path / "a").mkdir()
    first = LiveServer(tmp_path / "a", seeded_db, shared)
    database = {"WALLCHART_DATABASE_URL": first.env["WALLCHART_DATABASE_URL"]}
    (tmp_path / "b").mkdir()
    second = LiveServer(tmp_path / "b", seeded_db, {**shared, **database})
    servers = [first.start(), second.start()]
    yield servers
    for server in servers:
        server.stop()


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
                            json={"stage": "signed", "version": created["version"]})
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
