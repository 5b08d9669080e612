"""PROVISIONAL photo_print and text_print tables for the integrity branch's crude detectors;
the integrator deletes this file at merge (the photoprint and textprint branches bring the
real tables)

Revision ID: 0026a_provisional_prints
Revises: 0026_integrity
Create Date: 2026-12-01 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0026a_provisional_prints'
down_revision = '0026_integrity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('text_print',):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('evidence_id', sa.Integer(), nullable=True),
            sa.Column('label', sa.String(length=200), nullable=False),
            sa.Column('unit_id', sa.Integer(), nullable=True),
            sa.Column('assignment_id', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('data', sa.LargeBinary(), nullable=False),
            sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'],
                                    name=op.f(f'fk_{table}_evidence_id_evidence')),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('evidence_id', name=op.f(f'uq_{table}_evidence_id')),
        )


def downgrade() -> None:
    op.drop_table('text_print')

