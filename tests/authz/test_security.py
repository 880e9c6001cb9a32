"""Security: sign-in rate limits that cannot lock a real user out, HTTPS-only cookies and HSTS,
protective headers on every answer, and which pages may open a socket."""

from __future__ import annotations

import queue

import pytest
import requests
import socketio
from sqlalchemy import select

from tests.helpers import PASSWORD, csrf_token_of, make_app, post_login, snapshot
from tests.live import LiveServer

ATTACKER = "10.0.0.66"
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
           "X-Frame-Options")


@pytest.fixture
def small_limits(instance):
    """An app whose limits are small enough to reach in a few requests."""
    return make_app(SIGN_IN_LIMIT_PER_ADDRESS_AND_ACCOUNT="3 per hour",
                    SIGN_IN_LIMIT_PER_ADDRESS="6 per hour",
                    SIGN_IN_LIMIT_PER_ACCOUNT="5 per hour")


def users_table(app) -> list[tuple]:
    from wallchart.core.models import User
    from wallchart.extensions import db

    with app.app_context():
        return [(u.id, u.username, u.password_hash, u.active)
                for u in db.session.execute(select(User).order_by(User.id)).scalars()]


def is_signed_in(client) -> bool:
    return client.get("/board").status_code == 200


# --- sign-in limits -----------------------------------------------------------------------------

def test_the_sixth_wrong_password_is_refused_with_a_message_and_changes_nothing(app, users):
    client = app.test_client()
    for _ in range(5):  # the default: 5 failures per address and account a minute
        assert post_login(client, "admin", "wrong-guess", ATTACKER).status_code == 401
    before = (users_table(app), snapshot(app))
    with client.session_transaction() as session:
        session_before = dict(session)
    refused = post_login(client, "admin", "wrong-guess", ATTACKER)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "尝试次数过多" in page and 'role="alert"' in page
    assert 'value="admin"' in page  # the form keeps what was typed
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Even the right password is not looked at from that address now: nothing to learn.
    assert post_login(client, "admin", PASSWORD, ATTACKER).status_code == 429
    assert (users_table(app), snapshot(app)) == before
    with client.session_transaction() as session:
        assert dict(session) == session_before
    assert not is_signed_in(client)


def test_the_refusal_reads_in_english_for_an_english_session(app, users):
    client = app.test_client()
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token_of(
        client.get("/login").get_data(as_text=True))})
    for _ in range(5):
        post_login(client, "admin", "wrong-guess", ATTACKER)
    refused = post_login(client, "admin", "wrong-guess", ATTACKER)
    assert "Too many attempts. Please try again in 1 minute." in refused.get_data(as_text=True)


def test_the_real_user_signs_in_from_another_address_while_one_hammers(app, users):
    attacker = app.test_client()
    for _ in range(12):
        post_login(attacker, "admin", "wrong-guess", ATTACKER)
    assert post_login(attacker, "admin", "wrong-guess", ATTACKER).status_code == 429
    admin = app.test_client()
    assert post_login(admin, "admin", PASSWORD, "10.0.0.1").status_code == 302
    assert is_signed_in(admin)


def test_correct_passwords_are_never_counted(app, users):
    for _ in range(8):
        assert post_login(app.test_client(), "member", PASSWORD).status_code == 302
    for _ in range(5):  # the allowance of failures is still whole
        assert post_login(app.test_client(), "member", "typo").status_code == 401


