"""Database tables. Money is integer 万元; times are UTC; stage dates are Asia/Shanghai dates."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy import false as sql_false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from wallchart.core.vocabulary import DEFAULT_HEADER_FIGURES, PERMISSIONS
from wallchart.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 digests: a leaked database does not leak working tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


class BoardState(db.Model):
    """One row holding the board revision, the sequence number every broadcast carries, and
    the lobby revision, which counts only the changes a lobby screen can see."""

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
    lobby_revision: Mapped[int] = mapped_column(default=0, server_default="0")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def set_password(self, password: str, method: str) -> None:
        """Keep only a hash of ``password``, made by werkzeug's ``method`` (``scrypt:N:r:p``)."""
        self.password_hash = generate_password_hash(password, method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, permission: str) -> bool:
        return self.active and permission in PERMISSIONS.get(self.role, frozenset())


class ApiToken(db.Model):
    """A script's credential, acting as its user; revocable, one by one or all of a user's."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    #: When it was last accepted, to the minute (see ``accounts.LAST_USED_PRECISION``).
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class DisplayToken(db.Model):
    """A wall display's credential: read-only, no user behind it, revocable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    #: ``staff`` shows everything; ``lobby`` never receives confidential investors and amounts.
    profile: Mapped[str] = mapped_column(String(16), default="staff")
    #: The views the screen rotates through (``DISPLAY_VIEWS`` keys), ``rotate_seconds`` each.
    views: Mapped[list] = mapped_column(JSON, default=lambda: ["board"])
    rotate_seconds: Mapped[int] = mapped_column(default=60)
    #: The ``HEADER_FIGURES`` keys its header shows, in order.
    header_figures: Mapped[list] = mapped_column(JSON,
                                                 default=lambda: list(DEFAULT_HEADER_FIGURES))
    #: When a screen was last connected with it (to the minute): is the wall on right now?
    last_seen_at: Mapped[datetime | None]
    #: Meeting mode: whether this wall is one the chair chose to show the meeting on.
    in_meeting: Mapped[bool] = mapped_column(default=False, server_default=sql_false())


class UserSession(db.Model):
    """A signed-in browser. The cookie carries a token; ending the row ends the session, on
    every process, and the sockets opened with it are closed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """An administrator's action (users, teams, counties, display tokens): who, what, when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined", innerjoin=False)


class SetupToken(db.Model):
    """One-time links that let the first person create the admin account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


team_member = db.Table(
    "team_member",
    db.Column("team_id", db.ForeignKey("team.id"), primary_key=True),
    db.Column("user_id", db.ForeignKey("user.id"), primary_key=True),
)


class Team(db.Model):
    """A special task team (工作专班): its lead and members work its projects."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    members: Mapped[list[User]] = relationship(secondary=team_member, order_by="User.username")

    def people(self) -> list[User]:
        """The lead and the members, once each: who may own this team's projects."""
        everyone = {user.id: user for user in self.members}
        if self.lead is not None:
            everyone.setdefault(self.lead.id, self.lead)
        return sorted(everyone.values(), key=lambda user: user.username)


