"""text print: stored fingerprints of summaries for copied-summary detection (照搬照抄, issue
13), their index keys with posting counts, and the learned common set

Revision ID: 0025_text_print
Revises: 0024_photo_print
Create Date: 2026-12-01 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0025_text_print'
down_revision = '0024_photo_print'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'text_print',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=True),
        sa.Column('label', sa.String(length=255), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('assignment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('grams', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'],
                                name=op.f('fk_text_print_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_text_print_unit_id_unit')),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'],
                                name=op.f('fk_text_print_assignment_id_assignment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_print')),
        sa.UniqueConstraint('evidence_id', name=op.f('uq_text_print_evidence_id')),
    )
    op.create_index(op.f('ix_text_print_unit_id'), 'text_print', ['unit_id'])
    op.create_index(op.f('ix_text_print_assignment_id'), 'text_print', ['assignment_id'])
    op.create_table(
        'text_print_key',
        sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['row_id'], ['text_print.id'], ondelete='CASCADE',
                                name=op.f('fk_text_print_key_row_id_text_print')),
        sa.PrimaryKeyConstraint('key', 'row_id', name=op.f('pk_text_print_key')),
    )
    op.create_table(
        'text_print_key_count',
        sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_text_print_key_count')),
    )
    op.create_table(
        'text_print_common',
        sa.Column('gram', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('gram', name=op.f('pk_text_print_common')),
    )


def downgrade() -> None:
    op.drop_table('text_print_common')
    op.drop_table('text_print_key_count')
    op.drop_table('text_print_key')
    op.drop_index(op.f('ix_text_print_assignment_id'), table_name='text_print')
    op.drop_index(op.f('ix_text_print_unit_id'), table_name='text_print')
    op.drop_table('text_print')
