"""Leads' tools: bulk reassignment (all or nothing), the workload view, the "my teams" filter."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import (
    OTHER_TEAM,
    TEAM,
    actor,
    count_statements,
    project_events,
    snapshot,
    socket_client,
)

TODAY = date(2026, 6, 30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assign(client, items, owner, **extra):
    return client.post("/api/projects/assign", json={"projects": items, "owner": owner, **extra})


def ref(project: dict) -> dict:
    return {"id": project["id"], "version": project["version"]}


@pytest.fixture
def two(make_project) -> list[dict]:
    return [make_project("甲项目"), make_project("乙项目", stage="signed")]


@pytest.fixture
def theirs(clients) -> dict:
    """A project of the other team (二组), which the lead of 一组 may read but not change."""
    response = clients["outsider"].post("/api/projects", json={"name": "二组的项目"})
    assert response.status_code == 201
    return response.get_json()


# --- bulk reassignment: the API and the service ----------------------------------------------

def test_a_lead_gives_several_projects_one_owner(app, clients, two):
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    revision = snapshot(app)["revision"]
    response = assign(clients["lead"], [ref(p) for p in two], "member", reason="人员调整")
    assert response.status_code == 200
    body = response.get_json()["projects"]
    assert [(p["id"], p["owner"], p["version"]) for p in body] == [
        (two[0]["id"], "member", 2), (two[1]["id"], "member", 2)]
    assert [(p["stage"], p["position"]) for p in body] == [("contact", 0), ("signed", 0)]

    # One event per project, each with its own revision, rising by exactly one.
    events = project_events(watcher)
    assert [(e["id"], e["action"], e["version"], e["revision"]) for e in events] == [
        (two[0]["id"], "assigned", 2, revision + 1), (two[1]["id"], "assigned", 2, revision + 2)]
    assert all('data-owner="member"' in e["html"] for e in events)
    assert snapshot(app)["revision"] == revision + 2

    for project in two:
        history = clients["viewer"].get(f"/api/projects/{project['id']}").get_json()["history"]
        assert history[0] | {"at": None} == {
            "at": None, "by": "lead", "action": "assigned", "from_stage": None, "to_stage": None,
            "changes": {"owner": [None, "member"]}, "reason": "人员调整"}

    # The next change anywhere takes the next revision.
    clients["member"].post(f"/api/projects/{two[0]['id']}/move",
                           json={"stage": "negotiating", "version": 2})
    assert [e["revision"] for e in project_events(watcher)] == [revision + 3]


def test_projects_that_have_that_owner_already_are_left_alone(app, clients, two):
    lead = clients["lead"]
    first = lead.post(f"/api/projects/{two[0]['id']}/assign",
                      json={"owner": "member", "version": 1}).get_json()
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    revision = snapshot(app)["revision"]
    body = assign(lead, [ref(first), ref(two[1])], "member").get_json()["projects"]
    assert [(p["owner"], p["version"]) for p in body] == [("member", 2), ("member", 2)]
    assert [(e["id"], e["revision"]) for e in project_events(watcher)] == [
        (two[1]["id"], revision + 1)]

    # Nothing to change at all: nothing written, nothing broadcast, the answer as it is.
    before = snapshot(app)
    again = assign(lead, [ref(p) for p in body], "member")
    assert again.status_code == 200
    assert [p["version"] for p in again.get_json()["projects"]] == [2, 2]
    assert snapshot(app) == before
    assert project_events(watcher) == []


def test_null_takes_the_owner_away(clients, two):
    lead = clients["lead"]
    owned = assign(lead, [ref(p) for p in two], "lead").get_json()["projects"]
    body = assign(lead, [ref(p) for p in owned], None).get_json()["projects"]
    assert [(p["owner"], p["version"]) for p in body] == [(None, 3), (None, 3)]


def _refusal(app, clients, client, items, owner, status, **extra):
    """Send a bulk assignment that must be refused; nothing may change or be broadcast."""
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    before = snapshot(app)
    response = assign(client, items, owner, **extra)
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]
    assert snapshot(app) == before
    assert project_events(watcher) == []
    return body


def test_one_stale_version_refuses_the_whole_request(app, clients, two):
    clients["member"].patch(f"/api/projects/{two[1]['id']}", json={"name": "乙项目（改）",
                                                                  "version": 1})
    body = _refusal(app, clients, clients["lead"], [ref(p) for p in two], "member", 409)
    assert "乙项目（改）" in body["error"] and "甲项目" not in body["error"]
    assert [(p["id"], p["version"]) for p in body["projects"]] == [(two[1]["id"], 2)]


def test_one_project_of_another_team_refuses_the_whole_request(app, clients, two, theirs):
    body = _refusal(app, clients, clients["lead"], [*map(ref, two), ref(theirs)], "member", 403)
    assert "二组的项目" in body["error"] and "甲项目" not in body["error"]


def test_an_owner_outside_one_projects_team_refuses_the_whole_request(app, clients, two, theirs):
    # The administrator may change every team's projects, but owners come from each team.
    body = _refusal(app, clients, clients["admin"], [*map(ref, two), ref(theirs)], "member", 422)
    assert "二组的项目" in body["error"] and "Member" in body["error"]
    assert "owner" in body["fields"]
    body = _refusal(app, clients, clients["lead"], [ref(p) for p in two], "outsider", 422)
    assert "甲项目" in body["error"] and "乙项目" in body["error"]


def test_a_missing_project_refuses_the_whole_request(app, clients, two):
    body = _refusal(app, clients, clients["lead"], [ref(two[0]), {"id": 9999, "version": 1}],
                    "member", 404)
    assert "9999" in body["error"]
    deleted = two[1]
    assert clients["lead"].delete(f"/api/projects/{deleted['id']}",
                                  json={"version": 1}).status_code == 204
    _refusal(app, clients, clients["lead"], [ref(two[0]), ref(deleted)], "member", 404)


@pytest.mark.parametrize("payload", [
    {"owner": "member"},
    {"projects": [], "owner": "member"},
    {"projects": {"id": 1, "version": 1}, "owner": "member"},
    {"projects": "1", "owner": "member"},
    {"projects": [{"id": "FIRST"}], "owner": "member"},
    {"projects": [{"id": "FIRST", "version": "1"}], "owner": "member"},
    {"projects": [{"id": True, "version": 1}], "owner": "member"},
    {"projects": [{"id": "FIRST", "version": 1, "owner": "lead"}], "owner": "member"},
    {"projects": [["FIRST", 1]], "owner": "member"},
    {"projects": ["FIRST", "FIRST"], "owner": "member"},
    {"projects": ["FIRST"]},
    {"projects": ["FIRST"], "owner": "nobody"},
    {"projects": ["FIRST"], "owner": 7},
    {"projects": ["FIRST"], "owner": " "},
    {"projects": ["FIRST"], "owner": "member", "reason": ["x"]},
    {"projects": ["FIRST"], "owner": "member", "team": OTHER_TEAM},
    {"projects": ["FIRST"], "owner": "member", "version": 1},
])
def test_bad_requests_are_refused_whole(app, clients, two, payload):
    def fill(value):
        if value == "FIRST":
            return ref(two[0])
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) if k != "id" else (two[0]["id"] if v == "FIRST" else v)
                    for k, v in value.items()}
        return value

    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    before = snapshot(app)
    response = clients["lead"].post("/api/projects/assign", json=fill(payload))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"] and response.get_json()["fields"]
    assert snapshot(app) == before
    assert project_events(watcher) == []


def test_too_many_projects_at_once_are_refused(app, clients, two):
    from wallchart.services.projects import BULK_MAX

    items = [{"id": n, "version": 1} for n in range(1, BULK_MAX + 2)]
    _refusal(app, clients, clients["lead"], items, "member", 422)


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_members_and_viewers_may_not_reassign(app, clients, two, role):
    _refusal(app, clients, clients[role], [ref(p) for p in two], role, 403)


def test_session_writes_need_the_csrf_token_and_scripts_use_a_bearer_token(app, clients, two):
    from wallchart.core.models import ApiToken, hash_token
    from wallchart.extensions import db

    before = snapshot(app)
    raw = clients["lead"].client
    response = raw.post("/api/projects/assign",
                        json={"projects": [ref(two[0])], "owner": "member"})
    assert response.status_code == 400
    assert snapshot(app) == before
    token = "lead-script-token"
    with app.app_context():
        db.session.add(ApiToken(user_id=actor("lead").id, token_hash=hash_token(token)))
        db.session.commit()
    response = app.test_client().post("/api/projects/assign",
                                      headers={"Authorization": f"Bearer {token}"},
                                      json={"projects": [ref(two[0])], "owner": "viewer"})
    assert response.status_code == 200
    assert response.get_json()["projects"][0]["owner"] == "viewer"


def test_a_failure_while_writing_leaves_every_project_as_it_was(app, clients, two, monkeypatch):
    """All projects are written in ONE transaction: a failure on the second undoes the first."""
    from wallchart.services import events, projects

    prepared = []
    real_prepare = events.prepare

    def failing_prepare(project, action, revision):
        prepared.append(revision)
        if len(prepared) == 2:
            raise RuntimeError("disk full")
        return real_prepare(project, action, revision)

    monkeypatch.setattr(events, "prepare", failing_prepare)
    watcher = socket_client(app, clients["viewer"])
    watcher.get_received()
    before = snapshot(app)
    with app.app_context(), app.test_request_context(), pytest.raises(RuntimeError):
        projects.assign_projects(actor("lead"), [ref(p) for p in two], "member")
    assert prepared == [before["revision"] + 1, before["revision"] + 2]
    assert snapshot(app) == before
    assert project_events(watcher) == []


def test_the_service_returns_the_projects_in_the_order_asked(app, two):
    from wallchart.services import projects

    with app.app_context(), app.test_request_context():
        changed = projects.assign_projects(actor("admin"), [ref(two[1]), ref(two[0])], "lead")
        assert [(p.id, p.owner.username, p.version) for p in changed] == [
            (two[1]["id"], "lead", 2), (two[0]["id"], "lead", 2)]


# --- the workload view -----------------------------------------------------------------------

def freeze(monkeypatch, day: date) -> None:
    """Set the clock everywhere it is read: stamping stage dates, counting days, stalls."""
    for module in ("wallchart.services.projects", "wallchart.services.record",
                   "wallchart.reads.queries", "wallchart.web.templating", "wallchart.web.board"):
        monkeypatch.setattr(f"{module}.today", lambda: day)


@pytest.fixture
def seeded_load(app, clients, monkeypatch) -> dict[str, int]:
    """Projects entered their stages on chosen days; read on TODAY. Returns name -> id.

    Limits (days): contact 45, negotiating 30, signed 60, started 180, producing never.
    """
    from wallchart.services import projects

    plan = [  # name, stage, days in the stage on TODAY, investment (万元), owner, creator
        ("A", "contact", 46, 10000, "member", "member"),        # stalled
        ("B", "contact", 45, 20000, "member", "member"),        # exactly the limit: not stalled
        ("C", "negotiating", 31, 5000, "lead", "member"),       # stalled
        ("D", "producing", 1000, 123456, "lead", "member"),     # never stalled
        ("E", "signed", 61, 7000, None, "member"),              # stalled, nobody's
        ("F", "started", 181, 300000, "outsider", "outsider"),  # stalled, the other team
        ("G", "started", 500, 900000, "member", "member"),      # deleted: not counted
    ]
    ids = {}
    with app.app_context(), app.test_request_context():
        for name, stage, days, wan, owner, creator in plan:
            day = TODAY - timedelta(days=days)
            freeze(monkeypatch, day)
            # The stage gates: a started or producing project was signed (and started) before.
            passed = {"started": ["signed"], "producing": ["signed", "started"]}.get(stage, [])
            project = projects.create_project(actor(creator), {
                "name": name, "stage": stage, "investment_wan": wan,
                "stage_dates": dict.fromkeys(passed, day.isoformat())})
            if owner:
                project = projects.assign_project(actor("admin"), project.id, owner,
                                                  project.version)
            ids[name] = project.id
            if name == "G":
                projects.delete_project(actor("admin"), project.id, project.version)
    freeze(monkeypatch, TODAY)
    return ids


def rows(html: str) -> dict[str, dict]:
    """The workload table as {owner username ('' for nobody, 'TOTAL'): numbers}."""

    class Table(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.row, self.cell = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "tr" and ("data-owner" in attrs or attrs.get("class") == "total"):
                self.row = self.rows.setdefault(attrs.get("data-owner", "TOTAL"), {"text": ""})
            elif tag == "td" and self.row is not None:
                self.cell = attrs
                if "data-investment" in attrs:
                    self.row["wan"] = int(attrs["data-investment"])

        def handle_endtag(self, tag):
            if tag == "tr":
                self.row = None
            if tag == "td":
                self.cell = None

        def handle_data(self, data):
            if self.row is None:
                return
            self.row["text"] += data
            if self.cell is None:
                return
            if self.cell.get("data-stage"):
                self.row[self.cell["data-stage"]] = int(data)
            elif "data-stalled" in self.cell:
                self.row["stalled"] = int(data)
            elif "data-total" in self.cell:
                self.row["total"] = int(data)

    parser = Table()
    parser.feed(html)
    return parser.rows


def numbers(row: dict) -> tuple:
    return (row["contact"], row["negotiating"], row["signed"], row["started"], row["producing"],
            row["total"], row["wan"], row["stalled"])


def test_workload_counts_stages_money_and_stalled_projects(clients, seeded_load):
    page = clients["viewer"].get("/board/workload")
    assert page.status_code == 200
    table = rows(page.get_data(as_text=True))
    assert {name: numbers(row) for name, row in table.items()} == {
        "lead": (0, 1, 0, 0, 1, 2, 128456, 1),
        "member": (2, 0, 0, 0, 0, 2, 30000, 1),
        "outsider": (0, 0, 0, 1, 0, 1, 300000, 1),
        "": (0, 0, 1, 0, 0, 1, 7000, 1),
        "TOTAL": (2, 1, 1, 1, 1, 6, 465456, 4),
    }
    assert "12.85 亿元" in table["lead"]["text"]      # 128,456 万元 read in 亿元
    assert "Lead" in table["lead"]["text"] and "未指定责任人" in table[""]["text"]


def test_workload_for_one_team_lists_its_people_even_without_projects(clients, seeded_load):
    table = rows(clients["lead"].get(f"/board/workload?team={TEAM}").get_data(as_text=True))
    assert {name: numbers(row) for name, row in table.items()} == {
        "lead": (0, 1, 0, 0, 1, 2, 128456, 1),
        "member": (2, 0, 0, 0, 0, 2, 30000, 1),
        "viewer": (0, 0, 0, 0, 0, 0, 0, 0),
        "": (0, 0, 1, 0, 0, 1, 7000, 1),
        "TOTAL": (2, 1, 1, 0, 1, 5, 165456, 3),
    }
    table = rows(clients["lead"].get(f"/board/workload?team={OTHER_TEAM}").get_data(as_text=True))
    assert {name: numbers(row) for name, row in table.items()} == {
        "outsider": (0, 0, 0, 1, 0, 1, 300000, 1),
        "": (0, 0, 0, 0, 0, 0, 0, 0),
        "TOTAL": (0, 0, 0, 1, 0, 1, 300000, 1),
    }
    assert clients["lead"].get("/board/workload?team=不存在").status_code == 404


def test_stalled_follows_the_clock_and_the_configured_limits(app, clients, seeded_load,
                                                            monkeypatch):
    freeze(monkeypatch, TODAY + timedelta(days=1))   # B passes its 45 days
    table = rows(clients["viewer"].get("/board/workload").get_data(as_text=True))
    assert (table["member"]["stalled"], table["TOTAL"]["stalled"]) == (2, 5)
    app.config["STALL_DAYS"] = {**app.config["STALL_DAYS"], "started": None, "producing": 900}
    table = rows(clients["viewer"].get("/board/workload").get_data(as_text=True))
    assert (table["outsider"]["stalled"], table["lead"]["stalled"]) == (0, 2)


def test_stalled_is_the_no_update_warning_and_counts_only_the_board(app, clients, seeded_load,
                                                                    monkeypatch):
    """A progress note restarts the count as it clears the card's "no update" warning; a
    withdrawn project is in the archive, no one's workload."""
    from wallchart.core.early_warnings import warning_for
    from wallchart.core.models import Project
    from wallchart.extensions import db
    from wallchart.services import notes, projects

    with app.app_context(), app.test_request_context():
        monkeypatch.setattr("wallchart.services.notes.today", lambda: TODAY - timedelta(days=10))
        notes.add_note(actor("member"), seeded_load["A"], "投资方确认下月来访")  # 46 days in stage
        project = db.session.get(Project, seeded_load["C"])
        projects.withdraw_project(actor("lead"), project.id, project.version, "funding")
        noted = db.session.get(Project, seeded_load["A"])
        assert warning_for(noted, TODAY, app.config).colour is None
    page = clients["viewer"].get("/board/workload").get_data(as_text=True)
    table = rows(page)
    assert numbers(table["member"]) == (2, 0, 0, 0, 0, 2, 30000, 0)
    assert numbers(table["lead"]) == (0, 0, 0, 0, 1, 1, 123456, 0)
    assert table["TOTAL"]["stalled"] == 2   # E and F, by their stage dates
    assert "既无进展记录也未进入新阶段" in page


