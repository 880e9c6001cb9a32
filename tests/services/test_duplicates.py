"""The duplicate guard: which projects count as close matches, and the API's 409 that shows them
before anything is saved (``allow_duplicate`` saves anyway). The demo data must pass it: its test
(tests/cli/test_cli.py) checks that no demo project closely matches another."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert

from tests.helpers import snapshot
from wallchart.core.models import Project
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reads.duplicates import (
    NAME_RATIO,
    DuplicateIndex,
    _in_common,
    _pairs,
    normalise,
    similar_projects,
)


@pytest.mark.parametrize("text, expected", [
    ("湘澜新材料科技有限公司（示例）", "湘澜新材料科技"),
    ("湘澜新材料 科技 有限责任公司", "湘澜新材料科技"),
    ("远桥智造集团股份有限公司", "远桥智造"),
    ("ACME Co., Ltd.", "acme"),
    ("Ａｃｍｅ  Group", "acme"),
    ("锂电池项目【一期】", "锂电池"),
    ("项目", "项目"),  # never the whole name
])
def test_normalise(text, expected):
    assert normalise(text) == expected


def add(app, *rows: tuple[str, str], **columns) -> list[int]:
    """Projects straight into the table (name, investor); their ids."""
    with app.app_context():
        ids = [db.session.execute(insert(Project).values(
            name=name, investor=investor, stage="contact", rank=float(n),
            stage_entered_at=today(), **columns)).inserted_primary_key[0]
            for n, (name, investor) in enumerate(rows)]
        db.session.commit()
    return ids


def names_similar_to(app, name: str, investor: str = "", **kwargs) -> list[str]:
    with app.app_context():
        return [p.name for p in similar_projects(name, investor, **kwargs)]


EXISTING = [
    ("新能源电池材料生产基地", "湘澜新材料科技有限公司"),
    ("智能装备制造产业园", "远桥智造集团有限公司"),
    ("测试项目1", "示例投资有限公司"),
    ("铁路物流园一期", "陆港物流发展有限公司"),
    ("数据中心及算力服务项目", "云栈数字科技有限公司"),
]


@pytest.mark.parametrize("name, investor, expected", [
    # equal once normalised: a suffix, remarks in brackets, spaces
    ("新能源电池材料生产基地项目", "", ["新能源电池材料生产基地"]),
    (" 新能源 电池材料生产基地（二期） ", "", ["新能源电池材料生产基地"]),
    # difflib ratio 0.95; one name holding the other (four characters at least)
    ("智能装备制造产业园区", "", ["智能装备制造产业园"]),
    ("数据中心", "", ["数据中心及算力服务项目"]),
    ("智能装备", "", ["智能装备制造产业园"]),
    ("算力", "", []),
    # only the number differs: another project
    ("测试项目2", "示例投资有限公司", []),
    ("铁路物流园二期", "", []),
    # the investor alone is no match; with it, names sharing four characters in a row are
    ("预制菜加工项目", "示例投资有限公司", []),
    ("电池材料基地", "湘澜新材料科技有限公司（示例）", ["新能源电池材料生产基地"]),
    ("锂电池回收", "湘澜新材料科技有限公司", []),
    ("电池材料基地", "", []),
    ("完全不同的名字", "另一家公司", []),
])
def test_what_counts_as_a_close_match(app, name, investor, expected):
    add(app, *EXISTING)
    assert names_similar_to(app, name, investor) == expected


def test_withdrawn_projects_count_deleted_ones_do_not(app):
    add(app, ("冷链物流产业园", ""), status="withdrawn")
    add(app, ("冷链物流产业园区", ""), deleted_at=db.func.now())
    assert names_similar_to(app, "冷链物流产业园") == ["冷链物流产业园"]


def test_closest_first_at_most_limit_and_never_itself(app):
    ids = add(app, ("光伏组件生产线", ""), ("光伏组件生产线项目", ""), ("光伏组件生产线扩建", ""),
              ("光伏组件", ""))
    assert names_similar_to(app, "光伏组件生产线") == [
        "光伏组件生产线", "光伏组件生产线项目", "光伏组件生产线扩建", "光伏组件"]
    assert names_similar_to(app, "光伏组件生产线", limit=2) == [
        "光伏组件生产线", "光伏组件生产线项目"]
    assert names_similar_to(app, "光伏组件生产线", exclude_id=ids[0], limit=1) == [
        "光伏组件生产线项目"]


def test_it_reads_only_ids_names_and_investors_then_the_matches(app):
    """5,000 projects cost one light query over three columns, then one for the few matches."""
    with app.app_context():
        db.session.execute(insert(Project), [
            {"name": f"储备项目{n}号", "investor": f"投资方{n}", "stage": "contact",
             "rank": float(n), "stage_entered_at": today()} for n in range(5000)])
        db.session.commit()
        statements: list[str] = []
        listen = lambda *args: args[2] == "BEGIN" or statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            found = similar_projects("储备项目17号扩建", "")
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert [p.name for p in found] == ["储备项目17号"]
    assert len(statements) == 2
    first = statements[0].split("FROM")[0]
    assert first.count(",") == 2 and "project.name" in first and "project.investor" in first


# --- the index an import keeps ----------------------------------------------------------------

#: Few characters, so that random names often hold, contain or resemble each other; some with
#: numbers, brackets and spaces (which normalising takes out, or reads as numbers), some without.
PLAIN = "新能源电池材料生产基地智装备业园"
ALPHABET = PLAIN + "一二期12（） "
TEXTS = st.text(PLAIN, max_size=14) | st.text(ALPHABET, max_size=14)




@st.composite
def near(draw, texts: list[str]) -> str:
    """A text made from one of ``texts``: a piece of it, with characters put in or changed."""
    text = draw(st.sampled_from(texts))
    start = draw(st.integers(0, len(text)))
    piece = text[start:draw(st.integers(start, len(text)))]
    where = draw(st.integers(0, len(piece)))
    cut = draw(st.integers(0, 2))
    return piece[:where] + draw(st.text(ALPHABET, max_size=3)) + piece[where + cut:]


@st.composite
def boards_and_probes(draw) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    board = draw(st.lists(st.tuples(TEXTS.filter(str.strip), TEXTS), min_size=1, max_size=25))
    names, investors = [name for name, _ in board], [investor for _, investor in board]
    probes = draw(st.lists(st.tuples(st.one_of(near(names), TEXTS),
                                     st.one_of(near(investors), TEXTS)), min_size=1, max_size=8))
    return board, probes


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.data())
def test_texts_alike_have_the_pairs_the_index_counts_on(data):
    """The bounds the index's prefix filters rest on: two texts difflib finds ``NAME_RATIO``
    alike have at least the pairs of characters and the characters in common that
    ``_in_common`` says for their lengths."""
    text = data.draw(st.text("新能源电池材料生产基地智一二", min_size=2, max_size=30))
    other = text
    for _ in range(data.draw(st.integers(1, 1 + len(text) // 6))):  # a few edits
        where = data.draw(st.integers(0, len(other)))
        cut = data.draw(st.integers(0, 1))
        other = other[:where] + data.draw(st.text(ALPHABET, max_size=1)) + other[where + cut:]
    ratio = SequenceMatcher(None, text, other, autojunk=False).ratio()
    assume(ratio >= NAME_RATIO)
    needed = _in_common(len(text), len(other))
    assert needed is not None  # the lengths allow it
    pairs = Counter(_pairs(text)) & Counter(_pairs(other))
    assert sum(pairs.values()) >= min(needed[0], len(text) - 1)
    characters = Counter(text) & Counter(other)
    assert sum(characters.values()) >= needed[1]


@settings(max_examples=100, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(board_and_probes=boards_and_probes(), renamed=st.tuples(TEXTS.filter(str.strip), TEXTS))
def test_the_index_finds_what_the_scan_finds(app, board_and_probes, renamed):
    """The import's index answers exactly as the form's scan, for names made to resemble the
    board's, and after a project it knows was renamed."""
    board, probes = board_and_probes
    ids = add(app, *board)
    try:
        with app.app_context():
            index = DuplicateIndex()
            project = db.session.get(Project, ids[0])
            project.name, project.investor = renamed
            db.session.flush()
            index.add(project)
            for name, investor in probes:
                assert [p.id for p in index.similar_projects(name, investor)] == \
                    [p.id for p in similar_projects(name, investor)], (name, investor)
    finally:
        with app.app_context():
            db.session.execute(db.delete(Project))
            db.session.commit()


