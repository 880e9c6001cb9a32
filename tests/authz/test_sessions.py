"""Sessions that end: sign-out, disabling, password resets and revoked displays end sessions
and close live sockets; idle and absolute timeouts."""

from __future__ import annotations

import queue
import time

import pytest
import requests
import socketio

from tests.helpers import PASSWORD, csrf_token_of, sign_in


def test_a_cookie_replayed_after_sign_out_is_refused(app, users):
    member = sign_in(app, "member")
    stolen = member.client.get_cookie("session").value
    member.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/board").status_code == 302
    assert thief.get("/api/projects").status_code == 401


def test_disabling_or_resetting_a_password_ends_every_session(app, users):
    from wallchart.services import accounts

    first, second = sign_in(app, "member"), sign_in(app, "member")
    with app.app_context():
        accounts.set_password(None, "member", "another-password")
    assert first.get("/board").status_code == 302
    assert second.get("/board").status_code == 302
    lead = sign_in(app, "lead")
    with app.app_context():
        accounts.disable_user(None, "lead")
    assert lead.get("/api/projects").status_code == 401


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, users):
    here, elsewhere = sign_in(app, "member"), sign_in(app, "member")
    response = here.post("/account/password", data={
        "current": PASSWORD, "new": "brand-new-password", "repeat": "brand-new-password"})
    assert response.status_code == 302
    assert here.get("/board").status_code == 200
    assert elsewhere.get("/board").status_code == 302


def test_an_idle_session_ends(app, users, monkeypatch):
    import wallchart.identity

    member = sign_in(app, "member")
    start = time.time()
    monkeypatch.setattr(wallchart.identity.time, "time", lambda: start + 119 * 60)
    assert member.get("/board").status_code == 200  # a request keeps it alive…
    monkeypatch.setattr(wallchart.identity.time, "time", lambda: start + 119 * 60 + 121 * 60)
    assert member.get("/board").status_code == 302  # …but two hours of nothing end it
    monkeypatch.setattr(wallchart.identity.time, "time", lambda: start)
    assert member.get("/board").status_code == 302  # and it stays ended


def test_a_session_ends_after_its_maximum_age(app, users):
    from sqlalchemy import update

    from wallchart.core.models import UserSession, utcnow
    from wallchart.extensions import db

    member = sign_in(app, "member")
    with app.app_context():
        db.session.execute(update(UserSession).values(
            created_at=utcnow().replace(year=utcnow().year - 1)))
        db.session.commit()
    assert member.get("/board").status_code == 302


# --- live sockets closed by the server ----------------------------------------------------------

def _signed_in_cookie(url: str, username: str) -> requests.Session:
    http = requests.Session()
    token = csrf_token_of(http.get(url + "/login", timeout=10).text)
    assert http.post(url + "/login", timeout=10, data={
        "username": username, "password": PASSWORD, "csrf_token": token}).ok
    return http


def _screen(url: str, **connect) -> tuple[socketio.Client, queue.Queue]:
    closed: queue.Queue = queue.Queue()
    # The WebSocket library adds an Origin of its own: two would make a foreign one.
    client = socketio.Client(reconnection=False,
                             websocket_extra_options={"suppress_origin": "headers" in connect})
    client.on("disconnect", lambda *reason: closed.put(reason))
    client.connect(url, transports=["websocket"], wait_timeout=10, **connect)
    return client, closed


@pytest.mark.live
def test_open_sockets_close_when_their_session_ends(live_server):
    url = live_server.url
    http = _signed_in_cookie(url, "member")
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    board, closed = _screen(url, headers={"Cookie": cookie, "Origin": url})
    other = _signed_in_cookie(url, "lead")
    other_board, other_closed = _screen(
        url, headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in other.cookies),
                      "Origin": url})
    try:
        csrf = csrf_token_of(http.get(url + "/board", timeout=10).text)
        http.post(url + "/logout", data={"csrf_token": csrf}, timeout=10)
        closed.get(timeout=10)  # closed by the server within seconds
        assert other_board.connected  # someone else's session is untouched
    finally:
        board.disconnect()
        other_board.disconnect()


@pytest.mark.live
def test_a_disabled_users_socket_and_a_revoked_walls_socket_close(live_server):
    url = live_server.url
    wall_path = live_server.flask("display", "create", "大厅").strip().splitlines()[-1]
    wall, wall_closed = _screen(url, auth={"token": wall_path.split("token=")[1]})
    http = _signed_in_cookie(url, "member")
    board, board_closed = _screen(url, headers={
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies), "Origin": url})
    try:
        live_server.flask("display", "revoke", "大厅")
        wall_closed.get(timeout=10)
        admin = _signed_in_cookie(url, "admin")
        users = admin.get(url + "/admin/users", timeout=10).text
        assert "member" in users
        csrf = csrf_token_of(users)
        member_id = _user_id(admin, url, "member")
        response = admin.post(f"{url}/admin/users/{member_id}/disable",
                              data={"csrf_token": csrf}, timeout=10)
        assert response.ok, response.text
        board_closed.get(timeout=10)
        assert http.get(url + "/api/projects", timeout=10).status_code == 401
    finally:
        wall.disconnect()
        board.disconnect()


def _user_id(admin: requests.Session, url: str, username: str) -> int:
    import re

    page = admin.get(url + "/admin/users", timeout=10).text
    match = re.search(rf'href="/admin/users/(\d+)"[^>]*>\s*{username}\s*<', page)
    assert match, page
    return int(match.group(1))


@pytest.fixture
def two_walls(live_server):
    """Two wall screens on one display token: one misbehaves, the other must not notice."""
    wall_path = live_server.flask("display", "create", "大厅").strip().splitlines()[-1]
    token = wall_path.split("token=")[1]
    (flooder, flooder_closed), (neighbour, _closed) = (
        _screen(live_server.url, auth={"token": token}) for _ in range(2))
    yield flooder, flooder_closed, neighbour
    flooder.disconnect()
    neighbour.disconnect()


@pytest.mark.live
def test_a_screen_that_sends_a_large_message_is_cut_off_and_others_stay(two_walls):
    flooder, flooder_closed, neighbour = two_walls
    flooder.emit("anything", "x" * 100_000)
    flooder_closed.get(timeout=10)
    assert neighbour.connected


@pytest.mark.live
def test_a_screen_that_keeps_sending_is_cut_off_and_others_stay(two_walls):
    flooder, flooder_closed, neighbour = two_walls
    for n in range(100):
        if not flooder.connected:
            break
        flooder.emit("chatter", n)
    flooder_closed.get(timeout=10)
    assert neighbour.connected
