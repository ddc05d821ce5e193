"""A request's details to confirm

Revision ID: 0009
Revises: 0004

A request a manager adds from the log form takes defaults for what they may
not know (how often it is asked, its obligation, the kind of body asking);
`details_to_confirm` marks it in the catalogue until a commissioner checks
them. Requests that already exist were entered in full: false.
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place, NOT NULL with a server default that fills existing rows: no table is rebuilt
    # on SQLite (rebuilding `request` would trip the foreign keys of the entries that point at it).
    op.add_column("request", sa.Column("details_to_confirm", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column("request", "details_to_confirm")  # SQLite 3.35+ drops a column in place
