"""Verified signings (核实): a lead (or an administrator) marks that a project's signing was
checked against its signed agreement, attached to the project as a document; the indicators
then say how many of the signings they count were verified, so that the figures sent to the
city can say so. Withdrawn with a reason; both are entries of the project's history.

Rules, said once here: only a signed (or later) project's signing is verified, and only while a
signed agreement (签约协议) is attached; that agreement cannot be removed while it verifies the
signing (the verification is withdrawn first, with its own reason).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from wallchart.core.errors import Invalid
from wallchart.core.models import Project, User, utcnow
from wallchart.services import documents, teams
from wallchart.services.changes import board_change
from wallchart.services.project_steps import (
    authorize,
    check_version,
    load_project,
    record_event,
    require_active,
)
from wallchart.services.validation import required_reason


def may_verify(user: User, project: Project) -> bool:
    """Whether ``user`` sees the controls to verify ``project``'s signing or withdraw it."""
    return (user.is_authenticated and user.can("verify_signings") and project.on_board
            and project.signed_on is not None
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def _project(actor: User, project_id: Any, version: Any) -> Project:
    project = load_project(actor, project_id)
    require_active(project)
    check_version(project, version)
    return project


def verify_signing(actor: User | None, project_id: Any, version: Any) -> Project:
    """Mark the signing verified against the attached agreement."""
    actor_id = authorize(actor, "verify_signings")
    with board_change() as change:
        project = _project(actor, project_id, version)
        if project.signed_on is None:
            raise Invalid(_("Only a signed project's signing can be verified."))
        if project.signing_verified_at is not None:
            raise Invalid(_("This signing is verified already."))
        if not documents.has_agreement(project.id):
            raise Invalid(_("Attach the signed agreement (签约协议) first: a signing is "
                            "verified against it."))
        project.signing_verified_at = utcnow()
        project.signing_verified_by_id = actor_id
        record_event(project, actor_id, "verified", change.revision, changes={})
        change.announce(project, "verified")
    return project


def unverify_signing(actor: User | None, project_id: Any, version: Any, reason: Any) -> Project:
    """Withdraw the verification of the signing, saying why."""
    actor_id = authorize(actor, "verify_signings")
    reason = required_reason(reason)
    with board_change() as change:
        project = _project(actor, project_id, version)
        if project.signing_verified_at is None:
            raise Invalid(_("This signing is not verified."))
        project.signing_verified_at = None
        project.signing_verified_by_id = None
        record_event(project, actor_id, "unverified", change.revision, changes={},
                     reason=reason)
        change.announce(project, "unverified")
    return project
