"""The import service: a ledger's rows created, updated, left alone or refused, all in one
transaction, with the stage dates as the history."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.helpers import actor, snapshot
from wallchart.core.errors import Forbidden
from wallchart.core.models import Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reports import indicators
from wallchart.reports.indicators import Period
from wallchart.services import events, imports
from wallchart.services.ledger import read_ledger

HEADERS = ["项目编码", "项目名称", "投资方", "总投资（万元）", "所属县市区", "产业类别", "项目阶段",
           "签约时间", "开工时间"]
SIGNED_ON = date(2025, 3, 18)


def ledger_file(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    """An .xlsx ledger with a title row above the header, as counties write them."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2025年招商引资项目台账"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger(rows: list[list], headers: list[str] = HEADERS):
    return read_ledger(ledger_file(rows, headers))


ROWS = [
    ["HC-001", "智能装备产业园", "湖南鹤城机械有限公司", 120000, "鹤城区", "工业", "已开工",
     SIGNED_ON, date(2025, 5, 6)],
    [None, "冷链物流中心", "中方物流集团", 30000, "中方县", "现代服务业", "在谈", None, None],
]


def totals(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.execute(select(func.count(Project.id))).scalar_one(),
                db.session.execute(select(func.count(ProjectEvent.id))).scalar_one())


def test_a_ledger_creates_its_projects_with_their_stage_dates(app, users, counties):
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(ROWS))
        assert plan.written
        assert plan.counts == {"create": 2, "update": 0, "unchanged": 0, "refused": 0}
        assert [row.number for row in plan.rows] == [3, 4]
        made = db.session.get(Project, plan.rows[0].project_id)
        assert (made.code, made.stage, made.investment_wan, made.county.name) == \
            ("HC-001", "started", 120000, "鹤城区")
        assert made.stage_date("signed") == SIGNED_ON
        assert made.stage_date("started") == date(2025, 5, 6)
        # One history entry per project, the creation, with its dates.
        events = db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == made.id)).scalars().all()
        assert [event.action for event in events] == ["created"]
        assert events[0].changes["stage_dates.signed"] == "2025-03-18"
        other = db.session.get(Project, plan.rows[1].project_id)
        assert other.stage == "negotiating" and other.code is None
        # The signed project counts as signed in the month of its signing, not today.
        march = indicators.compute(Period(date(2025, 3, 1), date(2025, 3, 31)))
        assert march["indicators"]["signed"].count == 1


def test_importing_the_same_ledger_twice_changes_nothing(app, users, counties):
    file = ledger_file(ROWS)
    with app.test_request_context():
        imports.apply(actor("lead"), read_ledger(file))
    before, counted = snapshot(app), totals(app)
    with app.test_request_context():
        plan = imports.apply(actor("lead"), read_ledger(file))
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 2, "refused": 0}
    assert not plan.written
    assert snapshot(app) == before and totals(app) == counted


def test_a_corrected_ledger_updates_the_projects_it_matches(app, users, counties):
    with app.test_request_context():
        imports.apply(actor("lead"), ledger(ROWS))
    corrected = [list(row) for row in ROWS]
    corrected[0][1] = "智能装备产业园（一期）"  # the name changes: matched by its code
    corrected[0][3] = 150000
    corrected[1][4] = "怀化高新区"  # no code: matched by name and investor
    with app.test_request_context():
        preview = imports.preview(actor("lead"), ledger(corrected))
    assert preview.counts["update"] == 2 and not preview.written
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(corrected))
        assert plan.written
        assert plan.counts == {"create": 0, "update": 2, "unchanged": 0, "refused": 0}
        first, second = plan.rows
        assert first.changes == {"name": ["智能装备产业园", "智能装备产业园（一期）"],
                                 "investment_wan": [120000, 150000]}
        assert second.changes == {"county": ["中方县", "怀化高新区"]}
        project = db.session.get(Project, first.project_id)
        assert project.investment_wan == 150000
        actions = db.session.execute(select(ProjectEvent.action).where(
            ProjectEvent.project_id == project.id).order_by(ProjectEvent.id)).scalars().all()
        assert actions == ["created", "updated"]


@pytest.mark.parametrize("cell, value, reason", [
    (4, "不存在县", "第4行“所属县市区”：没有名为 不存在县 的县市区。"),
    (3, -5, "第4行“总投资（万元）”："),
])
def test_a_bad_row_refuses_the_whole_import_and_says_where(app, users, counties, cell, value,
                                                           reason):
    rows = [list(row) for row in ROWS]
    rows[1][cell] = value
    before = snapshot(app)
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(rows))
    assert not plan.written
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "refused": 1}
    assert plan.refused[0].number == 4
    assert any(text.startswith(reason) for text in plan.refused[0].reasons), \
        plan.refused[0].reasons
    assert snapshot(app) == before


