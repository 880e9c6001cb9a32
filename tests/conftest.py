"""Fixtures, and only fixtures: a fresh migrated database per test (SQLite, or PostgreSQL with
``WALLCHART_TEST_DATABASE=postgresql``: see tests/databases.py), signed-in clients for each role,
and a real server (``python wsgi.py``, in a process of its own) for socket and browser tests.
What tests import (names, factories, the server and its clients) is in tests/helpers.py and
tests/live.py.

A test that starts a real server must be marked ``live`` (``pytest.mark.live``): one that is not
fails when it tries (``LiveServer.may_start``), so that ``-m "not live"`` keeps its promise.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import open_databases
from tests.forks import flask_command
from tests.helpers import (
    OTHER_TEAM,
    PASSWORD,
    ROLES,
    SECRET,
    TEAM,
    Seeded,
    SignedInClient,
    actor,
    make_app,
    sign_in,
)
from tests.live import REDIS_URL, LiveServer, OwnRedis, redis_or_skip

#: The fixtures that start a real server (the modules' own ones are found by ``may_start``).
SERVER_FIXTURES = frozenset({"live_server", "two_servers"})


def pytest_collection_modifyitems(items) -> None:
    """A test that asks for a server fixture must be marked ``live``."""
    unmarked = [item.nodeid for item in items
                if SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
                and item.get_closest_marker("live") is None]
    if unmarked:
        raise pytest.UsageError("these tests start a real server: mark them live (pytest.mark"
                                ".live)\n  " + "\n  ".join(unmarked))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Only a test marked ``live`` (or its fixtures) may start ``python wsgi.py``."""
    LiveServer.may_start = item.get_closest_marker("live") is not None


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

# Passwords are hashed with scrypt at a 32nd of werkzeug's cost (the install's setting, also
# for the servers and commands the tests start): a sign-in checks a password in 3 ms instead of
# 90, and a run checks about a thousand. tests/authz/test_security.py checks the default.
os.environ.setdefault("WALLCHART_PASSWORD_SCRYPT_COST", "1024")

# A run keeps many objects alive (apps, engines, compiled templates and SQL), and Python's
# collector walks them all again and again: with its default thresholds a tenth of the run's
# time went to collections. Collecting after 100,000 new objects instead of 700 costs a few
# megabytes and gives that time back.
gc.set_threshold(100_000, 50, 100)


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
    upgraded = flask_command(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    return url


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

        app = make_app()
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

    app = make_app()
    yield app
    with app.app_context():
        db.engine.dispose()




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


@pytest.fixture
def live_server(databases, tmp_path, seeded_db):
    """A running server with one user per role (password ``PASSWORD``)."""
    server = LiveServer(tmp_path, seeded_db)
    server.start()
    yield server
    server.drop_database()


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


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    """A ``redis-server`` of this test's own, on a free port: the test may kill and restart it."""
    (tmp_path / "redis").mkdir()
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.kill()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's browser: the system's Chromium headless shell (``TEST_CHROMIUM``), for
    every browser test, tests/browser and the screenshots of tests/reports alike."""
    from tests.browser.helpers import CHROMIUM_ARGS, TEST_CHROMIUM

    return {**browser_type_launch_args, "executable_path": TEST_CHROMIUM, "args": CHROMIUM_ARGS,
            "headless": True}

