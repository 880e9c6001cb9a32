"""The API's published contract: ``GET /api/openapi.json`` (OpenAPI 3.1) and ``GET /api/docs``.

The document is made on each request from what the code checks with — the record's field
tables (``services.record``), the vocabularies, the services' limits, the board's filter
parameters, the app's URL map — so that it cannot drift from them. ``_operations`` describes
each ``/api`` rule by its endpoint; a rule it lacks makes the document fail to build (and a test
fail), so a new route cannot go undescribed. Both routes are public: the contract holds the
rules and the vocabularies, never a project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from werkzeug.routing import Rule

from wallchart.api import projects as projects_api
from wallchart.api.errors import api_blueprint
from wallchart.api.imports import DRY_RUN_NO, DRY_RUN_YES
from wallchart.core.inputs import INT_MAX
from wallchart.core.vocabulary import (
    BLOCKER_KINDS,
    DECISION_STATES,
    STAGES,
    THREE500,
    WITHDRAW_REASONS,
)
from wallchart.reads import filters
from wallchart.reports.indicators import AMOUNTS, PRESETS
from wallchart.reports.promises import PROMISE_COUNTS, PROMISE_FIGURES
from wallchart.services import (
    blockers,
    funds,
    imports,
    meetings,
    notes,
    projects,
    record,
    validation,
)
from wallchart.services.record import FOREIGN_CAPITAL_MAX_USD_WAN, INVESTMENT_MAX_WAN

bp = api_blueprint("api_contract", __name__)

VERSION = "1.0"
ANY = ("GET", "POST", "PATCH", "PUT", "DELETE")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null``; an ``enum`` gains ``None`` among its values."""
    schema = dict(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    kind = schema.get("type")
    schema["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
    return schema


def _enum(values) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _text(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}
REASON = _nullable(_text(projects.REASON_MAX))


def _version() -> dict[str, Any]:
    return {"type": "integer", "description": _("The version last read; a stale one is 409.")}


# --- the record's fields, from the tables ``record.clean`` checks with -----------------------

def _record_field(name: str) -> dict[str, Any]:
    """One record field's schema, from the table of ``record`` that checks it."""
    if name == "code":
        return _nullable({**_text(record.CODE_MAX), "pattern": f"^{record.CODE.pattern}$",
                          "description": _("Use letters, digits and - _ / only, without "
                                           "spaces.")})
    if name in record.TEXT_MAX:
        schema = _text(record.TEXT_MAX[name])
        if name == "contact_phone":
            schema["pattern"] = f"^{record.PHONE.pattern}$"
        if name == "name":
            return {**schema, "minLength": 1}
        return _nullable(schema)
    if name in record.WHOLE:
        return _nullable({"type": "integer", "minimum": 0, "maximum": record.WHOLE[name][0]})
    if name in record.FLAGS:
        return {"type": "boolean"}
    if name in record.REQUIRED_CHOICES:
        return _enum(record.CHOICES[name])
    if name in record.CHOICES:
        return _nullable(_enum(record.CHOICES[name]))
    if name == "contracted_on":
        return _nullable({**DATE, "description": _(
            "The date a signed framework agreement became a contract (协议项目转化为合同项目): "
            "set to today when agreement_kind turns from framework to contract, unless given; "
            "not before the signing, not after today. A recorded one is corrected by leads and "
            "administrators.")})
    if name == "promised_start_on":
        return _nullable({**DATE, "description": _(
            "The start of construction the agreement promised (协议约定开工日期): on a signed "
            "(or later) project, not before its signing, up to %(years)d years ahead.",
            years=record.PLANNING_YEARS)})
    if name in record.PLANNED_DATES:
        return _nullable({**DATE, "description": _(
            "From %(start)s to %(years)d years ahead.", start=record.EARLIEST.isoformat(),
            years=record.PLANNING_YEARS)})
    if name == "county":
        return _nullable({"type": "string", "description": _("A county or district's name.")})
    if name == "next_step_owner":
        return _nullable({"type": "string", "description": _("An active user's username.")})
    raise LookupError(f"record field {name!r} has no schema: describe it in api/contract.py")


def _record_fields() -> dict[str, Any]:
    return {name: _record_field(name) for name in record.FIELDS}


def _stage_dates() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {stage: _nullable(DATE) for stage in STAGES},
            "description": _("A stage date lies between %(start)s and today.",
                             start=record.EARLIEST.isoformat())}


def _request_schemas() -> dict[str, Any]:
    """The JSON bodies, as the services refuse unknown keys (``refuse_unknown``)."""
    fields = _record_fields()
    changes = {**fields, "stage_dates": _stage_dates()}
    closed: dict[str, Any] = {"type": "object", "additionalProperties": False}
    receipt = {
        "date": _nullable(DATE),
        "amount_wan": {"type": "integer", "minimum": 1, "maximum": INVESTMENT_MAX_WAN},
        "foreign_usd_wan": _nullable(
            {"type": "integer", "minimum": 1, "maximum": FOREIGN_CAPITAL_MAX_USD_WAN}),
        "document": _nullable(_text(funds.DOCUMENT_MAX)),
        "note": _nullable(_text(funds.NOTE_MAX))}
    reason = {**_text(validation.REASON_MAX), "minLength": 1}
    agenda = {"type": "array", "items": INTEGER, "maxItems": meetings.AGENDA_MAX}
    return {
        "ProjectCreate": {**closed, "required": ["name"], "properties": {
            **changes, "team": _nullable({"type": "string"}), "stage": _enum(STAGES),
            "reason": REASON, "allow_duplicate": {"type": "boolean"}}},
        "ProjectUpdate": {**closed, "required": ["version"], "properties": {
            **changes, "team": _nullable({"type": "string"}), "version": _version(),
            "reason": REASON}},
        "ProjectMove": {**closed, "required": ["stage", "version"], "properties": {
            **changes, "stage": _enum(STAGES), "version": _version(),
            "position": _nullable({"type": "integer", "minimum": 0}), "reason": REASON}},
        "ProjectWithdraw": {**closed, "required": ["version", "withdrawn_reason"], "properties": {
            "version": _version(), "withdrawn_reason": _enum(WITHDRAW_REASONS),
            "reason": REASON}},
        "ProjectReopen": {**closed, "required": ["version"], "properties": {
            "version": _version(), "reason": REASON}},
        "ProjectAssign": {**closed, "required": ["owner", "version"], "properties": {
            "owner": _nullable({"type": "string", "minLength": 1}), "version": _version(),
            "reason": REASON}},
        "ProjectsAssign": {**closed, "required": ["projects", "owner"], "properties": {
            "projects": {"type": "array", "minItems": 1, "maxItems": projects.BULK_MAX,
                         "items": {**closed, "required": ["id", "version"], "properties": {
                             "id": INTEGER, "version": INTEGER}}},
            "owner": _nullable({"type": "string", "minLength": 1}), "reason": REASON}},
        "ProjectDelete": {**closed, "properties": {"version": _version(), "reason": REASON}},
        "NoteAdd": {**closed, "required": ["text"], "properties": {
            "text": {**_text(notes.NOTE_MAX), "minLength": 1}}},
        "BlockerRaise": {**closed, "required": ["kind", "department"], "properties": {
            "kind": _enum(BLOCKER_KINDS),
            "department": {**_text(blockers.DEPARTMENT_MAX), "minLength": 1},
            "description": _nullable(_text(blockers.TEXT_MAX)),
            "raised_on": _nullable(DATE), "due_on": _nullable(DATE)}},
        "BlockerResolve": {**closed, "required": ["version", "resolution"], "properties": {
            "version": _version(),
            "resolution": {**_text(blockers.TEXT_MAX), "minLength": 1}}},
        "ReceiptRecord": {**closed, "required": ["date", "amount_wan"], "properties": {
            **receipt, "date": DATE, "amount_wan": receipt["amount_wan"]}},
        "ReceiptCorrect": {**closed, "required": ["version", "reason"], "properties": {
            **receipt, "version": _version(), "reason": reason}},
        "ReceiptRemove": {**closed, "required": ["version", "reason"], "properties": {
            "version": _version(), "reason": reason}},
        "MeetingCreate": {**closed, "required": ["title", "date"], "properties": {
            "title": {**_text(meetings.TITLE_MAX), "minLength": 1},
            "date": {**DATE, "description": _(
                "The day it is held, from %(start)s to %(years)d years ahead.",
                start=record.EARLIEST.isoformat(), years=meetings.YEARS_AHEAD)},
            "attendees": {"type": "array", "items": {"type": "string"},
                          "description": _("The usernames of the attendees.")},
            "guests": _nullable(_text(meetings.GUESTS_MAX)),
            "agenda": {**agenda, "description": _(
                "Project ids, in order; the agenda starts with the projects whose decisions "
                "of earlier meetings are still open.")}}},
        "AgendaSet": {**closed, "required": ["agenda"], "properties": {"agenda": agenda}},
        "DecisionAdd": {**closed, "required": ["project_id", "text", "department", "due"],
                        "properties": {
            "project_id": {**INTEGER, "description": _("A project on the meeting's agenda.")},
            "text": {**_text(blockers.TEXT_MAX), "minLength": 1},
            "department": {**_text(blockers.DEPARTMENT_MAX), "minLength": 1},
            "due": {**DATE, "description": _("From today to %(years)d years ahead.",
                                             years=meetings.YEARS_AHEAD)},
            "follow_up": _nullable(_text(meetings.FOLLOW_UP_MAX)),
            "kind": _nullable(_enum(BLOCKER_KINDS))}},
        "Import": {**closed, "required": ["file"], "properties": {
            "file": {"type": "string", "contentMediaType": "application/octet-stream",
                     "description": _("An .xlsx workbook or a CSV (UTF-8 or GB18030).")},
            "dry_run": _enum((*DRY_RUN_NO, *DRY_RUN_YES)),
            "team": {"type": "string"}}},
    }


def _response_schemas() -> dict[str, Any]:
    fields = _record_fields()
    project_keys = {
        "id": INTEGER, **fields, "name": {"type": "string"},
        "team": _nullable({"type": "string"}), "stage": _enum(STAGES),
        "position": _nullable({"type": "integer", "minimum": 0}), "version": INTEGER,
        "owner": _nullable({"type": "string"}), "stage_entered_at": DATE,
        "stage_dates": {"type": "object", "properties": {stage: DATE for stage in STAGES},
                        "additionalProperties": False},
        "status": _enum(("active", "withdrawn")),
        "withdrawn_reason": _nullable(_enum(WITHDRAW_REASONS)),
        "withdrawn_comment": _nullable({"type": "string"}),
        "withdrawn_at": _nullable(DATE_TIME), "open_blockers": INTEGER,
        "warning": {"type": "object", "required": ["colour", "reasons"], "properties": {
            "colour": _nullable(_enum(("yellow", "red"))),
            "reasons": {"type": "array", "items": {"type": "string"}}}},
    }
    # Answers hold what was stored, checked or not: no lengths, ranges or patterns.
    for key, schema in project_keys.items():
        project_keys[key] = {name: value for name, value in schema.items()
                             if name not in ("maxLength", "minLength", "maximum", "pattern")}
    figure = {"type": "object", "properties": {
        "count": INTEGER, "investment_wan": INTEGER, "previous_count": INTEGER,
        "previous_investment_wan": INTEGER,
        "change_count_pct": _nullable({"type": "number"}),
        "change_investment_pct": _nullable({"type": "number"})}}
    person = _nullable({"type": "string"})
    return {
        "Project": {"type": "object", "required": list(project_keys),
                    "properties": project_keys},
        "ProjectWithHistory": {"allOf": [_ref("Project"), {
            "type": "object", "required": ["history"], "properties": {
                "history": {"type": "array", "items": _ref("Event")}}}]},
        "Event": {"type": "object", "required": ["at", "by", "action", "changes", "reason"],
                  "properties": {"at": DATE_TIME, "by": person, "action": {"type": "string"},
                                 "from_stage": _nullable(_enum(STAGES)),
                                 "to_stage": _nullable(_enum(STAGES)),
                                 "changes": {"type": "object"}, "reason": person}},
        "ProjectPage": {"type": "object", "required": ["projects", "page", "per_page", "total"],
                        "properties": {"projects": {"type": "array", "items": _ref("Project")},
                                       "page": INTEGER, "per_page": INTEGER, "total": INTEGER}},
        "Projects": {"type": "object", "required": ["projects"], "properties": {
            "projects": {"type": "array", "items": _ref("Project")}}},
        "Note": {"type": "object", "required": ["id", "at", "by", "text"], "properties": {
            "id": INTEGER, "at": DATE_TIME, "by": person, "text": {"type": "string"}}},
        "Notes": {"type": "object", "required": ["notes"], "properties": {
            "notes": {"type": "array", "items": _ref("Note")}}},
        "Blocker": {"type": "object", "required": ["id", "project", "kind", "status", "version"],
                    "properties": {
                        "id": INTEGER,
                        "project": {"type": "object", "properties": {
                            "id": INTEGER, "name": {"type": "string"}}},
                        "kind": _enum(BLOCKER_KINDS), "department": {"type": "string"},
                        "description": {"type": "string"}, "raised_on": DATE,
                        "due_on": _nullable(DATE), "status": _enum(blockers.STATUSES),
                        "resolution": person, "resolved_on": _nullable(DATE),
                        "raised_by": person, "resolved_by": person, "version": INTEGER,
                        "overdue": {"type": "boolean"}, "age_days": INTEGER,
                        "meeting": _nullable({"type": "object", "properties": {
                            "id": INTEGER, "title": {"type": "string"}}}),
                        "follow_up": {"type": "string"}}},
        "Blockers": {"type": "object", "required": ["blockers"], "properties": {
            "blockers": {"type": "array", "items": _ref("Blocker")}}},
        "Decision": {"type": "object", "required": ["id", "meeting_id", "project", "text",
                                                    "department", "due", "state", "version"],
                     "properties": {
            "id": {**INTEGER, "description": _("Its blocker's id: resolving it is doing it.")},
            "meeting_id": INTEGER, "project": {"type": "object", "properties": {
                "id": INTEGER, "name": {"type": "string"}}},
            "text": {"type": "string"}, "department": {"type": "string"},
            "due": _nullable(DATE), "follow_up": {"type": "string"},
            "kind": _enum(BLOCKER_KINDS), "state": _enum(DECISION_STATES),
            "version": INTEGER}},
        "Meeting": {"type": "object", "required": ["id", "title", "date", "attendees",
                                                   "agenda", "decisions", "earlier_open"],
                    "properties": {
            "id": INTEGER, "title": {"type": "string"}, "date": DATE,
            "guests": {"type": "string"}, "created_by": person,
            "attendees": {"type": "array", "items": {"type": "string"}},
            "agenda": {"type": "array", "items": {"type": "object", "properties": {
                "position": INTEGER, "project": {"type": "object", "properties": {
                    "id": INTEGER, "name": {"type": "string"}, "stage": _enum(STAGES),
                    "on_board": {"type": "boolean"}}}}}},
            "decisions": {"type": "array", "items": _ref("Decision")},
            "earlier_open": {"type": "array", "items": _ref("Decision"), "description": _(
                "The decisions of earlier meetings still open.")}}},
        "Meetings": {"type": "object", "required": ["meetings"], "properties": {
            "meetings": {"type": "array", "items": {"type": "object", "properties": {
                "id": INTEGER, "title": {"type": "string"}, "date": DATE,
                "decisions": {"type": "object", "properties": {
                    state: INTEGER for state in DECISION_STATES}}}}}}},
        "Receipt": {"type": "object", "required": ["id", "project", "date", "amount_wan",
                                                   "version"], "properties": {
            "id": INTEGER, "project": {"type": "object", "properties": {
                "id": INTEGER, "name": {"type": "string"}}},
            "date": DATE, "amount_wan": INTEGER, "foreign_usd_wan": _nullable(INTEGER),
            "document": person, "note": person, "recorded_by": person,
            "recorded_at": DATE_TIME, "removed": {"type": "boolean"}, "version": INTEGER}},
        "Receipts": {"type": "object", "required": ["receipts", "total_wan"], "properties": {
            "receipts": {"type": "array", "items": _ref("Receipt")}, "total_wan": INTEGER,
            "foreign_usd_wan": INTEGER, "rate_pct": _nullable({"type": "number"}),
            "foreign_rate_pct": _nullable({"type": "number"})}},
        "Indicators": {"type": "object", "required": [
            "from", "to", "previous_from", "previous_to", "county", "indicators"],
            "properties": {
                "from": DATE, "to": DATE, "previous_from": DATE, "previous_to": DATE,
                "county": person,
                "indicators": {"type": "object", "additionalProperties": figure},
                **{name: _nullable({"type": "number"}) if name.startswith("change_")
                   else INTEGER for name in AMOUNTS},
                **{name: INTEGER if name in PROMISE_COUNTS else _nullable({"type": "number"})
                   for name in PROMISE_FIGURES},
                "past_promise_projects": {
                    "type": "array", "description": _(
                        "The projects signed in the period that are past their promised start "
                        "on its last day and have not started, the longest late first."),
                    "items": {"type": "object", "properties": {
                        "id": INTEGER, "name": {"type": "string"}, "county": person,
                        "signed_on": DATE, "promised_start_on": DATE}}}}},
        "ImportPlan": {"type": "object", "required": ["written", "counts", "columns", "rows"],
                       "properties": {
                           "written": {"type": "boolean"},
                           "counts": {"type": "object", "properties": {
                               action: INTEGER for action in imports.ACTIONS}},
                           "columns": {"type": "array", "items": {
                               "type": "object", "properties": {
                                   "letter": {"type": "string"}, "header": person,
                                   "field": person}}},
                           "rows": {"type": "array", "items": {
                               "type": "object", "properties": {
                                   "row": INTEGER, "action": _enum(imports.ACTIONS),
                                   "name": person, "project_id": _nullable(INTEGER),
                                   "changes": {"type": "object"},
                                   "reasons": {"type": "array",
                                               "items": {"type": "string"}},
                                   "duplicates": {"type": "array", "items": INTEGER},
                                   "duplicate_rows": {"type": "array",
                                                      "items": INTEGER}}}}}},
        "Error": {
            "type": "object", "required": ["error"],
            "description": _("Every refusal: the message in the person's language, and "
                             "each bad field or parameter with its own message in “fields”."),
            "properties": {
                "error": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "missing": {"type": "array", "items": {"type": "string"},
                            "description": _("What a stage still needs (422).")},
                "duplicates": {"type": "array", "items": _ref("Project"),
                               "description": _("Projects like the new one (409).")},
                "project": _ref("Project"),
                "projects": {"type": "array", "items": _ref("Project")},
                "blocker": _ref("Blocker")}},
        "Contract": {"type": "object", "required": ["openapi", "info", "paths"]},
    }


# --- query parameters --------------------------------------------------------------------------

def _filter_parameter(name: str) -> dict[str, Any]:
    """A board filter parameter (``reads.filters.parse``) as a query parameter's schema."""
    one_of_many = {"type": "array", "items": {"type": "string"}}
    schemas: dict[str, dict[str, Any]] = {
        "county": one_of_many,
        "stage": {"type": "array", "items": _enum(STAGES)},
        "sector": _enum(record.CHOICES["sector"]),
        "owner": {"type": "string"},
        "team": {"type": "string"},
        "three500": _enum(("any", *THREE500)),
        "billion": _enum(("1",)), "foreign": _enum(("1",)), "blockers": _enum(("1",)),
        "warning": _enum(filters.WARNING_CHOICES),
        "q": _text(filters.MAX_SEARCH),
    }
    if name not in schemas:
        raise LookupError(f"board filter {name!r} has no schema: describe it in api/contract.py")
    return schemas[name]


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    if description:
        parameter["description"] = description
    return parameter


def _list_parameters() -> list[dict[str, Any]]:
    return [
        *(_query(name, _filter_parameter(name), str(filters.LABELS[name]))
          for name in filters.PARAMETERS),
        _query("status", _enum(("active", "withdrawn"))),
        _query("page", {"type": "integer", "minimum": 1, "maximum": INT_MAX}),
        _query("per_page", {"type": "integer", "minimum": 1,
                            "maximum": projects_api.PER_PAGE_MAX}),
    ]


# --- operations --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    """One route and method: what it is for, what it takes and what it answers besides the
    refusals every operation may answer (``_refusals``)."""

    summary: str
    ok: int = 200
    answer: str | None = None  # a schema's name; None: no body (204), "html": a page
    body: str | None = None
    parameters: tuple[dict[str, Any], ...] = ()
    refusals: tuple[int, ...] = (422,)
    public: bool = False


def _operations() -> dict[tuple[str, str], Operation]:
    """Every ``/api`` rule and method, by endpoint: the one table a new route is added to."""
    read, write = (400, 422), (400, 409, 422)
    return {
        ("api_contract.openapi", "GET"): Operation(
            _("This document: the API's contract (OpenAPI 3.1)."), answer="Contract",
            refusals=(), public=True),
        ("api_contract.docs", "GET"): Operation(
            _("The API's reference, to read in a browser."), answer="html", refusals=(),
            public=True),
        ("api.list_projects", "GET"): Operation(
            _("The projects on the board (or withdrawn), filtered and paged as the board."),
            answer="ProjectPage", parameters=tuple(_list_parameters()), refusals=read),
        ("api.create_project", "POST"): Operation(
            _("Create a project."), ok=201, answer="Project", body="ProjectCreate",
            refusals=write),
        ("api.get_project", "GET"): Operation(
            _("A project with its history."), answer="ProjectWithHistory", refusals=()),
        ("api.update_project", "PATCH"): Operation(
            _("Change a project's record."), answer="Project", body="ProjectUpdate",
            refusals=write),
        ("api.delete_project", "DELETE"): Operation(
            _("Delete a project (its history stays)."), ok=204, body="ProjectDelete",
            parameters=(_query("version", {"type": "integer"}),), refusals=write),
        ("api.move_project", "POST"): Operation(
            _("Move a project to a stage, with the fields the stage needs."), answer="Project",
            body="ProjectMove", refusals=write),
        ("api.withdraw_project", "POST"): Operation(
            _("Withdraw a project to the archive."), answer="Project", body="ProjectWithdraw",
            refusals=write),
        ("api.reopen_project", "POST"): Operation(
            _("Bring a withdrawn project back to the board."), answer="Project",
            body="ProjectReopen", refusals=write),
        ("api.assign_project", "POST"): Operation(
            _("Give a project an owner, or none."), answer="Project", body="ProjectAssign",
            refusals=write),
        ("api.assign_projects", "POST"): Operation(
            _("Give several projects one owner, all or nothing."), answer="Projects",
            body="ProjectsAssign", refusals=(*write, 404)),
        ("tracking_api.list_notes", "GET"): Operation(
            _("A project's progress notes."), answer="Notes", refusals=()),
        ("tracking_api.add_note", "POST"): Operation(
            _("Add a progress note."), ok=201, answer="Note", body="NoteAdd", refusals=write),
        ("tracking_api.list_blockers", "GET"): Operation(
            _("A project's blockers."), answer="Blockers", refusals=()),
        ("tracking_api.raise_blocker", "POST"): Operation(
            _("Raise a blocker on a project."), ok=201, answer="Blocker", body="BlockerRaise",
            refusals=write),
        ("tracking_api.resolve_blocker", "POST"): Operation(
            _("Resolve a blocker."), answer="Blocker", body="BlockerResolve", refusals=write),
        ("tracking_api.city_blockers", "GET"): Operation(
            _("Every project's blockers, city-wide."), answer="Blockers", parameters=(
                _query("status", _enum(blockers.STATUSES)),
                _query("sort", _enum(blockers.SORTS)),
                _query("county", {"type": "string"}),
                _query("department", {"type": "string"})), refusals=read),
        ("funds_api.list_receipts", "GET"): Operation(
            _("A project's receipts of funds, and their totals against the agreement."),
            answer="Receipts", refusals=()),
        ("funds_api.record_receipt", "POST"): Operation(
            _("Record a receipt of funds (资金到位)."), ok=201, answer="Receipt",
            body="ReceiptRecord", refusals=write),
        ("funds_api.correct_receipt", "POST"): Operation(
            _("Correct a receipt, with the reason (leads and administrators)."),
            answer="Receipt", body="ReceiptCorrect", refusals=write),
        ("funds_api.remove_receipt", "POST"): Operation(
            _("Remove a receipt, with the reason (leads and administrators)."),
            answer="Receipt", body="ReceiptRemove", refusals=write),
        ("meetings_api.list_meetings", "GET"): Operation(
            _("Every scheduling meeting, the latest first."), answer="Meetings",
            refusals=()),
        ("meetings_api.create_meeting", "POST"): Operation(
            _("Prepare a scheduling meeting (leads and administrators)."), ok=201,
            answer="Meeting", body="MeetingCreate", refusals=write),
        ("meetings_api.get_meeting", "GET"): Operation(
            _("A meeting: its agenda, its decisions and their states."), answer="Meeting",
            refusals=()),
        ("meetings_api.set_agenda", "POST"): Operation(
            _("Set a meeting's agenda: add, take out, reorder (leads and administrators)."),
            answer="Meeting", body="AgendaSet", refusals=write),
        ("meetings_api.add_decision", "POST"): Operation(
            _("Add a decision on a project of the agenda: it opens a blocker of the project."),
            ok=201, answer="Decision", body="DecisionAdd", refusals=write),
        ("api_indicators.get_indicators", "GET"): Operation(
            _("The key indicators of a period, with the same period a year earlier."),
            answer="Indicators", parameters=(
                _query("from", DATE), _query("to", DATE), _query("preset", _enum(PRESETS)),
                _query("county", {"type": "string"})), refusals=read),
        ("api_imports.import_ledger", "POST"): Operation(
            _("Import a county's ledger (台账); with dry_run, only say what it would do."),
            answer="ImportPlan", body="Import", refusals=(400, 413, 422)),
    }


def _refusals(operation: Operation, rule: Rule, method: str) -> dict[str, Any]:
    """What an operation may be refused with, each answered as an ``Error``."""
    codes = set(operation.refusals)
    if not operation.public:
        codes |= {401, 403}
    if rule.arguments:
        codes.add(404)
    if method != "GET":
        codes.add(413)
    codes.add(429)
    messages = {400: _("The request could not be understood."), 401: _("Please sign in."),
                403: _("You are not allowed to do this."), 404: _("Not found."),
                409: _("Changed by someone else since it was read, or a duplicate."),
                413: _("The request is too large."),
                422: _("Refused: nothing was changed."),
                429: _("Too many requests. Please wait a moment.")}
    error = {"application/json": {"schema": _ref("Error")}}
    return {str(code): {"description": messages[code], "content": error}
            for code in sorted(codes)}


#: A rule's variable (``<int:project_id>``), and how OpenAPI writes it.
RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _path(rule: Rule) -> str:
    return RULE_VARIABLE.sub(r"{\1}", rule.rule)


def _path_parameters(rule: Rule) -> list[dict[str, Any]]:
    """Every variable of an ``/api`` rule is an id (``core.inputs.BoundedInt``)."""
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": INT_MAX}}
            for name in RULE_VARIABLE.findall(rule.rule)]


def _tags() -> dict[str, str]:
    """Each blueprint's operations under one heading of the reference."""
    return {"api": _("Projects on the board"), "tracking_api": _("Progress notes and blockers"),
            "funds_api": _("Funds in place"), "meetings_api": _("Scheduling meetings"),
            "api_indicators": _("Indicators"), "api_imports": _("Import a ledger"),
            "api_contract": _("API reference")}


def _operation(endpoint: str, method: str, rule: Rule, spec: Operation) -> dict[str, Any]:
    path_parameters = _path_parameters(rule)
    answer: dict[str, Any] = {"description": _("Done: the answer.")}
    if spec.answer == "html":
        answer["content"] = {"text/html": {"schema": {"type": "string"}}}
    elif spec.answer:
        answer["content"] = {"application/json": {"schema": _ref(spec.answer)}}
    operation: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"),
        "summary": spec.summary,
        "tags": [_tags()[endpoint.split(".")[0]]],
        "responses": {str(spec.ok): answer, **_refusals(spec, rule, method)},
    }
    if path_parameters or spec.parameters:
        operation["parameters"] = [*path_parameters, *spec.parameters]
    if spec.body == "Import":
        operation["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": _ref(spec.body)}}}
    elif spec.body:
        operation["requestBody"] = {"required": spec.body != "ProjectDelete", "content": {
            "application/json": {"schema": _ref(spec.body)}}}
    if spec.public:
        operation["security"] = []
    return operation


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``/api`` rule of the app."""
    described = _operations()
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & set(ANY)):
            spec = described.pop((rule.endpoint, method), None)
            if spec is None:
                raise LookupError(f"{method} {rule.rule} ({rule.endpoint}) is not described: "
                                  f"add it to api/contract.py's operations")
            paths.setdefault(_path(rule), {})[method.lower()] = _operation(
                rule.endpoint, method, rule, spec)
    if described:
        raise LookupError(f"api/contract.py describes routes the app lacks: {sorted(described)}")
    return {
        "openapi": "3.1.0",
        "info": {"title": _("Wallchart API"), "version": VERSION, "description": _(
            "The investment projects of the board. Authenticate with an API token "
            "(Authorization: Bearer …) or the session cookie with the X-CSRFToken header on "
            "writes. Money is in 10,000 yuan (万元); dates are YYYY-MM-DD, Asia/Shanghai.")},
        "security": [{"bearer": []}, {"session": []}],
        "tags": [{"name": name} for name in _tags().values()],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "flask --app wsgi user token USERNAME"},
                "session": {"type": "apiKey", "in": "cookie",
                            "name": current_app.config["SESSION_COOKIE_NAME"]},
            },
            "schemas": {**_request_schemas(), **_response_schemas()},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/docs")
def docs():
    return render_template("api_docs.html", contract_url=url_for(".openapi"))
