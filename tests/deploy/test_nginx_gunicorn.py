"""Several processes behind nginx, as deploy/ ships them: Debian's nginx with the site
deploy/nginx/wallchart.conf (its ports and folder replaced by this machine's), two gunicorn
processes with deploy/gunicorn.conf.py after the migration command, one PostgreSQL database
and a Redis channel of their own. A move made through one process reaches a socket client and a
real Chromium page that nginx keeps on the other; nginx serves the static files itself. The
stack is brought up by tests/deploy/stack.py, which the benchmark's multi-process part shares.

Several processes share a database only on PostgreSQL: the module runs in the suite's PostgreSQL
run and skips in the SQLite one. Without nginx (.ci/run installs it) it skips on a developer's
machine and fails in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import card, wait_live, watch
from tests.databases import current_databases, run_sql
from tests.deploy.stack import Stack, nginx_executable, settings
from tests.helpers import ROOT, SECRET, Seeded
from tests.live import REDIS_URL, Screen, Script, api_token, create, fetch_raw, redis_or_skip
from tests.live import expect as expect_status
from tests.scratch_databases import only_on

pytestmark = [pytest.mark.deploy, pytest.mark.live, pytest.mark.browser]


def nginx_or_skip() -> str:
    """Debian's nginx; missing, a skip on a developer's machine and a failure in CI."""
    executable = nginx_executable()
    if executable is None:
        message = "nginx is not installed (apt-get install -y nginx; .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return executable


class Deployment(Stack):
    """The stack (tests/deploy/stack.py), with the seeded users whose sessions the test uses."""

    def __init__(self, folder, env: dict[str, str], seeded: Seeded) -> None:
        super().__init__(folder, env)
        self.seeded = seeded


@pytest.fixture(scope="module")
def deployment(request, tmp_path_factory) -> Iterator[Deployment]:
    only_on("postgresql")
    nginx = nginx_or_skip()
    redis_or_skip()
    # The seeded users, and their browsers' sessions, only now: the skips above come first.
    seeded = request.getfixturevalue("seeded")
    folder = tmp_path_factory.mktemp("deploy")
    databases = current_databases()
    url = databases.clone(seeded.url, folder)
    env = settings(folder, url, REDIS_URL, f"wallchart-test-{uuid.uuid4().hex}", SECRET)
    deployment = Deployment(folder, env, seeded)
    try:
        # README's order: the migrations (and their backup) once, then the processes.
        deployment.flask("db", "upgrade")
        with deployment.explained():
            deployment.start(nginx)
        yield deployment
    finally:
        try:
            deployment.stop()
        finally:
            databases.drop(url)


def test_nginx_serves_the_static_files(deployment):
    with deployment.explained():
        script = requests.get(f"{deployment.url}/static/js/live.js", timeout=10)
        assert script.status_code == 200
        assert script.content == (ROOT / "static" / "js" / "live.js").read_bytes()
        assert script.headers["Cache-Control"] == "no-cache"
        assert script.headers["ETag"]
        # Compressed for a client that takes it (requests asks for gzip and unpacks it).
        assert script.headers["Content-Encoding"] == "gzip"
        again = requests.get(f"{deployment.url}/static/js/live.js", timeout=10,
                             headers={"If-None-Match": script.headers["ETag"]})
        assert again.status_code == 304
        library = requests.get(
            f"{deployment.url}/static/vendor/htmx-2.0.11/htmx.min.js", timeout=10)
        assert library.status_code == 200
        assert "immutable" in library.headers["Cache-Control"]
        # The app puts its Content-Security-Policy on every answer: these came from nginx alone.
        page = requests.get(f"{deployment.url}/login", timeout=10)
        assert "Content-Security-Policy" in page.headers
        assert "Content-Security-Policy" not in script.headers
        assert "Content-Security-Policy" not in library.headers
        assert set(deployment.logged("/static/js/live.js", count=2)) == {"-"}
        # Every request for them, this test's and a browser's before it, answered by nginx.
        assert set(deployment.logged("/static/vendor/htmx-2.0.11/htmx.min.js")) == {"-"}
        assert "-" not in deployment.logged("/login")


def test_each_process_sends_its_answers_whole(deployment):
    """nginx reads a gunicorn process's answer as a browser reads ``python wsgi.py``'s: head and
    body in one segment, which a pacing congestion control cannot hold apart."""
    for process in deployment.processes:
        answer, segments = fetch_raw(process.port, "/login")
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert segments == 1, (process.name, len(answer))


def test_a_move_through_one_process_reaches_screens_on_the_other(deployment, new_context):
    with deployment.explained():
        token = api_token(deployment, "member")
        # A script's socket through nginx, by long polling first and then a WebSocket: the
        # handshake and the upgrade must reach the same process.
        screen = Screen(deployment, auth={"token": token})
        screen.connect()
        assert screen.client.transport() == "websocket"
        upstreams = set(deployment.logged("/socket.io/"))
        assert len(upstreams) == 1, f"one socket's requests went to {upstreams}"
        watched = deployment.process_at(upstreams.pop())
        [mover] = [process for process in deployment.processes if process is not watched]

        # A person's board in Chromium, through nginx too.
        context = new_context(viewport={"width": 1600, "height": 900})
        errors: list[str] = []
        page = watch(context.new_page(), errors, "member")
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        seeded = deployment.seeded
        context.add_cookies([{"name": seeded.cookie_name, "value": seeded.cookies["member"],
                              "url": deployment.url}])
        page.goto(f"{deployment.url}/board")
        wait_live(page)
        assert [url.split("?")[0] for url in sockets] == [
            f"ws://127.0.0.1:{deployment.nginx.port}/socket.io/"]

        # The move goes to the other process, past nginx.
        script = Script(mover, token)
        made = create(script, "多进程部署项目")
        moved = expect_status(script.api("POST", f"/projects/{made['id']}/move", json={
            "stage": "negotiating", "version": made["version"]}), 200).json()
        assert moved["stage"] == "negotiating"

        assert [(event["id"], event["action"]) for event in (screen.event(), screen.event())] \
            == [(made["id"], "created"), (made["id"], "moved")]
        expect(card(page, made["id"], "negotiating")).to_be_visible(timeout=10_000)
        expect(card(page, made["id"], "contact")).to_have_count(0)
        assert run_sql(deployment.database_url, "SELECT stage FROM project WHERE id = :id",
                       id=made["id"]) == [("negotiating",)]
        assert not errors, errors

        # Both sockets were WebSockets through nginx to the one process: nginx logs each when
        # it closes (101: switched protocols).
        screen.close()
        context.close()
        script.http.close()  # its kept-alive connection would hold the process's stop
        deployment.logged("/socket.io/", "101", count=2)
        assert set(deployment.logged("/socket.io/")) == {watched.url.removeprefix("http://")}


def test_a_printed_link_leads_through_nginx(deployment):
    """With WALLCHART_PUBLIC_URL naming the site (as wallchart.env.example does), a wall's link
    from ``display create`` opens the wall through nginx."""
    with deployment.explained():
        printed = deployment.flask("display", "create", "部署大厅",
                                   env={"WALLCHART_PUBLIC_URL": deployment.url})
        link = printed.strip().splitlines()[-1]
        assert link.startswith(f"{deployment.url}/wall?token="), printed
        wall = requests.get(link, timeout=10)
        assert wall.status_code == 200
        assert "Content-Security-Policy" in wall.headers  # the app's answer, through nginx
        assert deployment.logged("/wall", "200")[-1] != "-"
