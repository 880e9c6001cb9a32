"""The bell: notifications made by the subscriber to the services' announcements (a project
handed over, a card turned yellow or red, a stage passed, a next step or blocker falling due),
told once each and only to readers; the page, marking read, and the live count."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select

from tests.helpers import actor, all_rows, socket_client
from wallchart.core.errors import Invalid
from wallchart.core.models import Notification, Project, ProjectEvent, User, WarningLight
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import blockers, notifications, projects


def told(app, username: str) -> list[tuple[str, dict]]:
    """What ``username`` was told, oldest first: (kind, data)."""
    with app.app_context():
        user = actor(username)
        return [(row.kind, row.data) for row in db.session.execute(
            select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id)).scalars()]


def kinds(app, username: str) -> list[str]:
    return [kind for kind, _data in told(app, username)]


def version_of(app, project_id: int) -> int:
    with app.app_context():
        return db.session.get(Project, project_id).version


def assign(app, who: str, project_id: int, owner: str | None) -> None:
    with app.app_context():
        projects.assign_project(actor(who), project_id, owner, version_of(app, project_id))


def move(app, who: str, project_id: int, stage: str, **fields) -> None:
    with app.app_context():
        projects.move_project(actor(who), project_id, stage, version_of(app, project_id),
                              fields=fields)


def update(app, who: str, project_id: int, **fields) -> None:
    with app.app_context():
        projects.update_project(actor(who), project_id,
                                {**fields, "version": version_of(app, project_id)})


def owned(app, make_project, name: str, **fields) -> dict:
    """A project of the member's team, which the lead hands to the member."""
    project = make_project(name, **fields)
    assign(app, "lead", project["id"], "member")
    return project


# --- what is told whom ------------------------------------------------------------------------

def test_a_project_handed_to_someone_tells_him_and_not_the_one_who_handed_it(app, make_project):
    project = make_project("甲项目")
    assign(app, "lead", project["id"], "member")
    assert told(app, "member") == [("assigned", {"project": "甲项目"})]
    assert kinds(app, "lead") == []
    assign(app, "lead", project["id"], "lead")  # his own doing: nothing for him
    assert kinds(app, "lead") == []


def test_a_stage_passed_tells_the_owner_and_the_team_but_not_the_mover(app, make_project):
    project = owned(app, make_project, "乙项目")
    move(app, "lead", project["id"], "negotiating")
    for person in ("member", "viewer"):
        assert ("stage", {"project": "乙项目", "from_stage": "contact",
                          "to_stage": "negotiating"}) in told(app, person)
    assert "stage" not in kinds(app, "lead")
    assert "stage" not in kinds(app, "outsider")  # not of his team
    before = len(told(app, "member"))
    move(app, "lead", project["id"], "contact")  # a move back passes no gate
    assert len(told(app, "member")) == before


def test_a_card_turning_red_tells_its_owner_once(app, make_project):
    project = owned(app, make_project, "丙项目")
    late = (today() - timedelta(days=30)).isoformat()
    update(app, "lead", project["id"], next_step="签约", next_step_due=late)
    assert ("warning", {"project": "丙项目", "colour": "red"}) in told(app, "member")
    update(app, "lead", project["id"], description="仍然逾期")
    assert kinds(app, "member").count("warning") == 1
    with app.app_context():
        assert db.session.get(WarningLight, project["id"]).colour == "red"
    # Back to fine, then red again: told again.
    update(app, "lead", project["id"], next_step_due=(today() + timedelta(days=3)).isoformat())
    with app.app_context():
        assert db.session.get(WarningLight, project["id"]).colour is None
        # the same day's red is the same news: it was told already
        notifications.check_due()
    assert kinds(app, "member").count("warning") == 1


def test_the_daily_check_tells_of_next_steps_and_blockers_due_once(app, make_project):
    project = owned(app, make_project, "丁项目", next_step="拜访",
                    next_step_due=today().isoformat())
    with app.app_context():
        blockers.raise_blocker(actor("member"), project["id"], {
            "kind": "land", "department": "市自然资源和规划局", "due_on": today().isoformat()})
        # The member's step and blocker; the lead's digest of his team.
        assert notifications.check_due().told == {actor("member").id, actor("lead").id}
        assert notifications.check_due().told == set()
    assert sorted(kinds(app, "member")) == ["assigned", "blocker_due", "next_step_due"]
    with app.app_context():
        # Tomorrow they are overdue: told once more, each, and the card turned yellow.
        notifications.check_due(today() + timedelta(days=1))
    assert sorted(kinds(app, "member")) == ["assigned", "blocker_due", "blocker_due",
                                            "next_step_due", "next_step_due", "warning"]


def test_nobody_who_may_not_read_is_told(app, make_project):
    project = owned(app, make_project, "戊项目")
    with app.app_context():
        db.session.execute(select(User).where(User.username == "member")).scalar_one() \
            .active = False
        db.session.commit()
    move(app, "lead", project["id"], "negotiating")
    assert kinds(app, "member") == ["assigned"]
    assert kinds(app, "viewer") == ["stage"]


def test_a_failing_notifier_never_fails_the_move(app, make_project, monkeypatch):
    project = owned(app, make_project, "己项目")

    def broken(change):
        raise RuntimeError("the bell is broken")

    monkeypatch.setattr(notifications, "notices_for", broken)
    move(app, "lead", project["id"], "negotiating")
    with app.app_context():
        assert db.session.get(Project, project["id"]).stage == "negotiating"


