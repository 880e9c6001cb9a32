"""The teams' webhooks: each team's group chat bots (企业微信, 钉钉, 飞书) or any JSON receiver
hear of the team's projects, in the platform's own message format and signature scheme.

- ``wecom`` (企业微信 group bot): ``{"msgtype": "markdown", "markdown": {"content": …}}`` to the
  bot's ``…/cgi-bin/webhook/send?key=…`` address; it has no signature (the key is the secret).
- ``dingtalk`` (钉钉 custom robot): ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  with a secret (加签), ``&timestamp=MS&sign=S`` on the address, where S is the URL-encoded
  Base64 of HMAC-SHA256 keyed by the secret over ``"{timestamp}\\n{secret}"``.
- ``feishu`` (飞书 custom bot): ``{"msg_type": "text", "content": {"text": …}}``; with a secret,
  ``"timestamp"`` (seconds) and ``"sign"`` in the body: the Base64 of HMAC-SHA256 keyed by
  ``"{timestamp}\\n{secret}"`` over nothing.
- ``generic``: the event as JSON, with ``X-Wallchart-Timestamp`` and ``X-Wallchart-Signature:
  sha256=HEX``, the HMAC-SHA256 keyed by the secret over ``"{timestamp}." + body``.

Delivery happens in the background (``deliver``: a thread, which is a greenlet under the
gevent server), with retries and a growing wait between them; every message has a row in the
delivery log (``WebhookDelivery``). A change never waits for a receiver and never fails for
one: the subscriber (``hear``) only reads which webhooks want the event and hands the message
over. Each message is logged as ``pending`` with the message itself before it is handed over,
and the process delivering it renews its hold on the row (``claimed_at``) while it waits; a
pending row nobody has held for a minute (its process stopped) is taken up by the sweep
(``redeliver``) of whichever process claims it first, at the start of each server process and
every minute, and sent again; one older than a day is marked failed instead. Each webhook is
sent at most ``WEBHOOK_RATE`` messages (20 a minute: what 企业微信's bots take) by each
process: the others wait their turn, none is dropped.

A ``lobby_safe`` webhook never receives a confidential project's investor and amount. The
daily check (``services.notifications.check_due``) also sends each team's digest (``digest``:
yesterday's moves, today's red cards and overdue items), once a day per webhook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from limits import parse_many
from sqlalchemy import bindparam, select, update

from wallchart.core.errors import Invalid, NotFound
from wallchart.core.formatting import money
from wallchart.core.models import Project, ProjectEvent, TeamWebhook, User, WebhookDelivery, utcnow
from wallchart.core.stages import STAGE_ORDER
from wallchart.core.timeutil import SHANGHAI, today
from wallchart.core.transactions import quiet_transaction
from wallchart.core.vocabulary import STAGES, WEBHOOK_EVENTS, WEBHOOK_KINDS
from wallchart.extensions import db
from wallchart.services.accounts import audit, require_admin
from wallchart.services.events import ProjectChanged
from wallchart.services.teams import find_team

KINDS = tuple(WEBHOOK_KINDS)
EVENTS = tuple(WEBHOOK_EVENTS)
#: Which announced actions are which event.
_ACTION_EVENTS = {"created": "created", "moved": "moved", "assigned": "assigned",
                  "withdrawn": "withdrawn", "blocker_raised": "blocker"}
URL_MAX = 500
SECRET_MAX = 200
#: Rows of the delivery log the admin page shows.
LOG_SIZE = 50


# --- the webhooks themselves -----------------------------------------------------------------

def _clean(kind: Any, url: Any, secret: Any, events: Any) -> tuple[str, str, str, list[str]]:
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Choose one of: %(names)s.", names=", ".join(KINDS))
    url = url.strip() if isinstance(url, str) else ""
    parts = urllib.parse.urlsplit(url) if url else None
    if (not parts or parts.scheme not in ("http", "https") or not parts.netloc
            or len(url) > URL_MAX or any(c.isspace() for c in url)):
        errors["url"] = _("Give the bot's address: http:// or https://, at most %(n)d "
                          "characters.", n=URL_MAX)
    secret = secret.strip() if isinstance(secret, str) else ""
    if len(secret) > SECRET_MAX or any(c.isspace() for c in secret):
        errors["secret"] = _("The secret is at most %(n)d characters, without spaces.",
                             n=SECRET_MAX)
    elif kind == "generic" and not secret:
        errors["secret"] = _("A generic webhook needs a secret to sign its messages with.")
    if isinstance(events, str):
        events = [e.strip() for e in events.split(",") if e.strip()]
    if not isinstance(events, list | tuple) or not all(e in EVENTS for e in events):
        errors["events"] = _("Events are some of: %(names)s.", names=", ".join(EVENTS))
        events = []
    if errors:
        raise Invalid(" ".join(errors.values()), errors)
    return kind, url, secret, [e for e in EVENTS if e in events]


def add_webhook(actor: User | None, team: Any, url: Any, kind: Any, secret: Any = "",
                events: Any = (), lobby_safe: bool = False) -> TeamWebhook:
    """Give ``team`` a webhook (``actor``: an administrator, or ``None`` for the console)."""
    kind, url, secret, events = _clean(kind, url, secret, list(events)
                                       if not isinstance(events, str) else events)
    with quiet_transaction():
        require_admin(actor)
        found = find_team(team)
        hook = TeamWebhook(team=found, kind=kind, url=url, secret=secret, events=events,
                           lobby_safe=bool(lobby_safe))
        db.session.add(hook)
        db.session.flush()
        audit(actor, "webhook.add", found.name, id=hook.id, kind=kind, host=_host(url),
              events=events or ["*"], lobby_safe=bool(lobby_safe))
    return hook


def remove_webhook(actor: User | None, webhook_id: Any) -> TeamWebhook:
    with quiet_transaction():
        require_admin(actor)
        hook = db.session.get(TeamWebhook, webhook_id) if isinstance(webhook_id, int) else None
        if hook is None or hook.removed_at is not None:
            raise NotFound(_("No such webhook."))
        hook.removed_at = utcnow()
        audit(actor, "webhook.remove", hook.team.name, id=hook.id, kind=hook.kind,
              host=_host(hook.url))
    return hook


def webhooks() -> list[TeamWebhook]:
    """Every webhook in use, by team."""
    return list(db.session.execute(select(TeamWebhook).where(TeamWebhook.removed_at.is_(None))
                                   .order_by(TeamWebhook.team_id, TeamWebhook.id)).scalars())


def deliveries(limit: int = LOG_SIZE) -> list[WebhookDelivery]:
    """The newest rows of the delivery log."""
    return list(db.session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id.desc())
                                   .limit(limit)).scalars())


def _host(url: str) -> str:
    """Where a webhook goes, without its key (the address often carries the bot's secret)."""
    return urllib.parse.urlsplit(url).netloc


def masked(url: str) -> str:
    """The address as shown to administrators: the host and path, never the query's key."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


# --- the messages ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Message:
    """One event about one project, as every kind of webhook is told it."""

    event: str
    project_id: int | None
    title: str
    lines: tuple[str, ...]
    data: dict[str, Any]


def _plain(text: Any) -> str:
    """A user's text inside a chat message: one line, no markup that a bot would act on."""
    return " ".join(str(text or "").split()).replace("<", "＜").replace(">", "＞")


def _message(event: str, project: Project, hidden: bool, **extra: Any) -> Message:
    """The message in the interface's default language; ``hidden``: leave out the investor
    and the amount (a lobby-safe webhook, a confidential project)."""
    name = _plain(project.name)
    stage = str(STAGES.get(project.stage, project.stage))
    titles = {
        "created": _("New project: %(name)s", name=name),
        "moved": _("%(name)s moved to %(stage)s", name=name, stage=stage),
        "assigned": _("%(name)s has a new owner", name=name),
        "withdrawn": _("%(name)s was withdrawn", name=name),
        "warning": (_("%(name)s turned red", name=name) if extra.get("colour") == "red"
                    else _("%(name)s turned yellow", name=name)),
        "blocker": _("%(name)s has a new blocker", name=name),
    }
    lines = [_("Stage: %(stage)s", stage=stage)]
    if event == "moved" and extra.get("from_stage") in STAGES:
        lines[0] = _("Stage: %(from)s → %(to)s", to=stage,
                     **{"from": str(STAGES[extra["from_stage"]])})
    if project.county is not None:
        lines.append(_("County: %(name)s", name=_plain(project.county.name)))
    lines.append(_("Owner: %(name)s", name=_plain(project.owner.label) if project.owner
                   else "—"))
    if not hidden:
        lines.append(_("Investor: %(name)s", name=_plain(project.investor) or "—"))
        lines.append(_("Investment: %(amount)s", amount=money(project.investment_wan)))
    if extra.get("actor"):
        lines.append(_("By: %(name)s", name=_plain(extra["actor"])))
    data = {"event": event, "project": {"id": project.id, "name": project.name,
                                        "stage": project.stage,
                                        "team": project.team.name if project.team else None,
                                        "owner": project.owner.username if project.owner
                                        else None}}
    if not hidden:
        data["project"].update(investor=project.investor,
                               investment_wan=project.investment_wan)
    data.update({k: v for k, v in extra.items() if k in ("colour", "from_stage")})
    return Message(event, project.id, titles[event], tuple(lines), data)


def request_for(hook: TeamWebhook | dict, message: Message,
                now: float | None = None) -> tuple[str, bytes, dict[str, str]]:
    """(address, body, headers) of ``message`` to ``hook``, signed as its platform asks."""
    kind, url, secret = ((hook["kind"], hook["url"], hook["secret"]) if isinstance(hook, dict)
                         else (hook.kind, hook.url, hook.secret))
    now = time.time() if now is None else now
    text = "\n".join((message.title, *message.lines))
    markdown = "\n".join((f"**{message.title}**", *(f"> {line}" for line in message.lines)))
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind == "wecom":
        body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": markdown}}
    elif kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown}}
        if secret:
            timestamp = str(round(now * 1000))
            digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                              hashlib.sha256).digest()
            sign = urllib.parse.quote_plus(base64.b64encode(digest))
            url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
    elif kind == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = str(int(now))
            digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
            body = {"timestamp": timestamp, "sign": base64.b64encode(digest).decode(), **body}
    else:
        body = {**message.data, "title": message.title, "text": text}
    raw = json.dumps(body, ensure_ascii=False).encode()
    if kind == "generic":
        timestamp = str(int(now))
        signature = hmac.new(secret.encode(), timestamp.encode() + b"." + raw,
                             hashlib.sha256).hexdigest()
        headers.update({"X-Wallchart-Event": message.event, "X-Wallchart-Timestamp": timestamp,
                        "X-Wallchart-Signature": f"sha256={signature}"})
    return url, raw, headers


