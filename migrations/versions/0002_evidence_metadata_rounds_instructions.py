"""evidence metadata, rounds, instructions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:00:42.204995
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('instruction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_instruction_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_instruction_author_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruction'))
    )
    with op.batch_alter_table('instruction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruction_assignment_id'), ['assignment_id'], unique=False)

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        # Existing rows are first-round evidence of unknown size: defaults, not NULLs.
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('content_type', sa.String(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('size_bytes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('taken_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('gps_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('gps_lng', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('dhash', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('error', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_evidence_dhash'), ['dhash'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_dhash'))
        batch_op.drop_column('error')
        batch_op.drop_column('dhash')
        batch_op.drop_column('gps_lng')
        batch_op.drop_column('gps_lat')
        batch_op.drop_column('taken_at')
        batch_op.drop_column('height')
        batch_op.drop_column('width')
        batch_op.drop_column('size_bytes')
        batch_op.drop_column('content_type')
        batch_op.drop_column('round')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('round')

    with op.batch_alter_table('instruction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruction_assignment_id'))

    op.drop_table('instruction')
