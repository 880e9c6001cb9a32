"""Filters and search on the board and the wall: each filter alone and combined against a
seeded board, counts read from the HTML people see; refused values; constant SQL statements."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app

from tests.helpers import OTHER_TEAM, TEAM, actor, count_statements, snapshot
from wallchart.core.models import County, Project, Team, utcnow
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services.positions import STEP

# name: (investor, county, sector, owner, team, stage, three500, 万元, foreign, warning, blockers)
# ``warning`` is made from the row's dates: "stall" sits past its stage's yellow limit, "stall-red"
# past its red limit, "step" has its next step a day late, "blocker-red" a blocker long overdue.
BOARD = {
    "鹤城智能装备产业园": ("湖南五溪 Machinery Co.", "鹤城区", "industry", "member", TEAM,
                  "contact", "fortune_global", 150_000, True, None, 0),
    "中方有机茶基地": ("中方茶业合作社", "中方县", "agriculture", "lead", TEAM,
                "negotiating", None, 8_000, False, "stall", 0),
    "高新区古城文旅": ("五溪文化旅游集团", "怀化高新区", "tourism", None, OTHER_TEAM,
                "signed", "china_top", 100_000, False, "stall-red", 1),
    "鹤城冷链物流园": ("粤港物流有限公司", "鹤城区", "services", "outsider", OTHER_TEAM,
                "started", "china_private", 99_999, True, "step", 2),
    "中方新材料": ("ACME 50%_Holdings", "中方县", "industry", "member", TEAM,
              "producing", None, 300_000, False, "blocker-red", 1),
    "鹤城电子信息": ("中国500强电子集团", "鹤城区", "industry", "lead", TEAM,
               "signed", None, 20_000, False, None, 1),
}
ALL = set(BOARD)


def seed(app, names: dict = BOARD, start: int = 0) -> None:
    """The rows as they would stand after their lives on the board (written directly: this is
    about reading them), plus a withdrawn and a deleted project that match every filter."""
    with app.app_context():
        config = current_app.config
        now = today()
        counties = {c.name: c.id for c in db.session.query(County)}
        teams = {t.name: t.id for t in db.session.query(Team)}
        rows = []
        for n, (name, row) in enumerate(names.items(), start):
            (investor, county, sector, owner, team, stage, three500, wan, foreign, warning,
             blockers) = row
            entered = now - timedelta(days=3)
            if warning == "stall":
                entered = now - timedelta(days=config["STALL_DAYS"][stage] + 1)
            if warning == "stall-red":
                entered = now - timedelta(days=config["RED_DAYS"][stage] + 1)
            project = Project(
                name=name, investor=investor, county_id=counties[county], sector=sector,
                owner=actor(owner) if owner else None, team_id=teams[team], stage=stage,
                rank=(n + 1) * STEP, three500=three500, investment_wan=wan,
                foreign_invested=foreign, stage_entered_at=entered, open_blockers=blockers)
            setattr(project, f"{stage}_on", entered)
            if warning == "step":
                project.next_step, project.next_step_due = "回访投资方", now - timedelta(days=1)
            if blockers:
                late = config["OVERDUE_RED_DAYS"] + 1 if warning == "blocker-red" else -5
                project.blocker_due = now - timedelta(days=late)
            rows.append(project)
        gone = [Project(name=f"{name}（已退库）", investor="ACME", county_id=counties["鹤城区"],
                        sector="industry", stage="signed", stage_entered_at=now,
                        team_id=teams[TEAM], investment_wan=500_000, foreign_invested=True,
                        three500="china_top", open_blockers=1, rank=0.5, **extra)
                for name, extra in (("退库", {"status": "withdrawn", "withdrawn_at": utcnow()}),
                                    ("删除", {"deleted_at": utcnow()}))]
        db.session.add_all(rows + gone)
        db.session.commit()


@pytest.fixture
def board(app, counties):
    seed(app)


def shown(html: str) -> set[str]:
    """The names on the cards of a page."""
    return set(re.findall(r'class="card-title"[^>]*>([^<]+)<', html))


def column_heads(html: str) -> dict[str, dict[str, int]]:
    """Per column shown: its card count and the yellow and red numbers in its head."""
    heads = {}
    for stage, head in re.findall(r'data-stage="(\w+)"[^>]*>\s*<header class="column-head">(.*?)'
                                  r'</header>', html, re.S):
        badges = dict(re.findall(r'data-colour="(\w+)".*?<span class="n">(\d+)</span>', head))
        heads[stage] = {"count": int(re.search(r'class="count">(\d+)<', head).group(1)),
                        **{colour: int(n) for colour, n in badges.items()}}
    return heads


def filter_bar(html: str) -> str:
    start = html.index('id="filter-bar"')
    return html[start:html.index("</form>", start)]


def match_count(html: str) -> int:
    return int(re.search(r'id="match-count">(\d+)<', html).group(1))


ALONE = [
    ("", ALL),
    ("county=鹤城区", {"鹤城智能装备产业园", "鹤城冷链物流园", "鹤城电子信息"}),
    ("county=鹤城区&county=怀化高新区",
     {"鹤城智能装备产业园", "鹤城冷链物流园", "鹤城电子信息", "高新区古城文旅"}),
    ("sector=industry", {"鹤城智能装备产业园", "中方新材料", "鹤城电子信息"}),
    ("owner=member", {"鹤城智能装备产业园", "中方新材料"}),
    ("owner=me", {"中方有机茶基地", "鹤城电子信息"}),  # signed in as lead
    (f"team={OTHER_TEAM}", {"高新区古城文旅", "鹤城冷链物流园"}),
    ("stage=signed", {"高新区古城文旅", "鹤城电子信息"}),
    ("stage=contact&stage=producing", {"鹤城智能装备产业园", "中方新材料"}),
    ("three500=any", {"鹤城智能装备产业园", "高新区古城文旅", "鹤城冷链物流园"}),
    ("three500=china_private", {"鹤城冷链物流园"}),
    ("billion=1", {"鹤城智能装备产业园", "高新区古城文旅", "中方新材料"}),  # ≥ 100,000 万元
    ("foreign=1", {"鹤城智能装备产业园", "鹤城冷链物流园"}),
    ("warning=yellow", {"中方有机茶基地", "鹤城冷链物流园"}),
    ("warning=red", {"高新区古城文旅", "中方新材料"}),
    ("warning=any", {"中方有机茶基地", "鹤城冷链物流园", "高新区古城文旅", "中方新材料"}),
    ("blockers=1", {"高新区古城文旅", "鹤城冷链物流园", "中方新材料", "鹤城电子信息"}),
    ("q=acme", {"中方新材料"}),                      # any case
    ("q=Machinery", {"鹤城智能装备产业园"}),           # the investor
    ("q=冷链", {"鹤城冷链物流园"}),                    # the name
    ("q=50%25", {"中方新材料"}),                     # "50%": the % is a character, not "any"
    ("q=0_", set()),                               # "_" too: not "500强", not "50%_"
    ("q=%25_", {"中方新材料"}),
    ("q=%25", {"中方新材料"}),
    ("q=  茶  ", {"中方有机茶基地"}),                 # spaces around are not searched
    ("q=nothing+like+it", set()),
]

COMBINED = [
    ("county=鹤城区&sector=industry", {"鹤城智能装备产业园", "鹤城电子信息"}),
    ("county=鹤城区&county=中方县&warning=any", {"中方有机茶基地", "鹤城冷链物流园", "中方新材料"}),
    ("stage=signed&stage=started&blockers=1", {"高新区古城文旅", "鹤城冷链物流园", "鹤城电子信息"}),
    ("three500=any&foreign=1", {"鹤城智能装备产业园", "鹤城冷链物流园"}),
    ("billion=1&warning=red", {"高新区古城文旅", "中方新材料"}),
    (f"team={TEAM}&owner=me&blockers=1", {"鹤城电子信息"}),
    ("sector=industry&q=中方&warning=red&stage=producing", {"中方新材料"}),
    ("county=怀化高新区&foreign=1", set()),
    ("county=鹤城区&sector=industry&owner=member&team=一组&stage=contact&three500=fortune_global"
     "&billion=1&foreign=1&q=装备", {"鹤城智能装备产业园"}),
    # an empty field, as a GET form sends it, filters nothing
    ("county=&sector=&owner=&team=&three500=&warning=&q=&stage=signed", {"高新区古城文旅",
                                                                        "鹤城电子信息"}),
]


@pytest.mark.parametrize(("query", "expected"), ALONE + COMBINED)
def test_each_filter_alone_and_combined(board, clients, query, expected):
    response = clients["lead"].get(f"/board?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown(html) == expected
    assert match_count(html) == len(expected)
    heads = column_heads(html)
    assert sum(head["count"] for head in heads.values()) == len(expected)
    # The columns shown: those of the stages asked for, else all five.
    stages = re.findall(r"stage=(\w+)", query) or ["contact", "negotiating", "signed",
                                                   "started", "producing"]
    assert list(heads) == [s for s in ("contact", "negotiating", "signed", "started",
                                       "producing") if s in stages]


def test_the_column_heads_count_the_yellow_and_red_cards_they_show(board, clients):
    html = clients["viewer"].get("/board").get_data(as_text=True)
    heads = column_heads(html)
    assert heads == {"contact": {"count": 1, "yellow": 0, "red": 0},
                     "negotiating": {"count": 1, "yellow": 1, "red": 0},
                     "signed": {"count": 2, "yellow": 0, "red": 1},
                     "started": {"count": 1, "yellow": 1, "red": 0},
                     "producing": {"count": 1, "yellow": 0, "red": 1}}
    # The head (the rule in SQL) agrees with each card's own colour (the rule in Python).
    for stage, column in re.findall(r'<section class="column stage-\w+" data-stage="(\w+)"'
                                    r'(.*?)</section>', html, re.S):
        colours = re.findall(r'data-warning="(\w*)"', column)
        assert heads[stage]["yellow"] == colours.count("yellow")
        assert heads[stage]["red"] == colours.count("red")
    # A badge at zero is hidden; filtered, the heads count only what is shown.
    assert re.search(r'data-colour="red" title="[^"]+" hidden>', html)
    filtered = column_heads(clients["viewer"].get("/board?county=中方县").get_data(as_text=True))
    assert filtered["producing"] == {"count": 1, "yellow": 0, "red": 1}
    assert filtered["signed"] == {"count": 0, "yellow": 0, "red": 0}


def test_the_filter_bar_shows_what_is_asked_and_how_many_match(board, clients):
    lead = clients["lead"]
    html = lead.get("/board").get_data(as_text=True)
    assert 'id="filter-bar"' in html and "看板共" in html and "清除筛选" not in html
    assert 'hx-get="/board"' in html and 'hx-push-url="true"' in html
    html = lead.get("/board?county=鹤城区&stage=signed&owner=me&warning=red&q=电子"
                    "&billion=1").get_data(as_text=True)
    bar = filter_bar(html)
    assert "符合条件" in bar and "清除筛选" in bar
    assert re.search(r'value="鹤城区" checked', bar) and re.search(r'value="signed" checked', bar)
    assert '<option value="me" selected>' in bar and '<option value="red" selected>' in bar
    assert 'name="billion" value="1" checked' in bar and 'value="电子"' in bar
    chips = re.search(r'<ul class="filter-chips".*?</ul>', bar, re.S).group(0)
    for text in ("鹤城区", "已签约", "责任人：我", "红灯", "“电子”", "10亿元以上"):
        assert text in chips, text
    # English, too.
    lead.post("/language", data={"lang": "en", "csrf_token": lead.csrf})
    html = lead.get("/board?owner=lead&three500=any").get_data(as_text=True)
    assert "Matching:" in html and "Owner: Lead" in html and "Any Three-500 list" in html


def test_one_wording_for_projects_of_a_billion_yuan_and_more(board, clients):
    """The filter, its chip and each such card's badge say 10亿元以上, as the bureau writes it
    (以上 includes the bound); neither 及以上 nor ≥10亿 is left."""
    html = clients["lead"].get("/board?billion=1").get_data(as_text=True)
    bar = filter_bar(html)
    assert re.search(r'name="billion" value="1" checked[^>]*>\s*10亿元以上\s*</label>', bar)
    chips = re.search(r'<ul class="filter-chips".*?</ul>', bar, re.S).group(0)
    assert "<li>10亿元以上</li>" in chips
    badges = re.findall(r'<span class="badge badge-big" title="([^"]*)">([^<]*)</span>', html)
    assert badges == [("10亿元以上", "10亿元以上")] * 3, badges
    assert "及以上" not in html and "≥" not in html


def test_the_filter_bar_gets_the_columns_and_its_status_alone(board, clients):
    """What htmx asks for: the columns, and the status swapped out of band; a way back
    (history restore) gets the whole page."""
    lead = clients["lead"]
    response = lead.get("/board?county=中方县", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="columns"')
    assert shown(html) == {"中方有机茶基地", "中方新材料"}
    assert re.search(r'<div id="filter-status"[^>]*hx-swap-oob="true"', html)
    assert match_count(html) == 2
    assert "HX-Request" in response.headers["Vary"]
    restore = lead.get("/board?county=中方县", headers={"HX-Request": "true",
                                                        "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_a_filtered_screen_resyncs_with_its_filter(board, clients):
    html = clients["viewer"].get("/board/columns?stage=started&foreign=1").get_data(as_text=True)
    assert shown(html) == {"鹤城冷链物流园"}
    assert list(column_heads(html)) == ["started"]
    rules = re.search(r'data-filter="([^"]+)"', html).group(1)
    assert "&#34;stages&#34;: [&#34;started&#34;]" in rules and "&#34;foreign&#34;: true" in rules


def test_the_card_data_the_browser_filters_on_match_the_server(board, clients):
    """filters.js reads these attributes: each card of a filtered board carries the values the
    server filtered it by."""
    html = clients["viewer"].get("/board?county=鹤城区&foreign=1&three500=any&blockers=1"
                                 "&warning=yellow").get_data(as_text=True)
    card = re.search(r'<article class="card[^>]*>', html).group(0)
    for attribute in ('data-county="鹤城区"', 'data-foreign="1"', 'data-three500="china_private"',
                      'data-blockers="2"', 'data-warning="yellow"', 'data-investment="99999"',
                      'data-owner="outsider"', f'data-team="{OTHER_TEAM}"'):
        assert attribute in card


BAD = [
    ("county=火星县", "未知的县市区：“火星县”", "Unknown County / district: “火星县”"),
    ("sector=mining", "未知的产业类别：“mining”", "Unknown Sector: “mining”"),
    ("owner=nobody", "未知的责任人：“nobody”", "Unknown Owner: “nobody”"),
    ("team=三组", "未知的专班：“三组”", "Unknown Team: “三组”"),
    ("stage=done", "未知的阶段：“done”", "Unknown Stage: “done”"),
    ("warning=purple", "未知的预警：“purple”", "Unknown Early warning: “purple”"),
    ("three500=top", "未知的三类500强：“top”", "Unknown Three-500 list: “top”"),
    ("billion=yes", "未知的10亿元以上：“yes”", "Unknown ≥1 billion yuan: “yes”"),
    ("sector=industry&sector=tourism", "产业类别只能选一个", "Choose only one Sector"),
    ("q=" + "长" * 101, "搜索内容太长：最多 100 个字", "The search text is too long: at most 100"),
]


@pytest.mark.parametrize(("query", "chinese", "english"), BAD)
def test_a_bad_value_is_refused_with_a_message_and_nothing_else(app, board, clients, query,
                                                                 chinese, english):
    viewer = clients["viewer"]
    before = snapshot(app)
    response = viewer.get(f"/board?county=鹤城区&{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    status = filter_bar(html)[filter_bar(html).index('id="filter-status"'):]
    assert chinese in status and "清除筛选" in status
    assert chinese in html[html.index('id="columns"'):]
    assert shown(html) == set() and 'class="column ' not in html
    for url, headers in ((f"/board/columns?{query}", {}), (f"/board?{query}",
                                                           {"HX-Request": "true"})):
        response = viewer.get(url, headers=headers)
        assert response.status_code == 400 and chinese in response.get_data(as_text=True)
        assert shown(response.get_data(as_text=True)) == set()
    viewer.post("/language", data={"lang": "en", "csrf_token": viewer.csrf})
    response = viewer.get(f"/board?{query}")
    assert response.status_code == 400 and english in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.fixture
def wall_token(app):
    from wallchart.services import accounts

    with app.app_context():
        return accounts.create_display_token(None, "大厅")


def test_the_wall_takes_the_same_filters(app, board, wall_token):
    wall = app.test_client()
    html = wall.get(f"/wall?token={wall_token}&county=鹤城区&warning=any").get_data(as_text=True)
    assert shown(html) == {"鹤城冷链物流园"}
    assert 'id="filter-bar"' not in html
    html = wall.get(f"/wall/columns?token={wall_token}&stage=signed&stage=producing"
                    "&lang=en").get_data(as_text=True)
    assert shown(html) == {"高新区古城文旅", "中方新材料", "鹤城电子信息"}
    assert list(column_heads(html)) == ["signed", "producing"]
    # No "me" on a wall, and an unknown value is refused there too.
    for query, message in (("owner=me", "墙面显示屏没有“我”"), ("county=火星县", "火星县")):
        response = wall.get(f"/wall?token={wall_token}&{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        assert shown(response.get_data(as_text=True)) == set()
    assert wall.get("/wall?county=鹤城区").status_code == 403  # the token still comes first


def test_a_filtered_board_costs_the_same_statements_whatever_the_filter_and_size(
        app, counties, clients):
    viewer = clients["viewer"]
    everything = ("/board?county=鹤城区&county=中方县&sector=industry&owner=member&team=一组"
                  "&stage=contact&stage=signed&three500=any&billion=1&foreign=1&warning=any"
                  "&blockers=1&q=鹤城")
    urls = ("/board", "/board?county=鹤城区", everything, "/board/columns?warning=red&q=x")
    seed(app)
    few = {url: count_statements(app, viewer, url) for url in urls}
    more = {f"{name}{n}": row for n in range(8) for name, row in BOARD.items()}
    seed(app, more, start=len(BOARD))
    many = {url: count_statements(app, viewer, url) for url in urls}
    assert many == few
    # The filter costs nothing: the filtered pages send what the unfiltered one does.
    assert few[everything] == few["/board"] == few["/board?county=鹤城区"]
    assert len(shown(viewer.get("/board?q=鹤城冷链").get_data(as_text=True))) == 9


# --- cards kept rendered (card_cache): every change still shows ---------------------------------

def card_html(html: str, name: str) -> str:
    return re.search(rf'<article class="card[^>]*>\s*(?:(?!</article>).)*?>{name}<.*?</article>',
                     html, re.S).group(0)


def columns_of(page: str) -> str:
    """The board's columns in a page: everything the card cache renders."""
    return page[page.index('<div id="columns"'):page.index("</main>")]


