"""Who is asking: sign-in pages, the first-run setup link, and request identity.

Browsers carry a session cookie; scripts send ``Authorization: Bearer TOKEN``. A request that
carries a bearer token is judged by that token alone, never by a cookie that came along.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from wallchart.core.errors import ServiceError
from wallchart.core.models import User
from wallchart.extensions import limiter, login_manager
from wallchart.services import accounts, sessions
from wallchart.web import ratelimits

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see the board.")
    login_manager.session_protection = "basic"


def _sign_in(user: User) -> None:
    """A new session at sign-in: nothing from before survives but the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["sid"] = sessions.start(user.id)
    session["seen"] = int(time.time())
    login_user(user)


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("board.index")


@bp.route("/")
def home():
    if accounts.needs_setup():
        return render_template("setup_needed.html")
    return redirect(url_for("board.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        wait = ratelimits.sign_in_wait(username)
        if wait is not None:
            return render_template("login.html", error=ratelimits.wait_message(wait),
                                   username=username), 429, {"Retry-After": str(wait)}
        user = accounts.authenticate(username, password) if username and password else None
        if user is None:
            ratelimits.record_failed_sign_in(username)
            return render_template("login.html", error=_("Wrong username or password."),
                                   username=username), 401
        _sign_in(user)
        return redirect(_safe_next(request.args.get("next")))
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    return render_template("login.html", error=None, username="",
                           clear_outbox=session.pop("outbox_clear", None))


@bp.post("/logout")
def logout():
    # Read before the session ends: after, the session no longer names anybody.
    username = current_user.username if current_user.is_authenticated else None
    sessions.end(session.get("sid"), "signed_out")
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    if username:
        # The sign-in page it goes to deletes what this person left waiting on the device
        # (static/js/offline.js): changes made without a connection, not yet sent.
        session["outbox_clear"] = username
    flash(_("You have signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit(ratelimits.setup_limit, methods=["POST"])
def setup():
    """The one-time link printed on the console of a new install: create the first admin."""
    token = request.values.get("token", "")
    if not accounts.setup_token_valid(token):
        return render_template("setup_invalid.html"), 404
    if request.method == "POST":
        form = request.form
        errors = {}
        if form.get("password", "") != form.get("password2", ""):
            errors["password2"] = _("The two passwords differ.")
        else:
            try:
                user = accounts.complete_setup(token, form.get("username", ""),
                                               form.get("password", ""),
                                               form.get("display_name", ""))
            except ServiceError as error:
                errors = getattr(error, "fields", None) or {"username": error.message}
            else:
                _sign_in(user)
                return redirect(url_for("board.index"))
        return render_template("setup.html", token=token, errors=errors, values=form), 422
    return render_template("setup.html", token=token, errors={}, values={})


@login_manager.unauthorized_handler
def _unauthorized():
    from wallchart.web.error_pages import error_response

    if request.path.startswith("/api/"):
        return error_response(401, _("Please sign in or send a valid API token."))
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        body, status = error_response(401, _("Please sign in."))
        return body, status, {"HX-Redirect": login_url}
    flash(login_manager.login_message)
    return redirect(login_url)
