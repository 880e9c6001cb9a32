"""A project's documents: the evidence behind its figures (签约协议, 营业执照, 到位凭证, 其他).

Members of the project's team (its lead and administrators too) add one; its lead or an
administrator removes one, giving a reason. Each is an entry of the project's history and is
announced like every change. A removed document stays in its table and its file stays in the
folder: the record keeps what was shown, and when.

Rules, said once here: a file is a PDF, a PNG or a JPEG, told by its first bytes (never by its
name, which a person chooses), of at most ``MAX_BYTES``; it is stored under a random id in the
documents folder, never under the name it came with. Only the project's team, leads and
administrators may read one back: no wall, lobby or display token ever does.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.models import Project, ProjectDocument, User, utcnow
from wallchart.core.vocabulary import DOCUMENT_KINDS
from wallchart.extensions import db
from wallchart.services import teams
from wallchart.services.changes import board_change
from wallchart.services.project_steps import (
    authorize,
    check_version,
    load_project,
    record_event,
    require_active,
)
from wallchart.services.validation import clean_text, refuse_if, required_reason

MAX_BYTES = 10 * 1024 * 1024
FILENAME_MAX = 200

#: The types accepted, by the bytes each file of the type begins with, and its names' endings.
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)


def folder() -> Path:
    """The documents folder (``WALLCHART_DOCUMENTS_FOLDER``), made on first use."""
    path = Path(current_app.config["DOCUMENTS_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def may_add(user: User, project: Project) -> bool:
    """Whether ``user`` sees the form to add a document to ``project``."""
    return (user.is_authenticated and user.can("add_documents") and project.on_board
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def may_remove(user: User, project: Project) -> bool:
    """Whether ``user`` sees the forms to remove ``project``'s documents."""
    return (user.is_authenticated and user.can("remove_documents") and project.on_board
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def may_read(user: User, project: Project) -> bool:
    """Whether ``user`` may list and download ``project``'s documents: its team, every lead and
    administrator; an active person only (a display token is no user and never may)."""
    return (isinstance(user, User) and user.active
            and (user.role in ("admin", "lead") or project.team_id in teams.team_ids(user)))


def content_type(content: bytes) -> tuple[str, tuple[str, ...]] | None:
    """The type of ``content`` and its names' endings, read from its first bytes; ``None`` for
    any type not accepted."""
    for signature, kind, endings in SIGNATURES:
        if content.startswith(signature):
            return kind, endings
    return None


def _filename(value: Any, endings: tuple[str, ...], errors: dict[str, str]) -> str:
    """The name the file is offered back under: the uploaded one without its folders, ending
    as its content says (a ``.pdf`` that is a PNG is downloaded as ``….pdf.png``)."""
    name = value.replace("\\", "/").rsplit("/", 1)[-1] if isinstance(value, str) else value
    name = clean_text(name, "file", errors, limit=FILENAME_MAX)
    if not endings or name.lower().endswith(endings):
        return name
    name = name or _("document")
    return f"{name}{endings[0]}"


def _check_file(kind: Any, filename: Any, content: Any) -> dict[str, Any]:
    """The document's kind, name and type, every fault gathered."""
    errors: dict[str, str] = {}
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = _("Choose what kind of document this is.")
    found = None
    if not isinstance(content, bytes) or not content:
        errors["file"] = _("Choose a file to upload.")
    elif len(content) > MAX_BYTES:
        errors["file"] = _("The file is larger than %(size)s.", size=f"{MAX_BYTES // 2**20} MB")
    elif (found := content_type(content)) is None:
        errors["file"] = _("Only PDF, PNG and JPEG files are accepted; this file is none of "
                           "them.")
    name = _filename(filename, found[1] if found else (), errors)
    refuse_if(errors)
    return {"kind": kind, "filename": name, "content_type": found[0]}


def _stored(document: ProjectDocument) -> dict[str, Any]:
    """What the history writes of a document."""
    return {"document": document.id, "kind": document.kind, "filename": document.filename}


def add_document(actor: User | None, project_id: int, kind: Any, filename: Any,
                 content: Any) -> ProjectDocument:
    """Keep a document with a project of the actor's team: its file written under a random id
    before the row that names it, and taken away again unless that row was committed."""
    actor_id = authorize(actor, "add_documents")
    clean = _check_file(kind, filename, content)
    stored_name = secrets.token_hex(16)
    path = folder() / stored_name
    partial = path.with_suffix(".partial")
    try:
        with board_change() as change:
            project = load_project(actor, project_id)
            require_active(project)
            partial.write_bytes(content)
            os.replace(partial, path)
            document = ProjectDocument(project=project, stored_name=stored_name,
                                       size_bytes=len(content), uploaded_by_id=actor_id,
                                       **clean)
            db.session.add(document)
            db.session.flush()
            project.updated_at = utcnow()
            record_event(project, actor_id, "document_added", change.revision,
                         changes=_stored(document))
            change.announce(project, "document_added")
    except BaseException:
        if _row_of(stored_name) is None:
            for leftover in (path, partial):
                with suppress(FileNotFoundError):
                    leftover.unlink()
        raise
    return document


def remove_document(actor: User | None, document_id: Any, version: Any,
                    reason: Any) -> ProjectDocument:
    """Take a document off a project (its lead's or an administrator's), saying why; the row
    and the file stay, for the history."""
    actor_id = authorize(actor, "remove_documents")
    reason = required_reason(reason)
    with board_change() as change:
        document = find_document(document_id)
        if document is None or document.removed_at is not None:
            raise NotFound(_("No such document."))
        project = document.project
        teams.check_access(actor, project)
        require_active(project)
        check_version(document, version, _("Someone else changed this document meanwhile. "
                                           "The list now shows its current state."))
        if document.kind == "agreement" and project.signing_verified_at is not None \
                and _agreements(project.id) == 1:
            raise Invalid(_("This agreement verifies the signing: withdraw the verification "
                            "first."))
        document.removed_at = utcnow()
        document.removed_by_id = actor_id
        document.removed_reason = reason
        project.updated_at = utcnow()
        record_event(project, actor_id, "document_removed", change.revision,
                     changes=_stored(document), reason=reason)
        change.announce(project, "document_removed")
    return document


def _row_of(stored_name: str) -> int | None:
    """The id of the committed row naming a stored file, if any (asked after a failure)."""
    db.session.rollback()
    return db.session.execute(select(ProjectDocument.id).where(
        ProjectDocument.stored_name == stored_name)).scalar()


def find_document(document_id: Any) -> ProjectDocument | None:
    """The document as stored (removed or not), unless its project was deleted."""
    document = None
    if isinstance(document_id, int) and not isinstance(document_id, bool):
        document = db.session.get(ProjectDocument, document_id)
    return document if document and document.project.deleted_at is None else None


def readable(actor: User, document_id: Any) -> tuple[ProjectDocument, Path]:
    """The document ``actor`` asks to download, and its file: refused as not found to anyone
    who may not read it (so that its existence is not told either), or once removed."""
    document = find_document(document_id)
    if document is None or document.removed_at is not None:
        raise NotFound(_("No such document."))
    if not may_read(actor, document.project):
        raise Forbidden(_("Only the project's team, leads and administrators may read its "
                          "documents."))
    path = folder() / document.stored_name
    if not path.is_file():
        raise NotFound(_("The file of this document is missing from the documents folder."))
    return document, path


def documents_of(project_id: int) -> list[ProjectDocument]:
    """A project's documents not removed, the latest first, who uploaded each joined in."""
    return list(db.session.execute(
        select(ProjectDocument).options(joinedload(ProjectDocument.uploaded_by))
        .where(ProjectDocument.project_id == project_id, ProjectDocument.removed_at.is_(None))
        .order_by(ProjectDocument.uploaded_at.desc(), ProjectDocument.id.desc())).scalars())


def _agreements(project_id: int) -> int:
    """How many signed agreements (签约协议) are attached to the project, not removed."""
    return db.session.execute(
        select(func.count()).where(ProjectDocument.project_id == project_id,
                                   ProjectDocument.kind == "agreement",
                                   ProjectDocument.removed_at.is_(None))).scalar_one()


def has_agreement(project_id: int) -> bool:
    """Whether a signed agreement (签约协议) is attached to the project: what a signing is
    verified against."""
    return _agreements(project_id) > 0
