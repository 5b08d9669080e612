"""integrity flags (issue 13): a photo or summary matching earlier evidence, or a photo whose
EXIF contradicts the task, for the reviewers; dismissed with a reason or cited in a 退回

Revision ID: 0026_integrity
Revises: 0025_text_print
Create Date: 2026-12-01 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0026_integrity'
down_revision = '0025_text_print'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'integrity_flag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('matched_evidence_id', sa.Integer(), nullable=True),
        sa.Column('matched_label', sa.String(length=200), nullable=False),
        sa.Column('similarity', sa.Float(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'],
                                name=op.f('fk_integrity_flag_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'],
                                name=op.f('fk_integrity_flag_assignment_id_assignment')),
        sa.ForeignKeyConstraint(['matched_evidence_id'], ['evidence.id'],
                                name=op.f('fk_integrity_flag_matched_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'],
                                name=op.f('fk_integrity_flag_decided_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_flag')),
    )
    with op.batch_alter_table('integrity_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrity_flag_evidence_id'), ['evidence_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_integrity_flag_assignment_id'), ['assignment_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_integrity_flag_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('integrity_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrity_flag_state'))
        batch_op.drop_index(batch_op.f('ix_integrity_flag_assignment_id'))
        batch_op.drop_index(batch_op.f('ix_integrity_flag_evidence_id'))
    op.drop_table('integrity_flag')
