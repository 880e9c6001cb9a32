"""The JSON API contract: shapes, moves, assignments, edits, deletes and every refusal."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, project_events, snapshot, socket_client
from wallchart.core.timeutil import today

P_KEYS = {"id", "name", "code", "investor", "investment_wan", "county", "team", "sector", "stage",
          "position", "version", "owner", "stage_entered_at",
          "origin", "foreign_invested", "three500", "enterprise_type", "industry_chain",
          "source_channel", "source_detail", "foreign_capital_usd_wan", "new_trade_entity",
          "contact_person", "contact_phone", "land_mu", "description", "confidential",
          "planned_on", "next_step", "next_step_due", "next_step_owner", "promised_start_on",
          "agreement_kind", "project_kind", "increment_wan", "contracted_on",
          "stage_dates", "status",
          "withdrawn_reason", "withdrawn_comment", "withdrawn_at", "open_blockers", "warning"}
#: A new project's record beyond what the request named.
BLANK_RECORD = {
    "code": None,
    "origin": "", "foreign_invested": False, "three500": None, "enterprise_type": None,
    "industry_chain": "", "source_channel": None, "source_detail": "",
    "foreign_capital_usd_wan": 0, "new_trade_entity": False, "contact_person": "",
    "contact_phone": "", "land_mu": 0, "description": "", "confidential": False,
    "planned_on": None, "next_step": "", "next_step_due": None, "next_step_owner": None,
    "promised_start_on": None, "agreement_kind": "contract", "project_kind": "new",
    "increment_wan": 0, "contracted_on": None, "status": "active", "withdrawn_reason": None,
    "withdrawn_comment": "", "withdrawn_at": None,
    "open_blockers": 0, "warning": {"colour": None, "reasons": []}}


def test_create_returns_the_project_at_the_bottom_of_contact(clients, counties):
    member = clients["member"]
    first = member.post("/api/projects", json={"name": "甲项目"}).get_json()
    response = member.post("/api/projects", json={
        "name": "乙项目", "investor": "示例集团", "investment_wan": 120000,
        "county": counties[1], "sector": "tourism"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == P_KEYS
    assert body | {"id": 0} == {
        "id": 0, "name": "乙项目", "investor": "示例集团", "investment_wan": 120000,
        "county": counties[1], "team": "一组", "sector": "tourism", "stage": "contact",
        "position": 1, "version": 1, "owner": None, "stage_entered_at": today().isoformat(),
        "stage_dates": {"contact": today().isoformat()}, **BLANK_RECORD}
    assert first["position"] == 0
    listed = member.get("/api/projects").get_json()["projects"]
    assert [p["name"] for p in listed] == ["甲项目", "乙项目"]


def test_get_project_includes_its_history(clients, make_project):
    project = make_project()
    body = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()
    assert body["history"] == [{
        "at": body["history"][0]["at"], "by": "member", "action": "created",
        "from_stage": None, "to_stage": "contact", "changes": body["history"][0]["changes"],
        "reason": None}]
    assert body["history"][0]["at"].endswith("+00:00")


@pytest.mark.parametrize("payload, field", [
    ({}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "ok", "investment_wan": "abc"}, "investment_wan"),
    ({"name": "ok", "investment_wan": 12.5}, "investment_wan"),
    ({"name": "ok", "investment_wan": True}, "investment_wan"),
    ({"name": "ok", "investment_wan": -1}, "investment_wan"),
    ({"name": "ok", "investment_wan": 100_000_001}, "investment_wan"),
    ({"name": "ok", "county": "火星县"}, "county"),
    ({"name": "ok", "sector": "mining"}, "sector"),
    ({"name": "ok", "stage": "won"}, "stage"),
    ({"name": ["list"]}, "name"),
    ({"name": "ok", "role": "admin"}, "role"),
    ({"name": "ok", "id": 7}, "id"),
    ({"name": "ok", "version": 9}, "version"),
    ({"name": "ok", "owner": "lead"}, "owner"),
])
def test_create_refuses_bad_input_and_stores_nothing(app, clients, counties, payload, field):
    before = snapshot(app)
    response = clients["member"].post("/api/projects", json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"]
    assert field in body["fields"]
    assert snapshot(app) == before


def test_create_refuses_a_body_that_is_not_a_json_object(app, clients):
    before = snapshot(app)
    for data in ("[1, 2]", "not json", '"text"'):
        response = clients["member"].post("/api/projects", data=data,
                                          content_type="application/json")
        assert response.status_code == 422
        assert "error" in response.get_json()
    assert snapshot(app) == before


def test_a_move_is_stored_recorded_and_broadcast_once_per_room(app, clients, make_project):
    project = make_project()
    board_socket = socket_client(app, clients["lead"])
    board_socket.get_received()
    response = clients["member"].post(f"/api/projects/{project['id']}/move",
                                      json={"stage": "signed", "version": 1,
                                            "reason": "签约仪式已举行"})
    assert response.status_code == 200
    moved = response.get_json()
    assert (moved["stage"], moved["version"], moved["position"]) == ("signed", 2, 0)
    history = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()["history"]
    assert history[0] | {"at": None, "changes": None} == {
        "at": None, "by": "member", "action": "moved", "from_stage": "contact",
        "to_stage": "signed", "changes": None, "reason": "签约仪式已举行"}
    events = project_events(board_socket)
    assert len(events) == 1
    event = events[0]
    assert {k: event[k] for k in ("id", "action", "stage", "position", "version")} == {
        "id": project["id"], "action": "moved", "stage": "signed", "position": 0, "version": 2}
    assert event["revision"] == snapshot(app)["revision"]
    assert f'data-project-id="{project["id"]}"' in event["html"]
    assert 'data-version="2"' in event["html"]


def test_a_move_places_the_card_and_rewrites_no_other_row(app, clients, make_project):
    ids = [make_project(f"项目{i}", stage="negotiating")["id"] for i in range(4)]
    mover = make_project("移动项目")
    before = {row[0]: row for row in snapshot(app)["projects"]}
    response = clients["member"].post(f"/api/projects/{mover['id']}/move",
                                      json={"stage": "negotiating", "version": 1, "position": 2})
    assert response.get_json()["position"] == 2
    order = [p["id"] for p in clients["member"].get("/api/projects").get_json()["projects"]
             if p["stage"] == "negotiating"]
    assert order == [ids[0], ids[1], mover["id"], ids[2], ids[3]]
    after = {row[0]: row for row in snapshot(app)["projects"]}
    assert [pid for pid in after if after[pid] != before[pid]] == [mover["id"]]

    # to the top of its own column, then past the end (= last)
    clients["member"].post(f"/api/projects/{mover['id']}/move",
                           json={"stage": "negotiating", "version": 2, "position": 0})
    body = clients["member"].post(f"/api/projects/{mover['id']}/move",
                                  json={"stage": "negotiating", "version": 3,
                                        "position": 99}).get_json()
    assert body["position"] == 4


def test_many_moves_into_one_gap_keep_the_order(clients, make_project):
    """Halving the same gap again and again eventually renumbers the column, order intact."""
    low, high = make_project("低")["id"], make_project("高")["id"]
    expected = [low, high]
    for i in range(60):
        new = make_project(f"插入{i}")
        response = clients["member"].post(f"/api/projects/{new['id']}/move",
                                          json={"stage": "contact", "version": 1, "position": 1})
        assert response.status_code == 200
        expected.insert(1, new["id"])
    listed = [p for p in clients["member"].get("/api/projects").get_json()["projects"]]
    assert [p["id"] for p in listed] == expected
    assert [p["position"] for p in listed] == list(range(len(expected)))


@pytest.mark.parametrize("payload, status", [
    ({"stage": "won", "version": 1}, 422),
    ({"stage": 3, "version": 1}, 422),
    ({"version": 1}, 422),
    ({"stage": "signed"}, 422),
    ({"stage": "signed", "version": "1"}, 422),
    ({"stage": "signed", "version": 1, "position": -1}, 422),
    ({"stage": "signed", "version": 1, "position": "top"}, 422),
    ({"stage": "signed", "version": 1, "owner": "lead"}, 422),
    ({"stage": "signed", "version": 1, "reason": ["x"]}, 422),
    ({"stage": "signed", "version": 2}, 409),
])
def test_a_bad_move_is_refused_and_changes_nothing(app, clients, make_project, payload, status):
    project = make_project()
    board_socket = socket_client(app, clients["lead"])
    board_socket.get_received()
    before = snapshot(app)
    response = clients["member"].post(f"/api/projects/{project['id']}/move", json=payload)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"]
    if status == 409:
        assert body["project"]["stage"] == "contact"
        assert body["project"]["version"] == 1
    assert snapshot(app) == before
    assert project_events(board_socket) == []


def test_roles_and_missing_projects(app, clients, make_project):
    project = make_project()
    before = snapshot(app)
    move = {"stage": "signed", "version": 1}
    assert clients["viewer"].post(f"/api/projects/{project['id']}/move", json=move) \
        .status_code == 403
    assert clients["viewer"].post("/api/projects", json={"name": "x"}).status_code == 403
    assert clients["viewer"].patch(f"/api/projects/{project['id']}",
                                   json={"name": "x", "version": 1}).status_code == 403
    for role in ("member", "viewer"):
        response = clients[role].post(f"/api/projects/{project['id']}/assign",
                                      json={"owner": "member", "version": 1})
        assert response.status_code == 403
        assert response.get_json()["error"]
        assert clients[role].delete(f"/api/projects/{project['id']}",
                                    json={"version": 1}).status_code == 403
    assert clients["member"].post("/api/projects/9999/move", json=move).status_code == 404
    assert clients["member"].get("/api/projects/9999").get_json()["error"]
    assert snapshot(app) == before


def test_assign_by_a_lead_sets_and_clears_the_owner(app, clients, make_project):
    project = make_project()
    lead = clients["lead"]
    body = lead.post(f"/api/projects/{project['id']}/assign",
                     json={"owner": "member", "version": 1}).get_json()
    assert (body["owner"], body["version"]) == ("member", 2)
    assert "Member" in clients["viewer"].get("/board").get_data(as_text=True)
    before = snapshot(app)
    for payload in ({"owner": "nobody", "version": 2}, {"owner": 5, "version": 2},
                    {"version": 2}, {"owner": "member", "version": 1}):
        assert lead.post(f"/api/projects/{project['id']}/assign", json=payload).status_code \
            in (409, 422)
    assert snapshot(app) == before
    body = lead.post(f"/api/projects/{project['id']}/assign",
                     json={"owner": None, "version": 2}).get_json()
    assert body["owner"] is None
    history = lead.get(f"/api/projects/{project['id']}").get_json()["history"]
    assert [h["changes"] for h in history if h["action"] == "assigned"] == [
        {"owner": ["member", None]}, {"owner": [None, "member"]}]


def test_edit_records_what_changed_from_and_to(clients, make_project, counties):
    project = make_project(investment_wan=50000)
    response = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "investment_wan": 80000, "county": counties[2], "name": "测试项目", "version": 1})
    assert response.status_code == 200
    assert response.get_json()["version"] == 2
    history = clients["member"].get(f"/api/projects/{project['id']}").get_json()["history"]
    assert history[0]["action"] == "updated"
    assert history[0]["changes"] == {"investment_wan": [50000, 80000],
                                     "county": [counties[0], counties[2]]}
    stale = clients["member"].patch(f"/api/projects/{project['id']}",
                                    json={"name": "另一个名字", "version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["project"]["name"] == "测试项目"


def test_delete_takes_the_card_off_but_keeps_the_history(app, clients, make_project):
    project = make_project()
    board_socket = socket_client(app, clients["member"])
    board_socket.get_received()
    assert clients["lead"].delete(f"/api/projects/{project['id']}",
                                  json={"version": 1}).status_code == 204
    assert clients["lead"].get(f"/api/projects/{project['id']}").status_code == 404
    assert clients["lead"].get("/api/projects").get_json()["projects"] == []
    [event] = project_events(board_socket)
    assert (event["action"], event["html"]) == ("deleted", None)
    with app.app_context():
        from wallchart.reads import queries
        assert [e.action for e in queries.history(project["id"])] == ["deleted", "created"]


def test_session_writes_need_the_csrf_token(app, clients, make_project):
    project = make_project()
    before = snapshot(app)
    raw = clients["member"].client
    response = raw.post(f"/api/projects/{project['id']}/move",
                        json={"stage": "signed", "version": 1})
    assert response.status_code == 400
    assert "error" in response.get_json()
    response = raw.post(f"/api/projects/{project['id']}/move", json={"stage": "signed",
                        "version": 1}, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert raw.post("/board/projects", data={"name": "x"}).status_code == 400
    assert snapshot(app) == before


def test_bearer_tokens_authenticate_scripts_without_csrf(app, users, make_project):
    from wallchart.services import accounts

    project = make_project()
    with app.app_context():
        token = accounts.issue_api_token(None, "member")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/projects", headers=headers).status_code == 200
    response = client.post(f"/api/projects/{project['id']}/move", headers=headers,
                           json={"stage": "negotiating", "version": 1})
    assert response.status_code == 200
    before = snapshot(app)
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/api/projects", headers=bad).status_code == 401
    assert client.post(f"/api/projects/{project['id']}/move", headers=bad,
                       json={"stage": "signed", "version": 2}).status_code == 401
    assert client.get("/api/projects").get_json()["error"]
    assert snapshot(app) == before


def test_a_bearer_header_is_never_topped_up_by_a_session_cookie(app, clients, make_project):
    """A request naming a (bad) token must not fall back on the cookie and skip CSRF."""
    project = make_project()
    before = snapshot(app)
    response = clients["member"].client.post(
        f"/api/projects/{project['id']}/move", json={"stage": "signed", "version": 1},
        headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert snapshot(app) == before


def test_api_errors_are_json_never_html(clients):
    member = clients["member"]
    assert member.get("/api/nothing-here").get_json()["error"]
    response = member.client.put("/api/projects", headers={"X-CSRFToken": member.csrf})
    assert response.status_code == 405
    assert response.get_json()["error"]


def test_password_is_hashed_with_scrypt(app, users):
    from tests.helpers import actor

    with app.app_context():
        user = actor("member")
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash
