"""Live push over a real socket: real python-socketio clients against ``python wsgi.py``.

Each change made over HTTP must reach every kind of screen (a signed-in browser, a wall display,
a script with an API token) exactly once, in revision order, rendered for the screen's room, and
only when the database kept it. Most tests share one server per module (starting one costs a few
seconds); the ones that need a fresh database or restart the process use ``live_server``.
"""

from __future__ import annotations

import gettext
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import socketio

from tests.helpers import ROOT
from tests.live import (
    EVENT_TIMEOUT,
    LiveServer,
    Person,
    Screen,
    Script,
    api_token,
    create,
    display_token,
    expect,
    fetch,
    sentinel,
    stored_revision,
    wait_until,
)

pytestmark = pytest.mark.live

ZH_CATALOG = ROOT / "wallchart" / "translations" / "zh" / "LC_MESSAGES" / "messages.mo"


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_db):
    """One real server for the module, set up like ``live_server``."""
    live = LiveServer(tmp_path_factory.mktemp("live-socket"), seeded_db)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def tokens(server) -> dict[str, str]:
    """API tokens for member, lead and viewer, and a wall display token."""
    found = {role: api_token(server, role) for role in ("member", "lead", "viewer")}
    found["display"] = display_token(server, "lobby")
    return found


@pytest.fixture
def screens():
    """Make screens that are always disconnected at the end of the test."""
    made: list[Screen] = []

    def make(server: LiveServer, **kwargs) -> Screen:
        screen = Screen(server, **kwargs)
        made.append(screen)
        return screen

    yield make
    for screen in made:
        screen.close()


# --- 1. a move reaches every kind of screen -----------------------------------------------------

def test_a_move_reaches_a_browser_a_wall_and_a_script(server, tokens, screens):
    member = Person(server, "member")
    lead = Person(server, "lead")
    first = create(member, "先入谈项目")
    second = create(member, "后入谈项目")
    moved = member.api("POST", f"/projects/{first['id']}/move",
                       json={"stage": "negotiating", "version": first["version"]})
    expect(moved, 200)

    browser = screens(server, cookie=lead.cookie)
    wall = screens(server, auth={"token": tokens["display"]})
    script = screens(server, auth={"token": tokens["viewer"]})
    hellos = {"browser": browser.connect(), "wall": wall.connect(), "script": script.connect()}
    assert {name: hello["view"] for name, hello in hellos.items()} == \
        {"browser": "board", "wall": "wall", "script": "board"}
    before = hellos["wall"]["revision"]
    assert {hello["revision"] for hello in hellos.values()} == {before}

    # The second card goes on top of the first one in the next column.
    response = member.api("POST", f"/projects/{second['id']}/move",
                          json={"stage": "negotiating", "version": second["version"],
                                "position": 0})
    expect(response, 200)
    answer = response.json()
    assert answer["version"] == second["version"] + 1

    received = {}
    for name, screen in (("browser", browser), ("wall", wall), ("script", script)):
        event = received[name] = screen.event()
        assert event["id"] == second["id"]
        assert event["action"] == "moved"
        assert event["stage"] == "negotiating"
        assert event["version"] == answer["version"]
        assert event["position"] == 0 == answer["position"]
        assert event["revision"] == before + 1
        sent = datetime.fromisoformat(event["at"])
        assert sent.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - sent) < timedelta(minutes=1)
        assert f'data-project-id="{second["id"]}"' in event["html"]
        assert f'data-version="{answer["version"]}"' in event["html"]
        assert "后入谈项目" in event["html"]

    # The wall gets the card without controls; signed-in screens get the board's card.
    assert "data-panel" not in received["wall"]["html"]
    assert all("data-panel" in received[who]["html"] for who in ("browser", "script"))
    stored = fetch(member, second["id"])
    assert (stored["stage"], stored["position"], stored["version"]) == \
        ("negotiating", 0, answer["version"])
    assert stored["history"][0]["action"] == "moved"
    assert (stored["history"][0]["from_stage"], stored["history"][0]["to_stage"]) == \
        ("contact", "negotiating")
    assert fetch(member, first["id"])["position"] == 1
    assert stored_revision(server)[0] == before + 1
    # Exactly once: the next change is the next thing each screen hears.
    assert sentinel(member, browser, wall, script)["revision"] == before + 2


