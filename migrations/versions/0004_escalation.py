"""escalation: the ladder's calendar, supervision records, outbox columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:30:00.000000
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    year_table = op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    day_table = op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('supervision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('responder_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_supervision_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['responder_id'], ['person.id'], name=op.f('fk_supervision_responder_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision')),
    sa.UniqueConstraint('assignment_id', 'cycle', name=op.f('uq_supervision_assignment_id'))
    )
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_assignment_id'), ['assignment_id'], unique=False)
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder_cycle', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('step', existing_type=sa.String(length=20), type_=sa.String(length=40))
        batch_op.add_column(sa.Column('send_after', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sending_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_digest_id_notification'), 'notification', ['digest_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'], unique=False)
    _seed_calendar(year_table, day_table)


def _seed_calendar(year_table, day_table) -> None:
    """The years the pinned chinese-calendar package knows, as the project's own calendar."""
    from models.calendar import package_exceptions, package_years

    now = datetime.now(UTC).replace(tzinfo=None)
    years = [year for year in package_years() if year >= 2020]
    op.bulk_insert(year_table, [{'year': y, 'source': 'package', 'loaded_at': now} for y in years])
    op.bulk_insert(day_table, [
        {'day': day, 'workday': workday, 'name': name, 'source': 'package', 'updated_at': now}
        for year in years for day, workday, name in package_exceptions(year)])


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_created_at'))
        batch_op.drop_constraint(batch_op.f('fk_notification_digest_id_notification'), type_='foreignkey')
        batch_op.drop_column('digest_id')
        batch_op.drop_column('sending_since')
        batch_op.drop_column('first_attempt_at')
        batch_op.drop_column('send_after')
        batch_op.alter_column('step', existing_type=sa.String(length=40), type_=sa.String(length=20))
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('ladder_cycle')
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_assignment_id'))
    op.drop_table('supervision')
    op.drop_table('calendar_day')
    op.drop_table('calendar_year')
