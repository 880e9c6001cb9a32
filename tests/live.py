"""A real server (``python wsgi.py`` in a process of its own, forked warm: tests/forks.py), and
what talks to it as people and screens do: a signed-in ``requests`` session, a script with an
API token, real ``socketio.Client`` screens; a Redis of a test's own; and the sentinel that
proves a screen heard nothing else (a change it must hear, waited for: whatever came before it
is all it got).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
import socketio

from tests.databases import current_databases, run_sql
from tests.forks import ForkedServer, flask_command, start_server
from tests.helpers import PASSWORD, SECRET, csrf_token_of, printed_wall_path

#: The heartbeat of the servers ``start_two_servers`` starts.
HEARTBEAT_SECONDS = 1


# --- a real server in a process of its own ----------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_raw(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[bytes, int]:
    """``GET path`` on a connection of its own (closed after the answer): the answer as sent,
    and the TCP segments carrying data it came in (Linux's ``tcpi_data_segs_in``; on loopback,
    one send of less than 64 KiB is one segment)."""
    head = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                     "Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return answer, struct.unpack_from("I", info, 152)[0]


class LiveServer:
    """``python wsgi.py`` on a free port with its own instance folder and a copy of the
    ``template`` database (or the database ``extra_env`` names, to share one)."""

    #: Whether a server may start now: under pytest, only in a test marked ``live`` (conftest.py
    #: sets it before each test); outside pytest (the benchmark), always.
    may_start = True

    def __init__(self, folder: Path, template: str, extra_env: dict | None = None):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        extra_env = extra_env or {}
        self.owned_database = None
        if "WALLCHART_DATABASE_URL" not in extra_env:
            self.owned_database = current_databases().clone(template, folder)
        self.env = {**os.environ, "WALLCHART_INSTANCE_PATH": str(folder),
                    "WALLCHART_DATABASE_URL": self.owned_database,
                    "WALLCHART_PORT": str(self.port), "WALLCHART_SECRET_KEY": SECRET,
                    **extra_env}
        self.env.pop("WALLCHART_ASYNC_MODE", None)
        # A console in no particular language: its commands speak the interface's, Chinese.
        for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
            self.env.pop(name, None)
        self.env["LANG"] = "C.UTF-8"
        self.process: ForkedServer | None = None
        self.log = folder / "server.log"

    @property
    def database_url(self) -> str:
        return self.env["WALLCHART_DATABASE_URL"]

    def flask(self, *args: str, password: str = PASSWORD) -> str:
        """Run ``flask --app wsgi *args`` against this server's database, as an operator's shell
        would beside the server (its environment, ``WALLCHART_PASSWORD`` for a prompt); its
        output."""
        result = flask_command({**self.env, "WALLCHART_PASSWORD": password}, *args, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self) -> LiveServer:
        if not LiveServer.may_start:
            pytest.fail("this test starts a real server (python wsgi.py): mark it live")
        self.process = start_server(self.env, self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def write_projects(self, counties: list[str], specs: list) -> None:
        """Write made-up projects (``wallchart/cli/dataset.py``'s Specs, with their counties)
        into this server's database from this process, by the shared writer: one transaction
        for a whole board, not one change each through the API."""
        from tests.helpers import make_app
        from wallchart.cli.dataset import ensure_counties, insert_projects
        from wallchart.extensions import db

        with pytest.MonkeyPatch.context() as env:
            env.setenv("WALLCHART_INSTANCE_PATH", str(self.folder))
            for name in ("WALLCHART_DATABASE_URL", "WALLCHART_SECRET_KEY"):
                env.setenv(name, self.env[name])
            env.delenv("WALLCHART_MESSAGE_QUEUE", raising=False)
            app = make_app()
            with app.app_context():
                ensure_counties((name, "county") for name in counties)
                insert_projects(specs)
                db.session.remove()
                db.engine.dispose()

    def drop_database(self) -> None:
        """Stop, then drop the database this server made (a shared one is its maker's)."""
        self.stop()
        if self.owned_database:
            current_databases().drop(self.owned_database)


REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_or_skip() -> None:
    """Skip without Redis on a developer's machine; in CI (which starts it) fail instead."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not answering at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI starts it in .ci/run)")
        pytest.skip(message)


class OwnRedis:
    """A ``redis-server`` of this test's own, that the test can kill and start again on the
    same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        executable = shutil.which("redis-server")
        if executable is None:  # as for the shared Redis: a skip on a laptop, a failure in CI
            message = "redis-server is not installed (apt-get install -y redis-server)"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def start_two_servers(tmp_path: Path, seeded_db: str, queue_url: str,
                      **env: str) -> list[LiveServer]:
    """Two server processes sharing one database and the queue at ``queue_url``."""
    shared = {"WALLCHART_MESSAGE_QUEUE": queue_url,
              "WALLCHART_MESSAGE_QUEUE_CHANNEL": f"wallchart-test-{uuid.uuid4().hex}",
              "WALLCHART_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS), **env}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = LiveServer(tmp_path / "a", seeded_db, shared)
    second = LiveServer(tmp_path / "b", seeded_db, {
        **shared, "WALLCHART_DATABASE_URL": first.env["WALLCHART_DATABASE_URL"]})
    return [first.start(), second.start()]


# --- HTTP actors ------------------------------------------------------------------------------

#: How long a screen waits for what it must hear.
EVENT_TIMEOUT = 5.0


class Person:
    """A browser-like ``requests.Session``: signed in through the login form, sending the CSRF
    token that the board page puts in the body's ``hx-headers``."""

    def __init__(self, server: LiveServer, username: str):
        self.base, self.log = server.url, server.log
        self.http = requests.Session()
        login = self.http.get(self.base + "/login", timeout=5)
        response = self.http.post(
            self.base + "/login", allow_redirects=False, timeout=10,
            data={"username": username, "password": PASSWORD,
                  "csrf_token": csrf_token_of(login.text)})
        expect(response, 302)
        board = self.http.get(self.base + "/board", timeout=5)
        assert board.status_code == 200
        match = re.search(r"<body[^>]*hx-headers='([^']*)'", board.text)
        assert match, "the board page has no hx-headers on <body>"
        self.csrf = csrf_token_of(match.group(1))

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        response = self.http.request(method, self.base + "/api" + path, headers=headers,
                                     timeout=kwargs.pop("timeout", 15), **kwargs)
        response.server_log = self.log
        return response


class Script:
    """A program using an API bearer token: no cookie, no CSRF token."""

    def __init__(self, server: LiveServer, token: str):
        self.base, self.log = server.url, server.log
        self.token = token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(method, self.base + "/api" + path, timeout=15, **kwargs)
        response.server_log = self.log
        return response


def expect(response: requests.Response, status: int) -> requests.Response:
    """Assert the status; on a surprise show the body and the end of the server's log."""
    if response.status_code != status:
        log = getattr(response, "server_log", None)
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise AssertionError(f"{response.request.method} {response.url}: expected {status}, "
                             f"got {response.status_code}: {response.text}\n{tail}")
    return response


def api_token(server: LiveServer, username: str) -> str:
    return server.flask("user", "token", username).strip().splitlines()[-1]


def display_token(server: LiveServer, name: str) -> str:
    return printed_wall_path(server.flask("display", "create", name)).split("=", 1)[1]


def create(actor, name: str, **fields) -> dict:
    response = actor.api("POST", "/projects", json={
        "name": name, "investor": "示例投资有限公司", "investment_wan": 50000,
        "sector": "industry", **fields})
    expect(response, 201)
    return response.json()


def fetch(actor, project_id: int) -> dict:
    response = actor.api("GET", f"/projects/{project_id}")
    expect(response, 200)
    return response.json()


def stored_revision(server: LiveServer) -> tuple[int, int, int]:
    """(board revision, number of history entries, distinct revisions in history) as stored."""
    revision = run_sql(server.database_url, "SELECT revision FROM board_state WHERE id = 1")
    [(entries, distinct)] = run_sql(server.database_url,
                                    "SELECT count(*), count(DISTINCT revision) FROM project_event")
    return (revision[0][0] if revision else 0), entries, distinct


# --- socket screens -----------------------------------------------------------------------------

class Screen:
    """A real ``socketio.Client`` that queues every ``hello`` and ``project`` it receives (and
    every ``reloaded``, as a project event of that action)."""

    def __init__(self, server: LiveServer, *, auth: dict | None = None, cookie: str | None = None,
                 reconnection: bool = False):
        self.url = server.url
        self.auth = auth
        # A browser names the board's page in Origin; the server requires it with a cookie.
        self.headers = {"Cookie": cookie, "Origin": server.url} if cookie else {}
        # The WebSocket library adds an Origin of its own: two would make a foreign one.
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.2,
                                      reconnection_delay_max=0.5, randomization_factor=0,
                                      websocket_extra_options={"suppress_origin": bool(cookie)})
        self.hellos: queue.Queue[dict] = queue.Queue()
        self.events: queue.Queue[dict] = queue.Queue()
        self.client.on("hello", self.hellos.put)
        self.client.on("project", self.events.put)
        self.client.on("reloaded", lambda data: self.events.put({**data, "action": "reloaded"}))
        self.connects = queue.Queue()
        self.client.on("connect", lambda: self.connects.put(time.monotonic()))

    def connect(self) -> dict:
        """Connect and return the ``hello`` the server greets this screen with."""
        self.client.connect(self.url, headers=self.headers, auth=self.auth, wait_timeout=5)
        return self.hello()

    def hello(self, timeout: float = EVENT_TIMEOUT) -> dict:
        try:
            return self.hellos.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no hello within {timeout} s") from None

    def event(self, timeout: float = EVENT_TIMEOUT) -> dict:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no project event within {timeout} s") from None

    def received(self) -> list[dict]:
        """Everything queued so far, without waiting."""
        found = []
        while True:
            try:
                found.append(self.events.get_nowait())
            except queue.Empty:
                return found

    def close(self) -> None:
        self.client.disconnect()


def wait_until(condition, timeout: float = EVENT_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- the sentinel ------------------------------------------------------------------------------

_sentinels = iter(range(1, 1_000_000))


def sentinel(actor, *screens: Screen) -> dict:
    """Prove that each screen heard nothing more: make a change every screen hears (a new card),
    and assert that it is the next project event each of them receives. A push that an earlier
    change wrongly caused was sent before it, on the same connection, so it would come first.
    Returns the sentinel's event (as the first screen heard it)."""
    made = create(actor, f"哨兵项目{next(_sentinels)}", allow_duplicate=True)
    heard = []
    for screen in screens:
        event = screen.event()
        assert (event["id"], event["action"]) == (made["id"], "created"), \
            f"an event before the sentinel: {event}"
        heard.append(event)
    return heard[0]

