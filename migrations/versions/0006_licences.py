"""Burden estimates, licence decisions and licence reminders

Revision ID: 0006
Revises: 0005

estimate: the expected burden of a request (respondents x responses a year x
time per response, one-off set-up apart). licence_decision: approvals,
renewals and declines; the approvals and renewals are licences in force from
approved_on until the day before expires_on. licence_reminder: one row a day
at most (UNIQUE day is the claim two schedulers race for);
licence_reminder_item: each licence is announced once as expiring and once as
expired.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('licence_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sent_to', sa.Text(), nullable=False),
    sa.Column('expiring', sa.Integer(), nullable=False),
    sa.Column('expired', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name=op.f('ck_licence_reminder_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_reminder')),
    sa.UniqueConstraint('day', name='uq_licence_reminder_day')
    )
    op.create_table('estimate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('necessity', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('answered_by', sa.String(length=300), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=True),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('responses_per_year', sa.Integer(), nullable=False),
    sa.Column('resubmissions_per_year', sa.Integer(), nullable=False),
    sa.Column('frequency_reason', sa.Text(), nullable=False),
    sa.Column('minutes_gathering', sa.Integer(), nullable=False),
    sa.Column('minutes_quality_assurance', sa.Integer(), nullable=False),
    sa.Column('minutes_extraction', sa.Integer(), nullable=False),
    sa.Column('minutes_submission', sa.Integer(), nullable=False),
    sa.Column('minutes_training', sa.Integer(), nullable=False),
    sa.Column('one_off_minutes', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=8), nullable=False),
    sa.Column('basis', sa.String(length=12), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('estimated_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("band IN ('2', '3', '4', '5', '6', '7', '8a', '8b', '8c', '8d', '9', 'other')", name=op.f('ck_estimate_band')),
    sa.CheckConstraint("basis IN ('requester', 'panel', 'logs')", name=op.f('ck_estimate_basis')),
    sa.CheckConstraint("sector IS NULL OR sector IN ('nhs_trust', 'commissioner', 'primary_care', 'local_authority', 'social_care', 'voluntary', 'other')", name=op.f('ck_estimate_sector')),
    sa.CheckConstraint('minutes_gathering >= 0 AND minutes_quality_assurance >= 0 AND minutes_extraction >= 0 AND minutes_submission >= 0 AND minutes_training >= 0 AND one_off_minutes >= 0', name=op.f('ck_estimate_minutes_not_negative')),
    sa.CheckConstraint('respondents >= 1', name=op.f('ck_estimate_respondents_positive')),
    sa.CheckConstraint('responses_per_year >= 1', name=op.f('ck_estimate_responses_positive')),
    sa.CheckConstraint('resubmissions_per_year >= 0', name=op.f('ck_estimate_resubmissions_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_estimate_created_by_id_user')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_estimate_request_id_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimate'))
    )
    with op.batch_alter_table('estimate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_request_id'), ['request_id'], unique=False)

    op.create_table('licence_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('estimate_id', sa.Integer(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action = 'decline' OR (approved_on IS NOT NULL AND expires_on IS NOT NULL AND expires_on > approved_on)", name=op.f('ck_licence_decision_licence_dates')),
    sa.CheckConstraint("action IN ('approve', 'decline', 'renew')", name=op.f('ck_licence_decision_action')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_licence_decision_decided_by_id_user')),
    sa.ForeignKeyConstraint(['estimate_id'], ['estimate.id'], name=op.f('fk_licence_decision_estimate_id_estimate')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_licence_decision_request_id_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_decision'))
    )
    with op.batch_alter_table('licence_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_decision_request_id'), ['request_id'], unique=False)

    op.create_table('licence_reminder_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.CheckConstraint("kind IN ('expiring', 'expired')", name=op.f('ck_licence_reminder_item_kind')),
    sa.ForeignKeyConstraint(['decision_id'], ['licence_decision.id'], name=op.f('fk_licence_reminder_item_decision_id_licence_decision')),
    sa.ForeignKeyConstraint(['reminder_id'], ['licence_reminder.id'], name=op.f('fk_licence_reminder_item_reminder_id_licence_reminder')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_reminder_item')),
    sa.UniqueConstraint('decision_id', 'kind', name='uq_licence_reminder_item_decision_kind')
    )
    with op.batch_alter_table('licence_reminder_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_reminder_item_reminder_id'), ['reminder_id'], unique=False)



def downgrade():
    with op.batch_alter_table('licence_reminder_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_reminder_item_reminder_id'))

    op.drop_table('licence_reminder_item')
    with op.batch_alter_table('licence_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_decision_request_id'))

    op.drop_table('licence_decision')
    with op.batch_alter_table('estimate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_request_id'))

    op.drop_table('estimate')
    op.drop_table('licence_reminder')
