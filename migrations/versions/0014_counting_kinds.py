"""How a signing is counted (issue 13, "Counting as the bureau counts"): the kind of agreement
(framework, contract, supplementary), the kind of project (new, capital increase, upgrade), a
capital increase's increment in 万元, and the date a framework agreement became a contract.

Existing projects become contracts for new projects, so that nothing already reported changes.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = (
    "columns project.agreement_kind, project_kind, increment_wan, contracted_on (how each "
    "signing is counted, and when a framework agreement became a contract)"
)


def upgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_kind", sa.String(length=16), nullable=False,
                                      server_default="contract"))
        batch_op.add_column(sa.Column("project_kind", sa.String(length=16), nullable=False,
                                      server_default="new"))
        batch_op.add_column(sa.Column("increment_wan", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("contracted_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("contracted_on")
        batch_op.drop_column("increment_wan")
        batch_op.drop_column("project_kind")
        batch_op.drop_column("agreement_kind")
