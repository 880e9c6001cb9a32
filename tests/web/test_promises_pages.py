"""Promised starts on the pages: entered in the panel's plan form of a signed project (refused in
Chinese at its field, changing nothing), shown in its stage dates."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import field_error, snapshot
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
    with app.app_context():
        assert db.session.get(Project, project["id"]).promised_start_on.isoformat() == promised


def test_a_project_in_talks_has_no_promise_to_enter(clients, make_project):
    project = make_project("在谈项目", stage="negotiating")
    panel = _html(clients["member"].get(f"/board/projects/{project['id']}"))
    assert 'name="promised_start_on"' not in panel and 'class="promised-start"' not in panel
