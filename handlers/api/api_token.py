"""Bearer authentication for the API; tokens are issued by `flask api-token PERSON`
(handlers/cli.py)."""

from flask import g, request

from handlers.api import texts
from models import Person, session, utcnow
from models.api_token import TokenRefused, person_for_token
from models.errors import DomainError


class Unauthorized(DomainError):
    status = 401
    message = texts.UNAUTHORIZED


def authenticate() -> None:
    """Put the token's person on `g.person`, or refuse the request with 401."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized()
    try:
        person = person_for_token(secret.strip(), now=utcnow())
    except TokenRefused as refused:  # revoked or expired: say which
        raise Unauthorized(refused.message) from None
    if person is None:
        raise Unauthorized()
    if session.dirty:  # last_used_at moved forward
        session.commit()
    g.person = person


def current_person() -> Person:
    """The authenticated caller of this request."""
    return g.person
