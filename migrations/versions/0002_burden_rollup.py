"""Burden rollups: monthly sums of live entries by team × request × band, team × band and request × band

They hold minutes, never money, so rate changes never stale them. The
upgrade fills them from the entries already there.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MEASURES = ("entries", "minutes", "duplicated_minutes", "used_minutes")


def _measure_columns():
    return [
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("duplicated_minutes", sa.BigInteger(), nullable=False),
        sa.Column("used_minutes", sa.BigInteger(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "burden_rollup",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        *_measure_columns(),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_burden_rollup_team_id_team")),
        sa.ForeignKeyConstraint(["request_id"], ["request.id"], name=op.f("fk_burden_rollup_request_id_request")),
        sa.PrimaryKeyConstraint("month", "team_id", "request_id", "band", name=op.f("pk_burden_rollup")),
    )
    with op.batch_alter_table("burden_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_burden_rollup_team_month", ["team_id", "month"], unique=False)
        batch_op.create_index("ix_burden_rollup_request_month", ["request_id", "month"], unique=False)

    op.create_table(
        "burden_rollup_team",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        *_measure_columns(),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_burden_rollup_team_team_id_team")),
        sa.PrimaryKeyConstraint("month", "team_id", "band", name=op.f("pk_burden_rollup_team")),
    )
    with op.batch_alter_table("burden_rollup_team", schema=None) as batch_op:
        batch_op.create_index("ix_burden_rollup_team_team_month", ["team_id", "month"], unique=False)

    op.create_table(
        "burden_rollup_request",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        *_measure_columns(),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_burden_rollup_request_request_id_request")
        ),
        sa.PrimaryKeyConstraint("month", "request_id", "band", name=op.f("pk_burden_rollup_request")),
    )
    with op.batch_alter_table("burden_rollup_request", schema=None) as batch_op:
        batch_op.create_index("ix_burden_rollup_request_request_month", ["request_id", "month"], unique=False)

    _fill_from_entries()


def _fill_from_entries():
    """Entries logged before this migration count too (plain SQL: the models may have moved on)."""
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', occurred_on) AS DATE)"
    else:
        month = "date(occurred_on, 'start of month')"
    op.execute(
        f"""
        INSERT INTO burden_rollup (month, team_id, request_id, band, entries, minutes, duplicated_minutes, used_minutes)
        SELECT {month}, team_id, request_id, band, COUNT(*), SUM(minutes),
               SUM(CASE WHEN duplicated_elsewhere = 'yes' THEN minutes ELSE 0 END),
               SUM(CASE WHEN used = 'yes' THEN minutes ELSE 0 END)
        FROM entry WHERE deleted_at IS NULL
        GROUP BY {month}, team_id, request_id, band
        """
    )
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    measures = ", ".join(MEASURES)
    op.execute(
        f"INSERT INTO burden_rollup_team (month, team_id, band, {measures}) "
        f"SELECT month, team_id, band, {sums} FROM burden_rollup GROUP BY month, team_id, band"
    )
    op.execute(
        f"INSERT INTO burden_rollup_request (month, request_id, band, {measures}) "
        f"SELECT month, request_id, band, {sums} FROM burden_rollup GROUP BY month, request_id, band"
    )


def downgrade():
    with op.batch_alter_table("burden_rollup_request", schema=None) as batch_op:
        batch_op.drop_index("ix_burden_rollup_request_request_month")
    op.drop_table("burden_rollup_request")
    with op.batch_alter_table("burden_rollup_team", schema=None) as batch_op:
        batch_op.drop_index("ix_burden_rollup_team_team_month")
    op.drop_table("burden_rollup_team")
    with op.batch_alter_table("burden_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_burden_rollup_request_month")
        batch_op.drop_index("ix_burden_rollup_team_month")
    op.drop_table("burden_rollup")
