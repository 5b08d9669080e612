"""监督建议书 / 整改通知书 in the admin (`/admin/notices`): the ledger (台账) with its filters,
counts and xlsx; drafting, editing and issuing (models.notice_lifecycle, the inspectors' own
body as issuer); a refused form is shown again with what was typed (400) and saves nothing.
The issued notice itself lives on its page (/m/notices/ID, which the admin sign-in opens).
"""

import io

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, send_file, url_for

from handlers.admin import texts
from handlers.mobile.notice_form import form_page, issued, own_draft, submitted, values_of
from jobs.notice_ledger import write_ledger
from models import Notice, NoticeState, Unit, UnitKind, session, utcnow
from models.clock import local_date
from models.notice import KIND_LABELS, STATE_LABELS
from models.notice_ledger import Filters, counts, ledger, overdue_ids
from models.notice_lifecycle import ISSUING_ROLES, discard, is_issuer

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
    late = overdue_ids(rows, now)
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
    late = overdue_ids(rows, now)
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
        return _form(found, values_of(found))
    saved, values, refusal = submitted(found, g.person, now=utcnow())
    if refusal is not None:
        return _form(session.get(Notice, notice_id) if notice_id else None, values,
                     refusal.message, refusal.status)
    flash(texts.NOTICE_SAVED, "ok")
    return redirect(url_for("admin.notice_edit", notice_id=saved.id), 303)


def issue_post(notice_id: int):
    found = own_draft(g.person, notice_id)
    refusal = issued(found, g.person, now=utcnow())
    if refusal is not None:
        return _form(found, values_of(found), refusal.message, refusal.status)
    flash(texts.NOTICE_ISSUED.format(name=found.name, unit=found.unit.name), "ok")
    return redirect(url_for("mobile.notice", notice_id=found.id), 303)


def discard_post(notice_id: int):
    found = own_draft(g.person, notice_id)
    discard(found, g.person, now=utcnow())
    session.commit()
    flash(texts.NOTICE_DISCARDED, "ok")
    return redirect(url_for("admin.notices"), 303)


def _form(found: Notice | None, values: dict, error: str = "", status: int = 200):
    return render_template("admin/notice_form.html", **form_page(
        g.person, found, values, rows=ITEM_ROWS, error=error, now=utcnow()),
        can_draft=g.person.role in ISSUING_ROLES), status