# --- hearing the changes ----------------------------------------------------------------------

def _events_of(change: ProjectChanged, turned: dict[int, str]) -> list[tuple[str, dict]]:
    """Which webhook events this change is, with what the messages add."""
    found: list[tuple[str, dict]] = []
    event = _ACTION_EVENTS.get(change.action)
    if event is not None:
        row = db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == change.project.id,
            ProjectEvent.revision == change.revision)).scalars().first()
        extra: dict[str, Any] = {"actor": row.user.label if row and row.user else ""}
        if event == "moved" and row is not None:
            extra["from_stage"] = row.from_stage
        # A card moved within its column is no news for a chat.
        if event != "moved" or (row is not None and row.from_stage != row.to_stage
                                and row.from_stage in STAGE_ORDER):
            found.append((event, extra))
    if change.project.id in turned and turned[change.project.id]:
        found.append(("warning", {"colour": turned[change.project.id]}))
    return found


#: Which of some teams have a webhook in use: asked after every burst of changes, and most
#: teams have none, so a change's history entry is read only for those that do. Built once.
_HOOKED = select(TeamWebhook.team_id).where(
    TeamWebhook.team_id.in_(bindparam("team_ids", expanding=True)),
    TeamWebhook.removed_at.is_(None)).distinct()


def hooked(changes: list[ProjectChanged]) -> list[ProjectChanged]:
    """The changes of projects whose team has a webhook in use: one statement for a burst."""
    teams = {c.project.team_id for c in changes if c.project.team_id is not None}
    if not teams:
        return []
    found = set(db.session.execute(_HOOKED, {"team_ids": list(teams)}).scalars())
    return [c for c in changes if c.project.team_id in found]


