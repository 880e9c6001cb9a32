"""Scheduling meetings in the browser's pages: preparing one, the agenda drawn from the board
by its filters and reordered, a decision typed on an item, who sees which form, refusals that
change nothing, escaping, and the minutes as a page and a Word document for the attendees."""

from __future__ import annotations

import html
import io
from datetime import timedelta

import pytest
from docx import Document

from tests.helpers import all_rows
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reads import meetings as meeting_reads
from wallchart.services import meetings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def prepare(client, **fields):
    return client.post("/meetings", data={"title": "十二月项目调度会", "date": days(1),
                                          "attendees": ["lead", "member"], "guests": "副市长",
                                          **fields})


def meeting_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def agenda(app, mid: int) -> list[int]:
    with app.app_context():
        return [item.project_id for item in meeting_reads.find_meeting(mid).items]


def test_a_lead_prepares_a_meeting_and_draws_its_agenda_from_the_board(app, clients,
                                                                        make_project, counties):
    a = make_project("鹤城项目", county=counties[0])["id"]
    b = make_project("中方项目", county=counties[1])["id"]
    c = make_project("中方项目二", county=counties[1])["id"]
    lead = clients["lead"]
    assert "准备会议" in text_of(lead.get("/meetings"))
    mid = meeting_id(prepare(lead))
    answer = lead.post(f"/meetings/{mid}/agenda", data={"action": "add", "county": counties[1]})
    assert answer.status_code == 303
    assert agenda(app, mid) == [b, c]
    lead.post(f"/meetings/{mid}/agenda", data={"action": "add", "q": "鹤城"})
    lead.post(f"/meetings/{mid}/agenda", data={"action": "up", "project": str(a)})
    assert agenda(app, mid) == [b, a, c]
    lead.post(f"/meetings/{mid}/agenda", data={"action": "remove", "project": str(b)})
    assert agenda(app, mid) == [a, c]
    page = text_of(lead.get(f"/meetings/{mid}"))
    assert "十二月项目调度会" in page and "Lead、Member、副市长" in page
    assert page.index("鹤城项目") < page.index("中方项目二")


def test_a_member_adds_a_decision_on_his_teams_project(app, clients, make_project):
    a = make_project("甲项目")["id"]
    with app.app_context():
        from tests.helpers import actor
        mid = meetings.create_meeting(actor("lead"), {"title": "调度会", "date": days(0),
                                                      "agenda": [a]}).id
    page = text_of(clients["member"].get(f"/meetings/{mid}"))
    assert "添加交办事项…" in page and "从看板添加项目…" not in page
    answer = clients["member"].post(f"/meetings/{mid}/decisions", data={
        "project_id": str(a), "text": "协调用地<指标>", "department": "自然资源局",
        "due": days(7), "follow_up": "王科长", "kind": "land"}, headers={"HX-Request": "true"})
    assert answer.status_code == 303
    page = clients["viewer"].get(f"/meetings/{mid}").get_data(as_text=True)
    assert "协调用地&lt;指标&gt;" in page and "<指标>" not in page
    assert "添加交办事项…" not in page  # a viewer reads
    panel = text_of(clients["viewer"].get(f"/board/projects/{a}"))
    assert "调度会" in panel and "王科长" in panel


def test_refused_forms_say_why_and_change_nothing(app, clients, make_project):
    a = make_project("甲项目")["id"]
    mid = meeting_id(prepare(clients["lead"]))
    clients["lead"].post(f"/meetings/{mid}/agenda", data={"action": "add", "q": "甲项目"})
    before = all_rows(app, skip=frozenset({"user_session"}))
    answer = clients["lead"].post(f"/meetings/{mid}/decisions", data={
        "project_id": str(a), "text": "", "department": "局", "due": days(-1)})
    assert answer.status_code == 422 and "此项为必填项" in text_of(answer)
    assert prepare(clients["lead"], title="").status_code == 422
    assert clients["lead"].post(f"/meetings/{mid}/agenda",
                                data={"action": "add"}).status_code == 422
    assert clients["lead"].post(f"/meetings/{mid}/agenda",
                                data={"action": "add", "county": "火星"}).status_code == 422
    assert clients["member"].post(f"/meetings/{mid}/agenda",
                                  data={"action": "remove", "project": str(a)}).status_code == 403
    assert prepare(clients["viewer"]).status_code == 403
    assert all_rows(app, skip=frozenset({"user_session"})) == before


def test_the_minutes_as_a_page_and_a_word_document_for_the_attendees(app, clients,
                                                                      make_project):
    a = make_project("新能源电池项目")["id"]
    mid = meeting_id(prepare(clients["lead"]))
    clients["lead"].post(f"/meetings/{mid}/agenda", data={"action": "add", "q": "新能源"})
    clients["lead"].post(f"/meetings/{mid}/decisions", data={
        "project_id": str(a), "text": "协调电力增容", "department": "供电公司", "due": days(5),
        "follow_up": "李主任"})
    page = text_of(clients["member"].get(f"/meetings/{mid}/minutes"))
    assert "会议纪要" in page and "新能源电池项目" in page and "供电公司" in page
    word = clients["member"].get(f"/meetings/{mid}/minutes.docx")
    assert word.status_code == 200 and word.mimetype == DOCX
    document = Document(io.BytesIO(word.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "十二月项目调度会" in text and "1. 新能源电池项目" in text and "副市长" in text
    [table] = document.tables
    assert [cell.text for cell in table.rows[1].cells] == [
        "协调电力增容", "供电公司", days(5), "李主任", "办理中"]
    for who in ("viewer", "outsider"):
        assert clients[who].get(f"/meetings/{mid}/minutes").status_code == 403
        assert clients[who].get(f"/meetings/{mid}/minutes.docx").status_code == 403
    assert clients["admin"].get(f"/meetings/{mid}/minutes.docx").status_code == 200


@pytest.mark.parametrize("path", ["/meetings/999999", "/meetings/999999/minutes"])
def test_no_such_meeting_is_404(clients, path):
    assert clients["lead"].get(path).status_code == 404


def test_english_pages(clients, make_project):
    clients["lead"].post("/language", data={"lang": "en"})
    assert "Prepare a meeting" in clients["lead"].get("/meetings").get_data(as_text=True)
    _ = db
