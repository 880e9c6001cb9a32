"""Administration pages: users, teams, counties, wall displays, the teams' webhooks and the
audit log.

Plain forms: a change posts, then redirects with a message (Post/Redirect/Get); a refused change
renders its page again with the reason beside the form, status 422, and nothing saved. The
services decide and audit; these views only parse the form and choose the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wallchart.core.errors import Invalid
from wallchart.core.models import County, Team, User
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import (
    AUDIT_ACTIONS,
    COUNTY_KINDS,
    DEFAULT_HEADER_FIGURES,
    DISPLAY_PROFILES,
    DISPLAY_VIEWS,
    HEADER_FIGURES,
    WEBHOOK_EVENTS,
    WEBHOOK_KINDS,
)
from wallchart.extensions import db
from wallchart.identity import bearer_token
from wallchart.reads import queries
from wallchart.services import accounts, targets, teams, webhooks

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _administrators_only():
    """Administrators at a browser only: everyone else gets 403, and so does an API token, even
    an administrator's (scripts administer through the command line, where a leaked token
    cannot reach)."""
    if bearer_token() is not None or not current_user.can("admin"):
        abort(403)


@bp.context_processor
def _vocabulary():
    return {"COUNTY_KINDS": COUNTY_KINDS, "AUDIT_ACTIONS": AUDIT_ACTIONS}


def _row(model, row_id: int):
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    return row


def _done(message: str, endpoint: str, **values):
    flash(message)
    return redirect(url_for(endpoint, **values))


# --- users ------------------------------------------------------------------------------------

@bp.get("")
def index():
    return redirect(url_for(".users"))


def _users_page(error: Invalid | None = None):
    return render_template("admin/users.html", users=accounts.users_with_teams(), error=error,
                           teams=queries.teams(), values=request.form), \
        error.status if error else 200


@bp.get("/users")
def users():
    return _users_page()


@bp.post("/users")
def create_user():
    form = request.form
    try:
        created = accounts.create_user(current_user, form.get("username"),
                                       form.get("password"), form.get("role"),
                                       form.get("display_name", ""), form.get("team"))
    except Invalid as error:
        return _users_page(error)
    return _done(_("User %(name)s created.", name=created.username), ".user", user_id=created.id)


def _user_page(user_id: int, failed: str = "", error: Invalid | None = None):
    """One user's page; ``failed`` names the form whose refusal ``error`` is shown beside."""
    person = _row(User, user_id)
    return render_template("admin/user.html", person=person,
                           teams=teams.team_names(person), tokens=accounts.api_tokens_of(person),
                           failed=failed, error=error), error.status if error else 200


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(user_id)


def _user_action(user_id: int, form_name: str, service, *args, done: str):
    try:
        service(current_user, _row(User, user_id).username, *args)
    except Invalid as error:
        return _user_page(user_id, form_name, error)
    return _done(done, ".user", user_id=user_id)


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    return _user_action(user_id, "role", accounts.change_role, request.form.get("role"),
                        done=_("The role is changed."))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """The form's "also revoke API tokens" box comes checked: a reset often follows a leak."""
    return _user_action(user_id, "password", accounts.set_password, request.form.get("password"),
                        bool(request.form.get("revoke_tokens")),
                        done=_("The password is reset."))


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_api_token(user_id: int, token_id: int):
    return _user_action(user_id, "tokens", accounts.revoke_api_token, token_id,
                        done=_("The API token is revoked."))


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    return _user_action(user_id, "active", accounts.disable_user,
                        done=_("The user can no longer sign in."))


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    return _user_action(user_id, "active", accounts.enable_user,
                        done=_("The user can sign in again."))


# --- teams ------------------------------------------------------------------------------------

def _teams_page(error: Invalid | None = None):
    return render_template("admin/teams.html", teams=teams.teams_with_people(),
                           people=queries.assignable_users(), error=error,
                           values=request.form), error.status if error else 200


@bp.get("/teams")
def teams_list():
    return _teams_page()


@bp.post("/teams")
def create_team():
    form = request.form
    try:
        created = teams.create_team(current_user, form.get("name"), form.get("lead") or None)
    except Invalid as error:
        return _teams_page(error)
    return _done(_("Team %(name)s created.", name=created.name), ".team", team_id=created.id)


