"""monthly self-checks (issue 12): the answers of each handed-in self-check, the risks they
reported for the supervising body to follow up, and the chat sequence's draft

Revision ID: 0022_selfcheck
Revises: 0021_files
Create Date: 2026-12-01 17:33:44.018908
"""

import sqlalchemy as sa
from alembic import op

revision = '0022_selfcheck'
down_revision = '0021_files'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('self_check_draft',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_self_check_draft_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_self_check_draft_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_self_check_draft'))
    )
    op.create_table('self_check_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('risk_point_id', sa.Integer(), nullable=True),
    sa.Column('post_name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('occurred', sa.Boolean(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_self_check_answer_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['risk_point_id'], ['risk_point.id'], name=op.f('fk_self_check_answer_risk_point_id_risk_point'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_check_answer')),
    sa.UniqueConstraint('assignment_id', 'round', 'risk_point_id', name=op.f('uq_self_check_answer_assignment_id_round_risk_point_id'))
    )
    with op.batch_alter_table('self_check_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_check_answer_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('risk_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('risk_point_key', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['self_check_answer.id'], name=op.f('fk_risk_follow_up_answer_id_self_check_answer')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_risk_follow_up_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['body_id'], ['unit.id'], name=op.f('fk_risk_follow_up_body_id_unit')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['person.id'], name=op.f('fk_risk_follow_up_closed_by_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_risk_follow_up_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_follow_up')),
    sa.UniqueConstraint('assignment_id', 'risk_point_key', name=op.f('uq_risk_follow_up_assignment_id_risk_point_key'))
    )
    with op.batch_alter_table('risk_follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_follow_up_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_follow_up_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_follow_up_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_follow_up_unit_id'))
        batch_op.drop_index(batch_op.f('ix_risk_follow_up_body_id'))
        batch_op.drop_index(batch_op.f('ix_risk_follow_up_assignment_id'))

    op.drop_table('risk_follow_up')
    with op.batch_alter_table('self_check_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_check_answer_assignment_id'))

    op.drop_table('self_check_answer')
    op.drop_table('self_check_draft')
