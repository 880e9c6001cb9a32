"""Every change: authorize, validate, write, record the history, commit, announce.

``changes.board_change`` is the envelope every change to the board runs in; ``events`` holds what
the services announce after the commit, and its listeners (``realtime.push`` subscribes).

May import ``reads`` and ``core``; never ``reports``, ``identity`` or a face, and neither renders
nor emits: no template, no ``flask_socketio``, ``socketio`` or ``jinja2`` (setup.cfg's contracts).
"""
