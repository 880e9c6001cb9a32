"""Every migration goes up from every earlier revision, and down to the first and up again,
with rows in every table, on SQLite and PostgreSQL; a step that changes the schema of a database
that holds data is preceded by a backup, and the way back from a downgrade is that backup.

The revisions come from the script directory, so a new migration is covered without editing
this file; a new table needs sample rows in ``SAMPLE_ROWS`` (the test says which).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.scratch_databases import FIRST, HEAD, KINDS, REVISIONS, SCRIPTS, make_database

LOBBY, STAFF = 1, 2
CONFIDENTIAL, WITHDRAWN = 1, 2

_AT = datetime(2026, 3, 2, 9, 30)
_PASSWORD = "scrypt:32768:8:1$salt$" + "0" * 64

#: Rows for every table any revision has, with the columns of the newest one; a revision that
#: lacks a column (or a table) just leaves it out. board_state's one row comes with the schema.
SAMPLE_ROWS: dict[str, list[dict]] = {
    "user": [
        dict(id=1, username="admin", display_name="管理员", password_hash=_PASSWORD,
             role="admin", active=True, created_at=_AT),
        dict(id=2, username="zhangsan", display_name="张三", password_hash=_PASSWORD,
             role="lead", active=True, created_at=_AT),
        dict(id=3, username="lisi", display_name="李四", password_hash=_PASSWORD,
             role="member", active=False, created_at=_AT),
    ],
    "api_token": [
        dict(id=1, user_id=2, token_hash="a" * 64, created_at=_AT, revoked_at=None,
             last_used_at=_AT),
        dict(id=2, user_id=3, token_hash="b" * 64, created_at=_AT, revoked_at=_AT,
             last_used_at=None),
    ],
    "display_token": [
        dict(id=LOBBY, name="大厅", token_hash="c" * 64, created_at=_AT, revoked_at=None,
             profile="lobby", views=["board", "charts"], rotate_seconds=30,
             header_figures=["signed", "funds_in_place", "foreign_capital_actual", "started",
                             "producing", "signed_investment", "foreign_capital"]),
        dict(id=STAFF, name="会议室", token_hash="d" * 64, created_at=_AT, revoked_at=None,
             profile="staff", views=["board"], rotate_seconds=60, in_meeting=True,
             header_figures=["signed", "signed_investment", "signed_billion_plus",
                             "signed_three500", "foreign_capital", "started", "producing"]),
    ],
    "setup_token": [dict(id=1, token_hash="e" * 64, created_at=_AT)],
    "county": [
        dict(id=1, name="鹤城区", kind="district", sort_order=1),
        dict(id=2, name="中方县", kind="county", sort_order=2),
    ],
    "team": [
        dict(id=1, name="一组", lead_id=2, created_at=_AT),
        dict(id=2, name="二组", lead_id=None, created_at=_AT),
    ],
    "team_member": [dict(team_id=1, user_id=2), dict(team_id=1, user_id=3),
                    dict(team_id=2, user_id=3)],
    "project": [
        dict(id=CONFIDENTIAL, name="新能源电池项目", code="XNY-2026/001",
             investor="某某新能源科技有限公司",
             investment_wan=120000, county_id=1, sector="industry", stage="signed", rank=1.0,
             stage_entered_at=date(2026, 3, 1), owner_id=2, created_at=_AT, updated_at=_AT,
             deleted_at=None, version=3, team_id=1, confidential=True, foreign_invested=True,
             foreign_capital_usd_wan=800, three500="fortune500", signed_on=date(2026, 3, 1),
             promised_start_on=date(2026, 6, 30), signing_verified_at=_AT,
             signing_verified_by_id=2, agreement_kind="contract",
             project_kind="capital_increase", increment_wan=20000,
             contracted_on=date(2026, 3, 5),
             negotiating_on=date(2026, 1, 10), next_step="签订补充协议",
             next_step_due=date(2026, 4, 1), next_step_owner_id=2,
             contact_person="王经理", contact_phone="13800000000", land_mu=120,
             last_note_on=date(2026, 3, 2), open_blockers=1, blocker_due=date(2026, 4, 15)),
        dict(id=WITHDRAWN, name="文旅综合体", code="WL_2026-07", investor="某文旅集团",
             investment_wan=50000,
             county_id=2, sector="tourism", stage="negotiating", rank=2.0,
             stage_entered_at=date(2026, 2, 1), owner_id=3, created_at=_AT, updated_at=_AT,
             deleted_at=None, version=2, team_id=2, status="withdrawn", withdrawn_at=_AT,
             withdrawn_reason="went_elsewhere", withdrawn_comment="落户邻市",
             negotiating_on=date(2026, 2, 1)),
        dict(id=3, name="冷链物流园", investor="某物流公司", investment_wan=8000, county_id=None,
             sector=None, stage="contact", rank=3.0, stage_entered_at=date(2026, 2, 20),
             owner_id=None, created_at=_AT, updated_at=_AT, deleted_at=_AT, version=1,
             team_id=1, contact_on=date(2026, 2, 20)),
        dict(id=4, name="智慧农业示范区", investor="某农业科技公司", investment_wan=30000,
             county_id=2, sector="agriculture", stage="started", rank=4.0,
             stage_entered_at=date(2025, 11, 5), owner_id=2, created_at=_AT, updated_at=_AT,
             deleted_at=None, version=5, team_id=1, started_on=date(2025, 11, 5),
             signed_on=date(2025, 9, 1), agreement_kind="framework", project_kind="upgrade"),
    ],
    "project_event": [
        dict(id=1, project_id=1, at=_AT, user_id=2, action="created", from_stage=None,
             to_stage="contact", changes={}, reason=None, revision=1),
        dict(id=2, project_id=1, at=_AT, user_id=2, action="moved", from_stage="negotiating",
             to_stage="signed", changes={"stage": ["negotiating", "signed"]},
             reason="签约仪式", revision=2),
        dict(id=3, project_id=1, at=_AT, user_id=3, action="noted", from_stage=None,
             to_stage=None, changes={"note": "客户要求用地指标提前落实"}, reason=None,
             revision=3),
        dict(id=4, project_id=2, at=_AT, user_id=None, action="withdrawn", from_stage=None,
             to_stage=None, changes={}, reason="落户邻市", revision=4),
    ],
    "user_session": [
        dict(id=1, token_hash="f" * 64, user_id=2, created_at=_AT, last_seen_at=_AT,
             ended_at=None, end_reason=None),
        dict(id=2, token_hash="g" * 64, user_id=3, created_at=_AT, last_seen_at=_AT,
             ended_at=_AT, end_reason="signed_out"),
    ],
    "audit_entry": [
        dict(id=1, at=_AT, actor_id=1, action="user.create", target="zhangsan",
             details={"role": "lead"}),
        dict(id=2, at=_AT, actor_id=None, action="display.create", target="大厅",
             details={"profile": "lobby"}),
    ],
    "blocker": [
        dict(id=1, project_id=1, kind="land", department="自然资源局", description="用地指标未落实",
             raised_on=date(2026, 3, 2), due_on=date(2026, 4, 15), status="open",
             resolution="", resolved_on=None, raised_by_id=2, resolved_by_id=None,
             created_at=_AT, version=1, meeting_id=1, follow_up="市商务局 王科长"),
        dict(id=2, project_id=4, kind="power", department="供电公司", description="临时用电",
             raised_on=date(2025, 11, 6), due_on=None, status="resolved",
             resolution="已接通", resolved_on=date(2025, 11, 20), raised_by_id=2,
             resolved_by_id=1, created_at=_AT, version=2),
    ],
    "fund_receipt": [
        dict(id=1, project_id=CONFIDENTIAL, received_on=date(2026, 3, 10), amount_wan=20000,
             foreign_usd_wan=500, document="银收〔2026〕12号", note="首期注资", recorded_by_id=2,
             recorded_at=_AT, removed_at=None, removed_by_id=None, removed_reason=None,
             version=1),
        dict(id=2, project_id=4, received_on=date(2025, 12, 1), amount_wan=3000,
             foreign_usd_wan=None, document="", note="", recorded_by_id=3, recorded_at=_AT,
             removed_at=_AT, removed_by_id=1, removed_reason="重复录入", version=2),
    ],
    "project_document": [
        dict(id=1, project_id=CONFIDENTIAL, kind="agreement", stored_name="a1" * 16,
             filename="投资协议.pdf", content_type="application/pdf", size_bytes=52001,
             uploaded_by_id=2, uploaded_at=_AT, removed_at=None, removed_by_id=None,
             removed_reason=None, version=1),
        dict(id=2, project_id=4, kind="other", stored_name="b2" * 16, filename="scan.png",
             content_type="image/png", size_bytes=800, uploaded_by_id=3, uploaded_at=_AT,
             removed_at=_AT, removed_by_id=1, removed_reason="传错了", version=2),
    ],
    "meeting": [
        dict(id=1, title="三月项目调度会", held_on=date(2026, 3, 2), guests="市长、分管副市长",
             created_by_id=2, created_at=_AT, current_position=1, shown_view="ranking"),
        dict(id=2, title="四月项目调度会", held_on=date(2026, 4, 6), guests="",
             created_by_id=1, created_at=_AT),
    ],
    "meeting_attendee": [dict(meeting_id=1, user_id=1), dict(meeting_id=1, user_id=2)],
    "meeting_item": [
        dict(id=1, meeting_id=1, project_id=CONFIDENTIAL, position=0),
        dict(id=2, meeting_id=1, project_id=4, position=1),
        dict(id=3, meeting_id=2, project_id=CONFIDENTIAL, position=0),
    ],
    "notification": [
        dict(id=1, user_id=2, project_id=1, kind="assigned", key="assigned:assigned:1:2",
             data={"project": "冷链物流园"}, created_at=_AT, read_at=None),
        dict(id=2, user_id=3, project_id=None, kind="warning", key="warning:1:red:2026-03-02",
             data={"project": "冷链物流园", "colour": "red"}, created_at=_AT, read_at=_AT),
    ],
    "notification_preference": [
        dict(user_id=2, muted=["stage", "digest"], updated_at=_AT),
        dict(user_id=3, muted=[], updated_at=_AT),
    ],
    "warning_light": [
        dict(project_id=1, colour="red", seen_at=_AT),
        dict(project_id=4, colour=None, seen_at=_AT),
    ],
    "team_webhook": [
        dict(id=1, team_id=1, kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/"
             "send?key=abc", secret="", events=[], lobby_safe=False, created_at=_AT,
             removed_at=None),
        dict(id=2, team_id=1, kind="generic", url="https://hooks.example.cn/wallchart",
             secret="s3cret", events=["moved"], lobby_safe=True, created_at=_AT,
             removed_at=_AT),
    ],
    "webhook_delivery": [
        dict(id=1, webhook_id=1, event="moved", project_id=1, status="delivered", attempts=1,
             response_status=200, error="", created_at=_AT, finished_at=_AT,
             message={"event": "moved", "project_id": 1, "title": "冷链物流园进入在谈",
                      "lines": ["阶段：洽谈 → 在谈"], "data": {"event": "moved"}},
             claimed_at=_AT),
        dict(id=2, webhook_id=2, event="assigned", project_id=None, status="failed",
             attempts=5, response_status=500, error="HTTP 500", created_at=_AT,
             finished_at=_AT, message=None, claimed_at=None),
    ],
    "county_target": [
        dict(id=1, county_id=1, year=2026, signed_count=12, signed_investment_wan=500000,
             started_count=6, foreign_capital_usd_wan=2000, funds_in_place_wan=300000,
             foreign_capital_actual_usd_wan=1500),
    ],
}


def _fill(connection: sa.Connection) -> sa.MetaData:
    """Insert the sample rows every table of this revision can hold; return its schema."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    for table in metadata.sorted_tables:
        if table.name in ("alembic_version", "board_state"):
            continue
        assert table.name in SAMPLE_ROWS, f"no sample rows for table {table.name}: add some"
        for row in SAMPLE_ROWS[table.name]:
            connection.execute(table.insert().values(
                {key: value for key, value in row.items() if key in table.c}))
    connection.execute(sa.text("UPDATE board_state SET revision = 4"))
    return metadata


