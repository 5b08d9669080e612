"""The ladder's wake-up: the clock enqueues this every 10 minutes; the database decides.
Tasks first, then notices (监督建议书/整改通知书), each in its own transaction."""

from models import session, utcnow
from models.escalation import sweep
from models.notice_escalation import sweep_notices


def sweep_now() -> dict:
    """Run the warning ladder once at the current time (safe to run twice or concurrently)."""
    now = utcnow()
    report = sweep(now)
    notices = sweep_notices(now)
    session.commit()
    return {"looked_at": report.looked_at, "created": report.created,
            "digests": report.digests, "deferred": report.deferred,
            "notices": notices.looked_at, "notice_pushes": len(notices.pushes)}
