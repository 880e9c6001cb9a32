"""The authorization matrix: every URL rule and every Socket.IO event handler of the app, for each
identity, with the outcome declared in ONE table (``MATRIX``, ``SOCKET_MATRIX``) and driven for
real, each cell on a fresh copy of one prepared database.

A route or event the app has and the table lacks fails ``test_every_route_and_event_is_declared``
("add it to the matrix"); so does a row for a route that is gone. Every refused state-changing
cell asserts the database (projects, history, users, teams, counties, tokens, audit log) and the
broadcasts (a viewer's socket) unchanged; every GET asserts the database unchanged; every "ok"
write asserts it changed. Then: IDOR with another team's ids, the CSRF sweep, mass assignment.

Identities: ``anonymous``; the seeded ``viewer``, ``member`` (of the project's team 一组),
``outsider`` (member of 二组), ``lead`` (of 一组), ``admin``; ``display`` (a wall display token:
``?token=`` on /wall and in the socket's ``auth``, elsewhere a bearer header, which is not an API
token); ``api`` (an API token of ``member``, as a bearer header / socket ``auth``).

Outcomes: "ok" (2xx/3xx as the route normally answers, not to /login), "login" (302 to /login),
or the status code of the refusal. Sockets: "accept" / "refuse".
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select

from tests.helpers import (
    OTHER_TEAM,
    PASSWORD,
    TEAM,
    csrf_token_of,
    make_app,
    project_events,
    sign_in,
    snapshot_of,
    socket_client,
)
from wallchart.core.models import (
    ApiToken,
    AuditEntry,
    County,
    CountyTarget,
    DisplayToken,
    Meeting,
    MeetingItem,
    Notification,
    NotificationPreference,
    Project,
    ProjectDocument,
    SetupToken,
    Team,
    TeamWebhook,
    User,
    team_member,
)
from wallchart.core.timeutil import today
from wallchart.extensions import db, limiter, socketio

SECRET = "authorization-matrix"
IDENTITIES = ("anonymous", "viewer", "member", "outsider", "lead", "admin", "display", "api")
PEOPLE = ("viewer", "member", "outsider", "lead", "admin")  # signed in with a session cookie


# --- the table ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hole:
    """A cell where the app is wrong today: ``expected`` is what it must answer; the cell runs as
    a strict xfail with ``reason`` until the app is fixed."""
    expected: str | int
    reason: str


def cells(default: str | int | None = None, **outcomes: str | int | Hole) -> dict:
    """One row: ``default`` for every identity not named."""
    row = {who: default for who in IDENTITIES} | outcomes
    assert None not in row.values() and set(row) == set(IDENTITIES), row
    return row


EVERYONE = cells("ok")
SETUP_DONE = cells(404)  # the one-time setup link is dead once an administrator exists
SIGNED_IN_PAGE = cells("ok", anonymous="login", display="login")
ACCOUNT_PAGE = cells("ok", anonymous="login", display="login", api=403)
ADMIN_ONLY = cells(403, anonymous="login", display="login", admin="ok")
API_READ = cells("ok", anonymous=401, display=401)
# Create / edit / move: the role for it AND a place in the project's team.
API_TEAM_WRITE = cells("ok", anonymous=401, display=401, viewer=403, outsider=403)
# Assign / delete: leads (of the project's team) and admins only.
API_LEAD_WRITE = cells(403, anonymous=401, display=401, lead="ok", admin="ok")
BOARD_TEAM_WRITE = cells("ok", anonymous="login", display="login", viewer=403, outsider=403)
BOARD_LEAD_WRITE = cells(403, anonymous="login", display="login", lead="ok", admin="ok")
WALL = cells(403, display="ok")  # only its display token; a bad, an API or no token is 403

MATRIX: dict[tuple[str, str], dict] = {
    # sign-in, language, first-run setup
    ("auth.home", "GET"): EVERYONE,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login", "POST"): EVERYONE,
    ("auth.logout", "POST"): cells("login"),  # its normal answer: off to the sign-in page
    ("auth.setup", "GET"): SETUP_DONE,
    ("auth.setup", "POST"): SETUP_DONE,
    ("i18n.choose_language", "POST"): EVERYONE,
    # the installable app: the same for everyone, no data (issue 15)
    ("shell.manifest", "GET"): EVERYONE,
    ("shell.service_worker", "GET"): EVERYONE,
    ("shell.offline", "GET"): EVERYONE,
    # one's own account (never with an API token)
    ("account.password", "GET"): ACCOUNT_PAGE,
    ("account.password", "POST"): ACCOUNT_PAGE,
    # the board: everyone signed in reads the whole city; changes need role + team
    ("board.index", "GET"): SIGNED_IN_PAGE,
    ("board.columns", "GET"): SIGNED_IN_PAGE,
    ("board.workload", "GET"): SIGNED_IN_PAGE,
    ("board.workload_xlsx", "GET"): SIGNED_IN_PAGE,
    # the board's view as the bureau's ledger: staff only, never a wall display
    ("board.export_xlsx", "GET"): SIGNED_IN_PAGE,
    ("board.export_csv", "GET"): SIGNED_IN_PAGE,
    ("board.new_project", "GET"): SIGNED_IN_PAGE,
    ("board.panel", "GET"): SIGNED_IN_PAGE,
    ("board.edit_project", "GET"): SIGNED_IN_PAGE,
    ("board.create_project", "POST"): BOARD_TEAM_WRITE,
    ("board.update_project", "POST"): BOARD_TEAM_WRITE,
    ("board.move_project", "POST"): BOARD_TEAM_WRITE,
    ("board.assign_project", "POST"): BOARD_LEAD_WRITE,
    ("board.delete_project", "POST"): BOARD_LEAD_WRITE,
    ("board.plan_project", "POST"): BOARD_TEAM_WRITE,
    ("board.correct_date", "POST"): BOARD_LEAD_WRITE,
    ("board.withdraw_project", "POST"): BOARD_LEAD_WRITE,
    ("board.reopen_project", "POST"): BOARD_LEAD_WRITE,
    ("board.archive", "GET"): SIGNED_IN_PAGE,
    # the JSON API
    ("api.list_projects", "GET"): API_READ,
    ("api.get_project", "GET"): API_READ,
    ("api.create_project", "POST"): API_TEAM_WRITE,
    ("api.update_project", "PATCH"): API_TEAM_WRITE,
    ("api.move_project", "POST"): API_TEAM_WRITE,
    ("api.assign_project", "POST"): API_LEAD_WRITE,
    ("api.assign_projects", "POST"): API_LEAD_WRITE,
    ("api.delete_project", "DELETE"): API_LEAD_WRITE,
    ("api.withdraw_project", "POST"): API_LEAD_WRITE,
    ("api.reopen_project", "POST"): API_LEAD_WRITE,
    # a county's ledger brought in: leads and admins (it enters the dates of closed months)
    ("api_imports.import_ledger", "POST"): API_LEAD_WRITE,
    # ... and on its page, each upload its uploader's alone (tests/web/test_import_page.py)
    **{(endpoint, method): BOARD_LEAD_WRITE for endpoint, method in [
        ("imports.page", "GET"), ("imports.template", "GET"), ("imports.upload", "POST"),
        ("imports.mapping", "GET"), ("imports.preview", "POST"), ("imports.apply", "POST"),
        ("imports.progress", "GET"),
    ]},
    # the API's published contract and its reference page: public, they hold no project
    ("api_contract.openapi", "GET"): EVERYONE,
    ("api_contract.docs", "GET"): EVERYONE,
    # progress notes and blockers: written like edits (role + team), read by everyone signed in
    ("tracking_api.list_notes", "GET"): API_READ,
    ("tracking_api.add_note", "POST"): API_TEAM_WRITE,
    ("tracking_api.list_blockers", "GET"): API_READ,
    ("tracking_api.raise_blocker", "POST"): API_TEAM_WRITE,
    ("tracking_api.resolve_blocker", "POST"): API_TEAM_WRITE,
    ("tracking_api.city_blockers", "GET"): API_READ,
    ("tracking.notes_section", "GET"): SIGNED_IN_PAGE,
    ("tracking.add_note", "POST"): BOARD_TEAM_WRITE,
    ("tracking.blockers_section", "GET"): SIGNED_IN_PAGE,
    ("tracking.raise_blocker", "POST"): BOARD_TEAM_WRITE,
    ("tracking.resolve_blocker", "POST"): BOARD_TEAM_WRITE,
    ("tracking.city", "GET"): SIGNED_IN_PAGE,
    ("tracking.city_xlsx", "GET"): SIGNED_IN_PAGE,
    # funds in place: recorded by the team, corrected and removed by its leads and admins
    ("funds_api.list_receipts", "GET"): API_READ,
    ("funds_api.record_receipt", "POST"): API_TEAM_WRITE,
    ("funds_api.correct_receipt", "POST"): API_LEAD_WRITE,
    ("funds_api.remove_receipt", "POST"): API_LEAD_WRITE,
    ("funds.section", "GET"): SIGNED_IN_PAGE,
    ("funds.record_receipt", "POST"): BOARD_TEAM_WRITE,
    ("funds.correct_receipt", "POST"): BOARD_LEAD_WRITE,
    ("funds.remove_receipt", "POST"): BOARD_LEAD_WRITE,
    # a project's documents: uploaded by the team, removed by its leads and admins, read by
    # its team, leads and admins (never a wall display)
    ("documents.section", "GET"): SIGNED_IN_PAGE,
    ("documents.upload", "POST"): BOARD_TEAM_WRITE,
    ("documents.remove", "POST"): BOARD_LEAD_WRITE,
    ("documents.download", "GET"): cells("ok", anonymous="login", display="login",
                                         outsider=403),
    # a signing verified against its agreement (核实), and the verification withdrawn
    ("documents.verify_signing", "POST"): BOARD_LEAD_WRITE,
    ("documents.unverify_signing", "POST"): BOARD_LEAD_WRITE,
    # scheduling meetings: everyone signed in reads; leads and admins prepare them and set their
    # agendas; the team of a project (and who runs meetings) add decisions on it; the minutes
    # go to the attendees (here ``member``, so his API token too), leads and admins
    ("meetings_api.list_meetings", "GET"): API_READ,
    ("meetings_api.get_meeting", "GET"): API_READ,
    ("meetings_api.create_meeting", "POST"): API_LEAD_WRITE,
    ("meetings_api.set_agenda", "POST"): API_LEAD_WRITE,
    ("meetings_api.add_decision", "POST"): API_TEAM_WRITE,
    ("meetings.index", "GET"): SIGNED_IN_PAGE,
    ("meetings.page", "GET"): SIGNED_IN_PAGE,
    ("meetings.create", "POST"): BOARD_LEAD_WRITE,
    ("meetings.agenda", "POST"): BOARD_LEAD_WRITE,
    ("meetings.decide", "POST"): BOARD_TEAM_WRITE,
    ("meetings.present", "POST"): BOARD_LEAD_WRITE,  # meeting mode: the chair drives the walls
    ("meetings.minutes", "GET"): cells("ok", anonymous="login", display="login", viewer=403,
                                       outsider=403),
    ("meetings.minutes_word", "GET"): cells("ok", anonymous="login", display="login",
                                            viewer=403, outsider=403),
    # the wall display
    ("wall.index", "GET"): WALL,
    ("wall.columns", "GET"): WALL,
    ("wall.summary", "GET"): WALL,
    ("wall.view", "GET"): WALL,
    # indicators, rankings and targets: read by everyone signed in, targets set by admins
    ("insights.index", "GET"): SIGNED_IN_PAGE,
    ("api_indicators.get_indicators", "GET"): API_READ,
    # the scheduling report and the weekly report: staff signed in (or an API token) read them
    ("reports.schedule", "GET"): SIGNED_IN_PAGE,
    ("reports.schedule_xlsx", "GET"): SIGNED_IN_PAGE,
    ("reports.schedule_csv", "GET"): SIGNED_IN_PAGE,
    ("reports.weekly_report", "GET"): SIGNED_IN_PAGE,
    # the results page and its files: everyone signed in, each seeing the lines his role may
    # (tests/web/test_results_page.py)
    ("results.index", "GET"): SIGNED_IN_PAGE,
    ("results.results_xlsx", "GET"): SIGNED_IN_PAGE,
    ("results.results_csv", "GET"): SIGNED_IN_PAGE,
    # the bell: each person his own notifications (an API token its user's); another's is 404
    ("notifications.index", "GET"): SIGNED_IN_PAGE,
    ("notifications.mark_read", "POST"): SIGNED_IN_PAGE,
    ("notifications.mark_all_read", "POST"): SIGNED_IN_PAGE,
    ("notifications.settings", "GET"): SIGNED_IN_PAGE,
    ("notifications.settings", "POST"): SIGNED_IN_PAGE,
    # administration: administrators at a browser only
    **{(endpoint, method): ADMIN_ONLY for endpoint, method in [
        ("admin.index", "GET"), ("admin.audit", "GET"),
        ("admin.users", "GET"), ("admin.create_user", "POST"), ("admin.user", "GET"),
        ("admin.change_role", "POST"), ("admin.reset_password", "POST"),
        ("admin.disable_user", "POST"), ("admin.enable_user", "POST"),
        ("admin.revoke_api_token", "POST"),
        ("admin.teams_list", "GET"), ("admin.create_team", "POST"), ("admin.team", "GET"),
        ("admin.set_lead", "POST"), ("admin.add_member", "POST"),
        ("admin.remove_member", "POST"),
        ("admin.counties", "GET"), ("admin.add_county", "POST"), ("admin.county", "GET"),
        ("admin.rename_county", "POST"), ("admin.delete_county", "POST"),
        ("admin.displays", "GET"), ("admin.create_display", "POST"),
        ("admin.revoke_display", "POST"), ("admin.update_display", "POST"),
        ("admin.targets_list", "GET"), ("admin.set_targets", "POST"),
        ("admin.webhooks_page", "GET"), ("admin.add_webhook", "POST"),
        ("admin.remove_webhook", "POST"),
    ]},
}

# Socket.IO: cookie identities connect from this site's page (Origin http://localhost);
# display and API tokens in ``auth``; anonymous with nothing.
SOCKET_MATRIX: dict[str, dict] = {
    "connect": cells("accept", anonymous="refuse"),
    # Runs for every socket that was let in; nothing to refuse, nothing it may change.
    "disconnect": cells("accept", anonymous="refuse"),
    # The catch-all: screens only listen, so whatever a client sends (here a "move" that would
    # be a write if anything honoured it) is dropped unanswered, and a flood closes the socket.
    "*": cells("drop", anonymous="refuse"),
}


# --- the world every cell starts from -----------------------------------------------------------

@dataclass
class World:
    folder: Path
    template: str
    cookies: dict[str, str]
    csrf: dict[str, str]
    ids: dict[str, int]
    display_token: str
    api_token: str
    cookie_name: str = "session"


def _environment(env: pytest.MonkeyPatch, folder: Path, database: str) -> None:
    env.setenv("WALLCHART_INSTANCE_PATH", str(folder))
    env.setenv("WALLCHART_DATABASE_URL", database)
    env.setenv("WALLCHART_SECRET_KEY", SECRET)  # cookies signed once stay valid in every copy
    env.delenv("WALLCHART_MESSAGE_QUEUE", raising=False)


@pytest.fixture(scope="module")
def world(databases, seeded_db, tmp_path_factory) -> World:
    """The seeded users plus: a project in 一组 (P1) and one in 二组 (P2), counties (one unused),
    users ``target`` (active, in 三组) and ``dormant`` (disabled), team 三组, a wall display and
    API tokens of ``member`` and ``target``; each person signed in once (scrypt is slow), the
    cookies kept."""
    from tests.helpers import actor
    from wallchart.services import (
        accounts,
        blockers,
        documents,
        funds,
        meetings,
        teams,
        verification,
        webhooks,
    )
    from wallchart.services.projects import create_project, withdraw_project

    folder = tmp_path_factory.mktemp("matrix")
    template = databases.clone(seeded_db, folder, "template")
    with pytest.MonkeyPatch.context() as env:
        _environment(env, folder, template)
        app = make_app()
        with app.app_context():
            db.session.add_all(County(name=n, sort_order=i)
                               for i, n in enumerate(["鹤城区", "中方县", "闲置县"]))
            db.session.commit()
            fields = {"investor": "示例投资有限公司", "investment_wan": 50000,
                      "county": "鹤城区", "sector": "industry"}
            p1 = create_project(actor("member"), {"name": "一组项目", "team": TEAM, **fields})
            p2 = create_project(actor("outsider"),
                                {"name": "二组项目", "team": OTHER_TEAM, **fields})
            # A third project of 一组 carries an open blocker (p1 keeps its first version).
            p3 = create_project(actor("member"), {**fields, "name": "冷链物流园", "team": TEAM,
                                                  "investor": "协调测试有限公司"})
            blocker = blockers.raise_blocker(actor("member"), p3.id, BLOCKER)
            # A withdrawn project of 一组, in the archive, for reopening.
            p4 = create_project(actor("member"), {**fields, "name": "退库测试", "team": TEAM,
                                                  "investor": "另一家投资集团"})
            p4 = withdraw_project(actor("lead"), p4.id, p4.version, "duplicate")
            # A signed project of 一组 with a receipt of funds (资金到位).
            p5 = create_project(actor("lead"), {
                **fields, "name": "到位测试", "team": TEAM, "investor": "到位投资公司",
                "stage": "signed", "stage_dates": {"signed": today().isoformat()}})
            receipt = funds.record_receipt(actor("member"), p5.id,
                                           {**FUNDS, "date": today().isoformat()})
            document = documents.add_document(actor("member"), p5.id, "agreement", "协议.pdf",
                                              PDF)
            # A signed project of 一组 whose signing was verified against its agreement.
            p6 = create_project(actor("lead"), {
                **fields, "name": "核实测试", "team": TEAM, "investor": "核实投资公司",
                "stage": "signed", "stage_dates": {"signed": today().isoformat()}})
            documents.add_document(actor("member"), p6.id, "agreement", "协议.pdf", PDF)
            p6 = verification.verify_signing(actor("lead"), p6.id, p6.version)
            # A scheduling meeting on P1 and P3, which member attends.
            meeting = meetings.create_meeting(actor("lead"), {
                "title": "矩阵调度会", "date": today().isoformat(), "attendees": ["member"],
                "agenda": [p1.id, p3.id]})
            accounts.create_user(None, "target", PASSWORD, "member", display_name="Target")
            accounts.create_user(None, "dormant", PASSWORD, "member", display_name="Dormant")
            accounts.disable_user(None, "dormant")
            team3 = teams.create_team(None, "三组")
            teams.add_members(None, "三组", ["target"])
            # A webhook of 三组 (which has no project: nothing is ever sent to it).
            hook = webhooks.add_webhook(None, "三组", "http://127.0.0.1:9/hook", "wecom")
            display_token = accounts.create_display_token(None, "大厅")
            api_token = accounts.issue_api_token(None, "member")
            accounts.issue_api_token(None, "target")
            # One unread notification for each person, about P1 (the bell's page and marking).
            db.session.add_all(Notification(user_id=actor(who).id, project_id=p1.id,
                                            kind="assigned", key=f"world:{who}",
                                            data={"project": "一组项目"}) for who in PEOPLE)
            db.session.commit()
            ids = {
                "p1": p1.id, "p2": p2.id, "p1_version": p1.version, "p2_version": p2.version,
                "p4": p4.id, "p4_version": p4.version,
                "team1": db.session.execute(select(Team.id).where(Team.name == TEAM)).scalar(),
                "team3": team3.id,
                "target": actor("target").id, "dormant": actor("dormant").id,
                "free_county": db.session.execute(
                    select(County.id).where(County.name == "闲置县")).scalar(),
                "display": db.session.execute(select(DisplayToken.id)).scalar(),
                "target_token": db.session.execute(select(ApiToken.id).where(
                    ApiToken.user_id == actor("target").id)).scalar(),
                "blocker": blocker.id, "blocker_version": blocker.version,
                **{f"user:{who}": actor(who).id for who in PEOPLE},
                "p5": p5.id, "receipt": receipt.id, "receipt_version": receipt.version,
                "document": document.id, "p5_version": db.session.get(Project, p5.id).version,
                "p6": p6.id, "p6_version": p6.version, "meeting": meeting.id,
                "webhook": hook.id,
                **{f"notification:{who}": db.session.execute(select(Notification.id).where(
                    Notification.key == f"world:{who}")).scalar() for who in PEOPLE},
            }
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        cookies, csrf = {}, {}
        for who in PEOPLE:
            signed_in = sign_in(app, who)
            cookies[who] = signed_in.client.get_cookie(cookie_name).value
            csrf[who] = signed_in.csrf
        anonymous = app.test_client()
        csrf["anonymous"] = csrf_token_of(anonymous.get("/login").get_data(as_text=True))
        cookies["anonymous"] = anonymous.get_cookie(cookie_name).value
        with app.app_context():
            db.engine.dispose()
    return World(folder, template, cookies, csrf, ids, display_token, api_token, cookie_name)


@pytest.fixture
def fresh(databases, world, tmp_path, monkeypatch) -> Callable[[], Any]:
    """``fresh()``: an app on a new copy of the world's database."""
    apps = []

    def make():
        database = databases.clone(world.template, tmp_path, f"cell{len(apps)}")
        _environment(monkeypatch, world.folder, database)
        apps.append(make_app())
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            url = db.engine.url.render_as_string(hide_password=False)
            db.engine.dispose()
        databases.drop(url)


