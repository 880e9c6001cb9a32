"""Promised starts on the pages: entered in the panel's plan form of a signed project (refused in
Chinese at its field, changing nothing), shown in its stage dates; the card's promise light and
the weekly report's list of signed projects past their promised start."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.helpers import field_error, snapshot
from tests.reports.test_weekly import sections
from wallchart.core.models import Project
from wallchart.core.timeutil import today
from wallchart.extensions import db

SIGNED = today() - timedelta(days=40)


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_the_plan_form_takes_the_promise_of_a_signed_project(app, clients, make_project):
    project = make_project("签约项目", stage="signed", stage_dates={"signed": SIGNED.isoformat()})
    url = f"/board/projects/{project['id']}/plan"
    panel = _html(clients["member"].get(f"/board/projects/{project['id']}"))
    assert 'name="promised_start_on"' in panel and "约定开工日期" in panel
    before = snapshot(app)
    early = (SIGNED - timedelta(days=1)).isoformat()
    refused = clients["member"].post(url, data={"promised_start_on": early, "version": "1"})
    assert refused.status_code == 422
    assert "不能早于签约日期" in field_error(_html(refused), "promised_start_on")
    assert f'value="{early}"' in _html(refused)
    assert snapshot(app) == before

    promised = (SIGNED + timedelta(days=30)).isoformat()
    saved = clients["member"].post(url, data={"promised_start_on": promised, "version": "1"})
    assert saved.status_code == 200, _html(saved)[:500]
    row = _html(saved).split('class="promised-start"')[1].split("</tr>")[0]
    assert promised in row
    assert '<span class="card-promise lamp-yellow">约定开工日期（' in row  # 10 days past
    with app.app_context():
        assert db.session.get(Project, project["id"]).promised_start_on.isoformat() == promised


def test_a_project_in_talks_has_no_promise_to_enter(clients, make_project):
    project = make_project("在谈项目", stage="negotiating")
    panel = _html(clients["member"].get(f"/board/projects/{project['id']}"))
    assert 'name="promised_start_on"' not in panel and 'class="promised-start"' not in panel


def _promise(app, project_id: int, promised, stage: str = "signed") -> None:
    """Set the promise on the row (a promise long past is set by the service only with a
    signing before it, which a test need not wait for)."""
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project_id).values(
            promised_start_on=promised, stage=stage))
        db.session.commit()


def _card(html: str, project_id: int) -> str:
    return html.split(f'data-project-id="{project_id}"')[1].split("</article>")[0]


def test_the_card_lights_its_promise_yellow_then_red(app, clients, make_project):
    soon, late, overdue, started = (
        make_project(name, stage="signed", stage_dates={"signed": SIGNED.isoformat()})["id"]
        for name in ("临近项目", "刚过项目", "逾期项目", "已开工项目"))
    _promise(app, soon, today() + timedelta(days=10))
    _promise(app, late, today() - timedelta(days=3))
    _promise(app, overdue, today() - timedelta(days=31))
    _promise(app, started, today() - timedelta(days=31), stage="started")
    board = _html(clients["viewer"].get("/board"))
    assert 'data-promise="yellow"' in _card(board, soon) and "临近约定开工" in _card(board, soon)
    assert 'data-promise="yellow"' in _card(board, late) and "逾期未开工" in _card(board, late)
    assert 'data-promise="red"' in _card(board, overdue)
    assert "已过 31 天，仍未开工" in _card(board, overdue)
    assert "data-promise" not in _card(board, started)


def test_the_weekly_report_lists_the_signed_projects_past_their_promise(app, clients,
                                                                        make_project):
    late, overdue, soon, started = (
        make_project(name, stage="signed", stage_dates={"signed": SIGNED.isoformat()})["id"]
        for name in ("刚过项目", "逾期项目", "临近项目", "已开工项目"))
    _promise(app, late, today() - timedelta(days=3))
    _promise(app, overdue, today() - timedelta(days=31))
    _promise(app, soon, today())
    _promise(app, started, today() - timedelta(days=31), stage="started")
    found = sections(clients["viewer"], today().isoformat())
    assert found["past_promise"] == [overdue, late]  # longest late first
    html = _html(clients["viewer"].get("/reports/weekly"))
    block = html.split('data-section="past_promise"')[1].split("</section>")[0]
    assert "超过约定开工日期未开工" in block
    assert f'<tr data-project-id="{overdue}" data-warning="red"' in block
    assert f'<tr data-project-id="{late}" data-warning="yellow"' in block
    # A week before the promises passed lists none of them, nor does a week to come.
    earlier = (today() - timedelta(days=60)).isoformat()
    assert sections(clients["viewer"], earlier)["past_promise"] == []
    later = (today() + timedelta(days=7)).isoformat()
    assert sections(clients["viewer"], later)["past_promise"] == []