class County(db.Model):
    """A county, district, county-level city or development zone (县市区/园区)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="county")
    sort_order: Mapped[int] = mapped_column(default=0)


class Project(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The bureau's own identifier (项目编码), unique when set; ledgers are matched by it.
    code: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    investor: Mapped[str] = mapped_column(String(200), default="")
    investment_wan: Mapped[int] = mapped_column(default=0)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    sector: Mapped[str | None] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16), default="contact")
    #: Sparse sort key within the column: a move rewrites only the moved row.
    rank: Mapped[float] = mapped_column(default=0.0)
    #: The date the project entered its current stage: always equal to that stage's own date.
    stage_entered_at: Mapped[date]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    # The record (issue 4). Keys of the vocabularies; free text is single-line unless noted.
    origin: Mapped[str] = mapped_column(String(64), default="")  # province or country
    foreign_invested: Mapped[bool] = mapped_column(default=False)
    three500: Mapped[str | None] = mapped_column(String(16))
    enterprise_type: Mapped[str | None] = mapped_column(String(16))
    industry_chain: Mapped[str] = mapped_column(String(64), default="")
    source_channel: Mapped[str | None] = mapped_column(String(16))
    source_detail: Mapped[str] = mapped_column(String(100), default="")
    foreign_capital_usd_wan: Mapped[int] = mapped_column(default=0)
    new_trade_entity: Mapped[bool] = mapped_column(default=False)
    contact_person: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    land_mu: Mapped[int] = mapped_column(default=0)  # land needed, 亩
    description: Mapped[str] = mapped_column(Text, default="")  # line breaks allowed
    confidential: Mapped[bool] = mapped_column(default=False)

    # The date each stage was entered (Asia/Shanghai); a move back clears the later ones.
    contact_on: Mapped[date | None]
    negotiating_on: Mapped[date | None]
    signed_on: Mapped[date | None] = mapped_column(index=True)
    started_on: Mapped[date | None]
    producing_on: Mapped[date | None]
    #: When the next stage is planned to be reached.
    planned_on: Mapped[date | None]
    #: The start of construction the agreement promised (协议约定开工日期); signed or later.
    promised_start_on: Mapped[date | None]
    #: When a lead verified the signing (核实) against its attached agreement, and who did.
    signing_verified_at: Mapped[datetime | None]
    signing_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: How the signing is counted (``core.counting``): its kind of agreement (框架协议,
    #: 投资协议/合同, 补充协议), the project's kind (新建, 增资, 升格), a capital increase's
    #: increment (万元), and the date a framework agreement became a contract (转为合同).
    agreement_kind: Mapped[str] = mapped_column(String(16), default="contract")
    project_kind: Mapped[str] = mapped_column(String(16), default="new")
    increment_wan: Mapped[int] = mapped_column(default=0)
    contracted_on: Mapped[date | None]

    next_step: Mapped[str] = mapped_column(String(200), default="")
    next_step_due: Mapped[date | None]
    next_step_owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    #: ``active`` on the board, or ``withdrawn`` (终止/退库) to the archive, history kept.
    status: Mapped[str] = mapped_column(String(16), default="active")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(32))
    withdrawn_comment: Mapped[str] = mapped_column(Text, default="")

    # Kept by the note and blocker services so that a card (and its warning) renders from its
    # own row: no query per card.
    last_note_on: Mapped[date | None]
    open_blockers: Mapped[int] = mapped_column(default=0)
    #: The earliest due date among the open blockers.
    blocker_due: Mapped[date | None]

    county: Mapped[County | None] = relationship(lazy="joined", innerjoin=False)
    team: Mapped[Team | None] = relationship(lazy="joined", innerjoin=False)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined",
                                              innerjoin=False)
    next_step_owner: Mapped[User | None] = relationship(foreign_keys=[next_step_owner_id],
                                                        lazy="joined", innerjoin=False)
    signing_verified_by: Mapped[User | None] = relationship(
        foreign_keys=[signing_verified_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_project_board", "deleted_at", "stage", "rank"),)

    @hybrid_property
    def on_board(self) -> bool:
        """On the board: neither deleted nor withdrawn to the archive. The one statement of the
        rule, for a loaded project (``project.on_board``) and in SQL (``.where(Project.on_board)``).
        """
        return self.deleted_at is None and self.status == "active"

    @on_board.inplace.expression
    @classmethod
    def _on_board_expression(cls) -> ColumnElement[bool]:
        return and_(cls.deleted_at.is_(None), cls.status == "active")

    def stage_date(self, stage: str) -> date | None:
        return getattr(self, f"{stage}_on")


class ProjectEvent(db.Model):
    """The history of a project: who changed what, when, from and to. Never updated or deleted."""

    #: The newest entries first without sorting the whole history (the wall's ticker).
    __table_args__ = (Index("ix_project_event_at", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str | None] = mapped_column(String(16))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int]

    user: Mapped[User | None] = relationship(lazy="joined", innerjoin=False)
    #: Set when the entry is recorded, so that a new project and its first entry are written
    #: together, at the next flush (an import adds thousands, flushed a batch at a time).
    project: Mapped[Project] = relationship()


class Blocker(db.Model):
    """A coordination matter (协调事项): what is stuck, which department must solve it, by when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    raised_on: Mapped[date]
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_on: Mapped[date | None]
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    #: The scheduling meeting that decided it (a decision, 交办事项), if one did: its source.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    #: Who follows the decision up (督办), as the meeting named them.
    follow_up: Mapped[str] = mapped_column(String(64), default="", server_default="")

    project: Mapped[Project] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    meeting: Mapped[Meeting | None] = relationship(back_populates="decisions")

    __mapper_args__ = {"version_id_col": version}


class CountyTarget(db.Model):
    """A county's annual targets (目标任务), against which the ranking shows the pace."""

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    year: Mapped[int]
    signed_count: Mapped[int] = mapped_column(default=0)
    signed_investment_wan: Mapped[int] = mapped_column(default=0)
    started_count: Mapped[int] = mapped_column(default=0)
    foreign_capital_usd_wan: Mapped[int] = mapped_column(default=0)
    #: Funds in place (资金到位) and foreign capital actually used (实际利用外资) in the year.
    funds_in_place_wan: Mapped[int] = mapped_column(default=0, server_default="0")
    foreign_capital_actual_usd_wan: Mapped[int] = mapped_column(default=0, server_default="0")

    county: Mapped[County] = relationship()

    __table_args__ = (UniqueConstraint("county_id", "year"),)


