"""Wall display profiles, the live header and ticker, and display settings.

A lobby screen never receives a confidential project's investor or amount: not in the first
HTML, not in a pushed card, header or ticker, not in a data attribute or a column total (which
would give the amount away by difference). A staff screen shows everything. Display settings
(profile, views, seconds per view) are validated and audited, on the admin page and the CLI.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time

import pytest
import requests
import socketio
from sqlalchemy import select, update

from tests.helpers import actor, printed_wall_path, socket_client
from wallchart.core.models import AuditEntry, DisplayToken, Project
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import DEFAULT_HEADER_FIGURES
from wallchart.extensions import db

HEADER = list(DEFAULT_HEADER_FIGURES)
SECRET_INVESTOR = "绝密资本控股集团"
SECRET_WAN = 987_654
#: Every way the secret amount may be written: 万元, 亿元 (zh), CNY bn (en), a total with it.
SECRET_AMOUNTS = ("987654", "987,654", "98.77", "9.88")


def hidden_values_in(text: str) -> list[str]:
    return [value for value in (SECRET_INVESTOR, *SECRET_AMOUNTS) if value in text]


def set_row(app, project_id: int, **values) -> None:
    """Arrange a project's record directly (the confidential flag, its stage dates)."""
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project_id).values(**values))
        db.session.commit()


@pytest.fixture
def displays(app) -> dict[str, str]:
    """A staff and a lobby display token."""
    from wallchart.services import accounts

    with app.app_context():
        return {"staff": accounts.create_display_token(None, "内部大屏"),
                "lobby": accounts.create_display_token(None, "大厅大屏", {"profile": "lobby"})}


@pytest.fixture
def secret(app, make_project) -> dict:
    """A confidential project signed this year, the only card in the signed column, next to
    an open one."""
    make_project("公开项目", investor="公开投资有限公司", investment_wan=30_000,
                 stage="negotiating")
    project = make_project("保密合作项目", investor=SECRET_INVESTOR, investment_wan=SECRET_WAN,
                           stage="signed")
    set_row(app, project["id"], confidential=True, signed_on=today(), negotiating_on=today())
    return project


def page(app, token: str, path: str = "/wall", lang: str = "zh") -> str:
    response = app.test_client().get(path, query_string={"token": token, "lang": lang})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def figure(html: str, key: str) -> str:
    """The value of one header figure, as shown."""
    match = re.search(rf'data-indicator="{key}">.*?class="figure-value">([^<]*)<', html, re.S)
    assert match, f"no figure {key}"
    return match.group(1)


def column_total(html: str, stage: str) -> str:
    match = re.search(rf'data-stage="{stage}".*?class="total"[^>]*>([^<]*)<', html, re.S)
    assert match, f"no column {stage}"
    return match.group(1)


