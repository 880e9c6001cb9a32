"""Factories and small helpers shared by the tests (imported, never fixtures): the seeded users'
names and password, signing in through the login form, the user row to call a service as,
database snapshots, and Flask-SocketIO's in-process socket client.

A real server in a subprocess and the real Socket.IO clients that watch it are in
``tests/live.py``; the fixtures are in ``tests/conftest.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import BytecodeCache
from sqlalchemy import event, select

from wallchart.core.models import BoardState, Project, ProjectEvent
from wallchart.extensions import db, socketio

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
ROLES = ("admin", "lead", "member", "viewer")
TEAM, OTHER_TEAM = "一组", "二组"
#: The secret key of every test app and server, so that cookies signed once stay valid.
SECRET = "test-secret"
#: An operator's terminal that speaks English, or Chinese, to the command line.
ENGLISH_TERMINAL = {"LC_ALL": "en_US.UTF-8"}
CHINESE_TERMINAL = {"LC_ALL": "zh_CN.UTF-8"}


def printed_wall_path(output: str) -> str:
    """The path (with its token) of the wall link that ``display create`` prints last, whole."""
    link = urlsplit(output.strip().splitlines()[-1])
    assert link.scheme == "http" and link.netloc and link.path == "/wall", output
    assert link.query.startswith("token="), output
    return f"{link.path}?{link.query}"


@dataclass
class Seeded:
    """The seeded template: its URL and, for each seeded user, a session made there once."""

    url: str
    cookie_name: str
    cookies: dict[str, str]
    csrf: dict[str, str]


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the whole run: every test makes its own
    app, and each app's Jinja environment would otherwise parse and compile every template it
    renders again (about 0.3 s for the board's). Jinja checks each template's source against
    the checksum stored with its code, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_compiled_templates = _CompiledTemplates()


#: Per database kind, the first test engine's dialect and SQL cache (see ``_share_compiled_sql``).
_compiled_sql: dict[str, tuple] = {}


def _share_compiled_sql(app) -> None:
    """Give the app's engine the dialect and statement cache of the run's first engine of its
    kind. SQLAlchemy caches each statement's compiled SQL per engine, keyed by its dialect: a
    test's new engine would otherwise compile every query again (a quarter of a request's time
    in a fresh app). Pool, connections and events stay the engine's own; a dialect holds only
    the server's settings, the same for every database of the run."""
    with app.app_context():
        engine = db.engine
    engine.dialect, engine._compiled_cache = _compiled_sql.setdefault(
        engine.dialect.name, (engine.dialect, engine._compiled_cache))


def make_app(**config):
    """A test app (threading mode) for the database the environment names, with ``config``
    over the environment's settings."""
    from wallchart import create_app

    # No app context is held open here: requests must not share ``g`` (and its signed-in user).
    # Each change's notifications made in its own request, as the tests read them right after.
    app = create_app({"TESTING": True, "SOCKETIO_ASYNC_MODE": "threading",
                      "NOTICE_DELAY_SECONDS": 0, **config})
    app.jinja_env.bytecode_cache = _compiled_templates
    _share_compiled_sql(app)
    return app


def actor(username: str):
    """The user row, for calling a service inside an app context as that user."""
    from wallchart.core.models import User

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def csrf_token_of(html: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def field_error(html: str, field: str) -> str:
    """The message shown under a field (its ``aria-describedby`` target)."""
    match = re.search(rf'name="{re.escape(field)}"[^>]*aria-describedby="([^"]+)"', html)
    assert match, f"{field} is not marked invalid"
    error = re.search(rf'id="{match.group(1)}"[^>]*>([^<]+)<', html)
    assert error, f"no message for {field}"
    return error.group(1).strip()


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


def post_login(client, username: str, password: str, address: str = "127.0.0.1"):
    """POST the login form from ``address`` (the form and its token fetched first); the answer,
    not followed."""
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", environ_base={"REMOTE_ADDR": address},
                       data={"username": username, "password": password, "csrf_token": token})


def count_statements(app, client, url: str) -> int:
    """The SQL statements one GET of ``url`` sends (it must answer 200)."""
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def snapshot(app) -> dict:
    """Everything a refused request must leave untouched."""
    with app.app_context(), db.engine.connect() as connection:
        return snapshot_of(connection)


def snapshot_of(connection) -> dict:
    """``snapshot`` through an open connection (plain rows: a session's objects cost ten times
    as much to read, and refusals are checked by the thousand)."""
    return {
        "revision": connection.execute(select(BoardState.revision)).scalar_one(),
        "events": connection.execute(select(ProjectEvent.id).order_by(ProjectEvent.id))
        .scalars().all(),
        "projects": [tuple(row) for row in connection.execute(select(
            Project.id, Project.name, Project.investor, Project.investment_wan,
            Project.county_id, Project.sector, Project.stage, Project.rank, Project.owner_id,
            Project.version, Project.deleted_at).order_by(Project.id))],
    }


def socket_client(app, signed_in=None, auth=None):
    """Flask-SocketIO's test client, connected with a session cookie (from the board's own
    origin, as a browser would) or a token."""
    return socketio.test_client(app, flask_test_client=signed_in.client if signed_in else None,
                                headers={"Origin": "http://localhost"} if signed_in else None,
                                auth=auth)


def project_events(client) -> list[dict]:
    return [message["args"][0] for message in client.get_received()
            if message["name"] == "project"]


def all_rows(app, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table (but ``skip``), read through SQLAlchemy so that it compares the
    same on SQLite and PostgreSQL: what a refused request must leave as it was."""
    with app.app_context():
        return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
                for table in db.metadata.sorted_tables if table.name not in skip}
