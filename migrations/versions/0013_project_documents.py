"""The documents a project keeps as evidence for its figures (签约协议, 营业执照, 到位凭证, 其他),
and the verification (核实) of a signing against its attached agreement.

The files live in the documents folder under a random id; this table says whose each is, of
what kind, who uploaded it and whether it was removed. Existing projects have no documents, so
none of their signings is verified.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = (
    "table project_document (which files each project keeps; the files stay in the folder); "
    "project.signing_verified_at, signing_verified_by_id (which signings were verified)"
)


def upgrade():
    op.create_table(
        "project_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["removed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("project_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_document_project_id"), ["project_id"],
                              unique=False)
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("signing_verified_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_project_signing_verified_by_id_user", "user",
                                    ["signing_verified_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_constraint("fk_project_signing_verified_by_id_user", type_="foreignkey")
        batch_op.drop_column("signing_verified_by_id")
        batch_op.drop_column("signing_verified_at")
    with op.batch_alter_table("project_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_document_project_id"))
    op.drop_table("project_document")