def test_an_account_guessed_from_many_addresses_still_admits_its_user(small_limits, users):
    app = small_limits
    for n in range(5):  # five addresses, one wrong guess each: the account's limit is reached
        assert post_login(app.test_client(), "admin", "wrong", f"10.1.0.{n}").status_code == 401
    # An address that already failed on the account gets no more guesses, right or wrong ...
    assert post_login(app.test_client(), "admin", PASSWORD, "10.1.0.0").status_code == 429
    # ... but an address that has not is still heard: the real admin gets in,
    admin = app.test_client()
    assert post_login(admin, "admin", PASSWORD, "10.2.0.1").status_code == 302
    assert is_signed_in(admin)
    # and one more guesser gets exactly one try.
    guesser = app.test_client()
    assert post_login(guesser, "admin", "wrong", "10.3.0.1").status_code == 401
    assert post_login(guesser, "admin", "wrong", "10.3.0.1").status_code == 429
    # Other accounts are not affected.
    assert post_login(app.test_client(), "member", PASSWORD, "10.1.0.0").status_code == 302


def test_one_address_trying_many_accounts_is_stopped(small_limits, users):
    app = small_limits
    client = app.test_client()
    for name in ("admin", "lead", "member", "viewer", "nobody", "root"):
        assert post_login(client, name, "wrong", ATTACKER).status_code == 401
    assert post_login(client, "someone-else", "wrong", ATTACKER).status_code == 429
    assert post_login(client, "member", PASSWORD, ATTACKER).status_code == 429
    assert post_login(app.test_client(), "member", PASSWORD, "10.0.0.2").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_limited(instance, users):
    app = make_app(PROXY_COUNT=1, SIGN_IN_LIMIT_PER_ADDRESS_AND_ACCOUNT="2 per hour")
    client = app.test_client()

    def through_proxy(client_address: str, password: str):
        token = csrf_token_of(client.get("/login").get_data(as_text=True))
        return client.post("/login", headers={"X-Forwarded-For": client_address},
                           data={"username": "admin", "password": password,
                                 "csrf_token": token})

    for _ in range(2):
        assert through_proxy(ATTACKER, "wrong").status_code == 401
    assert through_proxy(ATTACKER, PASSWORD).status_code == 429
    # Every request comes from the proxy's own address; the real client behind it gets in.
    assert through_proxy("10.0.0.1", PASSWORD).status_code == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(small_limits, users):
    client = small_limits.test_client()
    for n in range(3):
        token = csrf_token_of(client.get("/login").get_data(as_text=True))
        response = client.post("/login", headers={"X-Forwarded-For": f"10.9.9.{n}"},
                               data={"username": "admin", "password": "wrong",
                                     "csrf_token": token})
        assert response.status_code == 401
    assert post_login(client, "admin", PASSWORD).status_code == 429


def test_setup_page_posts_are_limited_per_address(empty_instance):
    from wallchart.services import accounts

    app = make_app(SETUP_LIMIT_PER_ADDRESS="2 per hour")
    client = app.test_client()
    with app.app_context():
        token = accounts.issue_setup_token()
    csrf = csrf_token_of(client.get(f"/setup?token={token}").get_data(as_text=True))
    form = {"token": token, "username": "chief", "display_name": "王科长",
            "password": "long-enough-1",
            "password2": "different", "csrf_token": csrf}
    for _ in range(2):
        response = client.post("/setup", data=form, environ_base={"REMOTE_ADDR": ATTACKER})
        assert response.status_code == 422
    refused = client.post("/setup", environ_base={"REMOTE_ADDR": ATTACKER},
                          data=form | {"password2": "long-enough-1"})
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert _needs_setup(app)
    done = client.post("/setup", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                       data=form | {"password2": "long-enough-1"})
    assert done.status_code == 302
    assert not _needs_setup(app)


def _needs_setup(app) -> bool:
    from wallchart.services import accounts

    with app.app_context():
        return accounts.needs_setup()


def test_a_limited_api_request_answers_json(app, users):
    from wallchart.extensions import limiter

    @limiter.limit("1 per hour")
    def limited():
        return {"ok": True}

    app.add_url_rule("/api/limited-for-this-test", view_func=limited)
    client = app.test_client()
    assert client.get("/api/limited-for-this-test").status_code == 200
    refused = client.get("/api/limited-for-this-test")
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "尝试次数过多，请 60 分钟后再试。"}


