"""A lobby screen learns nothing it must not show, whatever its URL.

Two worlds that differ only in what a lobby must not learn of one confidential project (its
investor, its amount, its Three-500 list): in one they match every filter that reads them, in
the other none. Every filter parameter (``filters.PARAMETERS``, so a new one is covered or the
test says what it lacks), in every shape a URL can give it (repeated, empty first or last,
padded, among others, reordered), on every URL of the wall (from the app's own url_map): the
lobby's answer is the same in both worlds, byte for byte but for the clock, so neither the set
nor the order of its cards, nor a count, total, rank or chart, depends on a hidden value. A
staff screen, shown the same, does tell the worlds apart: the test can see a difference.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from tests.helpers import TEAM, make_app
from wallchart.core.models import Project, Team, User
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reads import filters
from wallchart.reports import wall_views

#: What a lobby must not learn, as it is in the world where it matches the filters...
MATCH = {"investor": "绝密资本Acme控股集团", "investment_wan": 987_654,
         "three500": "fortune_global"}
#: ...and in the world where it does not. The open project's 50,000 万元 lies between the two.
MISS = {"investor": "另一家投资有限公司", "investment_wan": 1_000, "three500": None}
SECRETS = ("Acme", "987654", "987,654", "98.77", "9.88", "fortune_global")
#: Long enough ago that both cards are red, since the same day.
IDLE = timedelta(days=400)

#: A value of each filter parameter that keeps the confidential card in the world that matches.
SAMPLES: dict[str, tuple[str, ...]] = {
    "county": ("{county}",), "sector": ("industry",), "owner": ("member",), "team": (TEAM,),
    "stage": ("signed",), "three500": ("any", "fortune_global"), "billion": ("1",),
    "foreign": ("1",), "warning": ("red", "any"), "blockers": ("1",), "q": ("Acme", "acme"),
}

Shape = Callable[[str, str], list[tuple[str, str]]]
#: The ways a URL may carry one parameter's value.
SHAPES: dict[str, Shape] = {
    "plain": lambda name, value: [(name, value)],
    "empty first": lambda name, value: [(name, ""), (name, value)],
    "blank first": lambda name, value: [(name, "  "), (name, value)],
    "empty last": lambda name, value: [(name, value), (name, "")],
    "padded": lambda name, value: [(name, f" {value}\t")],
    "twice": lambda name, value: [(name, value), (name, value)],
    "among others": lambda name, value: [("sector", ""), (name, ""), ("county", ""),
                                         (name, value), ("q", "")],
}
#: The path parameters of the wall's routes, each with every value it takes.
ROUTE_ARGUMENTS = {"name": [name for name in wall_views.VIEWS]}


def _arrange(app, hidden: dict) -> None:
    """The confidential project's hidden values, written to its row as they are (no service:
    nothing else of the board, not even its version, may differ between the worlds)."""
    with app.app_context():
        db.session.execute(update(Project).where(Project.name == "保密项目").values(**hidden))
        db.session.commit()


@pytest.fixture
def world(app, make_project, counties):
    """An open red card and a confidential red card, red since the same day, the second with
    every visible criterion a lobby may filter by; then a calm card of another county. Returns
    the display tokens and the county."""
    from wallchart.services import accounts

    make_project("公开项目", investor="公开投资有限公司", investment_wan=50_000, stage="signed")
    make_project("保密项目", investment_wan=2_000, stage="signed")
    make_project("别县项目", investor="别县投资有限公司", investment_wan=200_000,
                 county=counties[1], sector="tourism", stage="negotiating",
                 three500="china_top")
    old = today() - IDLE
    with app.app_context():
        team = db.session.execute(select(Team.id).where(Team.name == TEAM)).scalar_one()
        member = db.session.execute(select(User.id).where(User.username == "member")).scalar_one()
        for name in ("公开项目", "保密项目"):
            db.session.execute(update(Project).where(Project.name == name).values(
                stage_entered_at=old, signed_on=today(), negotiating_on=old,
                open_blockers=1, blocker_due=old, foreign_invested=True, team_id=team,
                owner_id=member, sector="industry", confidential=name == "保密项目"))
        db.session.commit()
        tokens = {"staff": accounts.create_display_token(None, "内部大屏"),
                  "lobby": accounts.create_display_token(None, "大厅大屏", {"profile": "lobby"})}
    return {"tokens": tokens, "county": counties[0]}


def wall_paths(app) -> list[str]:
    """Every URL of the wall, from the app's own url_map: a route added later is covered, or
    this says which path parameter it needs a value for."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("wall.") and "GET" in rule.methods:
            names = sorted(rule.arguments)
            assert len(names) <= 1, rule
            values = ROUTE_ARGUMENTS[names[0]] if names else [None]
            with app.test_request_context():
                from flask import url_for

                paths += [url_for(rule.endpoint, **({names[0]: v} if names else {}))
                          for v in values]
    return sorted(paths)