def _stored(connection: sa.Connection, metadata: sa.MetaData) -> dict[str, list[tuple]]:
    """Every row of every table in ``metadata`` (its columns only), in primary key order."""
    current = sa.MetaData()
    current.reflect(connection)
    stored = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        now = current.tables[table.name]
        columns = [now.c[column.name] for column in table.c]
        stored[table.name] = [tuple(row) for row in connection.execute(
            sa.select(*columns).order_by(*now.primary_key.columns))]
    return stored


def _revision(connection: sa.Connection) -> str:
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


#: How a project held before 0014 is counted: a contract for a new project.
NOTHING_CHANGES = ("contract", "new", 0, None)


def _counting(connection: sa.Connection) -> list[tuple]:
    return [tuple(row) for row in connection.execute(sa.text(
        "SELECT agreement_kind, project_kind, increment_wan, contracted_on FROM project "
        "ORDER BY id"))]


def _profiles(connection: sa.Connection) -> dict[int, str]:
    return dict(connection.execute(sa.text("SELECT id, profile FROM display_token")).all())


@pytest.fixture(params=KINDS)
def kind(request) -> str:
    return request.param


def test_the_revisions_are_one_line_and_each_says_what_its_downgrade_drops():
    assert len(SCRIPTS.get_heads()) == 1
    for revision in REVISIONS:
        module = SCRIPTS.get_revision(revision).module
        assert getattr(module, "DROPPED_BY_DOWNGRADE", "").strip(), revision


