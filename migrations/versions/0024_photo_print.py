"""reused-photo detection (issue 13): stored photo fingerprints and their banded hash keys

Revision ID: 0024_photo_print
Revises: 0023_eco_index
Create Date: 2026-12-01 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0024_photo_print'
down_revision = '0023_eco_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'photo_print',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=True),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('assignment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('print_bytes', sa.LargeBinary(), nullable=False),
        sa.Column('camera_serial', sa.String(length=64), nullable=True),
        sa.Column('taken_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'],
                                name=op.f('fk_photo_print_assignment_id_assignment')),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'],
                                name=op.f('fk_photo_print_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_photo_print_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_print')),
        sa.UniqueConstraint('evidence_id', name=op.f('uq_photo_print_evidence_id')),
    )
    op.create_index(op.f('ix_photo_print_unit_id'), 'photo_print', ['unit_id'])
    op.create_index(op.f('ix_photo_print_assignment_id'), 'photo_print', ['assignment_id'])
    op.create_index('ix_photo_print_camera', 'photo_print', ['camera_serial', 'taken_at'])
    op.create_table(
        'photo_print_band',
        sa.Column('band', sa.SmallInteger(), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('hash', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['row_id'], ['photo_print.id'], ondelete='CASCADE',
                                name=op.f('fk_photo_print_band_row_id_photo_print')),
        sa.PrimaryKeyConstraint('band', 'key', 'row_id', 'hash',
                                name=op.f('pk_photo_print_band')),
    )


def downgrade() -> None:
    op.drop_table('photo_print_band')
    op.drop_index('ix_photo_print_camera', table_name='photo_print')
    op.drop_index(op.f('ix_photo_print_assignment_id'), table_name='photo_print')
    op.drop_index(op.f('ix_photo_print_unit_id'), table_name='photo_print')
    op.drop_table('photo_print')