def test_an_import_reaches_every_screen_once_as_the_board_reloaded(server, tokens, screens):
    """A ledger of many cards is one event, whatever its size: each screen reads its columns
    again, at the import's revision (a lobby at its own)."""
    lead = Person(server, "lead")
    browser = screens(server, cookie=lead.cookie)
    wall = screens(server, auth={"token": tokens["display"]})
    script = screens(server, auth={"token": tokens["viewer"]})
    before = browser.connect()["revision"]
    lobby_before = wall.connect()["revision"]
    script.connect()
    ledger = "项目名称,投资方,项目阶段\n" + "".join(
        f"导入{n}号冷链仓储基地,投资企业{n},在谈\n" for n in range(30))
    response = lead.api("POST", "/imports", files={"file": ("台账.csv", ledger.encode())})
    expect(response, 200)
    assert response.json()["counts"]["create"] == 30
    for screen, revision in ((browser, before + 1), (script, before + 1),
                             (wall, lobby_before + 1)):
        assert screen.event() == {"revision": revision, "action": "reloaded"}
    assert stored_revision(server)[0] == before + 1
    assert sentinel(lead, browser, wall, script)["revision"] == before + 2


def test_the_wall_fragment_has_no_controls_and_the_board_fragment_has(server, tokens, screens):
    member = Script(server, tokens["member"])
    project = create(member, "控件检查项目")
    wall = screens(server, auth={"token": tokens["display"]})
    board = screens(server, auth={"token": tokens["viewer"]})
    wall.connect()
    board.connect()
    response = member.api("POST", f"/projects/{project['id']}/move",
                          json={"stage": "signed", "version": project["version"]})
    expect(response, 200)
    on_wall, on_board = wall.event(), board.event()
    assert on_wall["revision"] == on_board["revision"]
    assert f'data-project-id="{project["id"]}"' in on_wall["html"]
    assert "data-panel" not in on_wall["html"] and "<button" not in on_wall["html"]
    assert "data-panel" in on_board["html"]


# --- 2. who may connect ------------------------------------------------------------------------

@pytest.mark.parametrize("how", [
    pytest.param({}, id="anonymous"),
    pytest.param({"auth": {"token": "not-a-real-token"}}, id="bad-token"),
    pytest.param({"auth": {"token": ""}}, id="empty-token"),
    pytest.param({"cookie": "session=forged.cookie.value"}, id="forged-cookie"),
])
def test_strangers_are_refused(server, screens, how):
    screen = screens(server, **how)
    with pytest.raises(socketio.exceptions.ConnectionError):
        screen.connect()
    assert screen.hellos.empty()


def test_a_revoked_display_token_is_refused_for_new_connections(server, screens):
    token = display_token(server, "revoked-hall")
    assert screens(server, auth={"token": token}).connect()["view"] == "wall"
    server.flask("display", "revoke", "revoked-hall")
    refused = screens(server, auth={"token": token})
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect()
    assert refused.hellos.empty()
    assert requests.get(f"{server.url}/wall", params={"token": token}, timeout=5).status_code == 403


# --- 3. hello carries the revision --------------------------------------------------------------

def test_hello_carries_the_number_of_committed_changes(server, tokens, screens):
    member = Script(server, tokens["member"])
    create(member, "修订号项目")
    hello = screens(server, auth={"token": tokens["display"]}).connect()
    revision, entries, distinct = stored_revision(server)
    # Every committed change has its own revision, which its history entries carry: one
    # entry, or an import's many.
    assert hello["revision"] == revision == distinct <= entries

    project = create(member, "修订号项目二")
    response = member.api("PATCH", f"/projects/{project['id']}",
                          json={"investor": "另一家公司", "version": project["version"]})
    expect(response, 200)
    later = screens(server, auth={"token": tokens["viewer"]}).connect()
    assert later["revision"] == hello["revision"] + 2 == stored_revision(server)[0]