@pytest.mark.parametrize("start", REVISIONS[:-1])
def test_an_upgrade_from_every_revision_keeps_every_row(kind, start, tmp_path):
    with make_database(kind, tmp_path) as database:
        database.flask("db", "upgrade", start)
        assert database.backups == []  # an empty database needs none
        with database.connect() as connection:
            schema = _fill(connection)
            before = _stored(connection, schema)

        upgraded = database.flask("db", "upgrade")

        with database.connect() as connection:
            assert _revision(connection) == HEAD
            assert _stored(connection, schema) == before
            projects = connection.execute(sa.text(
                "SELECT id, team_id, stage, stage_entered_at, confidential, status, "
                "signed_on, started_on FROM project ORDER BY id")).all()
            profiles = _profiles(connection)
            counting = _counting(connection)
            walls = connection.execute(sa.text(
                "SELECT id, in_meeting FROM display_token ORDER BY id")).all()
        # What the upgrade adds to existing rows is the safe or the known value.
        if "profile" not in schema.tables["display_token"].c:
            assert profiles == {LOBBY: "lobby", STAFF: "lobby"}
        else:
            assert profiles == {LOBBY: "lobby", STAFF: "staff"}
        if "meeting" in schema.tables and "in_meeting" not in schema.tables["display_token"].c:
            # A meeting was on the walls: every active wall stays in it, as before.
            assert [bool(wall.in_meeting) for wall in walls] == [True, True]
        if "agreement_kind" not in schema.tables["project"].c:
            # Every project held so far is a contract for a new project: nothing reported
            # before changes.
            assert counting == [NOTHING_CHANGES] * 4
        if "team" not in schema.tables:
            assert {project.team_id for project in projects} == {1}
        if "confidential" not in schema.tables["project"].c:
            assert [project.confidential for project in projects] == [False] * 4
            assert {project.status for project in projects} == {"active"}
            by_id = {project.id: project for project in projects}
            assert by_id[CONFIDENTIAL].signed_on == by_id[CONFIDENTIAL].stage_entered_at
            assert by_id[4].started_on == by_id[4].stage_entered_at
        else:
            assert [project.confidential for project in projects][:2] == [True, False]
            assert projects[1].status == "withdrawn"

        # The database held data: a backup at the old revision was taken first and named.
        [backup] = database.backups
        assert f"upgrade-{start}-to-{HEAD}" in backup.name
        assert str(backup) in upgraded.stderr
        if kind == "sqlite":
            copy = sqlite3.connect(backup)
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (start,)
            assert copy.execute("SELECT count(*) FROM project").fetchone() == (4,)
            copy.close()


