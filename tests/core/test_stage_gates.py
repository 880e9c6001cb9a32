"""Stage dates and stage gates: a move stamps the date it enters a stage; signed, started and
producing need their figures (422 ``missing`` names what neither the project nor the request
supplies); leads correct dates (audited), members may not; dates stay in stage order; a move
back clears the dates after the new stage and the history keeps them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.helpers import project_events, snapshot, socket_client
from wallchart.core.timeutil import today

TODAY = today()


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


@pytest.fixture
def make_old_project(make_project):
    """A project first contacted 100 days ago, so that later dates may lie in the past."""
    def make(**fields) -> dict:
        return make_project(stage_dates={"contact": days_ago(100)}, **fields)
    return make


def move(client, project: dict, stage: str, **extra):
    return client.post(f"/api/projects/{project['id']}/move",
                       json={"stage": stage, "version": project["version"], **extra})


def state(app, clients, project_id: int) -> tuple:
    """What a refusal must leave as it was: the snapshot and the project's whole P."""
    return snapshot(app), clients["viewer"].get(f"/api/projects/{project_id}").get_json()


# --- gates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("stage, investment, missing", [
    ("signed", 0, ["investment_wan"]),
    ("started", 50000, ["stage_dates.signed"]),
    ("started", 0, ["investment_wan", "stage_dates.signed"]),
    ("producing", 50000, ["stage_dates.signed", "stage_dates.started"]),
    ("producing", 0, ["investment_wan", "stage_dates.signed", "stage_dates.started"]),
])
def test_a_gated_move_names_what_is_missing_and_changes_nothing(
        app, clients, make_project, stage, investment, missing):
    project = make_project(investment_wan=investment)
    screen = socket_client(app, clients["lead"])
    screen.get_received()
    before = state(app, clients, project["id"])
    response = move(clients["member"], project, stage)
    assert response.status_code == 422
    body = response.get_json()
    assert body["missing"] == missing
    assert set(body["fields"]) == set(missing)
    assert "已签约" in body["error"] or "已开工" in body["error"] or "竣工投产" in body["error"]
    assert state(app, clients, project["id"]) == before
    assert project_events(screen) == []


def test_the_gate_message_names_the_stage_and_the_fields(clients, make_project):
    project = make_project(investment_wan=0)
    body = move(clients["member"], project, "producing").get_json()
    assert body["error"] == "“竣工投产”阶段需要：投资额、签约日期、开工日期。"


def test_entering_signed_stamps_today_and_needs_only_the_investment(clients, make_project):
    project = make_project()
    body = move(clients["member"], project, "signed").get_json()
    assert body["stage"] == "signed"
    assert body["stage_dates"] == {"contact": TODAY.isoformat(), "signed": TODAY.isoformat()}
    assert body["stage_entered_at"] == TODAY.isoformat()


def test_the_request_may_supply_what_the_gate_needs(app, clients, make_old_project):
    """Skipping stages: the dialog's answers travel with the move, saved in one transaction."""
    project = make_old_project(investment_wan=0)
    # A lead: the dates lie in closed months (test_stage_dates_official.py).
    response = move(clients["lead"], project, "producing", reason="补录", investment_wan=80000,
                    stage_dates={"signed": days_ago(40), "started": days_ago(20),
                                 "producing": days_ago(2)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["stage"], body["investment_wan"], body["version"]) == ("producing", 80000, 2)
    assert body["stage_dates"] == {"contact": days_ago(100), "signed": days_ago(40),
                                   "started": days_ago(20), "producing": days_ago(2)}
    assert body["stage_entered_at"] == days_ago(2)
    [moved, _created] = clients["viewer"].get(f"/api/projects/{project['id']}") \
        .get_json()["history"]
    assert (moved["action"], moved["from_stage"], moved["to_stage"], moved["reason"]) == \
        ("moved", "contact", "producing", "补录")
    assert moved["changes"] == {
        "investment_wan": [0, 80000], "stage_dates.signed": [None, days_ago(40)],
        "stage_dates.started": [None, days_ago(20)],
        "stage_dates.producing": [None, days_ago(2)]}


def test_the_project_supplies_what_it_has_already(clients, make_old_project):
    project = make_old_project()
    project = move(clients["lead"], project, "signed",
                   stage_dates={"signed": days_ago(10)}).get_json()
    project = move(clients["member"], project, "started").get_json()
    assert project["stage"] == "started"
    response = move(clients["member"], project, "producing")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stage_dates"] == {
        "contact": days_ago(100), "signed": days_ago(10), "started": TODAY.isoformat(),
        "producing": TODAY.isoformat()}


