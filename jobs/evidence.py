"""Processing photo evidence: a chat photo downloaded by MediaId (it dies in 3 days), a page
upload read back from storage (kept there, unopened, by `keep_upload`); then validated,
decoded, stored with its display copies and described, here and never in a web worker.

Safe to run twice: only a photo still `received` is processed (STYLE.md R5). A photo that is
not a usable image, or that cannot be downloaded after the retries, is marked and the cadre is
told in chat which one to send again: nothing is lost silently.
"""

import hashlib
import io
import logging
import os
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app
from PIL import Image
from redis.exceptions import RedisError
from rq import Retry, get_current_job
from wechatpy.exceptions import WeChatClientException

from jobs import texts
from jobs.queue import enqueue
from models import Channel, Evidence, EvidenceStatus, Notification, session, utcnow
from models.document_file import DocumentFile
from models.errors import DomainError
from models.evidence import expire_pending, photo_number
from models.integrity import check_photo, photo_checked
from models.photo import EXTENSIONS, PhotoHeader, camera_serial_of, process_photo
from models.storage import LocalStorage, content_key
from models.wechat_binding import WechatBinding

log = logging.getLogger(__name__)

RETRY_INTERVALS = [5, 30, 120]
STUCK_AFTER = timedelta(minutes=10)


def storage() -> LocalStorage:
    return LocalStorage(current_app.config.get("EVIDENCE_ROOT")
                        or os.path.join(current_app.instance_path, "evidence"))


def queue_fetch(evidence_id: int) -> None:
    """Queue the photo's processing (after its row is committed). With Redis away the row
    stays `received` and requeue_stuck queues it again."""
    intervals = current_app.config.get("MEDIA_RETRY_INTERVALS", RETRY_INTERVALS)
    try:
        enqueue(fetch_media, evidence_id, queue="media", job_id=f"media-{evidence_id}",
                retry=Retry(max=len(intervals), interval=intervals))
    except RedisError as exc:
        log.warning("evidence %s not queued (%s): requeue_stuck will", evidence_id, exc)


def fetch_media(evidence_id: int) -> None:
    """Get (download or read back), validate and store one photo, or record why not and tell
    the cadre."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.status != EvidenceStatus.RECEIVED:
        return
    try:
        data = _download(evidence.media_id) if evidence.media_id else _original(evidence)
        photo = process_photo(data)
    except DomainError as refusal:
        _give_up(evidence, EvidenceStatus.REJECTED, refusal.message)
        return
    except KeyError:
        _give_up(evidence, EvidenceStatus.FAILED, texts.UPLOAD_MISSING)
        return
    except (WeChatClientException, requests.RequestException) as exc:
        job = get_current_job()
        if job is not None and job.retries_left:
            raise  # RQ tries again later
        _give_up(evidence, EvidenceStatus.FAILED,
                 texts.DOWNLOAD_FAILED.format(error=type(exc).__name__))
        return
    store_photo(evidence, data, photo)
    session.commit()
    if evidence.assignment_id is not None:
        check_integrity(evidence, photo.display, photo.camera_serial)


def check_integrity(evidence: Evidence, display: bytes, serial: str | None = None) -> None:
    """照搬照抄 (issue 13): fingerprint a stored task photo (its display copy), flag it, index
    it. Runs after the photo is committed, so a failing check never loses it; the failure is
    logged. Once per photo."""
    try:
        if photo_checked(evidence.id):
            return
        with Image.open(io.BytesIO(display)) as image:
            check_photo(evidence, image, now=utcnow(), camera_serial=serial)
        session.commit()
    except Exception:  # noqa: BLE001 - a detector's failure must not lose the photo
        session.rollback()
        log.exception("integrity check of photo %s failed", evidence.id)


def queue_checks(evidence_ids: list[int]) -> None:
    """Check photos that were stored before they had a task (chat photos sent before 上报,
    then taken by it): the media job skipped them."""
    try:
        enqueue(check_photos, sorted(evidence_ids), queue="media",
                job_id=f"integrity-{min(evidence_ids)}-{len(evidence_ids)}", result_ttl=0)
    except RedisError as exc:
        log.warning("integrity check of %s not queued (%s)", evidence_ids, exc)


def check_photos(evidence_ids: list[int]) -> None:
    """The integrity check of stored task photos, from their display copies in storage (a
    photo still `received` is checked by its own media job)."""
    for evidence_id in evidence_ids:
        evidence = session.get(Evidence, evidence_id)
        if evidence is None or evidence.status != EvidenceStatus.STORED \
                or evidence.assignment_id is None:
            continue
        try:
            display = storage().get(content_key("display", evidence.sha256, "jpg"))
            original = _original(evidence)
        except KeyError:
            continue
        check_integrity(evidence, display, camera_serial_of(original))


def _download(media_id: str) -> bytes:
    response = current_app.extensions["wechat"].client.media.download(media_id)
    if isinstance(response, dict):  # a JSON answer instead of bytes (e.g. a video URL)
        raise WeChatClientException(response.get("errcode"), response.get("errmsg"))
    return response.content


def _original(evidence: Evidence) -> bytes:
    """A photo's original bytes in storage (a page upload's, as keep_upload stored them, or
    any stored photo's); KeyError if they are gone."""
    ext = EXTENSIONS.get(evidence.content_type)
    if ext is None or not evidence.sha256:
        raise KeyError(evidence.id)
    return storage().get(content_key("originals", evidence.sha256, ext))


