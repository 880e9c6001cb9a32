"""The JSON API of funds in place: ``GET/POST /api/projects/ID/funds`` and a lead's correction
and removal, their answers, refusals (each changing nothing) and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import all_rows
from wallchart.core.timeutil import today

SIGNED = today() - timedelta(days=10)
KEYS = {"id", "project", "date", "amount_wan", "foreign_usd_wan", "document", "note",
        "recorded_by", "recorded_at", "removed", "version"}


@pytest.fixture
def signed(make_project) -> dict:
    return make_project("外资项目", stage="signed", stage_dates={"signed": SIGNED.isoformat()},
                        investment_wan=40000, foreign_invested=True,
                        foreign_capital_usd_wan=2000)


def body(**fields) -> dict:
    return {"date": today().isoformat(), "amount_wan": 10000, **fields}


def post(client, project_id: int, **fields):
    return client.post(f"/api/projects/{project_id}/funds", json=body(**fields))


def test_recording_answers_201_with_the_receipt_and_the_list_totals_it(clients, signed):
    answer = post(clients["member"], signed["id"], foreign_usd_wan=500, document="银收1号",
                  note="首期")
    assert answer.status_code == 201, answer.json
    receipt = answer.json
    assert set(receipt) == KEYS
    assert (receipt["date"], receipt["amount_wan"], receipt["foreign_usd_wan"],
            receipt["document"], receipt["note"], receipt["recorded_by"], receipt["removed"]) == \
        (today().isoformat(), 10000, 500, "银收1号", "首期", "member", False)
    assert post(clients["lead"], signed["id"], amount_wan=20000).status_code == 201
    listed = clients["viewer"].get(f"/api/projects/{signed['id']}/funds").json
    assert [r["amount_wan"] for r in listed["receipts"]] == [20000, 10000]  # the latest first
    assert (listed["total_wan"], listed["foreign_usd_wan"], listed["rate_pct"],
            listed["foreign_rate_pct"]) == (30000, 500, 75.0, 25.0)


def test_a_project_without_receipts_lists_none(clients, make_project):
    project = make_project("洽谈项目")
    listed = clients["member"].get(f"/api/projects/{project['id']}/funds").json
    assert listed == {"receipts": [], "total_wan": 0, "foreign_usd_wan": 0, "rate_pct": 0.0,
                      "foreign_rate_pct": None}


@pytest.mark.parametrize(("fields", "field"), [
    ({"date": "明天"}, "date"),
    ({"date": (today() + timedelta(days=1)).isoformat()}, "date"),
    ({"date": (SIGNED - timedelta(days=1)).isoformat()}, "date"),
    ({"amount_wan": 0}, "amount_wan"),
    ({"amount_wan": -1}, "amount_wan"),
    ({"amount_wan": "1万"}, "amount_wan"),
    ({"amount_wan": 2**31}, "amount_wan"),
    ({"foreign_usd_wan": 10001}, "foreign_usd_wan"),
    ({"document": "<script>" * 10}, "document"),
    ({"id": 5}, "id"),
])
def test_bad_input_is_refused_at_its_field_and_changes_nothing(app, clients, signed, fields,
                                                               field):
    before = all_rows(app)
    answer = post(clients["member"], signed["id"], **fields)
    assert answer.status_code == 422
    assert field in answer.json["fields"], answer.json
    assert all_rows(app) == before


@pytest.mark.parametrize("raw", [b"", b"[]", b"not json", b'{"amount_wan": NaN}'])
def test_a_body_that_is_no_json_object_is_refused(app, clients, signed, raw):
    before = all_rows(app)
    answer = clients["member"].post(f"/api/projects/{signed['id']}/funds", data=raw,
                                    content_type="application/json")
    assert answer.status_code == 422 and answer.json["error"]
    assert all_rows(app) == before


def test_an_unknown_project_is_404(clients):
    assert clients["member"].get("/api/projects/99999/funds").status_code == 404
    assert post(clients["member"], 99999).status_code == 404
    assert clients["lead"].post("/api/funds/99999/remove",
                                json={"version": 1, "reason": "x"}).status_code == 404


@pytest.mark.parametrize(("who", "record", "correct"), [
    ("admin", 201, 200), ("lead", 201, 200), ("member", 201, 403), ("viewer", 403, 403),
    ("outsider", 403, 403)])
def test_who_may_record_and_correct(app, clients, signed, who, record, correct):
    made = post(clients["member"], signed["id"]).json
    before = all_rows(app)
    assert post(clients[who], signed["id"]).status_code == record
    if record != 201:
        assert all_rows(app) == before
    answer = clients[who].post(f"/api/funds/{made['id']}/correct",
                               json={"version": made["version"], "amount_wan": 9000,
                                     "reason": "单据金额为9000万元"})
    assert answer.status_code == correct
    if correct == 200:
        assert (answer.json["amount_wan"], answer.json["version"]) == (9000, made["version"] + 1)


def test_a_bearer_token_records_and_nothing_else_does(app, clients, signed):
    from wallchart.services import accounts

    with app.app_context():
        token = accounts.issue_api_token(None, "member")
    client = app.test_client()
    answer = client.post(f"/api/projects/{signed['id']}/funds", json=body(),
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201
    before = all_rows(app)
    # Without a token or a session: refused by the CSRF check, or as unauthenticated.
    assert client.post(f"/api/projects/{signed['id']}/funds",
                       json=body()).status_code in (400, 401)
    assert all_rows(app) == before


def test_without_the_csrf_token_a_session_may_not_record(app, clients, signed):
    before = all_rows(app)
    answer = clients["member"].client.post(f"/api/projects/{signed['id']}/funds", json=body())
    assert answer.status_code in (400, 403)
    assert all_rows(app) == before


def test_correct_then_remove_with_versions_and_reasons(app, clients, signed):
    lead = clients["lead"]
    made = post(clients["member"], signed["id"], foreign_usd_wan=100).json
    url = f"/api/funds/{made['id']}"
    # No reason, a stale version, an unknown field, nothing changed: each refused.
    for sent, status in [({"version": made["version"], "amount_wan": 1}, 422),
                         ({"version": made["version"] + 1, "amount_wan": 1, "reason": "r"}, 409),
                         ({"version": made["version"], "owner": "x", "reason": "r"}, 422),
                         ({"version": made["version"], "amount_wan": 10000, "reason": "r"}, 422)]:
        before = all_rows(app)
        assert lead.post(f"{url}/correct", json=sent).status_code == status, sent
        assert all_rows(app) == before
    fixed = lead.post(f"{url}/correct", json={"version": made["version"],
                                              "foreign_usd_wan": None, "reason": "非外资"}).json
    assert fixed["foreign_usd_wan"] is None
    assert lead.post(f"{url}/remove", json={"version": fixed["version"]}).status_code == 422
    removed = lead.post(f"{url}/remove", json={"version": fixed["version"], "reason": "重复"})
    assert removed.status_code == 200 and removed.json["removed"] is True
    assert clients["member"].get(f"/api/projects/{signed['id']}/funds").json["receipts"] == []
    again = lead.post(f"{url}/remove", json={"version": removed.json["version"],
                                             "reason": "重复"})
    assert again.status_code == 422 and "已被删除" in again.json["error"]
