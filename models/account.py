"""A person's account: deactivating it (停用) keeps their history and ends every way in.

Their API tokens are revoked for good (issue 14, item 8); page sessions end on their next
request, which re-checks that the person is active (handlers.web.session_person).
"""

from datetime import datetime

from models import audit
from models.api_token import revoke_tokens_of
from models.errors import Conflict, NotAllowed
from models.unit import Person


class AlreadyInactive(Conflict):
    message = "该账号已停用。"


class NotYourself(NotAllowed):
    message = "不能停用自己的账号，请由另一位系统管理员操作。"


def deactivate(person: Person, *, now: datetime, actor: Person) -> int:
    """Deactivate `person` and revoke their API tokens (audited); how many tokens were live.
    The caller commits."""
    if not person.active:
        raise AlreadyInactive()
    if person.id == actor.id:
        raise NotYourself()
    person.active = False
    revoked = revoke_tokens_of(person, now=now, actor=actor, reason="deactivated")
    audit.record("person.deactivate", f"person:{person.id}", now=now, actor=actor,
                 tokens_revoked=revoked)
    return revoked