def _team_page(team_id: int, failed: str = "", error: Invalid | None = None):
    return render_template("admin/team.html", team=_row(Team, team_id),
                           people=queries.assignable_users(), failed=failed,
                           error=error), error.status if error else 200


@bp.get("/teams/<int:team_id>")
def team(team_id: int):
    return _team_page(team_id)


def _team_action(team_id: int, form_name: str, service, *args, done: str):
    try:
        service(current_user, _row(Team, team_id).name, *args)
    except Invalid as error:
        return _team_page(team_id, form_name, error)
    return _done(done, ".team", team_id=team_id)


@bp.post("/teams/<int:team_id>/lead")
def set_lead(team_id: int):
    return _team_action(team_id, "lead", teams.set_lead, request.form.get("lead") or None,
                        done=_("The team's lead is changed."))


@bp.post("/teams/<int:team_id>/members")
def add_member(team_id: int):
    return _team_action(team_id, "add", teams.add_members, request.form.getlist("user"),
                        done=_("The team's members are changed."))


@bp.post("/teams/<int:team_id>/members/remove")
def remove_member(team_id: int):
    return _team_action(team_id, "remove", teams.remove_member, request.form.get("user", ""),
                        done=_("The team's members are changed."))


# --- counties, districts and zones ------------------------------------------------------------

def _counties_page(error: Invalid | None = None):
    return render_template("admin/counties.html", counties=accounts.counties_in_use(),
                           error=error, values=request.form), error.status if error else 200


@bp.get("/counties")
def counties():
    return _counties_page()


@bp.post("/counties")
def add_county():
    form = request.form
    try:
        added = accounts.add_county(current_user, form.get("name"), form.get("kind"))
    except Invalid as error:
        return _counties_page(error)
    return _done(_("%(name)s added.", name=added.name), ".counties")


def _county_page(county_id: int, failed: str = "", error: Invalid | None = None):
    row = _row(County, county_id)
    return render_template("admin/county.html", county=row,
                           used=dict(accounts.counties_in_use())[row], failed=failed,
                           error=error, values=request.form), error.status if error else 200


@bp.get("/counties/<int:county_id>")
def county(county_id: int):
    return _county_page(county_id)


@bp.post("/counties/<int:county_id>/rename")
def rename_county(county_id: int):
    try:
        renamed = accounts.rename_county(current_user, county_id, request.form.get("name"))
    except Invalid as error:
        return _county_page(county_id, "rename", error)
    return _done(_("Renamed to %(name)s.", name=renamed.name), ".county", county_id=county_id)


@bp.post("/counties/<int:county_id>/delete")
def delete_county(county_id: int):
    try:
        deleted = accounts.delete_county(current_user, county_id)
    except Invalid as error:
        return _county_page(county_id, "delete", error)
    return _done(_("%(name)s deleted.", name=deleted.name), ".counties")


# --- annual targets per county ---------------------------------------------------------------

def _targets_page(year: int, error: Invalid | None = None):
    """Every county's targets for ``year`` in one form; after a refusal, what was typed."""
    return render_template("admin/targets.html", year=year, rows=targets.targets_of(year),
                           fields=targets.LABELS, error=error,
                           values=request.form if error else {}), error.status if error else 200


@bp.get("/targets")
def targets_list():
    return _targets_page(targets.check_year(request.args.get("year") or today().year))


@bp.post("/targets")
def set_targets():
    """The whole table at once: its inputs are named ``FIELD.COUNTY_ID``."""
    form = request.form
    year = form.get("year", "")
    values: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        name, _dot, county_id = key.rpartition(".")
        if name and county_id.isascii() and county_id.isdigit() and len(county_id) < 10:
            values.setdefault(int(county_id), {})[name] = value
    try:
        targets.set_targets(current_user, year, values)
    except Invalid as error:
        return _targets_page(targets.check_year(year), error)
    return _done(_("The targets for %(year)s are saved.", year=year), ".targets_list",
                 year=year)


# --- wall displays ----------------------------------------------------------------------------

