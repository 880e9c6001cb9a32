"""The teams' webhooks against a real HTTP receiver on a free local port: each platform's
message and signature (企业微信, 钉钉, 飞书, generic), retries after a 500, the delivery log, the
events a webhook chose, the lobby-safe mode, and a dead receiver that never holds a move up;
the admin page and the command line."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.helpers import ENGLISH_TERMINAL, TEAM, actor, all_rows
from wallchart.core.errors import Invalid
from wallchart.core.models import AuditEntry, Project, TeamWebhook, WebhookDelivery, utcnow
from wallchart.extensions import db
from wallchart.services import projects, webhooks


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A tiny HTTP server: records each POST, answers each with the next of ``answers``
    (then 200); while ``hold`` is clear, holds every request unanswered (a hung receiver)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook?key=k-123"


@pytest.fixture
def receiver():
    found = Receiver()
    found.hold.set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            found.received.append(Received(self.path, dict(self.headers), body))
            found.arrived.set()
            found.hold.wait(60)
            status = found.answers.pop(0) if found.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    found.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.server.daemon_threads = True
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.hold.set()
    webhooks.wait_idle(30)
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def fast(app):
    """Retries without waiting long: the test's time is not the subject."""
    app.config.update(WEBHOOK_BACKOFF_SECONDS=0.01, WEBHOOK_ATTEMPTS=3,
                      WEBHOOK_TIMEOUT_SECONDS=30)
    yield app
    webhooks.wait_idle(30)


def add(app, receiver: Receiver, kind: str, secret: str = "", **options) -> int:
    with app.app_context():
        return webhooks.add_webhook(None, TEAM, receiver.url, kind, secret, **options).id


def move(app, project_id: int, stage: str, who: str = "lead") -> None:
    with app.app_context():
        version = db.session.get(Project, project_id).version
        projects.move_project(actor(who), project_id, stage, version)


def log_rows(app) -> list[tuple]:
    with app.app_context():
        return [(row.event, row.status, row.attempts, row.response_status) for row in
                db.session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))
                .scalars()]


# --- each platform's message and signature ------------------------------------------------------

def test_generic_json_is_signed_with_hmac_sha256_in_a_header(fast, receiver, make_project):
    add(fast, receiver, "generic", "s3cret")
    project = make_project("冷链物流园")
    move(fast, project["id"], "negotiating")
    assert webhooks.wait_idle(30)
    [got] = [r for r in receiver.received if r.headers["X-Wallchart-Event"] == "moved"]
    timestamp = got.headers["X-Wallchart-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + got.body,
                        hashlib.sha256).hexdigest()
    assert got.headers["X-Wallchart-Signature"] == f"sha256={expected}"
    body = got.json
    assert body["event"] == "moved" and body["from_stage"] == "contact"
    assert body["project"]["name"] == "冷链物流园" and body["project"]["stage"] == "negotiating"
    assert body["project"]["investment_wan"] == 50000
    assert "冷链物流园" in body["text"]
    assert ("moved", "delivered", 1, 200) in log_rows(fast)


def test_dingtalk_signs_the_address_with_timestamp_and_secret(fast, receiver, make_project):
    add(fast, receiver, "dingtalk", "SECabc", events=["moved"])
    project = make_project("钉钉项目")
    move(fast, project["id"], "negotiating")
    assert webhooks.wait_idle(30)
    [got] = receiver.received
    query = parse_qs(urlsplit(got.path).query)
    assert query["key"] == ["k-123"]
    [timestamp], [sign] = query["timestamp"], query["sign"]
    digest = hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()
    assert len(timestamp) == 13  # milliseconds
    body = got.json
    assert body["msgtype"] == "markdown"
    assert "钉钉项目" in body["markdown"]["title"] and "钉钉项目" in body["markdown"]["text"]


