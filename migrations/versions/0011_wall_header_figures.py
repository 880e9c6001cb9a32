"""The figures a wall display's header shows: seven of the year-to-date figures, in the order
its administrator chose; existing displays keep the header they had.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "column display_token.header_figures (the figures each wall's header shows)"
#: The header every wall had before the choice existed.
BEFORE = ('["signed", "signed_investment", "signed_billion_plus", "signed_three500", '
          '"foreign_capital", "started", "producing"]')


def upgrade():
    with op.batch_alter_table("display_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("header_figures", sa.JSON(), nullable=False,
                                      server_default=BEFORE))


def downgrade():
    with op.batch_alter_table("display_token", schema=None) as batch_op:
        batch_op.drop_column("header_figures")
