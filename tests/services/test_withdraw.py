"""Withdrawal (终止/退库) and reopening: who may, what is kept, the archive, and the screens (a real
server and real Socket.IO clients): the card leaves every screen and comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import project_events, snapshot, socket_client
from tests.live import Person, Screen, create, expect, sentinel
from wallchart.core.timeutil import today


def withdraw(client, project: dict, **body):
    return client.post(f"/api/projects/{project['id']}/withdraw",
                       json={"version": project["version"], **body})


def reopen(client, project: dict, **body):
    return client.post(f"/api/projects/{project['id']}/reopen",
                       json={"version": project["version"], **body})


def listed(client, status: str | None = None) -> list[int]:
    query = f"?status={status}" if status else ""
    return [p["id"] for p in client.get(f"/api/projects{query}").get_json()["projects"]]


def test_a_lead_withdraws_a_project_to_the_archive_with_its_history(app, clients,
                                                                    make_project):
    kept = make_project("留下的项目")
    project = make_project(stage_dates={"contact": (today() - timedelta(days=30)).isoformat()})
    project = clients["member"].post(f"/api/projects/{project['id']}/move", json={
        "stage": "signed", "version": 1}).get_json()
    response = withdraw(clients["lead"], project, withdrawn_reason="went_elsewhere",
                        reason="已落户邻市")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["withdrawn_reason"], body["withdrawn_comment"]) == \
        ("withdrawn", "went_elsewhere", "已落户邻市")
    assert body["withdrawn_at"].endswith("+00:00")
    assert body["position"] is None
    assert body["stage"] == "signed"  # where it stood, and its dates, are kept
    assert body["stage_dates"] == project["stage_dates"]
    viewer = clients["viewer"]
    assert listed(viewer) == [kept["id"]]
    assert listed(viewer, "withdrawn") == [project["id"]]
    assert listed(viewer, "active") == [kept["id"]]
    assert viewer.get("/api/projects?status=deleted").status_code == 422
    fetched = viewer.get(f"/api/projects/{project['id']}").get_json()
    assert fetched["status"] == "withdrawn"
    event = fetched["history"][0]
    assert (event["by"], event["action"], event["from_stage"], event["reason"]) == \
        ("lead", "withdrawn", "signed", "已落户邻市")
    assert event["changes"] == {"status": ["active", "withdrawn"],
                                "withdrawn_reason": [None, "went_elsewhere"]}
    assert [e["action"] for e in fetched["history"]] == ["withdrawn", "moved", "created"]


def test_the_archive_lists_the_latest_withdrawal_first(clients, make_project):
    first, second = make_project("甲项目"), make_project("乙项目")
    withdraw(clients["lead"], first, withdrawn_reason="funding")
    withdraw(clients["admin"], second, withdrawn_reason="policy")
    assert listed(clients["member"], "withdrawn") == [second["id"], first["id"]]


def test_only_leads_and_admins_withdraw_and_reopen(app, clients, make_project):
    project = make_project()
    before = snapshot(app)
    for role in ("member", "viewer"):
        response = withdraw(clients[role], project, withdrawn_reason="other", reason="x")
        assert response.status_code == 403
    assert snapshot(app) == before
    project = withdraw(clients["admin"], project, withdrawn_reason="land").get_json()
    before = snapshot(app)
    for role in ("member", "viewer"):
        assert reopen(clients[role], project).status_code == 403
    assert snapshot(app) == before


@pytest.mark.parametrize("body, status, field", [
    ({}, 422, "withdrawn_reason"),
    ({"withdrawn_reason": "bored"}, 422, "withdrawn_reason"),
    ({"withdrawn_reason": ["land"]}, 422, "withdrawn_reason"),
    ({"withdrawn_reason": "other"}, 422, "reason"),       # "other" says why
    ({"withdrawn_reason": "other", "reason": "   "}, 422, "reason"),
    ({"withdrawn_reason": "land", "reason": "长" * 1001}, 422, "reason"),
    ({"withdrawn_reason": "land", "reason": 5}, 422, "reason"),
    ({"withdrawn_reason": "land", "stage": "contact"}, 422, "stage"),
    ({"withdrawn_reason": "land", "version": 7}, 409, None),
    ({"withdrawn_reason": "land", "version": "1"}, 422, "version"),
])
def test_a_bad_withdrawal_is_refused_and_changes_nothing(app, clients, make_project, body,
                                                         status, field):
    project = make_project()
    before = snapshot(app)
    response = clients["lead"].post(f"/api/projects/{project['id']}/withdraw",
                                    json={"version": 1, **body})
    assert response.status_code == status
    if field:
        assert field in response.get_json()["fields"]
    assert snapshot(app) == before


def test_a_withdrawn_project_is_changed_only_by_reopening_it(app, clients, make_project):
    project = withdraw(clients["lead"], make_project(), withdrawn_reason="duplicate").get_json()
    version = project["version"]
    active = make_project("在库项目")
    before = snapshot(app)
    lead = clients["lead"]
    for response in (
            lead.patch(f"/api/projects/{project['id']}", json={"version": version, "name": "x"}),
            lead.post(f"/api/projects/{project['id']}/move",
                      json={"stage": "negotiating", "version": version}),
            lead.post(f"/api/projects/{project['id']}/assign",
                      json={"owner": "member", "version": version}),
            lead.post("/api/projects/assign", json={
                "projects": [{"id": project["id"], "version": version}], "owner": "member"}),
            withdraw(lead, project, withdrawn_reason="land"),
            reopen(lead, active)):
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]
    assert snapshot(app) == before


def test_reopening_puts_it_back_at_the_bottom_of_its_column(app, clients, make_project):
    project = make_project()
    project = withdraw(clients["lead"], project, withdrawn_reason="investor_withdrew",
                       reason="暂缓").get_json()
    others = [make_project(f"后来项目{n}")["id"] for n in range(2)]
    response = reopen(clients["lead"], project, reason="企业重启投资")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["position"], body["stage"]) == ("active", 2, "contact")
    assert (body["withdrawn_reason"], body["withdrawn_comment"], body["withdrawn_at"]) == \
        (None, "", None)
    assert listed(clients["viewer"]) == [*others, project["id"]]
    assert listed(clients["viewer"], "withdrawn") == []
    event = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()["history"][0]
    assert (event["action"], event["to_stage"], event["reason"]) == \
        ("reopened", "contact", "企业重启投资")
    assert event["changes"] == {"status": ["withdrawn", "active"],
                                "withdrawn_reason": ["investor_withdrew", None]}


def test_withdraw_and_reopen_are_refused_to_other_teams(app, clients, make_project):
    from tests.helpers import actor
    from wallchart.services import accounts, teams

    with app.app_context():
        accounts.create_user(None, "lead2", "a-long-password", "lead")
        teams.create_team(None, "三组", lead="lead2")
        assert actor("lead2").can("withdraw")
    project = make_project()
    before = snapshot(app)
    with app.app_context(), app.test_request_context():
        from wallchart.core.errors import Forbidden
        from wallchart.services.projects import reopen_project, withdraw_project

        with pytest.raises(Forbidden):
            withdraw_project(actor("lead2"), project["id"], 1, "land")
        with pytest.raises(Forbidden):
            reopen_project(actor("lead2"), project["id"], 1)
    assert snapshot(app) == before


def test_the_socket_test_client_sees_withdrawn_then_reopened(app, clients, make_project):
    project = make_project()
    screen = socket_client(app, clients["viewer"])
    screen.get_received()
    project = withdraw(clients["lead"], project, withdrawn_reason="policy").get_json()
    reopen(clients["lead"], project)
    gone, back = project_events(screen)
    assert (gone["action"], gone["html"], gone["position"]) == ("withdrawn", None, None)
    assert (back["action"], back["stage"], back["position"]) == ("reopened", "contact", 0)
    assert f'data-project-id="{project["id"]}"' in back["html"]
    assert back["revision"] == gone["revision"] + 1


@pytest.mark.live
def test_every_screen_loses_the_card_and_gets_it_back(live_server):
    """Real ``python wsgi.py`` and real ``socketio.Client`` screens (a browser's cookie, a wall
    display's token): a withdrawal removes the card everywhere, a reopening puts it back."""
    lead, member = Person(live_server, "lead"), Person(live_server, "member")
    project = create(member, "终止再启用项目")
    wall_token = live_server.flask("display", "create", "大厅").strip().splitlines()[-1] \
        .split("=", 1)[1]
    browser = Screen(live_server, cookie=member.cookie)
    wall = Screen(live_server, auth={"token": wall_token})
    try:
        browser.connect()
        wall.connect()
        response = lead.api("POST", f"/projects/{project['id']}/withdraw", json={
            "version": project["version"], "withdrawn_reason": "went_elsewhere"})
        withdrawn = expect(response, 200).json()
        for screen in (browser, wall):
            event = screen.event()
            assert (event["id"], event["action"], event["html"], event["position"]) == \
                (project["id"], "withdrawn", None, None)
        page = member.http.get(live_server.url + "/board", timeout=10).text
        assert f'data-project-id="{project["id"]}"' not in page
        response = lead.api("POST", f"/projects/{project['id']}/reopen", json={
            "version": withdrawn["version"]})
        expect(response, 200)
        for screen in (browser, wall):
            event = screen.event()
            assert (event["action"], event["stage"], event["position"]) == \
                ("reopened", "contact", 0)
            assert f'data-project-id="{project["id"]}"' in event["html"]
        # Once each: the next change is the next thing each screen hears.
        sentinel(member, browser, wall)
    finally:
        browser.close()
        wall.close()
