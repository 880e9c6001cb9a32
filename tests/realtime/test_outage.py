"""A Redis outage degrades and says so: sign-in and writes go on, throttling counts per process,
screens stop hearing the heartbeat, and push comes back by itself with Redis.

Each test starts a Redis of its own on a free port (the machine's one on 6379 is shared and never
stopped) and two real server processes (``python wsgi.py``) that use it as their message queue.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest
import redis
import requests
import socketio

from tests.databases import run_sql
from tests.helpers import PASSWORD, csrf_token_of, make_app, post_login
from tests.live import HEARTBEAT_SECONDS, LiveServer, start_two_servers, wait_until

pytestmark = pytest.mark.live

FALLBACK_LOGGED = "Sign-in throttling falls back to counts in this process only"
#: What python-socketio's Redis manager logs for each message it could not publish.
LOST = "Cannot publish to redis... giving up"
#: The rooms a beat goes to behind a queue (the process's lobby screens and its others): each
#: beat lost in an outage is this many lines of ``LOST``.
ROOMS_PER_BEAT = 2


@pytest.fixture
def servers_on_own_redis(tmp_path, seeded_db, own_redis) -> Iterator[list[LiveServer]]:
    servers = start_two_servers(tmp_path, seeded_db, own_redis.url)
    yield servers
    for server in servers:
        server.stop()


def sign_in(server: LiveServer, username: str, password: str = PASSWORD) -> requests.Response:
    """Post the sign-in form as a browser would; the answer, not followed."""
    session = requests.Session()
    token = csrf_token_of(session.get(server.url + "/login", timeout=10).text)
    response = session.post(server.url + "/login", timeout=15, allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": token})
    response.session = session  # type: ignore[attr-defined]
    return response


def signed_in(server: LiveServer, username: str) -> requests.Session:
    response = sign_in(server, username)
    assert response.status_code == 302, response.text
    session = response.session  # type: ignore[attr-defined]
    session.headers["X-CSRFToken"] = csrf_token_of(session.get(server.url + "/board").text)
    return session


class Screen:
    """A python-socketio client on a wall display token, keeping what it hears."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self.heartbeats: queue.Queue = queue.Queue()
        self.projects: queue.Queue = queue.Queue()
        #: The names of the events heard, in the order they came.
        self.heard: list[str] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("heartbeat", lambda data: self._keep("heartbeat", data, self.heartbeats))
        self.client.on("project", lambda data: self._keep("project", data, self.projects))
        self.client.connect(server.url, auth={"token": token}, transports=["websocket"],
                            wait_timeout=10)

    def _keep(self, name: str, data: dict, into: queue.Queue) -> None:
        self.heard.append(name)
        into.put(data)

    def beat_at(self, revision: int, within: float) -> dict | None:
        """The first heartbeat at ``revision`` heard within ``within`` seconds, or None."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                beat = self.heartbeats.get(timeout=left)
            except queue.Empty:
                return None
            if beat["revision"] == revision:
                return beat
        return None


def lost_beats(server: LiveServer) -> int:
    """How many heartbeats this process could not send (its log says so, room by room)."""
    return server.log.read_text(errors="replace").count(LOST) // ROOMS_PER_BEAT


def drain(q: queue.Queue) -> list:
    items = []
    while not q.empty():
        items.append(q.get_nowait())
    return items


def display_token(server: LiveServer) -> str:
    return server.flask("display", "create", "大厅").strip().splitlines()[-1].split("token=")[1]


def stored_revision(server: LiveServer) -> int:
    """The board's revision as the database holds it."""
    [(revision,)] = run_sql(server.database_url, "SELECT revision FROM board_state")
    return revision


def move(session: requests.Session, server: LiveServer, project: dict, stage: str,
         **fields) -> requests.Response:
    current = session.get(f"{server.url}/api/projects/{project['id']}", timeout=10).json()
    return session.post(f"{server.url}/api/projects/{project['id']}/move", timeout=15,
                        json={"stage": stage, "version": current["version"], **fields})


def test_a_redis_outage_degrades_and_live_push_recovers(servers_on_own_redis, own_redis):
    first, second = servers_on_own_redis
    screen = Screen(second, display_token(second))
    try:
        member = signed_in(first, "member")
        project = member.post(first.url + "/api/projects", json={"name": "断线测试项目"},
                              timeout=10).json()
        # The heartbeat carries the board's revision, through the queue, to the other process.
        before = stored_revision(first)
        assert before >= 1 and screen.beat_at(before, within=5 * HEARTBEAT_SECONDS)

        own_redis.kill()

        # Sign-in goes on in both processes, each saying in its log that it counts alone.
        for server in (first, second):
            response = sign_in(server, "viewer")
            assert response.status_code == 302, response.text
            assert response.headers["Location"].endswith("/board")
            assert FALLBACK_LOGGED in server.log.read_text()
        # A write commits and answers as usual; the push it could not send is logged, not raised.
        moved = move(member, first, project, "negotiating")
        assert moved.status_code == 200, moved.text
        viewer = signed_in(second, "viewer")
        stored = viewer.get(f"{second.url}/api/projects/{project['id']}", timeout=10).json()
        assert stored["stage"] == "negotiating" and stored["version"] == moved.json()["version"]
        assert stored_revision(first) == before + 1
        # The screen on the other process hears no heartbeat while the queue is down, though
        # that process goes on beating (its log counts the beats it lost). Once one beat is
        # lost, whatever was on its way has come; two more lost beats, then the sentinel: a
        # change made on that process, which its own screens hear without the queue. Nothing
        # came in between.
        assert wait_until(lambda: lost_beats(second) >= 1, timeout=10 * HEARTBEAT_SECONDS)
        mark, lost = len(screen.heard), lost_beats(second)
        assert wait_until(lambda: lost_beats(second) >= lost + 2, timeout=10 * HEARTBEAT_SECONDS)
        drain(screen.projects)
        nearby = move(signed_in(second, "member"), second, project, "contact")
        assert nearby.status_code == 200, nearby.text
        event = screen.projects.get(timeout=10)
        assert (event["id"], event["stage"]) == (project["id"], "contact")
        assert screen.heard[mark:screen.heard.index("project", mark)] == []
        assert screen.client.connected

        own_redis.start()

        # Push comes back by itself (each process's listener retries at growing intervals):
        # first the heartbeat, with the revision the outage hid ...
        assert screen.beat_at(before + 2, within=40), "no heartbeat after Redis came back"
        # ... then a change made on the first process reaches the screen on the second.
        drain(screen.projects)
        again = move(member, first, project, "negotiating")
        assert again.status_code == 200, again.text
        event = screen.projects.get(timeout=10)
        assert (event["id"], event["stage"]) == (project["id"], "negotiating")
        assert event["revision"] == stored_revision(first) == before + 3
    finally:
        screen.client.disconnect()


def test_throttling_counts_per_process_while_redis_is_down(tmp_path, seeded_db, own_redis):
    first, second = start_two_servers(
        tmp_path, seeded_db, own_redis.url,
        WALLCHART_SIGN_IN_LIMIT_PER_ADDRESS_AND_ACCOUNT="3 per minute")
    try:
        own_redis.kill()
        answers = [sign_in(first, "member", "wrong password").status_code for _ in range(4)]
        assert answers == [401, 401, 401, 429]
        # The right password is refused too once over the limit: a refusal tells nothing.
        assert sign_in(first, "member").status_code == 429
        # The other process counts on its own while the shared counts are away.
        assert sign_in(second, "member", "wrong password").status_code == 401
        assert sign_in(second, "member").status_code == 302
        assert FALLBACK_LOGGED in first.log.read_text()
    finally:
        for server in (first, second):
            server.stop()


def test_one_process_without_a_queue_beats_too(tmp_path, seeded_db):
    server = LiveServer(tmp_path, seeded_db,
                        {"WALLCHART_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)}).start()
    screen = Screen(server, display_token(server))
    try:
        member = signed_in(server, "member")
        created = member.post(server.url + "/api/projects", json={"name": "心跳项目"},
                              timeout=10)
        assert created.status_code == 201 and stored_revision(server) == 1
        assert screen.beat_at(1, within=5 * HEARTBEAT_SECONDS)
    finally:
        screen.client.disconnect()
        server.stop()


def test_throttling_counts_in_redis_again_once_it_answers(instance, own_redis, monkeypatch,
                                                          caplog):
    from wallchart.web import ratelimits

    monkeypatch.setattr(ratelimits, "STORAGE_RETRY_SECONDS", 0)
    monkeypatch.setenv("WALLCHART_RATELIMIT_STORAGE", own_redis.url)
    app = make_app()
    shared = redis.Redis.from_url(own_redis.url)
    client = app.test_client()

    own_redis.kill()
    assert post_login(client, "member", "wrong").status_code == 401
    assert FALLBACK_LOGGED in caplog.text
    own_redis.start()
    assert post_login(client, "member", "wrong").status_code == 401
    assert "Sign-in throttling counts in the shared rate limit storage again" in caplog.text
    # The failure is counted where every process sees it.
    assert shared.keys("*sign-in*")


def test_the_setup_page_is_limited_per_process_while_redis_is_down(instance, own_redis,
                                                                    monkeypatch):

    monkeypatch.setenv("WALLCHART_RATELIMIT_STORAGE", own_redis.url)
    app = make_app(SETUP_LIMIT_PER_ADDRESS="2 per minute")
    client = app.test_client()
    own_redis.kill()
    # Flask-Limiter's own fallback: the page answers, and its limit still holds in memory.
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    answers = [client.post("/setup", data={"token": "not-a-token", "csrf_token": token})
               .status_code for _ in range(3)]
    assert answers == [404, 404, 429]


def test_a_screen_hears_the_beat_of_its_own_process_only(servers_on_own_redis):
    """Each process beats once a second here, through the queue, to its own screens only: a
    screen hears one beat a second, not one per process."""
    first, second = servers_on_own_redis
    token = display_token(second)
    screen, other = Screen(second, token), Screen(first, token)  # both processes beating
    try:
        window = 6 * HEARTBEAT_SECONDS
        time.sleep(window)
        beats = drain(screen.heartbeats)
        assert 2 <= len(beats) <= window / HEARTBEAT_SECONDS + 1, beats
    finally:
        screen.client.disconnect()
        other.client.disconnect()
