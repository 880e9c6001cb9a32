"""Benchmark: several processes behind nginx, as deploy/ ships them — 5,000 screens.

    .venv/bin/python -m bench.processes                  # 5,000 screens, 2 processes, 40 moves
    .venv/bin/python -m bench.processes --screens 1000 --moves 20 --single

It brings up, on this machine (loopback, a temporary folder, everything stopped at the end):
Debian's nginx with the shipped site deploy/nginx/wallchart.conf, before two gunicorn processes
with deploy/gunicorn.conf.py (the gevent-websocket worker), sharing Redis as the message queue
and a fresh PostgreSQL database migrated with ``flask db upgrade`` — the stack the test
tests/deploy/test_nginx_gunicorn.py brings up, by the same code (tests/deploy/stack.py).

The screens (boards and walls, Chinese and English: part 1's four rooms) are part 1's clients
(Node.js, or Python with ``--python-clients``) held by several client processes (part 1's
``ClientGroup``), each connecting THROUGH
nginx from a loopback address of its own (127.1.x.y), as screens in a province come from
addresses of their own: nginx hashes on the address, so they spread over the processes. The
moves go through nginx too, one at a time (part 1's ``Side``), each timed until every screen
has its event. Printed: move -> every screen p50/p95/max and what was lost, against the goal
(p95 <= 250 ms, nothing lost); the servers' CPU per move summed over the gunicorn processes
(goal <= 12 ms), beside what they spend meanwhile with no move made (heartbeats, socket checks);
nginx's and the clients' CPU per move; each process's RSS and the screens it held. ``--single``
then measures one process behind the same nginx the same way (at most 3,900 screens:
deploy/gunicorn.conf.py takes 4,000 connections a process).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.benchmark import (
    CHAINS,
    COUNTIES,
    INVESTORS,
    AppMoves,
    ClientGroup,
    Http,
    Side,
    add_client_choice,
    cpu_seconds,
    machine_line,
    members_for,
    ms,
    percentile,
    print_goals,
    verdict,
    work_folder,
)

GOAL_P95_MS = 250.0
GOAL_CPU_MS = 12.0
#: Connections a gunicorn process takes (deploy/gunicorn.conf.py), less room for the moves.
SCREENS_PER_PROCESS = 3900
#: How long the processes are watched with no move, to know what they spend meanwhile.
IDLE_SECONDS = 10.0
#: Screens a client process opens a second: they come in at a steady pace, as a province's
#: do after a restart. All at once (part 1's ten at a time in each process), the processes on
#: a busy 2-core machine took more than the clients' 15 s to admit some of 5,000; at 6 a second
#: (48 in all) too, once about 4,000 were open, in one run of two.
CONNECTS_PER_SECOND = 4
#: Screens a client process holds at most: part 1 hands them over as one argument (JSON), which
#: Linux limits to 128 KiB.
SCREENS_PER_CLIENT_PROCESS = 700
#: The client processes patch themselves for gevent, then bind each screen's socket.
CLIENT_BOOT = ("from gevent import monkey; monkey.patch_all(); "
               "from bench.processes import client_main; client_main()")


def client_main() -> None:
    """A client process of part 1 whose screens each connect from an address of their own
    (``source`` in each member), with as many open files as the system lets it have."""
    import socket

    from bench.benchmark import client_main as hold_screens

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    spec = json.loads(sys.argv[1])
    port = urlsplit(spec["url"]).port
    sources = [member["source"] for member in reversed(spec["clients"])]
    connect = socket.socket.connect
    started, opened = time.monotonic(), 0

    def connect_from_own_address(self, address) -> None:
        nonlocal opened
        if address[1] == port and sources:
            time.sleep(max(0.0, started + opened / CONNECTS_PER_SECOND - time.monotonic()))
            opened += 1
            self.bind((sources.pop(), 0))
        return connect(self, address)

    socket.socket.connect = connect_from_own_address
    hold_screens()


def source_address(index: int) -> str:
    """A loopback address of its own for screen ``index`` (all of 127.0.0.0/8 is loopback)."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def connections_on(port: int) -> int:
    """Open TCP connections whose local end is ``port``: the sockets a process holds."""
    wanted = f":{port:04X}"
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(wanted) and fields[3] == "01":  # ESTABLISHED
            count += 1
    return count


