"""推送记录: every push with its status and error, the published counts, and one task's timeline.

The filters are the API's (`GET /api/v1/notifications`), read by the same function.
"""

import sqlalchemy as sa
from flask import abort, render_template, request

from handlers.api.notification import read_filters
from models import Assignment, NotificationKind, NotificationStatus, Unit, session
from models.notification import (COUNTED_KINDS, KIND_LABELS, STATUS_LABELS, counts, described,
                                 filtered, timeline)

PER_PAGE = 50


def notifications():
    """Newest first, 50 a page, with the counts over the same filters."""
    filters = read_filters()
    query = filtered(**filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = session.execute(described(query).limit(PER_PAGE).offset((number - 1) * PER_PAGE))
    return render_template(
        "admin/notifications.html",
        rows=list(rows),
        total=total,
        page=number,
        pages=pages,
        counts=counts(**filters),
        counted_kinds=COUNTED_KINDS,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        kinds=list(NotificationKind),
        statuses=list(NotificationStatus),
        units=session.scalars(sa.select(Unit).order_by(Unit.name)).all(),
        args=request.args.to_dict(),
    )


def task_pushes(assignment_id: int):
    """One task's pushes in the order they were recorded, with the digests that carried them."""
    task = session.get(Assignment, assignment_id) or abort(404)
    return render_template("admin/task_pushes.html", task=task, rows=timeline(task.id))