def hear(changes: list[ProjectChanged], turned: dict[int, str] | None = None) -> int:
    """The subscriber's work for the ``hooked`` changes of a burst: hand each webhook of a
    changed project's team that wants the change its message, to be delivered in the
    background. Returns how many were handed over."""
    turned = dict(turned or {})
    handed = 0
    for change in changes:
        handed += announce(change.project, _events_of(change, turned))
        turned.pop(change.project.id, None)  # a card turned is told once in a burst
    return handed


def announce_turned(turned: dict[int, str]) -> int:
    """The daily check's cards turned yellow or red: their teams' webhooks hear of it."""
    handed = 0
    for project_id, colour in turned.items():
        project = db.session.get(Project, project_id)
        if project is not None:
            handed += announce(project, [("warning", {"colour": colour})])
    return handed


def announce_digests(digests: dict[int, dict[str, Any]]) -> int:
    """The daily check's digest of each team to its webhooks that want it: once a day each
    (a webhook whose log holds today's digest already is skipped, whichever process sent it)."""
    if not digests:
        return 0
    hooks = db.session.execute(select(TeamWebhook).where(
        TeamWebhook.team_id.in_(digests), TeamWebhook.removed_at.is_(None))).scalars().all()
    day_start = datetime.combine(today(), day_time(), SHANGHAI).astimezone(UTC).replace(tzinfo=None)
    sent = set(db.session.execute(select(WebhookDelivery.webhook_id).where(
        WebhookDelivery.event == "digest", WebhookDelivery.created_at >= day_start)).scalars())
    app = current_app._get_current_object()
    handed = 0
    with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        for hook in hooks:
            if hook.id in sent or (hook.events and "digest" not in hook.events):
                continue
            data = digests[hook.team_id]
            message = Message("digest", None, _("Daily digest of %(team)s",
                                                team=_plain(data["team"])), (
                _("Moves yesterday: %(n)d", n=data["moves"]),
                _("Red cards today: %(n)d", n=data["red"]),
                _("Overdue next steps and blockers: %(n)d", n=data["overdue"]),
            ), {"event": "digest", **data})
            deliver(app, {"id": hook.id, "kind": hook.kind, "url": hook.url,
                          "secret": hook.secret}, message)
            handed += 1
    return handed


