"""Reused-photo detection (照搬照抄, issue 13): a photo's perceptual fingerprint, the stored
index of fingerprints, and the EXIF findings.

How a fingerprint is made (measured on benchmarks/_photo_corpus.py, see
benchmarks/_integrity_photo.py): the frame a border, a phone screenshot or a letterbox adds is
trimmed (edge rows and columns flat to within FRAME_TOLERANCE for most of their pixels, found
on a nearest-neighbour copy so that the noise of real sky or walls is not mistaken for a
frame); the picture inside is turned grey and its levels equalised (brightening, darkening and
contrast keep their order); then eleven views are cut from it, the whole, the centre 90 % and
80 %, and the four corners at 90 % and 80 %, so a copy cropped by up to 10 % on any edges
lines up with one of its original's views. Each view is shrunk to 32×32 and described by its
lowest 8×8 DCT coefficients (as pHash), weighed up with frequency to flatten the 1/f spectrum
of photos: two views are alike by the correlation of their coefficients, and the 63 signs of
them about their median are the view's hash, the index's key. Each view also keeps its colour
layout (mean Cb and Cr over an 8×8 grid): two colour photos whose best-matching views are
coloured differently lose similarity, which keeps two meetings in one room apart. A plain
64-bit pHash of the whole picture finds about half of such copies.
"""

import itertools
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from models.clock import local_time
from models.db import Base, session
from models.unit import Unit

WORK_EDGE = 256  # the grey copy the frame is found on: its longest side
CONTENT_EDGE = 256  # the grey copy of the picture inside the frame the views are cut from
KEEP = 8  # the lowest KEEP×KEEP DCT coefficients of a 32×32 view describe it
WEIGHT = 0.75  # coefficient (u, v) weighed by (u + v) ** WEIGHT: whitens the 1/f spectrum
# Views of the trimmed picture: (share of each side, horizontal and vertical anchor: 0 left or
# top, 0.5 centre, 1 right or bottom). A copy cropped by up to 10 % on any edges has a view
# that lines up with one of its original's.
_CORNERS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))
VIEWS = ((1.0, 0.5, 0.5), (0.9, 0.5, 0.5), (0.8, 0.5, 0.5),
         *((0.9, x, y) for x, y in _CORNERS), *((0.8, x, y) for x, y in _CORNERS))
REUSED = 0.75
COLOUR_GRID = 8
COLOURLESS = 40.0  # a layout's norm below this is grey (Cb, Cr within a few levels of 128)
COLOUR_SLACK, COLOUR_PENALTY = 0.5, 0.5  # layouts this far apart cost nothing (JPEG, crops)
FRAME_TOLERANCE = 3  # levels: a border, a screen's black, a letterbox are flat to within this
FEATURELESS = 1.0  # coefficient norm below which a view is one flat colour (a photo's: 1000s)
_VERSION = 2


def _dct_matrix(size: int) -> np.ndarray:
    """The orthonormal DCT-II matrix: D @ X @ D.T is the 2-D DCT of a size×size block."""
    k = np.arange(size)[:, None]
    n = np.arange(size)[None, :]
    matrix = np.cos(np.pi * (2 * n + 1) * k / (2 * size)) * np.sqrt(2 / size)
    matrix[0] /= np.sqrt(2)
    return matrix


_DCT32 = _dct_matrix(32)


