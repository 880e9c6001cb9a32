"""Webhook messages survive a restart: each delivery log row keeps its message (title, lines,
the event's data), so another process can send it again, and when a process last held it
(``claimed_at``), so that only one process takes up a message left pending by a dead one.

Rows logged before this revision keep no message: one still pending is marked failed by the
first sweep (its message cannot be rebuilt).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = (
    "columns webhook_delivery.message (the message kept for sending again) and "
    "webhook_delivery.claimed_at (when a process last held it)"
)


def upgrade():
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("message")
