"""the organisation maintained by admins (issue 12): units can be deactivated or merged into
another, people hold posts (岗位) with their risk points (廉政风险点)

Revision ID: 0019_org
Revises: 0018_spot_check
Create Date: 2026-12-01 15:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0019_org'
down_revision = '0018_spot_check'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (the foreign key inline): rebuilding `unit` as a batch would drop a
    # table every person and task refers to, which SQLite refuses once it holds rows.
    op.add_column('unit', sa.Column('active', sa.Boolean(), server_default=sa.true(),
                                    nullable=False))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE unit ADD COLUMN merged_into_id INTEGER "
                   "CONSTRAINT fk_unit_merged_into_id_unit REFERENCES unit (id)")
    else:
        op.add_column('unit', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_unit_merged_into_id_unit'), 'unit', 'unit',
                              ['merged_into_id'], ['id'])
    op.create_table('post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('duties', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_post_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post')),
    sa.UniqueConstraint('person_id', 'name', name=op.f('uq_post_person_id_name'))
    )
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_person_id'), ['person_id'], unique=False)
    op.create_table('risk_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_risk_point_post_id_post')),
    sa.ForeignKeyConstraint(['responsible_id'], ['person.id'],
                            name=op.f('fk_risk_point_responsible_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_point')),
    sa.UniqueConstraint('post_id', 'description', name=op.f('uq_risk_point_post_id_description'))
    )
    with op.batch_alter_table('risk_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_point_post_id'), ['post_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_point_post_id'))
    op.drop_table('risk_point')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_person_id'))
    op.drop_table('post')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_merged_into_id_unit'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('active')