def test_down_to_the_first_revision_and_up_again_and_back_by_the_backup(kind, tmp_path):
    with make_database(kind, tmp_path) as database:
        database.flask("db", "upgrade")
        with database.connect() as connection:
            schema = _fill(connection)
            before = _stored(connection, schema)
            first = sa.MetaData()

        downgraded = database.flask("db", "downgrade", FIRST)

        # It said what it drops, revision by revision, and backed up first.
        for revision in REVISIONS[1:]:
            assert f"Downgrade from {revision} drops: " in downgraded.stderr
            assert "not described" not in downgraded.stderr
        [backup] = database.backups
        assert f"downgrade-{HEAD}-to-{FIRST}" in backup.name
        assert str(backup) in downgraded.stderr
        with database.connect() as connection:
            assert _revision(connection) == FIRST
            first.reflect(connection)
            kept = _stored(connection, first)

        database.flask("db", "upgrade")

        with database.connect() as connection:
            assert _revision(connection) == HEAD
            # Every row of the first schema survived, column by column, both ways.
            assert _stored(connection, first) == kept
            assert {name: len(rows) for name, rows in kept.items()} == {
                name: len(before[name]) for name in kept}
            # What the downgrade dropped comes back as the safe value, not as it was:
            assert _profiles(connection) == {LOBBY: "lobby", STAFF: "lobby"}
            assert _counting(connection) == [NOTHING_CHANGES] * 4
            assert connection.execute(sa.text(
                "SELECT count(*) FROM project WHERE confidential OR status = 'withdrawn'"
            )).scalar_one() == 0

        # The rollback path: restore the backup the downgrade took.
        restored = database.flask("restore", str(backup), "--yes")
        assert restored.stdout.startswith(f"已从 {backup} 恢复数据库")  # the console speaks Chinese
        with database.connect() as connection:
            assert _revision(connection) == HEAD
            assert _stored(connection, schema) == before
            assert _profiles(connection) == {LOBBY: "lobby", STAFF: "staff"}