def queries(county: str) -> dict[str, list[tuple[str, str]]]:
    """Every filter parameter in every shape, alone and after every filter a lobby may use;
    and no filter at all."""
    assert set(SAMPLES) == set(filters.PARAMETERS), "a filter parameter has no sample here"
    allowed = [(name, SAMPLES[name][0].format(county=county))
               for name in filters.PARAMETERS if name in filters.LOBBY_PARAMETERS]
    found: dict[str, list[tuple[str, str]]] = {"none": []}
    for name in filters.PARAMETERS:
        for value in SAMPLES[name]:
            value = value.format(county=county)
            for shape, pairs in SHAPES.items():
                found[f"{name}={value} {shape}"] = pairs(name, value)
            found[f"{name}={value} after the lobby's filters"] = [
                *(pair for pair in allowed if pair[0] != name), (name, value)]
    return found


def normalized(html: str) -> str:
    """The answer without what changes from one second to the next (the clock) and from one
    session to the next (its CSRF token)."""
    html = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": "…"', html)
    return re.sub(r"\d\d:\d\d(:\d\d)?", "hh:mm", html)


def cards(html: str) -> list[str]:
    return re.findall(r'data-project-id="(\d+)"', html)


def answers(app, token: str, paths: list[str], asked: dict) -> dict[tuple, tuple[int, str]]:
    """Each path with each query; the token last after other parameters, first otherwise."""
    client = app.test_client()
    found = {}
    for path in paths:
        for label, pairs in asked.items():
            last = label.endswith(("among others", "after the lobby's filters"))
            query = [*pairs, ("token", token)] if last else [("token", token), *pairs]
            response = client.get(f"{path}?{urlencode(query)}")
            found[path, label] = (response.status_code,
                                  normalized(response.get_data(as_text=True)))
    return found


def test_a_lobby_answers_alike_whether_the_hidden_value_matches_or_not(app, world):
    paths = wall_paths(app)
    assert {"/wall", "/wall/columns", "/wall/summary", "/wall/views/attention"} <= set(paths)
    asked = queries(world["county"])
    tokens = world["tokens"]
    #: What a staff screen is shown of the same, to see that the worlds differ.
    told = {label: asked[label] for label in (
        "none", "billion=1 empty first", "q=Acme blank first", "three500=any padded",
        "three500=fortune_global among others")}
    seen = {}
    for name, hidden in (("match", MATCH), ("miss", MISS)):
        _arrange(app, hidden)
        fresh = make_app()  # a new app: no card rendered in the other world is kept
        seen[name] = {"lobby": answers(fresh, tokens["lobby"], paths, asked),
                      "staff": answers(fresh, tokens["staff"],
                                       ["/wall/columns", "/wall/views/attention"], told)}
    lobby_match, lobby_miss = seen["match"]["lobby"], seen["miss"]["lobby"]
    differ = [key for key in lobby_match if lobby_match[key] != lobby_miss[key]]
    assert not differ, [(key, lobby_match[key][0], lobby_miss[key][0],
                         cards(lobby_match[key][1]), cards(lobby_miss[key][1]))
                        for key in differ[:10]]
    for (path, label), (status, html) in lobby_match.items():
        assert not [secret for secret in SECRETS if secret in html], (path, label)
        name = label.split("=")[0]
        if name == "none" or name in filters.LOBBY_PARAMETERS:
            assert status == 200, (path, label, status)
        else:  # refused on every route, the board's and the others alike
            assert status == 400, (path, label, status)
            assert "大厅屏不能按金额、三类500强或投资方筛选" in html, (path, label)
            assert cards(html) == [], (path, label)
    # The same URLs on a staff screen tell the worlds apart: what the lobby was spared.
    staff_match, staff_miss = seen["match"]["staff"], seen["miss"]["staff"]
    for label in list(told)[1:]:
        key = ("/wall/columns", label)
        assert len(cards(staff_match[key][1])) == len(cards(staff_miss[key][1])) + 1, label
    attention = ("/wall/views/attention", "none")
    assert staff_match[attention] != staff_miss[attention]
    lobby_red = re.findall(r"(公开项目|保密项目)", lobby_match[attention][1])
    assert lobby_red[:2] == ["公开项目", "保密项目"]  # the amount it cannot see does not count