def keep_upload(evidence: Evidence, data: bytes, header: PhotoHeader) -> None:
    """A page upload's bytes into storage as its original, unopened (its header was checked by
    models.photo.inspect_photo); fetch_media decodes it. The caller commits, then queues."""
    sha256 = hashlib.sha256(data).hexdigest()
    storage().put(content_key("originals", sha256, header.ext), data)
    evidence.sha256, evidence.content_type = sha256, header.content_type
    evidence.size_bytes, evidence.width, evidence.height = len(data), header.width, header.height


def keep_file(evidence: Evidence, document: DocumentFile) -> None:
    """A document's bytes into storage as they came (models.document_file checked them; there
    is nothing to decode, so no media job): the row is stored at once, named by `text`. The
    caller commits."""
    storage().put(content_key("files", document.sha256, document.ext), document.data)
    evidence.sha256, evidence.content_type = document.sha256, document.content_type
    evidence.size_bytes, evidence.text = len(document.data), document.name
    evidence.status = EvidenceStatus.STORED


def store_photo(evidence: Evidence, data: bytes, photo) -> None:
    """Bytes into storage (original, display, thumbnail), facts onto the row; the caller
    commits. Used by fetch_media for chat photos and page uploads alike (and the demo)."""
    store = storage()
    store.put(content_key("originals", photo.sha256, photo.ext), data)
    store.put(content_key("display", photo.sha256, "jpg"), photo.display)
    store.put(content_key("thumbs", photo.sha256, "jpg"), photo.thumbnail)
    evidence.sha256, evidence.content_type = photo.sha256, photo.content_type
    evidence.size_bytes, evidence.width, evidence.height = (
        photo.size_bytes,
        photo.width,
        photo.height,
    )
    evidence.taken_at, evidence.dhash = photo.taken_at, photo.dhash
    evidence.gps_lat, evidence.gps_lng = photo.gps or (None, None)
    evidence.status = EvidenceStatus.STORED


def _give_up(evidence: Evidence, status: EvidenceStatus, why: str) -> None:
    """Mark the photo and ask the cadre, in chat, to send that one again."""
    evidence.status, evidence.error = status, why[:200]
    number = photo_number(evidence)
    words = texts.PHOTO_NOT_SAVED if evidence.media_id else texts.UPLOAD_NOT_SAVED
    openid = session.scalar(sa.select(WechatBinding.openid).where(
        WechatBinding.person_id == evidence.created_by_id, WechatBinding.active.is_(True)))
    note = Notification(kind="evidence_problem", channel=Channel.CUSTOM,
                        person_id=evidence.created_by_id, openid=openid, created_at=utcnow(),
                        content=words.format(number=number, why=why))
    session.add(note)
    session.commit()  # the outbox relay queues the message
    log.warning("evidence %s %s: %s", evidence.id, status, why)


def requeue_stuck(now=None) -> int:
    """Photos still `received` long after they arrived (their job was lost): fetch them again."""
    cutoff = (now or utcnow()) - STUCK_AFTER
    stuck = session.scalars(sa.select(Evidence.id).where(
        Evidence.status == EvidenceStatus.RECEIVED, Evidence.created_at < cutoff)).all()
    for evidence_id in stuck:
        queue_fetch(evidence_id)
    return len(stuck)


def drop_expired_photos(now=None) -> int:
    """Photos sent without a task and not taken by a 上报 within 24 hours: no longer waiting
    (a 上报 checks their age itself, so one opened before this runs does not take them)."""
    dropped = expire_pending(now or utcnow())
    session.commit()
    if dropped:
        log.info("dropped %s photos that waited 24 hours for a task", dropped)
    return dropped