class Untouched:
    """One app on one copy of the world for the cells that must leave the database as it was
    (every GET, every refusal: most of the matrix), with the copy's snapshot taken once: a new
    copy and app for each of them was most of the matrix's time. Its engine watches what it is
    asked to do: after a cell that wrote anything (a sign-in's session row, a refusal that
    wrongly stored something), the next cell gets a new copy. Rate-limit counts start at zero
    for every cell, as they do on a new app."""

    def __init__(self, databases, world: World, folder: Path):
        self.databases, self.world, self.folder = databases, world, folder
        self.app = self.url = None
        self.before: dict = {}
        self.wrote = False
        self.copies = 0

    def take(self, monkeypatch: pytest.MonkeyPatch):
        """The shared app (a new one if the last cell wrote), with the environment it was made
        in; its snapshot is ``before``."""
        if self.app is None or self.wrote:
            self.close()
            self.copies += 1
            self.url = self.databases.clone(self.world.template, self.folder,
                                            f"untouched{self.copies}")
            _environment(monkeypatch, self.world.folder, self.url)
            self.app = make_app()
            with self.app.app_context():
                event.listen(db.engine, "before_cursor_execute", self._watch)
            self.before = full_snapshot(self.app)
            self.wrote = False
        _environment(monkeypatch, self.world.folder, self.url)
        with self.app.app_context():
            limiter.reset()
        return self.app

    def _watch(self, connection, cursor, statement: str, *args) -> None:
        if WRITES.match(statement):
            self.wrote = True

    def close(self) -> None:
        if self.app is not None:
            with self.app.app_context():
                db.engine.dispose()
            self.databases.drop(self.url)
            self.app = None


