"""API tokens can be seen and revoked: the command line, the administrator's user page, the
password reset, what HTTP and open sockets do with a revoked token, and when a token was last
used (recorded at most once a minute)."""

from __future__ import annotations

import queue
import re
import time
from datetime import datetime, timedelta

import pytest
import requests
import socketio
from sqlalchemy import select

from tests.helpers import ENGLISH_TERMINAL, PASSWORD, actor, csrf_token_of
from wallchart.core.models import ApiToken, AuditEntry
from wallchart.extensions import db

NEW_PASSWORD = "a-brand-new-password"


def issue(app, username: str) -> str:
    from wallchart.services import accounts

    with app.app_context():
        return accounts.issue_api_token(None, username)


def tokens(app, username: str) -> list[tuple]:
    """(id, revoked?, last_used_at) of each API token of ``username``, oldest first."""
    with app.app_context():
        return [(row.id, row.revoked_at is not None, row.last_used_at)
                for row in db.session.execute(
                    select(ApiToken).where(ApiToken.user_id == actor(username).id)
                    .order_by(ApiToken.id)).scalars()]


def token_id(app, username: str, index: int = -1) -> int:
    return tokens(app, username)[index][0]


def audit(app, action: str) -> list[tuple]:
    """(actor's username or None, target, details) of each entry of ``action``, oldest first."""
    with app.app_context():
        return [(e.actor.username if e.actor else None, e.target, e.details)
                for e in db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                                            .order_by(AuditEntry.id)).scalars()]


def everything(app) -> tuple:
    """Every token row and the audit log, for "nothing changed" checks."""
    with app.app_context():
        return (db.session.execute(select(ApiToken.id, ApiToken.user_id, ApiToken.revoked_at)
                                   .order_by(ApiToken.id)).all(),
                db.session.execute(select(AuditEntry.id)).scalars().all())


def api_get(app, token: str, path: str = "/api/projects"):
    return app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


def page(response) -> str:
    return response.get_data(as_text=True)


# --- the command line -----------------------------------------------------------------------------

def test_revoke_tokens_revokes_every_token_of_the_user_and_says_how_many(app, users):
    first, second, others = issue(app, "member"), issue(app, "member"), issue(app, "lead")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "revoke-tokens", "member"], env=ENGLISH_TERMINAL)
    assert result.exit_code == 0, result.output
    assert "Revoked 2 API token(s) of member." in result.output
    assert [revoked for _id, revoked, _used in tokens(app, "member")] == [True, True]
    assert api_get(app, first).status_code == 401
    assert api_get(app, second).status_code == 401
    assert api_get(app, others).status_code == 200  # someone else's token is untouched
    assert audit(app, "user.api_token_revoke") == [
        (None, "member", {"tokens": [token_id(app, "member", 0), token_id(app, "member", 1)]})]
    # Again: nothing left to revoke, nothing recorded.
    again = runner.invoke(args=["user", "revoke-tokens", "member"], env=ENGLISH_TERMINAL)
    assert again.exit_code == 0 and "Revoked 0 API token(s) of member." in again.output
    assert len(audit(app, "user.api_token_revoke")) == 1


def test_revoke_tokens_of_an_unknown_user_fails_and_changes_nothing(app, users):
    issue(app, "member")
    before = everything(app)
    result = app.test_cli_runner().invoke(args=["user", "revoke-tokens", "nobody"],
                                          env=ENGLISH_TERMINAL)
    assert result.exit_code != 0
    assert "No user named nobody." in result.output
    assert everything(app) == before


def test_a_password_set_from_the_command_line_may_revoke_the_tokens_too(app, users):
    runner = app.test_cli_runner()
    kept = issue(app, "member")
    result = runner.invoke(args=["user", "password", "member"],
                           env={**ENGLISH_TERMINAL, "WALLCHART_PASSWORD": NEW_PASSWORD})
    assert result.exit_code == 0 and "API tokens" not in result.output
    assert api_get(app, kept).status_code == 200
    result = runner.invoke(args=["user", "password", "member", "--revoke-tokens"],
                           env={**ENGLISH_TERMINAL, "WALLCHART_PASSWORD": NEW_PASSWORD})
    assert result.exit_code == 0, result.output
    assert "Password of member changed and API tokens revoked." in result.output
    assert api_get(app, kept).status_code == 401
    assert audit(app, "user.api_token_revoke") == [
        (None, "member", {"tokens": [token_id(app, "member")]})]


# --- HTTP -----------------------------------------------------------------------------------------