def test_cards_kept_rendered_still_show_every_change(app, board, clients, monkeypatch):
    from wallchart.core.models import User

    viewer, name = clients["viewer"], "鹤城电子信息"
    first = columns_of(viewer.get("/board").get_data(as_text=True))
    # from the cache: the same (the columns; the page's CSRF token carries the second)
    assert columns_of(viewer.get("/board").get_data(as_text=True)) == first
    with app.app_context():
        project = db.session.query(Project).filter_by(name=name).one()
        project_id, version = project.id, project.version
    # A write to the row (a new version), a renamed county, team and owner: each shows.
    response = clients["member"].patch(f"/api/projects/{project_id}",
                                       json={"version": version, "investor": "新投资方集团"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        db.session.query(County).filter_by(name="鹤城区").one().name = "鹤城新区"
        db.session.query(Team).filter_by(name=TEAM).one().name = "一组（新）"
        db.session.query(User).filter_by(username="lead").one().display_name = "李组长"
        db.session.commit()
    card = card_html(viewer.get("/board").get_data(as_text=True), name)
    for text in ("新投资方集团", "鹤城新区", 'data-team="一组（新）"', "李组长"):
        assert text in card, text
    # The next day: the days in the stage count on, the warnings follow the clock.
    assert re.search(r'data-since="[^"]+">3<', card)
    tomorrow = today() + timedelta(days=1)
    for module in ("reads.card_cache", "web.templating", "reads.queries"):
        monkeypatch.setattr(f"wallchart.{module}.today", lambda: tomorrow)
    card = card_html(viewer.get("/board").get_data(as_text=True), name)
    assert re.search(r'data-since="[^"]+">4<', card)
    # Each language and each view has its own cards.
    viewer.post("/language", data={"lang": "en", "csrf_token": viewer.csrf})
    english = card_html(viewer.get("/board").get_data(as_text=True), name)
    assert "CNY 200M" in english and "亿元" not in english and "<button" in english
    with app.app_context():
        from wallchart.services import accounts

        token = accounts.create_display_token(None, "大厅")
    wall = card_html(app.test_client().get(f"/wall?token={token}").get_data(as_text=True), name)
    assert '<h3 class="card-title">' in wall and "<button" not in wall and "2 亿元" in wall


def test_a_card_the_push_rendered_is_the_one_the_next_page_shows_not_rendered_again(
        app, board, clients):
    """A move renders its card once for each room with screens in it; the board loaded next
    takes that rendering from the cards kept and shows the move."""
    from tests.helpers import project_events, socket_client
    from wallchart.reads import card_cache

    viewer, name = clients["viewer"], "鹤城电子信息"
    viewer.get("/board")  # every card of the board, in Chinese, kept
    screen = socket_client(app, viewer)
    with app.app_context():
        project = db.session.query(Project).filter_by(name=name).one()
        project_id, version = project.id, project.version
        kept = len(card_cache._cards())
    response = clients["member"].post(f"/api/projects/{project_id}/move",
                                      json={"stage": "started", "version": version})
    assert response.status_code == 200, response.get_data(as_text=True)
    pushed = [event for event in project_events(screen) if event["id"] == project_id]
    assert [event["stage"] for event in pushed] == ["started"]
    with app.app_context():
        assert len(card_cache._cards()) == kept + 1  # the moved card's new version
    page = viewer.get("/board").get_data(as_text=True)
    with app.app_context():
        assert len(card_cache._cards()) == kept + 1  # the page rendered nothing
    assert card_html(page, name) == pushed[0]["html"]
    assert 'data-stage="started"' in page[:page.index(pushed[0]["html"])].rsplit("<section", 1)[-1]


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_cards_rendered_from_their_columns_are_the_cards_the_push_renders(app, board, locale):
    """The screens render cards from ``queries.CARD_COLUMNS`` alone (reading another column of
    those rows raises); the push renders them from whole rows. Every card, with all it can
    show (a code, a promised start, a confidential one on a lobby), reads the same both ways."""
    from flask_babel import force_locale

    from wallchart.reads import card_cache, queries

    with app.app_context():
        for project in db.session.query(Project):
            project.code = f"HH-{project.id:03d}"
            project.next_step, project.next_step_due = "约谈", today() - timedelta(days=1)
        signed = db.session.query(Project).filter_by(name="鹤城电子信息").one()
        signed.promised_start_on, signed.confidential = today() - timedelta(days=2), True
        db.session.commit()
    for view, redact in (("board", False), ("wall", False), ("wall", True)):
        with app.test_request_context(), force_locale(locale):
            card_cache.clear()
            kept = card_cache.cards_html(queries.board_cards(), view, redact)
            db.session.expunge_all()
            whole = {project.id: card_cache.render(project, view, redact)
                     for project in db.session.query(Project).filter(Project.on_board)}
        assert len(kept) == len(BOARD)
        assert {id_: str(html) for id_, html in kept.items()} == whole


def test_a_page_costs_the_same_statements_with_its_cards_kept_or_not(app, board, clients):
    from wallchart.reads import card_cache

    viewer = clients["viewer"]
    with app.app_context():
        card_cache.clear()
    cold = count_statements(app, viewer, "/board?sector=industry")
    warm = count_statements(app, viewer, "/board?sector=industry")
    assert cold == warm


def test_the_search_text_is_shown_as_text(board, clients):
    html = clients["viewer"].get('/board?q=<script>alert("x")</script>').get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in html
    assert "<li>“&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;”</li>" in html
    assert shown(html) == set()