def _displays_page(error: Invalid | None = None, wall_url: str | None = None,
                   failed: int | None = None):
    """``failed``: the display whose settings form was refused (0: the new display's form)."""
    displays = accounts.display_tokens()
    return render_template("admin/displays.html", displays=displays,
                           online={d.id for d in displays if accounts.display_online(d)},
                           error=error, values=request.form if error else {},
                           wall_url=wall_url, failed=failed, profiles=DISPLAY_PROFILES,
                           views=DISPLAY_VIEWS, header_figures=HEADER_FIGURES,
                           defaults=DEFAULT_HEADER_FIGURES), error.status if error else 200


def _display_settings_form() -> dict:
    """Profile, views, seconds per view and header figures, when the form carries them: the
    views and figures are its "1st…", "2nd…" choices in order, those left at "—" skipped."""
    form = request.form
    if "profile" not in form:
        return {}
    settings = {"profile": form.get("profile"), "views": [v for v in form.getlist("views") if v],
                "rotate_seconds": form.get("rotate_seconds", "")}
    if "header_figures" in form:
        settings["header_figures"] = [v for v in form.getlist("header_figures") if v]
    return settings


@bp.get("/displays")
def displays():
    return _displays_page()


@bp.post("/displays")
def create_display():
    """The new wall's link is shown on this answer and nowhere else: only the token's digest
    is stored, and the answer is not cached (so no Post/Redirect/Get here)."""
    try:
        token = accounts.create_display_token(current_user, request.form.get("name"),
                                              _display_settings_form())
    except Invalid as error:
        return _displays_page(error, failed=0)
    body, status = _displays_page(wall_url=f"{request.host_url}wall?token={token}")
    return body, status, {"Cache-Control": "no-store"}


@bp.post("/displays/<int:token_id>/settings")
def update_display(token_id: int):
    try:
        updated = accounts.update_display(current_user, token_id, _display_settings_form())
    except Invalid as error:
        return _displays_page(error, failed=token_id)
    return _done(_("The display %(name)s will show its new settings within seconds.",
                   name=updated.name), ".displays")


@bp.post("/displays/<int:token_id>/revoke")
def revoke_display(token_id: int):
    revoked = accounts.revoke_display_token(current_user, token_id)
    return _done(_("The display %(name)s is switched off: its link no longer opens the wall.",
                   name=revoked.name), ".displays")


# --- the teams' webhooks (group chat bots) ----------------------------------------------------

def _webhooks_page(error: Invalid | None = None):
    return render_template("admin/webhooks.html", hooks=webhooks.webhooks(),
                           log=webhooks.deliveries(), teams=teams.teams_with_people(),
                           kinds=WEBHOOK_KINDS, events=WEBHOOK_EVENTS, masked=webhooks.masked,
                           error=error, values=request.form if error else {}
                           ), error.status if error else 200


@bp.get("/webhooks")
def webhooks_page():
    return _webhooks_page()


@bp.post("/webhooks")
def add_webhook():
    form = request.form
    try:
        webhooks.add_webhook(current_user, form.get("team", ""), form.get("url", ""),
                             form.get("kind", ""), form.get("secret", ""),
                             form.getlist("events"), form.get("lobby_safe") == "1")
    except Invalid as error:
        return _webhooks_page(error)
    return _done(_("The webhook is added: the team's chat hears of its projects."),
                 ".webhooks_page")


@bp.post("/webhooks/<int:webhook_id>/remove")
def remove_webhook(webhook_id: int):
    webhooks.remove_webhook(current_user, webhook_id)
    return _done(_("The webhook is removed."), ".webhooks_page")


# --- the audit log ----------------------------------------------------------------------------

@bp.get("/audit")
def audit():
    action = request.args.get("action", "")
    actor = request.args.get("actor", "")
    number = request.args.get("page", "1")
    # Page 0 would be a negative OFFSET: SQLite reads it as none, PostgreSQL refuses it.
    page = int(number) if number.isascii() and number.isdigit() and 0 < len(number) < 7 \
        and int(number) > 0 else 1
    entries, more = accounts.audit_page(action, actor, page)
    return render_template("admin/audit.html", entries=entries, more=more, page=page,
                           action=action, actor=actor, actors=accounts.audit_actors(),
                           console=accounts.CONSOLE, profiles=DISPLAY_PROFILES,
                           views=DISPLAY_VIEWS, target_labels=targets.LABELS)
