"""``python wsgi.py`` and ``flask --app wsgi …`` without their second and a half of imports: a
process that has imported what they import forks a fresh one for each request.

Each forked process is the real thing in a process of its own — ``wsgi.py`` run as
``__main__``, or Flask's command line with ``--app wsgi`` — with the test's environment, ``ROOT``
as its working directory and its output in files: the same code runs as from a shell, since the
app reads its environment when it is made, not when its modules are imported. Only the imports
are shared (and, for servers, gevent's patching, done first as wsgi.py does it); they are most of
a start, and a run starts about eighty servers and forty commands.

Two kinds of parent, since a server must be patched by gevent and a command must not:
``python -m tests.forks server`` forks servers and answers each request with the pid (servers
are reaped as they end; tests/live.py watches them through a pidfd);
``python -m tests.forks command`` forks a command, answers with its pid, waits for it and answers
with its exit status. Requests are JSON lines on stdin (``{"env": …, "argv": …, "stdout": path,
"stderr": path}``); the end of stdin ends the parent. tests/live.py starts and talks to them.
"""

import sys

#: Whether this process is the parent of servers (patched by gevent before any other import).
SERVERS = __name__ == "__main__" and sys.argv[1:] == ["server"]
if SERVERS:
    from gevent import monkey

    monkey.patch_all()

import contextlib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _import_what_they_import() -> None:
    """What wsgi.py, ``create_app`` and the command line load — every module of the package,
    and what libraries load only when an app is made or a command runs — and the databases'
    drivers. A module left out is imported again by every child (openpyxl alone is 175)."""
    import importlib
    import logging.config  # noqa: F401
    import pkgutil

    import engineio.async_drivers.threading  # noqa: F401
    import flask.cli  # noqa: F401
    import flask_limiter.commands  # noqa: F401
    import flask_migrate.cli  # noqa: F401
    import flask_sqlalchemy.cli  # noqa: F401
    import jinja2.ext  # noqa: F401
    import psycopg  # noqa: F401
    import simple_websocket  # noqa: F401
    import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401
    from alembic import command, script  # noqa: F401

    import wallchart

    for module in pkgutil.walk_packages(wallchart.__path__, "wallchart."):
        importlib.import_module(module.name)
    if SERVERS:
        import geventwebsocket.handler  # noqa: F401
        from gevent import pywsgi  # noqa: F401


def _share_compiled_templates() -> None:
    """Every app forked from here keeps the templates it compiles in one folder of this parent's,
    where the next one finds them: a server would otherwise parse and compile each template it
    renders again (a sixth of the servers' time in a run). Jinja checks each template's source
    against the checksum stored with its code, and every child makes its app the same way."""
    import atexit
    import shutil

    from flask import Flask
    from jinja2 import FileSystemBytecodeCache

    folder = tempfile.mkdtemp(prefix="wallchart-templates-")
    parent = os.getpid()
    # Children inherit the exit hook: only this parent's exit removes the folder.
    atexit.register(lambda: os.getpid() == parent and shutil.rmtree(folder, True))
    Flask.jinja_options = {**Flask.jinja_options,
                           "bytecode_cache": FileSystemBytecodeCache(folder)}


def _run(request: dict) -> None:
    """In the forked child: become the requested program, and end as it ends."""
    # The parent ignores SIGCHLD to reap its servers; the program waits for its own children.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(ROOT)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_APPEND), fd)
    sys.argv = list(request["argv"])
    # What the program raises, SystemExit too, leaves this process as it would leave Python:
    # through the interpreter's own shutdown.
    try:
        if sys.argv[0] == "wsgi.py":
            runpy.run_path(os.path.join(ROOT, "wsgi.py"), run_name="__main__")
        else:
            from flask.cli import cli

            cli.main(args=sys.argv[1:], prog_name="flask")
    finally:
        _close_databases()
    sys.exit(0)


def _close_databases() -> None:
    """Close the program's database connections, as the last collection of a process of its own
    does: that collection leaves what the parent froze alone, and the engines hang from it (the
    extension's registry). A SQLite connection's close writes its log back into the file."""
    from wallchart.extensions import db

    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            engine.dispose()


