"""The JSON API on ``/api``: projects, their tracking (notes, blockers), funds in place,
indicators, imports, and its published contract (``/api/openapi.json``, ``/api/docs``).

A face: parses, authorizes, calls a service or a read, answers JSON. May import ``identity``,
``services``, ``reports``, ``reads`` and ``core``; never another face (``web``, ``realtime``,
``cli``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API's blueprints (each made with the one error map, ``api.errors``)."""
    from wallchart.api import contract, funds, imports, indicators, meetings, projects, tracking

    for resource in (projects, tracking, funds, meetings, indicators, imports, contract):
        app.register_blueprint(resource.bp)
