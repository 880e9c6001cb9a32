"""The stack's floor for the move-to-screen benchmark: what Flask, Flask-SQLAlchemy, Jinja and
Flask-SocketIO cost for a move's work, with none of Wallchart's code around it.

``bench/floor.py`` is the bare python-socketio server: a broadcast and nothing else. This one
answers the same ``POST /emit`` (a JSON body ``{"id": ..., "version": ...}``) and broadcasts the
same four ``project`` events, but first does what a move of the app does underneath its rules,
each step the plainest way the stack offers:

- a Flask request; the caller's API token looked up (a read transaction of its own);
- ``BEGIN IMMEDIATE``; the board revision taken (``UPDATE … RETURNING``); the project read
  with its county, team and owner; the caller's teams; the column's last rank; the lobby
  revision; the project updated at its version; its history entry inserted; its position in
  its column counted; the commit: the same thirteen statements, as SQLAlchemy Core statements
  (no ORM objects, no unit of work) on one SQLite file in WAL mode;
- a card rendered for each of the four rooms from a Jinja template that shows what a card
  shows (two dozen escaped values, a link), then emitted; the JSON answer.

So the app's CPU per move over this one's is what Wallchart's own code costs (its rules, the
ORM, Flask-Login, the rate limiter, the history's details, the warnings on a card), and this
one's over the bare floor's is what the fixed stack costs before any of it. Screens connect and
join rooms as the bare floor's do.

    python bench/stack_floor.py PORT FOLDER
"""

import sys

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

import hashlib  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask, jsonify, request, url_for  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from sqlalchemy import (  # noqa: E402
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    event,
    func,
    insert,
    select,
    update,
)

ROOMS = ("board:zh", "board:en", "wall:zh", "wall:en")
PROJECTS = 1000
TOKEN = "stack-floor-token"
STAGES = ("contact", "negotiating", "signed", "started", "producing")

metadata = MetaData()
user = Table("user", metadata, Column("id", Integer, primary_key=True),
             Column("username", String(64)), Column("display_name", String(64)),
             Column("role", String(16)), Column("active", Integer))
api_token = Table("api_token", metadata, Column("id", Integer, primary_key=True),
                  Column("user_id", ForeignKey("user.id")), Column("token_hash", String(64)),
                  Column("revoked_at", DateTime), Column("last_used_at", DateTime))
county = Table("county", metadata, Column("id", Integer, primary_key=True),
               Column("name", String(64)))
team = Table("team", metadata, Column("id", Integer, primary_key=True), Column("name", String(64)))
team_member = Table("team_member", metadata, Column("team_id", ForeignKey("team.id")),
                    Column("user_id", ForeignKey("user.id")))
board_state = Table("board_state", metadata, Column("id", Integer, primary_key=True),
                    Column("revision", Integer), Column("lobby_revision", Integer))
project = Table("project", metadata, Column("id", Integer, primary_key=True),
                Column("name", String(200)), Column("investor", String(200)),
                Column("investment_wan", Integer), Column("county_id", ForeignKey("county.id")),
                Column("team_id", ForeignKey("team.id")), Column("owner_id", ForeignKey("user.id")),
                Column("sector", String(16)), Column("stage", String(16)), Column("rank", Integer),
                Column("version", Integer), Column("stage_entered_at", Date),
                Column("updated_at", DateTime), Column("confidential", Integer))
project_event = Table("project_event", metadata, Column("id", Integer, primary_key=True),
                      Column("project_id", ForeignKey("project.id")), Column("at", DateTime),
                      Column("user_id", Integer), Column("action", String(16)),
                      Column("from_stage", String(16)), Column("to_stage", String(16)),
                      Column("changes", JSON), Column("reason", Text), Column("revision", Integer))

