"""监督建议书 / 整改通知书 through the API (issue 11): the ledger as the caller may see it, a
notice with its items, and each step of its life (draft, issue, 签收, reply, verify, 回访销账),
each one call to models.notice_lifecycle; a refusal rolls back and answers its status (R9)."""

import io
from datetime import datetime

from flask import send_file

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import (YEARS, BadInput, iso_time, json_body, optional_text, page,
                                  query_choice, query_int, required, required_id,
                                  required_unit, required_zoned_time)
from jobs.notice_document import write_docx
from models import Notice, NoticeItem, NoticeState, Person, session, utcnow
from models.errors import DomainError, NotFound
from models.notice import ITEM_ACTIONS
from models.notice_ledger import Filters, ledger_query, overdue_ids
from models.notice_lifecycle import (accept, acknowledge, allowed, can_see, close, draft,
                                     issue, reply, return_item, visible_filter)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"



def notice_json(notice: Notice, person, now: datetime) -> dict:
    return {
        "id": notice.id, "kind": notice.kind, "reference": notice.reference or None,
        "name": notice.name, "year": notice.year, "number": notice.number,
        "issuer_id": notice.issuer_id, "issuer_name": notice.issuer.name,
        "unit_id": notice.unit_id, "unit_name": notice.unit.name, "title": notice.title,
        "facts": notice.facts, "basis": notice.basis, "state": notice.state,
        "warning": notice.warning, "reply_due_at": iso_time(notice.reply_due_at),
        "issued_at": iso_time(notice.issued_at), "follow_up_due_at": iso_time(notice.follow_up_due_at),
        "follow_up_note": notice.follow_up_note, "closed_at": iso_time(notice.closed_at),
        "actions": sorted(allowed(person, notice, now=now)),
        "items": [{
            "id": item.id, "position": item.position, "requirement": item.requirement,
            "due_at": iso_time(item.due_at), "person_id": item.person_id,
            "person_name": item.person.name if item.person else None, "state": item.state,
            "round": item.round, "reply": item.reply, "replied_at": iso_time(item.replied_at),
            "verified_at": iso_time(item.verified_at), "return_reason": item.return_reason,
            "returns": item.returns, "warning": item.warning,
            "actions": sorted(action for action in allowed(person, notice, item, now=now)
                              if action in ITEM_ACTIONS)}
            for item in notice.items]}


def _find(person, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None or not can_see(person, notice):
        raise NotFound()
    return notice


def _item(notice: Notice, item_id: int) -> NoticeItem:
    item = session.get(NoticeItem, item_id)
    if item is None or item.notice_id != notice.id:
        raise NotFound()
    return item


def _done(person, notice: Notice, status: int = 200):
    session.commit()
    return notice_json(notice, person, utcnow()), status


def list_notices():
    """The ledger (?year, issuer, unit, state, overdue=1) within what the caller may see."""
    person, now = current_person(), utcnow()
    state = query_choice("state", NoticeState)
    filters = Filters(issuer_id=query_int("issuer", low=1), unit_id=query_int("unit", low=1),
                      state=NoticeState(state) if state else None,
                      overdue=query_int("overdue", 0, low=0, high=1) == 1,
                      year=query_int("year", low=YEARS[0], high=YEARS[1]))
    limit, offset = page()
    rows = session.scalars(ledger_query(filters, now).where(visible_filter(person))
                           .order_by(Notice.id.desc()).limit(limit).offset(offset)).all()
    late = overdue_ids(rows, now)
    return {"items": [{**notice_json(row, person, now), "overdue": row.id in late}
                      for row in rows]}


def show_notice(notice_id: int):
    person = current_person()
    return notice_json(_find(person, notice_id), person, utcnow())


def create_notice():
    """A draft from the caller's body to a unit: kind, unit_id, title, facts, basis,
    reply_due_at, follow_up_days, items [{requirement, due_at, person_id}]."""
    person, body = current_person(), json_body()
    unit = required_unit(body, "主送单位")
    items = body.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadInput(texts.NOTICE_ITEMS)
    try:
        notice = draft(person, kind=optional_text(body, "kind", "文书类型") or "rectification",
                       unit=unit, title=optional_text(body, "title", "标题"),
                       facts=optional_text(body, "facts", "发现的问题"),
                       basis=optional_text(body, "basis", "依据"),
                       reply_due_at=required_zoned_time(body, "reply_due_at", "回复期限"),
                       follow_up_days=body.get("follow_up_days") or 30, now=utcnow(),
                       items=[_item_fields(entry) for entry in items])
    except DomainError:
        session.rollback()
        raise
    return _done(person, notice, 201)


def _item_fields(entry: dict) -> dict:
    person = None
    if entry.get("person_id") is not None:
        person = session.get(Person, required_id(entry, "person_id", "责任人"))
        if person is None:
            raise BadInput(texts.NOTICE_PERSON)
    return {"requirement": optional_text(entry, "requirement", "整改要求"),
            "due_at": required_zoned_time(entry, "due_at", "整改时限"), "person": person}


def _act(notice_id: int, step) -> tuple[dict, int]:
    person = current_person()
    notice = _find(person, notice_id)
    try:
        step(person, notice)
    except DomainError:
        session.rollback()
        raise
    return _done(person, notice)


def issue_notice(notice_id: int):
    return _act(notice_id, lambda person, notice: issue(notice, person, now=utcnow()))


def acknowledge_notice(notice_id: int):
    return _act(notice_id, lambda person, notice: acknowledge(notice, person, now=utcnow()))


def reply_item(notice_id: int, item_id: int):
    """An item's reply ({"text"}); photos go through the phone page or chat."""
    text = optional_text(json_body(), "text", "整改情况")
    return _act(notice_id, lambda person, notice: reply(_item(notice, item_id), person, text,
                                                        now=utcnow()))


def verify_item(notice_id: int, item_id: int):
    """{"decision": "accept"} or {"decision": "return", "reason": "…"}."""
    body = json_body()
    decision = required(body, "decision", str, "核实结果")
    if decision not in ("accept", "return"):
        raise BadInput(texts.NOTICE_DECISION)
    reason = optional_text(body, "reason", "退回理由")

    def step(person, notice):
        item = _item(notice, item_id)
        if decision == "accept":
            accept(item, person, now=utcnow())
        else:
            return_item(item, person, reason, now=utcnow())
    return _act(notice_id, step)


def close_notice(notice_id: int):
    note = optional_text(json_body(), "note", "回访情况")
    return _act(notice_id, lambda person, notice: close(notice, person, note, now=utcnow()))


def notice_docx(notice_id: int):
    notice = _find(current_person(), notice_id)
    return send_file(io.BytesIO(write_docx(notice)), as_attachment=True,
                     download_name=f"{notice.name}.docx", mimetype=DOCX)
