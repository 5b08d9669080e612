"""监督建议书 / 整改通知书 on the phone: the list of one's notices, the notice page with each
item's replies, and the forms `models.notice_lifecycle.allowed` grants the viewer: 签收, reply
per item (text, photos and files), verify per item (通过 / 退回 with a reason), 回访销账. The printable
A4 page and the .docx are the same document (handlers.notice_document).
"""

import io

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, send_file, url_for

from handlers.mobile import texts
from handlers.mobile.auth import message_page
from handlers.mobile.evidence import checked_files, checked_photos
from handlers.mobile.notice_form import form_page, issued, own_draft, submitted, values_of
from handlers.mobile.refusal import recall, refuse
from jobs.evidence import keep_file, keep_upload, queue_fetch
from jobs.notice_document import parts, write_docx
from models import Evidence, EvidenceKind, EvidenceStatus, Notice, NoticeItem, session, utcnow
from models.errors import DomainError
from models.evidence import USABLE
from models.notice import ITEM_STATE_LABELS, KIND_LABELS, STATE_LABELS, NoticeAction, NoticeState
from models.notice_lifecycle import (ISSUING_ROLES, MIN_REASON, MIN_REPLY, accept, acknowledge,
                                     allowed, attach, can_see, close, discard, issuer_queue,
                                     replying_items, reply, return_item, visible_filter)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ITEM_ROWS = 3  # blank item rows on the phone's draft form


def visible_notice(person, notice_id: int) -> Notice:
    """The notice if `person` may see it; 404 otherwise, as for an id that does not exist."""
    notice = session.get(Notice, notice_id)
    if notice is None or not can_see(person, notice):
        abort(404)
    return notice


def notices():
    """待我回复 (items), 待我核实或回访 (the issuing body's), and every notice one may see."""
    now = utcnow()
    seen = session.scalars(sa.select(Notice).where(visible_filter(g.person))
                           .order_by(Notice.id.desc()).limit(100)).all()
    drafts = session.scalars(sa.select(Notice).where(
        Notice.issuer_id == g.person.unit_id, Notice.state == NoticeState.DRAFTED)
        .order_by(Notice.id.desc())).all() if g.person.role in ISSUING_ROLES else []
    return render_template("mobile/notices.html", owed=replying_items(g.person, now=now),
                           waiting=issuer_queue(g.person), notices=seen, labels=STATE_LABELS,
                           item_labels=ITEM_STATE_LABELS, drafts=drafts,
                           can_draft=g.person.role in ISSUING_ROLES)


# Drafting and issuing on the phone: discipline bodies (for the units they supervise) and
# county inspectors, the same form and save as the admin's (handlers.mobile.notice_form).

def draft_notice(notice_id: int | None = None):
    """起草 (new, or a draft of this body's); POST saves it, with any photos."""
    if g.person.role not in ISSUING_ROLES:
        return message_page(texts.NOTICE_DRAFT_REFUSED, 403, title=texts.NOTICE_DRAFT_TITLE)
    found = own_draft(g.person, notice_id) if notice_id else None
    if found is not None and found.state != NoticeState.DRAFTED:
        return redirect(_page(found))
    if request.method == "GET":
        return _draft_form(found, values_of(found))
    saved, values, refusal = submitted(found, g.person, now=utcnow())
    if refusal is not None:
        return _draft_form(session.get(Notice, notice_id) if notice_id else None, values,
                           refusal.message, refusal.status)
    flash(texts.NOTICE_DRAFT_SAVED, "success")
    return redirect(url_for("mobile.edit_notice", notice_id=saved.id), 303)


def issue_notice(notice_id: int):
    found = own_draft(g.person, notice_id)
    refusal = issued(found, g.person, now=utcnow())
    if refusal is not None:
        return _draft_form(found, values_of(found), refusal.message, refusal.status)
    flash(texts.NOTICE_ISSUED.format(name=found.name, unit=found.unit.name), "success")
    return redirect(_page(found), 303)


def discard_notice(notice_id: int):
    found = own_draft(g.person, notice_id)
    try:
        discard(found, g.person, now=utcnow())
    except DomainError as refusal:
        return refuse(refusal.message, url_for("mobile.edit_notice", notice_id=found.id))
    session.commit()
    flash(texts.NOTICE_DISCARDED, "success")
    return redirect(url_for("mobile.notices"), 303)


def _draft_form(found: Notice | None, values: dict, error: str = "", status: int = 200):
    return render_template("mobile/notice_form.html", **form_page(
        g.person, found, values, rows=ITEM_ROWS, error=error, now=utcnow())), status


