"""Admin page 岗位与廉政风险点 (`/admin/people/ID/posts`): a person's posts with their duties
and risk points (models.post); admins add, change and remove them, inspectors look."""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.admin.access import editors_only
from models import Person, Role, utcnow
from models import session as db
from models.errors import DomainError
from models.post import (RISK_LEVEL_LABELS, Post, RiskPoint, posts_of, remove_post,
                         remove_risk_point, save_post, save_risk_point)


def posts_page(person_id: int, *, status: int = 200, problems=()):
    person = db.get(Person, person_id) or abort(404)
    colleagues = db.scalars(sa.select(Person).where(
        Person.unit_id == person.unit_id, Person.active.is_(True)).order_by(Person.id)).all()
    return render_template("admin/posts.html", person=person, posts=posts_of(person),
                           levels=RISK_LEVEL_LABELS, colleagues=colleagues,
                           can_edit=g.person.role == Role.ADMIN, problems=list(problems),
                           form=request.form if status != 200 else {}), status


def _done(person: Person, message: str):
    db.commit()
    flash(message, "ok")
    return redirect(url_for("admin.person_posts", person_id=person.id), 303)


@editors_only
def post_save(person_id: int | None = None, post_id: int | None = None):
    """Add a post to a person (POST /people/ID/posts) or change one (POST /posts/ID)."""
    post = (db.get(Post, post_id) or abort(404)) if post_id else None
    person = post.person if post else (db.get(Person, person_id) or abort(404))
    try:
        saved = save_post(person, request.form.get("name", ""), request.form.get("duties", ""),
                          now=utcnow(), actor=g.person, post=post)
    except DomainError as refusal:
        db.rollback()
        return posts_page(person.id, status=422, problems=[refusal.message])
    return _done(person, texts.POST_SAVED.format(name=saved.name))


@editors_only
def post_remove(post_id: int):
    post = db.get(Post, post_id) or abort(404)
    person, name = post.person, post.name
    remove_post(post, now=utcnow(), actor=g.person)
    return _done(person, texts.POST_REMOVED.format(name=name))


@editors_only
def risk_point_save(post_id: int | None = None, point_id: int | None = None):
    """Add a risk point to a post (POST /posts/ID/risk-points) or change one (POST
    /risk-points/ID)."""
    point = (db.get(RiskPoint, point_id) or abort(404)) if point_id else None
    post = point.post if point else (db.get(Post, post_id) or abort(404))
    responsible = db.get(Person, request.form.get("responsible_id", type=int) or 0)
    try:
        save_risk_point(post, request.form.get("description", ""),
                        request.form.get("level", ""), request.form.get("measures", ""),
                        responsible, now=utcnow(), actor=g.person, point=point)
    except DomainError as refusal:
        db.rollback()
        return posts_page(post.person_id, status=422, problems=[refusal.message])
    return _done(post.person, texts.RISK_POINT_SAVED.format(post=post.name))


@editors_only
def risk_point_remove(point_id: int):
    point = db.get(RiskPoint, point_id) or abort(404)
    person, post = point.post.person, point.post.name
    remove_risk_point(point, now=utcnow(), actor=g.person)
    return _done(person, texts.RISK_POINT_REMOVED.format(post=post))