@dataclass(frozen=True)
class PhotoPrint:
    """A photo's fingerprint: per view (VIEWS), its hash, its coefficient vector and its
    colour layout."""

    hashes: tuple[int, ...]  # 63 sign bits (and a 0), one per view
    vectors: tuple[bytes, ...]  # 63 weighed DCT coefficients as a unit vector × 127, int8
    colours: tuple[bytes, ...]  # Cb then Cr - 128 of an 8×8 grid of the view, int8

    def to_bytes(self) -> bytes:
        widths = (len(self.vectors[0]), len(self.colours[0])) if self.vectors else (0, 0)
        head = struct.pack(">BBBB", _VERSION, len(self.hashes), *widths)
        return head + b"".join(struct.pack(">Q", value) + vector + colour for value, vector, colour
                               in zip(self.hashes, self.vectors, self.colours, strict=True))

    @classmethod
    def from_bytes(cls, data: bytes) -> "PhotoPrint":
        """The print `to_bytes` wrote; ValueError for anything else."""
        if len(data) < 4:
            raise ValueError("not a photo print")
        version, count, width, colour = struct.unpack_from(">BBBB", data)
        step = 8 + width + colour
        if version != _VERSION or len(data) != 4 + step * count:
            raise ValueError("not a photo print")
        views = [data[4 + step * i: 4 + step * (i + 1)] for i in range(count)]
        return cls(tuple(struct.unpack(">Q", view[:8])[0] for view in views),
                   tuple(bytes(view[8:8 + width]) for view in views),
                   tuple(bytes(view[8 + width:]) for view in views))


def fingerprint(image: Image.Image) -> PhotoPrint:
    """The fingerprint of `image` (any mode, any size); pure."""
    luma, chroma = _content(image)
    hashes, vectors, colours = [], [], []
    for share, x, y in VIEWS:
        view = _view(luma.shape, share, x, y)
        coefficients = _coefficients(luma, view)
        hashes.append(_bits(coefficients))
        vectors.append(_unit(coefficients))
        colours.append(_layout(chroma, view))
    return PhotoPrint(tuple(hashes), tuple(vectors), tuple(colours))


def similarity(a: PhotoPrint, b: PhotoPrint) -> float:
    """How alike two photos are, 0.0 (unrelated) to 1.0 (the same picture).

    The best correlation of any view of one with any view of the other, less a penalty when
    both are in colour and the colours of those two views are laid out differently: one room
    seen from one corner at two meetings has the same shapes, not the same people's clothes.
    """
    if not a.vectors or not b.vectors:
        return 0.0
    correlations = _matrix(a.vectors) @ _matrix(b.vectors).T
    i, j = np.unravel_index(int(np.argmax(correlations)), correlations.shape)
    best = float(correlations[i, j]) - _colour_penalty(a.colours[i], b.colours[j])
    return min(1.0, max(0.0, best))


def _matrix(vectors: tuple[bytes, ...]) -> np.ndarray:
    """The views' coefficient vectors as unit rows."""
    rows = np.frombuffer(b"".join(vectors), dtype=np.int8).astype(np.float32)
    rows = rows.reshape(len(vectors), -1)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)


def _colour_penalty(a: bytes, b: bytes) -> float:
    """COLOUR_PENALTY × how far two views' colour layouts differ beyond COLOUR_SLACK (as unit
    vectors: a stronger or weaker saturation is the same layout); 0 when either is grey."""
    x = np.frombuffer(a, dtype=np.int8).astype(np.float32)
    y = np.frombuffer(b, dtype=np.int8).astype(np.float32)
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx < COLOURLESS or ny < COLOURLESS:
        return 0.0
    distance = float(np.linalg.norm(x / nx - y / ny))
    return COLOUR_PENALTY * max(0.0, distance - COLOUR_SLACK)


def _content(image: Image.Image) -> tuple[np.ndarray, tuple[Image.Image, ...]]:
    """The picture inside any frame, longest side CONTENT_EDGE: its luminance with levels
    equalised, and its chroma planes (Cb, Cr; none for a grey picture)."""
    image = _flat(image)
    grey = _grey(image, (0, 0, image.width, image.height), WORK_EDGE, Image.Resampling.NEAREST)
    top, left, bottom, right = _content_box(grey)
    sx, sy = image.width / grey.shape[1], image.height / grey.shape[0]
    box = (left * sx, top * sy, min(image.width, right * sx), min(image.height, bottom * sy))
    part = _part(image, box, CONTENT_EDGE)
    luma = _equalised(np.asarray(part.convert("L"), dtype=np.float32))
    if part.mode == "L":
        return luma, ()
    _, cb, cr = part.convert("YCbCr").split()
    return luma, (cb, cr)