def test_workload_reads_in_english_and_escapes_names(app, clients, seeded_load):
    from wallchart.core.models import Project, Team, User
    from wallchart.extensions import db
    from wallchart.services import projects

    with app.app_context(), app.test_request_context():
        team = db.session.execute(select(Team).where(Team.name == TEAM)).scalar_one()
        user = User(username="xss", display_name="<script>alert(1)</script>", role="member",
                    password_hash="!")
        team.members.append(user)
        db.session.commit()
        project = db.session.get(Project, seeded_load["E"])
        projects.assign_project(actor("lead"), project.id, "xss", project.version)
    viewer = clients["viewer"]
    html = viewer.get("/board/workload").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    viewer.post("/language", data={"lang": "en", "csrf_token": viewer.csrf})
    table = rows(viewer.get("/board/workload").get_data(as_text=True))
    assert "CNY 1.28bn" in table["lead"]["text"] and "No owner" in table[""]["text"]


def workload_sheet(client, **query):
    response = client.get("/board/workload.xlsx", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == XLSX
    return response, load_workbook(io.BytesIO(response.data)).active


def sheet_rows(sheet) -> dict[str, tuple]:
    """The workbook's table as {owner's name shown: (序号, the page's numbers in 万元)}."""
    found = {}
    for row in sheet.iter_rows(min_row=3):
        if row[1].value and row[2].value is not None:
            values = [cell.value for cell in row]
            found[values[1]] = (values[0], *values[2:8], round(values[8] * 10000), values[9])
    return found


def test_workload_as_excel_holds_what_the_page_shows(app, clients, seeded_load):
    """Everyone's file is the page's table: the same owners (a team's people for ?team=), the
    counts and the stalled as numbers, the investment in 亿元 as a number, 序号 1..n."""
    for who, query in (("viewer", {}), ("outsider", {}), ("lead", {"team": TEAM}),
                       ("outsider", {"team": OTHER_TEAM})):
        client = clients[who]
        page = rows(client.get("/board/workload", query_string=query).get_data(as_text=True))
        _response, sheet = workload_sheet(client, **query)
        table = sheet_rows(sheet)
        names = {"": "未指定责任人", "TOTAL": "合计"}
        owners = [name for name in page if name not in names]
        with app.app_context():
            labels = {name: actor(name).label for name in owners}
        expected = {labels.get(name, names.get(name)): numbers(row) for name, row in page.items()}
        assert {name: values[1:] for name, values in table.items()} == expected, query
        assert [table[labels[name]][0] for name in owners] == list(range(1, len(owners) + 1))
        assert table["合计"][0] is None and table["未指定责任人"][0] is None
    _response, sheet = workload_sheet(clients["viewer"])
    assert [cell.value for cell in sheet[2]] == [
        "序号", "责任人", "接触洽谈", "在谈", "已签约", "已开工", "竣工投产", "全部阶段",
        "投资额（亿元）", "停滞"]
    total = next(row for row in sheet.iter_rows(min_row=3) if row[1].value == "合计")
    assert total[8].value == pytest.approx(46.5456) and total[8].number_format == "#,##0.00"
    assert all(cell.font.bold for cell in total[1:])
    assert any("既无进展记录也未进入新阶段" in str(row[1].value)
               for row in sheet.iter_rows(min_row=3))  # what "stalled" means, under the table
    response, sheet = workload_sheet(clients["lead"], team=TEAM)
    assert sheet["A1"].value == f"工作量 · {TEAM} · 截至 {TODAY.isoformat()}"
    assert f'filename="workload_{TODAY.isoformat()}.xlsx"' in response.headers[
        "Content-Disposition"]
    assert clients["lead"].get("/board/workload.xlsx?team=不存在").status_code == 404
    response = app.test_client().get("/board/workload.xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_workload_page_offers_its_table_as_excel(clients, seeded_load):
    page = clients["lead"].get(f"/board/workload?team={TEAM}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" data-export>([^<]+)</a>', page)
    assert link.group(2) == "导出 Excel"
    assert unquote(link.group(1)) == f"/board/workload.xlsx?team={TEAM}"


def test_workload_takes_a_constant_number_of_queries(app, clients, make_project):
    viewer = clients["viewer"]
    make_project("一")
    few = {url: count_statements(app, viewer, url)
           for url in ("/board/workload", f"/board/workload?team={TEAM}")}
    for n in range(12):
        stage = ("contact", "signed", "started")[n % 3]
        signed = {"signed": "2026-01-05"} if stage == "started" else {}
        project = make_project(f"项目{n}", stage=stage, stage_dates=signed)
        if n % 4:
            assign(clients["lead"], [ref(project)], ("lead", "member", "viewer")[n % 3])
    many = {url: count_statements(app, viewer, url) for url in few}
    assert many == few


def test_anonymous_visitors_cannot_see_the_workload(app):
    response = app.test_client().get("/board/workload")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the board: "my teams", the selection bar ------------------------------------------------

def attribute(html: str, element_id: str, name: str) -> str | None:
    """The attribute of the element with that id; None when it is not there."""

    class Find(HTMLParser):
        value = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if attrs.get("id") == element_id and name in attrs:
                Find.value = attrs[name] or ""   # a boolean attribute reads as ""

    Find().feed(html)
    return Find.value


def test_the_board_knows_each_cards_team_and_the_users_teams(app, clients, make_project, theirs):
    ours = make_project("一组的项目")
    html = clients["member"].get("/board?teams=mine").get_data(as_text=True)
    assert json.loads(attribute(html, "board", "data-my-teams")) == [TEAM]
    assert re.search(rf'data-project-id="{ours["id"]}"[^>]*data-team="{TEAM}"', html)
    assert re.search(rf'data-project-id="{theirs["id"]}"[^>]*data-team="{OTHER_TEAM}"', html)
    assert attribute(html, "filter-teams", "checked") is not None
    html = clients["member"].get("/board").get_data(as_text=True)
    assert attribute(html, "filter-teams", "checked") is None
    # The administrator is in no team: nothing to filter by.
    assert 'id="filter-teams"' not in clients["admin"].get("/board").get_data(as_text=True)


def test_team_names_are_escaped_in_the_filter_data(app, clients):
    from wallchart.core.models import Team
    from wallchart.extensions import db

    name = """x"y'<b>&"""
    with app.app_context():
        team = Team(name=name)
        team.members.append(actor("member"))
        db.session.add(team)
        db.session.commit()
    html = clients["member"].get("/board").get_data(as_text=True)
    assert "<b>&" not in html
    assert sorted(json.loads(attribute(html, "board", "data-my-teams"))) == sorted([TEAM, name])


def test_only_leads_and_admins_get_the_selection_tools(clients):
    lead = clients["lead"].get("/board").get_data(as_text=True)
    assert 'id="select-mode"' in lead and 'id="bulk-bar"' in lead
    owners = lead.split('id="bulk-owner"')[1].split("</select>")[0]
    assert re.findall(r'value="(\w+)"', owners) == ["lead", "member", "viewer"]
    for role in ("member", "viewer"):
        html = clients[role].get("/board").get_data(as_text=True)
        assert 'id="select-mode"' not in html and 'id="bulk-bar"' not in html
        assert "/board/workload" in html