def announce(project: Project, events: list[tuple[str, dict]]) -> int:
    """Send ``events`` about ``project`` to its team's webhooks that want them."""
    if not events or project.team_id is None:
        return 0
    hooks = db.session.execute(select(TeamWebhook).where(
        TeamWebhook.team_id == project.team_id, TeamWebhook.removed_at.is_(None))).scalars()
    handed = 0
    app = current_app._get_current_object()
    with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        for hook in hooks:
            for event, extra in events:
                if hook.events and event not in hook.events:
                    continue
                message = _message(event, project, hook.lobby_safe and project.confidential,
                                   **extra)
                deliver(app, {"id": hook.id, "kind": hook.kind, "url": hook.url,
                              "secret": hook.secret}, message)
                handed += 1
    return handed


# --- delivery --------------------------------------------------------------------------------

#: A pending message its process has not held for this long (it stopped) is taken up by the
#: next sweep of any process (``redeliver``); a process holding one renews its hold more often.
STALE_SECONDS = 60
#: A pending message older than this is not sent any more but marked failed.
EXPIRY = timedelta(days=1)

#: This process's deliveries under way (to wait for them: tests, a clean shutdown).
_running: set[threading.Thread] = set()
_lock = threading.Lock()


def stored(message: Message) -> dict[str, Any]:
    """``message`` as the delivery log keeps it (JSON)."""
    return {"event": message.event, "project_id": message.project_id, "title": message.title,
            "lines": list(message.lines), "data": message.data}


def loaded(kept: dict[str, Any]) -> Message:
    """The message a log row kept (``stored``), to be signed and sent again."""
    return Message(kept["event"], kept.get("project_id"), kept["title"],
                   tuple(kept["lines"]), kept["data"])