def _flat(image: Image.Image) -> Image.Image:
    """RGB or L pixels, transparency composited onto white (as models/photo.py shows it)."""
    if image.mode in ("L", "RGB"):
        return image
    if "A" in image.mode or "transparency" in image.info:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", image.size, "white")
        canvas.paste(rgba, (0, 0), rgba)
        return canvas
    return image.convert("RGB")


def _part(image: Image.Image, box, edge: int,
          resample: Image.Resampling = Image.Resampling.BOX) -> Image.Image:
    """`box` of `image`, longest side at most `edge`."""
    width, height = box[2] - box[0], box[3] - box[1]
    scale = min(1.0, edge / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, resample, box=box,
                        reducing_gap=None if resample == Image.Resampling.NEAREST else 2.0)


def _grey(image: Image.Image, box, edge: int,
          resample: Image.Resampling = Image.Resampling.BOX) -> np.ndarray:
    """Luminance of `box` of `image`, longest side at most `edge`, as floats."""
    return np.asarray(_part(image, box, edge, resample).convert("L"), dtype=np.float32)


def _content_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the picture inside any frame: rows and columns at the
    edges that are mostly one colour (a border, a screenshot's black and its status bar)
    are cut, again and again while a new edge is itself frame (a border around a photo
    with a plain background trims like the photo alone)."""
    top, left, bottom, right = 0, 0, grey.shape[0], grey.shape[1]
    for _ in range(4):
        before = (top, left, bottom, right)
        area = grey[top:bottom, left:right]
        top += _frame_depth(area)
        bottom -= _frame_depth(area[::-1])
        area = grey[top:bottom, left:right]
        left += _frame_depth(area.T)
        right -= _frame_depth(area.T[::-1])
        if bottom - top < grey.shape[0] * 0.2 or right - left < grey.shape[1] * 0.2:
            return 0, 0, grey.shape[0], grey.shape[1]
        if (top, left, bottom, right) == before:
            break
    return top, left, bottom, right


def _equalised(grey: np.ndarray) -> np.ndarray:
    """`grey` with its levels replaced by their rank (histogram equalisation): brightening,
    darkening, a lower contrast or a gamma change keep the order of levels, so they leave the
    fingerprint nearly unchanged."""
    levels = np.clip(grey, 0, 255).astype(np.uint8)
    counts = np.bincount(levels.ravel(), minlength=256)
    ranks = (np.cumsum(counts) - counts / 2) / max(1, counts.sum())
    return (ranks[levels] * 255).astype(np.float32)


def _frame_depth(area: np.ndarray) -> int:
    """How many leading rows of `area` are frame (at most 45 % of them): within
    FRAME_TOLERANCE levels of the first row's median for at least 60 % of their pixels (the
    icons and clock of a status bar, a toolbar's buttons are sparse)."""
    if area.shape[0] < 8:
        return 0
    colour = np.median(area[0])
    plain = (np.abs(area - colour) <= FRAME_TOLERANCE).mean(axis=1) >= 0.6
    depth = int(np.argmin(plain)) if not plain.all() else area.shape[0]
    return min(depth, int(area.shape[0] * 0.45))


def _view(shape: tuple[int, ...], share: float, x: float,
          y: float) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) of one of VIEWS in a picture of `shape`."""
    height, width = shape[:2]
    dx, dy = width * (1 - share) * x, height * (1 - share) * y
    return dx, dy, dx + width * share, dy + height * share


_WEIGHTS = (np.add.outer(np.arange(KEEP), np.arange(KEEP)) ** WEIGHT).ravel()[1:]


def _coefficients(content: np.ndarray, view) -> np.ndarray:
    """The view's low DCT coefficients (DC left out), weighed, mean 0."""
    pixels = np.asarray(Image.fromarray(content).resize(
        (32, 32), Image.Resampling.BILINEAR, box=view, reducing_gap=None), dtype=np.float64)
    low = (_DCT32 @ pixels @ _DCT32.T)[:KEEP, :KEEP].ravel()[1:] * _WEIGHTS
    return low - low.mean()


