"""Language: Simplified Chinese unless the person chose English."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, request, session, url_for

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request:
        chosen = request.args.get("lang") if request.path.startswith("/wall") else None
        chosen = chosen or session.get("lang")
        if chosen in languages:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.post("/language")
def choose_language():
    """Remember the chosen language in the session and go back to where the switch was."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    back = request.form.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("board.index")
    return redirect(back)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