class Screen:
    """A socket test client that keeps every message it received, by name."""

    def __init__(self, client):
        self.client = client
        self.messages: list[tuple[str, dict]] = []

    def take(self) -> None:
        self.messages += [(m["name"], m["args"][0]) for m in self.client.get_received()]

    def events(self, name: str) -> list[dict]:
        self.take()
        return [payload for event, payload in self.messages if event == name]

    def wait_for(self, name: str, revision: int, timeout: float = 15) -> dict:
        """The first ``name`` event read at ``revision`` or later (the header and ticker
        follow a change a moment after its card)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events(name) if e["revision"] >= revision]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no {name} at revision {revision}: {self.messages}")


def screen(app, token: str, lang: str = "zh") -> Screen:
    found = Screen(socket_client(app, auth={"token": token, "lang": lang}))
    found.take()
    return found


# --- the first HTML ----------------------------------------------------------------------------

def test_a_lobby_page_never_holds_a_confidential_investor_or_amount(app, displays, secret):
    for lang in ("zh", "en"):
        lobby = page(app, displays["lobby"], lang=lang)
        staff = page(app, displays["staff"], lang=lang)
        assert hidden_values_in(lobby) == [], lang
        assert f'data-project-id="{secret["id"]}"' in lobby  # the card is there, its name too
        assert "保密合作项目" in lobby
        assert set(hidden_values_in(staff)) >= {SECRET_INVESTOR, "987654"}, lang
    lobby, staff = page(app, displays["lobby"]), page(app, displays["staff"])
    card = re.search(rf'<article[^>]*data-project-id="{secret["id"]}".*?</article>', lobby,
                     re.S).group(0)
    assert card.count("保密</") == 2  # investor and amount
    assert "badge-big" not in card  # nor a "10亿 and above" badge, which would tell its size
    assert 'data-investment=""' in lobby and f'data-investment="{SECRET_WAN}"' in staff
    # a column total covers only what the screen shows
    assert column_total(lobby, "signed") == "0.00" and column_total(staff, "signed") == "98.77"
    assert column_total(lobby, "negotiating") == column_total(staff, "negotiating") == "3.00"
    # the header: a lobby counts only projects that are not confidential
    assert figure(staff, "signed") == "1" and figure(lobby, "signed") == "0"
    assert figure(staff, "signed_investment") == "98.77"
    assert figure(lobby, "signed_investment") == "0.00"
    # 98.77 亿元 is 10 亿元 and above: a lobby's count would give its size away
    assert figure(staff, "signed_billion_plus") == "1"
    assert figure(lobby, "signed_billion_plus") == "0"
    assert "不含保密项目" in lobby and "不含保密项目" not in staff


def test_the_summary_and_columns_fragments_follow_the_profile(app, displays, secret, clients):
    clients["member"].post(f"/api/projects/{secret['id']}/move",
                           json={"stage": "started", "version": secret["version"]})
    for path in ("/wall/summary", "/wall/columns"):
        assert hidden_values_in(page(app, displays["lobby"], path)) == [], path
        assert SECRET_INVESTOR in page(app, displays["staff"], "/wall/columns")
    staff_summary = page(app, displays["staff"], "/wall/summary")
    assert 'id="wall-indicators"' in staff_summary and 'id="ticker"' in staff_summary
    assert "98.77 亿元" in staff_summary  # the ticker names the amount on a staff screen


# --- the live push -----------------------------------------------------------------------------

def test_pushed_cards_header_and_ticker_never_carry_hidden_values_to_a_lobby(
        app, displays, secret, clients):
    screens = {(profile, lang): screen(app, displays[profile], lang)
               for profile in ("staff", "lobby") for lang in ("zh", "en")}
    member = clients["member"]
    moved = member.post(f"/api/projects/{secret['id']}/move",
                        json={"stage": "started", "version": secret["version"]}).get_json()
    edited = member.patch(f"/api/projects/{secret['id']}",
                          json={"version": moved["version"], "name": "保密合作项目（二期）"})
    assert edited.status_code == 200
    revision = app.test_client().get("/wall/columns", query_string={
        "token": displays["staff"]})  # any read: the revision is in the columns fragment
    last = int(re.search(r'data-revision="(\d+)"', revision.get_data(as_text=True)).group(1))
    for (profile, lang), found in screens.items():
        found.wait_for("indicators", last)
        found.wait_for("ticker", last)
        cards = found.events("project")
        assert [c["action"] for c in cards] == ["moved", "updated"], (profile, lang)
        assert "保密合作项目（二期）" in cards[-1]["html"]
        everything = json.dumps(found.messages, ensure_ascii=False)
        if profile == "lobby":
            assert hidden_values_in(everything) == [], (lang, hidden_values_in(everything))
            assert 'data-investment=""' in cards[-1]["html"]
        else:
            assert SECRET_INVESTOR in cards[-1]["html"], lang
            assert f'data-investment="{SECRET_WAN}"' in cards[-1]["html"]
            ticker = found.wait_for("ticker", last)["html"]
            assert ("98.77 亿元" if lang == "zh" else "CNY 9.88bn") in ticker


def test_the_header_follows_changes_once_per_burst_and_room(app, displays, secret, clients,
                                                           monkeypatch):
    """Several changes at once: each room gets the header once, never per change or per
    screen, showing the last change; a lobby room, none for changes it cannot see.

    The refresh waits for the burst to end (its delay is held until the three changes are
    made), and the test waits for the refresh to have run: no timing window."""
    from wallchart.extensions import socketio
    from wallchart.realtime import push
    from wallchart.reports import wall_summary

    burst_over, refreshed = threading.Event(), threading.Event()
    real_sleep, real_refresh = socketio.sleep, push.push_wall_summaries

    def sleep(seconds: float = 0) -> None:
        if seconds == push.SUMMARY_DELAY_SECONDS:  # the refresh's delay: until the burst ends
            assert burst_over.wait(15), "the burst never ended"
        else:
            real_sleep(seconds)

    refreshes: list[bool] = []

    def refresh(lobby: bool = True) -> None:
        try:
            real_refresh(lobby)
        finally:
            refreshes.append(lobby)
            refreshed.set()

    monkeypatch.setattr(socketio, "sleep", sleep)
    monkeypatch.setattr(push, "push_wall_summaries", refresh)
    reads: list[str] = []
    real_read = wall_summary.read
    monkeypatch.setattr(wall_summary, "read", lambda profile: reads.append(profile) or
                        real_read(profile))
    walls = [screen(app, displays["staff"]), screen(app, displays["staff"]),
             screen(app, displays["lobby"])]
    member = clients["member"]
    version = secret["version"]
    for wan in (100_000, 200_000, 300_000):
        version = member.patch(f"/api/projects/{secret['id']}", json={
            "version": version, "investment_wan": wan}).get_json()["version"]
    burst_over.set()
    assert refreshed.wait(15), "no refresh of the walls' header"
    staff, twin, lobby = walls
    # One refresh for the burst, not for the lobby rooms; its emits are all in by now.
    assert refreshes == [False]
    [header] = staff.events("indicators")
    assert figure(header["html"], "signed_investment") == "30.00"
    assert [e["html"] for e in twin.events("indicators")] == [header["html"]]
    # computed once per profile per push, not per screen
    assert reads.count("staff") == 1
    # The amount of a confidential project: a lobby is not even told that something changed.
    assert reads.count("lobby") == 0
    assert lobby.events("indicators") == [] and lobby.events("project") == []


def test_a_stream_of_changes_refreshes_the_walls_at_most_once_an_interval(
        app, displays, secret, clients, monkeypatch):
    """The first change of a burst is followed after ``SUMMARY_DELAY_SECONDS``; one that comes
    just after a refresh waits until ``SUMMARY_INTERVAL_SECONDS`` have passed since it. (The
    refresh's waits are recorded and skipped.)"""
    from wallchart.extensions import socketio
    from wallchart.realtime import push

    waits: list[float] = []
    real_sleep = socketio.sleep

    def sleep(seconds: float = 0) -> None:
        if sys._getframe(1).f_code is push._refresh_later.__code__:
            waits.append(seconds)
            seconds = 0
        real_sleep(seconds)

    monkeypatch.setattr(socketio, "sleep", sleep)
    wall = screen(app, displays["staff"])
    version = secret["version"]
    for wan in (100_000, 200_000):
        answer = clients["member"].patch(f"/api/projects/{secret['id']}", json={
            "version": version, "investment_wan": wan}).get_json()
        version = answer["version"]
        wall.wait_for("indicators", 0)
        wall.messages.clear()
    assert waits[0] == push.SUMMARY_DELAY_SECONDS
    assert push.SUMMARY_INTERVAL_SECONDS - 1 < waits[1] <= push.SUMMARY_INTERVAL_SECONDS


def test_a_header_or_ticker_as_it_was_is_not_sent_again(app, displays, clients, make_project,
                                                        monkeypatch):
    """Two moves from 接触洽谈 to 在谈: no key indicator changes, the latest moves do. The
    first refresh sends both whole; the second sends the ticker whole and the header only as
    its revision and the previous push's (``same_since``), which a wall showing that push
    keeps. (The refresh's waits are skipped.)"""
    from wallchart.extensions import socketio
    from wallchart.realtime import push

    real_sleep = socketio.sleep

    def sleep(seconds: float = 0) -> None:
        real_sleep(0 if sys._getframe(1).f_code is push._refresh_later.__code__ else seconds)

    monkeypatch.setattr(socketio, "sleep", sleep)
    first, second = make_project("甲项目"), make_project("乙项目")
    wall = screen(app, displays["staff"])
    member = clients["member"]
    headers, tickers = [], []
    for project in (first, second):
        moved = member.post(f"/api/projects/{project['id']}/move",
                            json={"stage": "negotiating", "version": project["version"]})
        assert moved.status_code == 200, moved.get_json()
        headers.append(wall.wait_for("indicators", 0))
        tickers.append(wall.wait_for("ticker", 0))
        wall.messages.clear()
    assert "html" in headers[0] and "html" in tickers[0]
    assert headers[1]["revision"] > headers[0]["revision"]
    assert headers[1] == {"revision": headers[1]["revision"],
                          "same_since": headers[0]["revision"]}
    assert "乙项目" in tickers[1]["html"] and "same_since" not in tickers[1]


def test_only_a_change_the_header_or_ticker_reads_refreshes_them(app, displays, secret, clients,
                                                                 monkeypatch):
    """A note leaves the key indicators and the latest moves as they were: the walls get its
    card, and no refresh of their header is even scheduled; a stage move schedules one (for
    the lobby rooms too: they see a confidential card's stage)."""
    from wallchart.realtime import push

    asked: list[bool] = []
    monkeypatch.setattr(push, "refresh_walls_soon", lambda lobby=True: asked.append(lobby))
    wall = screen(app, displays["staff"])
    member = clients["member"]
    assert member.post(f"/api/projects/{secret['id']}/notes",
                       json={"text": "投资方来访"}).status_code == 201
    [noted] = wall.events("project")
    assert (noted["id"], noted["action"], asked) == (secret["id"], "noted", [])
    moved = member.post(f"/api/projects/{secret['id']}/move",
                        json={"stage": "started", "version": noted["version"]})
    assert moved.status_code == 200, moved.get_json()
    assert asked == [True]


def test_no_wall_no_summary(app, secret, clients, monkeypatch):
    """Without a wall screen, a change computes no header at all."""
    from wallchart.reports import wall_summary

    monkeypatch.setattr(wall_summary, "read", lambda profile: pytest.fail("read"))
    board = socket_client(app, clients["viewer"])
    clients["member"].patch(f"/api/projects/{secret['id']}",
                            json={"version": secret["version"], "name": "无人看的大屏"})
    assert [m["name"] for m in board.get_received()] == ["hello", "project"]


def test_the_ticker_lists_the_latest_moves_newest_first(app, displays, clients, make_project):
    member = clients["member"]
    first = make_project("第一个项目")
    second = make_project("第二个项目", stage="negotiating")
    member.post(f"/api/projects/{first['id']}/move", json={"stage": "negotiating", "version": 1})
    member.post(f"/api/projects/{second['id']}/move", json={"stage": "signed", "version": 1})
    reordered = make_project("只在列内调整")
    member.post(f"/api/projects/{reordered['id']}/move",
                json={"stage": "contact", "version": 1, "position": 0})
    ticker = re.search(r'<div id="ticker".*?</div>', page(app, displays["staff"]), re.S).group(0)
    items = re.findall(r'class="ticker-name">([^<]*)<.*?class="ticker-move">([^<]*)<'
                       r'.*?class="ticker-who">([^<]*)<', ticker, re.S)
    with app.app_context():
        member_label = actor("member").label
    assert [(name, move, who.strip()) for name, move, who in items] == [
        ("第二个项目", "在谈 → 已签约", f"· {member_label}"),
        ("第一个项目", "接触洽谈 → 在谈", f"· {member_label}")]
    for n in range(12):
        project = make_project(f"批量{n}")
        member.post(f"/api/projects/{project['id']}/move", json={"stage": "negotiating",
                                                                  "version": 1})
    ticker = page(app, displays["staff"], "/wall/summary")
    assert ticker.count('class="ticker-item"') == 10
    assert "批量11" in ticker and "第一个项目" not in ticker


# --- reload on upgrade and on new settings -----------------------------------------------------

def test_hello_names_the_build_and_the_display_settings(app, displays, clients, monkeypatch):
    from wallchart.core import build
    from wallchart.services import accounts

    wall = socket_client(app, auth={"token": displays["lobby"]})
    hello = wall.get_received()[0]["args"][0]
    assert hello["build"] == build.build_id() and len(hello["build"]) == 16
    with app.app_context():
        row = accounts.display_for_token(displays["lobby"])
        assert hello["display"] == accounts.display_settings_key(row)
    html = page(app, displays["lobby"])
    assert f'data-build="{hello["build"]}"' in html
    assert f'data-settings="{hello["display"]}"' in html
    board = socket_client(app, clients["viewer"]).get_received()[0]["args"][0]
    assert board["build"] == hello["build"] and "display" not in board
    monkeypatch.setenv("WALLCHART_BUILD_ID", "release-2026.11")
    again = socket_client(app, auth={"token": displays["lobby"]}).get_received()[0]["args"][0]
    assert again["build"] == "release-2026.11"


def test_new_settings_close_that_walls_socket(app, displays):
    """The socket watcher closes the wall whose settings changed (it reloads with them) and
    leaves the others alone."""
    from wallchart.extensions import socketio
    from wallchart.realtime import sockets
    from wallchart.services import accounts

    lobby = socket_client(app, auth={"token": displays["lobby"]})
    staff = socket_client(app, auth={"token": displays["staff"]})
    with app.app_context():
        row = accounts.display_for_token(displays["lobby"])
        accounts.update_display(None, row.id, {"views": ["board", "charts"]})
    # One round of the watcher, run here rather than waited for: the rule is under test, not
    # the background timing (test_sessions.py waits for the real watcher on a real server).
    sockets.close_revoked(app, socketio.server)
    assert not lobby.is_connected(), "the changed wall's socket stayed open"
    assert staff.is_connected()


# --- settings: validation, audit, admin page, command line ------------------------------------

def displays_table(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(DisplayToken.id, DisplayToken.name, DisplayToken.profile, DisplayToken.views,
                   DisplayToken.rotate_seconds, DisplayToken.revoked_at,
                   DisplayToken.header_figures)
            .order_by(DisplayToken.id))]


