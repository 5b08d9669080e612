"""template ladder: each template's warning ladder days (empty: the default)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 00:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duty_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder_days', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('duty_template', schema=None) as batch_op:
        batch_op.drop_column('ladder_days')
