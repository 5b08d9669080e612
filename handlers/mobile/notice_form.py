"""Drafting a 监督建议书 / 整改通知书, for both forms that do it: the admin's (PC, county
inspectors) and the phone's (/m/notices/new, discipline bodies and inspectors). One reading of
what was typed, one save: the draft (new or edited) through models.notice_lifecycle, with any
photos and files attached; a refusal leaves nothing saved and the form shows what was typed again.
"""

from datetime import datetime, time

import sqlalchemy as sa
from flask import abort, request

from handlers.mobile.evidence import checked_files, checked_photos
from jobs.evidence import keep_file, keep_upload, queue_fetch
from models import EvidenceKind, Notice, Person, Unit, session
from models.clock import SHANGHAI, local_date
from models.errors import DomainError
from models.notice import KIND_LABELS, NoticeAction
from models.notice_lifecycle import (allowed, attach_to_notice, draft, edit, is_issuer, issue,
                                     may_issue_to)

BAD_DAY = "{name}请按“年-月-日”填写，如2026-12-05。"
PICK_UNIT = "请选择主送单位。"


def values_of(found: Notice | None) -> dict:
    """The form's values: a new draft's defaults, or what a draft holds."""
    if found is None:
        return {"kind": "rectification", "follow_up_days": "30", "items": []}
    return {"kind": found.kind, "unit_id": str(found.unit_id), "title": found.title,
            "facts": found.facts, "basis": found.basis,
            "reply_due": local_date(found.reply_due_at).isoformat(),
            "follow_up_days": str(found.follow_up_days),
            "items": [{"requirement": item.requirement, "due": local_date(item.due_at).isoformat(),
                       "person_id": str(item.person_id or "")} for item in found.items]}


def typed(form, found: Notice | None) -> dict:
    """What was typed (a request's form), rows left empty dropped; a draft keeps its unit."""
    values = form.to_dict()
    rows = zip(form.getlist("requirement"), form.getlist("due"), form.getlist("person_id"),
               strict=False)
    values["items"] = [{"requirement": r, "due": d, "person_id": p} for r, d, p in rows
                       if r.strip() or d.strip()]
    if found is not None:
        values["unit_id"] = str(found.unit_id)
    return values


def own_draft(person: Person, notice_id: int) -> Notice:
    """A notice of `person`'s body; 404 for anyone else's, as for one that does not exist."""
    found = session.get(Notice, notice_id)
    if found is None or not is_issuer(person, found):
        abort(404)
    return found


def form_page(person: Person, found: Notice | None, values: dict, *, rows: int,
              error: str = "", now: datetime) -> dict:
    """What a draft form shows: `values` (and blank item rows up to `rows`), the units and
    people to choose from, the kinds, the refusal, and whether it may be issued now."""
    units, people = choices(person)
    items = values.get("items", [])
    return {"notice": found, "values": values, "units": units, "people": people,
            "items": items + [{"requirement": "", "due": "", "person_id": ""}] * (
                rows - len(items)),
            "kinds": KIND_LABELS, "error": error,
            "can_issue": found is not None and NoticeAction.ISSUE in allowed(person, found,
                                                                            now=now)}


def choices(person: Person) -> tuple[list[Unit], list[Person]]:
    """The units `person` may write to, and their active people (an item's 责任人)."""
    units = [unit for unit in session.scalars(sa.select(Unit).order_by(Unit.kind, Unit.name))
             if may_issue_to(person, unit)]
    people = session.scalars(sa.select(Person).where(
        Person.active.is_(True), Person.unit_id.in_([unit.id for unit in units]))
        .order_by(Person.unit_id, Person.id)).all()
    return units, people


def save(found: Notice | None, person: Person, values: dict, images, files, *,
         now: datetime) -> tuple[Notice, list[int]]:
    """Draft or edit from `values` (as `typed` read them) and attach the photos in `images`,
    kept unopened for the media job, and the documents in `files`, stored at once: (the draft,
    the photos' evidence ids to queue once committed). Raises DomainError with every problem of
    the photos and files, or the first of the fields; the caller commits, or rolls back on a
    refusal."""
    photos, errors = checked_photos(images)
    documents, file_errors = checked_files(files)
    if errors or file_errors:
        raise DomainError("\n".join(errors + file_errors))
    items = [{"requirement": row["requirement"], "due_at": _end_of(row["due"], "整改时限"),
              "person": _person(row["person_id"])} for row in values["items"]]
    fields = {"kind": values.get("kind"), "title": values.get("title", ""),
              "facts": values.get("facts", ""), "basis": values.get("basis", ""),
              "reply_due_at": _end_of(values.get("reply_due", ""), "回复期限"),
              "follow_up_days": values.get("follow_up_days", ""), "items": items}
    if found is not None:
        found = edit(found, person, now=now, **fields)
    else:
        found = draft(person, unit=_unit(values.get("unit_id")), now=now, **fields)
    kept = []
    for data, header in photos:
        evidence = attach_to_notice(found, person, EvidenceKind.PHOTO, now=now)
        keep_upload(evidence, data, header)
        kept.append(evidence.id)
    for document in documents:
        keep_file(attach_to_notice(found, person, EvidenceKind.FILE, now=now), document)
    return found, kept


def submitted(found: Notice | None, person: Person, *, now: datetime
              ) -> tuple[Notice | None, dict, DomainError | None]:
    """Save the request's form (a new draft, or `found`) and commit: (the draft, what was
    typed, None), or on a refusal nothing saved: (None, what was typed, the refusal). A 403
    is raised, not shown on the form."""
    values = typed(request.form, found)
    try:
        saved, photos = save(found, person, values, request.files.getlist("attachments"),
                             request.files.getlist("files"), now=now)
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return None, values, refusal
    session.commit()
    for evidence_id in photos:
        queue_fetch(evidence_id)
    return saved, values, None


def issued(found: Notice, person: Person, *, now: datetime) -> DomainError | None:
    """下发 the draft and commit; the refusal (nothing changed) when it cannot be."""
    try:
        issue(found, person, now=now)
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return refusal
    session.commit()
    return None


def _end_of(text: str, name: str) -> datetime:
    """A date typed as 2026-12-05: the end of that working day (17:30, county time)."""
    try:
        day = datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise DomainError(BAD_DAY.format(name=name)) from None
    return datetime.combine(day, time(17, 30), SHANGHAI)


def _unit(value) -> Unit:
    unit = session.get(Unit, int(value)) if str(value or "").isdigit() else None
    if unit is None:
        raise DomainError(PICK_UNIT)
    return unit


def _person(value) -> Person | None:
    return session.get(Person, int(value)) if str(value or "").isdigit() else None
