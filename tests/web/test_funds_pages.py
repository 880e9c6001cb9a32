"""Funds in place in the project panel: the section, its totals and rates, the forms (record,
correct, remove) and their refusals, who sees which form, escaping, and the walls that never
show a receipt."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from tests.helpers import all_rows, count_statements, field_error
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import accounts, funds

SIGNED = today() - timedelta(days=5)


@pytest.fixture
def signed(make_project) -> dict:
    return make_project("外资电池项目", stage="signed", stage_dates={"signed": SIGNED.isoformat()},
                        investment_wan=80000, foreign_invested=True,
                        foreign_capital_usd_wan=2000)


def record_form(client, project_id: int, **fields):
    data = {"date": today().isoformat(), "amount_wan": "20000", "foreign_usd_wan": "500",
            "document": "银收〔2026〕1号", "note": "首期", **fields}
    return client.post(f"/board/projects/{project_id}/funds", data=data,
                       headers={"HX-Request": "true"})


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_panel_of_a_signed_project_shows_the_section_and_its_form(clients, signed):
    page = text_of(clients["member"].get(f"/board/projects/{signed['id']}"))
    assert 'id="project-funds"' in page and "尚未登记到位资金。" in page
    assert "0 万元" in page and "8 亿元" in page and "到位率 0.0%" in page
    assert "实际利用外资" in page and "合同外资 2,000 万美元" in page
    assert "登记到位资金…" in page


def test_a_project_not_signed_has_no_funds_section(clients, make_project):
    talking = make_project("洽谈项目")
    assert 'id="project-funds"' not in clients["member"].get(
        f"/board/projects/{talking['id']}").get_data(as_text=True)


def test_recording_from_the_form_shows_the_receipt_total_and_rates(app, clients, signed):
    answer = record_form(clients["member"], signed["id"])
    assert answer.status_code == 200
    shown = text_of(answer)
    assert "2 亿元" in shown and "到位率 25.0%" in shown
    assert "500 万美元" in shown and "已到位 25.0%" in shown
    assert "银收〔2026〕1号" in shown and "Member 登记" in shown
    with app.app_context():
        [receipt] = funds.receipts_of(signed["id"])
        assert (receipt.amount_wan, receipt.foreign_usd_wan) == (20000, 500)
    history = text_of(clients["member"].get(f"/board/projects/{signed['id']}"))
    assert "Member 登记了到位资金：2 亿元" in history


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"amount_wan": ""}, "amount_wan", "请填写整数（单位：万元）。"),
    ({"amount_wan": "两万"}, "amount_wan", "请填写整数（单位：万元）。"),
    ({"amount_wan": "0"}, "amount_wan", "请填写1至100,000,000之间的金额（单位：万元）。"),
    ({"amount_wan": "-5"}, "amount_wan", "请填写1至100,000,000之间的金额（单位：万元）。"),
    ({"date": (today() + timedelta(days=1)).isoformat()}, "date", None),
    ({"date": (SIGNED - timedelta(days=1)).isoformat()}, "date",
     f"资金到位日期不能早于签约日期（{SIGNED.isoformat()}）。"),
    ({"foreign_usd_wan": "30000"}, "foreign_usd_wan",
     "其中外资（万美元）不能大于到位金额（万元）的数值。"),
])
def test_a_refused_form_says_why_at_its_field_keeps_what_was_typed_and_changes_nothing(
        app, clients, signed, fields, field, message):
    before = all_rows(app)
    answer = record_form(clients["member"], signed["id"], **fields)
    assert answer.status_code == 422
    shown = answer.get_data(as_text=True)
    error = html.unescape(field_error(shown, field))
    assert message is None or error == message
    assert 'class="record-funds" open' in shown and "银收〔2026〕1号" in html.unescape(shown)
    assert all_rows(app) == before


def test_amounts_are_read_as_people_type_them(app, clients, signed):
    """Thousands separators, as the board's form takes them."""
    answer = record_form(clients["member"], signed["id"], amount_wan="12,000",
                         foreign_usd_wan="1，500")
    assert answer.status_code == 200
    with app.app_context():
        [receipt] = funds.receipts_of(signed["id"])
        assert (receipt.amount_wan, receipt.foreign_usd_wan) == (12000, 1500)


