"""The board's cards rendered before anyone asks: when the server starts, and when a new day
begins in Shanghai (every card's key names the day: ``reads.card_cache``).

Cold, a board of 5,000 cards costs its first screen a second or more of rendering; warmed in
the background, a chunk of cards at a time with a pause between, the requests that come
meanwhile wait only for a chunk. Started by the server (``wsgi.serve``, gunicorn's worker),
not by ``create_app``: a test or a command has no use for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from wallchart.core.timeutil import SHANGHAI
from wallchart.extensions import socketio
from wallchart.reads import card_cache

#: After midnight, a little later: the new day's ``today()`` is surely the new date.
AFTER_MIDNIGHT_SECONDS = 5


def start(app: Flask) -> None:
    """Keep this server's board warm in a background task."""
    socketio.start_background_task(_keep_warm, app, socketio.server)


def seconds_to_next_day(now: datetime) -> float:
    """How long from ``now`` (aware) until just after the next midnight in Shanghai."""
    local = now.astimezone(SHANGHAI)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds() + AFTER_MIDNIGHT_SECONDS


def _keep_warm(app: Flask, server) -> None:
    while socketio.server is server:   # a test's app replaced by the next one's: stop
        try:
            card_cache.warm(app, lambda: socketio.sleep(0))
        except Exception:  # the database away: the screens render what they need themselves
            app.logger.exception("Warming the board's cards")
        socketio.sleep(seconds_to_next_day(datetime.now(SHANGHAI)))