def test_a_fresh_install_says_revision_zero_then_counts(live_server, screens):
    token = display_token(live_server, "fresh")
    assert screens(live_server, auth={"token": token}).connect()["revision"] == 0
    member = Person(live_server, "member")
    project = create(member, "新装项目")
    expect(member.api("POST", f"/projects/{project['id']}/move",
                  json={"stage": "negotiating", "version": project["version"]}), 200)
    assert screens(live_server, auth={"token": token}).connect()["revision"] == 2
    assert stored_revision(live_server) == (2, 2, 2)


# --- 4. every kind of change, in revision order -------------------------------------------------

def test_create_edit_assign_delete_each_push_one_event_in_order(server, tokens, screens):
    member = Person(server, "member")
    lead = Script(server, tokens["lead"])
    screen = screens(server, auth={"token": tokens["display"]})
    before = screen.connect()["revision"]

    created = create(member, "全流程项目")
    edited = member.api("PATCH", f"/projects/{created['id']}",
                        json={"investment_wan": 120000, "version": created["version"]})
    expect(edited, 200)
    assigned = lead.api("POST", f"/projects/{created['id']}/assign",
                        json={"owner": "member", "version": edited.json()["version"]})
    expect(assigned, 200)
    assert assigned.json()["owner"] == "member"
    deleted = lead.api("DELETE", f"/projects/{created['id']}",
                       json={"version": assigned.json()["version"]})
    expect(deleted, 204)

    events = [screen.event() for _ in range(4)]
    assert [e["action"] for e in events] == ["created", "updated", "assigned", "deleted"]
    assert [e["revision"] for e in events] == [before + 1, before + 2, before + 3, before + 4]
    assert {e["id"] for e in events} == {created["id"]}
    assert [e["version"] for e in events[:3]] == \
        [created["version"], edited.json()["version"], assigned.json()["version"]]
    assert events[3]["version"] == assigned.json()["version"] + 1
    assert events[1]["version"] == created["version"] + 1
    assert 'data-investment="120000"' in events[1]["html"]
    assert 'data-owner="member"' in events[2]["html"]
    assert events[3]["html"] is None and events[3]["position"] is None
    for event in events[:3]:
        assert f'data-project-id="{created["id"]}"' in event["html"]

    expect(member.api("GET", f"/projects/{created['id']}"), 404)
    revision, _entries, _distinct = stored_revision(server)
    assert revision == before + 4
    # One event each: the next change is the next thing the screen hears.
    assert sentinel(member, screen)["revision"] == before + 5


# --- 5. text is escaped in the pushed fragment -------------------------------------------------

def test_markup_in_text_fields_arrives_escaped(server, tokens, screens):
    member = Script(server, tokens["member"])
    wall = screens(server, auth={"token": tokens["display"]})
    board = screens(server, auth={"token": tokens["viewer"]})
    wall.connect()
    board.connect()
    name, investor = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    project = create(member, name, investor=investor)
    for screen in (wall, board):
        html = screen.event()["html"]
        assert "<script" not in html.lower() and "<img" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    stored = fetch(member, project["id"])
    assert (stored["name"], stored["investor"]) == (name, investor)


# --- 6. a refused change emits nothing -----------------------------------------------------------

