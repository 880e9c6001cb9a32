"""Sign-in, first-run setup, the board and its htmx forms, and the wall page."""

from __future__ import annotations

import re

from tests.helpers import PASSWORD, csrf_token_of, project_events, snapshot, socket_client

XSS = {
    "name": '<script>alert(1)</script>{{7*7}}',
    "investor": '<img src=x onerror=alert(1)> <a href="javascript:alert(1)" hx-get="/x">x</a>',
}


def test_anonymous_visitors_are_sent_to_sign_in(app, users):
    client = app.test_client()
    response = client.get("/board")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    htmx = client.get("/board/projects/new", headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    assert htmx.headers["HX-Redirect"].startswith("/login")
    assert client.get("/api/projects").status_code == 401


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(app, users):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"username": "member", "password": "nope",
                                        "csrf_token": token})
    assert wrong.status_code == 401
    assert "用户名或密码错误" in wrong.get_data(as_text=True) or \
        "Wrong username or password" in wrong.get_data(as_text=True)
    response = client.post("/login?next=//evil.example/x", data={
        "username": "member", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/board"
    with client.session_transaction() as session:
        assert "planted" not in session
    board = client.get("/board").get_data(as_text=True)
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf_token_of(board)})
    assert client.get("/board").status_code == 302


def test_sign_in_without_csrf_token_is_refused(app, users):
    response = app.test_client().post("/login", data={"username": "member",
                                                      "password": PASSWORD})
    assert response.status_code == 400


def test_first_run_setup_link_creates_the_admin_once(empty_app):
    from wallchart.services import accounts

    client = empty_app.test_client()
    assert "setup-link" in client.get("/").get_data(as_text=True)
    with empty_app.app_context():
        token = accounts.issue_setup_token()
    assert client.get("/setup?token=wrong").status_code == 404
    page = client.get(f"/setup?token={token}").get_data(as_text=True)
    csrf = csrf_token_of(page)
    mismatch = client.post("/setup", data={"token": token, "username": "chief",
                                           "password": "long-enough-1", "password2": "other",
                                           "csrf_token": csrf})
    assert mismatch.status_code == 422
    short = client.post("/setup", data={"token": token, "username": "chief", "password": "short",
                                        "password2": "short", "csrf_token": csrf})
    assert short.status_code == 422
    nameless = client.post("/setup", data={"token": token, "username": "chief",
                                           "display_name": "  ", "password": "long-enough-1",
                                           "password2": "long-enough-1", "csrf_token": csrf})
    # Asked for again, with what was typed kept, until the wall has a name to show for him.
    assert nameless.status_code == 422
    assert "请填写你的显示名称" in nameless.get_data(as_text=True)
    assert 'value="chief"' in nameless.get_data(as_text=True)
    with empty_app.app_context():
        assert accounts.needs_setup()
    done = client.post("/setup", data={"token": token, "username": "chief",
                                       "display_name": "王科长", "password": "long-enough-1",
                                       "password2": "long-enough-1", "csrf_token": csrf})
    assert done.status_code == 302
    board = client.get("/board").get_data(as_text=True)
    assert ">王科长</a>" in board and "title=\"管理员 · " in board  # the role in its tooltip
    with empty_app.app_context():
        from tests.helpers import actor

        assert actor("chief").role == "admin" and actor("chief").display_name == "王科长"
        assert accounts.issue_setup_token() is None
    assert app_get(empty_app, f"/setup?token={token}").status_code == 404


def app_get(app, url):
    return app.test_client().get(url)


def test_the_board_shows_columns_counts_totals_and_cards(clients, make_project):
    make_project("大项目", investment_wan=350000)
    make_project("小项目", investment_wan=8000)
    page = clients["viewer"].get("/board").get_data(as_text=True)
    for stage in ("contact", "negotiating", "signed", "started", "producing"):
        assert f'data-stage="{stage}"' in page
    contact = page.split('data-stage="contact"')[1].split('data-stage="negotiating"')[0]
    assert '<span class="count">2</span>' in contact
    assert ">35.80</span>" in contact
    assert "35 亿元" in contact and "8,000 万元" in contact
    assert contact.count('class="card"') == 2
    assert 'data-version="1"' in contact


def test_viewers_get_no_controls_that_change_anything(clients, make_project):
    project = make_project()
    board = clients["viewer"].get("/board").get_data(as_text=True)
    assert 'data-can-move="0"' in board
    assert "/board/projects/new" not in board
    panel = clients["viewer"].get(f"/board/projects/{project['id']}").get_data(as_text=True)
    assert "hx-post" not in panel
    lead_panel = clients["lead"].get(f"/board/projects/{project['id']}").get_data(as_text=True)
    assert "/assign" in lead_panel and "/move" in lead_panel
    member_panel = clients["member"].get(f"/board/projects/{project['id']}").get_data(as_text=True)
    assert "/assign" not in member_panel and "/move" in member_panel