#: A statement that may change rows (a ``WITH`` too, to be safe).
WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|WITH)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def untouched(databases, world, tmp_path_factory) -> Iterator[Untouched]:
    shared = Untouched(databases, world, tmp_path_factory.mktemp("untouched"))
    yield shared
    shared.close()


def client_of(app, world: World, who: str):
    client = app.test_client()
    if who in world.cookies:
        client.set_cookie(world.cookie_name, world.cookies[who])
    return client


def full_snapshot(app) -> dict:
    """``helpers.snapshot`` plus projects' teams and everything administration can change."""
    with app.app_context(), db.engine.connect() as connection:
        rows = lambda *columns: [tuple(row) for row in connection.execute(  # noqa: E731
            select(*columns).order_by(columns[0]))]
        return {
            **snapshot_of(connection),
            "project_teams": rows(Project.id, Project.team_id, Project.created_at),
            "users": rows(User.id, User.username, User.display_name, User.role, User.active,
                          User.password_hash),
            "teams": rows(Team.id, Team.name, Team.lead_id),
            "members": sorted(tuple(r) for r in connection.execute(select(team_member))),
            "counties": rows(County.id, County.name, County.kind, County.sort_order),
            "displays": rows(DisplayToken.id, DisplayToken.name, DisplayToken.token_hash,
                             DisplayToken.revoked_at, DisplayToken.profile, DisplayToken.views,
                             DisplayToken.rotate_seconds),
            "api_tokens": rows(ApiToken.id, ApiToken.user_id, ApiToken.revoked_at),
            "audit": rows(AuditEntry.id),
            "targets": rows(CountyTarget.id, CountyTarget.county_id, CountyTarget.year,
                            CountyTarget.signed_count, CountyTarget.signed_investment_wan,
                            CountyTarget.started_count, CountyTarget.foreign_capital_usd_wan),
            "setup_tokens": rows(SetupToken.id),
            "documents": rows(ProjectDocument.id, ProjectDocument.removed_at),
            "verified": rows(Project.id, Project.signing_verified_at),
            "meetings": rows(Meeting.id, Meeting.title, Meeting.current_position),
            "agendas": rows(MeetingItem.id, MeetingItem.meeting_id, MeetingItem.project_id,
                            MeetingItem.position),
            "notifications": rows(Notification.id, Notification.user_id, Notification.read_at),
            "webhooks": rows(TeamWebhook.id, TeamWebhook.url, TeamWebhook.removed_at),
            "muted": rows(NotificationPreference.user_id, NotificationPreference.muted),
        }


def viewer_socket(app, world: World):
    """A board socket of ``viewer``, its ``hello`` already read."""
    watcher = socket_client(app, SimpleNamespace(client=client_of(app, world, "viewer")))
    assert watcher.is_connected()
    watcher.get_received()
    return watcher


# --- how each route is driven -------------------------------------------------------------------

@dataclass
class Req:
    path: str
    json: Any = None
    data: dict | None = None
    query: dict = field(default_factory=dict)
    #: Whether an "ok" answer changes the database (sign-in, sign-out and language don't).
    writes: bool = True


def send(app, world: World, who: str, method: str, req: Req, *, csrf: str | None = "right",
         client=None, headers: dict | None = None):
    """One request as ``who``: cookie (+ ``X-CSRFToken`` unless ``csrf`` is None or "wrong")
    for people and the anonymous visitor, a bearer header for the display and API tokens."""
    client = client or client_of(app, world, who)
    headers = dict(headers or {})
    if who == "display" and not req.path.startswith("/wall"):
        headers["Authorization"] = f"Bearer {world.display_token}"
    elif who == "api" and not req.path.startswith("/wall"):
        headers["Authorization"] = f"Bearer {world.api_token}"
    elif method != "GET" and csrf and who in world.csrf:
        headers["X-CSRFToken"] = world.csrf[who] if csrf == "right" else "forged-token"
    kwargs: dict[str, Any] = {"headers": headers, "query_string": req.query}
    if req.json is not None:
        kwargs["json"] = req.json
    if req.data is not None:  # a file part, (bytes, file name), is a fresh stream each time
        kwargs["data"] = {name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple)
                          else value for name, value in req.data.items()}
    return client.open(req.path, method=method, **kwargs)


