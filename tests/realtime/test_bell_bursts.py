"""The bell's bursts: on the real server (``python wsgi.py``) a burst of changes is heard a
moment after its first, outside the requests; a server stopped within that moment hears it
before it goes, and so does a script that makes a change through the services and ends."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.databases import run_sql
from tests.live import LiveServer, Person, create, expect, fetch, wait_until

MEMBER_TOLD = ("SELECT n.kind FROM notification n JOIN \"user\" u ON u.id = n.user_id "
               "WHERE u.username = 'member' ORDER BY n.id")


def kinds_told(server: LiveServer) -> list[str]:
    return [kind for (kind,) in run_sql(server.database_url, MEMBER_TOLD)]


def hand_over_and_move(server: LiveServer) -> None:
    """The lead hands a project of the member's team to the member, then moves it on."""
    member, lead = Person(server, "member"), Person(server, "lead")
    project = create(member, "停机前项目")
    expect(lead.api("POST", f"/projects/{project['id']}/assign",
                    json={"owner": "member", "version": project["version"]}), 200)
    version = fetch(lead, project["id"])["version"]
    expect(lead.api("POST", f"/projects/{project['id']}/move",
                    json={"stage": "negotiating", "version": version}), 200)


@pytest.mark.live
def test_a_burst_is_heard_a_moment_after_its_first_change(databases, tmp_path, seeded_db):
    server = LiveServer(tmp_path, seeded_db, {"WALLCHART_NOTICE_DELAY_MS": "300"})
    server.start()
    try:
        hand_over_and_move(server)
        assert wait_until(lambda: kinds_told(server) == ["assigned", "stage"], timeout=10)
    finally:
        server.stop()
        server.drop_database()


@pytest.mark.live
@pytest.mark.parametrize("mode", ["gevent", "threading"])
def test_a_server_stopped_within_a_burst_hears_it_before_it_goes(databases, tmp_path,
                                                                 seeded_db, mode):
    # A burst that would be heard only a minute later: the stop must not wait for it.
    server = LiveServer(tmp_path, seeded_db, {"WALLCHART_NOTICE_DELAY_MS": "60000"})
    server.env["WALLCHART_ASYNC_MODE"] = mode
    server.start()
    assert wait_until(lambda: f"({mode}；" in server.log.read_text()), server.log.read_text()
    try:
        hand_over_and_move(server)
        assert kinds_told(server) == []  # not yet: the burst waits
        server.stop()
        assert server.process.poll() == 0
        assert kinds_told(server) == ["assigned", "stage"]
    finally:
        server.stop()
        server.drop_database()


#: A script that moves a project through the services and ends at once, within the burst's
#: half second (its default): argv is the project's id and version.
MOVE_AND_END = """
import sys
from wallchart import create_app
from wallchart.core.models import User
from wallchart.extensions import db
from wallchart.services import projects

app = create_app()
with app.app_context():
    lead = db.session.query(User).filter_by(username="lead").one()
    projects.move_project(lead, int(sys.argv[1]), "negotiating", int(sys.argv[2]))
"""


def test_a_script_that_ends_within_a_burst_hears_it_at_its_end(app, make_project):
    from tests.services.test_notifications import kinds, owned, version_of

    project = owned(app, make_project, "脚本项目")
    result = subprocess.run([sys.executable, "-c", MOVE_AND_END, str(project["id"]),
                             str(version_of(app, project["id"]))],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "WALLCHART_NOTICE_DELAY_MS": "60000"})
    assert result.returncode == 0, result.stderr
    assert kinds(app, "member") == ["assigned", "stage"]
