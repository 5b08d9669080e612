"""integrity-scan (issue 13): judge a folder of old photos and summaries with the same
detectors as live evidence, pair by pair, and optionally keep their prints so later evidence
matches them (a county loading its paper-era archive).

Each file is fingerprinted once. Pairs come from the detectors' own index: every file is
indexed (in this transaction), then each one asks `matches` and keeps the hits that are
files of this folder, so the work is N lookups, not N² comparisons. Without `keep` the
transaction is rolled back and nothing stays.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps

from models import photo_print, text_print
from models.db import session
from models.integrity import unit_names

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
TEXT_SUFFIXES = (".txt",)
# Enough for every file of the folder a lookup may find among the archive's own hits.
LOOKUP_LIMIT = 50
DECODE_EDGE = 512  # JPEGs are decoded at a reduced scale: a print needs no more


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    kind: str  # "photo" | "summary"
    similarity: float


@dataclass(frozen=True)
class Unreadable:
    name: str
    why: str


def _photo(path: Path):
    with Image.open(path) as image:
        image.draft("RGB", (DECODE_EDGE, DECODE_EDGE))
        return photo_print.fingerprint(ImageOps.exif_transpose(image))


def _summary(path: Path, names: tuple[str, ...]):
    return text_print.fingerprint(path.read_text(encoding="utf-8"), names=names)


KINDS = {"photo": (PHOTO_SUFFIXES, photo_print), "summary": (TEXT_SUFFIXES, text_print)}


def files(folder: Path) -> list[tuple[str, Path]]:
    """The folder's photos and summaries (subfolders too), by name relative to it."""
    suffixes = PHOTO_SUFFIXES + TEXT_SUFFIXES
    return [(path.relative_to(folder).as_posix(), path) for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix.lower() in suffixes]


def scan(folder: Path, *, keep: bool, now: datetime) -> Iterator[Pair | Unreadable]:
    """Every unreadable file, then every pair judged reused or copied (a before b by name).
    With `keep` the prints are committed (label = the file's name)."""
    found, names = files(folder), unit_names()  # each read once, for every file
    readers = {"photo": _photo, "summary": lambda path: _summary(path, names)}
    try:
        for kind, (suffixes, detector) in KINDS.items():
            read = readers[kind]
            rows: dict[int, tuple[str, object]] = {}
            for name, path in found:
                if path.suffix.lower() not in suffixes:
                    continue
                try:
                    print_ = read(path)
                except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
                    yield Unreadable(name, type(error).__name__)
                    continue
                rows[detector.index(print_, label=name, now=now).id] = (name, print_)
            if kind == "summary":
                # An archive's files carry no task template: the wording they share because
                # they answered one template is learned from them, as it is for live evidence.
                text_print.learn_common()
            yield from _pairs(kind, detector, rows)
        if keep:
            session.commit()
    finally:
        session.rollback()  # nothing stays unless kept (a no-op after the commit)


def _pairs(kind: str, detector, rows: dict[int, tuple[str, object]]) -> Iterator[Pair]:
    """Each pair once, as soon as either file's lookup finds the other: an index lookup is
    not symmetric (it probes with the new print's views), the similarity is."""
    seen: set[tuple[str, str]] = set()
    for row_id, (name, print_) in rows.items():
        for match in detector.matches(print_, limit=LOOKUP_LIMIT):
            other = rows.get(match.row_id)
            if other is None or match.row_id == row_id:
                continue
            pair = tuple(sorted((name, other[0])))
            if pair not in seen:
                seen.add(pair)
                yield Pair(*pair, kind, round(match.similarity, 2))
