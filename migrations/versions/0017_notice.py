"""notices (issue 11): 监督建议书/整改通知书 with their items, evidence and pushes about them,
and the scoring policy's points for a late reply and a returned item

Revision ID: 0017_notice
Revises: 0015_signin_and_tokens
Create Date: 2026-12-01 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0017_notice'
down_revision = '0015_signin_and_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('issuer_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('reply_due_at', sa.DateTime(), nullable=False),
        sa.Column('follow_up_days', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('warning', sa.String(length=20), nullable=False),
        sa.Column('next_step_at', sa.DateTime(), nullable=True),
        sa.Column('drafted_by_id', sa.Integer(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.Column('replied_at', sa.DateTime(), nullable=True),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('follow_up_due_at', sa.DateTime(), nullable=True),
        sa.Column('follow_up_note', sa.Text(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['issuer_id'], ['unit.id'], name=op.f('fk_notice_issuer_id_unit')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_notice_unit_id_unit')),
        sa.ForeignKeyConstraint(['drafted_by_id'], ['person.id'],
                                name=op.f('fk_notice_drafted_by_id_person')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['person.id'],
                                name=op.f('fk_notice_issued_by_id_person')),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['person.id'],
                                name=op.f('fk_notice_acknowledged_by_id_person')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['person.id'],
                                name=op.f('fk_notice_closed_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
        sa.UniqueConstraint('issuer_id', 'year', 'number',
                            name=op.f('uq_notice_issuer_id_year_number')),
    )
    op.create_index('ix_notice_next_step_at', 'notice', ['next_step_at'])
    op.create_index(op.f('ix_notice_issuer_id'), 'notice', ['issuer_id'])
    op.create_index(op.f('ix_notice_unit_id'), 'notice', ['unit_id'])
    op.create_index(op.f('ix_notice_state'), 'notice', ['state'])
    op.create_table(
        'notice_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('requirement', sa.Text(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.Column('replied_at', sa.DateTime(), nullable=True),
        sa.Column('replied_by_id', sa.Integer(), nullable=True),
        sa.Column('verified_at', sa.DateTime(), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('return_reason', sa.Text(), nullable=False),
        sa.Column('returns', sa.Integer(), nullable=False),
        sa.Column('warning', sa.String(length=20), nullable=False),
        sa.Column('next_step_at', sa.DateTime(), nullable=True),
        sa.Column('ladder_cycle', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['notice.id'],
                                name=op.f('fk_notice_item_notice_id_notice')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_notice_item_person_id_person')),
        sa.ForeignKeyConstraint(['replied_by_id'], ['person.id'],
                                name=op.f('fk_notice_item_replied_by_id_person')),
        sa.ForeignKeyConstraint(['verified_by_id'], ['person.id'],
                                name=op.f('fk_notice_item_verified_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_item')),
    )
    op.create_index('ix_notice_item_next_step_at', 'notice_item', ['next_step_at'])
    op.create_index(op.f('ix_notice_item_notice_id'), 'notice_item', ['notice_id'])
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notice_item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_notice_id'), ['notice_id'])
        batch_op.create_foreign_key(batch_op.f('fk_evidence_notice_id_notice'), 'notice',
                                    ['notice_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_evidence_notice_item_id_notice_item'),
                                    'notice_item', ['notice_item_id'], ['id'])
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_notice_id'), ['notice_id'])
        batch_op.create_foreign_key(batch_op.f('fk_notification_notice_id_notice'), 'notice',
                                    ['notice_id'], ['id'])
        batch_op.create_unique_constraint(
            batch_op.f('uq_notification_notice_id_step_person_id_cycle'),
            ['notice_id', 'step', 'person_id', 'cycle'])
    with op.batch_alter_table('scoring_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_late_points', sa.Numeric(6, 2), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('notice_return_points', sa.Numeric(6, 2), nullable=False,
                                      server_default='0.5'))


def downgrade() -> None:
    with op.batch_alter_table('scoring_policy', schema=None) as batch_op:
        batch_op.drop_column('notice_return_points')
        batch_op.drop_column('notice_late_points')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notification_notice_id_step_person_id_cycle'),
                                 type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_notification_notice_id_notice'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_notice_id'))
        batch_op.drop_column('notice_id')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_notice_item_id_notice_item'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_evidence_notice_id_notice'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_notice_id'))
        batch_op.drop_column('notice_item_id')
        batch_op.drop_column('notice_id')
    op.drop_table('notice_item')
    op.drop_table('notice')
