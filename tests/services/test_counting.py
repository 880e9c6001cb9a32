"""Counting as the bureau counts (issue 13): a signing's kind of agreement and the project's kind
decide what it adds to the figures, by one rule (``core.counting``) that the indicators, the
results, the report lists, the charts' months and the start cohorts share; the conversion of a
framework agreement into a contract is an event of its own, counted, listed and in the history;
the rule's two settings change every figure alike; bad values are refused in Chinese."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from tests.helpers import actor, all_rows
from tests.services.test_imports import ledger
from wallchart.core.errors import Forbidden, Invalid
from wallchart.core.models import Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reports import indicators, promises, report_data, results, weekly
from wallchart.reports.indicators import Period
from wallchart.services import imports, projects
from wallchart.services.ledger.headers import guess_mapping

H1 = Period(date(2025, 1, 1), date(2025, 6, 30))
H2 = Period(date(2025, 7, 1), date(2025, 12, 31))
CONVERTED_ON = date(2025, 8, 15)


@pytest.fixture
def kinds(make_project, counties) -> dict[str, dict]:
    """One signing of each kind in the first half of 2025, by name; the capital increase in a
    county before the others'."""
    def signed(name: str, day: date, wan: int, **fields) -> dict:
        return make_project(name, stage="signed", investment_wan=wan,
                            stage_dates={"signed": day.isoformat()}, **fields)

    return {
        "contract": signed("合同项目", date(2025, 3, 10), 50000, county=counties[1]),
        "framework": signed("框架项目", date(2025, 2, 1), 120000, agreement_kind="framework"),
        "increase": signed("增资项目", date(2025, 4, 1), 80000, project_kind="capital_increase",
                           increment_wan=30000),
        "upgrade": signed("升格项目", date(2025, 5, 1), 200000, project_kind="upgrade",
                          county=counties[1]),
        "supplement": signed("补充协议项目", date(2025, 5, 5), 40000,
                             agreement_kind="supplementary"),
    }


def _update(app, project: dict, who: str = "lead", **data) -> Project:
    with app.test_request_context():
        version = db.session.get(Project, project["id"]).version
        return projects.update_project(actor(who), project["id"], {**data, "version": version})


def _convert(app, project: dict, on: date | None = CONVERTED_ON, who: str = "lead") -> Project:
    data = {"agreement_kind": "contract"}
    if on is not None:
        data["contracted_on"] = on.isoformat()
    return _update(app, project, who, **data)


def _signed(app, period: Period, name: str = "signed") -> tuple[int, int]:
    with app.test_request_context():
        figure = indicators.compute(period)["indicators"][name]
        return figure.count, figure.investment_wan


def _everywhere(app, period: Period) -> dict[str, tuple[int, int]]:
    """The signed figures of ``period`` as the indicators, the results' city total, the
    scheduling report's list, the charts' months and the start cohort have them."""
    with app.test_request_context():
        figure = indicators.compute(period)["indicators"]["signed"]
        total = results.results(period, actor("admin")).total.indicators["signed"]
        [section] = [s for s in report_data.schedule(period).sections if s.key == "signed"]
        months = [row for row in indicators.monthly_signings(period.start.year)
                  if period.start.month <= row[0] <= period.end.month]
        cohort, _before = promises.cohorts(period)
        return {"indicators": (figure.count, figure.investment_wan),
                "results": (total.count, total.investment_wan),
                "list": (section.count, section.investment_wan),
                "months": (sum(n for _m, n, _w in months), sum(w for _m, _n, w in months)),
                "cohort": (cohort.signed, None)}


def _same(found: dict[str, tuple[int, int]], count: int, amount: int) -> None:
    assert found == {"indicators": (count, amount), "results": (count, amount),
                     "list": (count, amount), "months": (count, amount),
                     "cohort": (count, None)}


def test_each_kind_adds_what_the_city_rules_say(app, kinds):
    # A contract counts; a framework agreement not yet; a capital increase its increment and no
    # project; an upgrade a project and no amount; a supplementary agreement nothing.
    _same(_everywhere(app, H1), 2, 50000 + 30000)
    assert _signed(app, H1, "converted") == (0, 0)
    # The 20亿 upgrade adds no amount, so it is no signing of 10亿 and above.
    assert _signed(app, H1, "signed_billion_plus") == (0, 0)