WORDS = {"zh": {"move": "移至…", "yi": "亿元", "industry": "工业", "big": "亿元以上",
                "no_owner": "未分配", "days": "天"},
         "en": {"move": "Move to…", "yi": "CNY 100M", "industry": "Industry", "big": "≥1bn",
                "no_owner": "No owner", "days": "days"}}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_app(folder: Path) -> tuple[Flask, SocketIO]:
    app = Flask(__name__, template_folder=Path(__file__).parent)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'stack-floor.sqlite'}"
    db = SQLAlchemy(app, metadata=metadata)
    socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None)
    state = {"immediate": False}

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE" if state["immediate"] else "BEGIN")

        metadata.drop_all(engine)
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(insert(user), [{"id": 1, "username": "bench", "role": "member",
                                               "display_name": "基准测试员", "active": 1}])
            connection.execute(insert(api_token), [{"user_id": 1, "token_hash": digest(TOKEN)}])
            connection.execute(insert(county), [{"id": 1, "name": "鹤城区"}])
            connection.execute(insert(team), [{"id": 1, "name": "基准专班"}])
            connection.execute(insert(team_member), [{"team_id": 1, "user_id": 1}])
            connection.execute(insert(board_state), [{"id": 1, "revision": 0,
                                                      "lobby_revision": 0}])
            connection.execute(insert(project), [
                {"id": n, "name": f"怀化鹤城区产业园项目{n}", "investor": "湖南投资发展有限公司",
                 "investment_wan": 35000 + 1000 * n, "county_id": 1, "team_id": 1,
                 "owner_id": 1, "sector": "industry", "stage": "contact", "rank": n * 1024,
                 "version": 1, "stage_entered_at": date(2026, 1, 1), "confidential": 0}
                for n in range(1, PROJECTS + 1)])

    owner = user.alias("owner")
    load_token = (select(user, api_token.c.id.label("token_id"), api_token.c.last_used_at)
                  .join(api_token, api_token.c.user_id == user.c.id)
                  .where(api_token.c.token_hash == bindparam("digest"),
                         api_token.c.revoked_at.is_(None), user.c.active == 1))
    load_project = (select(project, county.c.name.label("county"), team.c.name.label("team"),
                           owner.c.username.label("owner"),
                           owner.c.display_name.label("owner_label"))
                    .outerjoin(county, county.c.id == project.c.county_id)
                    .outerjoin(team, team.c.id == project.c.team_id)
                    .outerjoin(owner, owner.c.id == project.c.owner_id)
                    .where(project.c.id == bindparam("id")))
    teams_of = select(team_member.c.team_id).where(team_member.c.user_id == bindparam("user"))
    last_rank = select(func.max(project.c.rank)).where(project.c.stage == bindparam("stage"),
                                                       project.c.id != bindparam("id"))
    counters = {name: update(board_state).where(board_state.c.id == 1)
                .values({name: board_state.c[name] + 1}).returning(board_state.c[name])
                for name in ("revision", "lobby_revision")}
    save = (update(project).where(project.c.id == bindparam("pid"),
                                  project.c.version == bindparam("old"))
            .values(stage=bindparam("stage"), rank=bindparam("rank"),
                    version=bindparam("new"), stage_entered_at=bindparam("day"),
                    updated_at=bindparam("now")))
    position = select(func.count()).where(project.c.stage == bindparam("stage"),
                                          project.c.rank < bindparam("rank"))
    moves = {"n": 0}
    card = app.jinja_env.get_template("stack_floor_card.html")

    @app.post("/emit")
    def emit_move():
        body = request.get_json()
        session = db.session
        caller = session.execute(load_token, {"digest": digest(TOKEN)}).one()
        session.commit()
        moves["n"] += 1
        project_id = moves["n"] % PROJECTS + 1
        state["immediate"] = True
        try:
            session.connection()
        finally:
            state["immediate"] = False
        revision = session.execute(counters["revision"]).scalar_one()
        row = session.execute(load_project, {"id": project_id}).one()._asdict()
        if row["team_id"] not in set(session.execute(teams_of, {"user": caller.id}).scalars()):
            return jsonify(error="not your team"), 403
        stage = STAGES[(STAGES.index(row["stage"]) + 1) % len(STAGES)]
        rank = (session.execute(last_rank, {"stage": stage, "id": project_id}).scalar() or 0) + 1024
        lobby = session.execute(counters["lobby_revision"]).scalar_one()
        now = datetime.now(UTC)
        session.execute(save, {"pid": project_id, "old": row["version"], "stage": stage,
                               "rank": rank, "new": row["version"] + 1, "day": now.date(),
                               "now": now})
        session.execute(insert(project_event), {
            "project_id": project_id, "at": now, "user_id": caller.id, "action": "moved",
            "from_stage": row["stage"], "to_stage": stage, "changes": {}, "reason": None,
            "revision": revision})
        place = session.execute(position, {"stage": stage, "rank": rank}).scalar_one()
        session.commit()
        row.update(stage=stage, rank=rank, version=row["version"] + 1,
                   stage_entered_at=now.date())
        payload = {"id": body.get("id"), "action": "moved", "stage": stage, "position": place,
                   "version": body.get("version"), "revision": revision, "lobby": lobby,
                   "at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
        for name in ROOMS:
            view, locale = name.split(":")
            html = card.render(p=row, view=view, words=WORDS[locale], today=now.date())
            socketio.emit("project", {**payload, "html": html}, to=name)
        socketio.sleep(0)
        return jsonify({**row, "position": place, "stage_entered_at": str(now.date()),
                        "updated_at": None})

    @app.get("/projects/<int:project_id>/panel")
    def panel(project_id: int):
        return url_for("panel", project_id=project_id)

    @socketio.on("connect")
    def connect(auth=None):
        auth = auth if isinstance(auth, dict) else {}
        name = f"{auth.get('view', 'board')}:{auth.get('lang', 'zh')}"
        if name not in ROOMS:
            raise ConnectionRefusedError("unknown room")
        join_room(name)
        emit("hello", {"revision": 0, "view": auth.get("view")})

    return app, socketio


def main() -> None:
    from floor import serve_gevent  # beside this file, as the benchmark runs it

    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    app, _socketio = make_app(folder)
    serve_gevent(app, port, "stack floor")


if __name__ == "__main__":
    main()
