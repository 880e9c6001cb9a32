"""Receipts of funds (资金到位) on signed projects, with their foreign part (实际利用外资), and
the counties' annual targets for both.

A table of its own: a project receives its capital in several payments, each dated, each with
its document; corrected in place and removed softly (the project's history keeps the rest).
Existing targets get 0 for the two new figures: no target, as the targets page says.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = (
    "table fund_receipt (the receipts of funds, 资金到位, and their foreign part); "
    "county_target.funds_in_place_wan, foreign_capital_actual_usd_wan (those targets)"
)


def upgrade():
    op.create_table(
        "fund_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount_wan", sa.Integer(), nullable=False),
        sa.Column("foreign_usd_wan", sa.Integer(), nullable=True),
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["removed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fund_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_receipt_project_id"), ["project_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_fund_receipt_received_on"), ["received_on"],
                              unique=False)
    with op.batch_alter_table("county_target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("funds_in_place_wan", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("foreign_capital_actual_usd_wan", sa.Integer(),
                                      nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("county_target", schema=None) as batch_op:
        batch_op.drop_column("foreign_capital_actual_usd_wan")
        batch_op.drop_column("funds_in_place_wan")
    with op.batch_alter_table("fund_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_receipt_received_on"))
        batch_op.drop_index(batch_op.f("ix_fund_receipt_project_id"))
    op.drop_table("fund_receipt")
