"""Scheduling meetings (调度会): a meeting, who attends, its agenda of projects; a blocker now
names the meeting that decided it (its source) and who follows it up (督办).

Existing blockers get no meeting and no one following up: they were raised on the board.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = (
    "tables meeting, meeting_attendee, meeting_item (the scheduling meetings, who attended, "
    "their agendas); blocker.meeting_id, blocker.follow_up (which meeting decided a blocker, "
    "who follows it up: the blockers themselves stay)"
)


def upgrade():
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("guests", sa.String(length=500), nullable=False),
        sa.Column("current_position", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_held_on"), ["held_on"], unique=False)
    op.create_table(
        "meeting_attendee",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "user_id"),
    )
    op.create_table(
        "meeting_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "project_id"),
    )
    with op.batch_alter_table("meeting_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_item_meeting_id"), ["meeting_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_item_project_id"), ["project_id"],
                              unique=False)
    with op.batch_alter_table("blocker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("follow_up", sa.String(length=64), nullable=False,
                                      server_default=""))
        batch_op.create_index(batch_op.f("ix_blocker_meeting_id"), ["meeting_id"],
                              unique=False)
        batch_op.create_foreign_key("fk_blocker_meeting_id_meeting", "meeting",
                                    ["meeting_id"], ["id"])


def downgrade():
    with op.batch_alter_table("blocker", schema=None) as batch_op:
        batch_op.drop_constraint("fk_blocker_meeting_id_meeting", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_blocker_meeting_id"))
        batch_op.drop_column("follow_up")
        batch_op.drop_column("meeting_id")
    with op.batch_alter_table("meeting_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_item_project_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_item_meeting_id"))
    op.drop_table("meeting_item")
    op.drop_table("meeting_attendee")
    op.drop_table("meeting")
