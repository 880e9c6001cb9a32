"""The JSON API of scheduling meetings: ``POST /api/meetings``, ``GET /api/meetings[/ID]``,
``POST /api/meetings/ID/agenda``, ``POST /api/meetings/ID/decisions``: answers, refusals (each
changing nothing) and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import all_rows
from wallchart.core.timeutil import today


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def new_meeting(client, agenda, **fields):
    return client.post("/api/meetings", json={"title": "十二月项目调度会", "date": days(1),
                                              "agenda": agenda, **fields})


def decide(client, meeting_id, project_id, **fields):
    return client.post(f"/api/meetings/{meeting_id}/decisions", json={
        "project_id": project_id, "text": "协调电力增容", "department": "供电公司",
        "due": days(10), **fields})


def test_a_meeting_and_a_decision_that_opens_a_blocker(clients, make_project):
    a, b = make_project("a")["id"], make_project("b")["id"]
    made = new_meeting(clients["lead"], [b, a], attendees=["lead", "member"],
                       guests="分管副市长")
    assert made.status_code == 201, made.json
    meeting = made.json
    assert [item["project"]["id"] for item in meeting["agenda"]] == [b, a]
    assert meeting["attendees"] == ["lead", "member"] and meeting["decisions"] == []
    answer = decide(clients["member"], meeting["id"], a, follow_up="李主任")
    assert answer.status_code == 201, answer.json
    decision = answer.json
    assert (decision["state"], decision["department"], decision["due"],
            decision["follow_up"]) == ("open", "供电公司", days(10), "李主任")
    blockers = clients["viewer"].get(f"/api/projects/{a}/blockers").json["blockers"]
    assert [(x["id"], x["status"], x["department"], x["due_on"], x["meeting"]) for x in blockers
            ] == [(decision["id"], "open", "供电公司", days(10),
                   {"id": meeting["id"], "title": "十二月项目调度会"})]
    read = clients["viewer"].get(f"/api/meetings/{meeting['id']}").json
    assert [d["id"] for d in read["decisions"]] == [decision["id"]]
    listed = clients["viewer"].get("/api/meetings").json["meetings"]
    assert listed[0]["decisions"] == {"open": 1, "done": 0, "overdue": 0}
    resolved = clients["member"].post(f"/api/blockers/{decision['id']}/resolve", json={
        "version": decision["version"], "resolution": "已增容"})
    assert resolved.status_code == 200
    read = clients["viewer"].get(f"/api/meetings/{meeting['id']}").json
    assert read["decisions"][0]["state"] == "done"


def test_the_agenda_is_posted_whole(clients, make_project):
    a, b, c = (make_project(n)["id"] for n in "abc")
    meeting = new_meeting(clients["lead"], [a]).json
    answer = clients["admin"].post(f"/api/meetings/{meeting['id']}/agenda",
                                  json={"agenda": [c, a, b]})
    assert answer.status_code == 200, answer.json
    assert [item["project"]["id"] for item in answer.json["agenda"]] == [c, a, b]


def test_earlier_open_decisions_come_first(clients, make_project):
    a, b = make_project("a")["id"], make_project("b")["id"]
    first = new_meeting(clients["lead"], [a], date=days(-7)).json
    decide(clients["lead"], first["id"], a)
    second = new_meeting(clients["lead"], [b]).json
    assert [item["project"]["id"] for item in second["agenda"]] == [a, b]
    assert [d["project"]["id"] for d in second["earlier_open"]] == [a]


@pytest.mark.parametrize("who, status", [("member", 403), ("viewer", 403)])
def test_only_leads_and_admins_prepare_or_reorder(clients, make_project, who, status):
    a = make_project("a")["id"]
    meeting = new_meeting(clients["lead"], [a]).json
    assert new_meeting(clients[who], [a]).status_code == status
    assert clients[who].post(f"/api/meetings/{meeting['id']}/agenda",
                            json={"agenda": []}).status_code == status


def test_refusals_change_nothing(app, clients, make_project):
    a = make_project("a")["id"]
    meeting = new_meeting(clients["lead"], [a]).json
    before = all_rows(app, skip=frozenset({"user_session"}))
    lead = clients["lead"]
    for answer, status in [
        (new_meeting(lead, [a], title=""), 422),
        (new_meeting(lead, "a"), 422),
        (new_meeting(lead, [a], secret=1), 422),
        (decide(lead, meeting["id"], a, due=days(-1)), 422),
        (decide(lead, meeting["id"], a, department=""), 422),
        (decide(lead, meeting["id"], a + 1000), 422),
        (decide(lead, meeting["id"] + 1000, a), 404),
        (decide(clients["viewer"], meeting["id"], a), 403),
        (lead.get(f"/api/meetings/{meeting['id'] + 1000}"), 404),
    ]:
        assert answer.status_code == status, (answer.status_code, answer.json)
        assert "error" in answer.json
    assert all_rows(app, skip=frozenset({"user_session"})) == before