def redis_cpu(client) -> float:
    info = client.info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


@dataclass
class Run:
    """What one stack (N processes behind nginx) did with its screens."""

    processes: int
    screens: int
    side: Side
    planned: int
    seconds: float = 0.0
    server_cpu: float = 0.0
    idle_rate: float = 0.0
    nginx_cpu: float = 0.0
    redis_cpu: float = 0.0
    connect_seconds: float = 0.0
    per_process: list[tuple[int, float, int]] = field(default_factory=list)  # pid, RSS, screens

    @property
    def moves(self) -> int:
        return max(self.side.samples.sent, 1)

    def cpu_per_move(self) -> float:
        """The processes' CPU per move, what they spend with no move made included (their
        share is printed beside it): the goal is judged on this, which cannot flatter."""
        return self.server_cpu / self.moves

    def idle_share(self) -> float:
        """Of the CPU per move, what the processes spend in that time with no move made."""
        return self.idle_rate * self.seconds / self.moves


def run_stack(args, nginx: str, env: dict[str, str], moves: AppMoves, tokens: tuple[str, str],
              processes: int, screens: int, folder: Path, redis) -> Run:
    """Bring up ``processes`` gunicorn processes behind nginx, connect ``screens`` screens
    through it, make the moves, and stop it all."""
    from tests.deploy.stack import Stack

    folder.mkdir(parents=True)
    stack = Stack(folder, env)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(stack.stop)
        stack.start(nginx, processes, connections=2 * screens + 1000)
        http = Http(stack.nginx.port, {"Authorization": f"Bearer {tokens[0]}"})
        cleanup.callback(http.close)
        members = members_for(screens, tokens)
        for index, member in enumerate(members):
            member["source"] = source_address(index)
        began = time.monotonic()
        holders = min(screens, max(args.client_processes,
                                   -(-screens // SCREENS_PER_CLIENT_PROCESS)))
        group = ClientGroup(f"screens-{processes}", stack.url, members, holders, folder,
                            boot=CLIENT_BOOT, extra={"pace": CONNECTS_PER_SECOND},
                            node=args.node_clients)
        cleanup.callback(group.close)
        group.wait_ready(timeout=args.connect_timeout)
        run = Run(processes, screens, Side(f"{processes} process(es)", moves, group),
                  args.moves, connect_seconds=time.monotonic() - began)
        print(f"  {processes} process(es): {screens} screens connected through nginx in "
              f"{run.connect_seconds:.0f} s ({holders} client processes, each opening "
              f"{CONNECTS_PER_SECOND} a second)", flush=True)
        # The workers have served the screens: they are up. Each process's CPU is its
        # gunicorn's (the arbiter) and its worker's.
        workers = [program.children()[0] for program in stack.processes]
        servers = [*workers, *(program.process.pid for program in stack.processes)]
        nginx_pids = [stack.nginx.process.pid, *stack.nginx.children()]

        def cpu(pids: list[int]) -> float:
            return sum(cpu_seconds(pid) for pid in pids)

        moves.http, moves.pid = http, workers[0]
        # What the processes spend with every screen open and no move made (heartbeats, socket
        # checks), before any move has left them work to catch up on.
        before = cpu(servers)
        time.sleep(IDLE_SECONDS)
        run.idle_rate = (cpu(servers) - before) / IDLE_SECONDS
        run.side.run(args.warmup, measured=False)

        began = time.monotonic()
        server_before, nginx_before = cpu(servers), cpu(nginx_pids)
        redis_before = redis_cpu(redis)
        for _move in range(args.moves):
            if run.side.group.disconnects:  # every later move would wait 10 s for them
                break
            run.side.run(1)
        run.seconds = time.monotonic() - began
        run.server_cpu = cpu(servers) - server_before
        run.nginx_cpu = cpu(nginx_pids) - nginx_before
        run.redis_cpu = redis_cpu(redis) - redis_before
        run.per_process = [(worker, rss_mib(worker), connections_on(program.port))
                           for worker, program in zip(workers, stack.processes, strict=True)]
    return run


def report(run: Run) -> list[str]:
    samples = run.side.samples
    values = samples.all_screens
    print(f"\n  {run.processes} process(es), {run.screens} screens, {samples.sent} moves "
          f"through nginx, one at a time, in {run.seconds:.1f} s")
    print(f"  {'':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5}")
    for label, figures in (("move -> every screen", values),
                           ("move -> first screen", samples.first_screen),
                           ("HTTP request alone", samples.http)):
        print(f"  {label:32} {ms(percentile(figures, .5))} {ms(percentile(figures, .95))} "
              f"{ms(max(figures) if figures else float('nan'))} {len(figures):5d}")
    lost = samples.misses + samples.errors
    print(f"  lost: {samples.misses} moves not seen by every screen within 10 s, "
          f"{samples.errors} refused; screens that disconnected: {run.side.group.disconnects}"
          + ("" if samples.sent == run.planned else f" (the run stopped after {samples.sent} "
             f"of {run.planned} moves)"))
    moves = run.moves
    print(f"  CPU per move: servers {run.cpu_per_move() * 1000:.1f} ms summed over "
          f"{run.processes} (of which {run.idle_share() * 1000:.1f} is what they spend in that "
          f"time with no move: {run.idle_rate * 1000:.0f} ms a second), nginx "
          f"{run.nginx_cpu / moves * 1000:.1f} ms, Redis {run.redis_cpu / moves * 1000:.1f} ms "
          f"(shared with whatever else uses it), clients {samples.client_cpu / moves * 1000:.1f} "
          "ms")
    cores = len(os.sched_getaffinity(0))
    print(f"  the clients' CPU per move over this machine's {cores} cores: "
          f"{samples.client_cpu / moves / cores * 1000:.0f} ms, the least it can show as move -> "
          "every screen whatever the servers do (real screens decode on their own CPUs)")
    for number, (pid, rss, held) in enumerate(run.per_process):
        print(f"  process {number + 1} (pid {pid}): RSS {rss:.0f} MiB, {held} connections "
              "from nginx (its screens)")
    p95 = percentile(values, .95) * 1000
    return [
        f"{verdict(p95 <= GOAL_P95_MS and not lost and not run.side.group.disconnects)}  "
        f"{run.processes} process(es): move -> all {run.screens} screens p95 {p95:.0f} ms, "
        f"{lost} moves lost, {run.side.group.disconnects} screens dropped "
        f"(goal <= {GOAL_P95_MS:.0f} ms, nothing lost)",
        f"{verdict(run.cpu_per_move() * 1000 <= GOAL_CPU_MS)}  {run.processes} process(es): "
        f"server CPU per move {run.cpu_per_move() * 1000:.1f} ms on PostgreSQL "
        f"(goal <= {GOAL_CPU_MS:.0f} ms)",
    ]


def prepare(stack_env: dict[str, str], nginx: str, args,
            folder: Path) -> tuple[AppMoves, tuple[str, str]]:
    """Migrate the database, add counties, the benchmark's member with an API token and a wall
    display, and the projects the moves go round (made through a process, as a script would);
    returns the moves, the member's API token and the display's token."""
    from tests.databases import run_sql
    from tests.deploy.stack import Stack

    folder.mkdir(parents=True)
    stack = Stack(folder, stack_env)
    stack.flask("db", "upgrade")
    stack.flask("county", "add", *COUNTIES)
    stack.flask("user", "create", "bench", "--role", "member", "--display-name", "基准测试员",
                env={"WALLCHART_PASSWORD": uuid.uuid4().hex})
    stack.flask("team", "create", "基准专班")
    stack.flask("team", "add", "基准专班", "bench")
    token = stack.flask("user", "token", "bench").strip().splitlines()[-1]
    wall_link = stack.flask("display", "create", "bench-wall").strip().splitlines()[-1]
    display_token = wall_link.split("token=", 1)[1]
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(stack.stop)
        stack.start(nginx, processes=1)
        http = Http(stack.nginx.port, {"Authorization": f"Bearer {token}"})
        cleanup.callback(http.close)
        projects = []
        for i in range(args.projects_live):
            county, chain = COUNTIES[i % len(COUNTIES)], CHAINS[i % len(CHAINS)]
            status, body = http.post("/api/projects", {
                "allow_duplicate": True, "name": f"怀化{county}{chain}项目（{i + 1}）",
                "investor": f"湖南{INVESTORS[i % len(INVESTORS)]}投资发展有限公司",
                "investment_wan": 35000 + 1000 * i, "county": county, "sector": "industry"})
            if status != 201:
                raise RuntimeError(f"creating a project answered {status}: {body[:300]!r}")
            projects.append(json.loads(body))
    # Cards with an owner, as on a real board (a member may not assign; the version stays).
    run_sql(stack.database_url, 'UPDATE project SET owner_id = (SELECT id FROM "user" '
            "WHERE username = 'bench')")
    return AppMoves(http, 0, projects), (token, display_token)


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench.processes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screens", type=int, default=5000, help="screens (5000)")
    parser.add_argument("--moves", type=int, default=40, help="timed moves (40)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up moves (5)")
    parser.add_argument("--client-processes", type=int, default=8,
                        help="processes holding the screens (8)")
    add_client_choice(parser)
    parser.add_argument("--projects-live", type=int, default=20,
                        help="projects the moves go round (20)")
    parser.add_argument("--connect-timeout", type=float, default=900,
                        help="seconds for every screen to connect (900)")
    parser.add_argument("--single", action="store_true",
                        help="then one process behind nginx, the same way (at most "
                             f"{SCREENS_PER_PROCESS} screens)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    import redis

    from tests.databases import PostgresDatabases
    from tests.deploy.stack import nginx_executable, settings
    from tests.live import REDIS_URL

    args = parse_args(argv)
    started = time.monotonic()
    # Stopped by a signal, it still stops what it started (nginx and gunicorn have sessions of
    # their own): the exit unwinds the cleanups.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    nginx = nginx_executable()
    if nginx is None:
        raise SystemExit("nginx is not installed (apt-get install -y nginx)")
    queue = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    queue.ping()
    # gunicorn and nginx inherit this process's limit: each screen is an open file in each.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(f"Wallchart multi-process benchmark  {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print(machine_line())
    print(f"  open files allowed {hard}; nginx from {nginx}; Redis {REDIS_URL}; PostgreSQL")
    verdicts: list[str] = []
    with contextlib.ExitStack() as cleanup:
        folder = work_folder(cleanup, args.keep, "wallchart-processes-")
        databases = PostgresDatabases()
        cleanup.callback(databases.close)
        env = settings(folder, databases.new(folder), REDIS_URL,
                       f"wallchart-bench-{uuid.uuid4().hex}", uuid.uuid4().hex)
        moves, tokens = prepare(env, nginx, args, folder / "prepare")
        print(f"  database migrated, {args.projects_live} projects; screens from "
              f"{source_address(0)} on, one address each", flush=True)
        runs = [run_stack(args, nginx, env, moves, tokens, 2, args.screens, folder / "two",
                          queue)]
        if args.single:
            screens = min(args.screens, SCREENS_PER_PROCESS)
            runs.append(run_stack(args, nginx, env, moves, tokens, 1, screens, folder / "one",
                                  queue))
        for run in runs:
            verdicts += report(run)
        print("\n" + machine_line())
    print_goals(started, verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