def _wall(path: str) -> Callable[[dict, str, World], Req]:
    def build(ids, who, world):
        token = {"display": world.display_token, "api": world.api_token,
                 "anonymous": "not-a-display-token"}.get(who)
        return Req(path, query={"token": token} if token else {})
    return build


BLOCKER = {"kind": "land", "department": "市自然资源和规划局", "due_on": "2030-01-01"}
FUNDS = {"amount_wan": 1000, "document": "银收1号"}
DECISION = {"text": "协调用地指标", "department": "市自然资源和规划局", "due": "2030-01-01",
            "follow_up": "王科长"}
PDF = b"%PDF-1.7\n%%EOF\n"
HALF_YEAR = {"from": "2026-01-01", "to": "2026-06-30"}
NEW_PROJECT = {"name": "新项目", "investor": "新投资公司", "investment_wan": 1200,
               "county": "中方县", "sector": "services", "team": TEAM}

#: A county's ledger of one new project, as a CSV.
LEDGER = ("项目名称,投资方,总投资（万元）,县市区,产业类别\n"
          "矩阵导入项目,矩阵投资公司,1200,中方县,工业\n")

#: The import page's columns for ``LEDGER``, as its mapping form sends them.
LEDGER_COLUMNS = {"column-0": "name", "column-1": "investor", "column-2": "investment_wan",
                  "column-3": "county", "column-4": "sector", "team": TEAM}


def _uploaded(ids: dict, who: str, world: World) -> str:
    """The token of ``LEDGER`` uploaded to the import page by ``who`` (by the lead for those
    who are no person: they are refused before it matters)."""
    from flask import Flask

    from wallchart.web import ledger_uploads

    owner = ids.get(f"user:{who}", ids["user:lead"])
    with Flask(__name__, instance_path=str(world.folder)).app_context():
        return ledger_uploads.store(owner, "台账.csv", LEDGER.encode()).token


