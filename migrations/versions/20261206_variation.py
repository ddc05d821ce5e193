"""Variation between teams: week counts of entries per team and request, and each team's method

burden_rollup_week counts live entries per Monday-to-Sunday week × team × request
(kept exact by every entry write, like the monthly rollups); the upgrade fills it
from the entries already there. request_method holds how one team produces one
request's return, one per request and team, versioned.

Revision ID: 20261206_variation
Revises: 20261206_daily_frequency
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_variation"
down_revision = "20261206_daily_frequency"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "burden_rollup_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["request.id"], name=op.f("fk_burden_rollup_week_request_id_request")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_burden_rollup_week_team_id_team")),
        sa.PrimaryKeyConstraint("week", "team_id", "request_id", name=op.f("pk_burden_rollup_week")),
    )
    with op.batch_alter_table("burden_rollup_week", schema=None) as batch_op:
        batch_op.create_index("ix_burden_rollup_week_request_week", ["request_id", "week"], unique=False)
    _count_weeks_of_existing_entries()

    op.create_table(
        "request_method",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["request.id"], name=op.f("fk_request_method_request_id_request")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_request_method_team_id_team")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_request_method_updated_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_method")),
        sa.UniqueConstraint("request_id", "team_id", name="uq_request_method_request_team"),
    )
    with op.batch_alter_table("request_method", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_method_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_method_team_id"), ["team_id"], unique=False)


def _count_weeks_of_existing_entries():
    """Entries logged before this migration count too (plain SQL: the models may have moved on)."""
    if op.get_bind().dialect.name == "postgresql":
        week = "CAST(date_trunc('week', occurred_on) AS DATE)"
    else:
        week = "date(occurred_on, 'weekday 0', '-6 days')"
    op.execute(
        f"""
        INSERT INTO burden_rollup_week (week, team_id, request_id, entries)
        SELECT {week}, team_id, request_id, COUNT(*)
        FROM entry WHERE deleted_at IS NULL
        GROUP BY {week}, team_id, request_id
        """
    )


def downgrade():
    with op.batch_alter_table("request_method", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_method_team_id"))
        batch_op.drop_index(batch_op.f("ix_request_method_request_id"))
    op.drop_table("request_method")
    with op.batch_alter_table("burden_rollup_week", schema=None) as batch_op:
        batch_op.drop_index("ix_burden_rollup_week_request_week")
    op.drop_table("burden_rollup_week")
