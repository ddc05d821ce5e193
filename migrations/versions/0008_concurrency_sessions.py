"""Entry versions (optimistic concurrency) and per-user session versions

Revision ID: 0008
Revises: 0009

entry.version goes up with every change: the API's ETag/If-Match and the edit
page's "someone else saved first" compare it. user.session_version is carried
by every signed-in session; raising it ends all of that user's sessions
(sign-out, password change, deactivation). Existing rows start at 1, so
sessions signed in before this migration must sign in again.
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_version")
    with op.batch_alter_table("entry") as batch:
        batch.drop_column("version")
