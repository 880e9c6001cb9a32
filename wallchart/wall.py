"""The wall display: read-only, signed in by its display token, never by a person.

Its URL may carry the board's filters (``/wall?token=…&county=鹤城区``), so that a screen
shows one county or one team; there is no "me" on a wall.

A display's profile decides what its screen may receive: ``lobby`` renders confidential
projects without investor and amount (``redact``), in the page, the fragments it fetches and the
live push alike. Its views rotate on the schedule the display carries, read at load.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from . import filters, wall_summary, wall_views
from .build import build_id
from .models import DisplayToken
from .services import accounts
from .vocabulary import DISPLAY_VIEWS

bp = Blueprint("wall", __name__, url_prefix="/wall")


def _display_or_refusal():
    display = accounts.display_for_token(request.args.get("token"))
    if display is None:
        return None, (render_template("wall_refused.html"), 403)
    return display, None


#: Filters that read what a lobby screen must not know (a confidential project's amount, its
#: investor): refused there, or the cards they keep would tell it.
LOBBY_REFUSED = ("billion", "three500", "q")


def _board(display: DisplayToken) -> tuple[dict, int]:
    """The columns as the URL's filter and the display's profile allow, and the status."""
    redact = display.profile == "lobby"
    if redact and any(request.args.get(name) for name in LOBBY_REFUSED):
        shown = filters.refused(_("A lobby screen cannot filter by amount, Three-500 or "
                                  "investor: they would reveal confidential projects."))
    else:
        shown = filters.screen(request.args, None)
    return {**shown.context("wall", redact=redact), "redact": redact}, shown.status


@bp.get("")
def index():
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    board, status = _board(display)
    summary = wall_summary.read(display.profile)
    return render_template("wall.html", display=display, views=DISPLAY_VIEWS,
                           build=build_id(), settings_key=accounts.display_settings_key(display),
                           **board, **wall_summary.context(summary)), status


@bp.get("/columns")
def columns():
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    board, status = _board(display)
    return render_template("partials/columns.html", **board), status


@bp.get("/summary")
def summary():
    """The header's indicators and the ticker, for a wall that was offline (or at midnight)."""
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    header, ticker = wall_summary.render(wall_summary.read(display.profile))
    return header + ticker


@bp.get("/views/<name>")
def view(name: str):
    """One of the rotating views other than the board, as a fragment for the view area."""
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    if name not in DISPLAY_VIEWS or name == "board":
        abort(404)
    return render_template(f"partials/wall_{name}.html",
                           **wall_views.view_context(name, display.profile))