def test_feishu_puts_timestamp_and_sign_in_the_body(fast, receiver, make_project):
    add(fast, receiver, "feishu", "fs-secret", events=["moved"])
    project = make_project("飞书项目")
    move(fast, project["id"], "negotiating")
    assert webhooks.wait_idle(30)
    [got] = receiver.received
    body = got.json
    digest = hmac.new(f"{body['timestamp']}\nfs-secret".encode(), b"", hashlib.sha256).digest()
    assert body["sign"] == base64.b64encode(digest).decode()
    assert len(body["timestamp"]) == 10  # seconds
    assert body["msg_type"] == "text" and "飞书项目" in body["content"]["text"]


def test_wecom_gets_its_group_bot_markdown(fast, receiver, make_project):
    add(fast, receiver, "wecom", events=["moved"])
    project = make_project("企微<font>项目")
    move(fast, project["id"], "negotiating")
    assert webhooks.wait_idle(30)
    [got] = receiver.received
    body = got.json
    assert body["msgtype"] == "markdown"
    assert "企微＜font＞项目" in body["markdown"]["content"]  # no markup of the user's own
    assert "在谈" in body["markdown"]["content"]  # in the bureau's language


# --- delivery ---------------------------------------------------------------------------------

def test_a_500_is_retried_and_the_log_says_so(fast, receiver, make_project):
    receiver.answers = [500]
    add(fast, receiver, "generic", "s", events=["moved"])
    project = make_project("重试项目")
    move(fast, project["id"], "negotiating")
    assert webhooks.wait_idle(30)
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    assert log_rows(fast) == [("moved", "delivered", 2, 200)]


def test_a_receiver_that_keeps_failing_is_given_up_after_every_try(fast, receiver,
                                                                   make_project):
    receiver.answers = [500, 502, 503]
    add(fast, receiver, "generic", "s", events=["moved"])
    move(fast, make_project("失败项目")["id"], "negotiating")
    assert webhooks.wait_idle(30)
    assert log_rows(fast) == [("moved", "failed", 3, 503)]


def test_a_hung_receiver_never_holds_a_move_up(fast, receiver, clients, make_project):
    receiver.hold.clear()  # answers nothing until released
    add(fast, receiver, "generic", "s", events=["moved"])
    first, second = make_project("第一"), make_project("第二")
    answer = clients["member"].post(f"/api/projects/{first['id']}/move",
                                    json={"stage": "negotiating", "version": first["version"]})
    assert answer.status_code == 200
    assert receiver.arrived.wait(30)  # the receiver holds the first message, unanswered
    # Another move answers while the receiver still holds the first message.
    answer = clients["member"].post(f"/api/projects/{second['id']}/move",
                                    json={"stage": "negotiating", "version": second["version"]})
    assert answer.status_code == 200
    assert not receiver.hold.is_set()
    with fast.app_context():
        assert db.session.get(Project, second["id"]).stage == "negotiating"
    receiver.hold.set()
    assert webhooks.wait_idle(30)
    assert [row[:2] for row in log_rows(fast)] == [("moved", "delivered")] * 2


def test_an_unreachable_receiver_fails_in_the_log_and_the_move_stands(fast, make_project):
    with fast.app_context():
        webhooks.add_webhook(None, TEAM, "http://127.0.0.1:9/nobody", "wecom", events=["moved"])
    project = make_project("无人项目")
    move(fast, project["id"], "negotiating")
    assert webhooks.wait_idle(30)
    [(event, status, attempts, code)] = log_rows(fast)
    assert (event, status, attempts, code) == ("moved", "failed", 3, None)
    with fast.app_context():
        assert db.session.get(Project, project["id"]).stage == "negotiating"


# --- a restart loses nothing -------------------------------------------------------------------

def left_pending(app, hook_id: int, name: str, age: timedelta, held: timedelta | None = None,
                 attempts: int = 0, keep: bool = True) -> int:
    """A log row as a process that stopped leaves it: pending, made ``age`` ago, last held
    ``held`` ago (``None``: never)."""
    now = utcnow()
    message = webhooks.Message("moved", None, f"{name}进入在谈", ("阶段：洽谈 → 在谈",),
                               {"event": "moved", "project": {"name": name}})
    with app.app_context():
        row = WebhookDelivery(webhook_id=hook_id, event="moved", status="pending",
                              attempts=attempts, created_at=now - age,
                              claimed_at=None if held is None else now - held,
                              message=webhooks.stored(message) if keep else None)
        db.session.add(row)
        db.session.commit()
        return row.id


