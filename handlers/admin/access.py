"""Who may change what in the admin: every admin page lets admins and inspectors look
(handlers.admin.admin_required); configuration is changed by system admins only."""

import functools

from flask import abort, g

from models import Role


def editors_only(view):
    """Inspectors may look; only system admins change the configuration."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.person.role != Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
