"""Administration pages (users, teams, counties, wall displays, the audit log) and changing one's
own password: what each action stores and shows, who may use them, and what is refused."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import pytest
from flask import url_for
from sqlalchemy import select

from tests.helpers import OTHER_TEAM, PASSWORD, TEAM, actor, csrf_token_of, snapshot
from wallchart.core.models import (
    AuditEntry,
    County,
    DisplayToken,
    Project,
    Team,
    TeamWebhook,
    User,
)
from wallchart.extensions import db

NEW_PASSWORD = "a-brand-new-password"
#: Plausible input for every admin form: a route that forgot its check would change something.
FORM = {"username": "intruder", "password": NEW_PASSWORD, "role": "admin", "display_name": "x",
        "name": "入侵", "kind": "zone", "lead": "member", "user": "outsider"}
XSS = '<script>alert(1)</script><img src=x onerror=alert(1)>{{7*7}}'
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;{{7*7}}"


def state(app) -> dict:
    """Everything an administration request may change, for "nothing changed" checks."""
    with app.app_context():
        users = db.session.execute(select(User).order_by(User.id)).scalars().all()
        teams = db.session.execute(select(Team).order_by(Team.id)).scalars().all()
        return {
            "board": snapshot(app),
            "users": [(u.username, u.display_name, u.role, u.active, u.password_hash)
                      for u in users],
            "teams": [(t.name, t.lead_id, [m.id for m in t.members]) for t in teams],
            "counties": db.session.execute(
                select(County.id, County.name, County.kind).order_by(County.id)).all(),
            "displays": db.session.execute(
                select(DisplayToken.id, DisplayToken.name, DisplayToken.revoked_at)).all(),
            "audit": db.session.execute(select(AuditEntry.id)).scalars().all(),
            "webhooks": db.session.execute(
                select(TeamWebhook.id, TeamWebhook.url, TeamWebhook.removed_at)).all(),
        }


def audit_log(app, action: str | None = None) -> list[tuple]:
    """(actor's username or None, action, target, details), oldest first."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return [(e.actor.username if e.actor else None, e.action, e.target, e.details)
                for e in db.session.execute(query).scalars()]


def row_id(app, model, **where) -> int:
    with app.app_context():
        return db.session.execute(select(model.id).filter_by(**where)).scalar_one()


def user_row(app, username: str) -> User:
    with app.app_context():
        return actor(username)


def can_sign_in(app, username: str, password: str) -> bool:
    client = app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    return response.status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


# --- who may use them --------------------------------------------------------------------------