def test_what_people_type_is_escaped(clients, signed):
    shown = record_form(clients["member"], signed["id"], document="<b>x</b>",
                        note="<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in shown and "&lt;script&gt;alert(1)" in shown
    assert "<b>x</b>" not in shown


@pytest.mark.parametrize(("who", "record", "correct"), [
    ("viewer", False, False), ("outsider", False, False), ("member", True, False),
    ("lead", True, True), ("admin", True, True)])
def test_each_role_sees_the_forms_it_may_use(clients, signed, who, record, correct):
    record_form(clients["member"], signed["id"])
    page = clients[who].get(f"/board/projects/{signed['id']}").get_data(as_text=True)
    assert ('class="record-funds"' in page) == record
    assert ('class="correct-receipt"' in page) == correct
    assert ('class="remove-receipt"' in page) == correct


def test_a_lead_corrects_and_removes_from_the_panel(app, clients, signed):
    record_form(clients["member"], signed["id"])
    with app.app_context():
        [receipt] = funds.receipts_of(signed["id"])
        receipt_id, version = receipt.id, receipt.version
    form = {"version": str(version), "date": today().isoformat(), "amount_wan": "40000",
            "foreign_usd_wan": "500", "document": "银收〔2026〕1号", "note": "首期"}
    refused = clients["lead"].post(f"/board/funds/{receipt_id}/correct", data=form)
    assert refused.status_code == 422
    assert html.unescape(field_error(refused.get_data(as_text=True), "reason")) == "请说明原因。"
    fixed = clients["lead"].post(f"/board/funds/{receipt_id}/correct",
                                 data={**form, "reason": "按银行回单更正"})
    assert fixed.status_code == 200 and "到位率 50.0%" in text_of(fixed)
    unsaid = clients["lead"].post(f"/board/funds/{receipt_id}/remove",
                                  data={"version": str(version + 1), "reason": ""})
    assert unsaid.status_code == 422
    shown = unsaid.get_data(as_text=True)  # the removal open again, its reason marked and said
    assert 'class="remove-receipt" open' in shown
    assert f'<p class="field-error" id="receipt-{receipt_id}-remove-reason-error">' in shown
    stale = clients["lead"].post(f"/board/funds/{receipt_id}/remove",
                                 data={"version": str(version), "reason": "重复"})
    assert stale.status_code == 409
    removed = clients["lead"].post(f"/board/funds/{receipt_id}/remove",
                                   data={"version": str(version + 1), "reason": "重复"})
    assert removed.status_code == 200 and "尚未登记到位资金。" in text_of(removed)
    page = text_of(clients["lead"].get(f"/board/projects/{signed['id']}"))
    assert "Lead 更正了一笔到位资金" in page and "金额：2 亿元 → 4 亿元" in page
    assert "Lead 删除了一笔到位资金：4 亿元" in page and "按银行回单更正" in page
    assert clients["lead"].post("/board/funds/999999/remove",
                                data={"version": "1", "reason": "x"}).status_code == 404


def test_no_wall_ever_shows_a_receipt(app, clients, signed):
    record_form(clients["member"], signed["id"], document="独特凭证号XYZ", note="独特备注XYZ")
    with app.app_context():
        tokens = [accounts.create_display_token(None, "大厅", {"profile": "lobby"}),
                  accounts.create_display_token(None, "会议室", {"profile": "staff"})]
        db.session.commit()
    client = app.test_client()
    for token in tokens:
        for path in ("/wall", "/wall/columns", "/wall/summary"):
            answer = client.get(f"{path}?token={token}")
            assert answer.status_code == 200, path
            assert "XYZ" not in answer.get_data(as_text=True)
        assert client.get(f"/board/projects/{signed['id']}/funds?token={token}") \
            .status_code in (302, 401, 403)


def test_the_panel_reads_the_receipts_in_a_constant_number_of_statements(app, clients, signed):
    url = f"/board/projects/{signed['id']}"
    record_form(clients["member"], signed["id"])
    few = count_statements(app, clients["lead"], url)
    for amount in ("100", "200", "300"):
        record_form(clients["member"], signed["id"], amount_wan=amount)
    assert count_statements(app, clients["lead"], url) == few
