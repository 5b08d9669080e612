"""evidence: rounds carry items over (removed_round), photos wait without a task
(assignment_id nullable), and the numbered lists shown in chat (shown_list)

Revision ID: 0007_evidence
Revises: 0005
Create Date: 2026-11-24 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_evidence'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_round', sa.Integer(), nullable=True))
        batch_op.alter_column('assignment_id', existing_type=sa.Integer(), nullable=True)

    op.create_table('shown_list',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item_ids', sa.Text(), nullable=False),
    sa.Column('shown_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_shown_list_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'kind', name=op.f('pk_shown_list'))
    )


def downgrade() -> None:
    op.drop_table('shown_list')
    # Photos still waiting for a task have no assignment to keep them by.
    op.execute("DELETE FROM evidence WHERE assignment_id IS NULL")
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.alter_column('assignment_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('removed_round')
