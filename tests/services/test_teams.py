"""Teams: object-level authorization by team, owners from the team, handing projects over."""

from __future__ import annotations

from datetime import date

import pytest

from tests.databases import run_sql
from tests.forks import flask_command
from tests.helpers import (
    ENGLISH_TERMINAL,
    OTHER_TEAM,
    TEAM,
    project_events,
    snapshot,
    socket_client,
)


@pytest.fixture
def project(make_project) -> dict:
    return make_project("一组的项目")


def test_a_project_goes_to_the_creators_only_team(clients, project):
    assert project["team"] == TEAM
    created = clients["outsider"].post("/api/projects", json={"name": "二组的项目"}).get_json()
    assert created["team"] == OTHER_TEAM


def test_a_creator_in_several_teams_must_name_one(app, clients):
    before = snapshot(app)
    response = clients["admin"].post("/api/projects", json={"name": "无专班"})
    assert response.status_code == 422
    assert "team" in response.get_json()["fields"]
    assert snapshot(app) == before
    named = clients["admin"].post("/api/projects", json={"name": "有专班", "team": OTHER_TEAM})
    assert named.status_code == 201 and named.get_json()["team"] == OTHER_TEAM


def test_a_member_may_only_name_his_own_teams(app, clients):
    before = snapshot(app)
    assert clients["member"].post("/api/projects", json={
        "name": "x", "team": OTHER_TEAM}).status_code == 403
    assert clients["member"].post("/api/projects", json={
        "name": "x", "team": "不存在的专班"}).status_code == 422
    assert snapshot(app) == before


def test_another_teams_member_can_read_but_not_change(app, clients, project):
    pid = project["id"]
    outsider = clients["outsider"]
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    before = snapshot(app)
    assert outsider.get(f"/api/projects/{pid}").status_code == 200
    assert "一组的项目" in outsider.get("/board").get_data(as_text=True)
    refusals = [
        outsider.post(f"/api/projects/{pid}/move", json={"stage": "signed", "version": 1}),
        outsider.patch(f"/api/projects/{pid}", json={"name": "改名", "version": 1}),
        outsider.post(f"/board/projects/{pid}/move", data={"stage": "signed", "version": "1"}),
        outsider.post(f"/board/projects/{pid}", data={"name": "改名", "version": "1"}),
    ]
    for response in refusals:
        assert response.status_code == 403, response.get_data(as_text=True)
    assert "其他专班" in refusals[0].get_json()["error"]
    assert snapshot(app) == before
    assert project_events(watcher) == []


def test_owners_come_from_the_projects_team(app, clients, project):
    pid = project["id"]
    before = snapshot(app)
    response = clients["lead"].post(f"/api/projects/{pid}/assign",
                                    json={"owner": "outsider", "version": 1})
    assert response.status_code == 422
    assert "Outsider" in response.get_json()["error"]
    assert snapshot(app) == before
    assert clients["lead"].post(f"/api/projects/{pid}/assign", json={
        "owner": "member", "version": 1}).get_json()["owner"] == "member"
    panel = clients["lead"].get(f"/board/projects/{pid}").get_data(as_text=True)
    owner_choices = panel.split('name="owner"')[1].split("</select>")[0]
    assert 'value="member"' in owner_choices and 'value="outsider"' not in owner_choices


def test_a_lead_hands_a_project_to_another_of_his_teams(app, clients, project):
    from wallchart.services import teams

    pid = project["id"]
    before = snapshot(app)
    # Not his team (yet), and members may not hand over at all.
    assert clients["lead"].patch(f"/api/projects/{pid}", json={
        "team": OTHER_TEAM, "version": 1}).status_code == 403
    assert clients["member"].patch(f"/api/projects/{pid}", json={
        "team": TEAM, "version": 1}).status_code == 200  # naming its own team changes nothing
    assert snapshot(app) == before
    with app.app_context():
        teams.create_team(None, "三组", lead="lead")
    response = clients["lead"].patch(f"/api/projects/{pid}", json={"team": "三组", "version": 1})
    assert response.status_code == 200 and response.get_json()["team"] == "三组"
    history = clients["lead"].get(f"/api/projects/{pid}").get_json()["history"]
    assert history[0]["changes"] == {"team": [TEAM, "三组"]}
    # The member of 一组 no longer changes it.
    assert clients["member"].post(f"/api/projects/{pid}/move", json={
        "stage": "signed", "version": 2}).status_code == 403


def test_the_team_cli(run_cli):
    assert run_cli("team", "create", "三组", "--lead", "lead").exit_code == 0
    assert run_cli("team", "add", "三组", "member", "outsider").exit_code == 0
    for args, message in ((("team", "create", "三组"), "exists already"),
                          (("team", "create", "四组", "--lead", "nobody"), "No active user"),
                          (("team", "add", "五组", "member"), "No team named"),
                          (("team", "add", "三组", "nobody"), "No active user")):
        result = run_cli(*args)
        assert result.exit_code != 0 and message in result.output, result.output


@pytest.fixture
def run_cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args), env=ENGLISH_TERMINAL)


def test_upgrading_keeps_every_project_reachable(databases, tmp_path):
    """Projects from before teams land in one team that holds every existing user."""
    url = databases.new(tmp_path, "old")
    env = {"WALLCHART_INSTANCE_PATH": str(tmp_path),
           "WALLCHART_DATABASE_URL": url, "WALLCHART_SECRET_KEY": "t",
           "PATH": "/usr/bin:/bin"}

    def flask(*args):
        assert flask_command(env, *args).returncode == 0

    flask("db", "upgrade", "ceab376b2b30")
    day = date(2026, 1, 1)
    run_sql(url, """INSERT INTO "user" (username, display_name, password_hash, role, active,
                                        created_at)
                    VALUES ('old', '', 'x', 'member', :yes, :day)""", yes=True, day=day)
    run_sql(url, """INSERT INTO project (name, investor, investment_wan, stage, rank,
                                         stage_entered_at, created_at, updated_at, version)
                    VALUES ('旧项目', '', 100, 'signed', 1024, :day, :day, :day, 3)""", day=day)
    flask("db", "upgrade")
    [(team_id, name)] = run_sql(url, "SELECT id, name FROM team")
    assert name == "默认专班"
    assert [tuple(row) for row in run_sql(url, "SELECT name, stage, version, team_id FROM project")
            ] == [("旧项目", "signed", 3, team_id)]
    assert [tuple(row) for row in run_sql(url, "SELECT user_id FROM team_member")] == [(1,)]