def test_the_new_project_form_shows_errors_inline_and_saves_nothing(app, clients, counties):
    member = clients["member"]
    form = member.get("/board/projects/new").get_data(as_text=True)
    assert 'name="name"' in form and counties[0] in form
    before = snapshot(app)
    response = member.post("/board/projects", data={
        "name": "", "investor": "甲", "investment_wan": "十万", "county": "", "sector": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.count('aria-invalid="true"') == 2
    assert 'value="十万"' in body  # what the person typed stays in the form
    assert snapshot(app) == before
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    response = member.post("/board/projects", data={
        "name": "新项目", "investor": "甲", "investment_wan": "12,000", "county": counties[0],
        "sector": "services"})
    assert response.status_code == 204
    assert "wallchart:done" in response.headers["HX-Trigger"]
    [event] = project_events(watcher)
    assert event["action"] == "created" and "新项目" in event["html"]
    listed = member.get("/api/projects").get_json()["projects"]
    assert [(p["name"], p["investment_wan"]) for p in listed] == [("新项目", 12000)]


def test_editing_a_changed_project_reports_the_conflict(clients, make_project):
    project = make_project()
    clients["lead"].patch(f"/api/projects/{project['id']}", json={"name": "先改", "version": 1})
    response = clients["member"].post(f"/board/projects/{project['id']}", data={
        "name": "后改", "investor": "", "investment_wan": "1", "county": "", "sector": "",
        "version": "1"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert 'value="先改"' in body  # the form now shows what the database holds
    assert clients["member"].get(f"/api/projects/{project['id']}").get_json()["name"] == "先改"


def test_the_panel_moves_assigns_and_shows_history(clients, make_project):
    project = make_project()
    pid = project["id"]
    moved = clients["member"].post(f"/board/projects/{pid}/move",
                                   data={"stage": "negotiating", "version": "1"})
    assert moved.status_code == 200
    stale = clients["member"].post(f"/board/projects/{pid}/move",
                                   data={"stage": "signed", "version": "1"})
    assert stale.status_code == 409
    assigned = clients["lead"].post(f"/board/projects/{pid}/assign",
                                    data={"owner": "member", "version": "2"})
    assert assigned.status_code == 200
    history = assigned.get_data(as_text=True)
    assert history.count("<li class=\"history-") == 3
    assert clients["member"].post(f"/board/projects/{pid}/assign",
                                  data={"owner": "", "version": "3"}).status_code == 403
    api = clients["member"].get(f"/api/projects/{pid}").get_json()
    assert (api["stage"], api["owner"], api["version"]) == ("negotiating", "member", 3)
    deleted = clients["lead"].post(f"/board/projects/{pid}/delete", data={"version": "3"})
    assert deleted.status_code == 204
    assert clients["lead"].get(f"/board/projects/{pid}").status_code == 404


def test_markup_in_every_text_field_is_shown_as_text(app, clients, counties):
    from wallchart.services import accounts

    response = clients["member"].post("/api/projects", json=XSS)
    assert response.status_code == 201
    pid = response.get_json()["id"]
    with app.app_context():
        wall_token = accounts.create_display_token(None, "大厅")
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    clients["member"].post(f"/api/projects/{pid}/move",
                           json={"stage": "signed", "version": 1, "investment_wan": 1000})
    pages = {
        "board": clients["viewer"].get("/board").get_data(as_text=True),
        "panel": clients["viewer"].get(f"/board/projects/{pid}").get_data(as_text=True),
        "wall": app.test_client().get(f"/wall?token={wall_token}").get_data(as_text=True),
        "push": project_events(watcher)[0]["html"],
    }
    for where, html in pages.items():
        assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in html, where
        assert "<script>alert" not in html, where
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, where
        assert '<a href="javascript' not in html, where
        assert "49" not in re.sub(r"\d{3,}", "", html.split("{{7*7}}")[0][-20:]), where


def test_every_response_carries_protective_headers(clients, app):
    for response in (clients["member"].get("/board"), app.test_client().get("/login"),
                     app.test_client().get("/nowhere"), clients["member"].get("/api/projects")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_wall_needs_a_valid_display_token_and_has_no_controls(app, users, make_project):
    from wallchart.services import accounts

    make_project("墙上项目")
    client = app.test_client()
    for url in ("/wall", "/wall?token=wrong", "/wall/columns?token=wrong"):
        response = client.get(url)
        assert response.status_code == 403
        assert 'name="password"' not in response.get_data(as_text=True)
    with app.app_context():
        token = accounts.create_display_token(None, "大厅")
    page = client.get(f"/wall?token={token}").get_data(as_text=True)
    assert "墙上项目" in page
    for control in ("<button", "<input", "<form", "<select", "hx-post", "hx-get"):
        assert control not in page, control
    assert client.get(f"/wall/columns?token={token}").status_code == 200
    english = client.get(f"/wall?token={token}&lang=en").get_data(as_text=True)
    assert "Negotiating" in english
    with app.app_context():
        accounts.revoke_display_tokens(None, "大厅")
    assert client.get(f"/wall?token={token}").status_code == 403


def test_sockets_refuse_anyone_without_a_session_or_token(app, users):
    from wallchart.services import accounts

    assert not socket_client(app).is_connected()
    assert not socket_client(app, auth={"token": "bogus"}).is_connected()
    assert not socket_client(app, auth="not a dict").is_connected()
    with app.app_context():
        display = accounts.create_display_token(None, "大厅")
        api = accounts.issue_api_token(None, "viewer")
    wall = socket_client(app, auth={"token": display})
    assert wall.is_connected()
    assert wall.get_received()[0]["args"][0]["view"] == "wall"
    assert socket_client(app, auth={"token": api}).is_connected()
    odd_language = socket_client(app, auth={"token": display, "lang": ["en"]})
    assert odd_language.is_connected()


def test_htmx_refuses_other_sites_script_tags_and_eval(clients):
    import html
    import json

    page = clients["viewer"].get("/board").get_data(as_text=True)
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page)
    assert meta, "no htmx-config"
    config = json.loads(html.unescape(meta.group(1)))
    assert config["selfRequestsOnly"] is True
    assert config["allowScriptTags"] is False
    assert config["allowEval"] is False
