"""Operations: the scheduler's heartbeat, read by /healthz

Revision ID: 0010
Revises: 0006 (main's head when this branch last merged main)
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "service_heartbeat",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("beat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_service_heartbeat")),
    )


def downgrade():
    op.drop_table("service_heartbeat")