def audit(app, action: str) -> list[tuple]:
    with app.app_context():
        return [(e.actor.username if e.actor else None, e.target, e.details)
                for e in db.session.execute(select(AuditEntry).where(
                    AuditEntry.action == action).order_by(AuditEntry.id)).scalars()]


BAD_SETTINGS = [
    ({"profile": "public"}, "profile"),
    ({"profile": None}, "profile"),
    ({"views": []}, "views"),
    ({"views": ""}, "views"),
    ({"views": ["board", "weather"]}, "views"),
    ({"views": ["board", "board"]}, "views"),
    ({"views": "board,,<script>"}, "views"),
    ({"views": [1]}, "views"),
    ({"rotate_seconds": 9}, "rotate_seconds"),
    ({"rotate_seconds": 3601}, "rotate_seconds"),
    ({"rotate_seconds": "60s"}, "rotate_seconds"),
    ({"rotate_seconds": True}, "rotate_seconds"),
    ({"rotate_seconds": 30.5}, "rotate_seconds"),
    ({"header_figures": HEADER[:6]}, "header_figures"),
    ({"header_figures": [*HEADER, "funds_in_place"]}, "header_figures"),
    ({"header_figures": [*HEADER[:6], "signed"]}, "header_figures"),
    ({"header_figures": [*HEADER[:6], "weather"]}, "header_figures"),
    ({"header_figures": []}, "header_figures"),
    ({"header_figures": 7}, "header_figures"),
]


