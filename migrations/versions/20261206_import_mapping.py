"""Import mappings: the columns a person chose for a file in a layout we do not know, remembered for
the next file with the same header row (issue 16)

Revision ID: 20261206_import_mapping
Revises: 20261206_one_sender
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_import_mapping"
down_revision = "20261206_one_sender"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("headers_key", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("date_order", sa.String(length=3), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_mapping_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("user_id", "headers_key", name="uq_import_mapping_user_headers"),
    )


def downgrade():
    op.drop_table("import_mapping")