def row_of(app, delivery_id: int) -> WebhookDelivery:
    with app.app_context():
        row = db.session.get(WebhookDelivery, delivery_id)
        db.session.expunge(row)
        return row


def test_the_log_keeps_the_message_so_that_it_can_be_sent_again(fast, receiver, make_project):
    add(fast, receiver, "generic", "s", events=["moved"])
    move(fast, make_project("留存项目")["id"], "negotiating")
    assert webhooks.wait_idle(30)
    [got] = receiver.received
    with fast.app_context():
        row = db.session.execute(select(WebhookDelivery)).scalar_one()
        kept = webhooks.loaded(row.message)
        timestamp = int(got.headers["X-Wallchart-Timestamp"])
        _url, body, _headers = webhooks.request_for(row.webhook, kept, now=timestamp)
    assert body == got.body


def test_a_message_left_pending_by_a_stopped_process_is_sent_once_at_start(fast, receiver):
    hook = add(fast, receiver, "generic", "s")
    dead = left_pending(fast, hook, "遗留项目", timedelta(minutes=5), timedelta(minutes=3),
                        attempts=2)
    never_held = left_pending(fast, hook, "未领项目", timedelta(minutes=2))
    alive = left_pending(fast, hook, "在办项目", timedelta(minutes=5), timedelta(seconds=1))
    young = left_pending(fast, hook, "新项目", timedelta(seconds=1))
    assert webhooks.redeliver(fast) == 2
    assert webhooks.wait_idle(30)
    names = sorted(r.json["project"]["name"] for r in receiver.received)
    assert names == ["未领项目", "遗留项目"]
    got = receiver.received[0]
    expected = hmac.new(b"s", got.headers["X-Wallchart-Timestamp"].encode() + b"." + got.body,
                        hashlib.sha256).hexdigest()
    assert got.headers["X-Wallchart-Signature"] == f"sha256={expected}"  # signed anew
    first = row_of(fast, dead)
    assert (first.status, first.attempts, first.response_status) == ("delivered", 3, 200)
    assert row_of(fast, never_held).status == "delivered"
    # One another process still holds, and one just made, are left to their process.
    assert row_of(fast, alive).status == row_of(fast, young).status == "pending"
    assert webhooks.redeliver(fast) == 0  # a second sweep sends nothing twice
    assert webhooks.wait_idle(30)
    assert len(receiver.received) == 2


def test_a_server_process_sweeps_at_its_start(fast, receiver):
    from wallchart.realtime import notices

    hook = add(fast, receiver, "wecom")
    left = left_pending(fast, hook, "启动项目", timedelta(minutes=5))
    notices.start_redelivery(fast)  # as wsgi.serve and gunicorn's worker do
    assert receiver.arrived.wait(30)
    assert webhooks.wait_idle(30)
    assert "启动项目" in receiver.received[0].json["markdown"]["content"]
    assert row_of(fast, left).status == "delivered"


def test_two_processes_sweeping_at_once_send_each_message_once(fast, receiver):
    hook = add(fast, receiver, "wecom")
    left = [left_pending(fast, hook, f"竞争项目{n}", timedelta(minutes=5), timedelta(minutes=2))
            for n in range(6)]
    start = threading.Barrier(2)
    handed: list[int] = []

    def worker():
        start.wait(30)
        handed.append(webhooks.redeliver(fast))

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert webhooks.wait_idle(30)
    assert sum(handed) == 6
    contents = sorted(r.json["markdown"]["content"] for r in receiver.received)
    assert len(contents) == 6 and len(set(contents)) == 6
    assert {row_of(fast, n).status for n in left} == {"delivered"}
    assert {row_of(fast, n).attempts for n in left} == {1}


