"""One sender: every email row keeps the same claim (status, heartbeat, back-off) (issue 19)

The workbook emails get a status and a heartbeat of their own (a send that
died stayed unsent for ever), the review digests a heartbeat, and all three
a time before which a failed send is not tried again (tracker/shared/sending.py).

Revision ID: 20261206_one_sender
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_one_sender"
down_revision = "0010"
branch_labels = None
depends_on = None

# What tracker.types.UTCDateTime stores: a naive UTC timestamp.
TIMESTAMP = sa.DateTime()


def upgrade():
    with op.batch_alter_table("export_run") as batch:
        batch.add_column(sa.Column("email_status", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("email_claimed_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("email_retry_at", TIMESTAMP, nullable=True))
        batch.create_check_constraint(
            op.f("ck_export_run_email_status"), "email_status IS NULL OR email_status IN ('sending', 'sent', 'failed')"
        )
    # Runs already emailed are sent; a recorded error without a send is a failure to retry.
    op.execute("UPDATE export_run SET email_status = 'sent' WHERE emailed_at IS NOT NULL")
    op.execute("UPDATE export_run SET email_status = 'failed' WHERE emailed_at IS NULL AND email_error IS NOT NULL")
    with op.batch_alter_table("licence_reminder") as batch:
        batch.add_column(sa.Column("retry_at", TIMESTAMP, nullable=True))
    with op.batch_alter_table("review_digest") as batch:
        batch.add_column(sa.Column("claimed_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("retry_at", TIMESTAMP, nullable=True))
    op.execute("UPDATE review_digest SET claimed_at = created_at")


def downgrade():
    with op.batch_alter_table("review_digest") as batch:
        batch.drop_column("retry_at")
        batch.drop_column("claimed_at")
    with op.batch_alter_table("licence_reminder") as batch:
        batch.drop_column("retry_at")
    with op.batch_alter_table("export_run") as batch:
        batch.drop_constraint(op.f("ck_export_run_email_status"), type_="check")
        batch.drop_column("email_retry_at")
        batch.drop_column("email_claimed_at")
        batch.drop_column("email_status")
