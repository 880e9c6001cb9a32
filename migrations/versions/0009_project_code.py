"""A project code (项目编码): the bureau's own identifier for a project, by which a ledger that
is imported again finds the projects it brought in before.

Nullable and unique when set: projects made before this revision have none, and several
projects without one do not collide (a unique index lets NULLs repeat on SQLite and PostgreSQL
alike).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "column project.code (the projects' codes, 项目编码)"


def upgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_project_code"), ["code"], unique=True)


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_code"))
        batch_op.drop_column("code")
