"""``python wsgi.py`` without its second and a half of imports: a process that has patched gevent
and imported what the server imports, then forks a fresh server for each request.

A live test's server is ``wsgi.py`` run as ``__main__`` in a process of its own, with the test's
environment, its log as stdout and stderr, and ``ROOT`` as its working directory: the same code
as ``python wsgi.py`` runs, since the app reads its environment when it is made, not when its
modules are imported. Only the imports (and gevent's patching, done first, as in wsgi.py) are
shared: they are most of a server's start, and a run starts about eighty servers.

The test process writes one JSON line per server (``{"env": …, "log": …}``) to this process's
stdin and reads the new server's pid back; stdin's end ends this process. Run by tests/live.py as
``python -m tests.server_fork``.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402

import gevent.os  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _import_what_the_server_imports() -> None:
    """The modules wsgi.py and ``create_app`` load, and the database drivers' dialects."""
    import flask_migrate  # noqa: F401
    import geventwebsocket.handler  # noqa: F401
    import psycopg  # noqa: F401
    import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401
    from alembic import command, script  # noqa: F401
    from gevent import pywsgi  # noqa: F401

    import wallchart  # noqa: F401
    from wallchart import api, cli, identity, realtime, web  # noqa: F401
    from wallchart.services import accounts  # noqa: F401


def _serve(env: dict[str, str], log: str) -> None:
    """In the forked child: become ``python wsgi.py`` with ``env``, writing to ``log``."""
    # Dead servers are reaped by this process's ignored SIGCHLD; the server's own children
    # (pg_dump for a backup) must be waited for as usual.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    sys.argv = ["wsgi.py"]
    code = 0
    try:
        runpy.run_path(os.path.join(ROOT, "wsgi.py"), run_name="__main__")
    except SystemExit as leaving:
        code = leaving.code if isinstance(leaving.code, int) else 1
        if leaving.code is not None and not isinstance(leaving.code, int):
            print(leaving.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - the server died: say why in its log, as Python would
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    _import_what_the_server_imports()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        pid = gevent.os.fork_gevent()
        if pid == 0:
            _serve(request["env"], request["log"])
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
