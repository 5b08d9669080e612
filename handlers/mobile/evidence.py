"""上报材料 on the page: a summary box and photos; what the round holds so far (after a return:
what the last round handed in), each item removable; the stored display copies served only to
people who may see the task.

A photo is checked here by its header alone (models.photo.inspect_photo: format, pixels, and
what it would cost to decode, alone and with the others of the same upload) and kept unopened;
the media job decodes it (jobs.evidence), as it does chat photos, and until then the page shows
it as 处理中. A web worker never decodes a picture."""

import re
from urllib.parse import quote

from flask import (abort, current_app, flash, g, jsonify, make_response, redirect,
                   render_template, request, url_for)
from wechatpy.exceptions import WeChatException
from werkzeug.exceptions import RequestEntityTooLarge

from handlers.labels import describe_evidence
from handlers.mobile import late, texts
from handlers.mobile.access import assignment_lock, visible_assignment
from handlers.mobile.assignment import (REPORTABLE, head, last_return, missing_for_page,
                                        submit_locked)
from handlers.mobile.auth import message_page
from handlers.mobile.refusal import form_page, recall, refuse
from jobs.evidence import keep_upload, queue_fetch, storage
from models import (Assignment, Evidence, EvidenceKind, EvidenceStatus, Notice, State, session,
                    utcnow)
from models.hierarchy import SEES_ALL, can_see, is_assignee
from models.integrity import can_see_matched
from models.errors import DomainError
from models.evidence import (EvidenceGone, attach, current_round, photo_number, refused_photos,
                             remove, round_evidence)
from models.notice_lifecycle import can_see as can_see_notice
from models.late import require_open
from models.document_file import MAX_BYTES as MAX_FILE_BYTES
from models.document_file import EXTENSIONS, DocumentFile, inspect_file
from models.photo import MAX_BYTES, MAX_UPLOAD_DECODE_BYTES, PhotoHeader, inspect_photo
from models.self_check import is_self_check
from models.storage import content_key

MAX_PHOTOS_PER_UPLOAD = 9
MAX_FILES_PER_UPLOAD = 5
MAX_SUMMARY = 2000
VARIANTS = {"thumb": "thumbs", "display": "display"}
MEDIA_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def report(assignment_id: int):
    """GET: the form with this round's evidence so far. POST: store a summary and photos
    (all photos checked before anything is stored), then save or also submit."""
    task = visible_assignment(g.person, assignment_id)
    if not is_assignee(g.person, task):
        abort(403)
    if is_self_check(task):  # its form is the cadre's risk points
        return redirect(url_for("mobile.self_check", assignment_id=task.id), 303)
    if request.method == "GET":
        return _form(task)
    with assignment_lock(task):
        if task.state not in REPORTABLE:
            flash(texts.NOT_REPORTABLE.format(state=texts.STATE_LABELS[State(task.state)]),
                  "info")
            return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)
        require_open(task, utcnow())  # refused before any photo is checked or stored
        summary = request.form.get("summary", "").strip()
        photos, errors = checked_photos(request.files.getlist("photos"))
        if len(summary) > MAX_SUMMARY:
            errors.insert(0, texts.SUMMARY_TOO_LONG.format(count=MAX_SUMMARY))
        if not errors and not summary and not photos:
            if request.form.get("then") == "submit":
                return submit_locked(task)
            errors.append(texts.NOTHING_TO_SAVE)
        if errors:
            return refuse("\n".join(errors), url_for("mobile.report", assignment_id=task.id),
                          form="report", typed={"summary": summary})
        kept = _attach_all(task, summary, photos)
        session.commit()
        for evidence in kept:
            queue_fetch(evidence.id)
        if request.form.get("then") == "submit":
            return submit_locked(task)
    flash(texts.SAVED, "success")
    return redirect(url_for("mobile.report", assignment_id=task.id), 303)


