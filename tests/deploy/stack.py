"""deploy/ brought up on this machine: Debian's nginx with the site deploy/nginx/wallchart.conf
(its ports and folder replaced by this machine's) in front of gunicorn processes with
deploy/gunicorn.conf.py, in a folder of the caller's, on free loopback ports.

Shared by the test that shows a move crossing processes (tests/deploy/test_nginx_gunicorn.py)
and the benchmark's multi-process part (bench/processes.py), so both run the shipped files the
same way.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

from tests.forks import flask_command
from tests.helpers import ROOT
from tests.live import free_port, wait_until

SITE = ROOT / "deploy" / "nginx" / "wallchart.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
#: How long a process may take to listen.
START_SECONDS = 60

#: What the site is wrapped in: Debian's nginx as a foreground program of the caller's, its files
#: in the caller's folder, and an access log that names the process (upstream) of each request.
#: Each open screen holds two connections (the client's and the process's), hence the
#: ``connections`` a worker may hold and twice as many files.
NGINX_MAIN = """\
{user}daemon off;
worker_processes 1;
worker_rlimit_nofile {files};
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{ worker_connections {connections}; }}
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
    the install's: each is found in the shipped form, or this fails rather than running
    another file."""
    text = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{number};\n" for number in upstream_ports)
    for pattern, replacement, expected in (
            (r"(?:    server 127\.0\.0\.1:\d+;\n)+", servers, 1),
            (r"\blisten 80;", f"listen 127.0.0.1:{port};", 1),
            (r"\balias /srv/wallchart/", f"alias {ROOT}/", 2)):
        text, found = re.subn(pattern, lambda _match, new=replacement: new, text)
        assert found == expected, (f"{SITE}: {pattern!r} found {found} times, not {expected}: "
                                   "the site is rendered by it")
    return text


def nginx_executable() -> str | None:
    """Debian's nginx, if installed (it lives in /usr/sbin, which a user's PATH may lack)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def settings(folder: Path, database_url: str, queue_url: str, channel: str,
             secret: str) -> dict[str, str]:
    """The processes' and commands' environment, as deploy/systemd/wallchart.env.example sets
    it, with the caller's folder, database and queue; a console in no particular language."""
    env = {**os.environ, "WALLCHART_INSTANCE_PATH": str(folder / "instance"),
           "WALLCHART_DATABASE_URL": database_url, "WALLCHART_SECRET_KEY": secret,
           "WALLCHART_MESSAGE_QUEUE": queue_url, "WALLCHART_MESSAGE_QUEUE_CHANNEL": channel,
           "WALLCHART_PROXY_COUNT": "1", "WALLCHART_HOST": "127.0.0.1", "LANG": "C.UTF-8"}
    for name in ("WALLCHART_ASYNC_MODE", "WALLCHART_PORT", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        env.pop(name, None)
    return env


class Program:
    """A program of the caller's in a process group of its own, its output in ``log``."""

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

    def children(self) -> list[int]:
        """The program's child processes (gunicorn's worker, nginx's)."""
        pid = self.process.pid
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]

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


class Stack:
    """nginx in front of gunicorn processes, and what a caller reads of them."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.processes: list[Program] = []
        self.nginx: Program | None = None

    @property
    def url(self) -> str:
        """The site, as people reach it: through nginx."""
        return self.nginx.url

    @property
    def database_url(self) -> str:
        return self.env["WALLCHART_DATABASE_URL"]

    def flask(self, *args: str, env: dict[str, str] | None = None) -> str:
        """``flask --app wsgi *args`` with the processes' settings (and ``env``), as an
        operator runs it."""
        result = flask_command({**self.env, **(env or {})}, *args, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, nginx: str, processes: int = 2, connections: int = 256) -> None:
        """``processes`` gunicorn processes, then nginx before them taking ``connections`` at
        once; returns when all listen. The migrations must have run (README's order)."""
        for number in range(processes):
            port = free_port()
            name = "abcdefghijklmnopqrstuvwxyz"[number]
            self.processes.append(Program(
                f"gunicorn {name}", [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG)],
                {**self.env, "WALLCHART_PORT": str(port)}, self.folder / f"gunicorn-{name}.log",
                port))
        port = free_port()
        (self.folder / "wallchart.conf").write_text(
            render_site([process.port for process in self.processes], port))
        user = "user root;\n" if os.geteuid() == 0 else ""  # its workers read the caller's folder
        _soft, most = resource.getrlimit(resource.RLIMIT_NOFILE)
        files = 2 * connections + 100 if most == resource.RLIM_INFINITY \
            else min(2 * connections + 100, most)
        (self.folder / "nginx.conf").write_text(NGINX_MAIN.format(
            user=user, folder=self.folder, connections=connections, files=files))
        self.nginx = Program("nginx", [nginx, "-p", str(self.folder), "-c",
                                       str(self.folder / "nginx.conf"),
                                       "-e", str(self.folder / "error.log")],
                             self.env, self.folder / "nginx.log", port)
        for program in (*self.processes, self.nginx):
            program.wait_listening()
        # gunicorn listens before its worker has loaded the app: a request waits for it.
        for program in self.processes:
            requests.get(f"{program.url}/login", timeout=START_SECONDS).raise_for_status()

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