@pytest.fixture
def admin_urls(app, counties):
    """Every (method, URL) of the admin and account blueprints, taken from the app itself: a new
    route is covered the moment it exists."""
    with app.app_context():
        ids = {"user_id": actor("member").id, "team_id": row_id(app, Team, name=TEAM),
               "county_id": row_id(app, County, name=counties[0])}
        from wallchart.services import accounts

        accounts.create_display_token(None, "大厅")
        ids["token_id"] = row_id(app, DisplayToken, name="大厅")
        from wallchart.services import webhooks

        ids["webhook_id"] = webhooks.add_webhook(None, TEAM, "http://127.0.0.1:9/hook",
                                                 "wecom").id
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] in ("admin", "account"):
                url = url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments})
                urls += [(method, url, rule.endpoint)
                         for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(urls) >= 20
    return urls


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_every_admin_url_is_refused_to_other_roles(app, clients, admin_urls, role):
    before = state(app)
    for method, url, endpoint in admin_urls:
        if endpoint.startswith("account."):
            continue
        response = getattr(clients[role], method.lower())(url, data=FORM)
        assert response.status_code == 403, (method, url)
    assert state(app) == before


def test_anonymous_visitors_are_sent_to_sign_in(app, users, admin_urls):
    client = app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    before = state(app)
    for method, url, _endpoint in admin_urls:
        response = getattr(client, method.lower())(url, data={**FORM, "csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert state(app) == before


def test_an_api_token_does_not_open_the_admin_pages(app, users, admin_urls):
    """Not even an administrator's: a leaked script token must not become a new password."""
    from wallchart.services import accounts

    with app.app_context():
        token = accounts.issue_api_token(None, "admin")
    client = app.test_client()
    before = state(app)
    for method, url, _endpoint in admin_urls:
        response = getattr(client, method.lower())(url, data=FORM,
                                                   headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, (method, url)
    assert state(app) == before


def test_a_form_without_its_csrf_token_is_refused(app, clients, admin_urls):
    admin = clients["admin"].client  # Flask's own client: sends no token unless told
    before = state(app)
    for method, url, _endpoint in admin_urls:
        if method == "POST":
            assert admin.post(url, data=FORM).status_code == 400, url
    assert state(app) == before
    for method, url, _endpoint in admin_urls:
        if method == "GET":
            assert admin.get(url, query_string=FORM).status_code in (200, 302), url
    assert state(app) == before  # GET never changes anything, whatever it carries


def test_the_board_links_the_admin_pages_for_admins_only(clients):
    assert 'href="/admin"' in text(clients["admin"].get("/board"))
    for role in ("lead", "member", "viewer"):
        assert 'href="/admin"' not in text(clients[role].get("/board"))
    assert clients["admin"].get("/admin").headers["Location"].endswith("/admin/users")


def test_every_admin_page_has_its_tab(clients):
    page = text(clients["admin"].get("/admin/targets"))
    nav = page.split('<nav class="admin-nav"')[1].split("</nav>")[0]
    for href in ("/admin/users", "/admin/teams", "/admin/counties", "/admin/displays",
                 "/admin/audit"):
        assert f'href="{href}"' in nav, href
    assert 'href="/admin/targets" aria-current="page">目标任务</a>' in nav


# --- users -------------------------------------------------------------------------------------

def test_the_users_page_lists_everyone_with_role_status_and_teams(clients):
    page = text(clients["admin"].get("/admin/users"))
    rows = {name: page.split(f">{name}</a>")[1].split("</tr>")[0]
            for name in ("admin", "lead", "member", "viewer", "outsider")}
    assert "专班负责人" in rows["lead"] and TEAM in rows["lead"]
    assert TEAM in rows["member"] and OTHER_TEAM not in rows["member"]
    assert OTHER_TEAM in rows["outsider"]
    assert "启用" in rows["viewer"]


def test_an_admin_creates_a_user_who_can_sign_in(app, clients):
    response = clients["admin"].post("/admin/users", data={
        "username": "zhangsan", "display_name": "张三", "role": "lead",
        "password": NEW_PASSWORD})
    assert response.status_code == 302
    page = text(clients["admin"].get(response.headers["Location"]))
    assert "张三" in page and "专班负责人" in page
    created = user_row(app, "zhangsan")
    assert (created.display_name, created.role, created.active) == ("张三", "lead", True)
    assert can_sign_in(app, "zhangsan", NEW_PASSWORD)
    assert audit_log(app, "user.create")[-1] == (
        "admin", "user.create", "zhangsan", {"role": "lead", "display_name": "张三"})


def test_an_admin_creates_a_user_in_a_team(app, clients):
    """The new-user form offers the teams: a member in one moves its cards from the start."""
    form = text(clients["admin"].get("/admin/users")).split('name="team"')[1].split("</select>")[0]
    assert f'<option value="{TEAM}">' in form and f'<option value="{OTHER_TEAM}">' in form
    response = clients["admin"].post("/admin/users", data={
        "username": "xiaoli", "display_name": "小李", "role": "member", "team": OTHER_TEAM,
        "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert OTHER_TEAM in text(clients["admin"].get(response.headers["Location"]))
    with app.app_context():
        team = db.session.execute(select(Team).where(Team.name == OTHER_TEAM)).scalar_one()
        assert [m.username for m in team.members] == ["outsider", "xiaoli"]
    assert audit_log(app, "user.create")[-1] == (
        "admin", "user.create", "xiaoli",
        {"role": "member", "display_name": "小李", "team": OTHER_TEAM})


@pytest.mark.parametrize("fields, field, message", [
    ({"username": "member"}, "username", "用户名已被占用"),
    ({"username": "two words"}, "username", "字母"),
    ({"password": "short"}, "password", "至少需要 8 个字符"),
    ({"role": "boss"}, "role", "角色"),
    ({"role": ""}, "role", "角色"),
    ({"display_name": "名" * 65}, "display_name", "64"),
    ({"team": "三组"}, "team", "不存在名为“三组”的专班"),
])
def test_a_bad_new_user_is_refused_with_the_reason_and_nothing_saved(app, clients, fields,
                                                                    field, message):
    before = state(app)
    data = {"username": "wangwu", "display_name": "王五", "role": "member",
            "password": NEW_PASSWORD, **fields}
    response = clients["admin"].post("/admin/users", data=data)
    assert response.status_code == 422
    page = text(response)
    assert 'aria-invalid="true" aria-describedby="error-' + field in page
    assert message in page.split(f'id="error-{field}"')[1].split("</p>")[0]
    assert f'value="{data["username"]}"' in html.unescape(page)  # what was typed stays
    assert NEW_PASSWORD not in page  # but never the password
    assert state(app) == before


def test_disabling_a_user_stops_his_sign_in_and_enabling_restores_it(app, clients):
    member = clients["member"]
    assert member.get("/board").status_code == 200
    uid = user_row(app, "member").id
    response = clients["admin"].post(f"/admin/users/{uid}/disable")
    assert response.status_code == 302
    assert "不能再登录" in text(clients["admin"].get(response.headers["Location"]))
    assert user_row(app, "member").active is False
    assert member.get("/board").status_code == 302  # his open session no longer works
    assert not can_sign_in(app, "member", PASSWORD)
    assert "停用" in text(clients["admin"].get("/admin/users")).split(">member</a>")[1][:300]
    clients["admin"].post(f"/admin/users/{uid}/disable")  # twice: still one entry
    assert clients["admin"].post(f"/admin/users/{uid}/enable").status_code == 302
    assert can_sign_in(app, "member", PASSWORD)
    assert [(e[0], e[1], e[2]) for e in audit_log(app) if e[1] in ("user.disable",
                                                                   "user.enable")] == [
        ("admin", "user.disable", "member"), ("admin", "user.enable", "member")]


def test_an_admin_cannot_disable_demote_or_reset_himself(app, clients):
    me = user_row(app, "admin").id
    before = state(app)
    page = text(clients["admin"].get(f"/admin/users/{me}"))
    assert f"/admin/users/{me}/disable" not in page and "/account/password" in page
    for path, data, message in (("disable", {}, "不能停用自己的账号"),
                                ("role", {"role": "viewer"}, "另一位管理员"),
                                ("password", {"password": NEW_PASSWORD}, "账号页")):
        response = clients["admin"].post(f"/admin/users/{me}/{path}", data=data)
        assert response.status_code == 422, path
        assert message in text(response), path
    assert state(app) == before


def test_the_last_active_administrator_stays(app, clients):
    from wallchart.core.errors import Invalid
    from wallchart.services import accounts

    with app.app_context():
        for change in (lambda: accounts.disable_user(None, "admin"),
                       lambda: accounts.change_role(None, "admin", "lead")):
            with pytest.raises(Invalid, match="最后一位启用中的管理员"):
                change()
    # With a second administrator, one may step back, and then the other is the last.
    clients["admin"].post("/admin/users", data={"username": "chief", "role": "admin",
                                                "password": NEW_PASSWORD})
    chief = user_row(app, "chief").id
    assert clients["admin"].post(f"/admin/users/{chief}/role",
                                 data={"role": "lead"}).status_code == 302
    assert user_row(app, "chief").role == "lead"
    clients["admin"].post(f"/admin/users/{chief}/role", data={"role": "admin"})
    assert clients["admin"].post(f"/admin/users/{chief}/disable").status_code == 302
    with app.app_context(), pytest.raises(Invalid, match="最后一位启用中的管理员"):
        accounts.disable_user(None, "admin")
    assert audit_log(app, "user.role")[-2:] == [
        ("admin", "user.role", "chief", {"from": "admin", "to": "lead"}),
        ("admin", "user.role", "chief", {"from": "lead", "to": "admin"})]


def test_a_disabled_administrator_can_change_nothing(app, clients):
    """The services check the acting user inside the transaction, not only the page."""
    from wallchart.core.errors import Forbidden
    from wallchart.services import accounts, teams

    clients["admin"].post("/admin/users", data={"username": "chief", "role": "admin",
                                                "password": NEW_PASSWORD})
    with app.app_context():
        chief = actor("chief")
        accounts.disable_user(actor("admin"), "chief")
        before = state(app)
        for change in (lambda: accounts.disable_user(chief, "admin"),
                       lambda: accounts.create_user(chief, "x", NEW_PASSWORD, "admin"),
                       lambda: teams.create_team(chief, "三组"),
                       lambda: accounts.add_county(chief, "新区")):
            with pytest.raises(Forbidden):
                change()
        with pytest.raises(Forbidden):
            accounts.create_display_token(actor("lead"), "大厅")
    assert state(app) == before


def test_an_admin_resets_a_forgotten_password(app, clients):
    uid = user_row(app, "viewer").id
    before = state(app)
    short = clients["admin"].post(f"/admin/users/{uid}/password", data={"password": "short"})
    assert short.status_code == 422 and "至少需要 8 个字符" in text(short)
    assert state(app) == before
    done = clients["admin"].post(f"/admin/users/{uid}/password", data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert not can_sign_in(app, "viewer", PASSWORD)
    assert can_sign_in(app, "viewer", NEW_PASSWORD)
    assert audit_log(app, "user.password_reset") == [
        ("admin", "user.password_reset", "viewer", {})]


def test_an_admin_changes_a_role(app, clients):
    uid = user_row(app, "member").id
    before = state(app)
    bad = clients["admin"].post(f"/admin/users/{uid}/role", data={"role": "superuser"})
    assert bad.status_code == 422 and 'role="alert"' in text(bad)
    assert state(app) == before
    assert clients["admin"].post(f"/admin/users/{uid}/role",
                                 data={"role": "lead"}).status_code == 302
    assert user_row(app, "member").role == "lead"
    assert clients["member"].get("/board/projects/new").status_code == 200
    assert audit_log(app, "user.role") == [
        ("admin", "user.role", "member", {"from": "member", "to": "lead"})]


def test_unknown_ids_are_not_found(clients):
    admin = clients["admin"]
    for url in ("/admin/users/999", "/admin/teams/999", "/admin/counties/999"):
        assert admin.get(url).status_code == 404
    assert admin.post("/admin/users/999/disable").status_code == 404
    assert admin.post("/admin/displays/999/revoke").status_code == 404


# --- teams -------------------------------------------------------------------------------------

def test_an_admin_creates_a_team_and_changes_its_lead_and_members(app, clients):
    admin = clients["admin"]
    response = admin.post("/admin/teams", data={"name": "三组", "lead": "lead"})
    assert response.status_code == 302
    team_url = response.headers["Location"]
    assert "三组" in text(admin.get("/admin/teams"))
    assert admin.post(f"{team_url}/lead", data={"lead": "outsider"}).status_code == 302
    # A user may belong to several teams.
    assert admin.post(f"{team_url}/members", data={"user": "member"}).status_code == 302
    assert admin.post(f"{team_url}/members", data={"user": "outsider"}).status_code == 302
    page = text(admin.get(team_url))
    members = page.split('class="member-list"')[1].split("</ul>")[0]
    assert "(member)" in members and "(outsider)" in members
    assert admin.post(f"{team_url}/members/remove", data={"user": "outsider"}).status_code == 302
    assert admin.post(f"{team_url}/lead", data={"lead": ""}).status_code == 302
    with app.app_context():
        team = db.session.execute(select(Team).where(Team.name == "三组")).scalar_one()
        assert team.lead is None and [m.username for m in team.members] == ["member"]
    member_teams = text(admin.get("/admin/users")).split(">member</a>")[1].split("</tr>")[0]
    assert TEAM in member_teams and "三组" in member_teams
    assert [entry[1:] for entry in audit_log(app) if entry[1].startswith("team.")][-6:] == [
        ("team.create", "三组", {"lead": "lead"}),
        ("team.lead", "三组", {"from": "lead", "to": "outsider"}),
        ("team.add_member", "三组", {"users": ["member"]}),
        ("team.add_member", "三组", {"users": ["outsider"]}),
        ("team.remove_member", "三组", {"user": "outsider"}),
        ("team.lead", "三组", {"from": "outsider", "to": None}),
    ]


@pytest.mark.parametrize("path, data, message", [
    ("", {"name": TEAM}, "已存在"),
    ("", {"name": "  "}, "必填"),
    ("", {"name": "三组", "lead": "nobody"}, "nobody"),
    ("/{id}/lead", {"lead": "nobody"}, "nobody"),
    ("/{id}/members", {"user": "nobody"}, "nobody"),
    ("/{id}/members", {}, "请从列表中选择"),
    ("/{id}/members/remove", {"user": "outsider"}, "不是"),
])
def test_bad_team_changes_are_refused_and_change_nothing(app, clients, path, data, message):
    team_id = row_id(app, Team, name=TEAM)
    before = state(app)
    response = clients["admin"].post("/admin/teams" + path.format(id=team_id), data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert state(app) == before


def test_a_disabled_user_cannot_become_lead_or_member(app, clients):
    from wallchart.services import accounts

    with app.app_context():
        accounts.disable_user(None, "outsider")
    team_id = row_id(app, Team, name=TEAM)
    before = state(app)
    for path, data in (("lead", {"lead": "outsider"}), ("members", {"user": "outsider"})):
        assert clients["admin"].post(f"/admin/teams/{team_id}/{path}",
                                     data=data).status_code == 422
    assert state(app) == before


# --- counties ----------------------------------------------------------------------------------

def test_an_admin_adds_renames_and_deletes_counties(app, clients, counties):
    admin = clients["admin"]
    assert admin.post("/admin/counties", data={"name": "洪江区", "kind": "district"}
                      ).status_code == 302
    table = text(admin.get("/admin/counties")).split("<tbody>")[1]
    assert table.index(counties[0]) < table.index("洪江区")
    assert "<td>区</td>" in table.split("洪江区")[1][:40]
    new_id = row_id(app, County, name="洪江区")
    revision = snapshot(app)["revision"]
    assert admin.post(f"/admin/counties/{new_id}/rename", data={"name": "洪江管理区"}
                      ).status_code == 302
    # Cards show county names: the board's revision moves on, so screens resync.
    assert snapshot(app)["revision"] == revision + 1
    assert admin.post(f"/admin/counties/{new_id}/delete").status_code == 302
    assert "洪江管理区" not in text(admin.get("/admin/counties")).split("<tbody>")[1]
    assert [entry[1:] for entry in audit_log(app) if entry[1].startswith("county.")] == [
        ("county.add", "洪江区", {"kind": "district"}),
        ("county.rename", "洪江管理区", {"from": "洪江区", "to": "洪江管理区"}),
        ("county.delete", "洪江管理区", {"kind": "district"}),
    ]


def test_a_county_that_projects_use_is_not_deleted(app, clients, counties, make_project):
    make_project("用县的项目", county=counties[1])
    taken_off = make_project("下架项目", county=counties[1])
    clients["lead"].post(f"/board/projects/{taken_off['id']}/delete", data={"version": "1"})
    county_id = row_id(app, County, name=counties[1])
    page = text(clients["admin"].get(f"/admin/counties/{county_id}"))
    assert f"/admin/counties/{county_id}/delete" not in page and "2 个项目" in page
    before = state(app)
    response = clients["admin"].post(f"/admin/counties/{county_id}/delete")
    assert response.status_code == 422
    assert "2 个项目" in text(response)
    assert state(app) == before


@pytest.mark.parametrize("path, data, message", [
    ("", {"name": "鹤城区", "kind": "county"}, "已存在"),
    ("", {"name": "新区", "kind": "planet"}, "类型"),
    ("", {"name": "", "kind": "county"}, "必填"),
    ("/{id}/rename", {"name": "中方县"}, "已存在"),
    ("/{id}/rename", {"name": "a\nb"}, "换行"),
])
def test_bad_county_changes_are_refused_and_change_nothing(app, clients, counties, path, data,
                                                           message):
    county_id = row_id(app, County, name=counties[0])
    before = state(app)
    response = clients["admin"].post("/admin/counties" + path.format(id=county_id), data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert state(app) == before


# --- wall displays -----------------------------------------------------------------------------

def test_a_new_displays_link_is_shown_once_and_revoking_ends_it(app, clients):
    admin = clients["admin"]
    response = admin.post("/admin/displays", data={"name": "大厅"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    url = page.split('<code class="wall-url">')[1].split("</code>")[0]
    assert url.startswith("http://localhost/wall?token=")
    token = url.split("token=")[1]
    wall = app.test_client()
    assert wall.get(f"/wall?token={token}").status_code == 200
    listing = text(admin.get("/admin/displays"))
    assert "大厅" in listing and token not in listing and "wall-url" not in listing
    display_id = row_id(app, DisplayToken, name="大厅")
    assert admin.post(f"/admin/displays/{display_id}/revoke").status_code == 302
    assert wall.get(f"/wall?token={token}").status_code == 403
    assert "已停用" in text(admin.get("/admin/displays"))
    assert audit_log(app)[-2:] == [("admin", "display.create", "大厅", {"id": display_id}),
                                   ("admin", "display.revoke", "大厅", {"ids": [display_id]})]
    assert token not in json.dumps(audit_log(app))


def test_the_displays_table_says_which_screens_are_on(app, clients):
    """停用, not 吊销; each display's screen: never connected, on now (a wall's socket stamps
    it, at most once a minute), or when it was last on; the settings in a row of their own."""
    from datetime import timedelta

    from tests.helpers import socket_client
    from wallchart.core.models import utcnow
    from wallchart.services import accounts

    admin = clients["admin"]
    token = text(admin.post("/admin/displays", data={"name": "大厅"})).split(
        '<code class="wall-url">')[1].split("</code>")[0].split("token=")[1]
    display_id = row_id(app, DisplayToken, name="大厅")

    def row() -> str:
        page = text(admin.get("/admin/displays"))
        return page.split(f'data-display-id="{display_id}"')[1].split("</tr>")[0]

    assert "从未连接" in row() and ">停用</button>" in row() and "吊销" not in row()
    wall = socket_client(app, auth={"token": token})
    assert wall.is_connected()
    with app.app_context():
        seen = db.session.get(DisplayToken, display_id).last_seen_at
    assert seen is not None and "在线" in row()
    with app.app_context():  # the watcher's next round within the minute writes nothing
        accounts.displays_seen({display_id})
        assert db.session.get(DisplayToken, display_id).last_seen_at == seen
    wall.disconnect()
    with app.app_context():
        db.session.get(DisplayToken, display_id).last_seen_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
    assert "最后在线 " in row() and "在线</span>" not in row()
    settings = text(admin.get("/admin/displays")).split(
        f'data-settings-for="{display_id}"')[1].split("</tr>")[0]
    assert 'colspan="7"' in settings and "保存设置" in settings


def test_a_display_needs_a_name(app, clients):
    before = state(app)
    for name in ("", "名" * 65):
        response = clients["admin"].post("/admin/displays", data={"name": name})
        assert response.status_code == 422 and "wall-url" not in text(response)
    assert state(app) == before


# --- markup in names ---------------------------------------------------------------------------

def test_markup_in_names_is_shown_as_text_on_admin_pages_and_the_board(app, clients):
    admin = clients["admin"]
    admin.post("/admin/users", data={"username": "xss", "display_name": XSS, "role": "member",
                                     "password": NEW_PASSWORD})
    admin.post("/admin/teams", data={"name": XSS, "lead": "xss"})
    admin.post("/admin/counties", data={"name": XSS, "kind": "zone"})
    admin.post("/admin/displays", data={"name": XSS})
    ids = {"user": row_id(app, User, username="xss"), "team": row_id(app, Team, name=XSS),
           "county": row_id(app, County, name=XSS)}
    created = clients["admin"].post("/api/projects", json={"name": "项目", "team": XSS,
                                                           "county": XSS})
    assert created.status_code == 201, created.get_json()
    pid = created.get_json()["id"]
    clients["admin"].post(f"/api/projects/{pid}/assign", json={"owner": "xss", "version": 1})
    pages = {url: text(admin.get(url)) for url in (
        "/admin/users", f"/admin/users/{ids['user']}", "/admin/teams",
        f"/admin/teams/{ids['team']}", "/admin/counties", f"/admin/counties/{ids['county']}",
        "/admin/displays", "/admin/audit", "/board", f"/board/projects/{pid}")}
    for url, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert XSS_ESCAPED in page, url
        assert "49" not in page.split("{{7*7}}")[0][-5:], url


# --- the audit log -----------------------------------------------------------------------------

def test_the_audit_log_lists_newest_first_in_shanghai_time_and_filters(app, clients):
    from wallchart.services import accounts

    admin = clients["admin"]
    admin.post("/admin/counties", data={"name": "鹤城区", "kind": "district"})
    admin.post("/admin/displays", data={"name": "大厅"})
    with app.app_context():
        accounts.add_county(None, "中方县")
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.target == "鹤城区")).scalar_one()
        entry.at = datetime(2025, 1, 1, 23, 30)  # stored in UTC
        db.session.commit()
    page = text(admin.get("/admin/audit"))
    rows = page.split("<tbody>")[1].split("<tr ")[1:]
    assert 'data-action="county.add"' in rows[0] and "中方县" in rows[0]
    assert "命令行" in rows[0]
    assert "2025-01-02 07:30:00" in rows[-1] and "鹤城区" in rows[-1]  # Asia/Shanghai
    only_counties = text(admin.get("/admin/audit?action=county.add"))
    assert only_counties.count('data-action="county.add"') == 2
    assert 'data-action="display.create"' not in only_counties
    by_admin = text(admin.get("/admin/audit?actor=admin"))
    assert 'data-action="display.create"' in by_admin and "中方县" not in by_admin
    by_console = text(admin.get("/admin/audit?actor=(cli)&action=county.add"))
    assert "中方县" in by_console and "鹤城区" not in by_console
    assert "No entries" in text(admin.get("/admin/audit?actor=nobody")) or \
        "没有符合" in text(admin.get("/admin/audit?actor=nobody"))


def test_the_audit_log_reads_in_chinese(app, clients, counties):
    """A display's settings and a county's targets, stored by key, read in the reader's words:
    not "lobby · board, ranking · 60 s"."""
    from wallchart.services import targets

    admin = clients["admin"]
    admin.post("/admin/displays", data={"name": "大厅", "profile": "lobby",
                                        "views": ["board", "ranking"], "rotate_seconds": "60"})
    with app.app_context():
        county_id = db.session.execute(select(County.id).where(County.name == counties[0])
                                       ).scalar_one()
        targets.set_targets(actor("admin"), 2026, {county_id: {"signed_count": 12}})
    page = text(admin.get("/admin/audit"))
    created = page.split('data-action="display.create"')[1].split("</tr>")[0]
    assert "大厅屏：隐藏保密项目的投资方和金额 · 看板 → 县市区排名 · 每个 60 秒" in created
    target = page.split('data-action="target.set"')[1].split("</tr>")[0]
    assert "签约项目（个） 12" in target and "年度" in target
    for english in ("lobby", "board", "ranking", " s<", "signed_count", "year<"):
        assert english not in created + target, english


def test_the_audit_log_pages_by_fifty(app, clients):
    from wallchart.services import accounts

    with app.app_context():
        for n in range(60):
            accounts.add_county(None, f"区{n:02d}")
    admin = clients["admin"]
    first = text(admin.get("/admin/audit?action=county.add"))
    assert first.count('data-action="county.add"') == 50
    assert "区59" in first and "区09" not in first
    assert "page=2" in first and "action=county.add" in first.split("page=2")[0][-80:]
    second = text(admin.get("/admin/audit?action=county.add&page=2"))
    assert second.count('data-action="county.add"') == 10 and "区00" in second
    assert "page=3" not in second
    for odd in ("abc", "0", "²", "9" * 30):
        assert admin.get(f"/admin/audit?page={odd}").status_code == 200, odd


def test_every_action_the_code_audits_has_a_label_on_the_log():
    """A key written without a label would show raw on the log and be missing from its filter."""
    from pathlib import Path

    from wallchart.core.vocabulary import AUDIT_ACTIONS

    sources = Path(__file__).resolve().parents[2] / "wallchart"
    written = {key for path in sources.rglob("*.py") for key in re.findall(
        r'\baudit\(\s*[\w.]+,\s*"([\w.]+)"', path.read_text(encoding="utf-8"))}
    assert "display.update" in written and "target.set" in written  # the pattern finds them
    assert written - set(AUDIT_ACTIONS) == set()


def test_command_line_changes_are_audited_without_secrets(app, users):
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=list(args), env={"WALLCHART_PASSWORD": NEW_PASSWORD})
        assert result.exit_code == 0, result.output
        return result.output.strip().splitlines()[-1]

    run("user", "create", "lisi", "--role", "member", "--display-name", "李四")
    run("user", "password", "lisi")
    api_token = run("user", "token", "lisi")
    wall_path = run("display", "create", "大厅")
    run("display", "revoke", "大厅")
    run("county", "add", "鹤城区", "--kind", "district")
    run("team", "create", "三组", "--lead", "lead")
    run("team", "add", "三组", "lisi")
    entries = [entry for entry in audit_log(app) if entry[2] in ("lisi", "大厅", "鹤城区", "三组")]
    assert [(who, action) for who, action, _target, _details in entries] == [
        (None, "user.create"), (None, "user.password_reset"), (None, "user.api_token"),
        (None, "display.create"), (None, "display.revoke"), (None, "county.add"),
        (None, "team.create"), (None, "team.add_member")]
    stored = json.dumps(audit_log(app), ensure_ascii=False)
    for secret in (NEW_PASSWORD, api_token, wall_path.split("token=")[1]):
        assert secret not in stored


def test_the_first_admin_from_the_setup_link_is_audited(empty_app):
    from wallchart.services import accounts

    with empty_app.app_context():
        token = accounts.issue_setup_token()
        accounts.complete_setup(token, "chief", NEW_PASSWORD, "王科长")
    assert audit_log(empty_app) == [(None, "user.create", "chief", {
        "role": "admin", "display_name": "王科长", "setup_link": True})]


# --- one's own password ------------------------------------------------------------------------

def test_a_user_changes_his_own_password(app, clients):
    member = clients["member"]
    page = text(member.get("/account/password"))
    assert 'name="current"' in page and 'name="repeat"' in page
    before = state(app)
    for data, field in (({"current": "wrong-password", "new": NEW_PASSWORD,
                          "repeat": NEW_PASSWORD}, "current"),
                        ({"current": PASSWORD, "new": "short", "repeat": "short"}, "new"),
                        ({"current": PASSWORD, "new": NEW_PASSWORD, "repeat": "other-one!"},
                         "repeat")):
        response = member.post("/account/password", data=data)
        assert response.status_code == 422, data
        assert f'id="error-{field}"' in text(response)
        assert 'role="alert"' in text(response)
    assert "当前密码不正确" in text(member.post("/account/password", data={
        "current": "wrong-password", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}))
    assert state(app) == before
    done = member.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                  "repeat": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/board"
    assert "密码已修改" in text(member.get("/board"))
    assert not can_sign_in(app, "member", PASSWORD)
    assert can_sign_in(app, "member", NEW_PASSWORD)
    assert audit_log(app, "password.change") == [
        ("member", "password.change", "member", {})]


def test_the_password_page_needs_a_signed_in_person_and_its_token(app, clients):
    anonymous = app.test_client()
    assert anonymous.get("/account/password").headers["Location"].startswith("/login")
    before = state(app)
    assert clients["viewer"].client.post("/account/password", data={
        "current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 400
    assert state(app) == before


def test_admin_pages_speak_english_on_request(clients):
    admin = clients["admin"]
    admin.post("/language", data={"lang": "en", "next": "/admin/users"})
    page = html.unescape(text(admin.get("/admin/users")))
    assert "Users" in page and "Audit log" in page and "Team lead" in page
    admin.post("/language", data={"lang": "zh", "next": "/admin/users"})
    page = text(admin.get("/admin/users"))
    assert "审计日志" in page and "用户" in page


def test_projects_keep_their_team_and_owner_when_a_member_leaves(app, clients, make_project):
    project = make_project("留下的项目")
    clients["lead"].post(f"/api/projects/{project['id']}/assign",
                         json={"owner": "member", "version": 1})
    team_id = row_id(app, Team, name=TEAM)
    clients["admin"].post(f"/admin/teams/{team_id}/members/remove", data={"user": "member"})
    with app.app_context():
        kept = db.session.get(Project, project["id"])
        assert kept.owner.username == "member" and kept.team.name == TEAM
