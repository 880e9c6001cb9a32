"""The wall display: read-only, signed in by its display token, never by a person.

Its URL may carry the board's filters (``/wall?token=…&county=鹤城区``), so that a screen
shows one county or one team; there is no "me" on a wall.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from . import filters
from .services import accounts

bp = Blueprint("wall", __name__, url_prefix="/wall")


def _display_or_refusal():
    display = accounts.display_for_token(request.args.get("token"))
    if display is None:
        return None, (render_template("wall_refused.html"), 403)
    return display, None


@bp.get("")
def index():
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    shown = filters.screen(request.args, None)
    return render_template("wall.html", display=display, **shown.context("wall")), \
        shown.status


@bp.get("/columns")
def columns():
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    shown = filters.screen(request.args, None)
    return render_template("partials/columns.html", **shown.context("wall")), \
        shown.status