def test_a_member_may_not_import(app, users, counties):
    before = snapshot(app)
    with app.test_request_context(), pytest.raises(Forbidden):
        imports.apply(actor("member"), ledger(ROWS))
    assert snapshot(app) == before


def test_a_project_like_one_entered_by_hand_is_flagged(app, users, counties, make_project):
    existing = make_project("智能装备产业园项目", investor="湖南鹤城机械有限公司")
    before = snapshot(app)
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(ROWS[:1]))
    assert plan.counts["refused"] == 1 and not plan.written
    assert "智能装备产业园项目" in plan.refused[0].reasons[0]
    assert plan.refused[0].duplicates == [existing["id"]]
    assert snapshot(app) == before


@pytest.mark.parametrize("run", [imports.preview, imports.apply])
def test_a_row_like_an_earlier_row_names_that_row(app, users, counties, make_project, run):
    """A project entered twice in one ledger: the second row is flagged with the first row's
    number (its project is not on record), beside any project on record it resembles; the
    rows before it are not written to find out (a preview writes nothing at all)."""
    existing = make_project("冷链物流基地", investor="中方物流集团")
    twice = [list(ROWS[0]), list(ROWS[0])]
    twice[1][0], twice[1][1] = "HC-002", "智能装备产业园项目"
    before = snapshot(app)
    with app.test_request_context():
        plan = run(actor("lead"), ledger([*twice, list(ROWS[1])]))
    assert [row.action for row in plan.rows] == ["create", "refused", "refused"]
    second, third = plan.rows[1:]
    assert (second.duplicate_rows, second.duplicates, second.resembles) == ([3], [], True)
    assert "智能装备产业园" in second.reasons[0]
    assert (third.duplicate_rows, third.duplicates) == ([], [existing["id"]])
    assert [row.project_id for row in plan.rows] == [None, None, None]
    assert snapshot(app) == before


def test_an_import_is_one_revision_announced_once(app, users, counties):
    """Thousands of cards must not reach every screen one by one: the import's history entries
    share its revision, and it is announced once, as the board reloaded."""
    before = snapshot(app)["revision"]
    heard: list = []
    events.subscribe(heard.append)
    try:
        with app.test_request_context():
            plan = imports.apply(actor("admin"), ledger(ROWS), team="一组")
            revisions = db.session.execute(select(ProjectEvent.revision).where(
                ProjectEvent.project_id.in_([row.project_id for row in plan.rows]))
                .order_by(ProjectEvent.id)).scalars().all()
    finally:
        events._listeners.remove(heard.append)
    assert revisions == [before + 1, before + 1]
    assert snapshot(app)["revision"] == before + 1
    assert heard == [events.BoardReloaded(before + 1, heard[0].lobby_revision)]
    assert heard[0].lobby_revision is not None  # neither project is confidential


def test_an_owner_is_looked_up_by_name_and_an_unknown_one_refused(app, users, counties):
    headers = [*HEADERS, "责任人"]
    rows = [[*ROWS[0], "Member"], [*ROWS[1], "王五"]]
    with app.test_request_context():
        plan = imports.preview(actor("lead"), ledger(rows, headers))
    assert plan.rows[0].action == "create" and plan.rows[0].changes["owner"] == "member"
    assert plan.refused[0].reasons == ["第4行“责任人”：没有名为 王五 的有效用户。"]


def test_the_boards_export_imported_back_changes_nothing(app, users, counties, clients):
    with app.test_request_context():
        imports.apply(actor("lead"), ledger(ROWS))
    exported = clients["lead"].get("/board/export.xlsx")
    assert exported.status_code == 200
    before = snapshot(app)
    with app.test_request_context():
        plan = imports.apply(actor("lead"), read_ledger(exported.data))
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 2, "refused": 0}, \
        [(row.changes, row.reasons) for row in plan.rows]
    assert snapshot(app) == before


def test_a_code_matches_first_and_a_project_known_by_another_code_is_not_matched(
        app, users, counties, make_project):
    by_hand = make_project("冷链物流中心", investor="中方物流集团", stage="negotiating")
    coded = make_project("智能装备产业园", investor="湖南鹤城机械有限公司", code="HC-999")
    rows = [[*ROWS[1][:0], "ZF-002", *ROWS[1][1:]], ROWS[0]]
    with app.test_request_context():
        plan = imports.preview(actor("lead"), ledger(rows), allow_duplicates=True)
    # The row with a new code gives it to the project entered by hand without one...
    assert plan.rows[0].action == "update", plan.rows[0].reasons
    assert plan.rows[0].project_id == by_hand["id"]
    assert plan.rows[0].changes["code"] == [None, "ZF-002"]
    # ...but a project known by another code is another project.
    assert plan.rows[1].action == "create" and plan.rows[1].project_id != coded["id"]