def test_a_framework_agreement_counts_in_the_period_it_became_a_contract(app, kinds):
    converted = _convert(app, kinds["framework"])
    assert converted.contracted_on == CONVERTED_ON and converted.agreement_kind == "contract"
    _same(_everywhere(app, H1), 2, 80000)  # the first half is as it was
    _same(_everywhere(app, H2), 1, 120000)
    assert _signed(app, H2, "converted") == (1, 120000)
    assert _signed(app, H2, "signed_billion_plus") == (1, 120000)
    with app.test_request_context():
        [listed] = [s for s in report_data.schedule(H2).sections if s.key == "converted"]
        [row] = [row for group in listed.groups for row in group.rows]
        assert (row.id, row.on, row.investment_wan) == (kinds["framework"]["id"], CONVERTED_ON,
                                                        120000)
        [signed] = [s for s in report_data.schedule(H2).sections if s.key == "signed"]
        assert [row.on for group in signed.groups for row in group.rows] == [CONVERTED_ON]


def test_the_list_marks_a_capital_increase_and_leaves_it_out_of_the_count(app, kinds):
    with app.test_request_context(), force_locale("zh"):
        [section] = [s for s in report_data.schedule(H1).sections if s.key == "signed"]
        rows = {row.id: row for group in section.groups for row in group.rows}
    increase, upgrade = rows[kinds["increase"]["id"]], rows[kinds["upgrade"]["id"]]
    assert (increase.counted, increase.investment_wan, increase.kind) == (False, 30000, "增资项目")
    assert (upgrade.counted, upgrade.investment_wan, upgrade.kind) == (True, 0, "升格项目")
    assert set(rows) == {kinds[name]["id"] for name in ("contract", "increase", "upgrade")}


def test_the_settings_change_every_figure_alike(app, kinds):
    _convert(app, kinds["framework"])
    app.config["SIGNED_AGREEMENTS"] = frozenset({"contract", "framework"})
    # A framework agreement counts when signed, and its conversion adds no second signing.
    _same(_everywhere(app, H1), 3, 50000 + 30000 + 120000)
    _same(_everywhere(app, H2), 0, 0)
    assert _signed(app, H2, "converted") == (1, 120000)  # the event is still counted
    app.config["CAPITAL_INCREASE"] = "project"
    _same(_everywhere(app, H1), 4, 50000 + 80000 + 120000)
    app.config["SIGNED_AGREEMENTS"] = frozenset({"contract"})
    _same(_everywhere(app, H1), 3, 50000 + 80000)


def test_the_conversion_is_an_event_of_its_own_in_the_history_and_the_week(app, kinds):
    """A member turns a framework agreement into a contract: dated today, in the history as a
    conversion, in this week's report."""
    framework = kinds["framework"]
    converted = _convert(app, framework, on=None, who="member")
    assert converted.contracted_on == today()
    with app.test_request_context(), force_locale("zh"):
        event = db.session.query(ProjectEvent).filter_by(project_id=framework["id"]).order_by(
            ProjectEvent.id.desc()).first()
        assert event.action == "converted"
        assert event.changes == {"agreement_kind": ["framework", "contract"],
                                 "contracted_on": [None, today().isoformat()]}
        week = weekly.changes(weekly.week_of(today()))
        assert [change.project_id for change in week.converted] == [framework["id"]]
        assert week.converted[0].to_stage == "signed"
        assert _signed(app, Period(today(), today()), "converted") == (1, 120000)


def test_the_history_and_the_week_read_the_conversion(app, clients, kinds):
    _convert(app, kinds["framework"], on=None, who="member")
    panel = clients["lead"].get(f"/board/projects/{kinds['framework']['id']}")
    text = panel.get_data(as_text=True)
    assert panel.status_code == 200
    assert "登记框架协议转化为合同" in text
    assert "协议类型" in text and "投资协议/合同" in text and today().isoformat() in text
    page = clients["lead"].get("/reports/weekly").get_data(as_text=True)
    assert 'data-section="converted"' in page and "框架项目" in page


def test_an_edit_that_is_no_conversion_stays_an_edit(app, kinds, make_project):
    talking = make_project("在谈项目", stage="negotiating", agreement_kind="framework")
    edited = _update(app, talking, "member", agreement_kind="contract")
    assert edited.contracted_on is None
    edited = _update(app, kinds["contract"], "member", investor="另一家公司")
    with app.app_context():
        actions = [e.action for e in db.session.query(ProjectEvent).filter(
            ProjectEvent.project_id.in_([talking["id"], kinds["contract"]["id"]]))]
        assert "converted" not in actions


