"""A daily frequency for requests and for a decision's new frequency (issue 18)

Revision ID: 20261206_daily_frequency
Revises: 20261206_team_capacity
"""
from alembic import op
import sqlalchemy as sa

revision = "20261206_daily_frequency"
down_revision = "20261206_team_capacity"
branch_labels = None
depends_on = None

# Written out here, not imported: a migration keeps the values of its own day.
BEFORE = ("one_off", "weekly", "fortnightly", "monthly", "quarterly", "biannual", "annual", "ad_hoc")
AFTER = ("one_off", "daily", "weekly", "fortnightly", "monthly", "quarterly", "biannual", "annual", "ad_hoc")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_constraints(values):
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_request_frequency"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_request_frequency"), sa.text(_in("frequency", values)))
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_decision_new_frequency"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_decision_new_frequency"),
            sa.text("new_frequency IS NULL OR " + _in("new_frequency", values)),
        )


def upgrade():
    _set_constraints(AFTER)


def downgrade():
    # Before this revision a daily return could only be recorded as ad hoc.
    op.execute("UPDATE request SET frequency = 'ad_hoc' WHERE frequency = 'daily'")
    op.execute("UPDATE decision SET new_frequency = 'ad_hoc' WHERE new_frequency = 'daily'")
    _set_constraints(BEFORE)
