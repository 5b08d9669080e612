"""监督建议书 / 整改通知书 in the admin (`/admin/notices`): the ledger (台账) with its filters,
counts and xlsx; drafting, editing and issuing (models.notice_lifecycle, the inspectors' own
body as issuer); a refused form is shown again with what was typed (400) and saves nothing.
The issued notice itself lives on its page (/m/notices/ID, which the admin sign-in opens).
"""

import io
from datetime import datetime, time

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, send_file, url_for

from handlers.admin import texts
from handlers.mobile.evidence import checked_photos
from jobs.evidence import store_photo
from jobs.notice_ledger import write_ledger
from models import EvidenceKind, Notice, NoticeState, Person, Unit, UnitKind, session, utcnow
from models.clock import SHANGHAI, local_date
from models.errors import DomainError
from models.notice import KIND_LABELS, STATE_LABELS, NoticeAction
from models.notice_ledger import Filters, counts, ledger, ledger_query, overdue_clause
from models.notice_lifecycle import (ISSUING_ROLES, allowed, attach_to_notice, discard, draft,
                                     edit, is_issuer, issue, may_issue_to)

ITEM_ROWS = 5  # blank item rows on the form
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> Filters:
    args = request.args
    state = args.get("state")
    return Filters(issuer_id=args.get("issuer", type=int), unit_id=args.get("unit", type=int),
                   state=NoticeState(state) if state in set(NoticeState) else None,
                   overdue=args.get("overdue") == "1", year=args.get("year", type=int))


def notices():
    """台账: filters, counts (each a link), the rows, and this body's drafts."""
    now, filters = utcnow(), _filters()
    rows = ledger(filters, now)
    late = set(session.scalars(ledger_query(filters, now).where(overdue_clause(now))
                               .with_only_columns(Notice.id)))
    drafts = session.scalars(sa.select(Notice).where(
        Notice.issuer_id == g.person.unit_id, Notice.state == NoticeState.DRAFTED)
        .order_by(Notice.id.desc())).all()
    units = session.scalars(sa.select(Unit).order_by(Unit.kind, Unit.name)).all()
    issuers = [unit for unit in units if unit.kind in (UnitKind.COUNTY, UnitKind.DISCIPLINE)]
    return render_template(
        "admin/notices.html", rows=rows, late=late, drafts=drafts, filters=filters,
        counts=counts(filters, now), units=units, issuers=issuers, states=STATE_LABELS,
        kinds=KIND_LABELS, can_draft=g.person.role in ISSUING_ROLES,
        years=range(local_date(now).year, local_date(now).year - 5, -1))


def notices_xlsx():
    now, filters = utcnow(), _filters()
    rows = ledger(filters, now)
    late = set(session.scalars(ledger_query(filters, now).where(overdue_clause(now))
                               .with_only_columns(Notice.id)))
    name = f"整改通知台账-{local_date(now):%Y%m%d}.xlsx"
    return send_file(io.BytesIO(write_ledger(rows, late)), as_attachment=True,
                     download_name=name, mimetype=XLSX)


def notice_form(notice_id: int | None = None):
    """The draft form (new or a draft of this body's); POST saves it, with any attachments."""
    found = session.get(Notice, notice_id) if notice_id else None
    if notice_id and (found is None or not is_issuer(g.person, found)):
        abort(404)
    if found is not None and found.state != NoticeState.DRAFTED:
        return redirect(url_for("mobile.notice", notice_id=found.id))
    if request.method == "GET":
        return _form(found, _values(found))
    values = request.form.to_dict()
    values["items"] = _typed_items()
    if found is not None:
        values["unit_id"] = str(found.unit_id)
    now = utcnow()
    photos, errors = checked_photos(request.files.getlist("attachments"))
    if errors:
        return _form(found, values, "\n".join(errors), 400)
    try:
        fields = _fields(values, now)
        found = edit(found, g.person, now=now, **fields) if found else \
            draft(g.person, unit=_unit(values.get("unit_id")), now=now, **fields)
        for data, photo in photos:
            store_photo(attach_to_notice(found, g.person, EvidenceKind.PHOTO, now=now), data,
                        photo)
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return _form(session.get(Notice, notice_id) if notice_id else None, values,
                     refusal.message, refusal.status)
    session.commit()
    flash(texts.NOTICE_SAVED, "ok")
    return redirect(url_for("admin.notice_edit", notice_id=found.id), 303)


