"""Several processes behind nginx, as deploy/ ships them: Debian's nginx with the site
deploy/nginx/wallchart.conf (its ports and folder replaced by this machine's), two gunicorn
processes with deploy/gunicorn.conf.py after the migration command, one PostgreSQL database
and a Redis channel of their own. A move made through one process reaches a socket client and a
real Chromium page that nginx keeps on the other; nginx serves the static files itself.

Several processes share a database only on PostgreSQL: the module runs in the suite's PostgreSQL
run and skips in the SQLite one. Without nginx (.ci/run installs it) it skips on a developer's
machine and fails in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import card, wait_live, watch
from tests.databases import current_databases, run_sql
from tests.forks import flask_command
from tests.helpers import ROOT, SECRET, Seeded
from tests.live import (
    REDIS_URL,
    Screen,
    Script,
    api_token,
    create,
    free_port,
    redis_or_skip,
    wait_until,
)
from tests.live import expect as expect_status
from tests.scratch_databases import only_on

pytestmark = [pytest.mark.deploy, pytest.mark.live, pytest.mark.browser]

SITE = ROOT / "deploy" / "nginx" / "wallchart.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
#: How long a process may take to listen.
START_SECONDS = 60

#: What the site is wrapped in: Debian's nginx as a foreground program of the test's, its files
#: in the test's folder, and an access log that names the process (upstream) of each request.
NGINX_MAIN = """\
{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format upstream '$request_method $uri $status $upstream_addr';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/wallchart.conf;
}}
"""


def render_site(upstream_ports: list[int], port: int) -> str:
    """deploy/nginx/wallchart.conf with this machine's processes, port and checkout in place of
    the install's: each is found in the shipped form, or the test fails rather than testing
    another file."""
    text = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{number};\n" for number in upstream_ports)
    for pattern, replacement, expected in (
            (r"(?:    server 127\.0\.0\.1:\d+;\n)+", servers, 1),
            (r"\blisten 80;", f"listen 127.0.0.1:{port};", 1),
            (r"\balias /srv/wallchart/", f"alias {ROOT}/", 2)):
        text, found = re.subn(pattern, lambda _match, new=replacement: new, text)
        assert found == expected, (f"{SITE}: {pattern!r} found {found} times, not {expected}: "
                                   "the test renders the shipped site by it")
    return text


def nginx_or_skip() -> str:
    """Debian's nginx; missing, a skip on a developer's machine and a failure in CI."""
    executable = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if executable is None:
        message = "nginx is not installed (apt-get install -y nginx; .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return executable


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Program:
    """A program of the test's in a process group of its own, its output in ``log``."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path,
                 port: int) -> None:
        self.name, self.log, self.port = name, log, port
        self.url = f"http://127.0.0.1:{port}"
        with log.open("wb") as output:
            self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                            stdout=output, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_listening(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.process.returncode}):\n"
                                     f"{self.output()}")
            if listening(self.port):
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.name} is not listening on {self.port} after "
                             f"{START_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-4000:] or "(no output)"

    def stop(self) -> None:
        """End the program and whatever it started (gunicorn's worker, nginx's)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with suppress(ProcessLookupError):  # a worker that outlived its master
            os.killpg(self.process.pid, signal.SIGKILL)


class Deployment:
    """nginx in front of two gunicorn processes, and what the test reads of them."""

    def __init__(self, folder: Path, env: dict[str, str], seeded: Seeded) -> None:
        self.folder, self.env, self.seeded = folder, env, seeded
        self.processes: list[Program] = []
        self.nginx: Program | None = None

    @property
    def url(self) -> str:
        """The site, as people reach it: through nginx."""
        return self.nginx.url

    @property
    def log(self) -> Path:
        return self.nginx.log

    @property
    def database_url(self) -> str:
        return self.env["WALLCHART_DATABASE_URL"]

    def flask(self, *args: str) -> str:
        """``flask --app wsgi *args`` with the processes' settings, as an operator runs it."""
        result = flask_command(self.env, *args, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, nginx: str) -> None:
        for name in ("a", "b"):
            port = free_port()
            self.processes.append(Program(
                f"gunicorn {name}", [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG)],
                {**self.env, "WALLCHART_PORT": str(port)}, self.folder / f"gunicorn-{name}.log",
                port))
        port = free_port()
        (self.folder / "wallchart.conf").write_text(
            render_site([process.port for process in self.processes], port))
        user = "user root;\n" if os.geteuid() == 0 else ""  # its workers read the test's folder
        (self.folder / "nginx.conf").write_text(NGINX_MAIN.format(user=user, folder=self.folder))
        self.nginx = Program("nginx", [nginx, "-p", str(self.folder), "-c",
                                       str(self.folder / "nginx.conf"),
                                       "-e", str(self.folder / "error.log")],
                             self.env, self.folder / "nginx.log", port)
        for program in (*self.processes, self.nginx):
            program.wait_listening()

    def stop(self) -> None:
        programs = [program for program in (self.nginx, *self.processes) if program]
        for program in programs:
            program.stop()
        busy = [program.name for program in programs if listening(program.port)]
        assert not busy, f"still listening after the end: {busy}"

    def process_at(self, address: str) -> Program:
        """The process nginx names ``address`` (``127.0.0.1:PORT``) in its log."""
        [process] = [process for process in self.processes if process.url.endswith(address)]
        return process

    def logged(self, path: str, status: str | None = None, count: int = 1) -> list[str]:
        """The upstream (process) of each request for ``path`` (of ``status``) in nginx's access
        log, ``-`` where nginx answered itself, once there are ``count``: nginx writes a line
        after its answer, a WebSocket's when it closes."""
        log = self.folder / "access.log"

        def found() -> list[str]:
            lines = log.read_text().splitlines() if log.exists() else []
            return [upstream for _method, logged, code, upstream
                    in (line.split(" ", 3) for line in lines)
                    if logged == path and status in (None, code)]

        assert wait_until(lambda: len(found()) >= count), \
            f"nginx logged {len(found())} requests for {path} ({status or 'any status'}), " \
            f"not {count}"
        return found()

    def logs(self) -> str:
        parts = [f"--- {program.name} ---\n{program.output()}"
                 for program in (*self.processes, self.nginx) if program]
        for name in ("error.log", "access.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- nginx {name} ---\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    @contextmanager
    def explained(self) -> Iterator[None]:
        """On a failure, print the programs' logs (pytest shows them with the failure)."""
        try:
            yield
        except Exception:
            print(self.logs())
            raise


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
    env = {**os.environ, "WALLCHART_INSTANCE_PATH": str(folder / "instance"),
           "WALLCHART_DATABASE_URL": url, "WALLCHART_SECRET_KEY": SECRET,
           "WALLCHART_MESSAGE_QUEUE": REDIS_URL,
           "WALLCHART_MESSAGE_QUEUE_CHANNEL": f"wallchart-test-{uuid.uuid4().hex}",
           "WALLCHART_PROXY_COUNT": "1", "WALLCHART_HOST": "127.0.0.1", "LANG": "C.UTF-8"}
    for name in ("WALLCHART_ASYNC_MODE", "WALLCHART_PORT", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        env.pop(name, None)
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
