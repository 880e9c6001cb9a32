"""The API's published contract: ``/api/openapi.json`` is valid OpenAPI 3.1, describes every
``/api`` rule, follows the constraints the services check with, and the live app keeps it
(schemathesis over every operation: no 5xx, every answer as the document says)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from tests.helpers import TEAM
from tests.live import Script, api_token, expect
from wallchart.core.inputs import INT_MAX
from wallchart.core.vocabulary import BLOCKER_KINDS
from wallchart.reads import filters
from wallchart.services import record

OPERATION_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def contract(app) -> dict:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_document_is_valid_openapi_3_1_and_public(app):
    document = contract(app)
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": "flask --app wsgi user token USERNAME"}


def test_every_api_rule_is_described(app):
    paths = contract(app)["paths"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert len(rules) >= 15
    for rule in rules:
        path = rule.rule.replace("<int:", "{").replace(">", "}")
        for method in rule.methods & OPERATION_METHODS:
            operation = paths[path][method.lower()]
            assert operation["summary"], (method, path)
            assert {"200", "201", "204"} & set(operation["responses"]), (method, path)


def test_a_route_without_a_description_breaks_the_document(app):
    from wallchart.api.contract import document

    app.add_url_rule("/api/undescribed", "undescribed", lambda: "")
    with app.test_request_context(), pytest.raises(LookupError, match="/api/undescribed"):
        document()


def test_a_description_without_its_route_breaks_the_document(app, monkeypatch):
    from wallchart.api import contract

    described = contract._operations
    monkeypatch.setattr(contract, "_operations", lambda: {
        **described(), ("api.gone", "GET"): contract.Operation("gone")})
    with app.test_request_context(), pytest.raises(LookupError, match="api.gone"):
        contract.document()


def test_the_record_fields_come_from_the_services_tables(app):
    schemas = contract(app)["components"]["schemas"]
    create = schemas["ProjectCreate"]
    assert create["additionalProperties"] is False
    assert set(record.FIELDS) < set(create["properties"])
    assert create["properties"]["name"]["maxLength"] == record.TEXT_MAX["name"]
    assert create["properties"]["investment_wan"]["maximum"] == record.INVESTMENT_MAX_WAN
    assert set(create["properties"]["sector"]["enum"]) == {*record.CHOICES["sector"], None}
    assert create["properties"]["planned_on"]["type"] == ["string", "null"]
    assert create["properties"]["planned_on"]["format"] == "date"
    # A project code as the service checks it, anchored.
    assert create["properties"]["code"]["pattern"] == f"^{record.CODE.pattern}$"


def test_a_constraint_changed_in_code_shows_in_the_document(app, monkeypatch, clients):
    monkeypatch.setitem(record.TEXT_MAX, "investor", 12)
    monkeypatch.setitem(record.WHOLE, "land_mu", (77, "", ""))
    properties = contract(app)["components"]["schemas"]["ProjectCreate"]["properties"]
    assert properties["investor"]["maxLength"] == 12
    assert properties["land_mu"]["maximum"] == 77
    # …and the service refuses by the same number.
    response = clients["member"].post("/api/projects", json={"name": "甲", "investor": "乙" * 13})
    assert response.status_code == 422 and "investor" in response.get_json()["fields"]


def test_the_project_list_takes_the_boards_filters_and_pages(app):
    operation = contract(app)["paths"]["/api/projects"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(filters.PARAMETERS) | {"status", "page", "per_page"} == set(parameters)
    assert parameters["q"]["schema"]["maxLength"] == filters.MAX_SEARCH
    assert parameters["stage"]["explode"] is True
    assert parameters["per_page"]["schema"]["maximum"] == 500


def test_the_reference_page_loads_only_vendored_assets(app):
    response = app.test_client().get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/static/vendor/swagger-ui-dist-5.36.0/swagger-ui-bundle.js" in html
    assert 'data-url="/api/openapi.json"' in html
    assert "API 参考" in html
    assert "unsafe" not in response.headers["Content-Security-Policy"]


# --- schemathesis against the live app -------------------------------------------------------

#: Examples per operation: enough to meet every refusal, bounded to keep the run in seconds.
EXAMPLES = 15


#: A county's ledger as a script uploads one: a CSV of two projects.
LEDGER = ("项目名称,投资方,总投资（万元）\n"
          "契约导入甲,示例投资有限公司,1200\n契约导入乙,示例实业集团,800\n").encode()


class Aim:
    """Generated requests aimed at the rows made for the run: random ids would only ever meet
    404, and random versions, names and teams 409 and 422, never a write's success. Valid input
    also gets the current version of what it names, a county that exists, an owner in the team,
    a real ledger to import and, for new projects, the team (an administrator is in none)."""

    def __init__(self, script: Script, projects: list[int], blocker: tuple[int, int],
                 county: str) -> None:
        self.script, self.projects, self.county = script, projects, county
        self.blocker_id, self.blocker_project = blocker

    def version(self, kind: str, row_id: int) -> int | None:
        if kind == "blocker_id":
            found = self.script.api("GET", f"/projects/{self.blocker_project}/blockers").json()
            return next((b["version"] for b in found["blockers"] if b["id"] == row_id), None)
        response = self.script.api("GET", f"/projects/{row_id}")
        return response.json()["version"] if response.status_code == 200 else None

    def __call__(self, case, target: dict[str, int], valid: bool):
        path = case.path_parameters or {}
        for name in set(path) & set(target):
            path[name] = target[name]
        body = case.body
        if not valid or not isinstance(body, dict):
            return case
        named = [(name, path[name]) for name in ("blocker_id", "project_id") if name in path]
        if "version" in body and named:
            body["version"] = self.version(*named[0])
        if isinstance(body.get("projects"), list):
            body["projects"] = [{"id": p, "version": self.version("project_id", p)}
                                for p in self.projects[:len(body["projects"])]]
        if body.get("county"):
            body["county"] = self.county
        for name in ("owner", "next_step_owner"):
            if body.get(name):
                body[name] = "member"
        if case.method == "POST" and case.path == "/api/projects":
            body.setdefault("team", TEAM)
        if "file" in body:
            body.update(file=LEDGER, team=TEAM)
        if "meeting_id" in path:  # a meeting's agenda holds the projects made for the run
            if isinstance(body.get("agenda"), list):
                body["agenda"] = self.projects[:len(body["agenda"])]
            if "project_id" in body:
                body.update(project_id=self.projects[0],
                            due=(date.today() + timedelta(days=30)).isoformat())
        if isinstance(body.get("attendees"), list):
            body["attendees"] = ["admin"][:len(body["attendees"])]
        return case


def _runs(operations, document: dict):
    """Each operation with valid input, and with invalid input where it takes any; deleting
    last, reopening after withdrawing, so that the other operations meet live projects."""
    for operation in sorted(operations, key=lambda operation: (
            operation.method.upper() == "DELETE", operation.path.endswith("/reopen"))):
        yield operation, GenerationMode.POSITIVE
        method, path = operation.label.split(" ")
        if {"parameters", "requestBody"} & set(document["paths"][path][method.lower()]):
            yield operation, GenerationMode.NEGATIVE


def _fuzz(operation, mode: GenerationMode, targets, aim: Aim, base_url: str,
          auth: dict[str, str]) -> None:
    """Hypothesis over one operation: no 5xx, and every answer's status, type and body as the
    document says."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode), target=targets)
    def exercise(case, target):
        aim(case, target, valid=mode is GenerationMode.POSITIVE)
        response = case.call(base_url=base_url, headers=auth)
        case.validate_response(response, checks=checks)

    exercise()


