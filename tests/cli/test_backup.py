"""``flask backup`` takes a consistent copy while the real server writes; ``flask restore`` puts
one back with the server stopped and keeps what it replaced; ``python wsgi.py`` backs up before
it migrates a database that holds data. Bad input is refused with a message and changes nothing.
They speak the terminal's language: Chinese, unless it speaks English.
"""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.forks import flask_command
from tests.live import LiveServer
from tests.scratch_databases import HEAD, REVISIONS, Database, make_database, only_on

pytestmark = pytest.mark.live


def _projects(path: Path) -> set[int]:
    with sqlite3.connect(path) as copy:
        return {row[0] for row in copy.execute("SELECT id FROM project")}


class Writer(threading.Thread):
    """Creates projects through the real server's API, one after another, until stopped."""

    def __init__(self, server: LiveServer, token: str):
        super().__init__(daemon=True)
        self.url = f"{server.url}/api/projects"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acknowledged: list[tuple[float, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with requests.Session() as http:
            while not self.stopping.is_set():
                number = len(self.acknowledged)
                response = http.post(self.url, headers=self.headers, timeout=30, json={
                    "name": f"写入中的项目{number}", "investor": f"投资方{number}",
                    "investment_wan": 1000 + number, "county": "鹤城区",
                    "sector": "industry", "allow_duplicate": True})
                assert response.status_code == 201, response.text
                self.acknowledged.append((time.monotonic(), response.json()["id"]))

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.acknowledged) < count:
            assert self.is_alive() and time.monotonic() < deadline, "the writer stalled"
            time.sleep(0.05)


def test_a_backup_taken_while_the_server_writes_is_whole_and_restores(live_server, tmp_path):
    only_on("sqlite")  # what a file copy would miss is in SQLite's WAL; pg_dump is one snapshot
    live_server.flask("county", "add", "鹤城区")
    token = live_server.flask("user", "token", "member").splitlines()[-1]
    writer = Writer(live_server, token)
    writer.start()
    writer.wait_for(20)
    folder = tmp_path / "backups"
    folder.mkdir()

    started = time.monotonic()
    answer = live_server.flask("backup", str(folder))
    writer.wait_for(len(writer.acknowledged) + 10)  # it went on writing meanwhile
    writer.stopping.set()
    writer.join()

    [backup] = folder.iterdir()
    assert backup.name.startswith("wallchart-") and backup.suffix == ".sqlite"
    assert str(backup) in answer
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds password hashes
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    # Everything acknowledged before the backup began is in it, rows still in the WAL too...
    in_backup = {row[0] for row in copy.execute("SELECT id FROM project")}
    before = {project for at, project in writer.acknowledged if at < started}
    assert before <= in_backup
    # ...and it is one moment: no gaps, each project with its history, the revision counted.
    assert in_backup == set(range(1, max(in_backup) + 1))
    assert copy.execute("SELECT count(DISTINCT project_id) FROM project_event "
                        "WHERE action = 'created'").fetchone() == (len(in_backup),)
    assert copy.execute("SELECT revision FROM board_state").fetchone() == copy.execute(
        "SELECT max(revision) FROM project_event").fetchone()
    copy.close()
    everything = {project for _at, project in writer.acknowledged}
    assert in_backup < everything

    # A restore refuses while the server answers, and changes nothing.
    database = live_server.folder / "wallchart.sqlite"
    refused = _flask_fails(live_server, "restore", str(backup), "--yes")
    assert (f"错误：有程序正在 127.0.0.1:{live_server.port} 上运行：请先停止 Wallchart（所有进程）"
            "再恢复。") in refused
    assert _projects(database) == everything

    live_server.stop()
    restored = live_server.flask("restore", str(backup), "--yes")
    [replaced] = live_server.folder.glob("wallchart.sqlite.replaced-*")
    assert restored.strip() == f"已从 {backup} 恢复数据库；被替换的数据库保存在 {replaced}"
    assert _projects(replaced) == everything  # the replaced database, kept beside it
    assert _projects(database) == in_backup

    live_server.start()  # and the server serves what was restored
    listed = requests.get(f"{live_server.url}/api/projects", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()["projects"]
    assert {project["id"] for project in listed} == in_backup


#: An operator's terminal in Chinese, and one in English.
CHINESE = {"LANG": "zh_CN.UTF-8"}
ENGLISH = {"LANG": "en_US.UTF-8"}


def _terminal(env: dict[str, str], language: dict[str, str]) -> dict[str, str]:
    """``env`` with the terminal's language replaced by ``language``."""
    return {**{name: value for name, value in env.items()
               if name not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}, **language}


def _flask_fails(install: Database | LiveServer, *args: str,
                 language: dict[str, str] = CHINESE) -> str:
    """Run a command that must be refused in a terminal speaking ``language``: exit 1, one
    error line on stderr with Click's prefix in that language, no traceback; returns it."""
    done = flask_command(_terminal(install.env, language), *args, timeout=60)
    output, code = done.stdout + done.stderr, done.returncode
    assert code == 1, output
    assert "Traceback" not in output and not done.stdout, output
    prefix = "Error: " if language == ENGLISH else "错误："
    assert done.stderr.startswith(prefix) and len(done.stderr.splitlines()) == 1, output
    return done.stderr.strip()


def _backed_up_to(answer: str) -> Path:
    """The file a backup's success line names (in Chinese)."""
    assert answer.startswith("已将数据库备份到 "), answer
    return Path(answer.removeprefix("已将数据库备份到 ").strip())


@pytest.fixture
def sqlite_db(tmp_path):
    (tmp_path / "install").mkdir()
    with make_database("sqlite", tmp_path / "install") as database:
        database.env = _terminal(database.env, CHINESE)
        database.flask("db", "upgrade")
        database.flask("county", "add", "鹤城区")
        yield database


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.txt"
    text.write_text("not a backup\n")
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE t (x)")
    unknown = tmp_path / "unknown.sqlite"
    with sqlite3.connect(unknown) as other:
        other.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        other.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    return {"missing": tmp_path / "missing.sqlite", "folder": tmp_path, "text": text,
            "foreign": foreign, "unknown": unknown}


def test_bad_paths_are_refused_with_a_message_and_change_nothing(sqlite_db, tmp_path):
    """What a Chinese operator reads: Click's 错误： and the whole sentence, in Chinese."""
    database = sqlite_db.folder / "wallchart.sqlite"
    before = database.read_bytes()
    existing = tmp_path / "existing.sqlite"
    existing.write_text("keep me")

    for path, messages in [
            (tmp_path / "nowhere" / "b.sqlite", [f"错误：{tmp_path / 'nowhere'} 不是目录。"]),
            (existing / "b.sqlite", [f"错误：{existing} 不是目录。"]),
            (existing, [f"错误：{existing} 已存在：请换一个新文件名，或指定一个目录。"]),
            # Refused by its permissions, or (as root) when the file cannot be made.
            (Path("/proc/wallchart-backup.sqlite"),
             ["错误：无法在 /proc 中写入（没有权限）。",
              "错误：无法写入 /proc/wallchart-backup.sqlite："])]:
        refused = _flask_fails(sqlite_db, "backup", str(path))
        assert any(refused.startswith(message) for message in messages), refused
    assert existing.read_text() == "keep me"

    good = _backed_up_to(sqlite_db.flask("backup", str(tmp_path)).stdout)
    assert good.parent == tmp_path and good.suffix == ".sqlite"
    assert _flask_fails(sqlite_db, "restore", str(good)) == (
        "错误：此操作将用备份替换整个数据库。请先停止 Wallchart，再加上 --yes 重新运行。")
    bad = _bad_files(tmp_path)
    for path, message in [
            (bad["missing"], f"错误：{bad['missing']} 不存在。"),
            (bad["folder"], f"错误：{tmp_path} 不是文件。"),
            (bad["text"], f"错误：{bad['text']} 不是 SQLite 备份。"),
            (bad["foreign"], f"错误：{bad['foreign']} 不是 Wallchart 备份（no such table: "
                             "alembic_version）。"),
            (bad["unknown"], f"错误：{bad['unknown']} 的数据库结构版本为 9999_from_the_future，"
                             "当前版本的 Wallchart 无法识别："
                             "请用生成该备份的 Wallchart 版本恢复。"),
            (database, f"错误：{database} 就是当前使用的数据库本身。")]:
        assert _flask_fails(sqlite_db, "restore", str(path), "--yes") == message
    assert database.read_bytes() == before
    assert not list(sqlite_db.folder.glob("*.replaced-*"))


def test_an_english_terminal_reads_the_refusals_in_english(sqlite_db, tmp_path):
    database = sqlite_db.folder / "wallchart.sqlite"
    before = database.read_bytes()
    missing = tmp_path / "missing.sqlite"
    assert _flask_fails(sqlite_db, "restore", str(missing), "--yes", language=ENGLISH) == (
        f"Error: {missing} does not exist.")
    assert _flask_fails(sqlite_db, "restore", str(missing), language=ENGLISH) == (
        "Error: This replaces the whole database with the backup. Stop Wallchart, then run "
        "again with --yes.")
    written = flask_command(_terminal(sqlite_db.env, ENGLISH), "backup", str(tmp_path))
    assert written.returncode == 0, written.stderr
    [backup] = tmp_path.glob("wallchart-*.sqlite")
    assert written.stdout == f"Backed up the database to {backup}\n"
    assert database.read_bytes() == before
    assert not list(sqlite_db.folder.glob("*.replaced-*"))


def test_python_wsgi_backs_up_before_it_migrates_a_database_with_data(tmp_path):
    old = REVISIONS[-2]
    (tmp_path / "old").mkdir()
    with make_database("sqlite", tmp_path / "old") as database:
        database.flask("db", "upgrade", old)
        with database.connect() as connection:
            connection.execute(sa.text("INSERT INTO county (name, kind, sort_order) "
                                       "VALUES ('鹤城区', 'district', 1)"))
    (tmp_path / "server").mkdir()
    server = LiveServer(tmp_path / "server", database.url)
    server.start()
    server.stop()
    [backup] = (tmp_path / "server" / "backups").iterdir()
    assert f"upgrade-{old}-to-{HEAD}" in backup.name
    assert f"Backed up the database before the upgrade {old} -> {HEAD}: {backup}" \
        in server.log.read_text()
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (old,)
        assert copy.execute("SELECT name FROM county").fetchall() == [("鹤城区",)]

    server.start()  # nothing pending: no second backup
    server.stop()
    assert len(list((tmp_path / "server" / "backups").iterdir())) == 1


def test_no_migration_when_its_backup_fails(tmp_path):
    with make_database("sqlite", tmp_path) as database:
        database.flask("db", "upgrade", REVISIONS[-2])
        with database.connect() as connection:  # data (commands refuse a schema this old)
            connection.execute(sa.text("INSERT INTO county (name, kind, sort_order) "
                                       "VALUES ('鹤城区', 'district', 1)"))
        (tmp_path / "backups").write_text("a file where the folder should be")
        refused = database.flask("db", "upgrade", check=False)
        assert refused.returncode == 1
        assert "No upgrade without a backup, and the backup failed: Cannot make" \
            in refused.stderr and "Traceback" not in refused.stderr
        with database.connect() as connection:
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")
                                      ).scalar() == REVISIONS[-2]


def test_postgresql_backup_and_restore_round_trip(tmp_path):
    with make_database("postgresql", tmp_path) as database:
        database.env = _terminal(database.env, CHINESE)
        database.flask("db", "upgrade")
        database.flask("county", "add", "鹤城区", "中方县")
        database.flask("display", "create", "大厅", "--profile", "lobby")
        backup = _backed_up_to(database.flask("backup", str(tmp_path)).stdout)
        assert backup.suffix == ".dump" and backup.parent == tmp_path
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600

        database.flask("county", "add", "洪江市")
        database.flask("display", "revoke", "大厅")
        bad = _bad_files(tmp_path)
        for path, message in [
                (bad["missing"], f"错误：{bad['missing']} 不存在。"),
                (tmp_path, f"错误：{tmp_path} 不是文件。"),
                *((bad[name],
                   f"错误：{bad[name]} 不是 PostgreSQL 备份（pg_dump --format=custom）。")
                  for name in ("text", "foreign"))]:
            assert _flask_fails(database, "restore", str(path), "--yes") == message
        assert _flask_fails(database, "restore", str(bad["text"]), "--yes", language=ENGLISH) == (
            f"Error: {bad['text']} is not a PostgreSQL backup (pg_dump --format=custom).")
        assert not [path for path in database.backups if ".replaced-" in path.name]

        restored = database.flask("restore", str(backup), "--yes").stdout
        with database.connect() as connection:
            assert connection.execute(sa.text("SELECT name FROM county ORDER BY id")
                                      ).scalars().all() == ["鹤城区", "中方县"]
            assert connection.execute(sa.text(
                "SELECT profile, revoked_at IS NULL FROM display_token")).all() == [
                ("lobby", True)]
        [replaced] = [path for path in database.backups if ".replaced-" in path.name]
        assert restored.strip() == f"已从 {backup} 恢复数据库；被替换的数据库保存在 {replaced}"

        # What the restore replaced is a whole backup too.
        database.flask("restore", str(replaced), "--yes")
        with database.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM county")).scalar() == 3
