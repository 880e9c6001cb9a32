"""Small helpers shared by the tests: database snapshots and socket test clients."""

from __future__ import annotations

from sqlalchemy import select

from wallchart.core.models import BoardState, Project, ProjectEvent
from wallchart.extensions import db, socketio


def snapshot(app) -> dict:
    """Everything a refused request must leave untouched."""
    with app.app_context():
        projects = db.session.execute(select(Project).order_by(Project.id)).scalars().all()
        return {
            "revision": db.session.execute(select(BoardState.revision)).scalar_one(),
            "events": db.session.execute(select(ProjectEvent.id)).scalars().all(),
            "projects": [(p.id, p.name, p.investor, p.investment_wan, p.county_id, p.sector,
                          p.stage, p.rank, p.owner_id, p.version, p.deleted_at)
                         for p in projects],
        }


def socket_client(app, signed_in=None, auth=None):
    """Flask-SocketIO's test client, connected with a session cookie (from the board's own
    origin, as a browser would) or a token."""
    return socketio.test_client(app, flask_test_client=signed_in.client if signed_in else None,
                                headers={"Origin": "http://localhost"} if signed_in else None,
                                auth=auth)


def project_events(client) -> list[dict]:
    return [message["args"][0] for message in client.get_received()
            if message["name"] == "project"]


def all_rows(app, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table (but ``skip``), read through SQLAlchemy so that it compares the
    same on SQLite and PostgreSQL: what a refused request must leave as it was."""
    with app.app_context():
        return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
                for table in db.metadata.sorted_tables if table.name not in skip}
