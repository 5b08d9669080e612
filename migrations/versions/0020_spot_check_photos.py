"""photos with a spot-check result (issue 11: 核实 "with a reason and optional photos")

Revision ID: 0020_spot_check_photos
Revises: 0019_org
Create Date: 2026-12-01 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0020_spot_check_photos'
down_revision = '0019_org'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with the foreign key inline on SQLite (as 0019_org does): rebuilding
    # `evidence` as a batch is refused once rows refer to it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE evidence ADD COLUMN spot_check_item_id INTEGER CONSTRAINT "
                   "fk_evidence_spot_check_item_id_spot_check_item REFERENCES spot_check_item (id)")
    else:
        op.add_column('evidence', sa.Column('spot_check_item_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_evidence_spot_check_item_id_spot_check_item'), 'evidence',
                              'spot_check_item', ['spot_check_item_id'], ['id'])
    op.create_index(op.f('ix_evidence_spot_check_item_id'), 'evidence', ['spot_check_item_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_evidence_spot_check_item_id'), table_name='evidence')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('spot_check_item_id')
