"""接口令牌 (`/admin/api-tokens`): every API token, whose, what for, until when, last used, and
whether it still opens the API; system admins revoke one (audited, models.api_token)."""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, url_for
from sqlalchemy.orm import joinedload

from handlers.admin import texts
from handlers.admin.access import editors_only
from models import ApiToken, Person, session, utcnow
from models.api_token import revoke_token
from models.errors import NotFound


def api_tokens():
    """The list, newest first, each with its state in words."""
    now = utcnow()
    rows = session.scalars(sa.select(ApiToken).options(
        joinedload(ApiToken.person).joinedload(Person.unit))
        .order_by(ApiToken.id.desc())).all()
    return render_template("admin/api_tokens.html", rows=rows,
                           states={row.id: _state(row, now) for row in rows})


@editors_only
def revoke(token_id: int):
    """吊销 one token; revoking one already revoked changes nothing and says so."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(texts.TOKEN_GONE)
    named = {"id": token.id, "person": token.person.name}
    if revoke_token(token, now=utcnow(), actor=g.person):
        session.commit()
        flash(texts.TOKEN_REVOKED.format(**named), "ok")
    else:
        flash(texts.TOKEN_ALREADY_REVOKED.format(**named), "ok")
    return redirect(url_for("admin.api_tokens"), 303)


def _state(token: ApiToken, now) -> str:
    if token.revoked:
        return texts.TOKEN_STATES["revoked"]
    if not token.person.active:
        return texts.TOKEN_STATES["inactive"]
    return texts.TOKEN_STATES["live" if token.is_live(now) else "expired"]