def test_rate_limits_in_the_environment_are_checked_at_start(monkeypatch, tmp_path):
    from wallchart.config import load_config

    monkeypatch.setenv("WALLCHART_SECRET_KEY", "test")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("WALLCHART_SIGN_IN_LIMIT_PER_ACCOUNT", "fifty an hour")
    with pytest.raises(ValueError, match="WALLCHART_SIGN_IN_LIMIT_PER_ACCOUNT=fifty an hour "
                                         "is not a rate limit such as 50 per hour"):
        load_config(tmp_path)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # and in a Chinese terminal, in Chinese
    with pytest.raises(ValueError, match="WALLCHART_SIGN_IN_LIMIT_PER_ACCOUNT=fifty an hour "
                                         "不是频率限制，应形如 50 per hour。"):
        load_config(tmp_path)
    monkeypatch.setenv("WALLCHART_SIGN_IN_LIMIT_PER_ACCOUNT", "10 per hour")
    assert load_config(tmp_path)["SIGN_IN_LIMIT_PER_ACCOUNT"] == "10 per hour"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("WALLCHART_ALLOWED_ORIGINS", "board.example.cn", "：board.example.cn 不是来源地址"),
    ("WALLCHART_ALLOWED_ORIGINS", "https://board.example.cn/board", "不是来源地址"),
    ("WALLCHART_PROXY_COUNT", "yes", "WALLCHART_PROXY_COUNT=yes 不是不小于 0 的整数。"),
    ("WALLCHART_PASSWORD_SCRYPT_COST", "512", "=512 不是不小于 1024 的整数。"),
    ("WALLCHART_PASSWORD_SCRYPT_COST", "20000", "=20000 不是 2 的整数次幂。"),
    ("WALLCHART_STALL_DAYS", "signed=soon", "：signed=soon 不是“阶段=天数”的形式"),
    ("WALLCHART_SIGNED_AGREEMENTS", "framework", "=framework 无效：只能是 contract 或"),
    ("WALLCHART_CAPITAL_INCREASE", "all", "=all 无效：只能是 increment 或 project。"),
])
def test_other_settings_are_checked_at_start_in_the_terminals_language(monkeypatch, tmp_path,
                                                                       name, value, message):
    from wallchart.config import load_config

    monkeypatch.setenv("WALLCHART_SECRET_KEY", "test")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        load_config(tmp_path)


def test_passwords_are_hashed_with_scrypt_at_the_configured_cost(monkeypatch, tmp_path, app,
                                                                 users):
    """werkzeug's cost unless the install says otherwise (the tests' own apps say 1024:
    tests/conftest.py); an unknown username costs a check at the same cost."""
    from tests.helpers import actor
    from wallchart.config import load_config
    from wallchart.services import accounts

    monkeypatch.setenv("WALLCHART_SECRET_KEY", "test")
    monkeypatch.delenv("WALLCHART_PASSWORD_SCRYPT_COST")
    assert load_config(tmp_path)["PASSWORD_SCRYPT_COST"] == 32768
    app.config["PASSWORD_SCRYPT_COST"] = 2048
    with app.app_context():
        accounts.set_password(None, "member", "a-new-password")
        stored = actor("member").password_hash
        assert stored.startswith("scrypt:2048:8:1$") and "a-new-password" not in stored
        assert accounts._dummy_hash(accounts._password_method()).startswith("scrypt:2048:8:1$")
        assert accounts.authenticate("member", "a-new-password").username == "member"
        assert accounts.authenticate("nobody", "a-new-password") is None


def test_allowed_origins_are_normalized(monkeypatch, tmp_path):
    from wallchart.config import load_config

    monkeypatch.setenv("WALLCHART_SECRET_KEY", "test")
    monkeypatch.setenv("WALLCHART_ALLOWED_ORIGINS", " https://Board.Example.cn/ ,http://10.1.2.3:8080")
    assert load_config(tmp_path)["ALLOWED_ORIGINS"] == ["https://board.example.cn",
                                                        "http://10.1.2.3:8080"]


