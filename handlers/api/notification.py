"""Pushes through the API: the outbox filtered with its published counts, and one task's timeline.

The admin page 推送记录 reads the same query parameters through `read_filters`.
"""

import sqlalchemy as sa

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import iso_time, page, query_choice, query_date, query_int, query_text
from handlers.api.visibility import find_assignment
from models import NotificationKind, NotificationStatus, session
from models.hierarchy import SEES_ALL
from models.errors import NotAllowed
from models.notification import counts, described, filtered, timeline


def read_filters() -> dict:
    """The filters of `models.notification.filtered` from the query string, or BadInput."""
    return {
        "status": query_choice("status", NotificationStatus),
        "kind": query_choice("kind", NotificationKind),
        "unit_id": query_int("unit_id", low=1),
        "person_id": query_int("person_id", low=1),
        "name": query_text("name"),
        "since": query_date("from"),
        "until": query_date("to"),
    }


def notification_json(row: sa.Row) -> dict:
    """One `described` row: the push, its recipient and task, without message text or openid."""
    note = row.Notification
    return {"id": note.id, "kind": note.kind, "kind_label": row.kind_label,
            "channel": note.channel, "person_id": note.person_id,
            "person_name": row.person_name, "unit_name": row.unit_name,
            "assignment_id": note.assignment_id, "title": row.title, "step": note.step,
            "cycle": note.cycle, "status": note.status, "status_label": row.status_label,
            "attempts": note.attempts, "error": note.error, "digest_id": note.digest_id,
            "created_at": iso_time(note.created_at), "send_after": iso_time(note.send_after),
            "sent_at": iso_time(note.sent_at), "delivered_at": iso_time(note.delivered_at)}


def list_notifications():
    """Every push, newest first, filtered and paginated, with the counts (inspectors, admins)."""
    if current_person().role not in SEES_ALL:
        raise NotAllowed(texts.ALL_PUSHES_ONLY)
    filters = read_filters()
    query = filtered(**filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery()))
    limit, offset = page()
    rows = session.execute(described(query).limit(limit).offset(offset))
    return {"items": [notification_json(row) for row in rows], "total": total, "limit": limit,
            "offset": offset, "counts": counts(**filters)}


def assignment_notifications(assignment_id: int):
    """One visible task's pushes in the order they were recorded, with their digests."""
    assignment = find_assignment(current_person(), assignment_id)
    return {"items": [notification_json(row) for row in timeline(assignment.id)]}
