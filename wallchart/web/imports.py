"""The import page (/board/import): a county's ledger (台账) brought onto the board in steps.

Upload (an .xlsx or a CSV; a file that is no ledger is said why, and nothing is kept) → the
columns, each with the field it was taken for, which the person confirms or changes → the
preview: what would be created, updated, left alone or refused, and why → on confirmation the
import, all or nothing. The upload waits between steps on disk (``ledger_uploads``), and the
step that runs writes its progress beside it, which the page polls (static/js/imports.js).
Leads and administrators only, as the import service says.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl.utils import get_column_letter
from werkzeug.exceptions import RequestEntityTooLarge

from wallchart.core.errors import Forbidden, Invalid
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import FIELD_LABELS
from wallchart.reports import ledger_template
from wallchart.services import imports, teams
from wallchart.services.imports import ImportPlan
from wallchart.services.ledger import (
    LEDGER_FIELDS,
    LEDGER_MAX_BYTES,
    Ledger,
    Sheet,
    UnreadableLedger,
    guess_mapping,
    load_sheet,
    parse_sheet,
)
from wallchart.web import ledger_uploads
from wallchart.web.downloads import XLSX, attachment
from wallchart.web.ledger_uploads import Upload
from wallchart.web.templating import history_value

bp = Blueprint("imports", __name__, url_prefix="/board/import")

#: What the upload form's other parts may add to the file's bytes.
FORM_ROOM = 64 * 1024
#: Sample values shown under each column's header on the mapping step.
SAMPLES = 3
#: Rows listed in each of the preview's tables of projects created or updated (a 10,000-row
#: ledger would make a page of megabytes); refused rows are all listed, with every reason.
LISTED_ROWS = 300


@bp.url_value_preprocessor
def _ledger_sized(endpoint, _values) -> None:
    """A ledger may be larger than the app's 1 MB a request: raised for the upload alone, here,
    before anything reads the body (the CSRF check does, as an app-wide ``before_request``)."""
    if endpoint == "imports.upload":
        request.max_content_length = LEDGER_MAX_BYTES + FORM_ROOM


@bp.before_request
@login_required
def _leads_only():
    """Leads and administrators import (it enters the dates of closed months)."""
    if not current_user.can("correct_dates"):
        raise Forbidden(_("Only a lead or an administrator may import a ledger."))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """A file over the limit is refused as the reader refuses it, on the page."""
    return _upload_page(UnreadableLedger("too_large", _too_large()))


def _too_large() -> str:
    return _("The file is larger than %(limit)d MB: split the ledger into smaller files.",
             limit=LEDGER_MAX_BYTES // (1024 * 1024))


def _upload_page(error: Invalid | None = None):
    return render_template("imports/upload.html", error=error, max_bytes=LEDGER_MAX_BYTES,
                           too_large=_too_large()), error.status if error else 200


@bp.get("")
def page():
    return _upload_page()


@bp.get("/template.xlsx")
def template():
    """The ledger's template: the fields the import reads, their headers, units and values."""
    day = today()
    body = ledger_template.workbook(list(LEDGER_FIELDS), day)
    return attachment(body, "import_template.xlsx", _("Import template") + ".xlsx", XLSX)


@bp.post("")
def upload():
    """Keep the file if it is a ledger we can read, and go on to its columns."""
    file = request.files.get("ledger")
    if file is None or not file.filename:
        message = _("Choose the ledger file to import.")
        return _upload_page(Invalid(message, {"file": message}))
    data = file.stream.read(LEDGER_MAX_BYTES + 1)
    try:
        load_sheet(data)
    except UnreadableLedger as error:
        return _upload_page(error)
    upload = ledger_uploads.store(current_user.id, file.filename, data)
    location = url_for("imports.mapping", token=upload.token)
    if request.accept_mimetypes.best == "application/json":  # the page's script sent it
        return jsonify(location=location), 201
    return redirect(location, 303)


def _sheet(upload: Upload) -> Sheet:
    upload.report("reading")
    return load_sheet(upload.data())


@bp.get("/<token>")
def mapping(token: str):
    """Each column: its letter, header, a few values, and the field it was taken for."""
    upload = ledger_uploads.find(current_user.id, token)
    sheet = _sheet(upload)
    return _mapping_page(upload, sheet, guess_mapping(sheet.headers))


