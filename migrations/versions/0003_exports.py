"""Export runs and month sign-off

Revision ID: 0003
Revises: 0002

export_run's UNIQUE (period, scope) is the guard that gives exactly one
workbook per month and scope however many scheduler processes run.
month_signoff keeps every sign-off; a partial unique index allows only one
open (not reopened) sign-off per team and month.
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = "('queued', 'running', 'succeeded', 'failed')"
TRIGGERS = "('schedule', 'catch_up', 'manual', 'signoff')"


def upgrade():
    op.create_table(
        "export_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("progress_rows", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.Column("emailed_to", sa.Text(), nullable=True),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_export_run_status")),
        sa.CheckConstraint(f"trigger IN {TRIGGERS}", name=op.f("ck_export_run_trigger")),
        sa.CheckConstraint(
            "(scope = 'region' AND team_id IS NULL) OR (scope <> 'region' AND team_id IS NOT NULL)",
            name=op.f("ck_export_run_scope_matches_team"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_export_run_team_id_team")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"], name=op.f("fk_export_run_requested_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_run")),
        sa.UniqueConstraint("period", "scope", name="uq_export_run_period_scope"),
    )
    with op.batch_alter_table("export_run", schema=None) as batch_op:
        batch_op.create_index("ix_export_run_status", ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_run_team_id"), ["team_id"], unique=False)

    op.create_table(
        "month_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "reopened_at IS NULL OR reopen_reason IS NOT NULL", name=op.f("ck_month_signoff_reopen_has_reason")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_month_signoff_team_id_team")),
        sa.ForeignKeyConstraint(["signed_by_id"], ["user.id"], name=op.f("fk_month_signoff_signed_by_id_user")),
        sa.ForeignKeyConstraint(["reopened_by_id"], ["user.id"], name=op.f("fk_month_signoff_reopened_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_month_signoff")),
    )
    with op.batch_alter_table("month_signoff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_month_signoff_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            "uq_month_signoff_open",
            ["team_id", "month"],
            unique=True,
            sqlite_where=sa.text("reopened_at IS NULL"),
            postgresql_where=sa.text("reopened_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("month_signoff", schema=None) as batch_op:
        batch_op.drop_index("uq_month_signoff_open")
        batch_op.drop_index(batch_op.f("ix_month_signoff_team_id"))
    op.drop_table("month_signoff")

    with op.batch_alter_table("export_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_run_team_id"))
        batch_op.drop_index("ix_export_run_status")
    op.drop_table("export_run")
