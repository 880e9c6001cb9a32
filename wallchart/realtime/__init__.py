"""Live screens over Socket.IO: who may connect and which room each screen joins (``sockets``),
and the push of each change the services announce to the rooms (``push``: renders each card
once per room and emits).

A face: may import ``identity``, ``services``, ``reports``, ``reads`` and ``core``; never
another face (``web``, ``api``, ``cli``).
"""

from __future__ import annotations


def init_app() -> None:
    """Register the Socket.IO handlers on the server that ``create_app`` just made, and push
    every change the services announce."""
    from wallchart.realtime import notices, push, sockets
    from wallchart.services import events

    sockets.init_app()
    events.subscribe(push.push)
    # After the screens' push: the bell's notifications (and their live count).
    events.subscribe(notices.hear)