def notice(notice_id: int):
    found = visible_notice(g.person, notice_id)
    now = utcnow()
    refusal = recall() or {}
    items = [{"item": item, "actions": allowed(g.person, found, item, now=now),
              "rounds": _rounds(item)} for item in found.items]
    actions = allowed(g.person, found, now=now)
    return render_template(
        "mobile/notice.html", notice=found, items=items, refusal=refusal,
        kind_label=KIND_LABELS[found.kind], state_label=STATE_LABELS[found.state],
        item_labels=ITEM_STATE_LABELS, attachments=_attachments(found),
        can_acknowledge=NoticeAction.ACKNOWLEDGE in actions,
        can_close=NoticeAction.CLOSE in actions, min_reply=MIN_REPLY, min_reason=MIN_REASON,
        Action=NoticeAction)


def _rounds(item: NoticeItem) -> list[tuple[int, list[Evidence]]]:
    """Each reply round's texts and photos, newest first (photos being prepared as round+1)."""
    rows = session.scalars(sa.select(Evidence).where(
        Evidence.notice_item_id == item.id, Evidence.status.in_(USABLE))
        .order_by(Evidence.id)).all()
    rounds: dict[int, list[Evidence]] = {}
    for row in rows:
        rounds.setdefault(row.round, []).append(row)
    return sorted(rounds.items(), reverse=True)


def _attachments(found: Notice) -> list[Evidence]:
    return list(session.scalars(sa.select(Evidence).where(
        Evidence.notice_id == found.id, Evidence.notice_item_id.is_(None),
        Evidence.status == EvidenceStatus.STORED).order_by(Evidence.id)))


def _item(found: Notice, item_id: int) -> NoticeItem:
    item = session.get(NoticeItem, item_id)
    if item is None or item.notice_id != found.id:
        abort(404)
    return item


def _page(found: Notice, anchor: str = "") -> str:
    return url_for("mobile.notice", notice_id=found.id) + (f"#{anchor}" if anchor else "")


def acknowledge_notice(notice_id: int):
    found = visible_notice(g.person, notice_id)
    try:
        acknowledge(found, g.person, now=utcnow())
    except DomainError as refusal:
        return refuse(refusal.message, _page(found))
    session.commit()
    flash(texts.NOTICE_ACKNOWLEDGED, "success")
    return redirect(_page(found), 303)


def reply_item(notice_id: int, item_id: int):
    """An item's reply: its text, and the photos and files chosen with it (validated first: a
    refused photo or file saves nothing). Files are stored at once, in the same commit."""
    found = visible_notice(g.person, notice_id)
    item = _item(found, item_id)
    text = request.form.get("reply", "")
    form, typed = f"item-{item.id}", {"reply": text}
    photos, errors = checked_photos(request.files.getlist("photos"))
    documents, file_errors = checked_files(request.files.getlist("files"))
    if errors or file_errors:
        return refuse("\n".join(errors + file_errors), _page(found, form), form=form,
                      typed=typed)
    now = utcnow()
    try:
        reply(item, g.person, text, now=now)
        kept = []
        for data, header in photos:
            evidence = attach(item, g.person, EvidenceKind.PHOTO, now=now)
            keep_upload(evidence, data, header)
            kept.append(evidence.id)
        for document in documents:
            keep_file(attach(item, g.person, EvidenceKind.FILE, now=now), document)
    except DomainError as refusal:
        return refuse(refusal.message, _page(found, form), form=form, typed=typed)
    session.commit()
    for evidence_id in kept:
        queue_fetch(evidence_id)
    flash(texts.NOTICE_REPLIED, "success")
    return redirect(_page(found, form), 303)


def verify_item(notice_id: int, item_id: int):
    """核实 one item: 通过, or 退回 with a reason."""
    found = visible_notice(g.person, notice_id)
    item = _item(found, item_id)
    decision, reason = request.form.get("decision"), request.form.get("reason", "")
    form = f"item-{item.id}"
    try:
        if decision == "accept":
            accept(item, g.person, now=utcnow())
        elif decision == "return":
            return_item(item, g.person, reason, now=utcnow())
        else:
            raise DomainError(texts.NOTICE_DECIDE)
    except DomainError as refusal:
        return refuse(refusal.message, _page(found, form), form=form, typed={"reason": reason})
    session.commit()
    flash(texts.NOTICE_ACCEPTED if decision == "accept" else texts.NOTICE_RETURNED, "success")
    return redirect(_page(found, form), 303)


def close_notice(notice_id: int):
    found = visible_notice(g.person, notice_id)
    note = request.form.get("note", "")
    try:
        close(found, g.person, note, now=utcnow())
    except DomainError as refusal:
        return refuse(refusal.message, _page(found, "close"), form="close", typed={"note": note})
    session.commit()
    flash(texts.NOTICE_CLOSED, "success")
    return redirect(_page(found), 303)


def notice_print(notice_id: int):
    """The printable A4 page (print CSS: the toolbar disappears on paper)."""
    found = visible_notice(g.person, notice_id)
    return render_template("mobile/notice_print.html", notice=found, text=parts(found))


def notice_docx(notice_id: int):
    found = visible_notice(g.person, notice_id)
    name = f"{found.name}.docx"
    return send_file(io.BytesIO(write_docx(found)), as_attachment=True, download_name=name,
                     mimetype=DOCX)
