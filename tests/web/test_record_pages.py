"""The project record on the board's pages: the form with every field, refusals at the fields,
the duplicate warning, the panel (record, stage dates, next step, timeline), date corrections,
the keyboard path through a stage gate, withdrawal, the archive and reopening."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import actor, field_error, snapshot
from wallchart.core.models import Project
from wallchart.core.timeutil import today
from wallchart.extensions import db

RECORD_FIELDS = ("name", "investor", "investment_wan", "county", "sector", "team", "origin",
                 "foreign_invested", "three500", "enterprise_type", "industry_chain",
                 "source_channel", "source_detail", "foreign_capital_usd_wan",
                 "new_trade_entity", "contact_person", "contact_phone", "land_mu",
                 "description", "confidential")

FULL_RECORD = {
    "name": "湘澜新材料锂电池项目", "investor": "湘澜新材料有限公司", "investment_wan": "150,000",
    "county": "鹤城区", "sector": "industry", "team": "一组", "origin": "广东省",
    "three500": "china_private", "enterprise_type": "private", "industry_chain": "新能源电池",
    "source_channel": "liaison_office", "source_detail": "驻深圳招商联络处",
    "foreign_invested": ["0", "1"], "foreign_capital_usd_wan": "1200",
    "new_trade_entity": ["0", "1"], "contact_person": "王经理", "contact_phone": "0745-1234567",
    "land_mu": "320", "description": "一期建设电芯产线\n二期建设回收中心",
    "confidential": ["0", "1"],
}


def body(response) -> str:
    return response.get_data(as_text=True)


def stored(app, project_id: int) -> Project:
    with app.app_context():
        project = db.session.get(Project, project_id)
        db.session.expunge(project)
        return project


def english(client) -> None:
    client.post("/language", data={"lang": "en", "next": "/board"})


# --- the form -------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_form_has_every_record_field_with_units_in_both_languages(clients, counties,
                                                                       make_project, language):
    member = clients["member"]
    if language == "en":
        english(member)
    project = make_project()
    for url in ("/board/projects/new", f"/board/projects/{project['id']}/edit"):
        form = body(member.get(url))
        for field in RECORD_FIELDS:
            if field == "team" and "edit" in url:
                continue  # a member does not hand projects to other teams
            assert f'name="{field}"' in form, (url, field)
        for flag in ("foreign_invested", "new_trade_entity", "confidential"):
            assert f'type="checkbox" name="{flag}" value="1"' in form
        for vocabulary in ("three500", "enterprise_type", "source_channel", "sector"):
            assert f'<select name="{vocabulary}"' in form
        assert '<textarea name="description"' in form
        groups = (["基本信息", "投资方", "外资与外贸", "联系与用地", "说明"] if language == "zh"
                  else ["Basic information", "Investor", "Foreign capital and trade",
                        "Contact and land", "Description"])
        for group in groups:
            assert f"<legend>{group}</legend>" in form, (language, group)
        units = ("万元", "万美元", "亩") if language == "zh" else ("10,000 yuan", "10,000 USD",
                                                               "mu")
        brackets = "（）" if language == "zh" else "()"  # full-width in Chinese
        for unit in units:
            assert f'<span class="field-unit">{brackets[0]}{unit}{brackets[1]}</span>' in form, (
                language, unit)
        labels = (("三类500强", "中国民营500强", "招商渠道", "保密")
                  if language == "zh" else ("Three Category 500", "China Private Top 500",
                                            "Source channel", "Confidential"))
        for label in labels:
            assert label in form, (language, label)
    # Foreign capital is hidden until the project is foreign-invested.
    assert re.search(r'data-foreign-capital\s+hidden', form)
    # The panel and the archive speak the same language.
    panel = body(member.get(f"/board/projects/{project['id']}"))
    archive = body(member.get("/board/archive"))
    words = ({"panel": ("阶段日期", "下一步工作", "历史记录"), "archive": ("已终止项目",)}
             if language == "zh" else
             {"panel": ("Stage dates", "Next step", "History"),
              "archive": ("Archive: withdrawn projects",)})
    for word in words["panel"]:
        assert word in panel, (language, word)
    for word in words["archive"]:
        assert word in archive, (language, word)


def test_bad_input_is_refused_at_each_field_and_nothing_is_written(app, clients, counties):
    member = clients["member"]
    before = snapshot(app)
    response = member.post("/board/projects", data={
        **FULL_RECORD, "name": "", "investment_wan": "十万", "foreign_capital_usd_wan": "abc",
        "land_mu": "-3", "contact_phone": "电话号码", "three500": "bogus",
        "origin": "x" * 65, "planned_on": "2024-13-01"})
    assert response.status_code == 422
    html = body(response)
    for field in ("name", "investment_wan", "foreign_capital_usd_wan", "land_mu",
                  "contact_phone", "three500", "origin"):
        assert field_error(html, field), field
    assert 'value="十万"' in html and 'value="abc"' in html  # nothing typed is lost
    assert "一期建设电芯产线\n二期建设回收中心</textarea>" in html
    assert snapshot(app) == before

    # Foreign capital on a project that is not foreign-invested.
    response = member.post("/board/projects", data={
        **FULL_RECORD, "foreign_invested": "0", "foreign_capital_usd_wan": "500"})
    assert response.status_code == 422
    html = body(response)
    assert field_error(html, "foreign_capital_usd_wan")
    # The field shows, with its message, although the box is unticked.
    assert not re.search(r'data-foreign-capital\s+hidden', html)
    assert snapshot(app) == before


def test_a_full_record_is_saved_typed_and_read_back(app, clients, counties):
    member = clients["member"]
    response = member.post("/board/projects", data=FULL_RECORD)
    assert response.status_code == 204, body(response)[:2000]
    with app.app_context():
        project_id = db.session.execute(select(Project.id)).scalar_one()
    project = stored(app, project_id)
    assert (project.investment_wan, project.foreign_capital_usd_wan, project.land_mu) == \
        (150000, 1200, 320)
    assert project.foreign_invested and project.new_trade_entity and project.confidential
    assert (project.three500, project.enterprise_type, project.source_channel) == \
        ("china_private", "private", "liaison_office")
    assert project.description == "一期建设电芯产线\n二期建设回收中心"

    panel = body(member.get(f"/board/projects/{project_id}"))
    for shown in ("15 亿元", "1,200 万美元", "320 亩", "中国民营500强", "民营",
                  "驻深圳招商联络处", "王经理", "0745-1234567", "新能源电池", "广东省",
                  "一期建设电芯产线\n二期建设回收中心", 'class="tag tag-confidential"'):
        assert shown in panel, shown
    assert "新增外贸主体" in panel

    # The edit form shows the record; unticking a box (its hidden "0" alone) saves "no".
    form = body(member.get(f"/board/projects/{project_id}/edit"))
    assert 'name="confidential" value="1" checked' in form
    assert not re.search(r'data-foreign-capital\s+hidden', form)
    response = member.post(f"/board/projects/{project_id}", data={
        "name": project.name, "confidential": "0", "version": str(project.version)})
    assert response.status_code == 204, body(response)[:500]
    after = stored(app, project_id)
    assert not after.confidential and after.foreign_invested  # boxes not on the form: kept
    assert after.version == project.version + 1


def test_empty_fields_leave_a_sparse_record_and_the_panel_hides_them(clients, make_project):
    project = make_project("简单项目")
    panel = body(clients["viewer"].get(f"/board/projects/{project['id']}"))
    for hidden in ("外资与外贸", "联系与用地", "投资方来源地", "tag-confidential"):
        assert hidden not in panel, hidden


def test_a_near_duplicate_warns_with_the_matches_and_saves_only_when_confirmed(
        app, clients, counties, make_project):
    make_project("湘澜新材料锂电池项目", investor="湘澜新材料有限公司")
    member = clients["member"]
    before = snapshot(app)
    typed = {"name": "湘澜新材料 锂电池 项目", "investor": "湘澜新材料", "investment_wan": "8000",
             "county": counties[1], "team": "一组"}
    response = member.post("/board/projects", data=typed)
    assert response.status_code == 409
    html = body(response)
    table = html.split('class="duplicates-table"')[1].split("</table>")[0]
    for shown in ("湘澜新材料锂电池项目", "湘澜新材料有限公司", counties[0], "接触洽谈",
                  "在挂图上"):
        assert shown in table, shown
    assert 'name="allow_duplicate" value="1"' in html
    assert 'value="湘澜新材料 锂电池 项目"' in html  # what was typed stays
    assert snapshot(app) == before

    response = member.post("/board/projects", data={**typed, "allow_duplicate": "1"})
    assert response.status_code == 204, body(response)[:500]
    with app.app_context():
        names = db.session.execute(select(Project.name).order_by(Project.id)).scalars().all()
    assert names == ["湘澜新材料锂电池项目", "湘澜新材料 锂电池 项目"]


# --- the panel: stage dates, next step, the keyboard move through a gate -------------------

def _signed(app, clients, make_project, name="签约项目") -> dict:
    project = make_project(name)
    response = clients["member"].post(f"/board/projects/{project['id']}/move",
                                      data={"stage": "signed", "version": "1"})
    assert response.status_code == 200, body(response)[:500]
    return {**project, "version": 2}


def test_correcting_a_stage_date_needs_a_lead_and_a_reason(app, clients, make_project):
    project = _signed(app, clients, make_project)
    pid = project["id"]
    last_week = (today() - timedelta(days=7)).isoformat()
    url = f"/board/projects/{pid}/dates"
    good = {"stage": "signed", "date": last_week, "reason": "合同上周已签", "version": "3"}
    # Dates keep their order: the first contact goes back first.
    assert clients["lead"].post(url, data={**good, "version": "2"}).status_code == 422
    first = clients["lead"].post(url, data={"stage": "contact", "version": "2",
                                            "date": "2024-03-01", "reason": "补录首次接触"})
    assert first.status_code == 200, body(first)[:800]

    member_panel = body(clients["member"].get(f"/board/projects/{pid}"))
    assert url not in member_panel
    before = snapshot(app)
    assert clients["member"].post(url, data=good).status_code == 403
    response = clients["lead"].post(url, data={**good, "reason": "  "})
    assert response.status_code == 422
    assert field_error(body(response), "reason")
    assert "<details class=\"correct\" open>" in body(response)
    future = (today() + timedelta(days=3)).isoformat()
    response = clients["lead"].post(url, data={**good, "date": future})
    assert response.status_code == 422
    assert field_error(body(response), "date")
    assert snapshot(app) == before

    response = clients["lead"].post(url, data=good)
    assert response.status_code == 200, body(response)[:500]
    assert stored(app, pid).signed_on.isoformat() == last_week
    html = body(response)
    assert f'<td class="date">{last_week}</td>' in html
    assert '<td class="date">2024-03-01</td>' in html
    entry = html.split('class="history-updated"')[1].split('<li class="history-')[0]
    assert "更正了阶段日期" in entry and "签约日期" in entry and last_week in entry
    assert "合同上周已签" in entry


def test_next_step_with_due_date_and_owner_shows_overdue(app, clients, make_project):
    project = make_project("下一步项目")
    pid = project["id"]
    url = f"/board/projects/{pid}/plan"
    before = snapshot(app)
    response = clients["member"].post(url, data={
        "next_step": "约见董事长", "next_step_due": "2024-02-30", "next_step_owner": "member",
        "planned_on": "", "version": "1"})
    assert response.status_code == 422
    html = body(response)
    assert field_error(html, "next_step_due")
    assert 'value="约见董事长"' in html and "<details class=\"plan\" open>" in html
    response = clients["member"].post(url, data={
        "next_step": "约见董事长", "next_step_owner": "outsider", "version": "1"})
    assert response.status_code == 422
    assert field_error(body(response), "next_step_owner")  # not of the project's team
    assert snapshot(app) == before
    assert clients["viewer"].post(url, data={"next_step": "x", "version": "1"}).status_code == 403

    yesterday = (today() - timedelta(days=1)).isoformat()
    response = clients["member"].post(url, data={
        "next_step": "约见董事长", "next_step_due": yesterday, "next_step_owner": "member",
        "planned_on": "2030-06-30", "version": "1"})
    assert response.status_code == 200, body(response)[:500]
    saved = stored(app, pid)
    assert (saved.next_step, saved.next_step_due.isoformat(), saved.planned_on.isoformat()) == \
        ("约见董事长", yesterday, "2030-06-30")
    html = body(response)
    assert 'class="next-step-meta overdue"' in html and "已逾期" in html
    board = body(clients["viewer"].get("/board"))
    card = board.split(f'data-project-id="{pid}"')[1].split("</article>")[0]
    assert 'class="card-overdue"' in card
    assert "warning-yellow" in board.split(f'data-project-id="{pid}"')[0].rsplit("<article", 1)[1]


def test_the_keyboard_move_asks_for_what_the_stage_needs(app, clients, make_project):
    project = make_project("缺投资额项目", investment_wan=0)
    pid = project["id"]
    url = f"/board/projects/{pid}/move"
    before = snapshot(app)
    response = clients["member"].post(url, data={"stage": "signed", "version": "1"})
    assert response.status_code == 422
    html = body(response)
    gate = html.split('<fieldset class="gate-fields">')[1].split("</fieldset>")[0]
    assert 'name="investment_wan"' in gate and 'name="stage_dates.signed"' in gate
    assert f'value="{today().isoformat()}"' in gate  # the date of entry defaults to today
    assert '<option value="signed" selected>' in html
    assert snapshot(app) == before

    response = clients["member"].post(url, data={
        "stage": "signed", "version": "1", "investment_wan": "八千",
        "stage_dates.signed": "2024-05-06"})
    assert response.status_code == 422
    html = body(response)
    assert 'value="八千"' in html and 'value="2024-05-06"' in html
    assert field_error(html, "investment_wan")
    assert snapshot(app) == before

    # A signing before the first contact is refused at its date.
    response = clients["member"].post(url, data={
        "stage": "signed", "version": "1", "investment_wan": "8,000",
        "stage_dates.signed": "2024-05-06"})
    assert response.status_code == 422
    assert field_error(body(response), "stage_dates.signed")
    assert snapshot(app) == before

    response = clients["member"].post(url, data={
        "stage": "signed", "version": "1", "investment_wan": "8,000",
        "stage_dates.signed": today().isoformat()})
    assert response.status_code == 200, body(response)[:800]
    saved = stored(app, pid)
    assert (saved.stage, saved.investment_wan, saved.signed_on) == ("signed", 8000, today())
    assert "gate-fields" not in body(response)


# --- withdrawal, archive, reopening ----------------------------------------------------------

def test_withdraw_archive_and_reopen_through_the_board(app, clients, make_project):
    project = make_project("退库项目")
    keep = make_project("另一个在板项目")
    pid = project["id"]
    withdraw = f"/board/projects/{pid}/withdraw"
    assert withdraw in body(clients["lead"].get(f"/board/projects/{pid}"))
    assert withdraw not in body(clients["member"].get(f"/board/projects/{pid}"))

    before = snapshot(app)
    good = {"withdrawn_reason": "went_elsewhere", "comment": "企业落户邻市", "version": "1"}
    assert clients["member"].post(withdraw, data=good).status_code == 403
    response = clients["lead"].post(withdraw, data={**good, "withdrawn_reason": ""})
    assert response.status_code == 422
    assert field_error(body(response), "withdrawn_reason")
    assert "企业落户邻市" in body(response)
    response = clients["lead"].post(withdraw, data={**good, "withdrawn_reason": "other",
                                                    "comment": ""})
    assert response.status_code == 422
    assert snapshot(app) == before

    response = clients["lead"].post(withdraw, data=good)
    assert response.status_code == 200, body(response)[:500]
    assert response.headers["HX-Trigger"] == "wallchart:archive-changed"
    html = body(response)
    assert 'data-status="withdrawn"' in html and "原因：落户他地" in html
    assert f"/board/projects/{pid}/reopen" in html
    # Read-only: no edit, move, next-step or date form is offered for a withdrawn project.
    for gone in ("/move", "/edit", "/plan", "/dates", "/assign", "/withdraw"):
        assert f"/board/projects/{pid}{gone}" not in html, gone
    board = body(clients["viewer"].get("/board"))
    assert f'data-project-id="{pid}"' not in board and f'data-project-id="{keep["id"]}"' in board

    archive = body(clients["viewer"].get("/board/archive"))
    row = archive.split(f'<tr data-project-id="{pid}">')[1].split("</tr>")[0]
    for shown in ("退库项目", "鹤城区", "接触洽谈", "Lead", "企业落户邻市"):
        assert shown in row, shown
    assert "/reopen" not in archive  # a viewer may not reopen
    assert f"/board/projects/{pid}/reopen" in body(clients["lead"].get("/board/archive"))
    assert "/board/archive" in board  # the board's header links to it
    viewer_panel = body(clients["viewer"].get(f"/board/projects/{pid}"))
    assert "hx-post" not in viewer_panel and "退库项目" in viewer_panel

    before = snapshot(app)
    htmx = {"HX-Request": "true"}
    assert clients["member"].post(f"/board/projects/{pid}/reopen", data={"version": "2"},
                                  headers=htmx).status_code == 403
    assert snapshot(app) == before
    response = clients["lead"].post(f"/board/projects/{pid}/reopen", headers=htmx,
                                    data={"version": "2", "reason": "企业重新洽谈"})
    assert response.status_code == 200, body(response)[:500]
    assert stored(app, pid).status == "active"
    html = body(response)
    assert f'data-project-id="{pid}"' in body(clients["viewer"].get("/board"))
    assert "退库项目" not in body(clients["viewer"].get("/board/archive"))
    assert "Lead 终止了项目：落户他地" in html
    assert "Lead 重新启用了项目" in html and "企业重新洽谈" in html


def test_the_archive_reopens_without_its_script(app, clients, make_project):
    """The archive's Reopen posted by the browser itself (htmx not running yet): the archive
    again, saying what happened; a refusal changes nothing and says why."""
    from wallchart.services import projects

    pid = make_project("无脚本重启项目")["id"]
    on_board = make_project("在板项目")["id"]
    with app.app_context():
        projects.withdraw_project(actor("lead"), pid, 1, "went_elsewhere", None)
    reopen = f"/board/projects/{pid}/reopen"
    archive = body(clients["lead"].get("/board/archive"))
    form = archive.split(f'<tr data-project-id="{pid}">')[1].split("</form>")[0]
    assert f'method="post" action="{reopen}"' in form and 'name="csrf_token"' in form

    before = snapshot(app)
    assert clients["member"].post(reopen, data={"version": "2"}).status_code == 403
    for target in (pid, on_board):  # version 1: stale for the withdrawn one
        response = clients["lead"].post(f"/board/projects/{target}/reopen",
                                        data={"version": "1"}, follow_redirects=True)
        assert response.status_code == 200 and response.request.path == "/board/archive"
        flashed = body(response).split('<ul class="flashes"')[1].split("</ul>")[0]
        assert ("该项目刚被他人修改" if target == pid else "该项目在挂图上，并未终止") in flashed
    assert snapshot(app) == before

    response = clients["lead"].post(reopen, data={"version": "2", "reason": "企业重新洽谈"})
    assert response.status_code == 303 and response.location.endswith("/board/archive")
    page = body(clients["lead"].get("/board/archive"))
    assert "“无脚本重启项目”已重新启用，回到看板的“接触洽谈”栏。" in page
    assert f'<tr data-project-id="{pid}">' not in page
    assert stored(app, pid).status == "active"
    assert f'data-project-id="{pid}"' in body(clients["viewer"].get("/board"))


# --- the timeline ----------------------------------------------------------------------------

def test_the_timeline_tells_every_kind_of_change_in_sentences(app, clients, make_project):
    from wallchart.services import blockers, notes, projects

    project = make_project("时间线项目")
    pid = project["id"]
    with app.app_context():
        lead = actor("lead")
        p = projects.move_project(actor("member"), pid, "negotiating", 1)
        p = projects.update_project(actor("member"), pid, {
            "version": p.version, "land_mu": 120, "three500": "fortune_global"})
        p = projects.assign_project(lead, pid, "member", p.version)
        notes.add_note(actor("member"), pid, "董事长来访\n参观园区")
        blocker = blockers.raise_blocker(actor("member"), pid, {
            "kind": "land", "department": "自然资源局", "description": "用地指标不足"})
        blockers.resolve_blocker(lead, blocker.id, blocker.version, "调剂指标解决")
        p = db.session.get(Project, pid)
        p = projects.update_project(lead, pid, {
            "version": p.version, "reason": "首次接触早于录入",
            "stage_dates": {"contact": (today() - timedelta(days=30)).isoformat()}})
        p = projects.withdraw_project(lead, pid, p.version, "investor_withdrew", "暂停投资")
        projects.reopen_project(lead, pid, p.version, "恢复洽谈")
    html = body(clients["viewer"].get(f"/board/projects/{pid}"))
    history = html.split('<ol class="history">')[1]
    expected = [
        ("reopened", "Lead 重新启用了项目"),
        ("withdrawn", "Lead 终止了项目：投资方放弃"),
        ("updated", "Lead 更正了阶段日期"),
        ("blocker_resolved", "Lead 解决了协调事项：用地，责任部门：自然资源局"),
        ("blocker_raised", "Member 提出了协调事项：用地，责任部门：自然资源局"),
        ("noted", "Member 添加了进展"),
        ("assigned", "Lead 调整了责任人"),
        ("updated", "Member 修改了项目信息"),
        ("moved", "Member 将其从“接触洽谈”移至“在谈”"),
        ("created", "Member 新建项目（接触洽谈）"),
    ]
    entries = re.findall(
        r'<li class="history-([a-z_]+)">(.*?)</li>\s*(?=<li class="history-|</ol>)', history, re.S)
    assert [action for action, _entry in entries] == [action for action, _s in expected]
    for (_action, entry), (_a, sentence) in zip(entries, expected, strict=True):
        assert sentence in entry, (sentence, entry[:400])
    text = dict(entries)
    assert "用地面积：— → 120 亩" in entries[7][1] and "世界500强" in entries[7][1]
    assert "董事长来访\n参观园区" in text["noted"]
    assert "调剂指标解决" in entries[3][1] and "用地指标不足" in entries[4][1]
    assert "暂停投资" in text["withdrawn"] and "恢复洽谈" in text["reopened"]
    assert "首次接触早于录入" in entries[2][1]


# --- the card --------------------------------------------------------------------------------

def test_the_card_shows_badges_blockers_and_its_warning(app, clients, make_project):
    from wallchart.services import blockers

    big = make_project("十亿级外资项目", investment_wan=120000, three500="fortune_global",
                       foreign_invested=True)
    small = make_project("普通项目", investment_wan=900)
    with app.app_context():
        for department in ("发改委", "住建局"):
            blockers.raise_blocker(actor("member"), big["id"], {
                "kind": "approval", "department": department,
                "raised_on": (today() - timedelta(days=50)).isoformat(),
                "due_on": (today() - timedelta(days=40)).isoformat()})
    board = body(clients["viewer"].get("/board"))
    card = board.split(f'data-project-id="{big["id"]}"')[1].split("</article>")[0]
    opening = board.split(f'data-project-id="{big["id"]}"')[0].rsplit("<article", 1)[1]
    assert "warning-red" in opening
    assert re.search(r'title="[^"]*协调事项已超期', card)  # the reasons on hover
    assert re.search(r'<span class="card-blockers"[^>]*>协调事项 2</span>', card)
    for badge in ("badge-big", "badge-500", "badge-foreign"):
        assert badge in card, badge
    plain = board.split(f'data-project-id="{small["id"]}"')[1].split("</article>")[0]
    for absent in ("badge", "card-blockers", "card-overdue", "card-alerts", "title="):
        assert absent not in plain.split(">", 1)[1] or absent == "title=", absent
    assert "card-alerts" not in plain


# --- text that looks like markup -------------------------------------------------------------

def test_user_text_in_the_record_is_shown_as_text(app, clients, counties, make_project):
    script = "<script>alert(1)</script>"
    project = make_project("转义项目", description=f"第一行{script}\n<b>粗</b>",
                           contact_person=script, origin='"><img src=x onerror=alert(1)>')
    pid = project["id"]
    with app.app_context():
        from wallchart.services import projects

        p = projects.update_project(actor("member"), pid, {
            "version": 1, "next_step": script, "next_step_owner": "member"})
        projects.withdraw_project(actor("lead"), pid, p.version, "other", script)
    pages = {
        "panel": body(clients["viewer"].get(f"/board/projects/{pid}")),
        "archive": body(clients["viewer"].get("/board/archive")),
    }
    for where, html in pages.items():
        assert "<script>alert" not in html and "<b>粗" not in html, where
        assert "<img src=x" not in html, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where
    assert "第一行&lt;script&gt;" in pages["panel"]
    assert "&lt;b&gt;粗&lt;/b&gt;" in pages["panel"]
    assert "&#34;&gt;&lt;img src=x" in pages["panel"]
