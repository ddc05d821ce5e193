"""Sign-in through the organisation's identity provider (OpenID Connect), and one-time sign-in links (issue 20)

user.oidc_issuer and user.oidc_subject name the person at the provider (one
account each, stored at their first sign-in through it); sign_in_link holds
the SHA-256 of each one-time link the command line prints (break-glass when
password sign-in is off).

Revision ID: 20261206_oidc
Revises: 20261206_import_mapping
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_oidc"
down_revision = "20261206_import_mapping"
branch_labels = None
depends_on = None

# What tracker.types.UTCDateTime stores: a naive UTC timestamp.
TIMESTAMP = sa.DateTime()


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.create_unique_constraint("uq_user_oidc_subject", ["oidc_issuer", "oidc_subject"])
    op.create_table(
        "sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_sign_in_link_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_link_token_hash")),
    )
    op.create_index(op.f("ix_sign_in_link_user_id"), "sign_in_link", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_sign_in_link_user_id"), table_name="sign_in_link")
    op.drop_table("sign_in_link")
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint("uq_user_oidc_subject", type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
