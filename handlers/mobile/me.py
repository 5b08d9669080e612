"""我的: the person's own page, with the 大字模式 (care mode) switch every mobile page obeys."""

from flask import flash, g, redirect, render_template, request, url_for

from handlers.mobile import texts
from models import session, utcnow
from models.unit import set_care_mode


def me():
    return render_template("mobile/me.html", person=g.person)


def care_mode():
    """大字模式 on or off (POST), remembered on the person and audited."""
    on = request.form.get("on") == "1"
    set_care_mode(g.person, on, now=utcnow())
    session.commit()
    flash(texts.CARE_MODE_ON if on else texts.CARE_MODE_OFF, "success")
    return redirect(url_for("mobile.me"), 303)
