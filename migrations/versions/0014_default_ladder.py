"""default ladder: the county's own warning-ladder days (thresholds) on the 预警等级与颜色 row,
for every template that does not set its own; empty: DESIGN's -3,1,3,5,7

Revision ID: 0014_default_ladder
Revises: 0013_inbound_reply
Create Date: 2026-12-01 13:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0014_default_ladder'
down_revision = '0013_inbound_reply'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('level_scheme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder_days', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('level_scheme', schema=None) as batch_op:
        batch_op.drop_column('ladder_days')
