"""files as notice attachments and replies (issue 11): an evidence row's content type holds
the Office types (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet is 65
characters; 40 held only the image types)

Revision ID: 0021_files
Revises: 0020_spot_check_photos
Create Date: 2026-12-01 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0021_files'
down_revision = '0020_spot_check_photos'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing refers to `evidence`, so SQLite's batch rebuild (it checks lengths only in the
    # schema) is safe; PostgreSQL widens the varchar in place.
    with op.batch_alter_table('evidence') as batch_op:
        batch_op.alter_column('content_type', existing_type=sa.String(length=40),
                              type_=sa.String(length=100), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence') as batch_op:
        batch_op.alter_column('content_type', existing_type=sa.String(length=100),
                              type_=sa.String(length=40), existing_nullable=False)
