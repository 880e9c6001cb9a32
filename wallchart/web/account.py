"""A signed-in person's own account: changing his password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wallchart.core.errors import Invalid
from wallchart.identity import bearer_token
from wallchart.services import accounts

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _signed_in_at_a_browser():
    """A person at a browser: an API token must not be turned into a password."""
    if bearer_token() is not None:
        abort(403)


@bp.route("/password", methods=["GET", "POST"])
def password():
    if request.method == "POST":
        form = request.form
        try:
            accounts.change_own_password(current_user, form.get("current"), form.get("new"),
                                         form.get("repeat"), keep_session=session.get("sid"))
        except Invalid as error:
            return render_template("account/password.html", error=error), error.status
        flash(_("Your password is changed."))
        return redirect(url_for("board.index"))
    return render_template("account/password.html", error=None)
