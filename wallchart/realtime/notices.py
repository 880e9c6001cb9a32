"""The bell's live count: each signed-in person's screens join a room of their own
(``user_room``); when the notifications made for a burst of committed changes
(``services.notifications``, heard together a moment after the first) reach someone, his
screens are sent his unread count. Also the server's daily check of what
falls due, and of the leads' digests (``start_due_check``): every day at ``NOTIFY_HOUR``
o'clock (``WALLCHART_NOTIFY_HOUR``, 8 by default), Asia/Shanghai, in
each process that has screens (each thing is told once, so several processes are harmless);
``flask --app wsgi notify-due`` runs the same check at any time (from cron, say). And each
server process's sweep of the webhook messages a stopped process left pending
(``start_redelivery``): at its start, then every minute.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import Flask, current_app

from wallchart.core.timeutil import SHANGHAI
from wallchart.extensions import socketio
from wallchart.services import events, notifications, webhooks
from wallchart.services.events import Announcement, ProjectChanged


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def send_counts(user_ids: Iterable[int]) -> None:
    for user_id, count in notifications.unread_counts(user_ids).items():
        socketio.emit("notifications", {"unread": count}, to=user_room(user_id))


#: Each Socket.IO server's burst of committed changes still to be heard (this process's own),
#: with the app that made them.
_waiting: dict[int, tuple[Flask, list[ProjectChanged]]] = {}
_waiting_lock = threading.Lock()


def hear(change: Announcement) -> None:
    """The subscriber (``services.events.subscribe``): hear the change with the others of its
    burst, ``NOTICE_DELAY_SECONDS`` after the first (at once if that is 0). A burst's
    notifications and webhooks then cost a few statements and one transaction however many
    changes it holds, outside the requests that made them; the bell rings that much later."""
    if not isinstance(change, ProjectChanged):
        return
    delay = current_app.config["NOTICE_DELAY_SECONDS"]
    if delay <= 0:
        hear_burst([change])
        return
    server = socketio.server
    with _waiting_lock:
        app, burst = _waiting.setdefault(id(server), (current_app._get_current_object(), []))
        burst.append(change)
        if len(burst) > 1:
            return
    socketio.start_background_task(_hear_later, app, server, delay)


def _hear_later(app: Flask, server, delay: float) -> None:
    socketio.sleep(delay)
    with _waiting_lock:  # from here on a new change starts the next burst
        _app, burst = _waiting.pop(id(server), (app, []))
    if socketio.server is not server:  # a test's app was replaced by the next one's
        return
    _hear_in(app, burst)


@atexit.register
def hear_waiting() -> None:
    """Hear every burst still waiting, at once: the process is stopping (a server at its stop,
    before it keeps its cards; any other process, a command or a script, at its end)."""
    with _waiting_lock:
        bursts = list(_waiting.values())
        _waiting.clear()
    for app, burst in bursts:
        _hear_in(app, burst)


def _hear_in(app: Flask, burst: list[ProjectChanged]) -> None:
    try:
        with app.app_context():
            hear_burst(burst)
    except Exception:  # the database away: the changes stay committed, the bell is quiet
        app.logger.exception("Notifications of %d changes", len(burst))


def hear_burst(changes: list[ProjectChanged]) -> None:
    """Make the burst's notifications, tell each person concerned his new unread count, and
    hand the teams' webhooks their messages (delivered in the background)."""
    changes = events.reread(changes)
    hooked = webhooks.hooked(changes)  # asked before the bell's commit expires the projects
    try:
        heard = notifications.hear(changes)
    except Exception:  # the changes are committed; the webhooks still hear of them
        current_app.logger.exception("Notifications of %d changes", len(changes))
        heard = notifications.Heard(set(), {})
    if heard.told:
        send_counts(heard.told)
    webhooks.hear(hooked, heard.turned)


def check_due() -> None:
    """The daily check: the bell (and its live count), and the webhooks of the teams whose
    cards turned yellow or red by the calendar."""
    heard = notifications.check_due()
    send_counts(heard.told)
    webhooks.announce_turned(heard.turned)
    webhooks.announce_digests(heard.digests)


_checking: set[int] = set()


def start_due_check(app: Flask) -> None:
    """Start this server's check of what falls due, once, from the first screen that connects."""
    server = socketio.server
    if id(server) not in _checking:
        _checking.add(id(server))
        socketio.start_background_task(_check, app, server)


def seconds_until_check(now: datetime, hour: int) -> float:
    """From ``now`` (aware) to the next ``hour`` o'clock in Shanghai."""
    local = now.astimezone(SHANGHAI)
    due = local.replace(hour=min(hour, 23), minute=0, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return (due - local).total_seconds()


def _check(app: Flask, server) -> None:
    while True:
        socketio.sleep(seconds_until_check(datetime.now(SHANGHAI), app.config["NOTIFY_HOUR"]))
        if socketio.server is not server:  # a test's app was replaced by the next one's
            break
        with app.app_context():
            try:
                check_due()
            except Exception:  # the next day's check must still run
                app.logger.exception("Notifications: the check of what falls due")
    _checking.discard(id(server))


def start_redelivery(app: Flask) -> None:
    """Take up, in the background, the webhook messages a stopped process left pending: now,
    then every ``webhooks.STALE_SECONDS`` (started by the server: ``wsgi.serve``, gunicorn's
    worker; several processes sweeping send each message once)."""
    socketio.start_background_task(_redeliver, app, socketio.server)


def _redeliver(app: Flask, server) -> None:
    while socketio.server is server:  # a test's app replaced by the next one's: stop
        try:
            webhooks.redeliver(app)
        except Exception:  # the database away: the next sweep tries again
            app.logger.exception("Webhooks: sending again what was left pending")
        socketio.sleep(webhooks.STALE_SECONDS)
