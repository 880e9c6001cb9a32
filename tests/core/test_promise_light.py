"""The promise light: a signed project's promised start, yellow from ``PROMISE_NOTICE_DAYS``
before it to ``PROMISE_GRACE_DAYS`` past it, red beyond; nothing once started."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from wallchart.core.early_warnings import (
    PROMISE_GRACE_DAYS,
    PROMISE_NOTICE_DAYS,
    promise_light,
    promise_past_condition,
)
from wallchart.core.models import Project

PROMISED = date(2026, 6, 30)


def _project(stage: str = "signed", promised: date | None = PROMISED) -> Project:
    return Project(name="甲", stage=stage, signed_on=date(2026, 3, 1),
                   promised_start_on=promised)


@pytest.mark.parametrize("offset, colour", [
    (-PROMISE_NOTICE_DAYS - 1, None), (-PROMISE_NOTICE_DAYS, "yellow"), (0, "yellow"),
    (1, "yellow"), (PROMISE_GRACE_DAYS, "yellow"), (PROMISE_GRACE_DAYS + 1, "red"),
])
def test_the_light_by_the_days_to_and_past_the_promise(app, offset, colour):
    assert (PROMISE_NOTICE_DAYS, PROMISE_GRACE_DAYS) == (14, 30)  # as the README says
    with app.test_request_context():
        light = promise_light(_project(), PROMISED + timedelta(days=offset))
    assert light.colour == colour
    assert len(light.reasons) == (colour is not None)


@pytest.mark.parametrize("stage", ["contact", "negotiating", "started", "producing"])
def test_only_a_signed_project_not_yet_started_has_one(app, stage):
    with app.test_request_context():
        assert promise_light(_project(stage), PROMISED + timedelta(days=90)).colour is None
        assert promise_light(_project(promised=None), PROMISED).colour is None


def test_the_reasons_say_the_promise_and_the_days_in_chinese(app):
    with app.test_request_context(), force_locale("zh"):
        assert promise_light(_project(), PROMISED + timedelta(days=45)).reasons == [
            "约定开工日期（2026-06-30）已过 45 天，仍未开工"]
        assert promise_light(_project(), PROMISED - timedelta(days=3)).reasons == [
            "约定于 2026-06-30 开工"]


def test_the_sql_condition_agrees_on_what_is_past(app):
    from wallchart.extensions import db

    with app.app_context():
        for stage, promised in [("signed", PROMISED), ("signed", PROMISED + timedelta(days=1)),
                                ("started", PROMISED - timedelta(days=9)), ("signed", None)]:
            db.session.add(Project(name=f"{stage}{promised}", stage=stage,
                                   stage_entered_at=date(2026, 3, 1), rank=1.0,
                                   promised_start_on=promised))
        db.session.flush()
        past = db.session.query(Project.promised_start_on).filter(
            promise_past_condition(PROMISED + timedelta(days=1))).all()
        assert past == [(PROMISED,)]
        db.session.rollback()
