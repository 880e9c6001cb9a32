"""The wall display: read-only, signed in by its display token, never by a person."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from . import queries
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
    return render_template("wall.html", display=display, columns=queries.board_columns(),
                           revision=queries.board_revision(), view="wall")


@bp.get("/columns")
def columns():
    display, refusal = _display_or_refusal()
    if refusal:
        return refusal
    return render_template("partials/columns.html", columns=queries.board_columns(),
                           revision=queries.board_revision(), view="wall")
