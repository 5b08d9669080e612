"""GET /evidence/<id> (metadata) and GET /evidence/<id>/file (the stored bytes)."""

from flask import Response

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.assignment import evidence_json
from handlers.api.payload import query_choice
from handlers.api.visibility import find_evidence
from jobs.evidence import storage
from models import Evidence, EvidenceStatus
from models.errors import NotFound
from models.location import sees_location, without_location
from models.photo import CONTENT_TYPES, EXTENSIONS
from models.storage import content_key

# variant → (storage kind, extension or None for the original's own)
VARIANTS = {"original": ("originals", None), "display": ("display", "jpg"),
            "thumb": ("thumbs", "jpg")}


def show_evidence(evidence_id: int):
    """Metadata of one visible piece of evidence."""
    person = current_person()
    return evidence_json(find_evidence(person, evidence_id), person)


def evidence_file(evidence_id: int):
    """The stored bytes of a photo: `?variant=original|display|thumb` (default display).

    Originals keep their EXIF (capture time, GPS) as evidence for inspectors; anyone else gets
    the original without its position (models.location). Display and thumbnail copies are
    stripped JPEGs (jobs/evidence.py).
    """
    person = current_person()
    evidence = find_evidence(person, evidence_id)
    variant = query_choice("variant", VARIANTS) or "display"
    key, content_type = _stored(evidence, variant)
    try:
        data = storage().get(key)
    except KeyError:
        raise NotFound(texts.FILE_GONE) from None
    if variant == "original" and not sees_location(person):
        data = without_location(data, EXTENSIONS[evidence.content_type])
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"  # content-addressed: immutable
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _stored(evidence: Evidence, variant: str) -> tuple[str, str]:
    """The storage key and content type of one variant, or NotFound when there are no bytes."""
    ext = EXTENSIONS.get(evidence.content_type)
    if evidence.status != EvidenceStatus.STORED or not evidence.sha256 or ext is None:
        raise NotFound(texts.NO_FILE)
    kind, fixed_ext = VARIANTS[variant]
    ext = fixed_ext or ext
    return content_key(kind, evidence.sha256, ext), CONTENT_TYPES[ext]
