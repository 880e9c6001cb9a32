"""Stage dates are official figures (issue 9 §2): a move back keeps the date of the stage it
lands in and clears the later ones; a move replaces a recorded date only as a correction (leads,
administrators, with its reason); a member's move (or new project) touches no date of a closed
month — so no sequence of members' moves changes the indicators of a closed period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import actor, snapshot
from wallchart.core.timeutil import today

TODAY = today()
#: The first day of the open month: every date before it lies in a closed month.
OPEN = TODAY.replace(day=1)
STAGES = ("contact", "negotiating", "signed", "started", "producing")


def closed(days: int) -> str:
    """A date ``days`` before the open month began."""
    return (OPEN - timedelta(days=days)).isoformat()


def move(client, project: dict, stage: str, **extra):
    return client.post(f"/api/projects/{project['id']}/move",
                       json={"stage": stage, "version": project["version"], **extra})


def viewed(clients, project: dict) -> dict:
    return clients["viewer"].get(f"/api/projects/{project['id']}").get_json()


@pytest.fixture
def signed_long_ago(make_project):
    """Signed in a closed month, after contact and negotiation in closed months too."""
    return make_project(stage="signed", stage_dates={
        "contact": closed(150), "negotiating": closed(120), "signed": closed(40)})


# --- moving back ----------------------------------------------------------------------------------

def test_a_move_back_keeps_the_date_of_the_stage_it_lands_in(clients, signed_long_ago):
    response = move(clients["lead"], signed_long_ago, "negotiating", reason="签约未履行")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["stage_dates"] == {"contact": closed(150), "negotiating": closed(120)}
    assert body["stage_entered_at"] == closed(120)
    [back, _created] = viewed(clients, signed_long_ago)["history"]
    assert back["changes"] == {"stage_dates.signed": [closed(40), None]}


def test_a_move_back_into_a_stage_never_dated_dates_it_today(clients, make_project):
    """Negotiation was skipped: moving back, the project enters it now, and no earlier day is
    guessed for it."""
    project = make_project(stage="signed", stage_dates={"contact": closed(90),
                                                        "signed": TODAY.isoformat()})
    body = move(clients["member"], project, "negotiating").get_json()
    assert body["stage_dates"] == {"contact": closed(90), "negotiating": TODAY.isoformat()}


def test_a_member_may_not_clear_a_date_of_a_closed_month(app, clients, signed_long_ago):
    before = snapshot(app), viewed(clients, signed_long_ago)
    response = move(clients["member"], signed_long_ago, "negotiating")
    assert response.status_code == 403
    assert response.get_json()["error"] == (
        "退回会清除“已签约”的日期，其所在月份的统计已结束：只有专班负责人或管理员可以这样做。")
    assert (snapshot(app), viewed(clients, signed_long_ago)) == before


def test_a_member_may_undo_a_move_of_this_month(clients, make_project):
    project = make_project(stage_dates={"contact": closed(30)})
    project = move(clients["member"], project, "negotiating").get_json()
    body = move(clients["member"], project, "contact").get_json()
    assert body["stage"] == "contact"
    assert body["stage_dates"] == {"contact": closed(30)}


# --- the probe: back, then forward again with stage_dates ---------------------------------------

def test_back_and_forward_again_does_not_replace_recorded_dates(app, clients, make_project):
    """The issue's example, with the signing in the open month so that the member may move it
    back at all: the dates of contact and negotiation stay, whatever the request says."""
    project = make_project(stage="signed", stage_dates={
        "contact": closed(150), "negotiating": closed(120), "signed": TODAY.isoformat()})
    project = move(clients["member"], project, "negotiating").get_json()
    assert project["stage_dates"] == {"contact": closed(150), "negotiating": closed(120)}
    before = snapshot(app), viewed(clients, project)
    response = move(clients["member"], project, "signed", stage_dates={
        "contact": closed(20), "negotiating": closed(10), "signed": TODAY.isoformat()})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "只有专班负责人或管理员可以更正已记录的日期。"
    assert body["fields"] == {
        "stage_dates.contact": f"已记录为 {closed(150)}：只有专班负责人或管理员可以更正。",
        "stage_dates.negotiating": f"已记录为 {closed(120)}：只有专班负责人或管理员可以更正。"}
    assert (snapshot(app), viewed(clients, project)) == before
    # The recorded dates sent again as they are are no correction.
    response = move(clients["member"], project, "signed", stage_dates={
        "contact": closed(150), "negotiating": closed(120)})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stage_dates"] == {
        "contact": closed(150), "negotiating": closed(120), "signed": TODAY.isoformat()}


def test_a_member_enters_no_date_in_a_closed_month(app, clients, make_project):
    project = make_project(stage_dates={"contact": closed(150)})
    before = snapshot(app), viewed(clients, project)
    response = move(clients["member"], project, "signed", stage_dates={"signed": closed(3)})
    assert response.status_code == 422
    message = f"{OPEN.isoformat()} 之前的月份统计已结束：这样的日期只有专班负责人或管理员可以录入。"
    assert response.get_json()["fields"] == {"stage_dates.signed": message}
    assert (snapshot(app), viewed(clients, project)) == before
    # In the open month it is his to give.
    response = move(clients["member"], project, "signed", stage_dates={"signed": OPEN.isoformat()})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stage_dates"]["signed"] == OPEN.isoformat()


def test_a_member_creates_no_project_with_a_date_in_a_closed_month(app, clients, counties):
    """A new project is a move from nowhere: a signing of a closed month is a lead's to enter."""
    body = {"name": "补录的签约项目", "investor": "示例投资有限公司", "investment_wan": 50000,
            "county": counties[0], "sector": "industry", "stage": "signed",
            "stage_dates": {"contact": closed(90), "signed": closed(20)}}
    before = snapshot(app)
    response = clients["member"].post("/api/projects", json=body)
    assert response.status_code == 422
    message = f"{OPEN.isoformat()} 之前的月份统计已结束：这样的日期只有专班负责人或管理员可以录入。"
    assert response.get_json()["fields"] == {"stage_dates.contact": message,
                                             "stage_dates.signed": message}
    assert snapshot(app) == before
    made = clients["lead"].post("/api/projects", json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["stage_dates"]["signed"] == closed(20)


# --- the panel's "move to…": skipped stages ------------------------------------------------------

def test_the_panel_guesses_no_date_for_a_skipped_stage(app, clients, make_project):
    project = make_project(stage="negotiating", stage_dates={"contact": closed(90),
                                                             "negotiating": closed(60)})
    before = snapshot(app)
    response = clients["member"].post(f"/board/projects/{project['id']}/move",
                                      data={"stage": "producing", "version": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    gate = html.split('<fieldset class="gate-fields">')[1].split("</fieldset>")[0]
    assert "此次移动跳过了已签约、已开工：请填写各阶段的实际日期。" in gate
    for stage, value in (("signed", ""), ("started", ""), ("producing", TODAY.isoformat())):
        assert f'name="stage_dates.{stage}" value="{value}"' in gate, stage
    assert gate.count(f'data-today="{TODAY.isoformat()}">今天</button>') == 3
    assert snapshot(app) == before


# --- corrections in a move ------------------------------------------------------------------------

def test_a_lead_corrects_a_date_in_a_move_with_its_reason(app, clients, signed_long_ago):
    before = snapshot(app)
    response = move(clients["lead"], signed_long_ago, "started",
                    stage_dates={"signed": closed(45)})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"reason": "请填写更正原因。"}
    assert snapshot(app) == before
    response = move(clients["lead"], signed_long_ago, "started",
                    stage_dates={"signed": closed(45)}, reason="合同签订日以盖章日为准")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stage_dates"] == {
        "contact": closed(150), "negotiating": closed(120), "signed": closed(45),
        "started": TODAY.isoformat()}
    moved = viewed(clients, signed_long_ago)["history"][0]
    assert (moved["by"], moved["action"], moved["reason"]) == \
        ("lead", "moved", "合同签订日以盖章日为准")
    assert moved["changes"] == {"stage_dates.signed": [closed(40), closed(45)],
                                "stage_dates.started": [None, TODAY.isoformat()]}


# --- the property: a closed period's figures ------------------------------------------------------

def _figures(periods) -> list:
    from wallchart.reports import indicators

    return [indicators.compute(period) for period in periods]


def _closed_periods():
    from wallchart.reports.indicators import Period

    months = []
    end = OPEN - timedelta(days=1)
    for _ in range(8):
        months.append(Period(end.replace(day=1), end))
        end = end.replace(day=1) - timedelta(days=1)
    return [Period(date(2000, 1, 1), OPEN - timedelta(days=1)), *months]


#: Projects with a recorded history, as (stage, dates); the last ones end in the open month.
HISTORIES = (
    ("signed", {"contact": 150, "negotiating": 120, "signed": 40}),
    ("started", {"contact": 200, "signed": 100, "started": 10}),
    ("producing", {"contact": 230, "negotiating": 220, "signed": 200, "started": 60,
                   "producing": 1}),
    ("negotiating", {"contact": 60, "negotiating": 35}),
    ("signed", {"contact": 90, "negotiating": 30, "signed": 0}),
    ("started", {"contact": 90, "signed": 0, "started": 0}),
)
SPAN = (TODAY - (OPEN - timedelta(days=250))).days
day_strategy = st.integers(0, SPAN).map(lambda back: TODAY - timedelta(days=back))
move_strategy = st.tuples(
    st.integers(0, len(HISTORIES) - 1), st.sampled_from(STAGES),
    st.dictionaries(st.sampled_from(STAGES), st.none() | day_strategy, max_size=3),
    st.booleans(), st.none() | st.integers(0, 3))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(moves=st.lists(move_strategy, min_size=1, max_size=6))
def test_no_sequence_of_member_moves_changes_a_closed_period(app, users, counties, moves):
    """Fresh projects per example (the earlier examples' ones are left as they are), then
    members' moves of any kind: refused or done, the closed periods' figures stay. (The amounts
    counted are the projects' as recorded now: an edit of the investment changes them, as the
    README says; a move only sends the amount the gate needs.)"""
    from wallchart.core.errors import ServiceError
    from wallchart.core.models import Project
    from wallchart.extensions import db
    from wallchart.services.projects import create_project, move_project

    periods = _closed_periods()
    with app.app_context():
        ids = []
        for stage, back in HISTORIES:
            dates = {s: (OPEN - timedelta(days=days) if days else TODAY).isoformat()
                     for s, days in back.items()}
            ids.append(create_project(actor("lead"), {  # history: a lead's to enter
                "name": "历史项目", "stage": stage, "stage_dates": dates, "investment_wan": 120_000,
                "three500": "china_top", "county": counties[0], "allow_duplicate": True}).id)
        before = _figures(periods)
        member = actor("member")
        for index, stage, dates, with_investment, position in moves:
            project = db.session.get(Project, ids[index])
            fields = {"stage_dates": {s: d and d.isoformat() for s, d in dates.items()}}
            if with_investment:  # the record's own amount: amounts follow edits, not moves
                fields["investment_wan"] = project.investment_wan
            try:
                move_project(member, project.id, stage, project.version, position, None, fields)
            except ServiceError:
                db.session.rollback()
            db.session.expire_all()
        assert _figures(periods) == before