@pytest.mark.parametrize(("settings", "field"), BAD_SETTINGS)
def test_bad_settings_are_refused_and_change_nothing(app, displays, settings, field):
    from wallchart.core.errors import Invalid
    from wallchart.services import accounts

    before = displays_table(app)
    with app.app_context():
        with pytest.raises(Invalid) as refused:
            accounts.create_display_token(actor("admin"), "新大屏", settings)
        assert set(refused.value.fields) == {field}
        row = accounts.display_for_token(displays["staff"])
        with pytest.raises(Invalid) as refused:
            accounts.update_display(actor("admin"), row.id, settings)
        assert set(refused.value.fields) == {field}
    assert displays_table(app) == before
    assert audit(app, "display.update") == []


def test_settings_are_saved_in_order_and_audited(app, displays):
    from wallchart.core.errors import Forbidden, Invalid
    from wallchart.services import accounts

    with app.app_context():
        token = accounts.create_display_token(actor("admin"), "会议室", {
            "profile": "lobby", "views": "charts, board", "rotate_seconds": "10"})
        row = accounts.display_for_token(token)
        assert (row.profile, row.views, row.rotate_seconds) == ("lobby", ["charts", "board"], 10)
        row_id = row.id
        accounts.update_display(actor("admin"), row_id, {"rotate_seconds": 3600})
        accounts.update_display(actor("admin"), row_id, {"rotate_seconds": 3600})  # no change
        with pytest.raises(Forbidden):
            accounts.update_display(actor("lead"), row_id, {"profile": "staff"})
        accounts.revoke_display_token(None, row_id)
        with pytest.raises(Invalid):
            accounts.update_display(actor("admin"), row_id, {"profile": "staff"})
    assert audit(app, "display.create")[-1] == (
        "admin", "会议室", {"id": row_id, "settings": {
            "profile": "lobby", "views": ["charts", "board"], "rotate_seconds": 10,
            "header_figures": HEADER}})
    assert audit(app, "display.update") == [("admin", "会议室", {
        "id": row_id,
        "from": {"profile": "lobby", "views": ["charts", "board"], "rotate_seconds": 10,
                 "header_figures": HEADER},
        "to": {"profile": "lobby", "views": ["charts", "board"], "rotate_seconds": 3600,
               "header_figures": HEADER}})]


