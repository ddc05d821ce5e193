"""Team capacity: the management FTE of a team, effective from a date

Revision ID: 20261206_team_capacity
Revises: 20261206_oidc

team_capacity rows are only added, never edited (like rate): the FTE in
force on a day is the latest row effective on or before it.
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_team_capacity"
down_revision = "20261206_oidc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "team_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("fte", sa.Numeric(precision=7, scale=3), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("fte > 0 AND fte <= 1000", name=op.f("ck_team_capacity_fte_in_range")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_team_capacity_created_by_id_user")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_team_capacity_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_capacity")),
        sa.UniqueConstraint("team_id", "effective_from", name="uq_team_capacity_team_effective_from"),
    )
    op.create_index(op.f("ix_team_capacity_team_id"), "team_capacity", ["team_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_team_capacity_team_id"), table_name="team_capacity")
    op.drop_table("team_capacity")
