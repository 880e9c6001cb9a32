"""The project record through the JSON API: every field stored and shown by its name, and every
field validated (types, ranges, units, lengths) with nothing stored on a refusal."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import snapshot
from wallchart.core.timeutil import today

TODAY = today()
TEN_YEARS = today().replace(year=today().year + 10) if (today().month, today().day) != (2, 29) \
    else today().replace(year=today().year + 10, day=28)

#: Every record field set to something other than its default.
FULL_RECORD = {
    "origin": "广东深圳", "foreign_invested": True, "three500": "fortune_global",
    "enterprise_type": "joint_venture", "industry_chain": "新能源电池",
    "source_channel": "liaison_office", "source_detail": "驻深圳招商联络处",
    "foreign_capital_usd_wan": 3200, "new_trade_entity": True, "contact_person": "周经理",
    "contact_phone": "+86 (755) 8888-0001", "land_mu": 820,
    "description": "一期：正极材料。\n二期：电芯。", "confidential": True,
    "planned_on": (TODAY + timedelta(days=30)).isoformat(), "next_step": "赴深圳总部拜访",
    "next_step_due": (TODAY + timedelta(days=7)).isoformat(), "next_step_owner": "member",
}


def api_state(app, clients, project_id: int) -> tuple:
    """What a refusal must leave as it was: the snapshot and the project's whole P."""
    body = clients["viewer"].get(f"/api/projects/{project_id}").get_json()
    return snapshot(app), body


def test_every_record_field_is_stored_and_shown_by_its_name(clients, counties):
    response = clients["member"].post("/api/projects", json={
        "name": "新能源电池材料项目", "investor": "湘澜新材料", "investment_wan": 350000,
        "county": counties[0], "sector": "industry", **FULL_RECORD})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {field: body[field] for field in FULL_RECORD} == FULL_RECORD
    again = clients["viewer"].get(f"/api/projects/{body['id']}").get_json()
    assert {field: again[field] for field in FULL_RECORD} == FULL_RECORD
    created = again["history"][0]
    assert created["action"] == "created"
    assert created["changes"]["next_step_owner"] == "member"
    assert created["changes"]["planned_on"] == FULL_RECORD["planned_on"]
    assert created["changes"]["stage_dates.contact"] == TODAY.isoformat()


def test_an_edit_records_each_record_field_from_and_to(clients, make_project):
    project = make_project()
    response = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 1, "reason": "补充档案", **FULL_RECORD})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 2
    [edit, _created] = clients["member"].get(f"/api/projects/{project['id']}") \
        .get_json()["history"]
    assert edit["reason"] == "补充档案"
    assert edit["changes"]["land_mu"] == [0, 820]
    assert edit["changes"]["confidential"] == [False, True]
    assert edit["changes"]["next_step_owner"] == [None, "member"]
    assert edit["changes"]["next_step_due"] == [None, FULL_RECORD["next_step_due"]]
    assert set(edit["changes"]) == set(FULL_RECORD)
    # Sending the same values again changes nothing and records nothing.
    same = clients["member"].patch(f"/api/projects/{project['id']}",
                                   json={"version": 2, **FULL_RECORD}).get_json()
    assert same["version"] == 2


def test_line_breaks_in_the_description_are_kept_and_normalised(clients, make_project):
    project = make_project()
    body = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 1, "description": "  第一行\r\n第二行\r第三行  "}).get_json()
    assert body["description"] == "第一行\n第二行\n第三行"


def test_empty_values_clear_choices_dates_and_people(clients, make_project):
    project = make_project(**FULL_RECORD)
    body = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 1, "three500": None, "source_channel": "", "planned_on": "",
        "next_step_due": None, "next_step_owner": None, "land_mu": None}).get_json()
    assert (body["three500"], body["source_channel"], body["planned_on"],
            body["next_step_due"], body["next_step_owner"], body["land_mu"]) == \
        (None, None, None, None, None, 0)


AT_THE_LIMITS = [
    ("origin", "省" * 64), ("industry_chain", "链" * 64), ("source_detail", "展" * 100),
    ("contact_person", "人" * 64), ("contact_phone", "1" * 32), ("description", "字" * 2000),
    ("next_step", "步" * 200), ("land_mu", 1_000_000), ("land_mu", 0),
    ("planned_on", "2000-01-01"), ("planned_on", TEN_YEARS.isoformat()),
    ("next_step_due", TEN_YEARS.isoformat()), ("three500", "china_private"),
    ("enterprise_type", "state_owned"), ("source_channel", "other"),
]


def test_values_at_the_limits_are_taken(clients, make_project):
    project = make_project()
    for field, value in AT_THE_LIMITS:
        response = clients["member"].patch(f"/api/projects/{project['id']}",
                                           json={"version": project["version"], field: value})
        assert response.status_code == 200, (field, response.get_json())
        project = response.get_json()
        assert project[field] == value, field


def test_foreign_capital_up_to_ten_billion_dollars_on_a_foreign_invested_project(
        clients, make_project):
    project = make_project(foreign_invested=True)
    body = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 1, "foreign_capital_usd_wan": 10_000_000}).get_json()
    assert body["foreign_capital_usd_wan"] == 10_000_000


