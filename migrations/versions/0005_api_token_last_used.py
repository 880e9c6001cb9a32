"""When each API token was last used, so that an administrator can tell a forgotten or leaked
token from one a script still needs before revoking it.

Nullable: tokens made before this revision have never been seen in use since.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "column api_token.last_used_at (when each token was last used)"


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