def test_a_revoked_token_is_refused_at_once_over_http(app, users, clients):
    token = issue(app, "member")
    assert api_get(app, token).status_code == 200
    with app.app_context():
        member_id = actor("member").id
    response = clients["admin"].post(
        f"/admin/users/{member_id}/tokens/{token_id(app, 'member')}/revoke")
    assert response.status_code == 302
    answer = api_get(app, token)
    assert answer.status_code == 401
    assert "API 令牌" in answer.get_json()["error"]
    assert api_get(app, token, "/api/indicators").status_code == 401
    # Nor does it open a socket (the live test shows open ones closing).
    from tests.helpers import socket_client

    client = socket_client(app, auth={"token": token})
    assert not client.is_connected()


def test_last_use_is_recorded_at_most_once_a_minute(app, users):
    token = issue(app, "member")
    assert tokens(app, "member")[0][2] is None
    before = datetime.utcnow()  # noqa: DTZ003 (stored naive, in UTC)
    assert api_get(app, token).status_code == 200
    first = tokens(app, "member")[0][2]
    assert first is not None and before - timedelta(seconds=1) <= first
    for _ in range(3):
        assert api_get(app, token).status_code == 200
    assert tokens(app, "member")[0][2] == first  # no write per request
    with app.app_context():  # a minute later…
        row = db.session.get(ApiToken, token_id(app, "member"))
        row.last_used_at = first - timedelta(seconds=61)
        db.session.commit()
    assert api_get(app, token).status_code == 200
    assert tokens(app, "member")[0][2] > first - timedelta(seconds=1)
    # A refused token records nothing.
    with app.app_context():
        from wallchart.services import accounts

        accounts.revoke_api_tokens(None, "member")
        db.session.get(ApiToken, token_id(app, "member")).last_used_at = None
        db.session.commit()
    assert api_get(app, token).status_code == 401
    assert tokens(app, "member")[0][2] is None


def test_the_lookup_of_a_token_used_within_the_minute_is_one_read(app, users):
    """The bearer lookup runs on every API request and move: one SELECT, no write."""
    from sqlalchemy import event

    from wallchart.services import accounts

    token = issue(app, "member")
    assert api_get(app, token).status_code == 200  # its use is now recorded
    statements: list[str] = []

    def record(*args) -> None:
        statements.append(args[2])

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            user = accounts.user_for_api_token(token)
            assert user.username == "member" and user.can("read")
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert [s.split()[0] for s in statements if not s.startswith(("BEGIN", "PRAGMA"))] == [
        "SELECT"], statements


# --- the administrator's user page ---------------------------------------------------------------

def test_the_user_page_lists_each_token_with_its_times_in_shanghai(app, users, clients):
    issue(app, "member"), issue(app, "member")
    used, unused = tokens(app, "member")[0][0], tokens(app, "member")[1][0]
    with app.app_context():
        first = db.session.get(ApiToken, used)
        first.created_at = datetime(2026, 3, 1, 1, 5)
        first.last_used_at = datetime(2026, 3, 2, 17, 30)  # 01:30 the next day in Shanghai
        db.session.get(ApiToken, unused).created_at = datetime(2026, 3, 4, 2, 0)
        member_id = actor("member").id
        db.session.commit()
    text = page(clients["admin"].get(f"/admin/users/{member_id}"))
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(
        r'<tr[^>]*data-token-id="(\d+)">(.*?)</tr>', text, re.S)}
    assert set(rows) == {used, unused}
    assert "2026-03-01 09:05" in rows[used] and "2026-03-03 01:30" in rows[used]
    assert "2026-03-04 10:00" in rows[unused] and "从未使用" in rows[unused]
    assert all("启用" in row and "吊销" in row for row in rows.values())
    assert text.index(f'data-token-id="{unused}"') < text.index(f'data-token-id="{used}"')
    # Someone with no tokens: said so.
    with app.app_context():
        viewer_id = actor("viewer").id
    assert "没有 API 令牌" in page(clients["admin"].get(f"/admin/users/{viewer_id}"))


def test_revoking_one_token_from_the_user_page(app, users, clients):
    keep, gone = issue(app, "member"), issue(app, "member")
    kept_id, gone_id = token_id(app, "member", 0), token_id(app, "member", 1)
    with app.app_context():
        member_id = actor("member").id
    admin = clients["admin"]
    response = admin.post(f"/admin/users/{member_id}/tokens/{gone_id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{member_id}")
    shown = page(admin.get(f"/admin/users/{member_id}"))
    assert "API 令牌已吊销" in shown
    revoked_row = re.search(rf'<tr class="inactive" data-token-id="{gone_id}">(.*?)</tr>',
                            shown, re.S)
    assert revoked_row and "已吊销（" in revoked_row.group(1)
    assert f"/tokens/{gone_id}/revoke" not in shown and f"/tokens/{kept_id}/revoke" in shown
    assert [revoked for _id, revoked, _used in tokens(app, "member")] == [False, True]
    assert api_get(app, gone).status_code == 401 and api_get(app, keep).status_code == 200
    assert audit(app, "user.api_token_revoke") == [("admin", "member", {"tokens": [gone_id]})]
    # Revoking it again changes nothing and records nothing.
    assert admin.post(f"/admin/users/{member_id}/tokens/{gone_id}/revoke").status_code == 302
    assert len(audit(app, "user.api_token_revoke")) == 1
    log = page(admin.get("/admin/audit?action=user.api_token_revoke"))
    assert "吊销 API 令牌" in log and f"<dd>{gone_id}</dd>" in log