# --- HTTPS: HSTS and Secure cookies -------------------------------------------------------------

def session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(app, users):
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    token = csrf_token_of(page.get_data(as_text=True))
    # Over HTTPS the CSRF check also wants the same-origin Referer browsers send.
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"},
                           data={"username": "member", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_over_plain_http_the_cookie_is_not_secure_and_no_hsts(app, users):
    client = app.test_client()
    page = client.get("/login")
    assert "Strict-Transport-Security" not in page.headers
    response = client.post("/login", data={"username": "member", "password": PASSWORD,
                                           "csrf_token": csrf_token_of(page.get_data(
                                               as_text=True))})
    cookie = session_cookie(response)
    assert "Secure" not in cookie
    assert "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A client's own claim to have come over HTTPS counts only from a trusted proxy.
    claimed = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed.headers


def test_behind_a_trusted_proxy_its_https_counts(instance, users):
    client = make_app(PROXY_COUNT=1).test_client()
    page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    response = client.post("/login", headers={"X-Forwarded-Proto": "https",
                                               "Referer": "https://localhost/login"}, data={
        "username": "member", "password": PASSWORD,
        "csrf_token": csrf_token_of(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert "; Secure" in session_cookie(response)


# --- headers on every answer, errors included ---------------------------------------------------

def error_answers(app) -> dict[str, object]:
    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken-for-this-test", view_func=broken)
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    answers = {
        "404": client.get("/nowhere", **https),
        "404 api": client.get("/api/nowhere", **https),
        "405": client.get("/logout", **https),
        "400 csrf": client.post("/login", data={"username": "admin", "password": "x"}, **https),
        "500": client.get("/broken-for-this-test", **https),
    }
    token = csrf_token_of(client.get("/login", **https).get_data(as_text=True))
    for _ in range(6):
        answers["429"] = client.post("/login", headers={"Referer": "https://localhost/login"},
                                     data={"username": "admin", "password": "x",
                                           "csrf_token": token}, **https)
    return answers


def test_every_error_answer_carries_the_protective_headers(app, users):
    answers = error_answers(app)
    assert {name: r.status_code for name, r in answers.items()} == {
        "404": 404, "404 api": 404, "405": 405, "400 csrf": 400, "500": 500, "429": 429}
    for name, response in answers.items():
        for header in HEADERS:
            assert header in response.headers, (name, header)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", name
    assert set(answers["404 api"].get_json()) == {"error"}


# --- which pages may open a socket --------------------------------------------------------------

FOREIGN = "https://evil.example"


def cookie_of(server: LiveServer, username: str = "viewer") -> str:
    """A session cookie signed in through the real login form."""
    http = requests.Session()
    token = csrf_token_of(http.get(server.url + "/login", timeout=10).text)
    response = http.post(server.url + "/login", allow_redirects=False, timeout=10, data={
        "username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def greeted(server: LiveServer, *, cookie: str | None = None, origin: str | None = None,
            auth: dict | None = None, websocket: bool = False,
            extra: dict | None = None) -> dict | None:
    """Connect a real python-socketio client; its ``hello``, or None when it was refused.

    Over long-polling the client sends exactly the headers given. Over WebSocket the library
    would add an ``Origin`` of its own, so it is told not to: the headers are the test's. (When
    Engine.IO refuses a WebSocket's origin, gevent-websocket has already accepted the upgrade,
    so the client finds the socket closed without a word: a ``ValueError`` in its parser.)
    """
    client = socketio.Client(reconnection=False,
                             websocket_extra_options={"suppress_origin": True})
    hellos: queue.Queue[dict] = queue.Queue()
    client.on("hello", hellos.put)
    headers = {name: value for name, value in (("Cookie", cookie), ("Origin", origin)) if value}
    headers.update(extra or {})
    try:
        client.connect(server.url, headers=headers, auth=auth, wait_timeout=5,
                       transports=["websocket"] if websocket else ["polling"])
    except (socketio.exceptions.ConnectionError, ValueError):
        return None
    try:
        return hellos.get(timeout=5)
    finally:
        client.disconnect()


@pytest.mark.live
def test_a_socket_with_a_session_cookie_needs_this_sites_origin(live_server):
    cookie = cookie_of(live_server)
    for websocket in (False, True):
        assert greeted(live_server, cookie=cookie, websocket=websocket) is None
        assert greeted(live_server, cookie=cookie, origin=FOREIGN, websocket=websocket) is None
        # Same host, other scheme or port: another origin.
        other_port = live_server.url.rsplit(":", 1)[0] + ":1"
        assert greeted(live_server, cookie=cookie, origin=other_port, websocket=websocket) is None
        hello = greeted(live_server, cookie=cookie, origin=live_server.url, websocket=websocket)
        assert hello is not None and hello["view"] == "board"


@pytest.mark.live
def test_a_socket_with_a_token_may_omit_the_origin_but_not_name_a_foreign_one(live_server):
    display = live_server.flask("display", "create", "大厅").strip().splitlines()[-1]
    tokens = {"wall": display.split("token=", 1)[1],
              "board": live_server.flask("user", "token", "viewer").strip().splitlines()[-1]}
    for view, token in tokens.items():
        for websocket in (False, True):
            hello = greeted(live_server, auth={"token": token}, websocket=websocket)
            assert hello is not None and hello["view"] == view
            assert greeted(live_server, auth={"token": token}, origin=live_server.url,
                           websocket=websocket) is not None
            assert greeted(live_server, auth={"token": token}, origin=FOREIGN,
                           websocket=websocket) is None


@pytest.mark.live
def test_behind_a_trusted_proxy_the_site_is_the_one_the_browser_sees(tmp_path, seeded_db):
    server = LiveServer(tmp_path, seeded_db, {"WALLCHART_PROXY_COUNT": "1"}).start()
    try:
        cookie = cookie_of(server)
        https = server.url.replace("http://", "https://")
        proxied = {"X-Forwarded-Proto": "https"}
        # Through the TLS proxy the browser's page is https://…, and so is this site.
        assert greeted(server, cookie=cookie, origin=https, extra=proxied) is not None
        assert greeted(server, cookie=cookie, origin=server.url, extra=proxied) is None
        assert greeted(server, cookie=cookie, origin=https) is None
    finally:
        server.stop()


def test_a_configured_allowlist_replaces_this_sites_own_origin(instance, users):
    from wallchart.extensions import socketio as server

    app = make_app(ALLOWED_ORIGINS=["https://wallchart.example.gov.cn"])
    flask_client = app.test_client()
    assert post_login(flask_client, "viewer", PASSWORD).status_code == 302

    def connects(origin: str | None) -> bool:
        return server.test_client(app, flask_test_client=flask_client,
                                  headers={"Origin": origin} if origin else None).is_connected()

    assert connects("https://wallchart.example.gov.cn")
    assert connects("https://WallChart.example.gov.cn/")
    assert not connects("http://localhost")  # the site's own address is not listed
    assert not connects(None)


# --- several processes share their counts through Redis -----------------------------------------

def login_on(server: LiveServer, username: str, password: str) -> requests.Response:
    http = requests.Session()
    token = csrf_token_of(http.get(server.url + "/login", timeout=10).text)
    return http.post(server.url + "/login", allow_redirects=False, timeout=10, data={
        "username": username, "password": password, "csrf_token": token})


@pytest.mark.live
def test_failures_on_one_process_count_on_the_other(two_servers):
    first, second = two_servers
    for _ in range(5):
        assert login_on(first, "admin", "wrong-guess").status_code == 401
    refused = login_on(second, "admin", PASSWORD)
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.text
    # The same address may still sign in to another account, on either process.
    assert login_on(second, "member", PASSWORD).status_code == 302
