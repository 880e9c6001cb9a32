"""The fixed vocabularies of the wall: stages, sectors, roles and county kinds.

Keys are stable (code, API, database); labels go through gettext so each screen reads its language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGES: dict[str, object] = {
    "contact": _l("Contact"),
    "negotiating": _l("Negotiating"),
    "signed": _l("Signed"),
    "started": _l("Construction started"),
    "producing": _l("Completed & producing"),
}

SECTORS: dict[str, object] = {
    "industry": _l("Industry"),
    "agriculture": _l("Modern agriculture"),
    "tourism": _l("Cultural tourism"),
    "services": _l("Modern services"),
}

ROLES: dict[str, object] = {
    "admin": _l("Administrator"),
    "lead": _l("Team lead"),
    "member": _l("Member"),
    "viewer": _l("Viewer"),
}

COUNTY_KINDS: dict[str, object] = {
    "district": _l("District"),
    "county": _l("County"),
    "city": _l("County-level city"),
    "zone": _l("Zone"),
}

#: What each role may do to projects; checked by the services, shown by the templates.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "create", "edit", "move", "assign", "delete", "admin"}),
    "lead": frozenset({"read", "create", "edit", "move", "assign", "delete"}),
    "member": frozenset({"read", "create", "edit", "move"}),
    "viewer": frozenset({"read"}),
}

FIELD_LABELS: dict[str, object] = {
    "name": _l("Project name"),
    "investor": _l("Investor"),
    "investment_wan": _l("Investment"),
    "county": _l("County / district"),
    "sector": _l("Sector"),
    "team": _l("Team"),
    "owner": _l("Owner"),
}

#: What the audit log records (keys are stored), as the log page names them.
AUDIT_ACTIONS: dict[str, object] = {
    "user.create": _l("User created"),
    "user.disable": _l("User disabled"),
    "user.enable": _l("User re-enabled"),
    "user.role": _l("Role changed"),
    "user.password_reset": _l("Password reset"),
    "user.api_token": _l("API token issued"),
    "password.change": _l("Own password changed"),
    "team.create": _l("Team created"),
    "team.lead": _l("Team lead changed"),
    "team.add_member": _l("Members added"),
    "team.remove_member": _l("Member removed"),
    "county.add": _l("County added"),
    "county.rename": _l("County renamed"),
    "county.delete": _l("County deleted"),
    "display.create": _l("Display created"),
    "display.revoke": _l("Display revoked"),
}