def test_bad_token_ids_and_other_peoples_tokens_are_refused(app, users, clients):
    issue(app, "member"), issue(app, "lead")
    with app.app_context():
        member_id, lead_id = actor("member").id, actor("lead").id
    leads_token = token_id(app, "lead")
    admin = clients["admin"]
    before = everything(app)
    for url in (f"/admin/users/{member_id}/tokens/{leads_token}/revoke",  # the lead's
                f"/admin/users/{member_id}/tokens/999999/revoke",
                f"/admin/users/{member_id}/tokens/{10**30}/revoke",
                f"/admin/users/999999/tokens/{leads_token}/revoke"):
        response = admin.post(url)
        assert response.status_code == 404, url
    assert "没有这个 API 令牌" in page(
        admin.post(f"/admin/users/{member_id}/tokens/{leads_token}/revoke"))
    assert everything(app) == before
    # Other roles, an administrator's own API token, and a form without its CSRF token: refused.
    url = f"/admin/users/{lead_id}/tokens/{leads_token}/revoke"
    for role in ("lead", "member", "viewer"):
        assert clients[role].post(url).status_code == 403, role
    admins_token = issue(app, "admin")
    before = everything(app)
    assert app.test_client().post(url, headers={
        "Authorization": f"Bearer {admins_token}"}).status_code == 403
    assert admin.client.post(url).status_code == 400
    assert everything(app) == before


def test_the_services_refuse_unknown_users_tokens_and_non_administrators(app, users):
    from wallchart.core.errors import Forbidden, NotFound
    from wallchart.services import accounts

    issue(app, "member")
    before = everything(app)
    with app.app_context():
        with pytest.raises(NotFound):
            accounts.revoke_api_tokens(None, "nobody")
        with pytest.raises(NotFound):
            accounts.revoke_api_token(None, "lead", token_id(app, "member"))
        with pytest.raises(Forbidden):
            accounts.revoke_api_tokens(actor("lead"), "member")
        with pytest.raises(Forbidden):
            accounts.revoke_api_token(actor("lead"), "member", token_id(app, "member"))
    assert everything(app) == before


@pytest.mark.parametrize("checked", [True, False])
def test_a_password_reset_offers_to_revoke_the_tokens(app, users, clients, checked):
    token = issue(app, "member")
    with app.app_context():
        member_id = actor("member").id
    admin = clients["admin"]
    form = page(admin.get(f"/admin/users/{member_id}"))
    assert re.search(r'<input type="checkbox" name="revoke_tokens" value="1"\s+checked>', form)
    data = {"password": NEW_PASSWORD, **({"revoke_tokens": "1"} if checked else {})}
    assert admin.post(f"/admin/users/{member_id}/password", data=data).status_code == 302
    assert tokens(app, "member")[0][1] is checked
    assert api_get(app, token).status_code == (401 if checked else 200)
    assert [entry[:2] for entry in audit(app, "user.password_reset")] == [("admin", "member")]
    assert audit(app, "user.api_token_revoke") == (
        [("admin", "member", {"tokens": [token_id(app, "member")]})] if checked else [])


def test_a_refused_reset_revokes_nothing_and_keeps_the_choice(app, users, clients):
    token = issue(app, "member")
    with app.app_context():
        member_id = actor("member").id
    before = everything(app)
    response = clients["admin"].post(f"/admin/users/{member_id}/password",
                                     data={"password": "short"})
    assert response.status_code == 422
    assert not re.search(r'name="revoke_tokens" value="1"\s+checked', page(response))
    assert everything(app) == before and api_get(app, token).status_code == 200


# --- open sockets ---------------------------------------------------------------------------------

def test_the_watcher_counts_revoked_tokens_and_disabled_users_tokens_as_ended(app, users):
    """What the socket watcher asks each round, across processes: the database."""
    from wallchart.services import accounts

    live, revoked, disabled = (issue(app, who) for who in ("member", "lead", "viewer"))
    ids = {who: token_id(app, who) for who in ("member", "lead", "viewer")}
    with app.app_context():
        assert accounts.revoked_api_tokens_among(set(ids.values())) == set()
        accounts.revoke_api_tokens(None, "lead")
        accounts.disable_user(None, "viewer")
        assert accounts.revoked_api_tokens_among(set(ids.values()) | {999999}) == {
            ids["lead"], ids["viewer"], 999999}
        assert accounts.revoked_api_tokens_among(set()) == set()
    assert api_get(app, live).status_code == 200
    assert api_get(app, revoked).status_code == 401 and api_get(app, disabled).status_code == 401