def test_refused_changes_push_nothing_and_change_nothing(server, tokens, screens):
    member = Person(server, "member")
    viewer = Script(server, tokens["viewer"])
    project = create(member, "拒绝项目")
    moved = member.api("POST", f"/projects/{project['id']}/move",
                       json={"stage": "negotiating", "version": project["version"]})
    expect(moved, 200)
    current = fetch(member, project["id"])
    screen = screens(server, auth={"token": tokens["display"]})
    before = screen.connect()["revision"]

    forbidden = viewer.api("POST", f"/projects/{project['id']}/move",
                           json={"stage": "signed", "version": current["version"]})
    expect(forbidden, 403)
    stale = member.api("POST", f"/projects/{project['id']}/move",
                       json={"stage": "signed", "version": project["version"]})
    expect(stale, 409)
    body = stale.json()
    assert set(body) == {"error", "project"} and body["error"]
    assert body["project"]["version"] == current["version"]
    assert body["project"]["stage"] == "negotiating"
    stale_edit = member.api("PATCH", f"/projects/{project['id']}",
                            json={"name": "改名", "version": project["version"]})
    expect(stale_edit, 409)

    assert fetch(member, project["id"]) == current
    # A refused change does not use up a revision: the next one is exactly one higher.
    assert stored_revision(server)[0] == before
    # The sentinel: a change that does reach the screen. Had a refused one pushed anything,
    # it would have come first.
    expect(member.api("POST", f"/projects/{project['id']}/move",
                  json={"stage": "signed", "version": current["version"]}), 200)
    event = screen.event()
    assert (event["id"], event["action"], event["revision"]) == \
        (project["id"], "moved", before + 1)


# --- 7. one render per language room -------------------------------------------------------------

def _language_screens(server, tokens, screens) -> tuple[str, str]:
    """A default wall and an English wall see one new card; returns (zh html, en html)."""
    chinese = screens(server, auth={"token": tokens["display"]})
    english = screens(server, auth={"token": tokens["display"], "lang": "en"})
    chinese.connect()
    english.connect()
    # Two tests make this card on the module's one server: the second is a known duplicate.
    member = Script(server, tokens["member"])
    project = create(member, "语言项目", investment_wan=50000, allow_duplicate=True)
    zh, en = chinese.event(), english.event()
    sentinel(member, chinese, english)
    for event in (zh, en):
        assert event["id"] == project["id"] and event["action"] == "created"
    assert zh["revision"] == en["revision"]
    return zh["html"], en["html"]


def test_each_language_room_gets_its_own_render(server, tokens, screens):
    zh, en = _language_screens(server, tokens, screens)
    # Money formatting follows the locale even without a catalog: 亿元 in Chinese, CNY in English.
    assert "5 亿元" in zh and "CNY" not in zh
    assert "CNY 500M" in en and "亿元" not in en
    assert " days" in en and "Industry" in en


def test_a_person_who_chose_english_gets_english_cards(server, tokens, screens):
    person = Person(server, "viewer")
    chosen = person.http.post(server.url + "/language", data={"lang": "en", "next": "/board"},
                              headers={"X-CSRFToken": person.csrf}, allow_redirects=False,
                              timeout=5)
    assert chosen.status_code == 302, chosen.text
    english = screens(server, cookie=person.cookie)
    chinese = screens(server, cookie=Person(server, "lead").cookie)
    assert english.connect()["view"] == chinese.connect()["view"] == "board"
    project = create(Script(server, tokens["member"]), "英文界面项目", investment_wan=50000)
    en, zh = english.event(), chinese.event()
    assert en["id"] == zh["id"] == project["id"]
    assert "CNY 500M" in en["html"] and "data-panel" in en["html"]
    assert "5 亿元" in zh["html"] and "data-panel" in zh["html"]


def test_the_chinese_room_gets_translated_labels(server, tokens, screens):
    if not ZH_CATALOG.exists():
        pytest.skip(f"zh catalog not compiled yet ({ZH_CATALOG.relative_to(ROOT)} missing); "
                    "only the language rooms' money format is checked")
    with Path(ZH_CATALOG).open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    # A new card: sector "industry", no owner, 0 days in its stage.
    wanted = {msgid: catalog.gettext(msgid)
              for msgid in ("Industry", "No owner", "Days in this stage")}
    wanted[" days"] = catalog.ngettext(" day", " days", 0)
    translated = {msgid: text for msgid, text in wanted.items() if text != msgid}
    assert translated, f"the zh catalog translates none of {sorted(wanted)}"
    zh, en = _language_screens(server, tokens, screens)
    for msgid, text in translated.items():
        assert text in zh, f"{msgid!r} should read {text!r} on a Chinese wall"
        assert msgid in en