@pytest.mark.live
def test_schemathesis_finds_no_5xx_and_no_answer_outside_the_contract(live_server):
    import schemathesis

    script = Script(live_server, api_token(live_server, "admin"))
    live_server.flask("county", "add", "鹤城区")
    made = [expect(script.api("POST", "/projects", json={
        "name": f"契约测试{n}", "investor": "示例投资有限公司", "investment_wan": 1000 * n,
        "team": TEAM, "allow_duplicate": True}), 201).json()["id"] for n in range(1, 6)]
    blocker = expect(script.api("POST", f"/projects/{made[0]}/blockers", json={
        "kind": next(iter(BLOCKER_KINDS)), "department": "自然资源局"}), 201).json()
    meeting = expect(script.api("POST", "/meetings", json={
        "title": "契约调度会", "date": date.today().isoformat(), "agenda": made}), 201).json()
    aim = Aim(script, made, (blocker["id"], made[0]), "鹤城区")
    auth = {"Authorization": f"Bearer {script.token}"}
    document = expect(script.api("GET", "/openapi.json"), 200).json()
    schema = schemathesis.openapi.from_dict(document)
    targets = st.fixed_dictionaries({"project_id": st.sampled_from([*made, INT_MAX]),
                                     "blocker_id": st.sampled_from([blocker["id"], INT_MAX]),
                                     "meeting_id": st.sampled_from([meeting["id"], INT_MAX])})
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(operation.label for operation in operations) == sorted(
        f"{method.upper()} {path}" for path, methods in document["paths"].items()
        for method in methods)

    for operation, mode in _runs(operations, document):
        _fuzz(operation, mode, targets, aim, live_server.url, auth)
