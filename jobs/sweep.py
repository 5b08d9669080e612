"""The ladder's wake-up: the clock enqueues this every 10 minutes; the database decides."""

from models import utcnow
from models.escalation import sweep


def sweep_now() -> dict:
    """Run the warning ladder once at the current time (safe to run twice or concurrently)."""
    report = sweep(utcnow())
    return {"looked_at": report.looked_at, "created": report.created,
            "digests": report.digests, "deferred": report.deferred}