def _bits(coefficients: np.ndarray) -> int:
    """The view's hash: the signs of its 63 weighed coefficients about their median, most
    significant bit first, and a 0 bit to make 64."""
    head = coefficients[:64]
    bits = "".join("1" if bit else "0" for bit in head > np.median(head))
    return int(bits.ljust(64, "0"), 2)


def _layout(chroma: tuple[Image.Image, ...], view) -> bytes:
    """The view's colour layout: Cb then Cr less 128 over a COLOUR_GRID × COLOUR_GRID grid,
    int8 (all 0 for a grey picture)."""
    if not chroma:
        return bytes(2 * COLOUR_GRID * COLOUR_GRID)
    cells = [np.asarray(plane.resize((COLOUR_GRID, COLOUR_GRID), Image.Resampling.BOX, box=view),
                        dtype=np.int16).ravel() - 128 for plane in chroma]
    return np.clip(np.concatenate(cells), -128, 127).astype(np.int8).tobytes()


def _unit(coefficients: np.ndarray) -> bytes:
    """The coefficients as a unit vector × 127 in int8 (63 bytes); all 0 for a view with no
    picture in it (one flat colour: two blank photos are not one photo used twice)."""
    norm = float(np.linalg.norm(coefficients))
    if norm < FEATURELESS:
        return bytes(len(coefficients))
    return np.round(coefficients / norm * 127).astype(np.int8).tobytes()


# The stored index (STYLE R7). Each stored print's INDEXED views go into photo_print_band
# (the centre 80 % and the four 90 % corners: an edited copy's views meet one of them; with
# only three of them, a third of the copies the index missed shared no band key with any):
# their 63 hash bits cut into BANDS bands of 21 bits, one row per band (band, key, row_id)
# with the view's whole hash beside it. A lookup asks, for every view of the new print and
# every band, for its key and the keys with any of PROBE_FLIPS of the band's least certain
# bits flipped (multi-probe LSH: the bits an edit flips are mostly those whose coefficient sits
# near the median); rows whose hash is within PREFILTER bits of a view are then verified with
# `similarity` on the stored print, the nearest MAX_CANDIDATES first. A row that shares a
# probed key already agrees on most of one band, so at a million prints PREFILTER passes
# dozens of unrelated ones: the cut at MAX_CANDIDATES, not PREFILTER, bounds the verifying,
# and at 50 it dropped originals a tilt had moved 17 to 20 bits away (measured in
# benchmarks/_integrity_photo.py, which prints why each copy the index misses is missed).
# A sixth probe flip finds two more copies but doubles the keys and the lookup's time.
INDEXED = (2, 3, 4, 5, 6)  # positions in VIEWS
BANDS = 3
BAND_BITS = 21
PROBE_FLIPS = 5
PROBED = 7  # the new print's views that probe: the 80 % corners add nothing (measured)
PREFILTER = 20
MAX_CANDIDATES = 100  # verified per lookup, the nearest by hash first
# EXIF: a capture time this far before dispatch is reported as "more than a year".
LONG_BEFORE = timedelta(days=365)


