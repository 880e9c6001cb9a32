"""Which changes may alter the walls' header and ticker (``events.summary_sees``): the walls
are refreshed after those only. A card reordered in its column, a note, a next step, a blocker
or a new owner leave the key indicators and the latest moves as they were; a stage move, an
edit of an amount, a new card or a receipt of funds may not."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from wallchart.core.timeutil import today


@pytest.fixture
def two(make_project) -> list[dict]:
    return [make_project(name, stage="negotiating") for name in ("甲项目", "乙项目")]


def version(client, project: dict) -> int:
    return client.get(f"/api/projects/{project['id']}").get_json()["version"]


def sees(heard) -> list[tuple[str, bool]]:
    return [(change.action, change.summary_sees) for change in heard]


def test_what_the_header_and_ticker_never_read_refreshes_no_wall(clients, two, heard):
    member, lead = clients["member"], clients["lead"]
    first, second = two
    # The second card to the top of its column: a reordering, not a transition.
    moved = member.post(f"/api/projects/{second['id']}/move",
                        json={"stage": "negotiating", "position": 0, "version": second["version"]})
    assert moved.status_code == 200, moved.get_json()
    assert member.post(f"/api/projects/{first['id']}/notes",
                       json={"text": "约谈了投资方"}).status_code == 201
    edited = member.patch(f"/api/projects/{first['id']}", json={
        "version": version(member, first), "next_step": "寄送协议文本",
        "next_step_due": today().isoformat()})
    assert edited.status_code == 200, edited.get_json()
    assert lead.post(f"/api/projects/{first['id']}/assign", json={
        "owner": "member", "version": edited.get_json()["version"]}).status_code == 200
    assert sees(heard) == [("moved", False), ("noted", False), ("updated", False),
                           ("assigned", False)]


def test_what_they_read_refreshes_the_walls(clients, two, heard, make_project):
    member = clients["member"]
    first, second = two
    moved = member.post(f"/api/projects/{first['id']}/move",
                        json={"stage": "contact", "version": first["version"]})
    assert moved.status_code == 200, moved.get_json()
    edited = member.patch(f"/api/projects/{second['id']}", json={
        "version": second["version"], "investment_wan": 70000})
    assert edited.status_code == 200, edited.get_json()
    make_project("丙项目")
    assert sees(heard) == [("moved", True), ("updated", True), ("created", True)]


def test_an_edit_that_sets_a_value_to_itself_is_not_a_change(clients, two, heard):
    first = two[0]
    edited = clients["member"].patch(f"/api/projects/{first['id']}", json={
        "version": first["version"], "investment_wan": 50000, "next_step": "回访"})
    assert edited.status_code == 200, edited.get_json()
    assert sees(heard) == [("updated", False)]


def _unlike(value, python: type):
    """A value far from ``value``: another year for a date, three times and more a number."""
    if python is bool:
        return not value
    if python in (int, float):
        return (value or 0) * 3 + 7
    if python is date:
        return date(2001, 1, 1) if value else today()
    if python is datetime:
        return datetime(2001, 1, 1)
    return (value or "") + "变"


def test_nothing_in_the_list_changes_a_header_or_a_ticker(app, clients, make_project):
    """Every attribute ``SUMMARY_IGNORES`` names is changed in turn (written, not committed) on
    a project signed this year at the head of the ticker; the header and the ticker of both
    profiles, in both languages, stay the same. So the list cannot come to hold what a
    figure or the ticker reads."""
    from flask_babel import force_locale
    from sqlalchemy import inspect, select

    from wallchart.core.models import Project
    from wallchart.extensions import db
    from wallchart.reports import wall_summary
    from wallchart.services import events

    made = make_project("已签约的项目", stage="negotiating", investment_wan=150_000,
                        next_step="回访")
    assert clients["member"].post(f"/api/projects/{made['id']}/move", json={
        "stage": "signed", "version": made["version"]}).status_code == 200

    def shown() -> list[tuple[str, str]]:
        db.session.flush()
        found = []
        for profile in ("staff", "lobby"):
            summary = wall_summary.read(profile)
            for locale in app.config["LANGUAGES"]:
                with force_locale(locale):
                    found.append(wall_summary.render(summary))
        return found

    with app.app_context(), app.test_request_context():
        project = db.session.get(Project, made["id"])
        seen = shown()
        assert "已签约的项目" in seen[0][1] and "15.00" in seen[0][0]  # in the ticker and header
        mapper = inspect(Project)
        for name in sorted(events.SUMMARY_IGNORES):
            before = getattr(project, name)
            relationship = mapper.relationships.get(name)
            if relationship is not None:  # another row: a team or an owner is never taken away
                value = db.session.execute(select(relationship.mapper.class_).where(
                    relationship.mapper.class_.id != getattr(before, "id", None))).scalars().first()
            else:
                value = _unlike(before, mapper.columns[name].type.python_type)
            setattr(project, name, value)
            assert shown() == seen, f"{name} shows in the walls' header or ticker"
            setattr(project, name, before)
        db.session.rollback()
