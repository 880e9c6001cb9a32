"""``import-projects FILE [--dry-run] [--team NAME]``: the import service from the console."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import CHINESE_TERMINAL, ENGLISH_TERMINAL, snapshot
from tests.services.test_imports import ROWS, ledger_file
from wallchart.core.models import Project
from wallchart.extensions import db


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, terminal=CHINESE_TERMINAL):
        return runner.invoke(args=["import-projects", *args], env=terminal)

    return invoke


@pytest.fixture
def ledger_path(tmp_path):
    def write(rows=ROWS):
        path = tmp_path / "台账.xlsx"
        path.write_bytes(ledger_file(rows))
        return str(path)

    return write


def test_a_dry_run_prints_the_plan_in_chinese_and_writes_nothing(app, users, counties, run,
                                                                 ledger_path):
    before = snapshot(app)
    result = run(ledger_path(), "--dry-run", "--team", "一组")
    assert result.exit_code == 0, result.output
    assert "识别的列：" in result.output
    assert "A  项目编码 → 项目编码" in result.output
    assert "新建 2 · 更新 0 · 无变化 0 · 拒绝 0" in result.output
    assert "试运行：未写入任何内容。" in result.output
    assert snapshot(app) == before


def test_a_real_run_writes_and_a_second_changes_nothing(app, users, counties, run, ledger_path):
    path = ledger_path()
    result = run(path, "--team", "一组")
    assert result.exit_code == 0, result.output
    assert "新建 2 · 更新 0 · 无变化 0 · 拒绝 0" in result.output and "导入完成。" in result.output
    with app.app_context():
        names = db.session.execute(select(Project.name).order_by(Project.id)).scalars().all()
    assert names == ["智能装备产业园", "冷链物流中心"]
    before = snapshot(app)
    again = run(path, "--team", "一组", terminal=ENGLISH_TERMINAL)
    assert again.exit_code == 0, again.output
    assert "Create: 0 · Update: 0 · Unchanged: 2 · Refused: 0" in again.output
    assert snapshot(app) == before


def test_a_refused_row_exits_1_with_its_reasons_and_writes_nothing(app, users, counties, run,
                                                                    ledger_path):
    rows = [list(row) for row in ROWS]
    rows[1][4] = "不存在县"
    before = snapshot(app)
    result = run(ledger_path(rows), "--team", "一组")
    assert result.exit_code == 1, result.output
    assert "第4行“所属县市区”：没有名为 不存在县 的县市区。" in result.output
    assert "有行被拒绝，未写入任何内容。" in result.output
    assert snapshot(app) == before


def test_an_unknown_team_is_refused_by_name(app, users, counties, run, ledger_path):
    result = run(ledger_path(), "--team", "三组")
    assert result.exit_code == 1
    assert "第3行" in result.output and "三组" in result.output


def test_a_ledger_without_a_team_says_to_give_one(app, users, counties, run, ledger_path):
    before = snapshot(app)
    result = run(ledger_path())
    assert result.exit_code == 1
    assert "第3行“专班”：请选择专班。" in result.output
    assert "台账没有“专班”列：请用 --team 专班名称 指定新项目所属的专班（现有专班：一组、二组）。" \
        in result.output
    assert snapshot(app) == before


@pytest.mark.parametrize("where", ["missing.xlsx", "."])
def test_no_file_there_is_said_in_the_terminals_language(app, run, tmp_path, where):
    before = snapshot(app)
    result = run(str(tmp_path / where))
    assert result.exit_code == 2
    assert "没有文件" in result.output and "File" not in result.output
    assert snapshot(app) == before