def test_the_displays_page_sets_profile_views_and_seconds(app, clients, displays):
    admin = clients["admin"]
    response = admin.post("/admin/displays", data={
        "name": "二楼大厅", "profile": "lobby", "views": ["board", "", "ranking", ""],
        "rotate_seconds": "45"})
    assert response.status_code == 200 and "/wall?token=" in response.get_data(as_text=True)
    created = displays_table(app)[-1]
    assert created[1:5] == ("二楼大厅", "lobby", ["board", "ranking"], 45)
    listing = admin.get("/admin/displays").get_data(as_text=True)
    assert "看板 → " in listing
    before = displays_table(app)
    refused = admin.post(f"/admin/displays/{created[0]}/settings", data={
        "profile": "lobby", "views": ["", "", "", ""], "rotate_seconds": "45"})
    assert refused.status_code == 422
    assert "请至少选择一个画面" in refused.get_data(as_text=True)
    refused = admin.post(f"/admin/displays/{created[0]}/settings", data={
        "profile": "lobby", "views": ["board"], "rotate_seconds": "5"})
    assert refused.status_code == 422 and displays_table(app) == before
    done = admin.post(f"/admin/displays/{created[0]}/settings", data={
        "profile": "staff", "views": ["charts", "board", "", ""], "rotate_seconds": "120"})
    assert done.status_code == 302
    assert displays_table(app)[-1][2:5] == ("staff", ["charts", "board"], 120)
    assert audit(app, "display.update")[-1][0] == "admin"
    assert admin.post("/admin/displays/999999/settings", data={
        "profile": "staff", "views": ["board"], "rotate_seconds": "60"}).status_code == 404
    assert clients["lead"].post(f"/admin/displays/{created[0]}/settings", data={
        "profile": "lobby", "views": ["board"], "rotate_seconds": "60"}).status_code == 403
    assert displays_table(app)[-1][2:5] == ("staff", ["charts", "board"], 120)