def _fork() -> int:
    if SERVERS:
        import gevent.os

        return gevent.os.fork_gevent()  # the child's hub starts afresh
    return os.fork()


def main(kind: str) -> None:
    _import_what_they_import()
    _share_compiled_templates()
    # What is imported stays for good: the collector leaves it alone from now on, in this
    # process and in every child. Otherwise a child's collections, the one at its exit above
    # all, walk the whole inherited heap and so copy every page of it (a second per command).
    gc.freeze()
    if kind == "server":
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin.buffer:
        pid = _fork()
        if pid == 0:
            _run(json.loads(line))
        print(pid, flush=True)
        if kind == "command":
            _, status = os.waitpid(pid, 0)
            print(os.waitstatus_to_exitcode(status), flush=True)


# --- the test process's side -------------------------------------------------------------------

class _Parent:
    """A ``python -m tests.forks KIND`` of this test process, started on first use."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.process: subprocess.Popen | None = None
        self.pending = b""

    def fork(self, env: dict[str, str], argv: list[str], stdout: Path, stderr: Path) -> int:
        """Fork ``argv`` (its output appended to the files, which must exist); its pid."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.forks", self.kind],
                                            cwd=ROOT, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, bufsize=0)
            self.pending = b""
        request = {"env": env, "argv": argv, "stdout": str(stdout), "stderr": str(stderr)}
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        return int(self.answer(60))

    def answer(self, timeout: float) -> str:
        """The parent's next line; ``TimeoutError`` after ``timeout`` seconds."""
        waiting = select.poll()
        waiting.register(self.process.stdout, select.POLLIN)
        while b"\n" not in self.pending:
            if not waiting.poll(timeout * 1000):
                raise TimeoutError(f"tests.forks {self.kind} gave no answer in {timeout} s")
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"tests.forks {self.kind} ended ({self.process.wait()})")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()


_servers, _commands = _Parent("server"), _Parent("command")


class ForkedServer:
    """A server forked by the servers' parent: not a child of this process, so it is watched
    through a pidfd (Linux), with the part of ``Popen`` that tests use. Its exit status is its
    parent's to know: ``poll`` and ``wait`` answer 0 once it has ended."""

    def __init__(self, pid: int):
        self.pid = pid
        self.pidfd: int | None = os.pidfd_open(pid)

    def _ended(self, timeout: float | None) -> bool:
        if self.pidfd is None:
            return True
        waiting = select.poll()  # not select(): a long run's descriptors pass 1024
        waiting.register(self.pidfd, select.POLLIN)
        if not waiting.poll(None if timeout is None else timeout * 1000):
            return False
        os.close(self.pidfd)
        self.pidfd = None
        return True

    def poll(self) -> int | None:
        return 0 if self._ended(0) else None

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended(timeout):
            raise subprocess.TimeoutExpired("wsgi.py", timeout)
        return 0

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if not self._ended(0):
            with contextlib.suppress(ProcessLookupError):  # just gone
                signal.pidfd_send_signal(self.pidfd, number)


def start_server(env: dict[str, str], log: Path) -> ForkedServer:
    """``python wsgi.py`` with ``env`` as its whole environment, its output in ``log``."""
    log.write_bytes(b"")
    return ForkedServer(_servers.fork(env, ["wsgi.py"], log, log))


def flask_command(env: dict[str, str], *args: str,
                  timeout: float = 180) -> subprocess.CompletedProcess:
    """``flask --app wsgi *args`` with ``env`` as its whole environment, run to its end."""
    with tempfile.TemporaryDirectory() as folder:
        stdout, stderr = Path(folder, "stdout"), Path(folder, "stderr")
        stdout.write_bytes(b"")
        stderr.write_bytes(b"")
        argv = ["flask", "--app", "wsgi", *args]
        pid = _commands.fork(env, argv, stdout, stderr)
        try:
            code = int(_commands.answer(timeout))
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            _commands.answer(10)
            raise subprocess.TimeoutExpired(argv, timeout) from None
        return subprocess.CompletedProcess(argv, code, stdout.read_text(), stderr.read_text())


if __name__ == "__main__":
    main(sys.argv[1])
