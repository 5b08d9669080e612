"""late policy: per template, whether input closes after the due time (and how many days
after), and on each assignment the inspector's 补报 unlock

Revision ID: 0012_late_policy
Revises: 0011_level_scheme
Create Date: 2026-12-01 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_late_policy'
down_revision = '0011_level_scheme'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duty_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_policy', sa.String(length=10), nullable=False,
                                      server_default='allow'))
        batch_op.add_column(sa.Column('close_after_days', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unlocked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('unlocked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignment_unlocked_by_id_person'), 'person',
                                    ['unlocked_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignment_unlocked_by_id_person'),
                                 type_='foreignkey')
        batch_op.drop_column('unlocked_by_id')
        batch_op.drop_column('unlocked_at')
    with op.batch_alter_table('duty_template', schema=None) as batch_op:
        batch_op.drop_column('close_after_days')
        batch_op.drop_column('late_policy')