def deliver(app: Flask, hook: dict, message: Message) -> threading.Thread | None:
    """Log ``message`` as pending (with the message itself, so that it outlives this process),
    then deliver it in the background: try, and try again after ``WEBHOOK_BACKOFF_SECONDS``,
    doubling, up to ``WEBHOOK_ATTEMPTS`` tries in all, each when the webhook's rate allows."""
    try:
        claim = utcnow()
        with app.app_context(), quiet_transaction():
            row = WebhookDelivery(webhook_id=hook["id"], event=message.event,
                                  project_id=message.project_id, status="pending", attempts=0,
                                  message=stored(message), claimed_at=claim)
            db.session.add(row)
            db.session.flush()
            delivery_id = row.id
    except Exception:  # the change is committed; a log that cannot be written stops no move
        app.logger.exception("Webhook %s: logging %s", hook["id"], message.event)
        return None
    return _start(app, hook, message, delivery_id, claim, 0)


def _start(app: Flask, hook: dict, message: Message, delivery_id: int, claim: datetime,
           tried: int) -> threading.Thread:
    thread = threading.Thread(target=_deliver, args=(app, hook, message, delivery_id, claim,
                                                     tried),
                              daemon=True, name=f"webhook-{hook['id']}")
    with _lock:
        _running.add(thread)
    thread.start()
    return thread


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait until this process has no delivery under way; whether it has none."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            running = list(_running)
        if not running:
            return True
        for thread in running:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            with _lock:
                return not _running


def _hold(app: Flask, delivery_id: int, claim: datetime | None,
          **fields: Any) -> datetime | None:
    """Renew this process's hold on a pending row (and write ``fields``) if it still has it:
    the new hold, or ``None`` when the row is no longer its own (another process took it up,
    or it is no longer pending)."""
    renewed = utcnow()
    with app.app_context(), quiet_transaction():
        done = db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                   WebhookDelivery.claimed_at == claim)
            .values(claimed_at=renewed, **fields)
            .execution_options(synchronize_session=False))
        return renewed if done.rowcount == 1 else None


def _deliver(app: Flask, hook: dict, message: Message, delivery_id: int, claim: datetime,
             tried: int) -> None:
    try:
        attempts = max(1, int(app.config.get("WEBHOOK_ATTEMPTS", 5)))
        wait = float(app.config.get("WEBHOOK_BACKOFF_SECONDS", 2.0))
        timeout = float(app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5.0))
        for attempt in range(tried + 1, tried + attempts + 1):
            held = _wait_turn(app, hook, delivery_id, claim)
            if held is None:  # another process took it up: it is that one's now
                return
            status, error = _send(hook, message, timeout)
            done = status is not None and 200 <= status < 300
            last = done or attempt == tried + attempts
            held = _hold(app, delivery_id, held, attempts=attempt, response_status=status,
                         error=error[:300],
                         status="delivered" if done else ("failed" if last else "pending"),
                         finished_at=utcnow() if last else None)
            if last or held is None:
                return
            claim = _sleep_holding(app, delivery_id, held, time.monotonic() + wait)
            if claim is None:
                return
            wait *= 2
    except Exception:
        app.logger.exception("Webhook %s: delivery of %s", hook["id"], message.event)
    finally:
        with _lock:
            _running.discard(threading.current_thread())


def _sleep_holding(app: Flask, delivery_id: int, claim: datetime,
                   until: float) -> datetime | None:
    """Sleep until ``until`` (monotonic), renewing the hold well within ``STALE_SECONDS``."""
    while (left := until - time.monotonic()) > 0:
        time.sleep(min(left, STALE_SECONDS / 4))
        if until - time.monotonic() > 0:
            claim = _hold(app, delivery_id, claim)
            if claim is None:
                return None
    return claim


def _wait_turn(app: Flask, hook: dict, delivery_id: int, claim: datetime) -> datetime | None:
    """Wait for the webhook's rate to allow one more message, holding the row meanwhile; then
    make sure it is still this process's to send (the hold, or ``None``)."""
    at = _limiter(app, hook).reserve()
    claim = _sleep_holding(app, delivery_id, claim, at)
    return None if claim is None else _hold(app, delivery_id, claim)


# --- the rate of each webhook ------------------------------------------------------------------

