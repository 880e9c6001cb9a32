"""Meeting mode chooses its walls and may show a wall view: which wall displays are in the
meeting on the walls (``display_token.in_meeting``), and what the chair has put up instead of an
agenda item, the county ranking or the blocker list (``meeting.shown_view``, ``NULL`` for the
item). A meeting that is on the walls when this runs keeps every active wall, as before.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = ("columns display_token.in_meeting and meeting.shown_view (which walls "
                        "follow the meeting and the wall view put up in it)")


def upgrade():
    with op.batch_alter_table("display_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_meeting", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_view", sa.String(length=16), nullable=True))
    display = sa.table("display_token", sa.column("in_meeting", sa.Boolean),
                       sa.column("revoked_at", sa.DateTime))
    meeting = sa.table("meeting", sa.column("current_position", sa.Integer))
    presenting = sa.select(meeting.c.current_position).where(
        meeting.c.current_position.is_not(None)).exists()
    op.execute(display.update().where(display.c.revoked_at.is_(None), presenting)
               .values(in_meeting=True))


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("shown_view")
    with op.batch_alter_table("display_token", schema=None) as batch_op:
        batch_op.drop_column("in_meeting")
