"""The shared writer of made-up projects (``wallchart/cli/dataset.py``): it leaves the database as
the services would have, so that the pages, the API and the next change read it like any other."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import TEAM, actor
from wallchart.cli.dataset import BlockerSpec, Spec, insert_projects
from wallchart.core.models import BoardState, Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import blockers
from wallchart.services.projects import move_project

DAY = date(2026, 3, 2)


def spec(name: str, *stages: str, **fields) -> Spec:
    """A project of 一组 that entered ``stages`` a fortnight apart from ``DAY``."""
    return Spec(name=name, investor="示例投资有限公司（示例）", county="鹤城区", sector="industry",
                investment_wan=20_000, team=TEAM,
                dates={stage: DAY + timedelta(days=14 * n) for n, stage in enumerate(stages)},
                **fields)


def history(client, project_id: int) -> list[tuple]:
    """(action, from, to) of the project's history, oldest first, as the API gives it."""
    body = client.get(f"/api/projects/{project_id}").get_json()
    return [(e["action"], e["from_stage"], e["to_stage"]) for e in reversed(body["history"])]


def board_state() -> tuple[int, int, int]:
    """The board revision, the lobby revision and the history entries: equal when each change
    took one of each."""
    state = db.session.get(BoardState, 1)
    events = db.session.execute(select(func.count()).select_from(ProjectEvent)).scalar_one()
    return state.revision, state.lobby_revision, events


def test_open_blockers_are_rows_the_panel_and_the_services_agree_with(app, users, counties,
                                                                       clients, make_project):
    earlier = make_project("已在墙上的项目")  # revision 1, at the bottom of contact
    due = today() + timedelta(days=10)
    blocked = spec("新能源电池材料项目", "contact", "negotiating", owner="member",
                   next_step="约谈投资方", next_step_due=due, next_step_owner="member",
                   blockers=[BlockerSpec("land", "自然资源和规划局", DAY + timedelta(days=20),
                                         due + timedelta(days=5), "用地指标未落实"),
                             BlockerSpec("approval", "生态环境局", DAY + timedelta(days=30), due)])
    with app.app_context():
        insert_projects([blocked, spec("冷链物流园项目", "contact")])
        assert board_state() == (7, 7, 7)  # 1 before; 4 + 2 history entries here

    body = clients["member"].get(f"/api/projects/{blocked.id}").get_json()
    assert body["open_blockers"] == 2 and body["owner"] == "member"
    assert history(clients["member"], blocked.id) == [
        ("created", None, "contact"), ("assigned", None, None),
        ("moved", "contact", "negotiating"), ("blocker_raised", None, None),
        ("blocker_raised", None, None)]
    listed = clients["member"].get(f"/api/projects/{blocked.id}/blockers").get_json()["blockers"]
    assert [(b["kind"], b["status"], b["raised_by"]) for b in listed] == [
        ("land", "open", "lead"), ("approval", "open", "lead")]
    with app.app_context():
        row = db.session.get(Project, blocked.id)
        assert (row.blocker_due, row.stage_entered_at) == (due, DAY + timedelta(days=14))
        # The services carry on from the stored state: the counters, the revision, the place.
        blockers.resolve_blocker(actor("lead"), listed[1]["id"], listed[1]["version"], "已批复")
        row = db.session.get(Project, blocked.id)
        assert (row.open_blockers, row.blocker_due) == (1, due + timedelta(days=5))
        other = db.session.execute(select(Project).where(Project.name == "冷链物流园项目")
                                   ).scalar_one()
        assert other.rank > db.session.get(Project, earlier["id"]).rank
        move_project(actor("member"), other.id, "negotiating", other.version)
        assert board_state() == (9, 9, 9)


def test_a_wall_s_departures_are_written_as_the_services_record_them(app, users, counties,
                                                                      clients):
    signed_on, back_on = DAY + timedelta(days=40), DAY + timedelta(days=60)
    specs = [spec("撤回的项目", "contact", "negotiating", withdrawn_on=DAY + timedelta(days=50)),
             spec("删除的项目", "contact", "negotiating", "signed",
                  deleted_on=DAY + timedelta(days=45)),
             spec("签约落空的项目", "contact", "negotiating", fell_through=(signed_on, back_on))]
    with app.app_context():
        insert_projects(specs)
        withdrawn, deleted, fell = (db.session.get(Project, s.id) for s in specs)
        assert (withdrawn.status, withdrawn.withdrawn_reason) == ("withdrawn", "investor_withdrew")
        assert deleted.deleted_at is not None and not deleted.on_board
        assert (fell.stage, fell.signed_on, fell.on_board) == ("negotiating", None, True)
        assert board_state() == (11, 11, 11)
    assert history(clients["lead"], specs[0].id)[-1] == ("withdrawn", "negotiating", None)
    assert history(clients["lead"], specs[2].id)[-2:] == [
        ("moved", "negotiating", "signed"), ("moved", "signed", "negotiating")]
    assert clients["lead"].get(f"/api/projects/{specs[1].id}").status_code == 404
    assert "撤回的项目" in clients["lead"].get("/board/archive").get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"county": "火星县"}, "no county named 火星县"),
    ({"owner": "nobody"}, "no user named nobody"),
    ({"dates": {"contact": DAY, "negotiating": DAY - timedelta(days=1)}}, "stage order"),
])
def test_a_spec_no_wall_could_hold_is_refused_and_nothing_written(app, users, counties, fields,
                                                                   message):
    refused = spec("项目", "contact")
    for name, value in fields.items():
        setattr(refused, name, value)
    with app.app_context():
        with pytest.raises(ValueError, match=message):
            insert_projects([spec("好项目", "contact"), refused])
        assert db.session.execute(select(func.count()).select_from(Project)).scalar_one() == 0
        assert board_state() == (0, 0, 0)
