"""Blockers (协调事项): raising and resolving them (service, JSON API, the panel's forms), the
project row's counters and early warning that follow, and the city-wide list for the
scheduling meeting."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.helpers import OTHER_TEAM, actor, count_statements, snapshot
from wallchart.core.early_warnings import warning_for
from wallchart.core.models import Blocker, Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import blockers, projects
from wallchart.services.projects import create_project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEYS = {"id", "project", "kind", "department", "description", "raised_on", "due_on", "status",
        "resolution", "resolved_on", "raised_by", "resolved_by", "version", "overdue", "age_days",
        "meeting", "follow_up"}


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def raise_(client, project_id: int, **fields):
    body = {"kind": "land", "department": "市自然资源和规划局", **fields}
    return client.post(f"/api/projects/{project_id}/blockers", json=body)


def resolve(client, blocker: dict, resolution="已协调解决", **extra):
    return client.post(f"/api/blockers/{blocker['id']}/resolve",
                       json={"version": blocker["version"], "resolution": resolution, **extra})


def withdraw(app, project_id: int) -> None:
    with app.app_context():
        version = db.session.get(Project, project_id).version
        projects.withdraw_project(actor("lead"), project_id, version, "duplicate")


def counters(app, project_id: int) -> tuple[int, date | None, int]:
    with app.app_context():
        project = db.session.get(Project, project_id)
        return project.open_blockers, project.blocker_due, project.version


def everything(app) -> dict:
    """``snapshot`` plus the blockers, as a refused request must leave them."""
    with app.app_context():
        rows = db.session.execute(select(
            Blocker.id, Blocker.status, Blocker.version, Blocker.resolution,
            Blocker.resolved_on, Blocker.due_on).order_by(Blocker.id)).all()
        counts = db.session.execute(select(
            Project.id, Project.open_blockers, Project.blocker_due).order_by(Project.id)).all()
    return {**snapshot(app), "blockers": [tuple(r) for r in rows],
            "counters": [tuple(c) for c in counts]}


# --- raising ------------------------------------------------------------------------------------

def test_raising_a_blocker(app, clients, make_project):
    project = make_project()
    response = raise_(clients["member"], project["id"], kind="approval",
                      department="市发展和改革委员会",
                      description="环评批复未下达。\r\n需协调省厅加快审查。", due_on=days(10))
    assert response.status_code == 201, response.json
    blocker = response.json
    assert set(blocker) == KEYS
    assert blocker == {
        "id": blocker["id"], "project": {"id": project["id"], "name": project["name"]},
        "kind": "approval", "department": "市发展和改革委员会",
        "description": "环评批复未下达。\n需协调省厅加快审查。",
        "raised_on": today().isoformat(), "due_on": days(10), "status": "open",
        "resolution": "", "resolved_on": None, "raised_by": "member", "resolved_by": None,
        "version": 1, "overdue": False, "age_days": 0, "meeting": None,
        "follow_up": ""}
    assert counters(app, project["id"]) == (1, today() + timedelta(days=10),
                                           project["version"] + 1)
    history = clients["viewer"].get(f"/api/projects/{project['id']}").json["history"]
    assert history[0]["action"] == "blocker_raised"
    assert history[0]["by"] == "member"
    assert history[0]["changes"] == {
        "blocker": blocker["id"], "kind": "approval", "department": "市发展和改革委员会",
        "description": "环评批复未下达。\n需协调省厅加快审查。",
        "raised": today().isoformat(), "due": days(10)}


def test_a_backdated_blocker_without_due_date(app, clients, make_project):
    project = make_project()
    blocker = raise_(clients["lead"], project["id"], kind="funding", department="市财政局",
                     raised_on=days(-12)).json
    assert (blocker["raised_on"], blocker["due_on"], blocker["age_days"], blocker["overdue"]) \
        == (days(-12), None, 12, False)
    assert counters(app, project["id"])[:2] == (1, None)


LONG = "部" * 101


@pytest.mark.parametrize(("fields", "field", "says"), [
    pytest.param({"kind": None}, "kind", "类型", id="kind-missing"),
    pytest.param({"kind": "weather"}, "kind", "类型", id="kind-unknown"),
    pytest.param({"kind": ["land"]}, "kind", "类型", id="kind-list"),
    pytest.param({"department": ""}, "department", "必填", id="department-empty"),
    pytest.param({"department": "   "}, "department", "必填", id="department-blank"),
    pytest.param({"department": None}, "department", "必填", id="department-null"),
    pytest.param({"department": LONG}, "department", "100", id="department-too-long"),
    pytest.param({"department": "市\n发改委"}, "department", "换行", id="department-line-break"),
    pytest.param({"department": "市\t发改委"}, "department", "换行", id="department-tab"),
    pytest.param({"department": 12}, "department", "文字", id="department-number"),
    pytest.param({"description": "述" * 2001}, "description", "2000", id="description-long"),
    pytest.param({"description": "铃\x07"}, "description", "换行", id="description-control"),
    pytest.param({"description": {"a": 1}}, "description", "文字", id="description-object"),
    pytest.param({"due_on": "2025/01/01"}, "due_on", "YYYY-MM-DD", id="due-slashes"),
    pytest.param({"due_on": "2025-02-30"}, "due_on", "YYYY-MM-DD", id="due-no-such-day"),
    pytest.param({"due_on": "20250101"}, "due_on", "YYYY-MM-DD", id="due-compact"),
    pytest.param({"due_on": 20250101}, "due_on", "YYYY-MM-DD", id="due-number"),
    pytest.param({"due_on": "0202-01-01"}, "due_on", "YYYY-MM-DD", id="due-year-slip"),
    pytest.param({"raised_on": days(-3), "due_on": days(-4)}, "due_on", "早于",
                 id="due-before-raised"),
    pytest.param({"due_on": days(-1)}, "due_on", "早于", id="due-before-today-raised"),
    pytest.param({"raised_on": days(1)}, "raised_on", "今天", id="raised-in-future"),
    pytest.param({"raised_on": "yesterday"}, "raised_on", "YYYY-MM-DD", id="raised-text"),
    pytest.param({"raised_on": "2025-13-01"}, "raised_on", "YYYY-MM-DD", id="raised-month"),
    pytest.param({"status": "resolved"}, "status", "未知", id="unknown-status"),
    pytest.param({"raised_by": "admin"}, "raised_by", "未知", id="unknown-raised-by"),
    pytest.param({"project": 1}, "project", "未知", id="unknown-project"),
])
def test_a_bad_blocker_is_refused_and_nothing_changes(app, clients, make_project, fields, field,
                                                      says):
    project = make_project()
    before = everything(app)
    response = raise_(clients["member"], project["id"], **fields)
    assert response.status_code == 422, response.json
    assert says in response.json["fields"][field], response.json
    assert everything(app) == before


def test_limits_are_inclusive(app, clients, make_project):
    project = make_project()
    response = raise_(clients["member"], project["id"], department="部" * 100,
                      description="述" * 2000, raised_on=days(0), due_on=days(0))
    assert response.status_code == 201, response.json
    assert counters(app, project["id"])[:2] == (1, today())


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_other_teams_cannot_raise_or_resolve(app, clients, make_project, who):
    project = make_project()
    blocker = raise_(clients["member"], project["id"]).json
    before = everything(app)
    assert raise_(clients[who], project["id"]).status_code == 403
    assert resolve(clients[who], blocker).status_code == 403
    assert everything(app) == before
    # Reading is for everyone signed in.
    listed = clients[who].get(f"/api/projects/{project['id']}/blockers")
    assert [b["id"] for b in listed.json["blockers"]] == [blocker["id"]]


def test_the_other_teams_project_takes_blockers_from_its_own_team(app, clients, counties):
    with app.app_context():
        theirs = create_project(actor("outsider"), {"name": "二组项目", "team": OTHER_TEAM}).id
    assert raise_(clients["outsider"], theirs).status_code == 201
    assert raise_(clients["lead"], theirs).status_code == 403
    assert raise_(clients["admin"], theirs).status_code == 201


def test_missing_deleted_and_withdrawn_projects(app, clients, make_project):
    gone, closed = make_project("已删除"), make_project("已终止")
    open_on_closed = raise_(clients["member"], closed["id"]).json
    assert clients["lead"].delete(f"/api/projects/{gone['id']}",
                                  json={"version": gone["version"]}).status_code == 204
    withdraw(app, closed["id"])
    before = everything(app)
    assert raise_(clients["admin"], 999999).status_code == 404
    assert raise_(clients["admin"], gone["id"]).status_code == 404
    refused = raise_(clients["admin"], closed["id"])
    assert refused.status_code == 422 and "重新启用" in refused.json["error"]
    refused = resolve(clients["admin"], open_on_closed)
    assert refused.status_code == 422 and "重新启用" in refused.json["error"]
    assert resolve(clients["admin"], {"id": 999999, "version": 1}).status_code == 404
    assert everything(app) == before
    assert clients["viewer"].get(f"/api/projects/{gone['id']}/blockers").status_code == 404


# --- resolving ----------------------------------------------------------------------------------

def test_resolving_a_blocker(app, clients, make_project):
    project = make_project()
    blocker = raise_(clients["member"], project["id"], raised_on=days(-5), due_on=days(3)).json
    response = resolve(clients["lead"], blocker, "  经市政府专题会协调，\n用地指标已落实。 ")
    assert response.status_code == 200, response.json
    done = response.json
    assert {k: done[k] for k in ("status", "resolution", "resolved_on", "resolved_by",
                                 "version", "overdue", "age_days")} == {
        "status": "resolved", "resolution": "经市政府专题会协调，\n用地指标已落实。",
        "resolved_on": today().isoformat(), "resolved_by": "lead", "version": 2,
        "overdue": False, "age_days": 5}
    assert counters(app, project["id"])[:2] == (0, None)
    history = clients["viewer"].get(f"/api/projects/{project['id']}").json["history"]
    assert (history[0]["action"], history[0]["by"]) == ("blocker_resolved", "lead")
    assert history[0]["changes"] == {
        "blocker": blocker["id"], "kind": "land", "department": "市自然资源和规划局",
        "due": days(3), "resolution": "经市政府专题会协调，\n用地指标已落实。"}


@pytest.mark.parametrize(("body", "status", "field"), [
    pytest.param({"resolution": ""}, 422, "resolution", id="empty"),
    pytest.param({"resolution": " \n "}, 422, "resolution", id="blank"),
    pytest.param({"resolution": None}, 422, "resolution", id="null"),
    pytest.param({"resolution": "解" * 2001}, 422, "resolution", id="too-long"),
    pytest.param({"resolution": "退格\x08"}, 422, "resolution", id="control"),
    pytest.param({"version": None}, 422, "version", id="no-version"),
    pytest.param({"version": "1"}, 422, "version", id="version-text"),
    pytest.param({"version": True}, 422, "version", id="version-bool"),
    pytest.param({"version": 0}, 409, None, id="stale-version"),
    pytest.param({"status": "resolved"}, 422, "status", id="unknown-field"),
])
def test_a_bad_resolution_is_refused_and_nothing_changes(app, clients, make_project, body, status,
                                                        field):
    project = make_project()
    blocker = raise_(clients["member"], project["id"]).json
    before = everything(app)
    response = clients["member"].post(f"/api/blockers/{blocker['id']}/resolve", json={
        "version": blocker["version"], "resolution": "已解决", **body})
    assert response.status_code == status, response.json
    if field:
        assert field in response.json["fields"], response.json
    else:  # the blocker as it is now comes with the refusal
        assert response.json["blocker"]["id"] == blocker["id"]
        assert response.json["blocker"]["status"] == "open"
    assert everything(app) == before


def test_a_blocker_is_resolved_once(app, clients, make_project):
    project = make_project()
    blocker = raise_(clients["member"], project["id"]).json
    assert resolve(clients["member"], blocker).status_code == 200
    before = everything(app)
    # The same request again: its version is stale now.
    again = resolve(clients["lead"], blocker, "再次办结")
    assert again.status_code == 409 and again.json["blocker"]["resolved_by"] == "member"
    # With the current version: already resolved.
    current = {**blocker, "version": again.json["blocker"]["version"]}
    refused = resolve(clients["lead"], current, "再次办结")
    assert refused.status_code == 422 and "已经解决" in refused.json["error"]
    assert everything(app) == before


# --- the project row's counters -----------------------------------------------------------------

def test_counters_follow_several_blockers(app, clients, make_project):
    project = make_project()
    member = clients["member"]
    late = raise_(member, project["id"], due_on=days(20)).json
    assert counters(app, project["id"])[:2] == (1, today() + timedelta(days=20))
    undated = raise_(member, project["id"], kind="policy", department="市商务局").json
    assert counters(app, project["id"])[:2] == (2, today() + timedelta(days=20))
    soon = raise_(member, project["id"], kind="funding", department="市财政局",
                  raised_on=days(-10), due_on=days(-2)).json
    middle = raise_(member, project["id"], kind="approval", department="市住建局",
                    due_on=days(5)).json
    assert counters(app, project["id"])[:2] == (4, today() - timedelta(days=2))

    resolve(member, soon)
    assert counters(app, project["id"])[:2] == (3, today() + timedelta(days=5))
    resolve(member, late)
    assert counters(app, project["id"])[:2] == (2, today() + timedelta(days=5))
    resolve(member, middle)
    assert counters(app, project["id"])[:2] == (1, None)  # the one left has no due date
    resolve(member, undated)
    assert counters(app, project["id"])[:2] == (0, None)
    # The counters agree with the table, and another project's blockers never count.
    other = make_project("另一个项目")
    raise_(member, other["id"], due_on=days(1))
    assert counters(app, project["id"])[:2] == (0, None)
    with app.app_context():
        assert db.session.execute(select(func.count(Blocker.id)).where(
            Blocker.project_id == project["id"], Blocker.status == "open")).scalar() == 0


def test_the_card_shows_the_open_blockers(app, clients, make_project):
    project = make_project()
    raise_(clients["member"], project["id"])
    raise_(clients["member"], project["id"], kind="other", department="市公安局")
    board = clients["viewer"].get("/board").get_data(as_text=True)
    card = re.search(rf'<article[^>]*data-project-id="{project["id"]}"[^>]*>', board).group(0)
    assert 'data-blockers="2"' in card


# --- early warnings -----------------------------------------------------------------------------

def test_a_blocker_past_its_due_date_turns_the_card_yellow_then_red(app, clients, make_project):
    """Frozen clock: due on D; on D fine, D+1 … D+N yellow, D+N+1 red (N = OVERDUE_RED_DAYS)."""
    project = make_project()
    due = today() - timedelta(days=30)
    blocker = raise_(clients["member"], project["id"], raised_on=due.isoformat(),
                     due_on=due.isoformat()).json
    with app.app_context():
        config = app.config
        late_red = config["OVERDUE_RED_DAYS"]
        current = db.session.get(Project, project["id"])

        def colour(late: int) -> str | None:
            return warning_for(current, due + timedelta(days=late), config).colour

        assert colour(0) is None
        assert colour(1) == "yellow"
        assert colour(late_red - 1) == "yellow"
        assert colour(late_red) == "yellow"
        assert colour(late_red + 1) == "red"
        reasons = warning_for(current, due + timedelta(days=late_red + 1), config).reasons
        assert any(str(late_red + 1) in reason and "协调事项" in reason for reason in reasons), \
            reasons
    # Resolved: nothing left to warn about.
    resolve(clients["member"], blocker)
    with app.app_context():
        current = db.session.get(Project, project["id"])
        assert warning_for(current, due + timedelta(days=late_red + 1), config).colour is None


def test_an_overdue_blocker_colours_the_card_on_the_board(app, clients, make_project):
    project = make_project()
    late_red = app.config["OVERDUE_RED_DAYS"]
    raise_(clients["member"], project["id"], raised_on=days(-late_red - 5),
           due_on=days(-late_red - 1))
    board = clients["viewer"].get("/board").get_data(as_text=True)
    card = re.search(rf'<article[^>]*data-project-id="{project["id"]}"[^>]*>', board).group(0)
    assert 'data-warning="red"' in card and "warning-red" in card


# --- the city-wide list -------------------------------------------------------------------------

@pytest.fixture
def city(app, clients, make_project, counties):
    """Blockers on three projects in two counties, one project of 二组, one resolved, one on a
    withdrawn project and one on a deleted project."""
    member = clients["member"]
    a = make_project("甲项目", county=counties[0])
    b = make_project("乙项目", county=counties[1])
    gone = make_project("已删除项目")
    closed = make_project("已终止项目")
    with app.app_context():
        theirs = create_project(actor("outsider"), {"name": "丙项目", "team": OTHER_TEAM,
                                                    "county": counties[1]}).id
    made = {
        "a-land": raise_(member, a["id"], raised_on=days(-30), due_on=days(-3)).json,
        "b-tax": raise_(member, b["id"], kind="policy", department="市税务局",
                        raised_on=days(-10)).json,
        "c-fund": raise_(clients["outsider"], theirs, kind="funding", department="市财政局",
                         raised_on=days(-20), due_on=days(7)).json,
        "a-fund": raise_(member, a["id"], kind="funding", department="市财政局",
                         raised_on=days(-1)).json,
        "b-done": raise_(member, b["id"], kind="approval", department="市住建局",
                         raised_on=days(-40)).json,
        "gone": raise_(member, gone["id"], raised_on=days(-50)).json,
        "closed": raise_(member, closed["id"], raised_on=days(-60)).json,
    }
    resolve(member, made["b-done"])
    clients["lead"].delete(f"/api/projects/{gone['id']}", json={"version": gone["version"] + 1})
    withdraw(app, closed["id"])
    return {name: blocker["id"] for name, blocker in made.items()}


def listed(client, **query) -> list[int]:
    response = client.get("/api/blockers", query_string=query)
    assert response.status_code == 200, response.json
    return [b["id"] for b in response.json["blockers"]]


def test_the_city_list_sorts_by_age_and_by_department(app, clients, city):
    viewer = clients["viewer"]
    assert listed(viewer) == [city["a-land"], city["c-fund"], city["b-tax"], city["a-fund"]]
    assert listed(viewer, sort="age") == listed(viewer)
    # By department (codepoint order: 税 < 自 < 财), the oldest first within one.
    assert listed(viewer, sort="department") == \
        [city["b-tax"], city["a-land"], city["c-fund"], city["a-fund"]]
    assert listed(viewer, status="resolved") == [city["b-done"]]


def test_the_city_list_filters_by_county_and_department(app, clients, city, counties):
    viewer = clients["viewer"]
    assert listed(viewer, county=counties[0]) == [city["a-land"], city["a-fund"]]
    assert listed(viewer, county=counties[1]) == [city["c-fund"], city["b-tax"]]
    assert listed(viewer, county="无此县") == []
    assert listed(viewer, department="市财政局") == [city["c-fund"], city["a-fund"]]
    assert listed(viewer, department="市财政局", county=counties[0], sort="department") == \
        [city["a-fund"]]
    answer = viewer.get("/api/blockers").json["blockers"]
    first = answer[0]
    assert (first["overdue"], first["age_days"], first["project"]["name"]) == (True, 30, "甲项目")
    for bad in ({"status": "closed"}, {"sort": "name"}):
        response = viewer.get("/api/blockers", query_string=bad)
        assert response.status_code == 422 and set(response.json["fields"]) == set(bad)


def test_the_city_list_takes_a_constant_number_of_queries(app, clients, make_project, counties):
    viewer = clients["viewer"]
    project = make_project("甲")
    raise_(clients["member"], project["id"])
    urls = ("/api/blockers", "/blockers", "/blockers?sort=department",
            f"/api/projects/{project['id']}/blockers")
    few = {url: count_statements(app, viewer, url) for url in urls}
    for n in range(6):
        other = make_project(f"项目{n}", county=counties[n % 3])
        raise_(clients[("member", "lead")[n % 2]], other["id"], department=f"部门{n % 2}",
               due_on=days(n))
        raise_(clients["member"], project["id"], department=f"部门{n}")
    for blocker in clients["viewer"].get(f"/api/projects/{project['id']}/blockers").json[
            "blockers"][:2]:
        resolve(clients["lead"], blocker)
    assert {url: count_statements(app, viewer, url) for url in urls} == few


def test_the_city_page(app, clients, city, counties):
    viewer = clients["viewer"]
    page = viewer.get("/blockers").get_data(as_text=True)
    rows = re.findall(r'<tr data-blocker-id="(\d+)" class="([^"]*)"', page)
    assert [int(i) for i, _c in rows] == [city["a-land"], city["c-fund"], city["b-tax"],
                                          city["a-fund"]]
    assert dict((int(i), c) for i, c in rows)[city["a-land"]] == "overdue"
    assert '<strong id="count-open">4</strong>' in page
    assert '<strong id="count-overdue">1</strong>' in page
    for text in ("甲项目", "丙项目", "二组", counties[1], "市税务局", "用地", days(-30), ">30<"):
        assert text in page, text
    for text in ("已删除项目", "已终止项目"):
        assert text not in page
    # The sort links keep the filters; the filters keep the sort.
    page = viewer.get("/blockers", query_string={"county": counties[0], "sort": "department"})
    body = page.get_data(as_text=True)
    assert re.findall(r'<tr data-blocker-id="(\d+)"', body) == [str(city["a-land"]),
                                                                str(city["a-fund"])]
    assert 'href="/blockers?sort=age&amp;county=' in body
    assert '<input type="hidden" name="sort" value="department">' in body
    # An unknown sort falls back to age rather than failing the meeting.
    assert viewer.get("/blockers?sort=whatever").status_code == 200
    response = app.test_client().get("/blockers")
    assert response.status_code == 302 and "/login" in response.location


def city_workbook(client, **query):
    """The Excel file of the city list: its data rows (below the title and header)."""
    response = client.get("/blockers.xlsx", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.data)).active
    return response, sheet, list(sheet.iter_rows(min_row=3))


def test_the_city_list_as_excel_holds_what_the_page_shows(app, clients, city, counties):
    """For the scheduling meeting: each person's file holds the page's rows in the page's order
    (with its sort and filters), numbered 1..n, dates as dates, the age as a number."""
    for who in ("viewer", "outsider"):
        client = clients[who]
        for query in ({}, {"sort": "department"}, {"county": counties[0]},
                      {"department": "市财政局", "sort": "department"}):
            page = client.get("/blockers", query_string=query).get_data(as_text=True)
            shown = re.findall(r'<tr data-blocker-id="\d+"[^>]*>\s*<th scope="row">([^<\n]+)',
                               page)
            _response, _sheet, data = city_workbook(client, **query)
            assert [row[1].value for row in data] == [name.strip() for name in shown], query
            assert [row[0].value for row in data] == list(range(1, len(shown) + 1))
    response, sheet, data = city_workbook(clients["viewer"])
    assert [cell.value for cell in sheet[2]] == [
        "序号", "项目", "县市区", "专班", "类型", "责任部门", "需协调的问题", "提出日期",
        "已过天数", "办结期限", "已逾期"]
    assert sheet["A1"].value == f"待协调事项 · 截至 {today().isoformat()}"
    first = data[0]  # 甲项目's land blocker: 30 days old, due 3 days ago
    assert [first[1].value, first[2].value, first[4].value, first[5].value] == [
        "甲项目", counties[0], "用地", "市自然资源和规划局"]
    assert first[7].value.date() == today() - timedelta(days=30)
    assert first[7].number_format == "yyyy-mm-dd"
    assert first[8].value == 30 and first[8].data_type == "n"
    assert first[9].value.date() == today() - timedelta(days=3) and first[10].value == "是"
    assert all(row[10].value is None for row in data[1:])  # the others are not overdue
    names = {row[1].value for row in data}
    assert "已删除项目" not in names and "已终止项目" not in names
    disposition = response.headers["Content-Disposition"]
    assert f'filename="open-blockers_{today().isoformat()}.xlsx"' in disposition
    _response, sheet, data = city_workbook(clients["viewer"], county=counties[1],
                                           department="市税务局")
    assert sheet["A1"].value.startswith(f"待协调事项 · {counties[1]} · 市税务局 · 截至")
    assert [row[1].value for row in data] == ["乙项目"]
    _response, sheet, data = city_workbook(clients["viewer"], county="无此县")
    assert [row[1].value for row in data] == ["没有待协调事项。"]


def test_the_city_page_offers_its_list_as_excel(app, clients, city, counties):
    page = clients["viewer"].get("/blockers", query_string={"county": counties[0],
                                                            "sort": "department"})
    link = re.search(r'<a href="([^"]+)" data-export>([^<]+)</a>', page.get_data(as_text=True))
    assert link.group(2) == "导出 Excel"
    assert unquote(html.unescape(link.group(1))) == \
        f"/blockers.xlsx?sort=department&county={counties[0]}"


def test_the_city_list_as_excel_keeps_texts_as_texts_and_needs_a_sign_in(app, clients,
                                                                        make_project):
    project = make_project("=HYPERLINK(\"http://evil.example\",\"x\")")
    raise_(clients["member"], project["id"], department="@SUM(1)", description="=1+1")
    _response, _sheet, data = city_workbook(clients["viewer"])
    row = data[0]
    assert [row[1].value, row[5].value, row[6].value] == [
        "=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(1)", "=1+1"]
    assert all(row[i].data_type == "s" for i in (1, 5, 6))
    response = app.test_client().get("/blockers.xlsx")
    assert response.status_code == 302 and "/login" in response.location


def test_the_city_page_in_english(app, clients, city):
    viewer = clients["viewer"]
    viewer.post("/language", data={"lang": "en", "next": "/blockers"})
    page = viewer.get("/blockers").get_data(as_text=True)
    for text in ("Open blockers", "Sort by:", "Age (days)", "Land", "Print"):
        assert text in page, text


# --- the panel's forms --------------------------------------------------------------------------

def test_the_panel_forms_raise_and_resolve(app, clients, make_project):
    project = make_project()
    member = clients["member"]
    hx = {"HX-Request": "true"}
    url = f"/board/projects/{project['id']}/blockers"
    before = everything(app)
    refused = member.post(url, data={"kind": "land", "department": "", "due_on": "明天"},
                          headers=hx)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert body.lstrip().startswith('<section class="panel-section blockers-section"')
    assert body.count('aria-invalid="true"') == 2 and "<details class=\"raise\" open>" in body
    assert everything(app) == before

    raised = member.post(url, headers=hx, data={
        "kind": "approval", "department": "市生态环境局", "description": "环评<b>待批</b>",
        "raised_on": days(-2), "due_on": days(-1), "status": "resolved", "raised_by": "admin"})
    assert raised.status_code == 200, raised.get_data(as_text=True)[:500]
    body = raised.get_data(as_text=True)
    assert "市生态环境局" in body and "环评&lt;b&gt;待批&lt;/b&gt;" in body
    assert 'class="blocker blocker-open overdue"' in body
    with app.app_context():
        blocker = db.session.execute(select(Blocker)).scalar_one()
        assert (blocker.status, blocker.raised_by.username) == ("open", "member")
        blocker_id, version = blocker.id, blocker.version

    resolve_url = f"/board/blockers/{blocker_id}/resolve"
    refused = member.post(resolve_url, data={"version": str(version), "resolution": ""},
                          headers=hx)
    assert refused.status_code == 422
    assert '<details class="resolve" open>' in refused.get_data(as_text=True)
    stale = member.post(resolve_url, data={"version": "99", "resolution": "已办"}, headers=hx)
    assert stale.status_code == 409 and "刚刚修改" in stale.get_data(as_text=True)
    done = member.post(resolve_url, data={"version": str(version), "resolution": "批复已下达"},
                       headers=hx)
    assert done.status_code == 200
    body = done.get_data(as_text=True)
    assert "批复已下达" in body and "blocker-resolved" in body and "Resolve" not in body
    assert counters(app, project["id"])[:2] == (0, None)
    assert member.post("/board/blockers/999999/resolve",
                       data={"version": "1", "resolution": "无"}).status_code == 404


def test_viewers_see_the_blockers_but_no_forms(app, clients, make_project):
    project = make_project()
    raise_(clients["member"], project["id"], description="土地报批中")
    for who, forms in (("viewer", False), ("outsider", False), ("member", True)):
        section = clients[who].get(f"/board/projects/{project['id']}/blockers")
        body = section.get_data(as_text=True)
        assert "土地报批中" in body
        assert ("<form" in body) == forms, who
    refused = clients["viewer"].post(f"/board/projects/{project['id']}/blockers",
                                     data={"kind": "land", "department": "某局"})
    assert refused.status_code == 403 and "blockers-section" in refused.get_data(as_text=True)


def test_the_service_returns_what_it_stored(app, make_project):
    project = make_project()
    with app.app_context():
        blocker = blockers.raise_blocker(actor("member"), project["id"],
                                         {"kind": "other", "department": "市水利局"})
        assert (blocker.status, blocker.raised_on, blocker.version) == ("open", today(), 1)
        event = db.session.execute(select(ProjectEvent).where(
            ProjectEvent.action == "blocker_raised")).scalar_one()
        assert event.changes["blocker"] == blocker.id


# --- live: the card's badge changes on every screen ---------------------------------------------

@pytest.mark.live
def test_a_real_socket_gets_the_card_after_a_blocker_is_raised_and_resolved(live_server):
    from tests.live import Person, Screen, create, expect

    member, viewer = Person(live_server, "member"), Person(live_server, "viewer")
    project = create(member, "协调推送项目")
    screen = Screen(live_server, cookie=viewer.cookie)
    try:
        revision = screen.connect()["revision"]
        raised = expect(member.api("POST", f"/projects/{project['id']}/blockers", json={
            "kind": "land", "department": "市自然资源和规划局"}), 201).json()
        event = screen.event()
        assert (event["id"], event["action"], event["revision"]) == \
            (project["id"], "blocker_raised", revision + 1)
        assert 'data-blockers="1"' in event["html"]
        expect(member.api("POST", f"/blockers/{raised['id']}/resolve", json={
            "version": raised["version"], "resolution": "用地指标已落实"}), 200)
        event = screen.event()
        assert (event["action"], event["revision"]) == ("blocker_resolved", revision + 2)
        assert 'data-blockers="0"' in event["html"]
    finally:
        screen.close()


def test_the_panel_says_once_that_there_are_no_blockers(app, clients, make_project):
    """Not "0 项协调事项未解决" above "暂无协调事项": one of them, as the list stands."""
    project = make_project()
    url = f"/board/projects/{project['id']}/blockers"
    page = clients["viewer"].get(url).get_data(as_text=True)
    assert "暂无协调事项。" in page and "项协调事项未解决" not in page
    assert raise_(clients["member"], project["id"]).status_code == 201
    page = clients["viewer"].get(url).get_data(as_text=True)
    assert "1 项协调事项未解决" in page and "暂无协调事项" not in page
