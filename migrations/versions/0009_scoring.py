"""scoring: the scoring policy per year (versioned), deductions and bonuses, year-end
assessments, and when a task was cancelled (a cancelled task leaves the total from then on)

Revision ID: 0009_scoring
Revises: 0008_care_mode
Create Date: 2026-12-01 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0009_scoring'
down_revision = '0008_care_mode'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scoring_policy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('penalty_blue', sa.Integer(), nullable=False),
        sa.Column('penalty_yellow', sa.Integer(), nullable=False),
        sa.Column('penalty_red', sa.Integer(), nullable=False),
        sa.Column('penalty_supervision', sa.Integer(), nullable=False),
        sa.Column('grace_days', sa.Integer(), nullable=False),
        sa.Column('unlocked_rule', sa.String(length=20), nullable=False),
        sa.Column('bonus_cap', sa.Numeric(6, 2), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'],
                                name=op.f('fk_scoring_policy_created_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_policy')),
        sa.UniqueConstraint('year', 'version', name=op.f('uq_scoring_policy_year_version')),
    )
    op.create_table(
        'deduction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('points', sa.Numeric(6, 2), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_deduction_unit_id_unit')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_deduction_person_id_person')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'],
                                name=op.f('fk_deduction_recorded_by_id_person')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['person.id'],
                                name=op.f('fk_deduction_revoked_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deduction')),
    )
    op.create_index(op.f('ix_deduction_unit_id'), 'deduction', ['unit_id'])
    op.create_index(op.f('ix_deduction_day'), 'deduction', ['day'])
    op.create_table(
        'assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.DateTime(), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=True),
        sa.Column('policy_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['policy_id'], ['scoring_policy.id'],
                                name=op.f('fk_assessment_policy_id_scoring_policy')),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'],
                                name=op.f('fk_assessment_created_by_id_person')),
        sa.ForeignKeyConstraint(['published_by_id'], ['person.id'],
                                name=op.f('fk_assessment_published_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
        sa.UniqueConstraint('year', 'version', name=op.f('uq_assessment_year_version')),
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
    # Tasks cancelled before this column existed: the time their cancellation was audited.
    op.execute(
        "UPDATE assignment SET cancelled_at = (SELECT max(e.created_at) FROM audit_event e "
        "WHERE e.action = 'assignment.cancel' AND e.subject = 'assignment:' || assignment.id) "
        "WHERE state = 'cancelled'")
    op.execute("UPDATE assignment SET cancelled_at = created_at "
               "WHERE state = 'cancelled' AND cancelled_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
    op.drop_table('assessment')
    op.drop_index(op.f('ix_deduction_day'), table_name='deduction')
    op.drop_index(op.f('ix_deduction_unit_id'), table_name='deduction')
    op.drop_table('deduction')
    op.drop_table('scoring_policy')