def test_the_command_line_creates_and_sets_displays(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["display", "create", "大厅", "--profile", "lobby",
                                 "--views", "board,ranking", "--rotate", "60"])
    assert result.exit_code == 0, result.output
    assert printed_wall_path(result.output).startswith("/wall?token=")
    assert displays_table(app)[-1][1:5] == ("大厅", "lobby", ["board", "ranking"], 60)
    result = runner.invoke(args=["display", "set", "大厅", "--views", "charts", "--rotate", "15"])
    assert result.exit_code == 0, result.output
    assert displays_table(app)[-1][2:5] == ("lobby", ["charts"], 15)
    before = displays_table(app)
    for bad in (["--views", "board,weather"], ["--rotate", "5"], ["--profile", "public"], []):
        result = runner.invoke(args=["display", "set", "大厅", *bad])
        assert result.exit_code != 0, bad
    assert runner.invoke(args=["display", "set", "无此大屏", "--rotate", "60"]).exit_code != 0
    assert displays_table(app) == before
    assert audit(app, "display.update") == [(None, "大厅", {
        "id": before[-1][0],
        "from": {"profile": "lobby", "views": ["board", "ranking"], "rotate_seconds": 60,
                 "header_figures": HEADER},
        "to": {"profile": "lobby", "views": ["charts"], "rotate_seconds": 15,
               "header_figures": HEADER}})]


