"""The wall display: read-only, signed in by its display token, never by a person.

Its URL may carry the board's filters (``/wall?token=…&county=鹤城区``), so that a screen
shows one county or one team; there is no "me" on a wall.

A display's profile decides what its screen may receive: ``lobby`` renders confidential
projects without investor and amount (``redact``), in the page, the fragments it fetches and the
live push alike. Its views rotate on the schedule the display carries, read at load.
A lobby may filter only by what its cards show of every project (``filters.hidden_from_lobby``,
judged on the parsed filter for every route of the wall), and nothing it shows is ordered,
counted or totalled by a hidden value (``wall_views``, ``wall_summary``).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from markupsafe import Markup

from wallchart.core.build import build_id
from wallchart.core.models import DisplayToken
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import DISPLAY_VIEWS
from wallchart.reads import filters
from wallchart.reports import meeting_mode, wall_summary, wall_views
from wallchart.services import accounts

bp = Blueprint("wall", __name__, url_prefix="/wall")


def _display() -> DisplayToken | None:
    """The display the URL's one token names (a token given twice names none)."""
    tokens = request.args.getlist("token")
    return accounts.display_for_token(tokens[0]) if len(tokens) == 1 else None


@bp.before_request
def _admit():
    """Every route of the wall, any added later too: a display's token, and the URL's filter
    parsed once and judged under the display's profile (``filters.asked``: a lobby may filter
    only by what its cards show). A fragment that shows no cards refuses a refused filter all
    the same: one rule for every URL a wall can fetch."""
    display = _display()
    if display is None:
        return render_template("wall_refused.html"), 403
    g.display = display
    g.screen = filters.asked(request.args, None, lobby=display.profile == "lobby")
    return None


def _refusal() -> tuple[str, int] | None:
    """For a fragment other than the board: the refused filter's reason, or ``None``."""
    if g.screen.error:
        return render_template("partials/filter_refused.html", message=g.screen.error), 400
    return None


def _board() -> tuple[dict, int]:
    """The columns as the URL's filter and the display's profile allow, and the status."""
    redact = g.display.profile == "lobby"
    shown = g.screen.with_cards()
    return {**shown.context("wall", redact=redact), "redact": redact}, shown.status


def _meeting_html(display: DisplayToken) -> Markup | None:
    """Meeting mode: what of the meeting this display shows (as its profile allows), or
    ``None`` when it is not one of the walls the chair chose."""
    shown = meeting_mode.for_display(display, today())
    return Markup(render_template("partials/wall_meeting.html", **shown)) if shown else None


@bp.get("")
def index():
    display = g.display
    board, status = _board()
    summary = wall_summary.read(display.profile)
    return render_template("wall.html", display=display, views=DISPLAY_VIEWS,
                           meeting_html=_meeting_html(display),
                           build=build_id(), settings_key=accounts.display_settings_key(display),
                           **board, **wall_summary.context(summary, display.header_figures)), status


@bp.get("/columns")
def columns():
    board, status = _board()
    return render_template("partials/columns.html", **board), status


@bp.get("/summary")
def summary():
    """The header's indicators and the ticker, for a wall that was offline (or at midnight),
    and meeting mode's pane (the meeting it missed while away, or none)."""
    if refusal := _refusal():
        return refusal
    header, ticker = wall_summary.render(wall_summary.read(g.display.profile),
                                         g.display.header_figures)
    pane = render_template("partials/wall_meeting_pane.html",
                           meeting_html=_meeting_html(g.display))
    return header + ticker + pane


@bp.get("/views/<name>")
def view(name: str):
    """One of the rotating views other than the board, as a fragment for the view area."""
    if name not in DISPLAY_VIEWS or name == "board":
        abort(404)
    if refusal := _refusal():
        return refusal
    return render_template(f"partials/wall_{name}.html",
                           **wall_views.view_context(name, g.display.profile))
