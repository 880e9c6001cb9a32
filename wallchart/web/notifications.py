"""The bell (/notifications): a person's notifications, newest first, a page at a time, read or
unread; mark one read (opening its project) or all. Every page's top bar shows the bell with the
unread count (``bell_count``), which the board keeps live over its socket (``realtime.notices``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wallchart.identity import readers_only
from wallchart.services import notifications

bp = Blueprint("notifications", __name__)

bp.before_request(readers_only)


@bp.app_context_processor
def _bell() -> dict:
    """The unread count for the top bar's bell: asked for only by pages that show it."""
    def bell_count() -> int:
        if not current_user.is_authenticated or not current_user.can("read"):
            return 0
        return notifications.unread_count(current_user.id)

    return {"bell_count": bell_count}


def _page() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


@bp.get("/notifications")
def index():
    page = _page()
    rows, more = notifications.page_of(current_user.id, page)
    return render_template("notifications.html", rows=rows, more=more, page=page,
                           message=notifications.message,
                           unread=notifications.unread_count(current_user.id))


@bp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int):
    notifications.mark_read(current_user, notification_id)
    return redirect(url_for("notifications.index", page=_page()), 303)


@bp.route("/notifications/settings", methods=["GET", "POST"])
def settings():
    """What the person wants to hear: a box per kind, ticked for those he receives."""
    if request.method == "POST":
        chosen = set(request.form.getlist("receive"))
        notifications.set_muted(current_user, [kind for kind in notifications.KINDS
                                               if kind not in chosen])
        flash(_("Your choice is saved."))
        return redirect(url_for("notifications.settings"), 303)
    return render_template("notification_settings.html", labels=notifications.kind_labels(),
                           muted=notifications.muted_kinds(current_user.id))


@bp.post("/notifications/read")
def mark_all_read():
    notifications.mark_all_read(current_user)
    return redirect(url_for("notifications.index"), 303)