def _mapping_page(upload: Upload, sheet: Sheet, chosen: dict[int, str | None],
                  error: Invalid | None = None, team: str = ""):
    columns = [{"index": index, "letter": _letter(index), "header": header,
                "field": chosen.get(index), "samples": _samples(sheet, index)}
               for index, header in enumerate(sheet.headers)]
    return render_template("imports/mapping.html", upload=upload, sheet=sheet, columns=columns,
                           fields=LEDGER_FIELDS, error=error,
                           errors=getattr(error, "fields", {}), team=team,
                           teams=teams.teams_of(current_user)), error.status if error else 200


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def _samples(sheet: Sheet, index: int) -> list[str]:
    """The first few values of a column, as text."""
    found = []
    for _number, cells in sheet.rows:
        value = cells[index] if index < len(cells) else None
        if value is None or str(value).strip() == "":
            continue
        if isinstance(value, datetime | date):
            value = value.strftime("%Y-%m-%d")
        found.append(str(value)[:40])
        if len(found) == SAMPLES:
            break
    return found


def _chosen(headers: list[str]) -> dict[int, str | None]:
    """The mapping the form sends (``column-N``: a field, or empty for "not imported"); an
    unknown field or a field given to two columns is refused at each column."""
    chosen: dict[int, str | None] = {}
    errors: dict[str, str] = {}
    for index in range(len(headers)):
        name = request.form.get(f"column-{index}", "").strip()
        if name and name not in LEDGER_FIELDS:
            errors[f"column-{index}"] = _("Unknown fields: %(names)s", names=name)
        chosen[index] = name or None
    for index, name in chosen.items():
        if name is not None and list(chosen.values()).count(name) > 1:
            errors[f"column-{index}"] = _("Only one column may hold %(field)s.",
                                          field=str(LEDGER_FIELDS[name]))
    if errors:
        raise Invalid(_("Correct the columns marked below."), errors)
    return chosen


def _run(token: str, write: bool):
    """Read the upload by the person's mapping and preview it, or import it."""
    upload = ledger_uploads.find(current_user.id, token)
    sheet = _sheet(upload)
    team = request.form.get("team", "").strip()
    try:
        chosen = _chosen(sheet.headers)
    except Invalid as error:
        given = {index: request.form.get(f"column-{index}") or None
                 for index in range(len(sheet.headers))}
        return _mapping_page(upload, sheet, given, error, team)
    ledger = parse_sheet(sheet, chosen)
    allow_duplicates = request.form.get("allow_duplicates") == "1"
    phase = "writing" if write else "checking"
    run = imports.apply if write else imports.preview
    plan = run(current_user, ledger, team or None, allow_duplicates,
               progress=lambda done, total: upload.report(phase, done, total))
    upload.report("done")
    if plan.written:
        upload.remove()
        return render_template("imports/result.html", plan=plan, rows=_rows(plan, ledger),
                               listed=LISTED_ROWS)
    return render_template(
        "imports/preview.html", upload=upload, plan=plan, rows=_rows(plan, ledger),
        listed=LISTED_ROWS,
        chosen=chosen, team=team, allow_duplicates=allow_duplicates,
        duplicates={row.number for row in plan.refused if row.resembles}, tried=write,
    ), 422 if plan.refused and write else 200


@bp.post("/<token>/preview")
def preview(token: str):
    return _run(token, write=False)


@bp.post("/<token>/apply")
def apply(token: str):
    return _run(token, write=True)


@bp.get("/<token>/progress")
def progress(token: str):
    """How far the running step is: ``{"phase", "done", "total"}`` (the page's progress bar)."""
    return jsonify(ledger_uploads.find(current_user.id, token).progress())


def _rows(plan: ImportPlan, ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """The plan's rows by action, each with its changes as a person reads them."""
    by_action: dict[str, list[dict[str, Any]]] = {action: [] for action in imports.ACTIONS}
    for row in plan.rows:
        lines = []
        if row.action in ("create", "update") and \
                len(by_action[row.action]) >= LISTED_ROWS:
            by_action[row.action].append({"row": row, "lines": []})  # counted, not shown
            continue
        for name, value in row.changes.items():
            label = str(FIELD_LABELS.get(name, LEDGER_FIELDS.get(name, name)))
            if row.action == "update":
                old, new = value
                lines.append(_("%(field)s: %(old)s → %(new)s", field=label,
                               old=history_value(name, old), new=history_value(name, new)))
            elif value not in (None, "", False) and name != "name":  # named beside
                lines.append(_("%(field)s: %(value)s", field=label,
                               value=history_value(name, value)))
        by_action[row.action].append({"row": row, "lines": lines})
    return by_action
