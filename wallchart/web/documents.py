"""A project's documents in the browser: the panel's section (the list, the form to upload one,
a lead's removal with a reason, and the verification of the signing against its agreement) and
the download of one, as an attachment, to the project's team, leads and administrators only.
Each form swaps the section alone (htmx)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from wallchart.core.errors import NotFound, ServiceError
from wallchart.core.inputs import number_or_text
from wallchart.core.models import Project
from wallchart.core.vocabulary import DOCUMENT_KINDS
from wallchart.services import documents, verification
from wallchart.web.panel_sections import PanelSection

bp = Blueprint("documents", __name__)
#: Room in an upload's request for the form's other fields and the multipart framing.
FORM_ROOM = 64 * 1024


@bp.url_value_preprocessor
def _upload_sized(endpoint, values) -> None:
    """A document may be larger than the app's 1 MB a request: raised for the upload alone,
    here, before anything reads the body (the CSRF check does, as an app-wide
    ``before_request``)."""
    if endpoint == "documents.upload":
        request.max_content_length = documents.MAX_BYTES + FORM_ROOM


@bp.before_request
@login_required
def _signed_in():
    """Every answer here needs a signed-in user; the service checks what each role may do."""


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """A file over the limit is refused on the section, as the service refuses it."""
    project_id = request.view_args.get("project_id") if request.view_args else None
    message = _("The file is larger than %(size)s.", size=f"{documents.MAX_BYTES // 2**20} MB")
    if project_id is None:
        return message, 413
    return SECTION.answer(project_id, 413, form_message=message, form_errors={"file": message},
                    acting="upload")


@bp.app_template_global()
def may_add_documents(project: Project) -> bool:
    return documents.may_add(current_user, project)


@bp.app_template_global()
def may_remove_documents(project: Project) -> bool:
    return documents.may_remove(current_user, project)


@bp.app_template_global()
def may_verify_signing(project: Project) -> bool:
    return verification.may_verify(current_user, project)


@bp.app_template_global()
def may_read_documents(project: Project) -> bool:
    return documents.may_read(current_user, project)


def documents_of(project: Project) -> dict[str, Any]:
    """What the section shows: handed to its template, which queries nothing. Only those who
    may read the documents get their list."""
    listed = documents.documents_of(project.id) if documents.may_read(current_user, project) \
        else []
    return {"documents": listed, "document_kinds": DOCUMENT_KINDS,
            "has_agreement": any(document.kind == "agreement" for document in listed)}


SECTION = PanelSection("partials/project_documents.html", documents_of)


@bp.get("/board/projects/<int:project_id>/documents")
def section(project_id: int):
    return SECTION.answer(project_id)


@bp.post("/board/projects/<int:project_id>/documents")
def upload(project_id: int):
    sent = request.files.get("file")
    content = sent.read(documents.MAX_BYTES + 1) if sent else None
    try:
        documents.add_document(current_user, project_id, request.form.get("kind", ""),
                               sent.filename if sent else None, content)
    except ServiceError as error:
        return SECTION.refused(project_id, error, acting="upload")
    return SECTION.answer(project_id)


def _version() -> int | str:
    return number_or_text(request.form.get("version", ""))


@bp.post("/board/documents/<int:document_id>/remove")
def remove(document_id: int):
    document = documents.find_document(document_id)
    if document is None:
        raise NotFound(_("No such document."))
    try:
        documents.remove_document(current_user, document_id, _version(),
                                  request.form.get("reason", ""))
    except ServiceError as error:
        return SECTION.refused(document.project_id, error, acting=f"remove:{document_id}")
    return SECTION.answer(document.project_id)


@bp.post("/board/projects/<int:project_id>/verify")
def verify_signing(project_id: int):
    try:
        verification.verify_signing(current_user, project_id, _version())
    except ServiceError as error:
        return SECTION.refused(project_id, error, acting="verify")
    return SECTION.answer(project_id)


@bp.post("/board/projects/<int:project_id>/unverify")
def unverify_signing(project_id: int):
    try:
        verification.unverify_signing(current_user, project_id, _version(),
                                      request.form.get("reason", ""))
    except ServiceError as error:
        return SECTION.refused(project_id, error, acting="unverify")
    return SECTION.answer(project_id)


@bp.get("/board/documents/<int:document_id>")
def download(document_id: int):
    """The file, always as an attachment under its type read at upload (never sniffed), kept
    out of shared caches."""
    document, path = documents.readable(current_user, document_id)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
