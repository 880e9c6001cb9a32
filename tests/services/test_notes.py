"""Progress notes (进展): the service, the JSON API, the panel's section, and what a note does to
the card (its "no update" warning clears; every screen gets the card again)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.helpers import OTHER_TEAM, actor, count_statements, snapshot
from wallchart.core.early_warnings import warning_for
from wallchart.core.models import Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import notes, projects
from wallchart.services.projects import create_project


def post_note(client, project_id: int, text, **extra):
    return client.post(f"/api/projects/{project_id}/notes", json={"text": text, **extra})


def withdraw(app, project_id: int) -> None:
    with app.app_context():
        version = db.session.get(Project, project_id).version
        projects.withdraw_project(actor("lead"), project_id, version, "duplicate")


def stored(app, project_id: int) -> Project:
    with app.app_context():
        project = db.session.get(Project, project_id)
        db.session.expunge(project)
        return project


# --- adding a note ------------------------------------------------------------------------------

def test_a_note_is_kept_with_its_line_breaks_and_dates_the_project(app, clients, make_project):
    project = make_project()
    text = "与投资方视频会议。\r\n对方确认下月来考察；\r\n\r\n  需准备用地图纸。  "
    response = post_note(clients["member"], project["id"], text)
    assert response.status_code == 201, response.json
    note = response.json
    assert set(note) == {"id", "at", "by", "text"}
    assert note["by"] == "member"
    assert note["text"] == "与投资方视频会议。\n对方确认下月来考察；\n\n  需准备用地图纸。"
    assert note["at"].endswith("+00:00")

    after = stored(app, project["id"])
    assert after.last_note_on == today()
    assert after.version == project["version"] + 1
    with app.app_context():
        event = db.session.get(ProjectEvent, note["id"])
        assert (event.action, event.changes, event.user.username) == \
            ("noted", {"note": note["text"]}, "member")
    history = clients["viewer"].get(f"/api/projects/{project['id']}").json["history"]
    assert history[0]["action"] == "noted" and history[0]["changes"] == {"note": note["text"]}


def test_notes_read_newest_first_for_everyone_signed_in(app, clients, make_project):
    project = make_project()
    for number, who in enumerate(("member", "lead", "admin")):
        assert post_note(clients[who], project["id"], f"第{number}条").status_code == 201
    listed = clients["viewer"].get(f"/api/projects/{project['id']}/notes")
    assert listed.status_code == 200
    assert [(n["text"], n["by"]) for n in listed.json["notes"]] == \
        [("第2条", "admin"), ("第1条", "lead"), ("第0条", "member")]
    assert clients["outsider"].get(f"/api/projects/{project['id']}/notes").status_code == 200
    assert clients["viewer"].get("/api/projects/999999/notes").status_code == 404
    assert app.test_client().get(f"/api/projects/{project['id']}/notes").status_code == 401


def test_reading_notes_takes_a_constant_number_of_queries(app, clients, make_project):
    project = make_project()
    viewer = clients["viewer"]
    url = f"/api/projects/{project['id']}/notes"
    post_note(clients["member"], project["id"], "一")
    few = count_statements(app, viewer, url)
    for who in ("lead", "admin", "member", "lead"):
        post_note(clients[who], project["id"], f"{who} 的进展")
    assert count_statements(app, viewer, url) == few
    with app.app_context():
        statements: list[str] = []

        def count(*args):
            if args[2].startswith("SELECT"):
                statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = notes.notes_of(project["id"])
            assert [n.user.username for n in found] == ["lead", "member", "admin", "lead", "member"]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(statements) == 1, statements


@pytest.mark.parametrize(("text", "error"), [
    pytest.param("", "必填", id="empty"),
    pytest.param(" \n\t \r\n", "必填", id="blank"),
    pytest.param(None, "必填", id="null"),
    pytest.param("进" * 5001, "5000", id="too-long"),
    pytest.param(42, "文字", id="not-text"),
    pytest.param(["a"], "文字", id="list"),
    pytest.param("响铃\x07", "换行", id="bell"),
    pytest.param("制表\t符", "换行", id="tab"),
    pytest.param("退格\x08", "换行", id="backspace"),
    pytest.param("删除\x7f", "换行", id="delete"),
    pytest.param("C1\x85控制", "换行", id="c1-control"),
    pytest.param("空字符\x00", "无法保存", id="nul"),
])
def test_a_bad_note_is_refused_and_nothing_changes(app, clients, make_project, text, error):
    project = make_project()
    before = snapshot(app)
    response = post_note(clients["member"], project["id"], text)
    assert response.status_code == 422, response.json
    assert error in response.json["fields"]["text"], response.json
    assert snapshot(app) == before
    assert stored(app, project["id"]).last_note_on is None


def test_a_note_of_exactly_the_limit_is_kept(app, clients, make_project):
    project = make_project()
    response = post_note(clients["member"], project["id"], "进" * 4999 + "\n")
    assert response.status_code == 201 and len(response.json["text"]) == 4999
    assert post_note(clients["member"], project["id"], "展" * 5000).status_code == 201


def test_unknown_fields_and_bodies_that_are_not_objects_are_refused(app, clients, make_project):
    project = make_project()
    before = snapshot(app)
    response = post_note(clients["member"], project["id"], "正常内容", version=1, by="admin")
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"version", "by"}
    response = clients["member"].post(f"/api/projects/{project['id']}/notes", json=["x"])
    assert response.status_code == 422
    assert snapshot(app) == before


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_other_teams_cannot_add_notes(app, clients, make_project, who):
    project = make_project()
    before = snapshot(app)
    response = post_note(clients[who], project["id"], "不该写入")
    assert response.status_code == 403
    assert snapshot(app) == before


def test_leads_and_admins_add_notes_and_missing_projects_are_404(app, clients, make_project):
    project = make_project()
    for who in ("lead", "admin"):
        assert post_note(clients[who], project["id"], f"{who}写的").status_code == 201
    before = snapshot(app)
    assert post_note(clients["admin"], 999999, "无此项目").status_code == 404
    assert post_note(clients["admin"], project["id"] + 1000, "无此项目").status_code == 404
    assert snapshot(app) == before


def test_the_other_teams_project_takes_notes_from_its_own_team(app, clients, counties):
    with app.app_context():
        theirs = create_project(actor("outsider"), {"name": "二组项目", "team": OTHER_TEAM}).id
    assert post_note(clients["outsider"], theirs, "二组的进展").status_code == 201
    assert post_note(clients["member"], theirs, "一组的人").status_code == 403


def test_deleted_and_withdrawn_projects_take_no_notes(app, clients, make_project):
    gone, closed = make_project("已删除"), make_project("已终止")
    assert clients["lead"].delete(f"/api/projects/{gone['id']}",
                                  json={"version": gone["version"]}).status_code == 204
    withdraw(app, closed["id"])
    before = snapshot(app)
    assert post_note(clients["member"], gone["id"], "删除后").status_code == 404
    response = post_note(clients["member"], closed["id"], "终止后")
    assert response.status_code == 422 and "重新启用" in response.json["error"]
    assert snapshot(app) == before


# --- what a note does to the card ---------------------------------------------------------------

def test_a_note_clears_the_no_update_warning(app, make_project, monkeypatch):
    """Contact: yellow after 45 days without an update; a note is an update (frozen clock)."""
    project = make_project()
    entered = date(2025, 3, 1)
    with app.app_context():
        db.session.get(Project, project["id"]).stage_entered_at = entered
        db.session.commit()
        config = app.config
        limit = config["STALL_DAYS"]["contact"]
        day = entered + timedelta(days=limit + 1)
        current = db.session.get(Project, project["id"])
        assert warning_for(current, entered + timedelta(days=limit), config).colour is None
        stale = warning_for(current, day, config)
        assert stale.colour == "yellow" and "45" in " ".join(stale.reasons)
        monkeypatch.setattr(notes, "today", lambda: day)
        notes.add_note(actor("member"), project["id"], "电话回访，对方仍有意向。")
        current = db.session.get(Project, project["id"])
        assert current.last_note_on == day
        assert warning_for(current, day, config).colour is None
        # ... and the clock starts again from the note.
        assert warning_for(current, day + timedelta(days=limit), config).colour is None
        assert warning_for(current, day + timedelta(days=limit + 1), config).colour == "yellow"


# --- the panel's section ------------------------------------------------------------------------

def section(client, project_id: int) -> str:
    response = client.get(f"/board/projects/{project_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page[page.index('id="project-notes"'):page.index('id="project-blockers"')]


def test_the_panel_shows_notes_escaped_with_who_and_when_in_shanghai(app, clients, make_project):
    project = make_project()
    post_note(clients["member"], project["id"], "第一行<script>alert(1)</script>\n第二行 & 更多")
    with app.app_context():
        at = db.session.execute(select(ProjectEvent.at).where(
            ProjectEvent.action == "noted")).scalar_one()
    shown = section(clients["viewer"], project["id"])
    assert "第一行&lt;script&gt;alert(1)&lt;/script&gt;\n第二行 &amp; 更多" in shown
    assert "<script>" not in shown
    assert "Member" in shown  # the author's name as people read it
    assert (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in shown


def test_the_form_is_for_those_who_may_write(app, clients, make_project):
    project = make_project()
    for who, has_form in (("viewer", False), ("outsider", False), ("member", True),
                          ("lead", True), ("admin", True)):
        shown = section(clients[who], project["id"])
        assert ('name="text"' in shown) == has_form, who
    withdraw(app, project["id"])
    assert 'name="text"' not in section(clients["member"], project["id"])


def test_the_form_swaps_its_section_and_shows_errors_at_the_field(app, clients, make_project):
    project = make_project()
    member = clients["member"]
    url = f"/board/projects/{project['id']}/notes"
    before = snapshot(app)
    refused = member.post(url, data={"text": "  "}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert body.lstrip().startswith('<section class="panel-section notes-section"')
    assert 'aria-invalid="true"' in body and "必填" in body
    assert snapshot(app) == before

    # Only the form's field is read: anything else it sends is dropped.
    added = member.post(url, data={"text": "现场踏勘\n已完成", "by": "admin", "version": "9"},
                        headers={"HX-Request": "true"})
    assert added.status_code == 200
    body = added.get_data(as_text=True)
    assert "现场踏勘\n已完成" in body and "aria-invalid" not in body
    assert re.search(r'<textarea[^>]*name="text"[^>]*>\s*</textarea>', body), "form not emptied"
    listed = clients["viewer"].get(f"/api/projects/{project['id']}/notes").json["notes"]
    assert [(n["text"], n["by"]) for n in listed] == [("现场踏勘\n已完成", "member")]
    # The section alone, as panel.js fetches it.
    alone = clients["viewer"].get(url)
    assert alone.status_code == 200 and html.escape("现场踏勘") in alone.get_data(as_text=True)


def test_the_forms_refusals_come_back_in_the_section(app, clients, make_project):
    project = make_project()
    url = f"/board/projects/{project['id']}/notes"
    before = snapshot(app)
    refused = clients["viewer"].post(url, data={"text": "看看"})
    assert refused.status_code == 403
    assert "notes-section" in refused.get_data(as_text=True)
    assert clients["member"].post("/board/projects/999999/notes",
                                  data={"text": "无"}).status_code == 404
    assert snapshot(app) == before


def test_english_screens_read_english(app, clients, make_project):
    project = make_project()
    member = clients["member"]
    member.post("/language", data={"lang": "en", "next": "/board"})
    shown = section(member, project["id"])
    assert "Progress notes" in shown and "Add note" in shown and "No notes yet." in shown
    refused = member.post(f"/board/projects/{project['id']}/notes", data={"text": ""})
    assert "This field is required." in refused.get_data(as_text=True)
    assert "进展" in section(clients["viewer"], project["id"])


# --- live: every screen gets the card again -----------------------------------------------------

@pytest.mark.live
def test_a_real_socket_gets_the_card_after_a_note(live_server):
    """A signed-in screen (a real Socket.IO client against ``python wsgi.py``) receives the card
    again, now without its "no update" warning."""
    from tests.databases import run_sql
    from tests.live import Person, Screen, create, expect, sentinel

    member, viewer = Person(live_server, "member"), Person(live_server, "viewer")
    project = create(member, "推送测试项目")
    run_sql(live_server.database_url, "UPDATE project SET stage_entered_at = :day WHERE id = :id",
            day=today() - timedelta(days=60), id=project["id"])
    columns = viewer.http.get(live_server.url + "/board/columns", timeout=10).text
    before = re.search(rf'<article[^>]*data-project-id="{project["id"]}"[^>]*>', columns).group(0)
    assert 'data-warning="yellow"' in before
    screen = Screen(live_server, cookie=viewer.cookie)
    try:
        revision = screen.connect()["revision"]
        expect(member.api("POST", f"/projects/{project['id']}/notes",
                          json={"text": "已与企业负责人面谈"}), 201)
        event = screen.event()
        assert (event["id"], event["action"], event["revision"], event["version"]) == \
            (project["id"], "noted", revision + 1, project["version"] + 1)
        card = re.search(r"<article[^>]*>", event["html"]).group(0)
        assert 'data-warning=""' in card and "warning-" not in card
        # One event for the note: the next change is the next thing the screen hears.
        assert sentinel(member, screen)["revision"] == revision + 2
    finally:
        screen.close()