def test_a_message_pending_for_over_a_day_is_marked_failed_not_sent(fast, receiver):
    hook = add(fast, receiver, "wecom")
    old = left_pending(fast, hook, "过期项目", timedelta(days=1, minutes=1),
                       timedelta(days=1))
    lost = left_pending(fast, hook, "旧版项目", timedelta(minutes=5), keep=False)
    assert webhooks.redeliver(fast) == 0
    assert webhooks.wait_idle(30)
    assert receiver.received == []
    expired, unkept = row_of(fast, old), row_of(fast, lost)
    assert (expired.status, expired.error) == ("failed", "服务重启前未能发送，已过期")
    assert expired.finished_at is not None
    assert (unkept.status, unkept.error) == ("failed", "服务重启前未能发送，消息未保存")


def test_a_message_of_a_removed_webhook_is_not_sent_again(fast, receiver):
    hook = add(fast, receiver, "wecom")
    left = left_pending(fast, hook, "删除项目", timedelta(minutes=5))
    with fast.app_context():
        webhooks.remove_webhook(None, hook)
    assert webhooks.redeliver(fast) == 0
    assert row_of(fast, left).status == "failed"
    assert receiver.received == []


def test_a_process_that_lost_its_hold_does_not_send(fast, receiver):
    """A process stalled for over a minute while another took its message up: when it wakes,
    the row is no longer its own, and it sends nothing."""
    hook = add(fast, receiver, "wecom")
    left = left_pending(fast, hook, "接管项目", timedelta(minutes=5), timedelta(minutes=2))
    stalled_hold = row_of(fast, left).claimed_at
    assert webhooks.redeliver(fast) == 1
    assert webhooks.wait_idle(30)
    message = webhooks.loaded(row_of(fast, left).message)
    thread = webhooks._start(fast, {"id": hook, "kind": "wecom", "url": receiver.url,
                                    "secret": ""}, message, left, stalled_hold, 0)
    thread.join(30)
    assert len(receiver.received) == 1
    assert row_of(fast, left).attempts == 1


# --- the rate of each webhook -------------------------------------------------------------------

def test_the_limiter_lets_a_burst_through_then_spaces_the_rest():
    limiter = webhooks.Limiter([(3, 10.0)])
    assert [limiter.reserve(now=0.0) for _ in range(7)] == [0, 0, 0, 10, 10, 10, 20]
    assert limiter.reserve(now=100.0) == 100.0
    both = webhooks.Limiter(webhooks.rate_windows("2 per second; 3 per minute"))
    assert [both.reserve(now=0.0) for _ in range(4)] == [0, 0, 1, 60]


def test_fifty_messages_to_one_bot_all_arrive_within_its_rate(fast, receiver, make_project):
    """A bulk assignment of 50 cards: every message waits its turn, none is dropped, and the
    receiver never sees more than the rate allows in a window (5 per 2 s here; the margins are
    wide: only the order of the arrivals' own times is compared, never the machine's speed)."""
    fast.config["WEBHOOK_RATE"] = "5 per 2 seconds"
    arrived_at: list[float] = []
    hook = add(fast, receiver, "wecom", events=["assigned"])
    original = receiver.server.RequestHandlerClass.do_POST

    def timed(handler):
        arrived_at.append(time.monotonic())
        original(handler)

    receiver.server.RequestHandlerClass.do_POST = timed
    target = {"id": hook, "kind": "wecom", "url": receiver.url, "secret": ""}
    for n in range(50):
        webhooks.deliver(fast, target, webhooks.Message(
            "assigned", None, f"第{n}号项目有了新负责人", ("负责人：张三",), {"event": "assigned"}))
    assert webhooks.wait_idle(120)
    contents = {r.json["markdown"]["content"] for r in receiver.received}
    assert len(receiver.received) == 50 and len(contents) == 50
    assert log_rows(fast) == [("assigned", "delivered", 1, 200)] * 50
    arrived_at.sort()
    # Any six arrivals in a row are spread over well more than no time at all (the window is
    # 2 s; half of it is allowed for the threads' own delays) ...
    assert min(arrived_at[i + 5] - arrived_at[i] for i in range(45)) > 1.0
    # ... and the fifty took at least nine windows, less the same margin.
    assert arrived_at[-1] - arrived_at[0] > 17.0


