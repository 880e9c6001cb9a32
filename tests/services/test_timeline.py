"""Timeline completeness: a scripted life of a project through the services — created with its
history date, notes, moves, a signing date backdated by a lead with a reason, a blocker raised
and resolved, withdrawn, reopened — reads back from ``GET /api/projects/ID`` as exactly that
timeline: every action, who, from/to, what changed and why, the newest first."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import TEAM, actor
from wallchart.core.models import Project
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import blockers, notes, projects


def test_a_scripted_life_yields_exactly_its_timeline(app, clients, counties):
    day = today()
    iso = lambda days: (day + timedelta(days=days)).isoformat()  # noqa: E731
    with app.app_context():
        # Its history lies in a closed month: a lead brings it in.
        project = projects.create_project(actor("lead"), {
            "name": "锂电池正极材料项目", "investor": "湘澜新材料有限公司",
            "investment_wan": 120000, "county": counties[0], "sector": "industry",
            "team": TEAM, "stage_dates": {"contact": iso(-60)}, "reason": "招商推介会对接"})
        project_id = project.id

        def version() -> int:
            db.session.expire_all()
            return db.session.get(Project, project_id).version

        notes.add_note(actor("member"), project_id, "首次拜访企业总部。\n对方有意在园区设厂。")
        notes.add_note(actor("lead"), project_id, "市领导会见企业董事长。")
        # A lead dates it back: a member's move enters no date of a closed month.
        projects.move_project(actor("lead"), project_id, "negotiating", version(),
                              reason="对方提交投资意向书",
                              fields={"stage_dates": {"negotiating": iso(-30)}})
        projects.move_project(actor("member"), project_id, "signed", version())
        projects.update_project(actor("lead"), project_id, {
            "version": version(), "stage_dates": {"signed": iso(-7)},
            "reason": "签约仪式上周举行，补录日期"})
        blocker = blockers.raise_blocker(actor("member"), project_id, {
            "kind": "land", "department": "市自然资源和规划局",
            "description": "用地指标不足", "raised_on": iso(-5), "due_on": iso(10)})
        blocker_id = blocker.id
        blockers.resolve_blocker(actor("lead"), blocker_id, blocker.version,
                                 "市里统筹调剂用地指标")
        projects.withdraw_project(actor("lead"), project_id, version(), "went_elsewhere",
                                  "企业改投邻市")
        projects.reopen_project(actor("lead"), project_id, version(), "企业重新洽谈")

    answer = clients["viewer"].get(f"/api/projects/{project_id}").json
    history = answer["history"]
    assert [event["at"] for event in history] == sorted((e["at"] for e in history), reverse=True)
    created, *rest = reversed(history)

    # The creation: the fields given, the history date, and nothing else but empty defaults.
    assert (created["action"], created["by"], created["from_stage"], created["to_stage"],
            created["reason"]) == ("created", "lead", None, "contact", "招商推介会对接")
    assert {field: value for field, value in created["changes"].items()
            if value not in (None, "", False, 0, [])} == {
        "name": "锂电池正极材料项目", "investor": "湘澜新材料有限公司",
        "investment_wan": 120000, "county": counties[0], "sector": "industry", "team": TEAM,
        "stage_dates.contact": iso(-60)}

    timeline = [(e["action"], e["by"], e["from_stage"], e["to_stage"], e["changes"], e["reason"])
                for e in rest]
    assert timeline == [
        ("noted", "member", None, None,
         {"note": "首次拜访企业总部。\n对方有意在园区设厂。"}, None),
        ("noted", "lead", None, None, {"note": "市领导会见企业董事长。"}, None),
        ("moved", "lead", "contact", "negotiating",
         {"stage_dates.negotiating": [None, iso(-30)]}, "对方提交投资意向书"),
        ("moved", "member", "negotiating", "signed",
         {"stage_dates.signed": [None, iso(0)]}, None),
        ("updated", "lead", None, None,
         {"stage_dates.signed": [iso(0), iso(-7)]}, "签约仪式上周举行，补录日期"),
        ("blocker_raised", "member", None, None,
         {"blocker": blocker_id, "kind": "land", "department": "市自然资源和规划局",
          "description": "用地指标不足", "raised": iso(-5), "due": iso(10)}, None),
        ("blocker_resolved", "lead", None, None,
         {"blocker": blocker_id, "kind": "land", "department": "市自然资源和规划局",
          "due": iso(10), "resolution": "市里统筹调剂用地指标"}, None),
        ("withdrawn", "lead", "signed", None,
         {"status": ["active", "withdrawn"], "withdrawn_reason": [None, "went_elsewhere"]},
         "企业改投邻市"),
        ("reopened", "lead", None, "signed",
         {"status": ["withdrawn", "active"], "withdrawn_reason": ["went_elsewhere", None]},
         "企业重新洽谈"),
    ]

    # The project as it ends: back on the board, its dates and counters as the timeline says.
    assert (answer["status"], answer["stage"]) == ("active", "signed")
    assert {stage: answer["stage_dates"].get(stage) for stage in
            ("contact", "negotiating", "signed", "started")} == {
        "contact": iso(-60), "negotiating": iso(-30), "signed": iso(-7), "started": None}
    with app.app_context():
        stored = db.session.get(Project, project_id)
        assert (stored.open_blockers, stored.blocker_due, stored.last_note_on) == (0, None, day)
    # The notes and blockers read the same story.
    listed = clients["viewer"].get(f"/api/projects/{project_id}/notes").json["notes"]
    assert [(n["by"], n["text"]) for n in listed] == [
        ("lead", "市领导会见企业董事长。"), ("member", "首次拜访企业总部。\n对方有意在园区设厂。")]
    listed = clients["viewer"].get(f"/api/projects/{project_id}/blockers").json["blockers"]
    assert [(b["status"], b["raised_by"], b["resolved_by"]) for b in listed] == \
        [("resolved", "member", "lead")]
