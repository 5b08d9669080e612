"""Reused-photo detection (issue 13, models/photo_print.py): real photos from scikit-image,
edited the ways people re-use an old photo, still match their original; distinct photos, tiles
of one large photo, different faces and meetings in one room do not; the stored index finds
them through the database; resubmissions of one task are no flag; EXIF tells when a photo
predates its task.
"""

import io
import itertools
from datetime import timedelta

import pytest
from PIL import ExifTags, Image

from benchmarks._photo_corpus import EDITS, PHOTOS, originals
from models.db import session
from models.evidence import EvidenceKind, attach
from models.photo import process_photo
from models.photo_print import (
    REUSED,
    PhotoPrint,
    PhotoPrintRow,
    exif_findings,
    fingerprint,
    index,
    matches,
    similarity,
)

CHOSEN = ("coffee", "astronaut", "chelsea")  # a table top, a portrait, an animal


@pytest.fixture(scope="module")
def prints() -> dict[str, PhotoPrint]:
    return {name: fingerprint(image) for name, image in originals().items()}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_copy_of_a_real_photo_still_matches(prints, edit):
    for name in CHOSEN:
        copy = fingerprint(EDITS[edit](originals()[name]))
        assert similarity(prints[name], copy) >= REUSED, name


def test_distinct_photos_do_not_match(prints):
    for a, b in itertools.combinations(PHOTOS, 2):
        assert similarity(prints[a], prints[b]) < REUSED, (a, b)


@pytest.mark.parametrize("group", ["retina", "hubble_deep_field", "face", "room"])
def test_tiles_of_one_photo_faces_and_meetings_in_one_room_do_not_match(prints, group):
    names = [name for name in prints if name.startswith(group + "-")]
    assert len(names) >= 4
    for a, b in itertools.combinations(names, 2):
        assert similarity(prints[a], prints[b]) < REUSED, (a, b)


def test_blank_pictures_match_nothing(prints):
    white, black = fingerprint(Image.new("RGB", (800, 600), "white")), fingerprint(
        Image.new("L", (30, 30)))
    assert similarity(white, black) == similarity(white, white) == 0.0
    assert similarity(white, prints["coffee"]) == 0.0


def test_a_print_survives_its_bytes(prints):
    print_ = prints["rocket"]
    assert PhotoPrint.from_bytes(print_.to_bytes()) == print_
    assert similarity(print_, print_) == 1.0
    with pytest.raises(ValueError):
        PhotoPrint.from_bytes(b"\x01\x02")


def test_fingerprint_takes_any_mode(prints):
    coffee = originals()["coffee"]
    for mode in ("RGBA", "P", "L", "CMYK"):
        assert similarity(prints["coffee"], fingerprint(coffee.convert(mode))) >= REUSED


def test_a_stored_photo_is_found_by_its_edited_copy(app, prints, now):
    for name in PHOTOS:
        index(prints[name], label=f"{name}.jpg", now=now)
    session.commit()

    found = matches(fingerprint(EDITS["screenshot+jpeg-q40"](originals()["coffee"])))

    assert [match.label for match in found] == ["coffee.jpg"]
    assert found[0].similarity >= REUSED
    assert matches(prints["retina-00"]) == []


def test_a_resubmission_of_the_same_task_is_no_match(app, prints, make_task, now):
    first, other = make_task(), make_task(title="廉政教育")
    kept = index(prints["chelsea"], assignment_id=first.id, now=now)
    session.commit()
    edited = fingerprint(EDITS["crop-5%-each-edge"](originals()["chelsea"]))

    assert matches(edited, exclude_assignment_id=first.id) == []
    assert [match.row_id for match in matches(edited, exclude_assignment_id=other.id)] == [kept.id]


def test_the_photo_itself_is_no_match(app, prints, county, make_task, now):
    task = make_task()
    photo = attach(task, EvidenceKind.PHOTO, county["member"], now=now, media_id="media-1")
    index(prints["rocket"], evidence_id=photo.id, assignment_id=task.id, now=now)
    session.commit()

    assert matches(prints["rocket"], exclude_evidence_id=photo.id) == []
    assert [match.evidence_id for match in matches(prints["rocket"])] == [photo.id]


def test_limit_keeps_the_best_matches(app, prints, now):
    rows = [index(prints["astronaut"], label=f"copy-{n}", now=now) for n in range(3)]
    session.commit()
    found = matches(prints["astronaut"], limit=2)
    assert [match.row_id for match in found] == [rows[0].id, rows[1].id]
    assert session.get(PhotoPrintRow, rows[0].id).print_ == prints["astronaut"]


def test_a_photo_taken_before_dispatch_is_reported(app, now):
    dispatched = now - timedelta(days=3)
    assert exif_findings(now - timedelta(days=1), None, dispatched, None) == []
    assert exif_findings(None, None, dispatched, None) == []

    earlier = exif_findings(now - timedelta(days=10), None, dispatched, None)
    long_before = exif_findings(now - timedelta(days=500), None, dispatched, None)

    assert earlier == ["拍摄时间（2026-11-10 10:00）早于任务下发时间（2026-11-17 10:00）"]
    assert long_before == ["拍摄时间（2025-07-08 10:00）早于任务下发一年以上"
                           "（任务下发于 2026-11-17 10:00）"]


def test_the_same_camera_and_moment_in_another_unit_is_reported(app, prints, make_unit, now):
    qingshan, baishui = make_unit(name="青山镇"), make_unit(name="白水镇")
    taken = now - timedelta(hours=2)
    index(prints["coins"], unit_id=qingshan.id, now=now, taken_at=taken, camera_serial="SN123")
    session.commit()

    assert exif_findings(taken, "SN123", None, qingshan.id) == []  # its own unit
    assert exif_findings(taken + timedelta(seconds=1), "SN123", None, baishui.id) == []
    assert exif_findings(taken, "SN123", None, baishui.id) == [
        "同一相机（序列号 SN123）在同一时刻（2026-11-20 08:00）拍摄的照片已出现在青山镇的材料中"]


def test_the_camera_serial_is_read_from_exif():
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "A7C-0042"
    out = io.BytesIO()
    originals()["coffee"].save(out, "JPEG", exif=exif)
    assert process_photo(out.getvalue()).camera_serial == "A7C-0042"
    plain = io.BytesIO()
    originals()["coffee"].save(plain, "JPEG")
    assert process_photo(plain.getvalue()).camera_serial is None


def test_the_migration_creates_the_tables_the_models_declare(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if "photo_print" in str(d)]
    assert differences == []


def test_the_band_migration_rebuilds_the_index_of_stored_prints(tmp_path, prints):
    import sqlalchemy as sa

    from models.migrate import upgrade
    from models.photo_print import band_rows

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0026_integrity")
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # a print stored before: three views banded
        connection.execute(sa.text(
            "INSERT INTO photo_print (id, label, created_at, print_bytes)"
            " VALUES (7, 'coffee.jpg', '2026-11-01', :data)"),
            {"data": prints["coffee"].to_bytes()})
        connection.execute(sa.text("INSERT INTO photo_print_band VALUES (0, 1, 7, 1)"))
    upgrade(url)
    with engine.connect() as connection:
        stored = connection.execute(sa.text(
            "SELECT band, key, row_id, hash FROM photo_print_band")).all()
    engine.dispose()
    expected = [(row["band"], row["key"], row["row_id"], row["hash"])
                for row in band_rows(prints["coffee"], 7)]
    assert sorted(map(tuple, stored)) == sorted(expected)