def test_rotating_views_are_fragments_for_the_display(app, displays):
    html = page(app, displays["staff"])
    assert 'data-views="board"' in html and "wall-view-ranking" not in html
    with app.app_context():
        from wallchart.services import accounts

        token = accounts.create_display_token(None, "轮播", {
            "views": ["ranking", "board", "attention"], "rotate_seconds": 20})
    html = page(app, token)
    assert 'data-views="ranking,board,attention" data-rotate-seconds="20"' in html
    assert re.search(r'<main id="board"[^>]* hidden>', html)  # the first view is the ranking
    assert 'data-url="/wall/views/ranking?token=' in html
    for name in ("ranking", "attention", "charts"):
        assert "<section" in page(app, token, f"/wall/views/{name}")
    client = app.test_client()
    for name in ("board", "weather"):
        assert client.get(f"/wall/views/{name}", query_string={"token": token}).status_code == 404
    assert client.get("/wall/views/ranking", query_string={"token": "nope"}).status_code == 403


# --- a real Socket.IO client against a running server -------------------------------------------

@pytest.mark.live
def test_a_real_lobby_socket_never_receives_hidden_values(live_server):
    """python-socketio over WebSocket, as a wall would connect: the lobby's every message is
    free of the confidential investor and amount; the staff screen's carries them."""
    tokens = {profile: live_server.flask("display", "create", profile, "--profile", profile)
              .strip().splitlines()[-1].split("token=")[1] for profile in ("staff", "lobby")}
    api_token = live_server.flask("user", "token", "member").strip().splitlines()[-1]
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {api_token}"
    created = http.post(f"{live_server.url}/api/projects", timeout=10, json={
        "name": "保密合作项目", "investor": SECRET_INVESTOR, "investment_wan": SECRET_WAN,
        "stage": "negotiating"}).json()
    from tests.databases import run_sql

    run_sql(live_server.database_url,
            "UPDATE project SET confidential = :yes, signed_on = :day WHERE id = :id",
            yes=True, day=today(), id=created["id"])
    received: dict[str, list] = {"staff": [], "lobby": []}
    clients = []
    for profile, token in tokens.items():
        client = socketio.Client(reconnection=False)
        client.on("*", lambda event, data, into=received[profile]: into.append((event, data)))
        client.connect(live_server.url, transports=["websocket"], wait_timeout=10,
                       auth={"token": token})
        clients.append(client)
    try:
        moved = http.post(f"{live_server.url}/api/projects/{created['id']}/move", timeout=10,
                          json={"stage": "signed", "version": created["version"]}).json()
        deadline = time.monotonic() + 15
        while not all({"project", "indicators", "ticker"} <= {e for e, _ in got}
                      for got in received.values()):
            assert time.monotonic() < deadline, received
            time.sleep(0.05)
    finally:
        for client in clients:
            client.disconnect()
    lobby = json.dumps(received["lobby"], ensure_ascii=False)
    staff = json.dumps(received["staff"], ensure_ascii=False)
    assert hidden_values_in(lobby) == []
    assert SECRET_INVESTOR in staff and str(SECRET_WAN) in staff and "98.77" in staff
    for profile, got in received.items():
        project = [data for event, data in got if event == "project"][-1]
        assert (project["id"], project["stage"]) == (created["id"], "signed")
        # A lobby is not told the version: it counts the changes it cannot see.
        assert project.get("version") == (None if profile == "lobby" else moved["version"])


