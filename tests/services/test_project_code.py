"""The project code (项目编码): the bureau's own identifier, unique when set, settable through the
API and the form by the same rules, kept in the history, shown in the panel, found by the
board's search, and never shown to a lobby screen on a confidential project."""

from __future__ import annotations

import re

import pytest

from tests.helpers import actor, field_error, snapshot
from wallchart.core.errors import Invalid
from wallchart.extensions import db
from wallchart.services import accounts, projects

TAKEN_ZH = "项目编码已被其他项目使用。"


# --- the service ----------------------------------------------------------------------------

def test_the_service_trims_the_code_and_refuses_one_another_project_holds(app, make_project):
    first = make_project("甲", code="  HC-2026/001 ")
    assert first["code"] == "HC-2026/001"
    second = make_project("乙")
    assert second["code"] is None
    with app.test_request_context():
        before = snapshot(app)
        with pytest.raises(Invalid) as refused:
            projects.update_project(actor("member"), second["id"],
                                    {"version": 1, "code": "HC-2026/001"})
        assert refused.value.fields == {"code": TAKEN_ZH}
        with pytest.raises(Invalid) as refused:
            projects.create_project(actor("member"), {"name": "丙", "code": "HC-2026/001",
                                                      "allow_duplicate": True})
        assert refused.value.fields == {"code": TAKEN_ZH}
        db.session.rollback()
        assert snapshot(app) == before
        # Keeping its own code is no collision; projects without a code never collide.
        projects.update_project(actor("member"), first["id"],
                                {"version": 1, "code": "HC-2026/001", "name": "甲一"})
        projects.update_project(actor("member"), second["id"], {"version": 1, "code": ""})


@pytest.mark.parametrize("code, fault", [
    ("HC 001", "字母"), ("HC#001", "字母"), ("A" * 41, "40"), ("HC\t01", "控制字符"),
    (12, "文字"),
])
def test_a_malformed_code_is_refused_at_its_field(app, make_project, code, fault):
    project = make_project()
    with app.test_request_context():
        before = snapshot(app)
        with pytest.raises(Invalid) as refused:
            projects.update_project(actor("member"), project["id"], {"version": 1, "code": code})
        assert set(refused.value.fields) == {"code"}
        assert fault in refused.value.fields["code"], refused.value.fields
        db.session.rollback()
        assert snapshot(app) == before


def test_letters_of_any_script_digits_and_separators_are_a_code(make_project):
    assert make_project(code="鹤城区-2026_07/3")["code"] == "鹤城区-2026_07/3"


# --- the API --------------------------------------------------------------------------------

def test_the_api_sets_changes_clears_and_records_the_code(clients, make_project):
    member = clients["member"]
    created = member.post("/api/projects", json={"name": "冷链物流园", "code": "LL-01"})
    assert created.status_code == 201, created.get_json()
    project = created.get_json()
    assert project["code"] == "LL-01"
    changed = member.patch(f"/api/projects/{project['id']}", json={"version": 1, "code": "LL-02"})
    assert changed.status_code == 200, changed.get_json()
    cleared = member.patch(f"/api/projects/{project['id']}", json={"version": 2, "code": " "})
    assert cleared.get_json()["code"] is None
    history = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()["history"]
    assert [event["changes"]["code"] for event in history] == [
        ["LL-02", None], ["LL-01", "LL-02"], "LL-01"]


def test_the_api_refuses_a_taken_code_in_chinese_and_changes_nothing(app, clients,
                                                                      make_project):
    make_project("甲", code="JC-7")
    other = make_project("乙")
    before = snapshot(app)
    for response in (
        clients["member"].post("/api/projects", json={"name": "丙", "code": "JC-7",
                                                      "allow_duplicate": True}),
        clients["member"].patch(f"/api/projects/{other['id']}",
                                json={"version": 1, "code": "JC-7"}),
    ):
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["fields"] == {"code": TAKEN_ZH}
    assert snapshot(app) == before


# --- the form and the panel -----------------------------------------------------------------

def test_the_form_sets_the_code_and_marks_a_taken_one_at_its_field(app, clients, counties,
                                                                    make_project):
    member = clients["member"]
    make_project("甲", code="JC-7")
    form = member.get("/board/projects/new").get_data(as_text=True)
    assert 'name="code"' in form and "项目编码" in form
    before = snapshot(app)
    refused = member.post("/board/projects", data={"name": "丙", "code": "JC-7", "team": "一组"})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "code") == TAKEN_ZH
    assert snapshot(app) == before
    saved = member.post("/board/projects", data={"name": "丙", "code": "JC-8", "team": "一组",
                                                 "allow_duplicate": "1"})
    assert saved.status_code == 204, saved.get_data(as_text=True)
    created = saved.headers["HX-Trigger"]
    project_id = int(re.search(r'"created": (\d+)', created).group(1))
    panel = member.get(f"/board/projects/{project_id}").get_data(as_text=True)
    assert re.search(r"<dt>项目编码</dt><dd>JC-8</dd>", panel)
    edit = member.get(f"/board/projects/{project_id}/edit").get_data(as_text=True)
    assert re.search(r'name="code" value="JC-8"', edit)


# --- search and the lobby -------------------------------------------------------------------

def test_the_board_search_finds_a_project_by_its_code(clients, make_project):
    coded = make_project("甲", code="XNY-2026/015")
    other = make_project("乙", code="WL-2026/001")
    for q in ("XNY-2026/015", "xny-2026", "2026/015"):
        html = clients["viewer"].get("/board", query_string={"q": q}).get_data(as_text=True)
        assert f'data-project-id="{coded["id"]}"' in html, q
        assert f'data-project-id="{other["id"]}"' not in html, q


def test_a_lobby_screen_never_sees_the_code_of_a_confidential_project(app, clients,
                                                                       make_project):
    secret = make_project("甲", code="MIMI-001", confidential=True)
    open_ = make_project("乙", code="OPEN-001")
    with app.app_context():
        lobby = accounts.create_display_token(None, "大厅大屏", {"profile": "lobby"})
        staff = accounts.create_display_token(None, "内部大屏")
    client = app.test_client()
    lobby_wall = client.get(f"/wall?token={lobby}").get_data(as_text=True)
    assert f'data-project-id="{secret["id"]}"' in lobby_wall
    assert "MIMI-001" not in lobby_wall
    assert "OPEN-001" in lobby_wall  # an open project's code is no secret
    assert "MIMI-001" in client.get(f"/wall?token={staff}").get_data(as_text=True)
    # Searching (which would read the code) is refused on a lobby, as before.
    assert client.get(f"/wall?token={lobby}&q=MIMI").status_code == 400
    assert f'data-project-id="{open_["id"]}"' in lobby_wall
