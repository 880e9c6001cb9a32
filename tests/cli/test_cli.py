"""The command line: users, tokens, display links, the setup link and demo data."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest

from tests.forks import flask_command
from tests.helpers import CHINESE_TERMINAL, ENGLISH_TERMINAL, PASSWORD, printed_wall_path, snapshot


@pytest.fixture
def run(app):
    """The command line in a terminal that speaks English, unless ``terminal`` says otherwise."""
    runner = app.test_cli_runner()

    def invoke(*args, password=None, input=None, terminal=ENGLISH_TERMINAL):
        env = {**terminal, "WALLCHART_PASSWORD": password} if password else terminal
        return runner.invoke(args=list(args), env=env, input=input)

    return invoke


def test_user_create_takes_the_password_from_the_environment(app, run):
    result = run("user", "create", "zhangsan", "--role", "lead", "--display-name", "张三",
                 password="a-long-password")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    from tests.helpers import csrf_token_of

    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "zhangsan", "password": "a-long-password",
                                       "csrf_token": token}).status_code == 302


def test_user_create_prompts_twice_without_the_environment(run):
    result = run("user", "create", "lisi", "--role", "member",
                 input="pass-word-1\npass-word-1\n")
    assert result.exit_code == 0, result.output
    assert "Created user lisi" in result.output


@pytest.mark.parametrize("args, message", [
    (("user", "create", "member", "--role", "member"), "taken"),
    (("user", "create", "new user!", "--role", "member"), "letters, digits"),
    (("user", "create", "wangwu", "--role", "boss"), "Invalid value for '--role'"),
])
def test_user_create_refuses_bad_arguments_in_plain_english(app, run, args, message):
    from sqlalchemy import func, select

    from wallchart.core.models import User
    from wallchart.extensions import db

    result = run(*args, password="a-long-password")
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(User)).scalar() == 5


def test_a_short_password_is_refused(run):
    result = run("user", "create", "wangwu", "--role", "member", password="short")
    assert result.exit_code != 0 and "at least 8" in result.output


def test_user_token_prints_a_working_token_last(app, run):
    result = run("user", "token", "member")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = app.test_client().get("/api/projects",
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert run("user", "token", "nobody").exit_code != 0


def test_user_password_changes_it(app, run):
    assert run("user", "password", "viewer", password="brand-new-pass").exit_code == 0
    from wallchart.services import accounts

    with app.app_context():
        assert accounts.authenticate("viewer", "brand-new-pass") is not None
        assert accounts.authenticate("viewer", PASSWORD) is None


def test_display_create_and_revoke(app, run):
    result = run("display", "create", "大厅")
    # The whole link, as the setup link is printed: this server's address and port.
    assert result.output.strip().splitlines()[-1].startswith("http://127.0.0.1:5000/wall?token=")
    path = printed_wall_path(result.output)
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert run("display", "revoke", "大厅").exit_code == 0
    assert client.get(path).status_code == 403
    assert run("display", "revoke", "大厅").exit_code != 0
    assert run("display", "create", "").exit_code != 0


@pytest.mark.parametrize("header, message", [
    ("signed,signed_amount,started,producing,foreign_capital,funds_in_place,signed_three500",
     "请从这些指标中选择：signed, signed_investment,"),  # a figure misspelt is named as such
    ("signed,started", "请选择 7 项不同的指标。"),
])
def test_a_displays_header_of_unknown_or_too_few_figures_is_refused(app, run, header, message):
    before = snapshot(app)
    result = run("display", "create", "大厅", "--header", header, terminal=CHINESE_TERMINAL)
    assert result.exit_code == 1 and message in result.output, result.output
    assert snapshot(app) == before


def test_setup_link_while_there_is_no_administrator(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["setup-link"])
    assert result.exit_code == 0
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/setup?token=")
    assert empty_app.test_client().get(link.split("5000")[1]).status_code == 200


def test_no_setup_link_once_an_administrator_exists(run):
    refused = run("setup-link")
    assert refused.exit_code != 0 and "exists already" in refused.output


def test_demo_data_fills_an_empty_board_once_with_a_walls_history(empty_app):
    """``flask --app wsgi demo-data``, in a process of its own, on an empty database: every
    project in a team, owned by one of its people, with the history a wall would have kept (its
    creation on its first stage date, its owner, then each later stage on its date), every entry
    one board revision and one lobby revision, in date order; none a close match of another (as
    the duplicate guard would let each be entered); a second run is refused."""
    from collections import Counter

    from sqlalchemy import func, select

    from wallchart.cli.demo import COUNTIES, PROJECTS, STAGE_SHARE
    from wallchart.core.models import BoardState, County, Project, ProjectEvent
    from wallchart.core.stages import stages_reached
    from wallchart.core.timeutil import SHANGHAI
    from wallchart.extensions import db
    from wallchart.reads.duplicates import similar_projects

    env = {name: value for name, value in os.environ.items()
           if name not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    loaded = flask_command({**env, "LANG": "en_US.UTF-8"}, "demo-data")
    assert loaded.returncode == 0, loaded.stderr
    assert f"Loaded {len(PROJECTS)} projects" in loaded.stdout

    def day(moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(SHANGHAI).date()

    with empty_app.app_context():
        projects = db.session.execute(select(Project).order_by(Project.id)).scalars().all()
        assert [p.name for p in projects] == [name for name, *_rest in PROJECTS]
        assert Counter(p.stage for p in projects) == Counter(STAGE_SHARE)
        assert db.session.execute(select(func.count()).select_from(County)).scalar() \
            == len(COUNTIES)
        events = db.session.execute(select(ProjectEvent).order_by(ProjectEvent.revision)
                                    ).scalars().all()
        for project in projects:
            assert "（示例）" in project.investor
            assert similar_projects(project.name, project.investor, exclude_id=project.id) == []
            assert project.owner in project.team.people()
            assert project.next_step_owner in (None, project.owner)
            history = [e for e in events if e.project_id == project.id]
            reached = stages_reached(project.stage)
            assert [(e.action, e.from_stage, e.to_stage) for e in history] == [
                ("created", None, "contact"), ("assigned", None, None),
                *((("moved", a, b) for a, b in zip(reached, reached[1:], strict=False)))]
            assert [day(e.at) for e in history] == [
                project.contact_on, *(project.stage_date(s) for s in reached)]
            assert history[1].changes == {"owner": [None, project.owner.username]}
            assert all(e.user == project.team.lead for e in history)
        assert [e.revision for e in events] == list(range(1, len(events) + 1))
        assert [e.at for e in events] == sorted(e.at for e in events)
        state = db.session.get(BoardState, 1)
        assert state.revision == state.lobby_revision == len(events)

    again = flask_command(env, "demo-data")  # in Chinese, the terminal's language unset
    assert again.returncode != 0 and "数据库中已有项目" in again.stderr
    # Demo users are no administrators: the first-run setup link still works.
    assert flask_command(env, "setup-link").returncode == 0


def test_county_add_lists_them_in_the_new_project_form(app, run, clients):
    assert run("county", "add", "鹤城区", "中方县").exit_code == 0
    assert run("county", "add", "怀化高新区", "--kind", "zone").exit_code == 0
    duplicate = run("county", "add", "鹤城区")
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    assert run("county", "add", "x", "--kind", "planet").exit_code != 0
    form = clients["member"].get("/board/projects/new").get_data(as_text=True)
    assert form.index("鹤城区") < form.index("中方县") < form.index("怀化高新区")


def _users_and_audit(app) -> tuple[list[tuple], int]:
    from sqlalchemy import func, select

    from wallchart.core.models import AuditEntry, User, team_member
    from wallchart.extensions import db

    with app.app_context():
        return (db.session.execute(select(User.username, team_member.c.team_id).outerjoin(
                    team_member, team_member.c.user_id == User.id).order_by(User.id)).all(),
                db.session.execute(select(func.count()).select_from(AuditEntry)).scalar())


def test_user_create_puts_the_new_user_in_his_team(app, run, make_project):
    """README's first start: a member created with --team moves his team's cards at once."""
    from sqlalchemy import select

    from tests.helpers import TEAM, sign_in
    from wallchart.core.models import AuditEntry, Team
    from wallchart.extensions import db

    result = run("user", "create", "xiaoli", "--role", "member", "--display-name", "小李",
                 "--team", TEAM, password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert f"xiaoli is a member of the team {TEAM}." in result.output
    with app.app_context():
        team = db.session.execute(select(Team).where(Team.name == TEAM)).scalar_one()
        assert "xiaoli" in [person.username for person in team.members]
        entry = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalar()
        assert (entry.action, entry.target, entry.details) == (
            "user.create", "xiaoli", {"role": "member", "display_name": "小李", "team": TEAM})
    project = make_project()
    moved = sign_in(app, "xiaoli").post(f"/api/projects/{project['id']}/move", json={
        "stage": "negotiating", "version": project["version"]})
    assert moved.status_code == 200, moved.get_data(as_text=True)


def test_user_create_without_a_team_says_how_to_add_one(run):
    result = run("user", "create", "xiaoli", "--role", "member", password="a-long-password")
    assert result.exit_code == 0, result.output
    assert "xiaoli is in no team yet" in result.output and "team add TEAM xiaoli" in result.output


def test_user_create_in_an_unknown_team_creates_nobody(app, run):
    before = _users_and_audit(app)
    result = run("user", "create", "xiaoli", "--role", "member", "--team", "三组",
                 password="a-long-password", terminal=CHINESE_TERMINAL)
    assert result.exit_code != 0
    assert "不存在名为“三组”的专班" in result.output
    assert _users_and_audit(app) == before


@pytest.mark.parametrize("terminal", [
    CHINESE_TERMINAL, {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"},
    {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}], ids=["zh_CN", "C", "unset"])
def test_the_command_line_speaks_chinese_unless_the_terminal_speaks_english(run, terminal):
    taken = run("user", "create", "member", "--role", "member", password="a-long-password",
                terminal=terminal)
    assert taken.exit_code != 0 and "用户名已被占用" in taken.output, taken.output
    created = run("team", "create", "三组", terminal=terminal)
    assert created.exit_code == 0 and "已创建专班“三组”。" in created.output
    english = run("team", "create", "三组", terminal=ENGLISH_TERMINAL)
    assert english.exit_code != 0 and "exists already" in english.output


def _terminal(**language: str) -> dict[str, str]:
    """This process's environment (the test's instance and database) with the terminal's
    language replaced by ``language``."""
    return {**{name: value for name, value in os.environ.items()
               if name not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}, **language}


@pytest.mark.parametrize("language", [{}, {"LANG": "C.UTF-8"}, {"LANG": "zh_CN.UTF-8"}],
                         ids=["unset", "C", "zh_CN"])
def test_clicks_usage_errors_speak_chinese_with_the_rest_of_the_command_line(app, language):
    """``flask --app wsgi user create`` without NAME, in a process of its own: Click's own usage
    error in Chinese, the usage line and the hint too, exit status 2, and nobody created."""
    before = _users_and_audit(app)
    missing = flask_command(_terminal(**language), "user", "create", "--role", "member")
    assert missing.returncode == 2, missing.stderr
    assert missing.stderr.splitlines() == [
        "用法： flask user create [OPTIONS] NAME",
        "运行“flask user create --help”查看帮助。",
        "",
        "错误：缺少参数 'NAME'.",
    ], missing.stderr
    assert _users_and_audit(app) == before

    choice = flask_command(_terminal(**language), "user", "create", "wangwu", "--role", "boss")
    assert choice.returncode == 2
    assert ("错误：'--role' 的值无效：'boss' 不在可选值之中：'admin', 'lead', 'member', "
            "'viewer'。") in choice.stderr
    typo = flask_command(_terminal(**language), "user", "creat", "wangwu")
    assert typo.returncode == 2
    assert "错误：没有命令 'creat'。 是否要输入 'create'？" in typo.stderr
    assert _users_and_audit(app) == before


def test_clicks_usage_errors_stay_english_in_an_english_terminal(app):
    before = _users_and_audit(app)
    missing = flask_command(_terminal(LANG="en_US.UTF-8"), "user", "create", "--rol", "member")
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "Usage: flask user create [OPTIONS] NAME",
        "Try 'flask user create --help' for help.",
        "",
        "Error: No such option '--rol'. Did you mean '--role'?",
    ], missing.stderr
    assert _users_and_audit(app) == before


def test_the_click_messages_we_translate_are_clicks_own_and_translated(app):
    """Each message of wallchart/cli/click_words.py is written so in the installed Click (an
    upgrade that rewords one fails here) and has its Chinese."""
    from pathlib import Path

    import click
    from babel.messages.pofile import read_po

    from wallchart.cli.click_words import MESSAGES, PLURAL_MESSAGES, TRANSLATIONS

    source = "".join(path.read_text() for path in Path(click.__file__).parent.glob("*.py"))
    with (TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    for message in (*MESSAGES, *(plural[0] for plural in PLURAL_MESSAGES)):
        assert f'"{message}"' in source, message
        entry = catalog.get(message)
        assert entry is not None and all(entry.string) and not entry.fuzzy, message


def test_a_command_refuses_a_database_the_code_has_moved_past(databases, tmp_path):
    """New code, the server not yet restarted: a command says to upgrade first (and changes
    nothing); backup and the upgrade itself still run."""
    env = {**os.environ, **CHINESE_TERMINAL, "WALLCHART_INSTANCE_PATH": str(tmp_path),
           "WALLCHART_DATABASE_URL": databases.new(tmp_path, "behind"),
           "WALLCHART_SECRET_KEY": "t"}
    assert flask_command(env, "db", "upgrade").returncode == 0
    assert flask_command(env, "db", "downgrade", "--", "-1").returncode == 0
    refused = flask_command(env, "team", "create", "一组")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "数据库版本比当前程序旧" in refused.stderr and "db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr
    backup = flask_command(env, "backup", str(tmp_path / "before.backup"))
    assert backup.returncode == 0, backup.stderr
    assert flask_command(env, "db", "upgrade").returncode == 0
    created = flask_command(env, "team", "create", "一组")
    assert created.returncode == 0, created.stderr
    assert flask_command(env, "team", "create", "一组").returncode == 1  # it was not made before


def test_the_schema_check_wraps_each_command_once(app):
    """The commands are the module's: every app made in a process (the tests make hundreds)
    installs them again, and must not wrap them again."""
    from wallchart.cli import init_app

    callbacks = {name: command.callback for name, command in app.cli.commands.items()}
    init_app(app)
    assert {name: command.callback for name, command in app.cli.commands.items()} == callbacks
