"""What the database cannot hold is refused in the person's language and changes nothing (issue 9
§4): ids beyond its integer range in a path or a body, JSON nested thousands deep, numbers out of
range or not finite, lone surrogates and NUL characters in any text — never a 500."""

from __future__ import annotations

import pytest

from tests.helpers import all_rows
from wallchart.core.inputs import INT_MAX

UNSTORABLE = "无法保存"  # the Chinese message of a NUL or a lone surrogate
HUGE = (2**31, 2**63, 10**30)


@pytest.fixture
def project(make_project) -> dict:
    return make_project("鹤城项目")


@pytest.fixture
def signed_in(clients) -> dict:
    """Clients signed in before a test takes its snapshot (signing in writes a session row)."""
    for role in ("admin", "member", "viewer"):
        clients[role]
    return clients


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("url", [
    "/api/projects/{}", "/api/projects/{}/notes", "/api/projects/{}/blockers",
    "/board/projects/{}", "/board/projects/{}/edit", "/board/projects/{}/notes",
    "/admin/users/{}", "/admin/teams/{}", "/admin/counties/{}",
])
def test_an_id_beyond_the_database_in_a_path_is_not_found(app, signed_in, url, number):
    response = signed_in["admin"].get(url.format(number))
    assert response.status_code == 404


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize(("method", "url", "body"), [
    ("patch", "/api/projects/{}", {"name": "x"}),
    ("post", "/api/projects/{}/move", {"stage": "negotiating"}),
    ("post", "/api/projects/{}/notes", {"text": "进展"}),
    ("post", "/api/blockers/{}/resolve", {"resolution": "解决"}),
    ("delete", "/api/projects/{}", {}),
])
def test_a_write_to_an_id_beyond_the_database_is_not_found(app, signed_in, project, method,
                                                            url, body, number):
    before = all_rows(app)
    response = getattr(signed_in["admin"], method)(url.format(number), json=body)
    assert response.status_code == 404
    assert response.json["error"] == "请求的内容不存在。"
    assert all_rows(app) == before


def test_the_largest_id_the_database_holds_is_still_looked_up(app, signed_in):
    assert signed_in["admin"].get(f"/api/projects/{INT_MAX}").json["error"] == "项目不存在。"


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/projects/{id}/move", {"stage": "negotiating", "version": "{version}",
                                 "position": 10**30}, "position"),
    ("/api/projects/{id}/move", {"stage": "negotiating", "version": 10**30}, "version"),
    ("/api/projects/{id}", {"version": "{version}", "investment_wan": 2**63}, "investment_wan"),
    ("/api/projects/assign", {"projects": [{"id": 10**30, "version": 1}], "owner": None},
     "projects.0.id"),
    ("/api/projects/{id}/withdraw", {"version": -(2**63), "withdrawn_reason": "duplicate"},
     "version"),
])
def test_an_integer_beyond_the_database_in_a_body_is_refused(app, signed_in, project, url, body,
                                                              field):
    body = {key: project["version"] if value == "{version}" else value
            for key, value in body.items()}
    before = all_rows(app)
    send = signed_in["admin"].patch if url == "/api/projects/{id}" else signed_in["admin"].post
    response = send(url.format(id=project["id"]), json=body)
    assert response.status_code == 422, response.json
    assert "整数" in response.json["fields"][field]
    assert all_rows(app) == before


@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000,
                                 '{"name": ' + "[" * 17 + "]" * 17 + "}"])
@pytest.mark.parametrize("url", ["/api/projects", "/api/projects/{id}/notes"])
def test_json_nested_too_deep_is_refused(app, signed_in, project, raw, url):
    before = all_rows(app)
    response = signed_in["admin"].post(url.format(id=project["id"]), data=raw,
                                     content_type="application/json")
    assert response.status_code == 422
    assert response.json["error"] == "请求内容嵌套层级过深。"
    assert all_rows(app) == before


@pytest.mark.parametrize("raw", ['{"text": NaN}', '{"text": Infinity}', '{"text": -Infinity}',
                                 '{"text": 1e400}'])
def test_numbers_json_does_not_allow_are_refused(app, signed_in, project, raw):
    before = all_rows(app)
    response = signed_in["admin"].post(f"/api/projects/{project['id']}/notes", data=raw,
                                     content_type="application/json")
    assert response.status_code == 422
    assert all_rows(app) == before


@pytest.mark.parametrize("text", ["\ud800", "进展\udfff", "a\udc80b", "空\x00字符"])
def test_a_note_that_cannot_be_stored_is_refused_and_the_panel_still_renders(
        app, signed_in, project, text):
    before = all_rows(app)
    response = signed_in["member"].post(f"/api/projects/{project['id']}/notes",
                                      json={"text": text})
    assert response.status_code == 422
    assert UNSTORABLE in response.json["fields"]["text"]
    assert all_rows(app) == before
    panel = signed_in["viewer"].get(f"/board/projects/{project['id']}")
    assert panel.status_code == 200 and "鹤城项目" in panel.get_data(as_text=True)