def test_turning_a_contract_back_clears_its_conversion_date_for_leads_only(app, kinds):
    _convert(app, kinds["framework"])
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Forbidden) as refused:
        version = db.session.get(Project, kinds["framework"]["id"]).version
        projects.update_project(actor("member"), kinds["framework"]["id"], {
            "agreement_kind": "framework", "version": version})
    assert "只有专班负责人或管理员可以更正转为合同日期" in refused.value.message
    assert all_rows(app) == before
    back = _update(app, kinds["framework"], agreement_kind="framework")
    assert back.contracted_on is None
    assert _signed(app, H2, "converted") == (0, 0)


@pytest.mark.parametrize("data, field, message", [
    ({"agreement_kind": "口头协议"}, "agreement_kind", "请从列表中选择。"),
    ({"agreement_kind": None}, "agreement_kind", "请从列表中选择。"),
    ({"project_kind": "merger"}, "project_kind", "请从列表中选择。"),
    ({"increment_wan": -1}, "increment_wan", "不能小于零"),
    ({"increment_wan": "三万"}, "increment_wan", "万元"),
    ({"increment_wan": 10000}, "increment_wan", "增资额仅适用于增资项目。"),
    ({"project_kind": "capital_increase", "increment_wan": 60000}, "increment_wan",
     "增资额（60,000）不能超过投资额（50,000）。"),
    ({"contracted_on": "2025-03-01"}, "contracted_on",
     "转为合同日期（2025-03-01）不能早于签约日期"),
    ({"contracted_on": (today() + timedelta(days=1)).isoformat()}, "contracted_on", "今天"),
    ({"contracted_on": "2025/08/15"}, "contracted_on", "YYYY-MM-DD"),
])
def test_bad_values_are_refused_at_their_field_in_chinese_and_change_nothing(
        app, kinds, data, field, message):
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
        version = db.session.get(Project, kinds["contract"]["id"]).version
        projects.update_project(actor("lead"), kinds["contract"]["id"],
                                {**data, "version": version})
    assert message in refused.value.fields[field]
    assert all_rows(app) == before


def test_a_conversion_date_needs_a_signed_contract(app, kinds, make_project):
    talking = make_project("在谈项目", stage="negotiating")
    for project, data in ((talking, {"contracted_on": "2025-08-15"}),
                          (kinds["framework"], {"contracted_on": "2025-08-15"})):
        before = all_rows(app)
        with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
            version = db.session.get(Project, project["id"]).version
            projects.update_project(actor("lead"), project["id"], {**data, "version": version})
        assert refused.value.fields["contracted_on"] == "只有已签约的合同项目才有转为合同日期。"
        assert all_rows(app) == before


def test_a_member_enters_no_conversion_date_in_a_closed_month(app, kinds):
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
        _convert(app, kinds["framework"], who="member")
    assert "之前的月份统计已结束" in refused.value.fields["contracted_on"]
    assert all_rows(app) == before


def test_the_api_takes_and_gives_the_counting_fields_and_refuses_bad_ones(app, clients, kinds):
    project = kinds["increase"]
    url = f"/api/projects/{project['id']}"
    body = clients["member"].get(url).get_json()
    assert {name: body[name] for name in ("agreement_kind", "project_kind", "increment_wan",
                                          "contracted_on")} == {
        "agreement_kind": "contract", "project_kind": "capital_increase",
        "increment_wan": 30000, "contracted_on": None}
    before = all_rows(app)
    refused = clients["member"].patch(url, json={"agreement_kind": "口头协议",
                                                 "version": body["version"]})
    assert refused.status_code == 422
    assert refused.get_json()["fields"]["agreement_kind"] == "请从列表中选择。"
    assert all_rows(app) == before
    changed = clients["member"].patch(url, json={"increment_wan": 40000,
                                                 "version": body["version"]})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["increment_wan"] == 40000
    assert _signed(app, H1) == (2, 50000 + 40000)


