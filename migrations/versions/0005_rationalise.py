"""The commissioner's workspace: decisions, duplicate verdicts, review digests; minutes counts for exact medians

burden_rollup_minutes counts live entries per month × request × minutes
value (kept exact by every entry write, like the other rollups); the upgrade
fills it from the entries already there. A partial unique index allows one
live (not withdrawn) decision per request; a partial index on the entries
marked "already supplied elsewhere" serves the duplicate evidence.

Revision ID: 0005
Revises: 0007 (written on 0003; re-chained after main's head when merging main)
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0007"
branch_labels = None
depends_on = None

DECISIONS = "('retire', 'merge', 'reduce_frequency', 'simplify', 'keep')"
SUPPLIED_ELSEWHERE = "deleted_at IS NULL AND duplicated_elsewhere = 'yes'"
FREQUENCIES = "('one_off', 'weekly', 'fortnightly', 'monthly', 'quarterly', 'biannual', 'annual', 'ad_hoc')"


def upgrade():
    op.create_table(
        "burden_rollup_minutes",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_burden_rollup_minutes_request_id_request")
        ),
        sa.PrimaryKeyConstraint("month", "request_id", "minutes", name=op.f("pk_burden_rollup_minutes")),
    )
    with op.batch_alter_table("burden_rollup_minutes", schema=None) as batch_op:
        batch_op.create_index("ix_burden_rollup_minutes_request_month", ["request_id", "month"], unique=False)
    _count_minutes_of_existing_entries()
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entry_supplied_elsewhere",
            ["request_id", "occurred_on", "team_id"],
            unique=False,
            sqlite_where=sa.text(SUPPLIED_ELSEWHERE),
            postgresql_where=sa.text(SUPPLIED_ELSEWHERE),
        )

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("merge_into_id", sa.Integer(), nullable=True),
        sa.Column("new_frequency", sa.String(length=20), nullable=True),
        sa.Column("target_hours", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("frequency_before", sa.String(length=20), nullable=False),
        sa.Column("baseline_start", sa.Date(), nullable=False),
        sa.Column("baseline_end", sa.Date(), nullable=False),
        sa.Column("baseline_entries", sa.Integer(), nullable=False),
        sa.Column("baseline_minutes", sa.BigInteger(), nullable=False),
        sa.Column("baseline_cost", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("baseline_teams", sa.Integer(), nullable=False),
        sa.Column("baseline_team_ids", sa.JSON(), nullable=False),
        sa.Column("baseline_other_minutes", sa.BigInteger(), nullable=False),
        sa.Column("baseline_median_minutes", sa.Numeric(precision=12, scale=1), nullable=True),
        sa.Column("baseline_occurrences", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("survivor_baseline_minutes", sa.BigInteger(), nullable=True),
        sa.Column("hourly_cost", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("expected_saving_hours", sa.Numeric(precision=16, scale=6), nullable=False),
        sa.Column("expected_saving_cost", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.Column("status_before", sa.String(length=20), nullable=True),
        sa.Column("merged_into_before_id", sa.Integer(), nullable=True),
        sa.Column("apply_problem", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN {DECISIONS}", name=op.f("ck_decision_kind")),
        sa.CheckConstraint("review_on >= effective_on", name=op.f("ck_decision_review_not_before_effective")),
        sa.CheckConstraint(
            "(kind = 'merge' AND merge_into_id IS NOT NULL) OR (kind <> 'merge' AND merge_into_id IS NULL)",
            name=op.f("ck_decision_merge_has_target"),
        ),
        sa.CheckConstraint(
            "merge_into_id IS NULL OR merge_into_id <> request_id", name=op.f("ck_decision_not_merged_into_self")
        ),
        sa.CheckConstraint(
            "(kind = 'reduce_frequency' AND new_frequency IS NOT NULL) OR (kind <> 'reduce_frequency' AND new_frequency IS NULL)",
            name=op.f("ck_decision_reduction_has_frequency"),
        ),
        sa.CheckConstraint(f"new_frequency IS NULL OR new_frequency IN {FREQUENCIES}", name=op.f("ck_decision_new_frequency")),
        sa.CheckConstraint(
            "(kind = 'simplify' AND target_hours > 0) OR (kind <> 'simplify' AND target_hours IS NULL)",
            name=op.f("ck_decision_simplify_has_target"),
        ),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawal_reason IS NOT NULL", name=op.f("ck_decision_withdrawal_has_reason")
        ),
        sa.ForeignKeyConstraint(["request_id"], ["request.id"], name=op.f("fk_decision_request_id_request")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_decision_decided_by_id_user")),
        sa.ForeignKeyConstraint(["merge_into_id"], ["request.id"], name=op.f("fk_decision_merge_into_id_request")),
        sa.ForeignKeyConstraint(
            ["merged_into_before_id"], ["request.id"], name=op.f("fk_decision_merged_into_before_id_request")
        ),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["user.id"], name=op.f("fk_decision_withdrawn_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_merge_into_id"), ["merge_into_id"], unique=False)
        batch_op.create_index(
            "uq_decision_live",
            ["request_id"],
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )

    op.create_table(
        "duplicate_verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_request_id", sa.Integer(), nullable=False),
        sa.Column("second_request_id", sa.Integer(), nullable=False),
        sa.Column("first_version", sa.String(length=64), nullable=False),
        sa.Column("second_version", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("first_request_id < second_request_id", name=op.f("ck_duplicate_verdict_pair_in_order")),
        sa.CheckConstraint("verdict IN ('confirmed', 'dismissed')", name=op.f("ck_duplicate_verdict_verdict")),
        sa.ForeignKeyConstraint(
            ["first_request_id"], ["request.id"], name=op.f("fk_duplicate_verdict_first_request_id_request")
        ),
        sa.ForeignKeyConstraint(
            ["second_request_id"], ["request.id"], name=op.f("fk_duplicate_verdict_second_request_id_request")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_duplicate_verdict_decided_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_verdict")),
        sa.UniqueConstraint(
            "first_request_id", "second_request_id", "first_version", "second_version",
            name="uq_duplicate_verdict_versions",
        ),
    )
    with op.batch_alter_table("duplicate_verdict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duplicate_verdict_first_request_id"), ["first_request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duplicate_verdict_second_request_id"), ["second_request_id"], unique=False)

    op.create_table(
        "review_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name=op.f("ck_review_digest_status")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_review_digest_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_digest")),
        sa.UniqueConstraint("period", "user_id", name="uq_review_digest_period_user"),
    )
    with op.batch_alter_table("review_digest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_digest_user_id"), ["user_id"], unique=False)


def _count_minutes_of_existing_entries():
    """Entries logged before this migration count too (plain SQL: the models may have moved on)."""
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', occurred_on) AS DATE)"
    else:
        month = "date(occurred_on, 'start of month')"
    op.execute(
        f"""
        INSERT INTO burden_rollup_minutes (month, request_id, minutes, entries)
        SELECT {month}, request_id, minutes, COUNT(*)
        FROM entry WHERE deleted_at IS NULL
        GROUP BY {month}, request_id, minutes
        """
    )


def downgrade():
    with op.batch_alter_table("review_digest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_digest_user_id"))
    op.drop_table("review_digest")
    with op.batch_alter_table("duplicate_verdict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_verdict_second_request_id"))
        batch_op.drop_index(batch_op.f("ix_duplicate_verdict_first_request_id"))
    op.drop_table("duplicate_verdict")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("uq_decision_live")
        batch_op.drop_index(batch_op.f("ix_decision_merge_into_id"))
        batch_op.drop_index(batch_op.f("ix_decision_request_id"))
    op.drop_table("decision")
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_supplied_elsewhere")
    with op.batch_alter_table("burden_rollup_minutes", schema=None) as batch_op:
        batch_op.drop_index("ix_burden_rollup_minutes_request_month")
    op.drop_table("burden_rollup_minutes")