def test_the_index_knows_a_new_project_before_it_is_written(app):
    """An import's new projects are flushed a batch at a time: the index finds one before
    that, as the very object created, after the older project that matches as well."""
    ids = add(app, ("新能源电池材料生产基地", "湘澜新材料科技有限公司"))
    try:
        with app.app_context(), db.session.no_autoflush:
            index = DuplicateIndex()
            new = Project(name="湘澜电池材料基地", investor="湘澜新材料科技有限公司",
                          stage="contact", rank=1.0, stage_entered_at=today())
            db.session.add(new)
            index.add(new)
            found = index.similar_projects("新能源电池材料生产基地", "湘澜新材料科技")
            assert [project.id for project in found] == [ids[0], None]
            assert found[1] is new
            db.session.rollback()
    finally:
        with app.app_context():
            db.session.execute(db.delete(Project))
            db.session.commit()


# --- through the API ----------------------------------------------------------------------------

def test_a_close_match_answers_409_with_the_matches_and_stores_nothing(app, clients,
                                                                       make_project):
    existing = make_project("新能源电池材料生产基地")
    before = snapshot(app)
    response = clients["member"].post("/api/projects", json={
        "name": "新能源电池材料生产基地（二期）", "investor": "湘澜新材料"})
    assert response.status_code == 409
    body = response.get_json()
    assert "新能源电池材料生产基地" in body["error"]
    assert [p["id"] for p in body["duplicates"]] == [existing["id"]]
    assert body["duplicates"][0]["position"] == 0
    assert body["duplicates"][0]["team"] == "一组"
    assert snapshot(app) == before
    # The person has seen the match and means it.
    response = clients["member"].post("/api/projects", json={
        "name": "新能源电池材料生产基地（二期）", "investor": "湘澜新材料",
        "allow_duplicate": True})
    assert response.status_code == 201
    assert response.get_json()["name"] == "新能源电池材料生产基地（二期）"


def test_a_withdrawn_match_is_shown_without_a_position(clients, make_project):
    project = make_project("旧项目冷链物流产业园")
    clients["lead"].post(f"/api/projects/{project['id']}/withdraw",
                         json={"version": 1, "withdrawn_reason": "funding"})
    body = clients["member"].post("/api/projects", json={"name": "冷链物流产业园"}).get_json()
    assert [(p["id"], p["status"], p["position"]) for p in body["duplicates"]] == [
        (project["id"], "withdrawn", None)]


def test_allow_duplicate_must_be_a_boolean(app, clients, make_project):
    make_project("智能装备制造产业园")
    before = snapshot(app)
    response = clients["member"].post("/api/projects", json={
        "name": "智能装备制造产业园", "allow_duplicate": "yes"})
    assert response.status_code == 422
    assert "allow_duplicate" in response.get_json()["fields"]
    assert snapshot(app) == before


def test_a_refused_field_is_reported_before_a_duplicate(clients, make_project):
    make_project("智能装备制造产业园")
    response = clients["member"].post("/api/projects", json={
        "name": "智能装备制造产业园", "land_mu": -1})
    assert response.status_code == 422