def issue_post(notice_id: int):
    found = _draft(notice_id)
    try:
        issue(found, g.person, now=utcnow())
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return _form(found, _values(found), refusal.message, refusal.status)
    session.commit()
    flash(texts.NOTICE_ISSUED.format(name=found.name, unit=found.unit.name), "ok")
    return redirect(url_for("mobile.notice", notice_id=found.id), 303)


def discard_post(notice_id: int):
    found = _draft(notice_id)
    discard(found, g.person, now=utcnow())
    session.commit()
    flash(texts.NOTICE_DISCARDED, "ok")
    return redirect(url_for("admin.notices"), 303)


def _draft(notice_id: int) -> Notice:
    found = session.get(Notice, notice_id)
    if found is None or not is_issuer(g.person, found):
        abort(404)
    return found


def _form(found: Notice | None, values: dict, error: str = "", status: int = 200):
    units = [unit for unit in session.scalars(sa.select(Unit).order_by(Unit.kind, Unit.name))
             if may_issue_to(g.person, unit)]
    people = session.scalars(sa.select(Person).where(
        Person.active.is_(True), Person.unit_id.in_([unit.id for unit in units]))
        .order_by(Person.unit_id, Person.id)).all()
    items = values.get("items", [])
    items = items + [{"requirement": "", "due": "", "person_id": ""}] * (ITEM_ROWS - len(items))
    can_issue = found is not None and NoticeAction.ISSUE in allowed(g.person, found,
                                                                     now=utcnow())
    return render_template("admin/notice_form.html", notice=found, values=values, items=items,
                           units=units, people=people, kinds=KIND_LABELS, error=error,
                           can_issue=can_issue, can_draft=g.person.role in ISSUING_ROLES), status


def _values(found: Notice | None) -> dict:
    if found is None:
        return {"kind": "rectification", "follow_up_days": "30", "items": []}
    return {"kind": found.kind, "unit_id": str(found.unit_id), "title": found.title,
            "facts": found.facts, "basis": found.basis,
            "reply_due": local_date(found.reply_due_at).isoformat(),
            "follow_up_days": str(found.follow_up_days),
            "items": [{"requirement": item.requirement, "due": local_date(item.due_at).isoformat(),
                       "person_id": str(item.person_id or "")} for item in found.items]}


def _typed_items() -> list[dict]:
    form = request.form
    rows = zip(form.getlist("requirement"), form.getlist("due"), form.getlist("person_id"),
               strict=False)
    return [{"requirement": r, "due": d, "person_id": p} for r, d, p in rows
            if r.strip() or d.strip()]


def _fields(values: dict, now: datetime) -> dict:
    items = [{"requirement": row["requirement"], "due_at": _end_of(row["due"], "整改时限"),
              "person": _person(row["person_id"])} for row in values["items"]]
    return {"kind": values.get("kind"), "title": values.get("title", ""),
            "facts": values.get("facts", ""), "basis": values.get("basis", ""),
            "reply_due_at": _end_of(values.get("reply_due", ""), "回复期限"),
            "follow_up_days": values.get("follow_up_days", ""), "items": items}


def _end_of(text: str, name: str) -> datetime:
    """A date typed as 2026-12-05: the end of that working day (17:30, county time)."""
    try:
        day = datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise DomainError(texts.NOTICE_BAD_DAY.format(name=name)) from None
    return datetime.combine(day, time(17, 30), SHANGHAI)


def _unit(value) -> Unit:
    unit = session.get(Unit, int(value)) if str(value or "").isdigit() else None
    if unit is None:
        raise DomainError(texts.PICK_UNIT)
    return unit


def _person(value) -> Person | None:
    return session.get(Person, int(value)) if str(value or "").isdigit() else None
