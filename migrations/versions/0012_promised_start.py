"""The start of construction the agreement promised (协议约定开工日期), so that a signed project
past it without having started shows a light of its own and the reports list it.

Existing projects get none: the date is in the agreement, not in anything held so far.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "column project.promised_start_on (the start the agreement promised)"


def upgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promised_start_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("promised_start_on")