def test_every_criterion_of_the_parsed_filter_is_judged_for_a_lobby():
    """The rule is an allow-list over the parsed filter: each criterion of ``BoardFilter``
    answers to one parameter, which a lobby may use or not; one added to the filter without a
    parameter, or with one left off the allow-list, cannot slip past it."""
    assert set(filters.PARAMETERS) - filters.LOBBY_PARAMETERS == {"three500", "billion", "q"}
    judged = []
    for criterion in dataclasses.fields(filters.BoardFilter):
        if not criterion.compare:  # how it was asked (``owner_is_me``), not what it keeps
            continue
        value = {tuple: ("x",), bool: True, str: "x"}[type(criterion.default)]
        used = filters.BoardFilter(**{criterion.name: value})
        assert len(used.parameters()) == 1, criterion.name
        name = used.parameters()[0]
        judged.append(name)
        assert filters.hidden_from_lobby(used) == (
            () if name in filters.LOBBY_PARAMETERS else (name,))
    assert sorted(judged) == sorted(filters.PARAMETERS)


def test_ambiguous_repeats_are_refused_on_every_screen(app, world, clients):
    """Two different values for a parameter that takes one: refused (400, in Chinese), on the
    board and the wall alike; a token given twice names no display."""
    client, tokens = app.test_client(), world["tokens"]
    for query, said in (("q=公开&q=保密", "一次只能搜索一段文字"),
                        ("sector=industry&sector=tourism", "只能选一个")):
        for profile in ("staff", "lobby"):
            for path in ("/wall", "/wall/columns", "/wall/views/ranking", "/wall/summary"):
                answer = client.get(f"{path}?token={tokens[profile]}&{query}")
                assert answer.status_code == 400, (path, query)
                assert said in answer.get_data(as_text=True)
        assert clients["viewer"].get(f"/board/columns?{query}").status_code == 400
    both = client.get(f"/wall/columns?token={tokens['lobby']}&token={tokens['staff']}")
    assert both.status_code == 403 and cards(both.get_data(as_text=True)) == []


def test_nothing_outside_the_wall_answers_a_display_token_with_a_secret(app, world):
    """Every other GET route of the app, given the lobby's token in the query string or as a
    bearer token: none shows what the lobby must not learn."""
    _arrange(app, MATCH)
    token = world["tokens"]["lobby"]
    with app.app_context():
        project_id = db.session.execute(
            select(Project.id).where(Project.name == "保密项目")).scalar_one()
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        # The API's contract is made from the code alone (the same on every install): it
        # names every category a project may have, and no project.
        if "GET" not in rule.methods or rule.endpoint.startswith(
                ("wall.", "static", "api_contract.")):
            continue
        path = re.sub(r"<int:\w+>", str(project_id), rule.rule)
        for answer in (client.get(f"{path}?token={token}"),
                       client.get(path, headers={"Authorization": f"Bearer {token}"})):
            text = answer.get_data(as_text=True)
            assert answer.status_code < 500, path
            assert not [secret for secret in SECRETS if secret in text], path
