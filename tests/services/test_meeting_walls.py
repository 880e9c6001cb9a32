"""Meeting mode's two controls of the chair (issue 16): which wall displays are in the meeting
("Present on…", the others keep their rotation), and the county ranking or the blocker list put
up instead of an agenda item, back to the agenda with an item, Next or Back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.helpers import actor
from wallchart.core.errors import Forbidden, Invalid
from wallchart.core.models import DisplayToken, Meeting
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reports import meeting_mode
from wallchart.services import accounts, meetings


@pytest.fixture
def walls(app) -> dict[str, int]:
    """Three active wall displays (one a lobby's) and a revoked one, by name: their ids."""
    with app.app_context():
        for name, profile in (("会议室", "staff"), ("走廊", "staff"), ("大厅", "lobby"),
                              ("旧屏", "staff")):
            accounts.create_display_token(None, name, {"profile": profile})
        ids = dict(db.session.execute(select(DisplayToken.name, DisplayToken.id)).all())
        db.session.execute(update(DisplayToken).where(DisplayToken.name == "旧屏")
                           .values(revoked_at=DisplayToken.created_at))
        db.session.commit()
        return ids


@pytest.fixture
def meeting_id(app, make_project) -> int:
    a, b = make_project("甲项目")["id"], make_project("乙项目")["id"]
    with app.app_context():
        return meetings.create_meeting(actor("lead"), {
            "title": "十二月调度会", "date": today().isoformat(), "agenda": [a, b]}).id


def in_meeting() -> set[str]:
    return set(db.session.execute(select(DisplayToken.name).where(
        DisplayToken.in_meeting)).scalars())


def shown(name: str) -> dict | None:
    display = db.session.execute(select(DisplayToken).where(DisplayToken.name == name)).scalar_one()
    return meeting_mode.for_display(display, today())


def test_the_chair_chooses_the_walls_and_the_others_keep_their_rotation(app, walls, meeting_id):
    with app.app_context():
        meetings.present(actor("lead"), meeting_id, 0, [walls["会议室"], walls["大厅"]])
        assert in_meeting() == {"会议室", "大厅"}
        assert shown("会议室")["position"] == 0 and shown("大厅")["lobby"]
        assert shown("走廊") is None
        meetings.present(actor("lead"), meeting_id, 1)  # Next keeps the walls chosen
        assert in_meeting() == {"会议室", "大厅"} and shown("会议室")["position"] == 1
        meetings.present(actor("lead"), meeting_id, 1, [walls["走廊"]])  # another wall
        assert in_meeting() == {"走廊"}
        meetings.present(actor("lead"), meeting_id, None)
        assert in_meeting() == set() and shown("走廊") is None


def test_left_out_the_walls_are_every_active_one(app, walls, meeting_id):
    with app.app_context():
        meetings.present(actor("admin"), meeting_id, 0)
        assert in_meeting() == {"会议室", "走廊", "大厅"}


@pytest.mark.parametrize("chosen", [[], "1", ["1"], [True], [0], ["旧屏"], None])
def test_walls_that_cannot_be_chosen_are_refused_and_nothing_changes(app, walls, meeting_id,
                                                                      chosen):
    choice = [walls["旧屏"]] if chosen == ["旧屏"] else [10**6] if chosen == [0] else chosen
    if chosen is None:
        choice = {"a": 1}
    with app.app_context():
        with pytest.raises(Invalid) as refused:
            meetings.present(actor("lead"), meeting_id, 0, choice)
        assert "displays" in refused.value.fields
        assert in_meeting() == set()
        assert db.session.get(Meeting, meeting_id).current_position is None


def test_another_meeting_put_up_takes_the_walls_it_is_given(app, walls, meeting_id,
                                                           make_project):
    with app.app_context():
        other = meetings.create_meeting(actor("lead"), {
            "title": "专题会", "date": today().isoformat(),
            "agenda": [make_project("丙项目")["id"]]}).id
        meetings.present(actor("lead"), meeting_id, 0, [walls["会议室"]])
        meetings.show_view(actor("lead"), meeting_id, "ranking")
        meetings.present(actor("lead"), other, 0, [walls["走廊"]])
        first = db.session.get(Meeting, meeting_id)
        assert first.current_position is None and first.shown_view is None
        assert in_meeting() == {"走廊"}
        meetings.set_agenda(actor("lead"), other, [])  # nothing left to show
        assert in_meeting() == set()


def test_the_chair_puts_up_the_ranking_or_the_blocker_list_and_returns_to_the_agenda(
        app, walls, meeting_id):
    with app.app_context():
        meetings.present(actor("lead"), meeting_id, 1, [walls["会议室"], walls["大厅"]])
        meetings.show_view(actor("lead"), meeting_id, "ranking")
        staff, lobby = shown("会议室"), shown("大厅")
        assert staff["shown_view"] == "ranking" and staff["rows"] is not None
        assert lobby["shown_view"] == "ranking" and lobby["public_only"]
        assert shown("走廊") is None
        meetings.show_view(actor("lead"), meeting_id, "attention")
        assert shown("会议室")["shown_view"] == "attention" and "blockers" in shown("会议室")
        with pytest.raises(Invalid):
            meetings.show_view(actor("lead"), meeting_id, "attention")  # shown already
        meetings.present(actor("lead"), meeting_id, 0)  # Back: the agenda again
        assert db.session.get(Meeting, meeting_id).shown_view is None
        assert shown("会议室")["position"] == 0 and "shown_view" not in shown("会议室")
        assert in_meeting() == {"会议室", "大厅"}


@pytest.mark.parametrize("view", ["charts", "board", "", None, 1, ["ranking"]])
def test_a_view_that_is_not_offered_is_refused(app, walls, meeting_id, view):
    with app.app_context():
        meetings.present(actor("lead"), meeting_id, 0)
        with pytest.raises(Invalid):
            meetings.show_view(actor("lead"), meeting_id, view)
        assert db.session.get(Meeting, meeting_id).shown_view is None


def test_a_view_needs_the_meeting_on_the_walls_and_a_chair(app, walls, meeting_id):
    with app.app_context():
        with pytest.raises(Invalid):
            meetings.show_view(actor("lead"), meeting_id, "ranking")
        meetings.present(actor("lead"), meeting_id, 0)
        for who in ("member", "viewer"):
            with pytest.raises(Forbidden):
                meetings.show_view(actor(who), meeting_id, "ranking")
        assert db.session.get(Meeting, meeting_id).shown_view is None