class PhotoPrintRow(Base):
    """One stored fingerprint: an evidence photo's, or an archive file's (`label`)."""

    __tablename__ = "photo_print"
    __table_args__ = (sa.Index("ix_photo_print_camera", "camera_serial", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"),
                                                      index=True)
    created_at: Mapped[datetime]
    print_bytes: Mapped[bytes] = mapped_column(sa.LargeBinary)
    camera_serial: Mapped[str | None] = mapped_column(sa.String(64))
    taken_at: Mapped[datetime | None]

    @property
    def print_(self) -> PhotoPrint:
        return PhotoPrint.from_bytes(self.print_bytes)


photo_print_band = sa.Table(
    "photo_print_band",
    Base.metadata,
    sa.Column("band", sa.SmallInteger, primary_key=True),
    sa.Column("key", sa.Integer, primary_key=True),
    sa.Column("row_id", sa.ForeignKey("photo_print.id", ondelete="CASCADE"), primary_key=True),
    # In the key too, so a lookup reads the index alone (an index-only scan on PostgreSQL).
    sa.Column("hash", sa.BigInteger, primary_key=True),
)


@dataclass(frozen=True)
class Match:
    """A stored fingerprint judged reused by a new photo."""

    row_id: int
    evidence_id: int | None
    label: str
    similarity: float


def index(print_: PhotoPrint, *, evidence_id: int | None = None,
          assignment_id: int | None = None, unit_id: int | None = None, label: str = "",
          now: datetime, taken_at: datetime | None = None,
          camera_serial: str | None = None) -> PhotoPrintRow:
    """Add `print_` to the stored fingerprints (with its band rows); the caller commits."""
    row = PhotoPrintRow(evidence_id=evidence_id, assignment_id=assignment_id, unit_id=unit_id,
                        label=label[:200], created_at=now, print_bytes=print_.to_bytes(),
                        camera_serial=camera_serial or None, taken_at=taken_at)
    session.add(row)
    session.flush()
    session.execute(photo_print_band.insert(), band_rows(print_, row.id))
    return row


def band_rows(print_: PhotoPrint, row_id: int) -> list[dict]:
    """The photo_print_band rows of a stored print (also used by bulk loads)."""
    rows = {}
    for value in (print_.hashes[view] for view in INDEXED):
        bits = value >> 1
        for band, key in enumerate(_keys(bits)):
            rows[band, key] = {"band": band, "key": key, "row_id": row_id, "hash": bits}
    return list(rows.values())


def matches(print_: PhotoPrint, *, exclude_assignment_id: int | None = None,
            exclude_evidence_id: int | None = None, limit: int = 5) -> list[Match]:
    """Stored fingerprints judged reused (similarity >= REUSED), best first.

    Rows of `exclude_assignment_id` are skipped: a resubmission after 退回 is not a flag; so is
    the row of `exclude_evidence_id` (the photo itself, when it was indexed first).
    """
    candidates = _candidates(print_, exclude_assignment_id, exclude_evidence_id)
    if not candidates:
        return []
    rows = session.execute(sa.select(PhotoPrintRow.id, PhotoPrintRow.evidence_id,
                                     PhotoPrintRow.label, PhotoPrintRow.print_bytes)
                           .where(PhotoPrintRow.id.in_(candidates))).all()
    found = [Match(row.id, row.evidence_id, row.label,
                   round(similarity(print_, PhotoPrint.from_bytes(row.print_bytes)), 3))
             for row in rows]
    found = [match for match in found if match.similarity >= REUSED]
    found.sort(key=lambda match: (-match.similarity, match.row_id))
    return found[:limit]


def _candidates(print_: PhotoPrint, exclude_assignment_id: int | None,
                exclude_evidence_id: int | None) -> list[int]:
    """Ids of stored prints sharing a probed band key with a view of `print_` and close to it
    by hash, nearest first (at most MAX_CANDIDATES)."""
    probes: dict[int, set[int]] = {band: set() for band in range(BANDS)}
    for view in range(min(PROBED, len(print_.hashes))):
        for band, key in _probes(print_, view):
            probes[band].add(key)
    dialect = session.get_bind().dialect.name
    lookup = _LOOKUPS.get(dialect, _LOOKUPS["default"])
    hits = session.execute(lookup, {f"keys{band}": sorted(keys)
                                    for band, keys in probes.items()}).all()
    if not hits:
        return []
    ids = np.array([hit.row_id for hit in hits])
    hashes = np.array([hit.hash for hit in hits], dtype=np.uint64)
    views = np.array([value >> 1 for value in print_.hashes], dtype=np.uint64)
    distance = np.bitwise_count(hashes[:, None] ^ views[None, :]).min(axis=1)
    order = np.argsort(distance, kind="stable")
    near = [int(ids[i]) for i in order if distance[i] <= PREFILTER]
    near = list(dict.fromkeys(near))
    excluded = [column == value for column, value in (
        (PhotoPrintRow.assignment_id, exclude_assignment_id),
        (PhotoPrintRow.evidence_id, exclude_evidence_id)) if value is not None]
    if excluded and near:
        skipped = set(session.scalars(sa.select(PhotoPrintRow.id).where(
            PhotoPrintRow.id.in_(near), sa.or_(*excluded))))
        near = [row_id for row_id in near if row_id not in skipped]
    return near[:MAX_CANDIDATES]


def _lookup(keys: Callable[[int], sa.ColumnElement[bool]]) -> sa.CompoundSelect:
    return sa.union_all(*(sa.select(photo_print_band.c.row_id, photo_print_band.c.hash)
                          .where(photo_print_band.c.band == band, keys(band))
                          for band in range(BANDS)))


# One statement for every lookup, compiled once, each band's probed keys one parameter: on
# PostgreSQL an array (`key = ANY(...)`: one parameter, one index scan per band, about 1 ms
# for a thousand keys at a million prints), elsewhere an expanding IN list.
_LOOKUPS = {
    "postgresql": _lookup(lambda band: photo_print_band.c.key == sa.any_(
        sa.bindparam(f"keys{band}", type_=postgresql.ARRAY(sa.Integer)))),
    "default": _lookup(lambda band: photo_print_band.c.key.in_(
        sa.bindparam(f"keys{band}", expanding=True))),
}


def _keys(bits: int) -> list[int]:
    """A 63-bit hash's BANDS keys, most significant band first."""
    return [(bits >> (63 - BAND_BITS * (band + 1))) & ((1 << BAND_BITS) - 1)
            for band in range(BANDS)]


def _probes(print_: PhotoPrint, view: int) -> list[tuple[int, int]]:
    """(band, key) pairs to look up for one view: each band's key and the keys with any of
    its PROBE_FLIPS least certain bits flipped."""
    bits = print_.hashes[view] >> 1
    vector = np.frombuffer(print_.vectors[view], dtype=np.int8).astype(np.float32)[:63]
    certainty = np.abs(vector - np.median(vector))
    probes = []
    for band, key in enumerate(_keys(bits)):
        start = BAND_BITS * band
        weakest = np.argsort(certainty[start:start + BAND_BITS], kind="stable")[:PROBE_FLIPS]
        masks = [1 << (BAND_BITS - 1 - int(position)) for position in weakest]
        for count in range(len(masks) + 1):
            for chosen in itertools.combinations(masks, count):
                flipped = key
                for mask in chosen:
                    flipped ^= mask
                probes.append((band, flipped))
    return probes


def exif_findings(taken_at: datetime | None, camera_serial: str | None,
                  dispatched_at: datetime | None, unit_id: int | None) -> list[str]:
    """What a photo's EXIF tells a reviewer, as Chinese sentences: taken before the task was
    dispatched (or more than a year before), or the same camera and capture time already seen
    in another unit's stored photos."""
    findings = []
    if taken_at is not None and dispatched_at is not None and taken_at < dispatched_at:
        if dispatched_at - taken_at > LONG_BEFORE:
            findings.append(f"拍摄时间（{local_time(taken_at)}）早于任务下发一年以上"
                            f"（任务下发于 {local_time(dispatched_at)}）")
        else:
            findings.append(f"拍摄时间（{local_time(taken_at)}）早于任务下发时间"
                            f"（{local_time(dispatched_at)}）")
    if taken_at is not None and camera_serial:
        others = session.scalars(
            sa.select(Unit.name).join(PhotoPrintRow, PhotoPrintRow.unit_id == Unit.id)
            .where(PhotoPrintRow.camera_serial == camera_serial,
                   PhotoPrintRow.taken_at == taken_at,
                   PhotoPrintRow.unit_id != unit_id if unit_id is not None else sa.true())
            .distinct().order_by(Unit.name)).all()
        if others:
            findings.append(f"同一相机（序列号 {camera_serial}）在同一时刻"
                            f"（{local_time(taken_at)}）拍摄的照片已出现在"
                            f"{'、'.join(others)}的材料中")
    return findings