CHECK_SECONDS = 1


@pytest.fixture
def quick_server(tmp_path, seeded_db):
    """A running server whose socket watcher looks every second."""
    from tests.live import LiveServer

    server = LiveServer(tmp_path, seeded_db,
                        {"WALLCHART_SOCKET_CHECK_SECONDS": str(CHECK_SECONDS)}).start()
    yield server
    server.stop()


def _screen(url: str, token: str) -> tuple[socketio.Client, queue.Queue]:
    closed: queue.Queue = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("disconnect", lambda *reason: closed.put(time.monotonic()))
    client.pushed = queue.Queue()  # type: ignore[attr-defined]
    client.on("project", client.pushed.put)  # type: ignore[attr-defined]
    client.connect(url, transports=["websocket"], wait_timeout=10, auth={"token": token})
    return client, closed


def _closed_within_the_interval(closed: queue.Queue, since: float) -> None:
    """Closed by the server, at the latest one watcher round (plus its query and the close
    reaching us: a second's allowance on a busy machine) after the revocation returned."""
    at = closed.get(timeout=CHECK_SECONDS + 10)
    assert at - since <= CHECK_SECONDS + 1.5, at - since


@pytest.mark.live
def test_a_socket_opened_with_a_revoked_token_closes_within_the_check_interval(quick_server):
    url = quick_server.url
    first = quick_server.flask("user", "token", "member").strip().splitlines()[-1]
    second = quick_server.flask("user", "token", "member").strip().splitlines()[-1]
    leads = quick_server.flask("user", "token", "lead").strip().splitlines()[-1]
    # The sentinels: sockets of other users' tokens, revoked later, each closing in a watcher
    # round that comes after the one that closed the socket before.
    sentinels = [quick_server.flask("user", "token", name).strip().splitlines()[-1]
                 for name in ("viewer", "admin")]
    screens = [_screen(url, token) for token in (first, second, leads, *sentinels)]
    (one, one_closed), (two, two_closed), (lead, _lead_closed) = screens[:3]
    (_viewer, viewer_closed), (_admin, admin_closed) = screens[3:]

    def later_round_keeps(username: str, closed: queue.Queue, *kept: socketio.Client) -> None:
        """Revoke ``username``'s tokens and wait for that socket to close (a later watcher
        round); then a change reaches the ``kept`` sockets: that round left them open."""
        # The console speaks Chinese, the interface's language, unless its terminal is English.
        assert f"已吊销 {username} 的 1 个 API 令牌" in quick_server.flask(
            "user", "revoke-tokens", username)
        closed.get(timeout=CHECK_SECONDS + 10)
        made = requests.post(url + "/api/projects", timeout=10, headers={
            "Authorization": f"Bearer {leads}"}, json={"name": f"哨兵项目{username}"})
        assert made.status_code == 201, made.text
        for client in kept:
            assert client.pushed.get(timeout=10)["id"] == made.json()["id"]
            assert client.connected
    try:
        admin = requests.Session()
        csrf = csrf_token_of(admin.get(url + "/login", timeout=10).text)
        assert admin.post(url + "/login", timeout=10, data={
            "username": "admin", "password": PASSWORD, "csrf_token": csrf}).ok
        users_page = admin.get(url + "/admin/users", timeout=10).text
        member_id = re.search(r'href="/admin/users/(\d+)"[^>]*>\s*member\s*<', users_page)[1]
        user_page = admin.get(f"{url}/admin/users/{member_id}", timeout=10).text
        first_id = min(int(i) for i in re.findall(r'data-token-id="(\d+)"', user_page))
        # One token revoked on the user page: its socket closes, the other token's stays.
        response = admin.post(f"{url}/admin/users/{member_id}/tokens/{first_id}/revoke",
                              data={"csrf_token": csrf_token_of(user_page)}, timeout=10)
        assert response.ok, response.text
        _closed_within_the_interval(one_closed, time.monotonic())
        later_round_keeps("viewer", viewer_closed, two, lead)
        assert requests.get(url + "/api/projects", timeout=10, headers={
            "Authorization": f"Bearer {first}"}).status_code == 401
        # The rest of member's tokens from the command line: closed too; the lead's stays.
        assert "已吊销 member 的 1 个 API 令牌" in quick_server.flask(
            "user", "revoke-tokens", "member")
        _closed_within_the_interval(two_closed, time.monotonic())
        later_round_keeps("admin", admin_closed, lead)
    finally:
        for client, _closed in screens:
            client.disconnect()