def test_the_rate_in_the_environment_is_checked_at_start(monkeypatch, tmp_path):
    from wallchart.config import load_config

    monkeypatch.setenv("WALLCHART_SECRET_KEY", "test")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert load_config(tmp_path)["WEBHOOK_RATE"] == "20 per minute"
    monkeypatch.setenv("WALLCHART_WEBHOOK_RATE", "twenty a minute")
    with pytest.raises(ValueError, match="WALLCHART_WEBHOOK_RATE=twenty a minute is not a "
                                         "rate limit such as 20 per minute"):
        load_config(tmp_path)
    monkeypatch.setenv("WALLCHART_WEBHOOK_RATE", "10 per minute; 100 per hour")
    assert webhooks.rate_windows(load_config(tmp_path)["WEBHOOK_RATE"]) == [(10, 60.0),
                                                                            (100, 3600.0)]


# --- what each webhook hears --------------------------------------------------------------------

def test_a_webhook_hears_only_the_events_it_chose_and_only_of_its_team(fast, receiver,
                                                                      make_project):
    add(fast, receiver, "generic", "s", events=["assigned"])
    project = make_project("选择项目")
    move(fast, project["id"], "negotiating")
    with fast.app_context():
        version = db.session.get(Project, project["id"]).version
        projects.assign_project(actor("lead"), project["id"], "member", version)
        other = projects.create_project(actor("outsider"), {
            "name": "别组项目", "investor": "某公司", "investment_wan": 100, "county": "鹤城区",
            "sector": "industry", "allow_duplicate": True})
        projects.assign_project(actor("admin"), other.id, "outsider", other.version)
    assert webhooks.wait_idle(30)
    assert [r.headers["X-Wallchart-Event"] for r in receiver.received] == ["assigned"]
    assert receiver.received[0].json["project"]["owner"] == "member"


def test_a_lobby_safe_webhook_never_hears_confidential_values(fast, receiver, make_project):
    add(fast, receiver, "generic", "s", events=["moved"], lobby_safe=True)
    secret = make_project("保密项目", investor="隐秘投资集团", investment_wan=123456,
                          confidential=True)
    open_one = make_project("公开项目", investor="公开投资集团")
    move(fast, secret["id"], "negotiating")
    move(fast, open_one["id"], "negotiating")
    assert webhooks.wait_idle(30)
    # Two deliveries, each in its own thread: in either order.
    by_name = {r.json["project"]["name"]: r for r in receiver.received}
    hidden, shown = by_name["保密项目"], by_name["公开项目"]
    assert b"\\u9690\\u79d8" not in hidden.body and "隐秘" not in hidden.body.decode()
    assert "123456" not in hidden.body.decode() and "12.35" not in hidden.body.decode()
    assert "investor" not in hidden.json["project"]
    assert shown.json["project"]["investor"] == "公开投资集团"


def test_a_card_turning_red_is_told_to_the_team(fast, receiver, make_project):
    add(fast, receiver, "generic", "s", events=["warning"])
    project = make_project("红灯项目")
    with fast.app_context():
        version = db.session.get(Project, project["id"]).version
        projects.update_project(actor("lead"), project["id"], {
            "version": version, "next_step": "签约", "next_step_due": "2020-01-01"})
    assert webhooks.wait_idle(30)
    [got] = receiver.received
    assert got.json["event"] == "warning" and got.json["colour"] == "red"


def test_the_daily_digest_reaches_the_team_chat_once_a_day(fast, receiver, make_project):
    from wallchart.realtime.notices import check_due

    add(fast, receiver, "wecom", events=["digest"])
    make_project("摘要项目", next_step="拜访", next_step_due="2020-01-01")
    with fast.app_context():
        check_due()
        assert webhooks.wait_idle(30)
        check_due()  # the same day again (another process, a restart): not sent twice
    assert webhooks.wait_idle(30)
    [got] = receiver.received
    content = got.json["markdown"]["content"]
    assert "一组" in content and "逾期" in content
    assert log_rows(fast) == [("digest", "delivered", 1, 200)]


