"""inbound reply: the answer given to a message that changed something, kept with its dedupe
key, so a retry after Redis lost its keys gets the same answer and changes nothing

Revision ID: 0013_inbound_reply
Revises: 0012_late_policy
Create Date: 2026-12-01 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0013_inbound_reply'
down_revision = '0012_late_policy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_column('reply')