def test_a_bad_value_in_a_move_is_refused_before_the_gate(app, clients, make_project):
    project = make_project(investment_wan=0)
    before = state(app, clients, project["id"])
    for extra in ({"investment_wan": -5}, {"stage_dates": {"signed": "yesterday"}},
                  {"stage_dates": ["2026-01-01"]}, {"owner": "lead"}, {"land_mu": "many"}):
        response = move(clients["member"], project, "signed", **extra)
        assert response.status_code == 422, extra
        assert "missing" not in response.get_json(), extra
    assert state(app, clients, project["id"]) == before


def test_creating_in_a_gated_stage_applies_the_gate(app, clients, counties):
    before = snapshot(app)
    member = clients["member"]
    response = member.post("/api/projects", json={"name": "开工项目", "stage": "started",
                                                  "investment_wan": 1000})
    assert response.status_code == 422
    assert response.get_json()["missing"] == ["stage_dates.signed"]
    response = member.post("/api/projects", json={"name": "投产项目", "stage": "producing"})
    assert response.get_json()["missing"] == [
        "investment_wan", "stage_dates.signed", "stage_dates.started"]
    assert snapshot(app) == before
    # With its history (closed months): a lead's to enter.
    body = clients["lead"].post("/api/projects", json={
        "name": "开工项目", "stage": "started", "investment_wan": 1000,
        "stage_dates": {"contact": days_ago(300), "signed": days_ago(100)}}).get_json()
    assert body["stage_dates"] == {"contact": days_ago(300), "signed": days_ago(100),
                                   "started": TODAY.isoformat()}


def test_an_imported_record_keeps_its_history_dates(clients, counties):
    """Bringing in a record with its history: a lead's (the dates lie in closed months)."""
    dates = {"contact": days_ago(700), "negotiating": days_ago(500), "signed": days_ago(400),
             "started": days_ago(380), "producing": days_ago(30)}
    body = clients["lead"].post("/api/projects", json={
        "name": "老项目", "stage": "producing", "investment_wan": 90000,
        "stage_dates": dates}).get_json()
    assert body["stage_dates"] == dates
    assert body["stage_entered_at"] == days_ago(30)


def test_an_edit_may_not_open_a_gap_but_an_old_gap_does_not_block_it(app, clients,
                                                                       make_project):
    project = move(clients["member"], make_project(), "signed").get_json()
    response = clients["member"].patch(f"/api/projects/{project['id']}",
                                       json={"version": project["version"], "investment_wan": 0})
    assert response.status_code == 422
    assert response.get_json()["missing"] == ["investment_wan"]
    # A project from before the gates: started without a signing date.
    with app.app_context():
        from wallchart.core.models import Project
        from wallchart.extensions import db
        db.session.execute(update(Project).where(Project.id == project["id"]).values(
            stage="started", started_on=TODAY, signed_on=None))
        db.session.commit()
    response = clients["member"].patch(f"/api/projects/{project['id']}",
                                       json={"version": project["version"], "name": "改名"})
    assert response.status_code == 200, response.get_json()
    # ...and reordering it within its column is no entry into a stage.
    project = response.get_json()
    assert move(clients["member"], project, "started", position=0).status_code == 200


# --- dates: stamping, correcting, order ---------------------------------------------------------

def test_a_mover_may_date_the_stage_he_enters(clients, make_old_project):
    project = make_old_project()
    day = max(TODAY - timedelta(days=3), TODAY.replace(day=1)).isoformat()  # the open month
    body = move(clients["member"], project, "negotiating",
                stage_dates={"negotiating": day}).get_json()
    assert body["stage_dates"]["negotiating"] == day
    assert body["stage_entered_at"] == day


def test_a_lead_backdates_a_signing_and_it_is_audited(app, clients, make_old_project):
    project = move(clients["member"], make_old_project(), "signed").get_json()
    response = clients["lead"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"], "stage_dates": {"signed": days_ago(7)},
        "reason": "上周已签约"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["stage_dates"]["signed"] == days_ago(7)
    assert body["stage_entered_at"] == days_ago(7)  # the current stage's date: it follows
    edit = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()["history"][0]
    assert (edit["by"], edit["action"], edit["reason"]) == ("lead", "updated", "上周已签约")
    assert edit["changes"] == {"stage_dates.signed": [TODAY.isoformat(), days_ago(7)]}


def test_an_earlier_stage_date_corrected_leaves_the_stage_entry_alone(clients, make_project):
    project = move(clients["member"], make_project(), "signed").get_json()
    body = clients["admin"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"],
        "stage_dates": {"contact": days_ago(90), "negotiating": days_ago(30)}}).get_json()
    assert body["stage_dates"] == {"contact": days_ago(90), "negotiating": days_ago(30),
                                   "signed": TODAY.isoformat()}
    assert body["stage_entered_at"] == TODAY.isoformat()