def test_a_sqlite_migration_that_would_leave_broken_references_changes_nothing(tmp_path):
    with make_database("sqlite", tmp_path) as database:
        database.flask("db", "upgrade", FIRST)
        with sqlite3.connect(tmp_path / "wallchart.sqlite") as raw:  # foreign keys off
            raw.execute("INSERT INTO project_event (id, project_id, at, action, changes, "
                        "revision) VALUES (1, 99, '2026-03-02 09:30:00', 'noted', '{}', 1)")

        refused = database.flask("db", "upgrade", check=False)

        assert refused.returncode == 1
        assert "Not migrated, nothing was changed: 1 row(s) would point at rows that do not " \
               "exist (table, row id, referenced table): [('project_event', 1, 'project')]" \
               in refused.stderr
        with database.connect() as connection:
            assert _revision(connection) == FIRST
            assert "team" not in sa.inspect(connection).get_table_names()
            assert connection.execute(sa.text("SELECT count(*) FROM project_event")
                                      ).scalar() == 1


def test_an_upgrade_repairs_text_that_no_page_could_show(kind, tmp_path):
    """A lone surrogate stored in a JSON column (a note from before input checks) made every
    page that showed it answer 500; 0006 replaces it with U+FFFD and keeps proper pairs."""
    with make_database(kind, tmp_path) as database:
        database.flask("db", "upgrade", "0005")
        events = sa.table("project_event", sa.column("id", sa.Integer),
                          sa.column("changes", sa.JSON))
        audit = sa.table("audit_entry", sa.column("id", sa.Integer),
                         sa.column("details", sa.JSON))
        with database.connect() as connection:
            _fill(connection)
            connection.execute(events.update().where(events.c.id == 3).values(
                changes={"note": "\ud800坏了 \U0001F600"}))
            connection.execute(audit.update().where(audit.c.id == 1).values(
                details={"\udfffrole": ["lead\udc80"]}))

        database.flask("db", "upgrade", "0006")

        with database.connect() as connection:
            note = connection.execute(sa.select(events.c.changes)
                                      .where(events.c.id == 3)).scalar_one()
            details = connection.execute(sa.select(audit.c.details)
                                         .where(audit.c.id == 1)).scalar_one()
            untouched = connection.execute(sa.select(events.c.changes)
                                           .where(events.c.id == 2)).scalar_one()
        assert note == {"note": "\ufffd坏了 \U0001F600"}
        assert details == {"\ufffdrole": ["lead\ufffd"]}
        assert untouched == {"stage": ["negotiating", "signed"]}
        "".join(map(str, (note, details))).encode()  # every page can write it out now
