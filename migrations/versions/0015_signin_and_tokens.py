"""sign-in and tokens: used admin sign-in links and refused 绑定 tries as rows (a Redis flush
forgot them), and API tokens that expire (existing ones a year after they were issued)

Revision ID: 0015_signin_and_tokens
Revises: 0014_default_ladder
Create Date: 2026-12-01 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0015_signin_and_tokens'
down_revision = '0014_default_ladder'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_link_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                            name=op.f('fk_admin_link_use_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_link_use')),
    sa.UniqueConstraint('person_id', 'signed_at', name=op.f('uq_admin_link_use_person_id_signed_at'))
    )
    op.create_table('bind_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bind_failure'))
    )
    with op.batch_alter_table('bind_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bind_failure_openid'), ['openid'], unique=False)

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    a_year_later = ("created_at + interval '365 days'"
                    if op.get_bind().dialect.name == "postgresql"
                    else "datetime(created_at, '+365 days')")
    op.execute(f"UPDATE api_token SET expires_at = {a_year_later}")
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('bind_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bind_failure_openid'))
    op.drop_table('bind_failure')
    op.drop_table('admin_link_use')
