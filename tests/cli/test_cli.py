"""The command line: users, tokens, display links, the setup link and demo data."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, password=None, input=None):
        env = {"WALLCHART_PASSWORD": password} if password else {}
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
    path = result.output.strip().splitlines()[-1]
    assert path.startswith("/wall?token=")
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert run("display", "revoke", "大厅").exit_code == 0
    assert client.get(path).status_code == 403
    assert run("display", "revoke", "大厅").exit_code != 0
    assert run("display", "create", "").exit_code != 0


def test_setup_link_while_there_is_no_administrator(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["setup-link"])
    assert result.exit_code == 0
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/setup?token=")
    assert empty_app.test_client().get(link.split("5000")[1]).status_code == 200


def test_no_setup_link_once_an_administrator_exists(run):
    refused = run("setup-link")
    assert refused.exit_code != 0 and "exists already" in refused.output


def test_demo_data_fills_an_empty_board_once(empty_app):
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    from sqlalchemy import func, select

    from wallchart.core.models import County, Project
    from wallchart.extensions import db

    with empty_app.app_context():
        stages = dict(db.session.execute(
            select(Project.stage, func.count()).group_by(Project.stage)).all())
        assert set(stages) == {"contact", "negotiating", "signed", "started", "producing"}
        assert sum(stages.values()) >= 30
        assert db.session.execute(select(func.count()).select_from(County)).scalar() >= 12
        assert all("（示例）" in p.investor for p in db.session.execute(select(Project)).scalars())
        assert all(p.owner is not None for p in db.session.execute(select(Project)).scalars())
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code != 0 and "already holds projects" in again.output
    # Demo users are no administrators: the first-run setup link still works.
    assert runner.invoke(args=["setup-link"]).exit_code == 0


def test_county_add_lists_them_in_the_new_project_form(app, run, clients):
    assert run("county", "add", "鹤城区", "中方县").exit_code == 0
    assert run("county", "add", "怀化高新区", "--kind", "zone").exit_code == 0
    duplicate = run("county", "add", "鹤城区")
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    assert run("county", "add", "x", "--kind", "planet").exit_code != 0
    form = clients["member"].get("/board/projects/new").get_data(as_text=True)
    assert form.index("鹤城区") < form.index("中方县") < form.index("怀化高新区")
