"""A large import holds the board's write lock while it runs, and yields to the page's progress
polls now and then. A change asked for meanwhile waits its turn and is then made: before, on
SQLite, it waited in SQLite's own busy handler, which stopped the whole gevent process (the
import too) until its ten seconds ran out, and answered 500."""

from __future__ import annotations

import re
import threading
import time

import pytest

from tests.helpers import csrf_token_of, snapshot
from tests.live import Person, create, expect, fetch

pytestmark = pytest.mark.live

ROWS = 1500


def test_a_change_during_an_import_waits_its_turn_and_is_made(live_server):
    lead = Person(live_server, "lead")
    project = create(lead, "导入期间修改的项目")
    ledger = "项目名称,投资方,总投资（万元）,县市区,产业类别\n" + "".join(
        f"锁测试{n}号仓储基地,锁测试投资{n}有限公司,{1000 + n},鹤城区,工业\n" for n in range(ROWS))
    page = lead.http.get(live_server.url + "/board/import", timeout=10).text
    form = {"csrf_token": csrf_token_of(page)}
    uploaded = lead.http.post(live_server.url + "/board/import", data=form, timeout=30,
                              files={"ledger": ("台账.csv", ledger.encode())},
                              allow_redirects=False)
    expect(uploaded, 303)
    upload = uploaded.headers["Location"]
    mapping = lead.http.get(live_server.url + upload, timeout=10).text
    form.update(re.findall(r'<select name="(column-\d+)"[^>]*>.*?<option value="([^"]*)" '
                           r'selected', mapping, re.S))
    preview: dict = {}
    running = threading.Thread(target=lambda: preview.update(answer=lead.http.post(
        f"{live_server.url}{upload}/preview", data=form, timeout=120)))
    running.start()
    deadline = time.monotonic() + 60
    while lead.http.get(f"{live_server.url}{upload}/progress", timeout=30).json()["done"] == 0:
        assert time.monotonic() < deadline, "the preview never started"
        time.sleep(0.05)

    changed = lead.api("PATCH", f"/projects/{project['id']}", timeout=120,
                       json={"next_step": "约见投资方", "version": project["version"]})

    running.join(120)
    expect(changed, 200)
    assert fetch(lead, project["id"])["next_step"] == "约见投资方"
    expect(preview["answer"], 200)
    assert f"{ROWS:,}" in preview["answer"].text or str(ROWS) in preview["answer"].text


def test_a_change_that_waits_too_long_is_refused_clearly_and_changes_nothing(
        app, clients, make_project, monkeypatch):
    """Past ``WRITE_LOCK_WAIT_SECONDS`` a change gives up: 503 with the reason in the person's
    language, nothing written. On SQLite, with the lock held by another connection."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL waits for its row lock")
    import sqlite3

    from wallchart.core import transactions

    project = make_project("等锁的项目")
    before = snapshot(app)
    monkeypatch.setattr(transactions, "WRITE_LOCK_WAIT_SECONDS", 0.3)
    holder = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
                             isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = clients["member"].patch(f"/api/projects/{project['id']}", json={
            "next_step": "约见投资方", "version": project["version"]})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert "看板正忙" in response.get_json()["error"]
    assert snapshot(app) == before