def remove_evidence(assignment_id: int, evidence_id: int):
    """删除 (POST) one item from the round being prepared; rounds handed in keep it."""
    task = visible_assignment(g.person, assignment_id)
    if not is_assignee(g.person, task):
        abort(403)
    with assignment_lock(task):
        if task.state not in REPORTABLE:
            flash(texts.NOT_REPORTABLE.format(state=texts.STATE_LABELS[State(task.state)]),
                  "info")
            return redirect(url_for("mobile.assignment", assignment_id=task.id))
        try:
            remove(task, evidence_id, g.person, now=utcnow())
        except EvidenceGone as gone:
            flash(gone.message, "info")
        else:
            session.commit()
            flash(texts.EVIDENCE_REMOVED, "success")
    return redirect(url_for("mobile.report", assignment_id=task.id))


def upload_too_large(error: RequestEntityTooLarge):
    """The request was cut off before the view ran (MAX_CONTENT_LENGTH): say what to do, on
    the form again."""
    limit = (request.max_content_length or 0) // (1024 * 1024)
    message = texts.UPLOAD_TOO_LARGE.format(mb=limit)
    if request.method != "POST" or request.is_json:
        return message_page(message, 413, "上传内容太大", back=request.path)
    return refuse(message, form_page(), form="report")


def evidence_image(evidence_id: int, variant: str):
    """A stored photo's display copy or thumbnail; 404 unless the viewer may see the task."""
    evidence = session.get(Evidence, evidence_id)
    kind = VARIANTS.get(variant)
    if evidence is None or kind is None or evidence.kind != EvidenceKind.PHOTO:
        abort(404)
    _require_visible(evidence)
    try:
        data = storage().get(content_key(kind, evidence.sha256, "jpg"))
    except KeyError:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/jpeg"
    # Private: evidence is never cached by a shared proxy; content-addressed, so it never changes.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def evidence_file(evidence_id: int):
    """A stored file (a notice's attachment or an item's reply) as a download under its own
    name; 404 unless the viewer may see the notice."""
    evidence = session.get(Evidence, evidence_id)
    ext = EXTENSIONS.get(evidence.content_type) if evidence is not None else None
    if ext is None or evidence.kind != EvidenceKind.FILE:
        abort(404)
    _require_visible(evidence)
    try:
        data = storage().get(content_key("files", evidence.sha256, ext))
    except KeyError:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = evidence.content_type
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{evidence.id}.{ext}\"; "
        f"filename*=UTF-8''{quote(evidence.text or f'{evidence.id}.{ext}')}")
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _require_visible(evidence: Evidence) -> None:
    """404 unless the evidence is stored and the viewer may see what it belongs to: the notice
    (its attachment or an item's reply), the spot check, or the task."""
    if evidence.status != EvidenceStatus.STORED or not evidence.sha256:
        abort(404)
    if evidence.notice_id is not None:  # a notice's attachment or an item's reply
        if not can_see_notice(g.person, session.get(Notice, evidence.notice_id)):
            abort(404)
    elif evidence.spot_check_item_id is not None:  # taken re-verifying a drawn task
        if g.person.role not in SEES_ALL:  # who reads the spot-check rounds
            abort(404)
    elif evidence.assignment_id is None:
        abort(404)  # a photo still waiting for its task is nobody else's to see
    else:  # the task's, or cited by a 照搬照抄 flag on a task they see (models.integrity)
        task = session.get(Assignment, evidence.assignment_id)
        if not (can_see(g.person, task) or can_see_matched(g.person, evidence)):
            abort(404)


def wx_photos(assignment_id: int):
    """Photos chosen with the JS-SDK inside WeChat: their serverIds are temporary MediaIds,
    fetched and validated by the same job as photos sent in chat."""
    task = visible_assignment(g.person, assignment_id)
    if not is_assignee(g.person, task):
        abort(403)
    server_ids = (request.get_json(silent=True) or {}).get("server_ids")
    if not isinstance(server_ids, list) or not 0 < len(server_ids) <= MAX_PHOTOS_PER_UPLOAD \
            or not all(isinstance(i, str) and MEDIA_ID.fullmatch(i) for i in server_ids):
        return jsonify(error=texts.WX_PHOTOS_BAD), 400
    with assignment_lock(task):
        if task.state not in REPORTABLE:
            return jsonify(error=texts.NOT_REPORTABLE.format(
                state=texts.STATE_LABELS[State(task.state)])), 409
        now = utcnow()
        created = [attach(task, EvidenceKind.PHOTO, g.person, now=now, media_id=server_id)
                   for server_id in server_ids]
        session.commit()
    for evidence in created:
        queue_fetch(evidence.id)
    return jsonify(received=len(created))


