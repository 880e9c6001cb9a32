"""The API's list of projects: the board's filter parameters (parsed as the board parses them,
refused with the board's 400 and message) and pages (``page``, ``per_page``, ``total``);
without a page asked, the whole list as before."""

from __future__ import annotations

import pytest

from tests.helpers import snapshot
from wallchart.core.timeutil import today


@pytest.fixture
def signed(make_project, counties):
    """A signed project and two others in contact, in other counties."""
    return (make_project("锂电池材料项目", investment_wan=350000, stage="signed",
                         stage_dates={"signed": today().isoformat()}),
            make_project("文旅综合体", county=counties[1], sector="tourism"),
            make_project("冷链物流园", investment_wan=8000))


def test_the_api_lists_everything_without_a_page_as_before(clients, signed):
    body = clients["viewer"].get("/api/projects").get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 3
    assert [p["name"] for p in body["projects"]] == ["文旅综合体", "冷链物流园", "锂电池材料项目"]
    # Each keeps its place in its column of the whole board.
    assert [p["position"] for p in body["projects"]] == [0, 1, 0]


def test_the_api_pages_and_filters_with_the_boards_parameters(clients, make_project, counties):
    made = [make_project(f"项目{n:02d}", county=counties[n % 2]) for n in range(7)]
    viewer = clients["viewer"]
    pages = [viewer.get("/api/projects", query_string={"page": page, "per_page": 3}).get_json()
             for page in (1, 2, 3, 4)]
    assert [len(page["projects"]) for page in pages] == [3, 3, 1, 0]
    assert {page["total"] for page in pages} == {7}
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    listed = [p["id"] for page in pages for p in page["projects"]]
    assert listed == [p["id"] for p in made]
    assert [p["position"] for page in pages for p in page["projects"]] == list(range(7))
    default = viewer.get("/api/projects", query_string={"page": 1}).get_json()
    assert default["per_page"] == 100 and len(default["projects"]) == 7
    narrowed = viewer.get("/api/projects", query_string={
        "county": counties[1], "page": 1, "per_page": 2}).get_json()
    assert narrowed["total"] == 3
    assert [p["id"] for p in narrowed["projects"]] == [made[1]["id"], made[3]["id"]]
    assert {p["position"] for p in narrowed["projects"]} == {1, 3}  # places on the whole board
    searched = viewer.get("/api/projects", query_string={"q": "项目03"}).get_json()
    assert [p["id"] for p in searched["projects"]] == [made[3]["id"]]


def test_the_api_search_finds_a_project_by_its_code(clients, make_project):
    coded = make_project("甲", code="XNY-2026/015")
    make_project("乙", code="WL-2026/001")
    api = clients["viewer"].get("/api/projects", query_string={"q": "xny"}).get_json()
    assert [project["id"] for project in api["projects"]] == [coded["id"]]
    assert api["total"] == 1


@pytest.mark.parametrize("query, field", [
    ({"page": "0"}, "page"), ({"page": "-1"}, "page"), ({"page": "abc"}, "page"),
    ({"page": "1.5"}, "page"), ({"page": ["1", "2"]}, "page"), ({"per_page": "0"}, "per_page"),
    ({"per_page": "501"}, "per_page"), ({"page": "1", "per_page": "x"}, "per_page"),
    ({"page": "99999999999999999999"}, "page"),
])
def test_a_bad_page_is_refused_at_its_field(app, clients, signed, query, field):
    before = snapshot(app)
    answer = clients["viewer"].get("/api/projects", query_string=query)
    assert answer.status_code == 422, answer.get_json()
    body = answer.get_json()
    assert field in body["fields"] and body["error"]
    assert snapshot(app) == before


def test_a_bad_filter_is_refused_by_the_api_with_the_boards_message(clients, signed):
    viewer = clients["viewer"]
    for query, field in [({"stage": "nowhere"}, "stage"), ({"county": "火星"}, "county"),
                         ({"owner": "nobody"}, "owner"), ({"billion": "yes"}, "billion")]:
        answer = viewer.get("/api/projects", query_string=query)
        assert answer.status_code == 400, query
        body = answer.get_json()
        assert body["error"] in viewer.get("/board", query_string=query).get_data(as_text=True)
        assert set(body["fields"]) == {field}
    withdrawn = viewer.get("/api/projects", query_string={"status": "withdrawn", "q": "甲"})
    assert withdrawn.status_code == 400
    assert set(withdrawn.get_json()["fields"]) == {"q"}
    paged = viewer.get("/api/projects", query_string={"status": "withdrawn", "page": 1})
    assert paged.get_json() == {"projects": [], "page": 1, "per_page": 100, "total": 0}