# --- managing them ------------------------------------------------------------------------------

def test_bad_webhooks_are_refused_and_change_nothing(app):
    before = all_rows(app)
    for url, kind, secret, events in [("ftp://x", "wecom", "", []),
                                      ("https://x.cn/h", "slack", "", []),
                                      ("https://x.cn/h", "generic", "", []),
                                      ("https://x.cn/h", "wecom", "", ["everything"])]:
        with app.app_context(), pytest.raises(Invalid):
            webhooks.add_webhook(None, TEAM, url, kind, secret, events)
    with app.app_context(), pytest.raises(Invalid):
        webhooks.add_webhook(None, "没有的组", "https://x.cn/h", "wecom")
    assert all_rows(app) == before


def test_the_admin_page_adds_lists_and_removes_with_the_log(app, clients):
    admin = clients["admin"]
    page = admin.get("/admin/webhooks")
    assert page.status_code == 200
    form = page.get_data(as_text=True)  # the kinds and events named in the reader's language
    assert '<option value="dingtalk" >钉钉群机器人</option>' in form
    assert 'value="warning" > 卡片亮起黄灯或红灯</label>' in form
    added = admin.post("/admin/webhooks", data={
        "team": TEAM, "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?"
        "access_token=TOPSECRET", "secret": "SECxyz", "events": ["moved", "warning"],
        "lobby_safe": "1"})
    assert added.status_code == 302
    text = admin.get("/admin/webhooks").get_data(as_text=True)
    assert "oapi.dingtalk.com/robot/send?…" in text
    assert "TOPSECRET" not in text and "SECxyz" not in text
    assert "钉钉群机器人 · " in text and "卡片进入其他阶段、卡片亮起黄灯或红灯" in text
    refused = admin.post("/admin/webhooks", data={"team": TEAM, "kind": "wecom", "url": "nope"})
    assert refused.status_code == 422
    with app.app_context():
        hook = db.session.execute(select(TeamWebhook)).scalar_one()
        assert (hook.events, hook.lobby_safe) == (["moved", "warning"], True)
        hook_id = hook.id
        assert db.session.execute(select(AuditEntry.action).where(
            AuditEntry.action == "webhook.add")).scalar() == "webhook.add"
    assert admin.post(f"/admin/webhooks/{hook_id}/remove").status_code == 302
    assert admin.post(f"/admin/webhooks/{hook_id}/remove").status_code == 404
    with app.app_context():
        assert webhooks.webhooks() == []


def test_the_command_line_adds_lists_and_removes(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["webhook", "add", TEAM, "https://open.feishu.cn/open-apis/bot/"
                                "v2/hook/abc", "--kind", "feishu", "--secret", "fs",
                                "--events", "moved,assigned"], env=ENGLISH_TERMINAL)
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["webhook", "list"], env=ENGLISH_TERMINAL)
    assert "feishu" in listed.output and "moved,assigned" in listed.output
    assert "fs\n" not in listed.output
    hook_id = listed.output.split()[0]
    wrong = runner.invoke(args=["webhook", "add", TEAM, "https://x.cn", "--kind", "generic"],
                          env=ENGLISH_TERMINAL)
    assert wrong.exit_code != 0 and "secret" in wrong.output
    removed = runner.invoke(args=["webhook", "remove", hook_id], env=ENGLISH_TERMINAL)
    assert removed.exit_code == 0, removed.output
    assert runner.invoke(args=["webhook", "list"], env=ENGLISH_TERMINAL).output.strip() == ""


def test_notify_due_runs_from_the_command_line(app, make_project):
    from wallchart.core.timeutil import today

    project = make_project("到期项目", next_step="拜访", next_step_due=today().isoformat())
    with app.app_context():
        version = db.session.get(Project, project["id"]).version
        projects.assign_project(actor("lead"), project["id"], "member", version)
    runner = app.test_cli_runner()
    done = runner.invoke(args=["notify-due"], env=ENGLISH_TERMINAL)
    assert done.exit_code == 0, done.output
    assert "Notified 2 people." in done.output  # the member's step, the lead's digest