def test_a_lobby_screen_refuses_filters_that_would_tell_hidden_values(app, displays, secret):
    """Filtering by amount, Three-500 or investor would keep or drop a confidential card by what
    the screen must not know: a lobby refuses them (400, with why); a staff screen may."""
    client = app.test_client()
    for query in ("billion=1", "three500=any", f"q={secret['investor']}"):
        for path in ("/wall", "/wall/columns"):
            lobby = client.get(f"{path}?token={displays['lobby']}&{query}")
            assert lobby.status_code == 400, (path, query)
            text = lobby.get_data(as_text=True)
            assert "大厅屏不能按金额、三类500强或投资方筛选" in text
            assert f'data-project-id="{secret["id"]}"' not in text
            assert hidden_values_in(text) == []
        staff = client.get(f"/wall?token={displays['staff']}&{query}")
        assert staff.status_code == 200, query
    assert client.get(f"/wall?token={displays['lobby']}&sector=industry").status_code == 200


# --- the header's figures -------------------------------------------------------------------------

CHOSEN = ["funds_in_place", "foreign_capital_actual", "signed", "signed_investment",
          "foreign_capital", "started", "producing"]


def header_keys(html: str) -> list[str]:
    """The header's figures, in order."""
    return re.findall(r'<div class="figure" data-indicator="(\w+)"', html)


def test_the_displays_page_chooses_the_headers_seven_figures_in_order(app, clients, displays):
    with app.app_context():
        from wallchart.services import accounts

        staff = accounts.display_for_token(displays["staff"]).id
    assert header_keys(page(app, displays["staff"])) == HEADER  # as the header always was
    admin = clients["admin"]
    settings = {"profile": "staff", "views": ["board"], "rotate_seconds": "60"}
    before = displays_table(app)
    refused = admin.post(f"/admin/displays/{staff}/settings",
                         data={**settings, "header_figures": [*CHOSEN[:6], "signed"]})
    assert refused.status_code == 422
    assert "请选择 7 项不同的指标。" in refused.get_data(as_text=True)
    assert displays_table(app) == before
    saved = admin.post(f"/admin/displays/{staff}/settings",
                       data={**settings, "header_figures": CHOSEN})
    assert saved.status_code == 302
    html = page(app, displays["staff"])
    assert header_keys(html) == CHOSEN
    assert 'data-header-figures="' + ",".join(CHOSEN) + '"' in html
    assert "到位资金（亿元）" in html and "实际利用外资（万美元）" in html
    assert header_keys(page(app, displays["staff"], "/wall/summary")) == CHOSEN
    assert audit(app, "display.update")[-1][2]["to"]["header_figures"] == CHOSEN
    # The live push serves every display of a room: it carries every figure, the page's
    # script keeps its own.
    from wallchart.core.vocabulary import HEADER_FIGURES
    from wallchart.reports import wall_summary

    with app.test_request_context():
        header, _ticker = wall_summary.render(wall_summary.read("staff"))
    assert header_keys(header) == list(HEADER_FIGURES)


def test_a_lobby_header_counts_no_confidential_funds(app, displays, make_project):
    from wallchart.services import accounts, funds

    signed = {"stage": "signed", "stage_dates": {"signed": today().isoformat()},
              "foreign_invested": True}
    open_ = make_project("公开项目", **signed)
    secret_ = make_project("保密项目", confidential=True, **signed)
    with app.app_context():
        for project, wan in ((open_, 10000), (secret_, 987_654)):
            funds.record_receipt(actor("member"), project["id"], {
                "date": today().isoformat(), "amount_wan": wan, "foreign_usd_wan": 500})
        for token in displays.values():
            accounts.update_display(actor("admin"), accounts.display_for_token(token).id,
                                    {"header_figures": CHOSEN})
    lobby, staff = page(app, displays["lobby"]), page(app, displays["staff"])
    assert (figure(lobby, "funds_in_place"), figure(lobby, "foreign_capital_actual")) == \
        ("1.00", "500")
    assert (figure(staff, "funds_in_place"), figure(staff, "foreign_capital_actual")) == \
        ("99.77", "1,000")


def test_the_command_line_sets_the_header(app, displays):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["display", "set", "内部大屏", "--header", ",".join(CHOSEN)])
    assert result.exit_code == 0, result.output
    assert displays_table(app)[0][-1] == CHOSEN
    assert runner.invoke(args=["display", "set", "内部大屏", "--header", "signed"]).exit_code != 0
    assert displays_table(app)[0][-1] == CHOSEN