def test_a_row_lists_its_unreadable_cells_and_the_records_refusals_together(app, users,
                                                                            counties):
    rows = [list(row) for row in ROWS]
    rows[0][3] = "很多"
    rows[0][4] = "不存在县"
    with app.test_request_context():
        plan = imports.preview(actor("lead"), ledger(rows))
    reasons = plan.refused[0].reasons
    assert len(reasons) == 2, reasons
    assert reasons[0].startswith("第3行“总投资（万元）”：")
    assert reasons[1] == "第3行“所属县市区”：没有名为 不存在县 的县市区。"


def test_a_refused_row_leaves_nothing_the_next_rows_could_meet(app, users, counties):
    """A row refused for a cell is written and undone (its other refusals are listed too):
    the next row of its code is a new project, not "code taken", nor a match."""
    rows = [["HC-9", "冷链物流中心", "中方物流集团", 30000, "中方县", "现代服务业", "在谈",
             "2025年13月1日", None],
            ["HC-9", "冷链物流中心二期", "中方物流集团", 30000, "中方县", "现代服务业", "在谈",
             None, None]]
    with app.test_request_context():
        plan = imports.preview(actor("lead"), ledger(rows), team="一组")
    assert [row.action for row in plan.rows] == ["refused", "create"], plan.rows


def test_a_refused_update_leaves_its_project_as_it_was_for_the_next_rows(app, users, counties):
    """An update refused once its values are set (a start before the signing) is undone
    without a savepoint: the next row of its code meets the project as stored."""
    with app.test_request_context():
        imports.apply(actor("lead"), ledger(ROWS))
    refused = list(ROWS[0])
    refused[3], refused[8] = 150000, date(2025, 1, 6)  # started before it was signed
    before = snapshot(app)
    with app.test_request_context():
        plan = imports.preview(actor("lead"), ledger([refused, list(ROWS[0])]))
    assert [row.action for row in plan.rows] == ["refused", "unchanged"], plan.rows
    assert "开工时间" in plan.rows[0].reasons[0], plan.rows[0].reasons
    assert snapshot(app) == before


def test_a_ledger_further_on_moves_the_card_as_a_drag_does(app, users, counties):
    rows = [list(row) for row in ROWS]
    with app.test_request_context():
        imports.apply(actor("lead"), ledger(rows))
        signed = today()  # not before the talks' own date, which their import stamped today
    rows[1][6], rows[1][7] = "已签约", signed  # the talks became a signing
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(rows))
        assert plan.counts == {"create": 0, "update": 1, "unchanged": 1, "refused": 0}
        assert plan.rows[1].changes == {"stage": ["negotiating", "signed"],
                                        "stage_dates.signed": [None, signed.isoformat()]}
        project = db.session.get(Project, plan.rows[1].project_id)
        assert (project.stage, project.stage_date("signed")) == ("signed", signed)
        moves = db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == project.id, ProjectEvent.action == "moved")).scalars().all()
        assert [(m.from_stage, m.to_stage) for m in moves] == [("negotiating", "signed")]
        month = indicators.compute(Period(signed.replace(day=1), signed))
        assert month["indicators"]["signed"].count == 1
    with app.test_request_context():  # and the same ledger again changes nothing
        assert imports.apply(actor("lead"), ledger(rows)).counts["unchanged"] == 2


def test_a_ledger_behind_the_board_is_refused_and_changes_nothing(app, users, counties):
    with app.test_request_context():
        imports.apply(actor("lead"), ledger(ROWS))
    rows = [list(row) for row in ROWS]
    rows[0][3], rows[0][6], rows[0][8] = 130000, "已签约", None  # an old copy of the ledger
    before = snapshot(app)
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(rows))
    assert not plan.written and plan.counts["refused"] == 1
    assert plan.refused[0].reasons == [
        "第3行“项目阶段”：看板上该项目已在“已开工”，比台账的“已签约”更进一步：如确需退回，请在看板上把卡片移回。"]
    assert snapshot(app) == before


def test_a_move_the_gate_refuses_leaves_no_edit_behind(app, users, counties):
    rows = [[None, "冷链物流中心", "中方物流集团", None, "中方县", "现代服务业", "在谈", None,
             None]]
    with app.test_request_context():
        imports.apply(actor("lead"), ledger(rows))
    before, counted = snapshot(app), totals(app)
    rows[0][5], rows[0][6] = "工业", "已签约"  # an edit, and a signing with no investment
    with app.test_request_context():
        plan = imports.apply(actor("lead"), ledger(rows))
    assert not plan.written and plan.counts["refused"] == 1
    assert any("总投资" in reason for reason in plan.refused[0].reasons), plan.refused[0].reasons
    assert snapshot(app) == before and totals(app) == counted
