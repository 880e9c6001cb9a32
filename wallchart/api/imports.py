"""``POST /api/imports``: a county's ledger (台账) brought onto the board by a script.

``multipart/form-data``: ``file`` (an .xlsx workbook or a CSV), ``dry_run`` (``1``/``true``: say
what the import would do and write nothing; ``0``/``false`` or absent: do it) and ``team`` (the
team of new projects whose row names none). Leads and administrators may import (the service
says so: others get 403). The answer is the plan: each row's action (``create``, ``update``,
``unchanged``, ``refused``), its changes and, if refused, every reason naming its row and column
(and, for a likely duplicate, the ids of the projects it resembles, ``duplicates``, and the
numbers of the earlier rows it resembles, ``duplicate_rows``); 200 when
done (or when only previewed), 422 with nothing written when any row is refused. A file that is
no ledger is 422 with the reason at ``fields.file``.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from wallchart.api.errors import api_blueprint
from wallchart.core.errors import Invalid
from wallchart.identity import readers_only
from wallchart.services import imports
from wallchart.services.ledger import LEDGER_MAX_BYTES, read_ledger
from wallchart.services.validation import refuse_unknown

bp = api_blueprint("api_imports", __name__)


@bp.url_value_preprocessor
def _ledger_sized(_endpoint, _values) -> None:
    """A ledger may be larger than the app's 1 MB a request. Raised here, before anything reads
    the body (the CSRF check does, as an app-wide ``before_request``)."""
    request.max_content_length = LEDGER_MAX_BYTES + FORM_ROOM


bp.before_request(readers_only)

#: What the form's other parts may add to the file's bytes.
FORM_ROOM = 64 * 1024
#: What ``dry_run`` may say (any case, blanks around it trimmed): yes, and no.
DRY_RUN_YES, DRY_RUN_NO = ("1", "true"), ("", "0", "false")


@bp.post("/imports")
def import_ledger():
    refuse_unknown(request.form, {"dry_run", "team"})
    upload = request.files.get("file")
    if upload is None:
        message = _("Choose the ledger file to import.")
        raise Invalid(message, {"file": message})
    dry_run = request.form.get("dry_run", "").strip().lower()
    if dry_run not in DRY_RUN_YES + DRY_RUN_NO:
        raise Invalid(_("Answer yes (true) or no (false)."), {"dry_run": _("Invalid.")})
    ledger = read_ledger(upload.stream)
    run = imports.preview if dry_run in DRY_RUN_YES else imports.apply
    plan = run(current_user, ledger, request.form.get("team") or None)
    return jsonify(
        written=plan.written, counts=plan.counts,
        columns=[{"letter": column.letter, "header": column.header, "field": column.field}
                 for column in plan.columns],
        rows=[{"row": row.number, "action": row.action, "name": row.name,
               "project_id": row.project_id, "changes": row.changes, "reasons": row.reasons,
               "duplicates": row.duplicates, "duplicate_rows": row.duplicate_rows}
              for row in plan.rows],
    ), 422 if plan.refused else 200
