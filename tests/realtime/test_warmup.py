"""The board's cards warmed in the background (``realtime.warmup``, ``reads.card_cache.warm``):
every screen then loads without rendering a card, a lobby still never sees a confidential
value, and a change after the warming shows at once; today's cards kept across a restart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import make_app, sign_in
from tests.live import Person, create, wait_until
from wallchart.core.timeutil import SHANGHAI
from wallchart.reads import card_cache, queries
from wallchart.realtime.warmup import AFTER_MIDNIGHT_SECONDS, seconds_to_next_day

SECRET_INVESTOR = "绝密资本控股集团"


@pytest.fixture
def projects(make_project) -> list[dict]:
    return [make_project("公开项目", investor="公开投资有限公司"),
            make_project("保密项目", investor=SECRET_INVESTOR, investment_wan=987_654,
                         confidential=True)]


@pytest.fixture
def walls(app) -> dict[str, str]:
    from wallchart.services import accounts

    with app.app_context():
        return {"staff": accounts.create_display_token(None, "会议室"),
                "lobby": accounts.create_display_token(None, "大厅", {"profile": "lobby"})}


def rendered_on_load(app, monkeypatch) -> list[int]:
    """The ids of the cards the screens render themselves from now on."""
    asked: list[int] = []
    card_projects = queries.card_projects

    def recording(ids):
        ids = list(ids)
        asked.extend(ids)
        return card_projects(ids)

    monkeypatch.setattr(queries, "card_projects", recording)
    return asked


def load_every_screen(viewer, wall, walls: dict[str, str]) -> None:
    """The board and each wall in each language, each showing the public project."""
    for language in ("zh", "en"):
        viewer.post("/language", data={"lang": language, "csrf_token": viewer.csrf})
        assert "公开项目" in viewer.get("/board").get_data(as_text=True)
        for token in walls.values():
            assert "公开项目" in wall.get(f"/wall?token={token}&lang={language}").get_data(
                as_text=True)


def test_after_warming_no_screen_renders_a_card_in_any_language(
        app, projects, walls, clients, monkeypatch):
    pauses = []
    with app.app_context():
        card_cache.clear()
    card_cache.warm(app, lambda: pauses.append(1))
    assert pauses, "the warming never let the requests waiting run"
    asked = rendered_on_load(app, monkeypatch)
    load_every_screen(clients["viewer"], app.test_client(), walls)
    assert asked == []


def test_a_warmed_lobby_wall_shows_no_confidential_value(app, projects, walls):
    with app.app_context():
        card_cache.clear()
    card_cache.warm(app, lambda: None)
    wall = app.test_client()
    lobby = wall.get(f"/wall?token={walls['lobby']}").get_data(as_text=True)
    staff = wall.get(f"/wall?token={walls['staff']}").get_data(as_text=True)
    assert "保密项目" in lobby and SECRET_INVESTOR not in lobby and "98.77" not in lobby
    assert SECRET_INVESTOR in staff  # the staff wall shows it: the check above can fail


def test_a_change_after_warming_shows_on_the_next_load(app, projects, clients, monkeypatch):
    card_cache.warm(app, lambda: None)
    asked = rendered_on_load(app, monkeypatch)
    project = projects[0]
    response = clients["member"].patch(f"/api/projects/{project['id']}",
                                       json={"version": project["version"],
                                             "investor": "新来的投资方"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "新来的投资方" in clients["viewer"].get("/board").get_data(as_text=True)
    assert asked == [project["id"]]


@pytest.mark.parametrize(("utc", "seconds"), [
    (datetime(2026, 12, 6, 15, 59, 0, tzinfo=UTC), 60),          # 23:59 in Shanghai
    (datetime(2026, 12, 6, 16, 0, 0, tzinfo=UTC), 24 * 3600),    # midnight: the next one
    (datetime(2026, 12, 6, 4, 0, 0, tzinfo=UTC), 12 * 3600),     # noon
])
def test_the_next_warming_is_just_after_midnight_in_shanghai(utc, seconds):
    assert seconds_to_next_day(utc) == seconds + AFTER_MIDNIGHT_SECONDS
    assert seconds_to_next_day(utc.astimezone(SHANGHAI)) == seconds + AFTER_MIDNIGHT_SECONDS


# --- across a restart ---------------------------------------------------------------------------

def kept_file(app) -> Path:
    return Path(app.instance_path, card_cache.KEPT_FILE)


def test_the_cards_kept_at_a_stop_are_taken_at_the_next_start(app, projects, walls, clients,
                                                               monkeypatch):
    """What the screens that reload all at once after a restart find: today's cards, as the
    stopped server rendered them; and a lobby still sees no confidential value."""
    card_cache.warm(app, lambda: None)
    card_cache.keep(app)
    restarted = make_app()
    # Two cards in two languages on the board and the wall, and the confidential one for a lobby.
    assert card_cache.reload(restarted) == 10
    asked = rendered_on_load(restarted, monkeypatch)
    wall = restarted.test_client()
    load_every_screen(sign_in(restarted, "viewer"), wall, walls)
    lobby = wall.get(f"/wall?token={walls['lobby']}").get_data(as_text=True)
    assert SECRET_INVESTOR not in lobby and "保密项目" in lobby
    assert asked == []


def test_kept_cards_are_not_taken_after_a_change_under_other_settings_or_spoilt(
        app, projects, clients):
    card_cache.warm(app, lambda: None)
    card_cache.keep(app)
    assert card_cache.reload(make_app(STALL_DAYS={"contact": 1})) == 0  # other settings
    project = projects[0]
    response = clients["member"].patch(f"/api/projects/{project['id']}",
                                       json={"version": project["version"], "investor": "新"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert card_cache.reload(make_app()) == 0  # the board changed while it was stopped
    kept_file(app).write_text("{not json", encoding="utf-8")
    assert card_cache.reload(make_app()) == 0
    kept_file(app).unlink()
    assert card_cache.reload(make_app()) == 0


@pytest.mark.live
def test_a_stopped_server_keeps_its_cards_and_the_next_one_starts_with_them(live_server):
    """``python wsgi.py`` stopped (SIGTERM) keeps the cards it warmed; started again on the
    same board, it serves the board and keeps them again at its next stop."""
    member = Person(live_server, "member")
    create(member, "重启前项目")
    assert wait_until(lambda: "重启前项目" in member.http.get(live_server.url + "/board").text)
    live_server.stop()
    kept = json.loads(Path(live_server.env["WALLCHART_INSTANCE_PATH"],
                           card_cache.KEPT_FILE).read_text(encoding="utf-8"))
    assert any("重启前项目" in card[-1] for card in kept["cards"])
    live_server.start()
    assert "重启前项目" in Person(live_server, "member").http.get(live_server.url + "/board").text
