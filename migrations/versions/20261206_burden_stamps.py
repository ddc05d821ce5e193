"""Month stamps of the rollups, and a covering index for the days at the edges of a period

burden_stamp holds one random number per month, replaced by every change to that month's
rollups (and an epoch row, month 0001-01-01), so a process can tell that a month's figures
have not changed since it last read them. ix_entry_live_day covers what the burden service
reads of the live entries of a few days (the partial months at the edges of a period), so
PostgreSQL answers those from the index alone.

Revision ID: 20261206_burden_stamps
Revises: 20261206_variation
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_burden_stamps"
down_revision = "20261206_variation"
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"


def upgrade():
    op.create_table(
        "burden_stamp",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_burden_stamp")),
    )
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entry_live_day", ["occurred_on", "team_id", "request_id", "band"], unique=False,
            postgresql_include=["minutes", "duplicated_elsewhere", "used"],
            postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE),
        )


def downgrade():
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_live_day")
    op.drop_table("burden_stamp")
