"""A revision of the board as a lobby screen sees it.

A lobby screen must not learn when a confidential project's hidden values were edited, and the
board revision it used to carry counted every change. ``lobby_revision`` counts only the
changes a lobby can see; it starts at the board revision, so that a lobby screen open during
the upgrade sees no number go backwards.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "column board_state.lobby_revision (the lobby screens' revision)"


def upgrade():
    with op.batch_alter_table("board_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lobby_revision", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.execute("UPDATE board_state SET lobby_revision = revision")


def downgrade():
    with op.batch_alter_table("board_state", schema=None) as batch_op:
        batch_op.drop_column("lobby_revision")