#: (endpoint, method) -> build(ids, who, world) -> Req. Bodies are valid, so that an "ok" cell
#: succeeds and a refused one is refused for who asks, not for what he sent.
REQUESTS: dict[tuple[str, str], Callable[[dict, str, World], Req]] = {
    ("auth.home", "GET"): lambda i, w, _: Req("/"),
    ("auth.login", "GET"): lambda i, w, _: Req("/login"),
    ("auth.login", "POST"): lambda i, w, _: Req(
        "/login", data={"username": "viewer", "password": PASSWORD}, writes=False),
    ("auth.logout", "POST"): lambda i, w, _: Req("/logout", data={}, writes=False),
    ("auth.setup", "GET"): lambda i, w, _: Req("/setup", query={"token": "not-a-setup-token"}),
    ("auth.setup", "POST"): lambda i, w, _: Req(
        "/setup", query={"token": "not-a-setup-token"},
        data={"username": "boss", "password": PASSWORD, "password2": PASSWORD}),
    ("i18n.choose_language", "POST"): lambda i, w, _: Req(
        "/language", data={"lang": "en", "next": "/board"}, writes=False),
    ("shell.manifest", "GET"): lambda i, w, _: Req("/manifest.webmanifest"),
    ("shell.service_worker", "GET"): lambda i, w, _: Req("/sw.js"),
    ("shell.offline", "GET"): lambda i, w, _: Req("/offline"),
    ("account.password", "GET"): lambda i, w, _: Req("/account/password"),
    ("account.password", "POST"): lambda i, w, _: Req("/account/password", data={
        "current": PASSWORD, "new": "a-brand-new-password", "repeat": "a-brand-new-password"}),
    ("board.index", "GET"): lambda i, w, _: Req("/board"),
    ("board.columns", "GET"): lambda i, w, _: Req("/board/columns"),
    ("board.workload", "GET"): lambda i, w, _: Req("/board/workload", query={"team": TEAM}),
    ("board.workload_xlsx", "GET"): lambda i, w, _: Req("/board/workload.xlsx",
                                                        query={"team": TEAM}),
    ("board.export_xlsx", "GET"): lambda i, w, _: Req("/board/export.xlsx",
                                                      query={"team": TEAM, "stage": "contact"}),
    ("board.export_csv", "GET"): lambda i, w, _: Req("/board/export.csv", query={"q": "项目"}),
    ("board.new_project", "GET"): lambda i, w, _: Req("/board/projects/new"),
    ("board.panel", "GET"): lambda i, w, _: Req(f"/board/projects/{i['p1']}"),
    ("board.edit_project", "GET"): lambda i, w, _: Req(f"/board/projects/{i['p1']}/edit"),
    ("board.create_project", "POST"): lambda i, w, _: Req(
        "/board/projects", data={**NEW_PROJECT, "investment_wan": "1200"}),
    ("board.update_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}", data={"name": "改过的名字", "version": i["p1_version"]}),
    ("board.move_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/move",
        data={"stage": "negotiating", "version": i["p1_version"]}),
    ("board.assign_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/assign", data={"owner": "member",
                                                  "version": i["p1_version"]}),
    ("board.delete_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/delete", data={"version": i["p1_version"]}),
    ("board.plan_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/plan", data={"next_step": "约见企业",
                                                "version": i["p1_version"]}),
    ("board.correct_date", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/dates", data={"stage": "contact", "date": "2024-01-02",
                                                 "reason": "补录", "version": i["p1_version"]}),
    ("board.withdraw_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/withdraw", data={"withdrawn_reason": "duplicate",
                                                    "version": i["p1_version"]}),
    ("board.reopen_project", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p4']}/reopen", data={"version": i["p4_version"]}),
    ("board.archive", "GET"): lambda i, w, _: Req("/board/archive"),
    ("api.list_projects", "GET"): lambda i, w, _: Req("/api/projects"),
    ("api.get_project", "GET"): lambda i, w, _: Req(f"/api/projects/{i['p1']}"),
    ("api.create_project", "POST"): lambda i, w, _: Req("/api/projects", json=NEW_PROJECT),
    ("api.update_project", "PATCH"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}", json={"name": "改过的名字", "version": i["p1_version"]}),
    ("api.move_project", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}/move", json={"stage": "negotiating",
                                              "version": i["p1_version"]}),
    ("api.assign_project", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}/assign", json={"owner": "member", "version": i["p1_version"]}),
    ("api_imports.import_ledger", "POST"): lambda i, w, _: Req("/api/imports", data={
        "file": (LEDGER.encode(), "台账.csv"), "team": TEAM}),
    ("imports.page", "GET"): lambda i, w, _: Req("/board/import"),
    ("imports.template", "GET"): lambda i, w, _: Req("/board/import/template.xlsx"),
    ("imports.upload", "POST"): lambda i, w, _: Req("/board/import", data={
        "ledger": (LEDGER.encode(), "台账.csv")}, writes=False),
    ("imports.mapping", "GET"): lambda i, w, world: Req(
        f"/board/import/{_uploaded(i, w, world)}"),
    ("imports.preview", "POST"): lambda i, w, world: Req(
        f"/board/import/{_uploaded(i, w, world)}/preview", data=LEDGER_COLUMNS, writes=False),
    ("imports.apply", "POST"): lambda i, w, world: Req(
        f"/board/import/{_uploaded(i, w, world)}/apply", data=LEDGER_COLUMNS),
    ("imports.progress", "GET"): lambda i, w, world: Req(
        f"/board/import/{_uploaded(i, w, world)}/progress"),
    ("api.assign_projects", "POST"): lambda i, w, _: Req(
        "/api/projects/assign",
        json={"projects": [{"id": i["p1"], "version": i["p1_version"]}], "owner": "member"}),
    ("api.delete_project", "DELETE"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}", json={"version": i["p1_version"]}),
    ("api.withdraw_project", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}/withdraw",
        json={"withdrawn_reason": "went_elsewhere", "version": i["p1_version"]}),
    ("api.reopen_project", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p4']}/reopen", json={"version": i["p4_version"]}),
    ("api_contract.openapi", "GET"): lambda i, w, _: Req("/api/openapi.json"),
    ("api_contract.docs", "GET"): lambda i, w, _: Req("/api/docs"),
    ("tracking_api.list_notes", "GET"): lambda i, w, _: Req(f"/api/projects/{i['p1']}/notes"),
    ("tracking_api.add_note", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}/notes", json={"text": "对方确认来访"}),
    ("tracking_api.list_blockers", "GET"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}/blockers"),
    ("tracking_api.raise_blocker", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p1']}/blockers", json=BLOCKER),
    ("tracking_api.resolve_blocker", "POST"): lambda i, w, _: Req(
        f"/api/blockers/{i['blocker']}/resolve",
        json={"version": i["blocker_version"], "resolution": "已落实"}),
    ("tracking_api.city_blockers", "GET"): lambda i, w, _: Req(
        "/api/blockers", query={"sort": "department"}),
    ("tracking.notes_section", "GET"): lambda i, w, _: Req(f"/board/projects/{i['p1']}/notes"),
    ("tracking.add_note", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/notes", data={"text": "对方确认来访"}),
    ("tracking.blockers_section", "GET"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/blockers"),
    ("tracking.raise_blocker", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p1']}/blockers", data=BLOCKER),
    ("tracking.resolve_blocker", "POST"): lambda i, w, _: Req(
        f"/board/blockers/{i['blocker']}/resolve",
        data={"version": str(i["blocker_version"]), "resolution": "已落实"}),
    ("tracking.city", "GET"): lambda i, w, _: Req("/blockers", query={"sort": "department"}),
    ("meetings_api.list_meetings", "GET"): lambda i, w, _: Req("/api/meetings"),
    ("meetings_api.get_meeting", "GET"): lambda i, w, _: Req(f"/api/meetings/{i['meeting']}"),
    ("meetings_api.create_meeting", "POST"): lambda i, w, _: Req(
        "/api/meetings", json={"title": "一月调度会", "date": today().isoformat()}),
    ("meetings_api.set_agenda", "POST"): lambda i, w, _: Req(
        f"/api/meetings/{i['meeting']}/agenda", json={"agenda": [i["p1"]]}),
    ("meetings_api.add_decision", "POST"): lambda i, w, _: Req(
        f"/api/meetings/{i['meeting']}/decisions", json=DECISION | {"project_id": i["p1"]}),
    ("meetings.index", "GET"): lambda i, w, _: Req("/meetings"),
    ("meetings.page", "GET"): lambda i, w, _: Req(f"/meetings/{i['meeting']}"),
    ("meetings.create", "POST"): lambda i, w, _: Req(
        "/meetings", data={"title": "一月调度会", "date": today().isoformat()}),
    ("meetings.agenda", "POST"): lambda i, w, _: Req(
        f"/meetings/{i['meeting']}/agenda", data={"action": "down", "project": str(i["p1"])}),
    ("meetings.decide", "POST"): lambda i, w, _: Req(
        f"/meetings/{i['meeting']}/decisions", data=DECISION | {"project_id": str(i["p1"])}),
    ("meetings.present", "POST"): lambda i, w, _: Req(
        f"/meetings/{i['meeting']}/present", data={"position": "1"}),
    ("meetings.minutes", "GET"): lambda i, w, _: Req(f"/meetings/{i['meeting']}/minutes"),
    ("meetings.minutes_word", "GET"): lambda i, w, _: Req(
        f"/meetings/{i['meeting']}/minutes.docx"),
    ("funds_api.list_receipts", "GET"): lambda i, w, _: Req(f"/api/projects/{i['p5']}/funds"),
    ("funds_api.record_receipt", "POST"): lambda i, w, _: Req(
        f"/api/projects/{i['p5']}/funds", json={**FUNDS, "date": today().isoformat()}),
    ("funds_api.correct_receipt", "POST"): lambda i, w, _: Req(
        f"/api/funds/{i['receipt']}/correct",
        json={"version": i["receipt_version"], "amount_wan": 1200, "reason": "更正"}),
    ("funds_api.remove_receipt", "POST"): lambda i, w, _: Req(
        f"/api/funds/{i['receipt']}/remove",
        json={"version": i["receipt_version"], "reason": "重复"}),
    ("funds.section", "GET"): lambda i, w, _: Req(f"/board/projects/{i['p5']}/funds"),
    ("funds.record_receipt", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p5']}/funds",
        data={"date": today().isoformat(), "amount_wan": "1000", "document": "银收2号"}),
    ("funds.correct_receipt", "POST"): lambda i, w, _: Req(
        f"/board/funds/{i['receipt']}/correct",
        data={"version": str(i["receipt_version"]), "date": today().isoformat(),
              "amount_wan": "1200", "reason": "更正"}),
    ("funds.remove_receipt", "POST"): lambda i, w, _: Req(
        f"/board/funds/{i['receipt']}/remove",
        data={"version": str(i["receipt_version"]), "reason": "重复"}),
    ("documents.section", "GET"): lambda i, w, _: Req(f"/board/projects/{i['p5']}/documents"),
    ("documents.upload", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p5']}/documents",
        data={"kind": "licence", "file": (b"\x89PNG\r\n\x1a\n" + bytes(32), "执照.png")}),
    ("documents.remove", "POST"): lambda i, w, _: Req(
        f"/board/documents/{i['document']}/remove", data={"version": "1", "reason": "传错了"}),
    ("documents.download", "GET"): lambda i, w, _: Req(f"/board/documents/{i['document']}"),
    ("documents.verify_signing", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p5']}/verify", data={"version": str(i["p5_version"])}),
    ("documents.unverify_signing", "POST"): lambda i, w, _: Req(
        f"/board/projects/{i['p6']}/unverify",
        data={"version": str(i["p6_version"]), "reason": "协议不全"}),
    ("tracking.city_xlsx", "GET"): lambda i, w, _: Req("/blockers.xlsx",
                                                       query={"sort": "department"}),
    ("wall.index", "GET"): _wall("/wall"),
    ("wall.columns", "GET"): _wall("/wall/columns"),
    ("wall.summary", "GET"): _wall("/wall/summary"),
    ("wall.view", "GET"): _wall("/wall/views/ranking"),
    ("insights.index", "GET"): lambda i, w, _: Req(
        "/indicators", query={"from": "2026-01-01", "to": "2026-06-30", "sort": "started"}),
    ("api_indicators.get_indicators", "GET"): lambda i, w, _: Req(
        "/api/indicators", query={"from": "2026-01-01", "to": "2026-06-30", "county": "鹤城区"}),
    ("reports.schedule", "GET"): lambda i, w, _: Req("/reports/schedule", query=HALF_YEAR),
    ("reports.schedule_xlsx", "GET"): lambda i, w, _: Req("/reports/schedule.xlsx",
                                                          query=HALF_YEAR),
    ("reports.schedule_csv", "GET"): lambda i, w, _: Req("/reports/schedule.csv",
                                                         query=HALF_YEAR),
    ("reports.weekly_report", "GET"): lambda i, w, _: Req("/reports/weekly",
                                                          query={"week": "2026-06-03"}),
    ("results.index", "GET"): lambda i, w, _: Req("/results", query={**HALF_YEAR,
                                                                    "sort": "started"}),
    ("results.results_xlsx", "GET"): lambda i, w, _: Req("/results.xlsx", query=HALF_YEAR),
    ("results.results_csv", "GET"): lambda i, w, _: Req("/results.csv", query=HALF_YEAR),
    ("admin.targets_list", "GET"): lambda i, w, _: Req("/admin/targets", query={"year": "2026"}),
    ("admin.set_targets", "POST"): lambda i, w, _: Req(
        "/admin/targets", data={
            "year": "2026", f"signed_count.{i['free_county']}": "12",
            f"signed_investment_wan.{i['free_county']}": "500000",
            f"started_count.{i['free_county']}": "6",
            f"foreign_capital_usd_wan.{i['free_county']}": "3000"}),
    ("notifications.index", "GET"): lambda i, w, _: Req("/notifications"),
    ("notifications.mark_read", "POST"): lambda i, who, _: Req(
        f"/notifications/{i.get(f'notification:{who}', i['notification:member'])}/read",
        data={}),
    ("notifications.mark_all_read", "POST"): lambda i, w, _: Req("/notifications/read",
                                                                 data={}),
    ("notifications.settings", "GET"): lambda i, w, _: Req("/notifications/settings"),
    ("notifications.settings", "POST"): lambda i, w, _: Req("/notifications/settings",
                                                            data={"receive": ["assigned"]}),
    ("admin.webhooks_page", "GET"): lambda i, w, _: Req("/admin/webhooks"),
    ("admin.add_webhook", "POST"): lambda i, w, _: Req("/admin/webhooks", data={
        "team": "三组", "kind": "generic", "url": "http://127.0.0.1:9/generic", "secret": "s",
        "events": ["moved"]}),
    ("admin.remove_webhook", "POST"): lambda i, w, _: Req(
        f"/admin/webhooks/{i['webhook']}/remove", data={}),
    ("admin.index", "GET"): lambda i, w, _: Req("/admin"),
    ("admin.audit", "GET"): lambda i, w, _: Req("/admin/audit", query={"actor": "(cli)"}),
    ("admin.users", "GET"): lambda i, w, _: Req("/admin/users"),
    ("admin.create_user", "POST"): lambda i, w, _: Req("/admin/users", data={
        "username": "newbie", "password": PASSWORD, "role": "member", "display_name": "新人"}),
    ("admin.user", "GET"): lambda i, w, _: Req(f"/admin/users/{i['target']}"),
    ("admin.change_role", "POST"): lambda i, w, _: Req(
        f"/admin/users/{i['target']}/role", data={"role": "lead"}),
    ("admin.reset_password", "POST"): lambda i, w, _: Req(
        f"/admin/users/{i['target']}/password", data={"password": "a-reset-password"}),
    ("admin.disable_user", "POST"): lambda i, w, _: Req(
        f"/admin/users/{i['target']}/disable", data={}),
    ("admin.enable_user", "POST"): lambda i, w, _: Req(
        f"/admin/users/{i['dormant']}/enable", data={}),
    ("admin.revoke_api_token", "POST"): lambda i, w, _: Req(
        f"/admin/users/{i['target']}/tokens/{i['target_token']}/revoke", data={}),
    ("admin.teams_list", "GET"): lambda i, w, _: Req("/admin/teams"),
    ("admin.create_team", "POST"): lambda i, w, _: Req(
        "/admin/teams", data={"name": "四组", "lead": "target"}),
    ("admin.team", "GET"): lambda i, w, _: Req(f"/admin/teams/{i['team3']}"),
    ("admin.set_lead", "POST"): lambda i, w, _: Req(
        f"/admin/teams/{i['team3']}/lead", data={"lead": "target"}),
    ("admin.add_member", "POST"): lambda i, w, _: Req(
        f"/admin/teams/{i['team3']}/members", data={"user": "viewer"}),
    ("admin.remove_member", "POST"): lambda i, w, _: Req(
        f"/admin/teams/{i['team3']}/members/remove", data={"user": "target"}),
    ("admin.counties", "GET"): lambda i, w, _: Req("/admin/counties"),
    ("admin.add_county", "POST"): lambda i, w, _: Req(
        "/admin/counties", data={"name": "新晃县", "kind": "county"}),
    ("admin.county", "GET"): lambda i, w, _: Req(f"/admin/counties/{i['free_county']}"),
    ("admin.rename_county", "POST"): lambda i, w, _: Req(
        f"/admin/counties/{i['free_county']}/rename", data={"name": "改名县"}),
    ("admin.delete_county", "POST"): lambda i, w, _: Req(
        f"/admin/counties/{i['free_county']}/delete", data={}),
    ("admin.displays", "GET"): lambda i, w, _: Req("/admin/displays"),
    ("admin.create_display", "POST"): lambda i, w, _: Req(
        "/admin/displays", data={"name": "二楼"}),
    ("admin.revoke_display", "POST"): lambda i, w, _: Req(
        f"/admin/displays/{i['display']}/revoke", data={}),
    ("admin.update_display", "POST"): lambda i, w, _: Req(
        f"/admin/displays/{i['display']}/settings", data={
            "profile": "lobby", "views": ["board", "ranking"], "rotate_seconds": "30"}),
}


def outcome_of(response) -> str | int:
    if response.status_code == 302 and urlsplit(response.location).path == "/login":
        return "login"
    if 200 <= response.status_code < 400:
        return "ok"
    return response.status_code


def _param(key, who, expected):
    marks = ()
    if isinstance(expected, Hole):
        marks = pytest.mark.xfail(strict=True, reason=expected.reason)
        expected = expected.expected
    return pytest.param(key, who, expected, marks=marks, id=f"{key[1]} {key[0]} as {who}")


# --- the matrix ---------------------------------------------------------------------------------

def test_every_route_and_event_is_declared(app):
    """New routes and socket events must take a place in the table; gone ones must leave it."""
    routes = {(rule.endpoint, method): rule.rule for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}
    missing = [f"{method} {rule} ({endpoint})" for (endpoint, method), rule in routes.items()
               if (endpoint, method) not in MATRIX]
    assert not missing, f"add it to the matrix (MATRIX and REQUESTS): {missing}"
    gone = [key for key in MATRIX if key not in routes]
    assert not gone, f"the matrix names routes the app no longer has: {gone}"
    assert set(REQUESTS) == set(MATRIX), set(REQUESTS) ^ set(MATRIX)
    events = set(socketio.server.handlers.get("/", {}))
    missing_events = sorted(events - set(SOCKET_MATRIX))
    assert not missing_events, f"add it to the matrix (SOCKET_MATRIX): {missing_events}"
    gone_events = sorted(set(SOCKET_MATRIX) - events)
    assert not gone_events, f"SOCKET_MATRIX names events the server no longer has: {gone_events}"
    assert set(socketio.server.handlers) <= {"/"}, "a namespace the matrix does not cover"


@pytest.mark.parametrize(("key", "who", "expected"), [
    _param(key, who, expected) for key, row in MATRIX.items() for who, expected in row.items()])
def test_route(fresh, untouched, monkeypatch, world, key, who, expected):
    method = key[1]
    req = REQUESTS[key](world.ids, who, world)
    if method != "GET" and expected == "ok" and req.writes:
        app = fresh()
        before = full_snapshot(app)
    else:
        app = untouched.take(monkeypatch)
        before = untouched.before
    watcher = viewer_socket(app, world) if method != "GET" and expected != "ok" else None
    response = send(app, world, who, method, req)
    got = outcome_of(response)
    assert got == expected, (f"{method} {req.path} as {who}: expected {expected}, got "
                             f"{response.status_code} {response.location or ''} "
                             f"{response.get_data(as_text=True)[:300]}")
    after = full_snapshot(app)
    if method == "GET" or expected != "ok" or not req.writes:
        assert after == before, f"{method} {req.path} as {who} changed the database"
    else:
        assert after != before, f"{method} {req.path} as {who} answered ok but changed nothing"
    if watcher is not None:
        assert project_events(watcher) == [], f"{method} {req.path} as {who} broadcast"
        watcher.disconnect()


def _socket_for(app, world: World, who: str, **extra):
    if who in PEOPLE:
        return socket_client(app, SimpleNamespace(client=client_of(app, world, who)), **extra)
    auth = {"display": {"token": world.display_token}, "api": {"token": world.api_token}}
    return socket_client(app, auth=auth.get(who), **extra)


@pytest.mark.parametrize(("event", "who", "expected"), [
    pytest.param(event, who, expected, id=f"{event} as {who}")
    for event, row in SOCKET_MATRIX.items() for who, expected in row.items()])
def test_socket_event(untouched, monkeypatch, world, event, who, expected):
    app = untouched.take(monkeypatch)
    before = untouched.before
    client = _socket_for(app, world, who)
    assert client.is_connected() == (expected != "refuse"), f"{event} as {who}"
    if client.is_connected():
        hello = client.get_received()
        assert [m["name"] for m in hello] == ["hello"]
        assert hello[0]["args"][0]["view"] == ("wall" if who == "display" else "board")
        if event == "disconnect":
            client.disconnect()
            assert not client.is_connected()
            from wallchart.realtime import sockets
            assert client.eio_sid not in sockets._watched
        if event == "*":
            watcher = viewer_socket(app, world)
            ids = world.ids
            for name in ("move", "project", "assign", "join", "update"):
                client.emit(name, {"id": ids["p1"], "stage": "signed", "owner": who,
                                   "version": ids["p1_version"], "room": "wall:zh"})
            assert client.get_received() == [] and project_events(watcher) == []
            assert client.is_connected()
            for n in range(30):  # more than 20 in 10 s: cut off, the others stay
                if not client.is_connected():
                    break
                client.emit("chatter", n)
            assert not client.is_connected() and watcher.is_connected()
            watcher.disconnect()
    assert full_snapshot(app) == before


@pytest.mark.parametrize(("case", "expected"), [
    ("bad token", False), ("auth not a dict", False), ("cookie without Origin", False),
    ("cookie from a foreign Origin", False), ("token from a foreign Origin", False),
    ("API token of a disabled user", False), ("revoked display token", False),
    ("token from this site's Origin", True),
])
def test_socket_connect_with_odd_credentials(fresh, world, case, expected):
    from wallchart.extensions import socketio as server
    from wallchart.services import accounts

    app = fresh()
    viewer = SimpleNamespace(client=client_of(app, world, "viewer"))
    foreign = {"Origin": "https://evil.example"}
    here = {"Origin": "http://localhost"}
    if case == "API token of a disabled user":
        with app.app_context():
            accounts.disable_user(None, "member")
    if case == "revoked display token":
        with app.app_context():
            accounts.revoke_display_tokens(None, "大厅")
    connect = {
        "bad token": lambda: socket_client(app, auth={"token": "not-a-token"}),
        "auth not a dict": lambda: socket_client(app, auth=world.display_token),
        "cookie without Origin": lambda: server.test_client(
            app, flask_test_client=viewer.client),
        "cookie from a foreign Origin": lambda: server.test_client(
            app, flask_test_client=viewer.client, headers=foreign),
        "token from a foreign Origin": lambda: server.test_client(
            app, auth={"token": world.display_token}, headers=foreign),
        "API token of a disabled user": lambda: socket_client(
            app, auth={"token": world.api_token}),
        "revoked display token": lambda: socket_client(
            app, auth={"token": world.display_token}),
        "token from this site's Origin": lambda: server.test_client(
            app, auth={"token": world.api_token}, headers=here),
    }[case]
    assert connect().is_connected() == expected, case


# --- IDOR: another team's ids -------------------------------------------------------------------

def _team_writes(project_id: int, version: int) -> list[tuple[str, str, dict]]:
    """Every state-changing route that takes a project id: (method, path, body); JSON under
    /api, a form elsewhere."""
    return [
        ("PATCH", f"/api/projects/{project_id}", {"name": "偷改", "version": version}),
        ("PATCH", f"/api/projects/{project_id}", {"team": TEAM, "version": version}),
        ("POST", f"/api/projects/{project_id}/move", {"stage": "signed", "version": version}),
        ("POST", f"/api/projects/{project_id}/assign", {"owner": None, "version": version}),
        ("POST", "/api/projects/assign",
         {"projects": [{"id": project_id, "version": version}], "owner": None}),
        ("DELETE", f"/api/projects/{project_id}", {"version": version}),
        ("POST", f"/api/projects/{project_id}/withdraw",
         {"withdrawn_reason": "land", "version": version}),
        ("POST", f"/api/projects/{project_id}/reopen", {"version": version}),
        ("POST", f"/board/projects/{project_id}", {"name": "偷改", "version": version}),
        ("POST", f"/board/projects/{project_id}/move", {"stage": "signed", "version": version}),
        ("POST", f"/board/projects/{project_id}/assign", {"owner": "", "version": version}),
        ("POST", f"/board/projects/{project_id}/delete", {"version": version}),
        ("POST", f"/board/projects/{project_id}/plan", {"next_step": "偷改", "version": version}),
        ("POST", f"/board/projects/{project_id}/dates",
         {"stage": "contact", "date": "2024-01-02", "reason": "偷改", "version": version}),
        ("POST", f"/board/projects/{project_id}/withdraw",
         {"withdrawn_reason": "duplicate", "version": version}),
        ("POST", f"/api/projects/{project_id}/notes", {"text": "偷写"}),
        ("POST", f"/api/projects/{project_id}/blockers", BLOCKER),
        ("POST", f"/api/projects/{project_id}/funds", {**FUNDS, "date": today().isoformat()}),
        ("POST", f"/board/projects/{project_id}/notes", {"text": "偷写"}),
        ("POST", f"/board/projects/{project_id}/blockers", BLOCKER),
        ("POST", f"/board/projects/{project_id}/funds",
         {"date": today().isoformat(), "amount_wan": "1000"}),
    ]


def _refused(app, world, who, method, path, body, status=403):
    req = Req(path, json=body) if path.startswith("/api/") else Req(path, data=body)
    before = full_snapshot(app)
    watcher = viewer_socket(app, world)
    response = send(app, world, who, method, req)
    text = response.json["error"] if response.is_json else response.get_data(as_text=True)
    assert response.status_code == status, f"{method} {path} {body} as {who}: {text[:300]}"
    assert full_snapshot(app) == before, f"{method} {path} as {who} changed the database"
    assert project_events(watcher) == [], f"{method} {path} as {who} broadcast"
    watcher.disconnect()
    return text


def _set_owner(app, project_id: int, username: str) -> int:
    """Give a project an owner directly (so that assigning none is a change); its version."""
    from tests.helpers import actor
    from wallchart.services.projects import assign_project

    with app.app_context():
        project = db.session.get(Project, project_id)
        return assign_project(actor("admin"), project_id, username, project.version).version


def test_outsider_cannot_change_another_teams_project(fresh, world):
    """``outsider`` (二组) with 一组's ids: every write 403, nothing changed, nothing sent; the
    edits and moves are refused for the team (his role may do them)."""
    app = fresh()
    version = _set_owner(app, world.ids["p1"], "member")
    for method, path, body in _team_writes(world.ids["p1"], version):
        text = _refused(app, world, "outsider", method, path, body)
        if method == "PATCH" or "move" in path or path.startswith("/board/projects/") \
                and path.count("/") == 3:
            assert "其他专班" in text, (path, text[:300])  # refused for the team, not the role
    for path, body in [("/api/projects", {**NEW_PROJECT, "team": TEAM}),
                       ("/board/projects", {**NEW_PROJECT, "investment_wan": "1200"})]:
        _refused(app, world, "outsider", "POST", path, body)
    # Reading is allowed to everyone signed in (the wall is shared by design).
    assert send(app, world, "outsider", "GET", Req(f"/api/projects/{world.ids['p1']}")).is_json


def test_lead_cannot_change_another_teams_project(fresh, world):
    """``lead`` (of 一组) with 二组's ids: every write 403 — his role may do all of them."""
    app = fresh()
    version = _set_owner(app, world.ids["p2"], "outsider")
    for method, path, body in _team_writes(world.ids["p2"], version):
        text = _refused(app, world, "lead", method, path, body)
        assert "其他专班" in text, (method, path, body, text[:300])  # the team, not the role
    ids = world.ids
    # All or nothing: one foreign card spoils the batch; his own card is not assigned either.
    _refused(app, world, "lead", "POST", "/api/projects/assign", {
        "projects": [{"id": ids["p1"], "version": ids["p1_version"]},
                     {"id": ids["p2"], "version": version}], "owner": "member"})
    # Handing his project to a team he does not lead; an owner from outside the project's team.
    _refused(app, world, "lead", "PATCH", f"/api/projects/{ids['p1']}",
             {"team": OTHER_TEAM, "version": ids["p1_version"]})
    _refused(app, world, "lead", "POST", f"/board/projects/{ids['p1']}",
             {"team": OTHER_TEAM, "version": ids["p1_version"]})
    for path, body in [(f"/api/projects/{ids['p1']}/assign", {"owner": "outsider"}),
                       (f"/board/projects/{ids['p1']}/assign", {"owner": "outsider"})]:
        _refused(app, world, "lead", "POST", path, {**body, "version": ids["p1_version"]}, 422)
    # ... and creating in another team.
    _refused(app, world, "lead", "POST", "/api/projects", {**NEW_PROJECT, "team": OTHER_TEAM})


def test_a_member_cannot_hand_a_project_to_another_team(fresh, world):
    """A member of both teams may edit both, but a handover is for leads and admins."""
    from wallchart.services import teams

    app = fresh()
    with app.app_context():
        teams.add_members(None, OTHER_TEAM, ["member"])
    ids = world.ids
    _refused(app, world, "member", "PATCH", f"/api/projects/{ids['p1']}",
             {"team": OTHER_TEAM, "version": ids["p1_version"]})
    _refused(app, world, "api", "PATCH", f"/api/projects/{ids['p1']}",
             {"team": OTHER_TEAM, "version": ids["p1_version"]})


def test_missing_ids_are_404_not_500(fresh, world):
    app = fresh()
    for method, path, body in _team_writes(999999, 1):
        if path == "/api/projects/assign" or "team" in body:
            continue
        _refused(app, world, "admin", method, path, body, 404)
    for path in ["/admin/users/999999", "/admin/teams/999999", "/admin/counties/999999"]:
        assert send(app, world, "admin", "GET", Req(path)).status_code == 404
    for path in ["/admin/users/999999/disable", "/admin/teams/999999/lead",
                 "/admin/counties/999999/delete", "/admin/displays/999999/revoke",
                 "/admin/displays/999999/settings"]:
        _refused(app, world, "admin", "POST", path, {}, 404)


# --- CSRF ---------------------------------------------------------------------------------------

def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(fresh, world, app):
    """From ``url_map`` (so new routes are swept too): no token, or a forged one, is 400 and
    changes nothing — for the administrator, who may do everything, a member and the
    anonymous visitor; a bearer token needs none (its cells in the matrix)."""
    writes = sorted({(rule.endpoint, method) for rule in app.url_map.iter_rules()
                     for method in rule.methods - {"GET", "HEAD", "OPTIONS"}})
    assert len(writes) >= 25, writes
    target = fresh()
    swept = 0
    for key in writes:
        assert key in REQUESTS, f"add it to the matrix: {key}"
        for who in ("admin", "member", "anonymous"):
            req = REQUESTS[key](world.ids, who, world)
            for csrf in (None, "wrong"):
                before = full_snapshot(target)
                watcher = viewer_socket(target, world)
                response = send(target, world, who, key[1], req, csrf=csrf)
                assert response.status_code == 400, (
                    f"{key[1]} {req.path} as {who} with {csrf or 'no'} CSRF token: "
                    f"{response.status_code} {response.get_data(as_text=True)[:200]}")
                assert full_snapshot(target) == before, f"{key} without CSRF changed the database"
                assert project_events(watcher) == []
                watcher.disconnect()
                swept += 1
    # The form field counts as well as the header (one route per kind, as a check on the sweep).
    ok = send(target, world, "admin", "POST", Req(
        "/admin/counties", data={"name": "新晃县", "kind": "county",
                                 "csrf_token": world.csrf["admin"]}), csrf=None)
    assert ok.status_code == 302
    assert swept == len(writes) * 6


# --- mass assignment ----------------------------------------------------------------------------

EXTRA = {"role": "admin", "team": OTHER_TEAM, "version": 99, "id": 4242, "owner": "admin",
         "is_admin": True, "active": False}


def _project_row(app, project_id):
    with app.app_context():
        p = db.session.get(Project, project_id)
        return {"id": p.id, "team": p.team.name, "owner": p.owner.username if p.owner else None,
                "version": p.version, "stage": p.stage, "name": p.name, "deleted": p.deleted_at}


def test_extra_json_fields_are_refused_and_never_applied(fresh, world):
    """API bodies with fields nobody may set that way: 422 naming them, nothing stored."""
    app = fresh()
    ids = world.ids
    v = ids["p1_version"]
    cases = {
        "/api/projects": ("POST", dict(NEW_PROJECT), {"role", "version", "id", "owner",
                                                     "is_admin", "active"}),
        f"/api/projects/{ids['p1']}": ("PATCH", {"name": "新名", "version": v},
                                       {"role", "id", "owner", "is_admin", "active"}),
        f"/api/projects/{ids['p1']}/move": ("POST", {"stage": "signed", "version": v},
                                            {"role", "team", "id", "owner", "is_admin",
                                             "active"}),
        f"/api/projects/{ids['p1']}/assign": ("POST", {"owner": "member", "version": v},
                                              {"role", "team", "id", "is_admin", "active"}),
        "/api/projects/assign": ("POST", {"projects": [{"id": ids["p1"], "version": v}],
                                          "owner": "member"},
                                 {"role", "team", "version", "id", "is_admin", "active"}),
        f"/api/projects/{ids['p1']}/withdraw": ("POST", {"withdrawn_reason": "land",
                                                         "version": v},
                                                {"role", "team", "id", "owner", "is_admin",
                                                 "active"}),
        f"/api/projects/{ids['p4']}/reopen": ("POST", {"version": ids["p4_version"]},
                                              {"role", "team", "id", "owner", "is_admin",
                                               "active"}),
    }
    for who in ("admin", "api"):
        for path, (method, body, extras) in cases.items():
            if who == "api" and path.endswith("assign"):
                continue  # a member's token may not assign at all
            for name in sorted(extras):
                text = _refused(app, world, who, method, path, {**body, name: EXTRA[name]}, 422)
                assert name in text, (path, name, text[:200])
    # Inside a bulk item too.
    _refused(app, world, "admin", "POST", "/api/projects/assign", {
        "projects": [{"id": ids["p1"], "version": v, "owner": "admin"}], "owner": "member"}, 422)


def test_extra_form_fields_on_the_board_are_ignored(fresh, world):
    """Board forms take only their own fields: owner, id, role, stage... are dropped."""
    from tests.helpers import actor

    app = fresh()
    ids = world.ids
    sneaky = {"owner": "admin", "id": "4242", "role": "admin", "is_admin": "1", "active": "0",
              "stage": "producing", "position": "0", "deleted_at": "2020-01-01"}
    # A version on a new project is refused (422, nothing stored); the rest is dropped.
    _refused(app, world, "member", "POST", "/board/projects",
             {**NEW_PROJECT, "investment_wan": "1200", "version": "99", **sneaky}, 422)
    response = send(app, world, "member", "POST", Req(
        "/board/projects", data={**NEW_PROJECT, "investment_wan": "1200", **sneaky}))
    assert response.status_code == 204, response.get_data(as_text=True)[:300]
    with app.app_context():
        created = db.session.execute(select(Project).where(Project.name == "新项目")).scalar_one()
        assert created.id != 4242 and created.owner_id is None and created.stage == "contact"
        assert created.version == 1 and created.team.name == TEAM and created.deleted_at is None
    before = _project_row(app, ids["p1"])
    response = send(app, world, "member", "POST", Req(
        f"/board/projects/{ids['p1']}", data={"name": "表单改名", "version": ids["p1_version"],
                                             **sneaky}))
    assert response.status_code == 204, response.get_data(as_text=True)[:300]
    after = _project_row(app, ids["p1"])
    assert after == {**before, "name": "表单改名", "version": before["version"] + 1}
    for path, data in [("move", {"stage": "signed", "team": OTHER_TEAM, "owner": "admin"}),
                       ("assign", {"owner": "member", "team": OTHER_TEAM, "stage": "producing",
                                   "name": "偷改"})]:
        before = _project_row(app, ids["p1"])
        response = send(app, world, "lead", "POST", Req(
            f"/board/projects/{ids['p1']}/{path}",
            data={**data, "version": before["version"], "id": "4242", "role": "admin"}))
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        after = _project_row(app, ids["p1"])
        assert after["team"] == TEAM and after["id"] == ids["p1"]
        if path == "move":
            assert (after["stage"], after["owner"]) == ("signed", None)
        else:
            assert (after["owner"], after["stage"], after["name"]) == \
                ("member", "signed", "表单改名")
    with app.app_context():
        assert actor("member").role == "member" and actor("member").active


def test_extra_form_fields_on_admin_and_account_forms_are_ignored(fresh, world):
    """Administration and account forms: only the named field of each form is applied."""
    from tests.helpers import actor

    app = fresh()
    ids = world.ids
    sneaky = {"is_admin": "1", "active": "0", "id": "4242", "team": TEAM, "owner": "admin",
              "version": "99", "username": "admin", "lead": "outsider"}

    def post(who, path, data, status=302):
        response = send(app, world, who, "POST", Req(path, data=data))
        assert response.status_code == status, (path, response.get_data(as_text=True)[:300])

    # The new-user form names a team of its own (none here).
    post("admin", "/admin/users", {**sneaky, "username": "newbie", "password": PASSWORD,
                                   "role": "viewer", "display_name": "新人", "team": ""})
    post("admin", f"/admin/users/{ids['target']}/role", {**sneaky, "role": "viewer"})
    post("admin", "/admin/teams", {**sneaky, "name": "四组", "lead": "target",
                                   "user": "outsider", "members": "outsider"})
    post("admin", f"/admin/teams/{ids['team3']}/members", {**sneaky, "user": "viewer"})
    post("admin", "/admin/counties", {**sneaky, "name": "新晃县", "kind": "county",
                                      "sort_order": "-1"})
    post("admin", "/admin/displays", {**sneaky, "name": "二楼", "revoked_at": "2020-01-01"},
         status=200)
    post("viewer", "/account/password", {**sneaky, "role": "admin", "current": PASSWORD,
                                         "new": "a-brand-new-password",
                                         "repeat": "a-brand-new-password"})
    with app.app_context():
        newbie = actor("newbie")
        assert (newbie.role, newbie.active) == ("viewer", True) and newbie.id != 4242
        target = actor("target")
        assert (target.role, target.active) == ("viewer", True)
        admin = actor("admin")
        assert (admin.role, admin.active) == ("admin", True)
        viewer = actor("viewer")
        assert (viewer.role, viewer.active) == ("viewer", True)
        team1 = db.session.get(Team, ids["team1"])
        assert {u.username for u in team1.members} == {"member", "viewer"}
        assert team1.lead.username == "lead"
        four = db.session.execute(select(Team).where(Team.name == "四组")).scalar_one()
        assert four.id != 4242 and four.lead.username == "target" and four.members == []
        three = db.session.get(Team, ids["team3"])
        assert three.lead is None
        assert {u.username for u in three.members} == {"target", "viewer"}
        county = db.session.execute(select(County).where(County.name == "新晃县")).scalar_one()
        assert county.id != 4242 and county.sort_order >= 0
        display = db.session.execute(
            select(DisplayToken).where(DisplayToken.name == "二楼")).scalar_one()
        assert display.id != 4242 and display.revoked_at is None
        for project_id in (ids["p1"], ids["p2"]):
            project = db.session.get(Project, project_id)
            assert project.owner_id is None and project.version == 1


# --- the report the issue asks for --------------------------------------------------------------

def test_report_the_matrix_size(capsys, app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"}}
    http = Counter(str(getattr(o, "expected", o)) for row in MATRIX.values() for o in row.values())
    sockets = Counter(o for row in SOCKET_MATRIX.values() for o in row.values())
    holes = [(key, who, o.reason) for key, row in MATRIX.items() for who, o in row.items()
             if isinstance(o, Hole)]
    lines = [
        "",
        f"Authorization matrix: {len(MATRIX)} (route, method) pairs "
        f"({len({k[0] for k in MATRIX})} endpoints; app has {len(routes)}) x "
        f"{len(IDENTITIES)} identities = {len(MATRIX) * len(IDENTITIES)} cells; "
        f"outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(http.items())),
        f"Socket events: {len(SOCKET_MATRIX)} x {len(IDENTITIES)} = "
        f"{len(SOCKET_MATRIX) * len(IDENTITIES)} cells; outcomes: "
        + ", ".join(f"{k} {v}" for k, v in sorted(sockets.items())),
        f"Known holes (xfail): {len(holes)}" + "".join(f"\n  {h}" for h in holes),
    ]
    with capsys.disabled():
        print("\n".join(lines))