BAD_VALUES = [
    ("origin", "省" * 65), ("origin", 12), ("origin", "广东\n深圳"),
    ("foreign_invested", "true"), ("foreign_invested", 1), ("foreign_invested", None),
    ("new_trade_entity", "on"), ("confidential", 0),
    ("three500", "fortune_500"), ("three500", 1), ("enterprise_type", "state"),
    ("source_channel", "wechat"), ("sector", "mining"),
    ("industry_chain", "链" * 65), ("source_detail", "展" * 101),
    ("contact_person", "人" * 65), ("contact_phone", "1" * 33),
    ("contact_phone", "0745-1234 ext.5"), ("contact_phone", "电话"),
    ("land_mu", -1), ("land_mu", 1_000_001), ("land_mu", 12.5), ("land_mu", "100"),
    ("land_mu", True),
    ("foreign_capital_usd_wan", -5), ("foreign_capital_usd_wan", 1.5),
    ("investment_wan", 100_000_001), ("investment_wan", "5亿"),
    ("description", "字" * 2001), ("description", "bell\x07"), ("description", "tab\there"),
    ("description", ["x"]),
    ("planned_on", "2026-13-01"), ("planned_on", "2026/01/01"), ("planned_on", "20260101"),
    ("planned_on", "1999-12-31"), ("planned_on", 20260101),
    ("planned_on", (TEN_YEARS + timedelta(days=1)).isoformat()),
    ("next_step_due", "tomorrow"), ("next_step", "步" * 201), ("next_step", "a\nb"),
    ("next_step_owner", "nobody"), ("next_step_owner", "outsider"), ("next_step_owner", 3),
    ("name", ""), ("name", "项" * 201), ("investor", "x\x00"),
]


def test_each_bad_value_is_refused_on_edit_and_nothing_changes(app, clients, make_project):
    """One project, every bad value in turn (signing in per case would cost minutes)."""
    project = make_project()
    before = api_state(app, clients, project["id"])
    for field, value in BAD_VALUES:
        response = clients["member"].patch(f"/api/projects/{project['id']}",
                                           json={"version": 1, "name": "新名字", field: value})
        body = response.get_json()
        assert response.status_code == 422, (field, value, body)
        assert body["error"] and body["fields"][field], (field, value, body)
        assert api_state(app, clients, project["id"]) == before, (field, value)


def test_each_bad_value_is_refused_on_create_and_nothing_is_stored(app, clients, counties):
    before = snapshot(app)
    for field, value in BAD_VALUES:
        response = clients["member"].post("/api/projects", json={"name": "新项目", field: value})
        assert response.status_code == 422, (field, value)
        assert field in response.get_json()["fields"], (field, value)
    assert snapshot(app) == before


def test_every_fault_of_a_request_is_named_at_once(clients, make_project):
    project = make_project()
    response = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 1, "land_mu": -1, "contact_phone": "abc", "three500": "x"})
    assert set(response.get_json()["fields"]) == {"land_mu", "contact_phone", "three500"}


def test_foreign_capital_needs_a_foreign_invested_project(app, clients, make_project):
    project = make_project()
    before = api_state(app, clients, project["id"])
    response = clients["member"].patch(f"/api/projects/{project['id']}",
                                       json={"version": 1, "foreign_capital_usd_wan": 100})
    assert response.status_code == 422
    assert "foreign_capital_usd_wan" in response.get_json()["fields"]
    assert api_state(app, clients, project["id"]) == before
    # In the same request as the flag, it is taken; clearing the flag alone then is refused.
    body = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 1, "foreign_capital_usd_wan": 100, "foreign_invested": True}).get_json()
    assert (body["foreign_invested"], body["foreign_capital_usd_wan"]) == (True, 100)
    response = clients["member"].patch(f"/api/projects/{project['id']}",
                                       json={"version": 2, "foreign_invested": False})
    assert response.status_code == 422
    both = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": 2, "foreign_invested": False, "foreign_capital_usd_wan": 0}).get_json()
    assert (both["foreign_invested"], both["foreign_capital_usd_wan"]) == (False, 0)


def test_the_next_step_owner_comes_from_the_project_team(app, clients, make_project):
    project = make_project()
    for who in ("lead", "viewer"):  # the lead and a member of 一组, whatever their role
        response = clients["member"].patch(f"/api/projects/{project['id']}",
                                           json={"version": project["version"],
                                                 "next_step_owner": who})
        assert response.status_code == 200, response.get_json()
        project = response.get_json()
        assert project["next_step_owner"] == who
    response = clients["member"].patch(f"/api/projects/{project['id']}", json={
        "version": project["version"], "next_step_owner": "outsider"})
    assert response.status_code == 422
    assert "二组" not in response.get_json()["fields"]["next_step_owner"]
    assert "一组" in response.get_json()["error"]


def test_messages_follow_the_language(clients, make_project):
    project = make_project()
    url, member = f"/api/projects/{project['id']}", clients["member"]
    too_much, negative = {"version": 1, "land_mu": 10**9}, {"version": 1, "land_mu": -1}
    assert "亩" in member.patch(url, json=too_much).get_json()["fields"]["land_mu"]
    assert member.patch(url, json=negative).get_json()["fields"]["land_mu"] == "不能小于零。"
    member.post("/language", data={"lang": "en", "next": "/board"})
    assert "mu." in member.patch(url, json=too_much).get_json()["fields"]["land_mu"]
    assert member.patch(url, json=negative).get_json()["fields"]["land_mu"] == \
        "It cannot be less than zero."