def test_the_message_is_in_english_for_an_english_reader(app, signed_in, project):
    signed_in["member"].post("/language", data={"lang": "en"})
    response = signed_in["member"].post(f"/api/projects/{project['id']}/notes",
                                      json={"text": "\ud800"})
    assert response.status_code == 422
    assert "cannot be saved" in response.json["fields"]["text"]


@pytest.mark.parametrize("text", ["\ud800", "x\x00"])
@pytest.mark.parametrize(("method", "url", "body", "field"), [
    ("post", "/api/projects", {"name": "{text}", "allow_duplicate": True}, "name"),
    ("patch", "/api/projects/{id}", {"version": "{version}", "investor": "{text}"}, "investor"),
    ("patch", "/api/projects/{id}", {"version": "{version}", "county": "{text}"}, "county"),
    ("patch", "/api/projects/{id}", {"version": "{version}", "name": "n", "reason": "{text}"},
     "reason"),
    ("patch", "/api/projects/{id}", {"version": "{version}", "stage_dates": {"{text}": None}},
     "stage_dates"),
    ("post", "/api/projects/{id}/move", {"stage": "{text}", "version": "{version}"}, "stage"),
    ("post", "/api/projects/{id}/assign", {"owner": "{text}", "version": "{version}"}, "owner"),
    ("post", "/api/projects/{id}/blockers", {"kind": "land", "department": "{text}"},
     "department"),
    ("post", "/api/projects/{id}/withdraw", {"version": "{version}", "withdrawn_reason": "{text}"},
     "withdrawn_reason"),
])
def test_text_that_cannot_be_stored_is_refused_in_every_field(app, signed_in, project, method, url,
                                                              body, field, text):
    def fill(value):
        if isinstance(value, dict):
            return {fill(key): fill(item) for key, item in value.items()}
        return {"{text}": text, "{version}": project["version"]}.get(value, value) \
            if isinstance(value, str) else value

    before = all_rows(app)
    response = getattr(signed_in["admin"], method)(url.format(id=project["id"]), json=fill(body))
    assert response.status_code == 422, response.json
    assert UNSTORABLE in response.json["fields"][field]
    assert all_rows(app) == before
    assert signed_in["viewer"].get(f"/board/projects/{project['id']}").status_code == 200
    assert signed_in["viewer"].get("/board").status_code == 200


@pytest.mark.parametrize(("url", "data"), [
    ("/admin/counties", {"name": "县\x00", "kind": "county"}),
    ("/admin/teams", {"name": "\x00"}),
    ("/admin/users", {"username": "zhang\x00", "password": "correct-horse-battery",
                      "role": "member", "display_name": "张"}),
    ("/board/projects", {"name": "项目\x00", "investor": "x"}),
    ("/board?q=%00", None),
])
def test_a_form_field_with_a_nul_is_refused(app, signed_in, url, data):
    before = all_rows(app)
    admin = signed_in["admin"]
    response = admin.get(url) if data is None else admin.post(url, data=data)
    assert response.status_code == 422
    assert UNSTORABLE in response.get_data(as_text=True)
    assert all_rows(app) == before


def test_an_amount_typed_beyond_the_database_is_refused(app, signed_in, counties):
    from sqlalchemy import select

    from wallchart.core.models import County
    from wallchart.extensions import db

    with app.app_context():
        county_id = db.session.execute(select(County.id)).scalars().first()
    before = all_rows(app)
    response = signed_in["admin"].post("/admin/targets", data={
        "year": "2026", f"signed_count.{county_id}": "99999999999",
        f"signed_investment_wan.{county_id}": "1", f"started_count.{county_id}": "1",
        f"foreign_capital_usd_wan.{county_id}": "1"})
    assert response.status_code == 422
    assert all_rows(app) == before


@pytest.mark.parametrize("digits", ["²", "9" * 40, "١٢"])
def test_digits_python_cannot_read_as_a_number_are_refused_in_forms(app, signed_in, project,
                                                                     digits):
    """``str.isdigit`` is true of "²", which ``int`` refuses: a form parses by ``whole_number``."""
    from tests.helpers import actor
    from wallchart.extensions import db
    from wallchart.services import accounts, blockers

    with app.app_context():
        blocker = blockers.raise_blocker(actor("member"), project["id"],
                                         {"kind": "land", "department": "自然资源局"}).id
        accounts.create_display_token(actor("admin"), "大厅屏")
        from wallchart.core.models import DisplayToken

        display = db.session.query(DisplayToken.id).scalar()
    before = all_rows(app)
    resolved = signed_in["admin"].post(f"/board/blockers/{blocker}/resolve",
                                       data={"version": digits, "resolution": "已解决"})
    assert 400 <= resolved.status_code < 500
    settings = signed_in["admin"].post(f"/admin/displays/{display}/settings",
                                       data={"profile": "staff", "views": "board",
                                             "rotate_seconds": digits})
    assert settings.status_code == 422
    assert all_rows(app) == before