# --- 8. two people move the same card at the same moment ----------------------------------------

def test_simultaneous_moves_of_one_version_let_exactly_one_win(server, tokens, screens):
    member, lead = Person(server, "member"), Script(server, tokens["lead"])
    cards = [create(member, f"并发项目{n}") for n in range(3)]
    screen = screens(server, auth={"token": tokens["display"]})
    before = screen.connect()["revision"]

    # Each card is moved by two people at once, both naming the version they saw.
    racers = [(card, actor, stage) for card in cards
              for actor, stage in ((member, "negotiating"), (lead, "signed"))]
    start = threading.Barrier(len(racers))
    results: dict[tuple[int, str], requests.Response] = {}

    def move(card, actor, stage):
        start.wait(timeout=10)
        results[card["id"], stage] = actor.api("POST", f"/projects/{card['id']}/move",
                                               json={"stage": stage, "version": card["version"]})

    threads = [threading.Thread(target=move, args=racer) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == len(racers)

    winners = {}
    for card in cards:
        answers = [results[card["id"], stage] for stage in ("negotiating", "signed")]
        assert sorted(r.status_code for r in answers) == [200, 409], \
            [(r.status_code, r.text) for r in answers]
        winners[card["id"]] = next(r.json() for r in answers if r.status_code == 200)

    events = [screen.event() for _ in cards]
    assert sorted(e["id"] for e in events) == sorted(winners)
    assert sorted(e["revision"] for e in events) == [before + 1, before + 2, before + 3]
    for event in events:
        winner = winners[event["id"]]
        assert (event["action"], event["stage"], event["version"]) == \
            ("moved", winner["stage"], winner["version"])
    for card in cards:
        stored = fetch(member, card["id"])
        assert (stored["stage"], stored["version"]) == \
            (winners[card["id"]]["stage"], card["version"] + 1)
        assert [entry["action"] for entry in stored["history"]] == ["moved", "created"]
    # The losers pushed nothing: the next change is the next thing the screen hears.
    assert sentinel(member, screen)["revision"] == before + 4


# --- 9. a restart: the screen comes back by itself ----------------------------------------------

def test_a_screen_reconnects_by_itself_after_a_server_restart(live_server, screens):
    token = display_token(live_server, "lobby")
    member = Script(live_server, api_token(live_server, "member"))
    create(member, "重启前项目")
    wall = screens(live_server, auth={"token": token}, reconnection=True)
    first = wall.connect()
    assert (first["revision"], first["view"]) == (1, "wall")
    assert wall.connects.get(timeout=EVENT_TIMEOUT)
    disconnected = threading.Event()
    wall.client.on("disconnect", lambda *args: disconnected.set())

    port = live_server.port
    live_server.stop()
    assert disconnected.wait(EVENT_TIMEOUT), "the client did not notice the server went away"
    live_server.start()
    assert live_server.port == port
    # Nobody calls connect() again: the client's own reconnection brings a new hello.
    again = wall.hello(timeout=15)
    # The same build and settings: the wall has no reason to reload.
    assert again == first
    assert wall.connects.get(timeout=EVENT_TIMEOUT)
    # The server sends hello from its connect handler, just before it confirms the connection;
    # the client counts itself connected once its reconnection thread finishes ``connect()``.
    assert wait_until(lambda: wall.client.connected), "the client never counted as connected"

    # The reconnected screen is back in its room: the next change reaches it.
    project = create(member, "重启后项目")
    event = wall.event()
    assert (event["id"], event["action"], event["revision"]) == (project["id"], "created", 2)
    assert wall.hellos.empty()
