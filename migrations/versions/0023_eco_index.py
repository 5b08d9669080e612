"""the political-ecology index (政治生态指数, issue 12): indicator tree versions, manual
indicator entries, computed months and their per-unit values

Revision ID: 0023_eco_index
Revises: 0022_selfcheck
Create Date: 2026-12-01 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0023_eco_index'
down_revision = '0022_selfcheck'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'indicator_tree',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('nodes', sa.JSON(), nullable=False),
        sa.Column('thresholds', sa.JSON(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'],
                                name=op.f('fk_indicator_tree_created_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_tree')),
        sa.UniqueConstraint('year', 'version', name=op.f('uq_indicator_tree_year_version')),
    )
    op.create_table(
        'manual_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Numeric(10, 2), nullable=False),
        sa.Column('source', sa.String(length=100), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_manual_value_unit_id_unit')),
        sa.ForeignKeyConstraint(['entered_by_id'], ['person.id'],
                                name=op.f('fk_manual_value_entered_by_id_person')),
        sa.ForeignKeyConstraint(['replaces_id'], ['manual_value.id'],
                                name=op.f('fk_manual_value_replaces_id_manual_value')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_value')),
    )
    op.create_index('ix_manual_value_month', 'manual_value', ['month', 'unit_id', 'indicator'])
    op.create_table(
        'index_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tree_id', sa.Integer(), nullable=True),
        sa.Column('tree_version', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.DateTime(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('computed_by_id', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['tree_id'], ['indicator_tree.id'],
                                name=op.f('fk_index_month_tree_id_indicator_tree')),
        sa.ForeignKeyConstraint(['computed_by_id'], ['person.id'],
                                name=op.f('fk_index_month_computed_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_index_month')),
        sa.UniqueConstraint('month', 'version', name=op.f('uq_index_month_month_version')),
    )
    op.create_table(
        'index_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('index_month_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('index', sa.Numeric(6, 2), nullable=False),
        sa.Column('colour', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['index_month_id'], ['index_month.id'],
                                name=op.f('fk_index_value_index_month_id_index_month')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_index_value_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_index_value')),
        sa.UniqueConstraint('index_month_id', 'unit_id',
                            name=op.f('uq_index_value_index_month_id_unit_id')),
    )
    op.create_index(op.f('ix_index_value_index_month_id'), 'index_value', ['index_month_id'])
    op.create_index(op.f('ix_index_value_unit_id'), 'index_value', ['unit_id'])


def downgrade() -> None:
    op.drop_table('index_value')
    op.drop_table('index_month')
    op.drop_index('ix_manual_value_month', table_name='manual_value')
    op.drop_table('manual_value')
    op.drop_table('indicator_tree')