class Limiter:
    """At most ``amount`` messages in any ``seconds`` (for each pair given): each message
    reserves the first moment the windows allow, so messages wait their turn, in order, and
    none is dropped. 企业微信's group bots take about 20 a minute before refusing."""

    def __init__(self, windows: list[tuple[int, float]]):
        self.windows = [(amount, seconds) for amount, seconds in windows if amount > 0]
        self.sent: deque[float] = deque(maxlen=max([a for a, _s in self.windows] or [1]))
        self.lock = threading.Lock()

    def reserve(self, now: float | None = None) -> float:
        """The moment (``time.monotonic``) this message may go."""
        with self.lock:
            at = time.monotonic() if now is None else now
            if self.sent:
                at = max(at, self.sent[-1])
            for amount, seconds in self.windows:
                if len(self.sent) >= amount:
                    at = max(at, self.sent[-amount] + seconds)
            self.sent.append(at)
            return at


_limiters: dict[tuple, Limiter] = {}


def rate_windows(text: str) -> list[tuple[int, float]]:
    """``WALLCHART_WEBHOOK_RATE`` (e.g. ``20 per minute``) as (messages, seconds) pairs."""
    return [(item.amount, float(item.get_expiry())) for item in parse_many(text)]


def _limiter(app: Flask, hook: dict) -> Limiter:
    rate = str(app.config.get("WEBHOOK_RATE", "20 per minute"))
    key = (hook["id"], hook["url"], rate)
    with _lock:
        found = _limiters.get(key)
        if found is None:
            found = _limiters[key] = Limiter(rate_windows(rate))
        return found


# --- taking up what a stopped process left ---------------------------------------------------

def redeliver(app: Flask) -> int:
    """Take up the pending messages that no process has held for ``STALE_SECONDS`` (their
    process stopped): send each again, with every try and the rate as any message, or mark it
    failed when it is older than ``EXPIRY`` or cannot be sent (no message kept, the webhook
    removed). Each is claimed by one update only one process can win, so several processes
    sweeping at once send it once. Returns how many were handed over to be sent again."""
    now = utcnow()
    # A try that waits for a hung receiver does not renew the hold: never take it up meanwhile.
    stale = now - timedelta(seconds=max(STALE_SECONDS,
                                        3 * float(app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5))))
    abandoned = ((WebhookDelivery.status == "pending") & (WebhookDelivery.created_at < stale)
                 & (WebhookDelivery.claimed_at.is_(None) | (WebhookDelivery.claimed_at < stale)))
    with app.app_context():
        found = list(db.session.execute(select(WebhookDelivery.id).where(abandoned)
                                        .order_by(WebhookDelivery.id)).scalars())
        db.session.rollback()
    handed = 0
    for delivery_id in found:
        try:
            handed += _take_up(app, delivery_id, abandoned, now)
        except Exception:  # the next one, and the next sweep, still go on
            app.logger.exception("Webhook delivery %s: sending it again", delivery_id)
    return handed


def _take_up(app: Flask, delivery_id: int, abandoned, now: datetime) -> int:
    with (app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]),
          quiet_transaction()):
        claim = utcnow()
        won = db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, abandoned)
            .values(claimed_at=claim).execution_options(synchronize_session=False))
        if won.rowcount != 1:  # another process took it up first
            return 0
        row = db.session.get(WebhookDelivery, delivery_id)
        hook = row.webhook
        reason = None
        if row.created_at < now - EXPIRY:
            reason = _("Not sent before the server restarted; expired.")
        elif not row.message:
            reason = _("Not sent before the server restarted, and the message was not "
                       "kept.")
        elif hook.removed_at is not None:
            reason = _("The webhook was removed before the message was sent.")
        if reason is not None:
            row.status, row.error, row.finished_at = "failed", reason[:300], utcnow()
            return 0
        message, tried = loaded(row.message), row.attempts
        target = {"id": hook.id, "kind": hook.kind, "url": hook.url, "secret": hook.secret}
    _start(app, target, message, delivery_id, claim, tried)
    return 1


def _send(hook: dict, message: Message, timeout: float) -> tuple[int | None, str]:
    """One try: the receiver's status (``None``: no answer) and what went wrong."""
    url, body, headers = request_for(hook, message)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except Exception as error:  # refused, timed out, name not found…
        return None, f"{type(error).__name__}: {error}"
