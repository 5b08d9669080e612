"""spot check: rounds of 抽查核实 (scope, sample size, points, seed, population and its sha256)
and their drawn items with each re-verification's result

Revision ID: 0018_spot_check
Revises: 0017_notice
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0018_spot_check'
down_revision = '0017_notice'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'spot_check_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('periods', sa.JSON(), nullable=False),
        sa.Column('category_ids', sa.JSON(), nullable=False),
        sa.Column('unit_kinds', sa.JSON(), nullable=False),
        sa.Column('sample_size', sa.Integer(), nullable=True),
        sa.Column('sample_percent', sa.Integer(), nullable=True),
        sa.Column('points_false', sa.Numeric(6, 2), nullable=False),
        sa.Column('points_partial', sa.Numeric(6, 2), nullable=False),
        sa.Column('seed', sa.String(length=32), nullable=False),
        sa.Column('drawn_at', sa.DateTime(), nullable=False),
        sa.Column('population', sa.JSON(), nullable=False),
        sa.Column('population_sha256', sa.String(length=64), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['opened_by_id'], ['person.id'],
                                name=op.f('fk_spot_check_round_opened_by_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_round')),
        sa.UniqueConstraint('year', 'number', name=op.f('uq_spot_check_round_year_number')),
    )
    op.create_table(
        'spot_check_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('result', sa.String(length=20), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('verified_at', sa.DateTime(), nullable=True),
        sa.Column('deduction_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['spot_check_round.id'],
                                name=op.f('fk_spot_check_item_round_id_spot_check_round')),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'],
                                name=op.f('fk_spot_check_item_assignment_id_assignment')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_spot_check_item_unit_id_unit')),
        sa.ForeignKeyConstraint(['verified_by_id'], ['person.id'],
                                name=op.f('fk_spot_check_item_verified_by_id_person')),
        sa.ForeignKeyConstraint(['deduction_id'], ['deduction.id'],
                                name=op.f('fk_spot_check_item_deduction_id_deduction')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_item')),
        sa.UniqueConstraint('round_id', 'assignment_id',
                            name=op.f('uq_spot_check_item_round_id_assignment_id')),
    )
    with op.batch_alter_table('spot_check_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_item_round_id'), ['round_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_spot_check_item_assignment_id'),
                              ['assignment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('spot_check_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_item_assignment_id'))
        batch_op.drop_index(batch_op.f('ix_spot_check_item_round_id'))
    op.drop_table('spot_check_item')
    op.drop_table('spot_check_round')
