"""care mode: each person's 大字模式 (WeUI care mode on every mobile page), off by default

Revision ID: 0008_care_mode
Revises: 0007_evidence
Create Date: 2026-11-24 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_care_mode'
down_revision = '0007_evidence'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_mode', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('care_mode')
