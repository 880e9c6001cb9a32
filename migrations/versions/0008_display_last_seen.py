"""When each wall display's screen was last connected, so that an administrator sees which
screens are on now and since when one has been dark.

Nullable: displays made before this revision have not been seen since.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "column display_token.last_seen_at (when each wall screen was last on)"


def upgrade():
    with op.batch_alter_table("display_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("display_token", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