def test_a_member_may_not_correct_dates(app, clients, make_project):
    project = move(clients["member"], make_project(), "signed").get_json()
    before = state(app, clients, project["id"])
    response = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"], "stage_dates": {"signed": days_ago(7)}})
    assert response.status_code == 403
    assert "已签约" in response.get_json()["error"]
    # Nor in a move, where only the entered stage and dates not yet recorded are his to give:
    # refused at the field, for the gate dialog to show it there.
    response = move(clients["member"], project, "started", stage_dates={"signed": days_ago(7)})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"stage_dates.signed"}
    assert state(app, clients, project["id"]) == before
    # The same value is no correction.
    same = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"], "stage_dates": {"signed": TODAY.isoformat()}})
    assert same.status_code == 200


@pytest.mark.parametrize("dates, field", [
    ({"signed": days_ago(10), "negotiating": days_ago(5)}, "stage_dates.signed"),
    ({"contact": days_ago(1)}, "stage_dates.negotiating"),
    ({"started": days_ago(1)}, "stage_dates.started"),          # not reached
    ({"signed": (TODAY + timedelta(days=1)).isoformat()}, "stage_dates.signed"),
    ({"signed": "1999-12-31"}, "stage_dates.signed"),
    ({"signed": None}, "stage_dates.signed"),                    # the current stage's own
    ({"won": days_ago(1)}, "stage_dates.won"),
])
def test_stage_dates_out_of_order_or_range_are_refused(app, clients, make_old_project, dates,
                                                      field):
    project = make_old_project()
    project = move(clients["lead"], project, "negotiating",
                   stage_dates={"negotiating": days_ago(3)}).get_json()
    project = move(clients["member"], project, "signed").get_json()
    before = state(app, clients, project["id"])
    response = clients["lead"].patch(f"/api/projects/{project['id']}",
                                     json={"version": project["version"], "stage_dates": dates})
    assert response.status_code == 422
    body = response.get_json()
    assert field in body["fields"], body
    assert state(app, clients, project["id"]) == before


def test_the_order_refusal_names_both_stages(clients, make_project):
    project = move(clients["member"], make_project(), "signed").get_json()
    body = clients["lead"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"],
        "stage_dates": {"contact": days_ago(1), "signed": days_ago(2)}}).get_json()
    assert body["error"] == (f"“已签约”的日期（{days_ago(2)}）不能早于“接触洽谈”的日期"
                             f"（{days_ago(1)}）。")


def test_an_earlier_date_may_be_cleared_as_unknown(clients, make_project):
    project = move(clients["member"], make_project(), "signed").get_json()
    body = clients["lead"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"], "stage_dates": {"contact": None}}).get_json()
    assert body["stage_dates"] == {"signed": TODAY.isoformat()}


# --- moving back --------------------------------------------------------------------------------

def test_moving_back_clears_the_later_dates_and_the_history_keeps_them(app, clients,
                                                                        make_old_project):
    project = make_old_project()
    project = move(clients["lead"], project, "producing", stage_dates={
        "signed": days_ago(60), "started": days_ago(30), "producing": days_ago(5)}).get_json()
    response = move(clients["lead"], project, "negotiating", reason="签约未履行")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["stage_dates"] == {"contact": days_ago(100), "negotiating": TODAY.isoformat()}
    with app.app_context():
        from wallchart.core.models import Project
        from wallchart.extensions import db
        row = db.session.get(Project, project["id"])
        assert (row.signed_on, row.started_on, row.producing_on) == (None, None, None)
    back = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()["history"][0]
    assert (back["from_stage"], back["to_stage"], back["reason"]) == \
        ("producing", "negotiating", "签约未履行")
    assert back["changes"] == {"stage_dates.negotiating": [None, TODAY.isoformat()],
                               "stage_dates.signed": [days_ago(60), None],
                               "stage_dates.started": [days_ago(30), None],
                               "stage_dates.producing": [days_ago(5), None]}
    # Going forward again asks for the signing figures anew: the date is stamped today.
    again = move(clients["member"], body, "started")
    assert again.get_json()["missing"] == ["stage_dates.signed"]


def test_a_negative_amount_is_told_it_cannot_be_below_zero(app, clients, make_project):
    """Not "请填写整数": the number is whole, only below zero; the card stays where it was."""
    project = make_project(investment_wan=0)
    before = state(app, clients, project["id"])
    response = move(clients["member"], project, "signed", investment_wan=-5,
                    stage_dates={"signed": today().isoformat()})
    assert response.status_code == 422
    assert response.get_json()["fields"]["investment_wan"] == "不能小于零。"
    assert state(app, clients, project["id"]) == before