def test_the_project_form_sets_the_kinds(app, clients, kinds):
    project = kinds["contract"]
    form = clients["member"].get(f"/board/projects/{project['id']}/edit").get_data(as_text=True)
    assert '<option value="contract" selected>' in form and "签约统计口径" in form
    with app.app_context():
        version = db.session.get(Project, project["id"]).version
    answer = clients["member"].post(f"/board/projects/{project['id']}", data={
        "version": version, "name": "合同项目", "investment_wan": "50000",
        "agreement_kind": "contract", "project_kind": "upgrade", "increment_wan": ""})
    assert answer.status_code == 204, answer.get_data(as_text=True)[:400]  # the dialog closes
    with app.app_context():
        assert db.session.get(Project, project["id"]).project_kind == "upgrade"
    assert _signed(app, H1) == (2, 30000)


def test_ledgers_name_the_counting_columns_in_their_own_words():
    assert guess_mapping(["项目名称", "协议类型", "项目性质", "增资额（亿元）", "转为合同日期",
                          "签约时间"]) == {0: "name", 1: "agreement_kind", 2: "project_kind",
                                           3: "increment_wan", 4: "contracted_on",
                                           5: "stage_dates.signed"}


def test_an_import_records_the_kinds_converts_and_refuses_a_bad_kind(app, users, counties):
    headers = ["项目编码", "项目名称", "投资方", "总投资（万元）", "所属县市区", "项目阶段",
               "签约时间", "协议类型", "项目类型", "增资额（万元）"]
    rows = [["K-1", "框架项目", "甲公司", 120000, "鹤城区", "已签约", date(2025, 2, 1), "框架协议",
             "新建", None],
            ["K-2", "增资项目", "乙公司", 80000, "鹤城区", "已签约", date(2025, 4, 1), "投资合同",
             "增资扩股", 30000]]
    with app.test_request_context(), force_locale("zh"):
        refused = imports.apply(actor("lead"), ledger([[*rows[0][:7], "口头约定", "新建", None]],
                                                      headers))
        assert (refused.written, refused.counts["refused"]) == (False, 1)
        assert "无法识别的类型：请填写框架协议、投资协议/合同、补充协议之一" in \
            " ".join(refused.rows[0].reasons)
        plan = imports.apply(actor("lead"), ledger(rows, headers))
        assert plan.written
    assert _signed(app, H1) == (0, 30000)  # a framework agreement, and an increment
    converted = [[*rows[0][:7], "投资协议", "新建", None]]
    with app.test_request_context(), force_locale("zh"):
        plan = imports.apply(actor("lead"), ledger(converted, headers))
        assert plan.counts["update"] == 1
        made = db.session.get(Project, plan.rows[0].project_id)
        assert (made.agreement_kind, made.contracted_on) == ("contract", today())
        assert db.session.query(ProjectEvent).filter_by(
            project_id=made.id, action="converted").count() == 1


def test_the_report_page_numbers_every_listed_row_and_totals_only_what_counts(clients, kinds):
    text = clients["viewer"].get("/reports/schedule", query_string={
        "from": "2025-01-01", "to": "2025-06-30"}).get_data(as_text=True)
    signed = re.search(r'<section[^>]*data-section="signed".*?</section>', text, re.S).group(0)
    numbers = re.findall(r'<tr data-project-id="\d+"[^>]*><td class="number">(\d+)</td>', signed)
    assert numbers == ["1", "2", "3"]
    assert '<tr class="total" data-count="2" data-investment="80000">' in signed
    assert '<span class="mark kind">增资项目</span>' in signed


def test_a_move_carries_no_conversion(app, kinds):
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
        version = db.session.get(Project, kinds["framework"]["id"]).version
        projects.move_project(actor("lead"), kinds["framework"]["id"], "started", version,
                              fields={"agreement_kind": "contract"})
    assert refused.value.fields["agreement_kind"] == \
        "框架协议转化为合同须单独编辑登记，不能随移动一并提交。"
    assert all_rows(app) == before


def test_a_member_creates_no_conversion_dated_in_a_closed_month(app, make_project):
    before = all_rows(app)
    with app.test_request_context(), force_locale("zh"), pytest.raises(Invalid) as refused:
        projects.create_project(actor("member"), {
            "name": "补录项目", "investment_wan": 1000, "contracted_on": "2025-08-15"})
    assert "之前的月份统计已结束" in refused.value.fields["contracted_on"]
    assert all_rows(app) == before