def test_a_burst_of_changes_is_heard_together_a_moment_after_the_first(app, make_project):
    """As the server runs: the bell hears a burst of moves once, after NOTICE_DELAY_SECONDS,
    with as many statements for three moves as for one."""
    cards = [owned(app, make_project, name) for name in ("甲", "乙", "丙", "丁")]
    app.config["NOTICE_DELAY_SECONDS"] = 1.5
    heard_apart: list[int] = []  # the statements of each burst, sent outside the test's thread

    def count(*_args) -> None:
        if threading.current_thread() is not threading.main_thread():
            heard_apart[-1] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    try:
        for burst in (cards[:1], cards[1:]):
            heard_apart.append(0)
            for card in burst:
                move(app, "lead", card["id"], "negotiating")
            before = cards.index(burst[0])
            assert kinds(app, "member").count("stage") == before  # not yet
            deadline = time.monotonic() + 15
            while kinds(app, "member").count("stage") < before + len(burst):
                assert time.monotonic() < deadline, "the burst was never heard"
                time.sleep(0.05)
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count)
    assert [data["project"] for kind, data in told(app, "member") if kind == "stage"] == \
        ["甲", "乙", "丙", "丁"]
    assert heard_apart[0] == heard_apart[1] > 0


# --- the page ---------------------------------------------------------------------------------

def test_the_page_lists_marks_read_and_keeps_to_its_reader(app, clients, make_project):
    project = make_project("<b>庚</b>项目")
    assign(app, "lead", project["id"], "member")
    page = clients["member"].get("/notifications")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "&lt;b&gt;庚&lt;/b&gt;项目" in text and "<b>庚" not in text
    assert 'id="bell-count">1<' in text
    with app.app_context():
        [row] = db.session.execute(select(Notification)).scalars().all()
        row_id = row.id
    # Someone else's is not found, and nothing changes.
    before = all_rows(app)
    assert clients["lead"].post(f"/notifications/{row_id}/read").status_code == 404
    assert all_rows(app) == before
    answer = clients["member"].post(f"/notifications/{row_id}/read")
    assert answer.status_code == 303
    with app.app_context():
        assert notifications.unread_count(actor("member").id) == 0
    assert 'id="bell-count" hidden>0<' in clients["member"].get("/board").get_data(as_text=True)


def test_mark_all_read_and_a_deleted_project_is_shown_to_nobody(app, clients, make_project):
    first, second = make_project("一"), make_project("二")
    assign(app, "lead", first["id"], "member")
    assign(app, "lead", second["id"], "member")
    with app.app_context():
        assert notifications.unread_count(actor("member").id) == 2
        projects.delete_project(actor("lead"), second["id"], version_of(app, second["id"]))
        assert notifications.unread_count(actor("member").id) == 1
    assert clients["member"].post("/notifications/read").status_code == 303
    with app.app_context():
        assert notifications.unread_count(actor("member").id) == 0


def test_the_messages_speak_chinese_and_english(app, make_project):
    project = make_project("辛项目")
    assign(app, "lead", project["id"], "member")
    with app.test_request_context():
        [row] = db.session.execute(select(Notification)).scalars().all()
        with force_locale("en"):
            assert notifications.message(row) == "辛项目 was handed to you."
        with force_locale("zh"):
            assert notifications.message(row) == "项目“辛项目”已交给您负责。"


@pytest.mark.parametrize("who", ["member"])
def test_the_live_count_reaches_only_its_person(app, clients, make_project, who):
    project = make_project("壬项目")
    mine = socket_client(app, clients[who])
    other = socket_client(app, clients["viewer"])
    mine.get_received(), other.get_received()
    assign(app, "lead", project["id"], who)
    counts = [m["args"][0] for m in mine.get_received() if m["name"] == "notifications"]
    assert counts == [{"unread": 1}]
    assert not [m for m in other.get_received() if m["name"] == "notifications"]


def test_the_lead_gets_a_daily_digest_of_his_team(app, make_project):
    late = (today() - timedelta(days=30)).isoformat()
    project = owned(app, make_project, "癸项目", next_step="签约", next_step_due=late)
    with app.app_context():
        # A move of yesterday, as the history records it (the digest reads yesterday's moves).
        event = db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == project["id"])).scalars().first()
        yesterday = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
        db.session.add(ProjectEvent(project_id=project["id"], at=yesterday, user_id=event.user_id,
                                    action="moved", from_stage="contact",
                                    to_stage="negotiating", changes={}, revision=9999))
        db.session.commit()
        notifications.check_due()
    [(kind, data)] = [(k, d) for k, d in told(app, "lead") if k == "digest"]
    assert data == {"team": "一组", "moves": 1, "red": 1, "overdue": 1,
                    "day": today().isoformat()}
    with app.test_request_context(), force_locale("en"):
        row = db.session.execute(select(Notification).where(
            Notification.kind == "digest")).scalar_one()
        assert notifications.message(row) == ("Daily digest of 一组: 1 moves yesterday, 1 red "
                                              "cards, 1 overdue items.")


def test_what_a_person_muted_is_not_made(app, clients, make_project):
    page = clients["member"].get("/notifications/settings")
    assert page.status_code == 200 and 'value="assigned" checked' in page.get_data(as_text=True)
    saved = clients["member"].post("/notifications/settings",
                                   data={"receive": ["assigned", "warning"]})
    assert saved.status_code == 303
    with app.app_context():
        assert notifications.muted_kinds(actor("member").id) == {
            "team", "stage", "next_step_due", "blocker_due", "digest"}
    project = owned(app, make_project, "静音项目")
    move(app, "lead", project["id"], "negotiating")
    assert kinds(app, "member") == ["assigned"]  # no "stage": he muted it
    assert "stage" in kinds(app, "viewer")
    before = all_rows(app)
    with app.app_context(), pytest.raises(Invalid):
        notifications.set_muted(actor("member"), ["everything"])
    assert all_rows(app) == before
