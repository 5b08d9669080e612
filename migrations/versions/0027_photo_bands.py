"""reused-photo index (issue 13): photo_print_band holds five views of each stored print (the
centre 80 % and the four 90 % corners) instead of three, rebuilt from photo_print.print_bytes

Revision ID: 0027_photo_bands
Revises: 0026_integrity
Create Date: 2026-12-01 22:00:00.000000
"""

import struct

import sqlalchemy as sa
from alembic import op

revision = '0027_photo_bands'
down_revision = '0026_integrity'
branch_labels = None
depends_on = None

# The band layout as models.photo_print had it at each revision, copied here so that this
# migration keeps meaning what it meant when the model changes again.
INDEXED_BEFORE = (2, 3, 6)
INDEXED_AFTER = (2, 3, 4, 5, 6)
BANDS = 3
BAND_BITS = 21
BATCH = 5000

photo_print = sa.table('photo_print', sa.column('id', sa.Integer),
                       sa.column('print_bytes', sa.LargeBinary))
photo_print_band = sa.table('photo_print_band', sa.column('band', sa.SmallInteger),
                            sa.column('key', sa.Integer), sa.column('row_id', sa.Integer),
                            sa.column('hash', sa.BigInteger))


def upgrade() -> None:
    _rebuild(INDEXED_AFTER)


def downgrade() -> None:
    _rebuild(INDEXED_BEFORE)


def _rebuild(indexed: tuple[int, ...]) -> None:
    """Every stored print's band rows again, for the views `indexed`, BATCH prints at a time
    (by id: a server-side cursor would be left on the connection Alembic goes on using)."""
    connection = op.get_bind()
    connection.execute(photo_print_band.delete())
    last = 0
    while True:
        batch = connection.execute(
            sa.select(photo_print.c.id, photo_print.c.print_bytes)
            .where(photo_print.c.id > last).order_by(photo_print.c.id).limit(BATCH)).all()
        if not batch:
            return
        connection.execute(photo_print_band.insert(), [
            band for row in batch for band in _band_rows(row.print_bytes, row.id, indexed)])
        last = batch[-1].id


def _band_rows(data: bytes, row_id: int, indexed: tuple[int, ...]) -> list[dict]:
    """models.photo_print.band_rows of a stored print, read from its bytes (version 2: a
    4-byte head, then per view a 64-bit hash, its coefficients and its colour layout)."""
    _, count, width, colour = struct.unpack_from('>BBBB', data)
    step = 8 + width + colour
    rows = {}
    for view in indexed:
        if view >= count:
            continue
        bits = struct.unpack_from('>Q', data, 4 + step * view)[0] >> 1
        for band in range(BANDS):
            key = (bits >> (63 - BAND_BITS * (band + 1))) & ((1 << BAND_BITS) - 1)
            rows[band, key] = {'band': band, 'key': key, 'row_id': row_id, 'hash': bits}
    return list(rows.values())
