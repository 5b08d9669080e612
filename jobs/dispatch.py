"""The periodic dispatch: every periodic template opens its new period by itself."""

from datetime import datetime

from models import session, utcnow
from models.dispatch import dispatch_due


def dispatch_periodic(now: str | None = None) -> dict[str, int]:
    """Run by the clock every hour; `now` (ISO 8601) for tests and catch-up runs."""
    created = dispatch_due(datetime.fromisoformat(now) if now else utcnow())
    session.commit()
    return created