class FundReceipt(db.Model):
    """A receipt of funds (资金到位) on a signed project: what arrived, when, by which document;
    of which foreign capital actually used (实际利用外资), on a foreign-invested project.

    Corrected in place and removed softly (``removed_at``): the project's history keeps every
    earlier value, who changed it and why, and the figures count only the receipts not removed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    #: The day the money arrived (Asia/Shanghai): the period it counts in.
    received_on: Mapped[date] = mapped_column(index=True)
    amount_wan: Mapped[int]
    #: Of the amount, foreign capital in 万美元; ``None`` when none of it is.
    foreign_usd_wan: Mapped[int | None]
    #: The source document's number (bank slip, capital verification report...).
    document: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    __mapper_args__ = {"version_id_col": version}


class ProjectDocument(db.Model):
    """A document kept with a project (the signed agreement, the business licence, the proof of
    funds): the evidence behind the figures it counts in.

    The file lives in the documents folder under ``stored_name``, a random id, never the name it
    was uploaded under (which is kept only to offer it back). Removed softly, like a receipt:
    the history says who removed it and why, and the file stays for the record.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    #: One of ``services.documents.KINDS``.
    kind: Mapped[str] = mapped_column(String(32))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: Read from the content (application/pdf, image/png, image/jpeg), not from the name.
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    __mapper_args__ = {"version_id_col": version}


meeting_attendee = db.Table(
    "meeting_attendee",
    db.Column("meeting_id", db.ForeignKey("meeting.id"), primary_key=True),
    db.Column("user_id", db.ForeignKey("user.id"), primary_key=True),
)


class Meeting(db.Model):
    """A scheduling meeting (调度会): its agenda of projects, who attends, and the decisions
    taken on them, each an open blocker of its project (``Blocker.meeting_id``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The day it is held (Asia/Shanghai).
    held_on: Mapped[date] = mapped_column(index=True)
    #: Attendees who have no account (the mayor, other bureaus), one line of names.
    guests: Mapped[str] = mapped_column(String(500), default="")
    #: In meeting mode, the place on the agenda the walls show (0 first); ``None`` otherwise.
    #: One meeting at a time is presented.
    current_position: Mapped[int | None]
    #: In meeting mode, a wall view the chair put up instead of the item (``MEETING_VIEWS``:
    #: the county ranking or the blocker list); ``None``: the item at ``current_position``.
    shown_view: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendee,
                                                 order_by="User.username")
    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", order_by="MeetingItem.position",
        cascade="all, delete-orphan")
    decisions: Mapped[list[Blocker]] = relationship(back_populates="meeting",
                                                    order_by="Blocker.id")


class MeetingItem(db.Model):
    """A project on a meeting's agenda, at its place (0 first)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    project: Mapped[Project] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "project_id"),)


class Notification(db.Model):
    """Something that concerns one person (a project handed to him, his card turned red, a
    step of his falling due, a stage passed on a project he follows), for the bell.

    ``key`` says what it is about once (``kind:project:revision``, ``due:project:date``…): the
    same thing is never told twice, however often the daily check runs, on any process.
    ``data`` holds what the message names at the time (the project's name, stages, colour);
    the message itself is written in the reader's language when shown.
    """

    __table_args__ = (UniqueConstraint("user_id", "key"),
                      Index("ix_notification_user_read", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    project: Mapped[Project | None] = relationship(lazy="joined", innerjoin=False)


class NotificationPreference(db.Model):
    """What a person chose not to be told of (kinds of ``services.notifications.KINDS``)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    muted: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WarningLight(db.Model):
    """The early-warning colour a project's owner was last told of (``None``: fine), so that a
    card turning yellow or red is told once, whichever process or check sees it first."""

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    colour: Mapped[str | None] = mapped_column(String(8))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamWebhook(db.Model):
    """A team's group chat bot (企业微信, 钉钉, 飞书, or any JSON receiver) that hears of the
    team's projects. ``events``: the kinds it hears (empty: every one); ``lobby_safe``: a
    confidential project's investor and amount are left out."""

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    lobby_safe: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    team: Mapped[Team] = relationship()


class WebhookDelivery(db.Model):
    """One message to one webhook: when, what, how many tries, how it ended (the log)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("team_webhook.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    #: ``pending``, ``delivered`` or ``failed`` (every try used).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    response_status: Mapped[int | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    #: The message itself (``event``, ``project_id``, ``title``, ``lines``, ``data``), signed
    #: anew at each try: what another process sends again if this one stopped.
    message: Mapped[dict | None] = mapped_column(JSON)
    #: When the process delivering it last held it: a pending row not held for a minute is
    #: taken up by whichever process claims it first.
    claimed_at: Mapped[datetime | None]

    webhook: Mapped[TeamWebhook] = relationship(lazy="joined")
