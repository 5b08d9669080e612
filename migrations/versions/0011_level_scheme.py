"""level scheme: the warning levels' names and colours (预警等级与颜色), one row; none stored
means the default preset 蓝黄红

Revision ID: 0011_level_scheme
Revises: 0009_scoring
Create Date: 2026-12-01 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0011_level_scheme'
down_revision = '0009_scoring'
branch_labels = None
depends_on = None

LEVELS = ('none', 'blue', 'yellow', 'red', 'supervision')


def upgrade() -> None:
    op.create_table(
        'level_scheme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('preset', sa.String(length=40), nullable=False),
        *[column for level in LEVELS for column in (
            sa.Column(f'{level}_name', sa.String(length=8), nullable=False),
            sa.Column(f'{level}_colour', sa.String(length=7), nullable=False))],
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('id = 1', name=op.f('ck_level_scheme_one_row')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'],
                                name=op.f('fk_level_scheme_updated_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_level_scheme')),
    )


def downgrade() -> None:
    op.drop_table('level_scheme')
