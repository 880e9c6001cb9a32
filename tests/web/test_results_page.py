"""The results page (/results): each role's lines, the sort, the files, and bad periods refused
with the reason (not a 500). The rows: tests/results_data.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from tests.helpers import OTHER_TEAM, TEAM, count_statements
from tests.results_data import H1_ARGS, build_results
from wallchart.core.models import Project, Team
from wallchart.extensions import db


@pytest.fixture
def ids(app, counties):
    return build_results(app)


def keys(html: str, grouping: str) -> list[str]:
    """The data-key of each line of a table, in order ('' for the total and no team)."""
    table = re.search(rf'data-grouping="{grouping}".*?</table>', html, re.S)
    return re.findall(r'<tr class="[^"]*" data-key="([^"]*)"', table.group(0)) if table else []


def page(clients, who: str, **args) -> str:
    response = clients[who].get("/results", query_string={**H1_ARGS, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_leadership_sees_every_team_and_person_and_the_city_total(clients, ids):
    for who in ("admin", "viewer"):
        html = page(clients, who)
        assert keys(html, "team") == [str(ids[TEAM]), str(ids[OTHER_TEAM]), "", ""]
        owners = keys(html, "owner")
        assert owners[:2] == [str(ids["member"]), str(ids["lead"])]  # by signed investment
        assert str(ids["outsider"]) in owners and owners[-1] == ""  # the city total
        assert 'class="total"' in html


def test_a_lead_sees_his_teams_and_their_people(clients, ids):
    html = page(clients, "lead")
    assert keys(html, "team") == [str(ids[TEAM])]
    assert set(keys(html, "owner")) == {str(ids[n]) for n in ("member", "lead", "viewer")}
    assert 'class="total"' not in html and "Outsider" not in html


def test_a_member_sees_his_own_line(clients, ids):
    for who in ("member", "outsider"):
        html = page(clients, who)
        assert keys(html, "team") == []
        assert keys(html, "owner") == [str(ids[who])]
    html = page(clients, "member")
    assert "Lead" not in re.search(r"<main.*</main>", html, re.S).group(0)


def test_the_figures_and_last_year_where_the_person_existed(clients, ids):
    html = page(clients, "admin")
    member = re.search(rf'<tr class="" data-key="{ids["member"]}">.*?</tr>', html, re.S).group(0)
    signed = re.search(r'data-column="signed_investment" data-value="(\d+)">([^<]*)'
                       r'<small[^>]*>([^<]*)</small>', member)
    assert signed.group(1) == "150000"
    assert signed.group(2).strip() in ("15.00", "15")  # 亿元
    assert "+1400%" in signed.group(3)
    lead = re.search(rf'data-key="{ids["lead"]}">.*?</tr>', html, re.S).group(0)
    assert "<small" not in lead  # new this year: nothing to compare with


def test_any_column_sorts_and_an_unknown_one_falls_back(clients, ids):
    html = page(clients, "admin", sort="funds_in_place")
    assert keys(html, "owner")[0] == str(ids["lead"])
    assert 'data-sort="funds_in_place"' in html
    assert 'data-sort="signed_investment"' in page(clients, "admin", sort="<script>")


@pytest.mark.parametrize("args", [
    {"from": "2026-13-01", "to": "2026-06-30"}, {"from": "2026-06-30", "to": "2026-01-01"},
    {"from": "2026-01-01"}, {"from": "x'><script>", "to": "2026-01-01"},
    {"from": "2000-01-01", "to": "2026-01-01"}, {"preset": "decade"}])
def test_a_bad_period_is_refused_with_the_reason(clients, ids, args):
    for url in ("/results", "/results.xlsx", "/results.csv"):
        response = clients["admin"].get(url, query_string=args)
        assert response.status_code == 422, (url, args)
        text = response.get_data(as_text=True)
        assert "<script>" not in text
    html = clients["admin"].get("/results", query_string=args).get_data(as_text=True)
    assert 'role="alert"' in html


def test_the_files_hold_what_the_page_shows(clients, ids):
    response = clients["admin"].get("/results.xlsx", query_string=H1_ARGS)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    teams, owners = book.worksheets
    rows = list(teams.iter_rows(min_row=3, values_only=True))
    assert [row[:4] for row in rows] == [(1, TEAM, 1, 0), (None, OTHER_TEAM, 0, None),
                                         (None, rows[2][1], 0, 0), (None, rows[3][1], 1, 0)]
    first = rows[0]
    assert first[5:11] == (2, 1, 1.0, 170000, 10000, 16.0)  # signed, then signed investment
    assert owners.cell(3, 2).value == "Member"

    text = clients["admin"].get("/results.csv", query_string=H1_ARGS).get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[1][1:4] == ["1", TEAM, "1"]
    assert table[1][9:12] == ["170000", "10000", "1600.0"]


def test_a_members_files_hold_his_line_only(clients, ids):
    text = clients["member"].get("/results.csv", query_string=H1_ARGS).get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[2] for row in table[1:]] == ["Member"]
    book = load_workbook(io.BytesIO(clients["member"].get("/results.xlsx",
                                                          query_string=H1_ARGS).data))
    assert [row[1] for row in book.worksheets[1].iter_rows(min_row=3, values_only=True)] == [
        "Member"]
    assert book.worksheets[0].max_row == 2  # the title and the header: no team


def test_names_are_escaped_on_the_page_and_kept_as_text_in_the_files(app, clients, ids):
    with app.app_context():
        db.session.execute(update(Team).where(Team.name == OTHER_TEAM)
                           .values(name='=HYPERLINK("x")<script>'))
        db.session.commit()
    html = page(clients, "admin")
    assert "<script>" not in html and "=HYPERLINK(&#34;x&#34;)&lt;script&gt;" in html
    text = clients["admin"].get("/results.csv", query_string=H1_ARGS).get_data(as_text=True)
    assert "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(clients["admin"].get("/results.xlsx",
                                                         query_string=H1_ARGS).data))
    cell = book.worksheets[0].cell(4, 2)
    assert cell.value == '=HYPERLINK("x")<script>' and cell.data_type == "s"


def test_the_page_costs_the_same_statements_however_many_projects(app, clients, ids):
    url = "/results?from=2026-01-01&to=2026-06-30"
    before = count_statements(app, clients["admin"].client, url)
    with app.app_context():
        db.session.add_all(Project(name=f"P{i}", stage="signed", stage_entered_at=date(2026, 3, 1),
                                   signed_on=date(2026, 3, 1), investment_wan=100,
                                   team_id=ids[OTHER_TEAM], owner_id=ids["outsider"])
                           for i in range(30))
        db.session.commit()
    assert count_statements(app, clients["admin"].client, url) == before
