"""Fixtures: a fresh migrated database per test (SQLite, or PostgreSQL with
``WALLCHART_TEST_DATABASE=postgresql``: see tests/databases.py), signed-in clients for each role,
and a real server (``python wsgi.py``) in a subprocess for socket and browser tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import current_databases, open_databases

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
ROLES = ("admin", "lead", "member", "viewer")
TEAM, OTHER_TEAM = "一组", "二组"
#: The secret key of every test app and server, so that cookies signed once stay valid.
SECRET = "test-secret"


def _reuse_url_builders() -> None:
    """Every test makes its own app, and most of ``create_app``'s time (0.1 s) goes to werkzeug
    compiling Python code for each URL rule's builder. The code depends only on the rule (its
    parts, defaults, and whether unknown arguments are appended) and reads the rule's converters
    through ``self`` when called, so the same rule's builder is compiled once per run."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "reused", False):
        return
    compiled: dict[tuple, object] = {}

    def reused(self, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    reused.reused = True
    Rule._compile_builder = reused


_reuse_url_builders()


@pytest.fixture(scope="session")
def databases():
    """The run's databases (SQLite files, or PostgreSQL with ``WALLCHART_TEST_DATABASE``)."""
    try:
        opened = open_databases()
    except RuntimeError as error:
        pytest.exit(str(error), returncode=1)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def migrated_db(databases, tmp_path_factory) -> str:
    """The URL of one database built by the real migrations; each test gets a copy of it."""
    folder = tmp_path_factory.mktemp("template")
    url = databases.new(folder, "template")
    env = {**os.environ, "WALLCHART_INSTANCE_PATH": str(folder),
           "WALLCHART_DATABASE_URL": url, "WALLCHART_SECRET_KEY": SECRET}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return url


@dataclass
class Seeded:
    """The seeded template: its URL and, for each seeded user, a session made there once."""

    url: str
    cookie_name: str
    cookies: dict[str, str]
    csrf: dict[str, str]


@pytest.fixture(scope="session")
def seeded(databases, migrated_db, tmp_path_factory) -> Seeded:
    """The migrated database plus one user per role, named after the role (``admin``...),
    in the team ``一组`` (led by ``lead``), and ``outsider`` in the team ``二组``; each of them
    signed in once, so that a test's ``clients`` carry a cookie instead of signing in again.

    Hashing passwords is deliberately slow (scrypt), so it is done once per session.
    """
    from wallchart.services import accounts, teams

    folder = tmp_path_factory.mktemp("seeded")
    url = databases.clone(migrated_db, folder, "seeded")
    with pytest.MonkeyPatch.context() as env:
        _environment(env, folder, url)
        from wallchart.extensions import db

        app = _make_app()
        with app.app_context():
            for role in ROLES:
                accounts.create_user(None, role, PASSWORD, role, display_name=role.title())
            # ``outsider`` is a member of another team: the one to try other teams' ids with.
            accounts.create_user(None, "outsider", PASSWORD, "member", display_name="Outsider")
            teams.create_team(None, TEAM, lead="lead")
            teams.add_members(None, TEAM, ["member", "viewer"])
            teams.create_team(None, OTHER_TEAM)
            teams.add_members(None, OTHER_TEAM, ["outsider"])
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        cookies, csrf = {}, {}
        for username in (*ROLES, "outsider"):
            signed_in = sign_in(app, username)
            cookies[username] = signed_in.client.get_cookie(cookie_name).value
            csrf[username] = signed_in.csrf
        with app.app_context():
            db.engine.dispose()
    return Seeded(url, cookie_name, cookies, csrf)


@pytest.fixture(scope="session")
def seeded_db(seeded) -> str:
    """The URL of the seeded template database (see ``seeded``)."""
    return seeded.url


def _environment(monkeypatch, folder: Path, url: str) -> None:
    monkeypatch.setenv("WALLCHART_INSTANCE_PATH", str(folder))
    monkeypatch.setenv("WALLCHART_DATABASE_URL", url)
    # One key for the whole run: the seeded sessions' cookies stay valid in every copy.
    monkeypatch.setenv("WALLCHART_SECRET_KEY", SECRET)
    monkeypatch.delenv("WALLCHART_MESSAGE_QUEUE", raising=False)


def _use_database(databases, folder: Path, template: str, monkeypatch) -> Iterator[Path]:
    url = databases.clone(template, folder)
    _environment(monkeypatch, folder, url)
    yield folder
    databases.drop(url)


@pytest.fixture
def empty_instance(databases, tmp_path, migrated_db, monkeypatch) -> Iterator[Path]:
    """An install with no users at all, as after the first start."""
    yield from _use_database(databases, tmp_path, migrated_db, monkeypatch)


@pytest.fixture
def instance(databases, tmp_path, seeded_db, monkeypatch) -> Iterator[Path]:
    yield from _use_database(databases, tmp_path, seeded_db, monkeypatch)


@pytest.fixture
def app(instance):
    yield from _app_closed_after()


@pytest.fixture
def empty_app(empty_instance):
    yield from _app_closed_after()


def _app_closed_after():
    """A test's app; its connections are closed after, so its database can be dropped."""
    from wallchart.extensions import db

    app = _make_app()
    yield app
    with app.app_context():
        db.engine.dispose()


def _make_app():
    from wallchart import create_app

    # No app context is held open here: requests must not share ``g`` (and its signed-in user).
    return create_app({"TESTING": True, "SOCKETIO_ASYNC_MODE": "threading"})




def actor(username: str):
    """The user row, for calling a service inside an app context as that user."""
    from sqlalchemy import select

    from wallchart.core.models import User
    from wallchart.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


@pytest.fixture
def users(app) -> tuple[str, ...]:
    """The usernames of the seeded users: one per role, named after the role."""
    return ROLES


@pytest.fixture
def counties(app) -> list[str]:
    from wallchart.core.models import County
    from wallchart.extensions import db

    names = ["鹤城区", "中方县", "怀化高新区"]
    with app.app_context():
        db.session.add_all(County(name=n, sort_order=i) for i, n in enumerate(names))
        db.session.commit()
    return names


def csrf_token_of(html: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class SignedInClient:
    """Flask's test client, signed in, sending the CSRF token the way htmx and board.js do."""

    def __init__(self, client, csrf: str):
        self.client = client
        self.csrf = csrf

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def _send(self, method: str, url: str, **kwargs):
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def post(self, url, **kwargs):
        return self._send("post", url, **kwargs)

    def patch(self, url, **kwargs):
        return self._send("patch", url, **kwargs)

    def delete(self, url, **kwargs):
        return self._send("delete", url, **kwargs)


def sign_in(app, username: str) -> SignedInClient:
    client = app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return SignedInClient(client, csrf_token_of(client.get("/board").get_data(as_text=True)))


class _SignInOnFirstUse(dict):
    """Seeded users carry the session made for them in the template; others sign in."""

    def __init__(self, app, seeded: Seeded):
        super().__init__()
        self.app = app
        self.seeded = seeded

    def __missing__(self, username: str) -> SignedInClient:
        if username in self.seeded.cookies:
            client = self.app.test_client()
            client.set_cookie(self.seeded.cookie_name, self.seeded.cookies[username])
            self[username] = SignedInClient(client, self.seeded.csrf[username])
        else:
            self[username] = sign_in(self.app, username)
        return self[username]


@pytest.fixture
def clients(app, users, seeded) -> dict[str, SignedInClient]:
    """Signed-in clients by role (and ``outsider``), each made when a test first asks for it."""
    return _SignInOnFirstUse(app, seeded)


@pytest.fixture
def make_project(app, users, counties):
    """Create a project through the service, as a member would (as the lead when it comes with
    ``stage_dates``: a date in a closed month is a lead's to enter); returns its API shape. Test
    data names projects alike ("a", "b"…): the duplicate guard has its own tests."""
    from wallchart.api.serialize import project_json
    from wallchart.reads.queries import index_of
    from wallchart.services.projects import create_project

    def make(name="测试项目", **fields) -> dict:
        data = {"name": name, "investor": "示例投资有限公司", "investment_wan": 50000,
                "county": counties[0], "sector": "industry", "allow_duplicate": True, **fields}
        with app.app_context():
            project = create_project(actor("lead" if "stage_dates" in fields else "member"),
                                     data)
            return project_json(project, index_of(project))

    return make


# --- a real server in a subprocess ------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """``python wsgi.py`` on a free port with its own instance folder and a copy of the
    ``template`` database (or the database ``extra_env`` names, to share one)."""

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
        self.process: subprocess.Popen | None = None
        self.log = folder / "server.log"

    @property
    def database_url(self) -> str:
        return self.env["WALLCHART_DATABASE_URL"]

    def flask(self, *args: str, password: str = PASSWORD) -> str:
        """Run a ``flask --app wsgi`` command against this server's database."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                                cwd=ROOT, env={**self.env, "WALLCHART_PASSWORD": password},
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self) -> LiveServer:
        self.process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=self.env,
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT)
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

    def drop_database(self) -> None:
        """Stop, then drop the database this server made (a shared one is its maker's)."""
        self.stop()
        if self.owned_database:
            current_databases().drop(self.owned_database)


@pytest.fixture
def live_server(databases, tmp_path, seeded_db):
    """A running server with one user per role (password ``PASSWORD``)."""
    server = LiveServer(tmp_path, seeded_db)
    server.start()
    yield server
    server.drop_database()


REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_or_skip() -> None:
    """Skip without Redis on a developer's machine; in CI (which starts it) fail instead."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not answering at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI starts it in .ci/run)")
        pytest.skip(message)


@pytest.fixture
def two_servers(databases, tmp_path, seeded_db):
    """Two server processes sharing one database and one Redis queue (a channel of their own)."""
    import uuid

    redis_or_skip()
    shared = {"WALLCHART_MESSAGE_QUEUE": REDIS_URL,
              "WALLCHART_MESSAGE_QUEUE_CHANNEL": f"wallchart-test-{uuid.uuid4().hex}"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = LiveServer(tmp_path / "a", seeded_db, shared)
    second = LiveServer(tmp_path / "b", seeded_db, {
        **shared, "WALLCHART_DATABASE_URL": first.env["WALLCHART_DATABASE_URL"]})
    servers = [first.start(), second.start()]
    yield servers
    for server in reversed(servers):
        server.drop_database()
