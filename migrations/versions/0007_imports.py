"""Imports: import batches, imported-row fingerprints, entry.import_batch_id

Revision ID: 0007
Revises: 0008

An import batch records one imported file (who, when, name, SHA-256, rows
added, skipped and refused); its entries point at it, so undoing it deletes
exactly them. request.reference holds a collection's reference from a
register of collections. imported_row keeps a fingerprint per imported file row; a
partial unique index over the fingerprints of batches still standing means
the same row is never imported twice.
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(length=20), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('entries', 'catalogue')", name=op.f("ck_import_batch_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_batch_user_id_user")),
        sa.ForeignKeyConstraint(["undone_by_id"], ["user.id"], name=op.f("fk_import_batch_undone_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_batch_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_batch_sha256"), ["sha256"], unique=False)

    op.create_table(
        "imported_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], name=op.f("fk_imported_row_batch_id_import_batch")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_row")),
    )
    with op.batch_alter_table("imported_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_row_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "uq_imported_row_live_fingerprint",
            ["fingerprint"],
            unique=True,
            sqlite_where=sa.text("undone_at IS NULL"),
            postgresql_where=sa.text("undone_at IS NULL"),
        )

    # Columns added in place, no table rebuilt: rebuilding `entry` (a million rows) would be slow, and
    # rebuilding `request` on SQLite would trip the foreign keys of the entries that point at it.
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause in place (it cannot ALTER a constraint in later).
        op.execute("ALTER TABLE entry ADD COLUMN import_batch_id INTEGER "
                   "CONSTRAINT fk_entry_import_batch_id_import_batch REFERENCES import_batch (id)")
    else:
        op.add_column("entry", sa.Column("import_batch_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_entry_import_batch_id_import_batch"), "entry", "import_batch",
                              ["import_batch_id"], ["id"])
    op.create_index(op.f("ix_entry_import_batch_id"), "entry", ["import_batch_id"], unique=False)

    op.add_column("request", sa.Column("reference", sa.String(length=60), nullable=True))
    op.create_index("uq_request_reference", "request", ["reference"], unique=True)


def downgrade():
    op.drop_index("uq_request_reference", table_name="request")
    op.drop_column("request", "reference")  # SQLite 3.35+ drops a column in place
    op.drop_index(op.f("ix_entry_import_batch_id"), table_name="entry")
    if op.get_bind().dialect.name == "sqlite":
        # A column with a foreign key cannot be dropped in place on SQLite: rebuild the table.
        with op.batch_alter_table("entry", schema=None) as batch_op:
            batch_op.drop_column("import_batch_id")
    else:
        op.drop_constraint(op.f("fk_entry_import_batch_id_import_batch"), "entry", type_="foreignkey")
        op.drop_column("entry", "import_batch_id")
    with op.batch_alter_table("imported_row", schema=None) as batch_op:
        batch_op.drop_index("uq_imported_row_live_fingerprint")
        batch_op.drop_index(batch_op.f("ix_imported_row_batch_id"))
    op.drop_table("imported_row")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_sha256"))
        batch_op.drop_index(batch_op.f("ix_import_batch_created_at"))
        batch_op.drop_index(batch_op.f("ix_import_batch_user_id"))
    op.drop_table("import_batch")