def _jssdk(task) -> dict | None:
    """wx.config for the report page when it is opened inside real WeChat, else None (the
    plain file input serves)."""
    client = current_app.extensions["wechat"].client
    if "MicroMessenger" not in request.user_agent.string or not client.is_official:
        return None
    try:
        return client.jsapi_config(request.url)
    except (WeChatException, OSError):
        return None


def _form(task):
    """The report form, with why the last post was refused and what was typed in it."""
    refusal = recall() or {}
    number, items = current_round(task), round_evidence(task)
    return render_template(
        "mobile/report.html", **head(task), refusal=refusal,
        errors=refusal.get("message", "").splitlines(), summary=refusal.get("summary", ""),
        not_kept=[texts.PHOTO_NOT_KEPT.format(number=photo_number(e), why=e.error)
                  for e in refused_photos(task)],
        items=items, number=number,
        carried=describe_evidence([e for e in items if not e.is_new_in(number)]),
        missing=missing_for_page(task),
        returned=last_return(task) if task.state == State.RETURNED else None,
        max_photos=MAX_PHOTOS_PER_UPLOAD, max_summary=MAX_SUMMARY,
        max_upload=request.max_content_length or 0, jssdk=_jssdk(task),
        **late.block(task, set(), utcnow()))


def checked_photos(files) -> tuple[list[tuple[bytes, PhotoHeader]], list[str]]:
    """Every chosen photo's header checked (models.photo), and what all of them together would
    cost the media job to decode; the refusals in words, each photo by number and file name."""
    chosen = [f for f in files if f and f.filename]
    if len(chosen) > MAX_PHOTOS_PER_UPLOAD:
        return [], [texts.TOO_MANY_PHOTOS.format(count=MAX_PHOTOS_PER_UPLOAD)]
    photos, errors, cost = [], [], 0
    for number, upload in enumerate(chosen, start=1):
        data = upload.read(MAX_BYTES + 1)
        try:
            header = inspect_photo(data)
        except DomainError as refusal:
            errors.append(_refused(number, upload.filename, refusal.message))
            continue
        cost += header.decode_cost
        if cost > MAX_UPLOAD_DECODE_BYTES:
            errors.append(_refused(number, upload.filename, texts.UPLOAD_TOO_COSTLY))
        photos.append((data, header))
    return photos, errors


def checked_files(files) -> tuple[list[DocumentFile], list[str]]:
    """Every chosen file (a notice's attachment or reply) checked by its bytes
    (models.document_file); the refusals in words, each file by number and file name."""
    chosen = [f for f in files if f and f.filename]
    if len(chosen) > MAX_FILES_PER_UPLOAD:
        return [], [texts.TOO_MANY_FILES.format(count=MAX_FILES_PER_UPLOAD)]
    documents, errors = [], []
    for number, upload in enumerate(chosen, start=1):
        try:
            documents.append(inspect_file(upload.read(MAX_FILE_BYTES + 1), upload.filename))
        except DomainError as refusal:
            errors.append(_refused(number, upload.filename, refusal.message,
                                   texts.FILE_REFUSED))
    return documents, errors


def _refused(number: int, filename: str, why: str, words: str = texts.PHOTO_REFUSED) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:40]
    return words.format(number=number, name=name, why=why)


def _attach_all(task, summary: str, photos: list[tuple[bytes, PhotoHeader]]) -> list[Evidence]:
    """The summary and the photos into this round; the photos kept for the media job, which
    the caller queues once it has committed."""
    now = utcnow()
    if summary:
        attach(task, EvidenceKind.TEXT, g.person, now=now, text=summary)
    kept = []
    for data, header in photos:
        evidence = attach(task, EvidenceKind.PHOTO, g.person, now=now)
        keep_upload(evidence, data, header)
        kept.append(evidence)
    return kept
