"""Binding a WeChat openid to a Person with one-time 6-digit codes (绑定码) or their QR codes."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models import audit
from models.db import Base, session
from models.errors import Conflict, NotFound
from models.unit import ROLE_LABELS, Person, Role, Unit

CODE_VALIDITY = timedelta(days=7)
QR_SCENE_PREFIX = "bind:"
MAX_BIND_FAILURES = 5  # per openid within BIND_FAILURE_WINDOW (README: 1 小时内最多输错 5 次)
BIND_FAILURE_WINDOW = timedelta(hours=1)


class WechatBinding(Base):
    """openid ↔ person; unsubscribing deactivates it and keeps the history."""

    __tablename__ = "wechat_binding"
    __table_args__ = (
        sa.Index(
            "uq_wechat_binding_active_openid", "openid", unique=True,
            postgresql_where=sa.text("active"), sqlite_where=sa.text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    openid: Mapped[str] = mapped_column(sa.String(64), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    bound_at: Mapped[datetime]
    unbound_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class BindCode(Base):
    """A one-time code for one person, valid 7 days; QR scene `bind:<code>`."""

    __tablename__ = "bind_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(6), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_openid: Mapped[str | None] = mapped_column(sa.String(64))
    revoked: Mapped[bool] = mapped_column(default=False)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    @property
    def scene(self) -> str:
        return QR_SCENE_PREFIX + self.code


class BindFailure(Base):
    """A refused 绑定 of one openid: the rate limit counts these rows, so it survives a Redis
    flush or restart and answers a retry as it answered the first time."""

    __tablename__ = "bind_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), index=True)
    failed_at: Mapped[datetime]


def bind_tries_left(openid: str, now: datetime) -> tuple[int, timedelta]:
    """How many more refused tries `openid` has now and, when none, how long until one
    reopens: the window slides, so the oldest refused try in it leaving it frees one."""
    failures = list(session.scalars(
        sa.select(BindFailure.failed_at)
        .where(BindFailure.openid == openid, BindFailure.failed_at > now - BIND_FAILURE_WINDOW)
        .order_by(BindFailure.failed_at.desc()).limit(MAX_BIND_FAILURES)))
    left = MAX_BIND_FAILURES - len(failures)
    return left, (failures[-1] + BIND_FAILURE_WINDOW - now if left <= 0 else timedelta(0))


def record_bind_failure(openid: str, now: datetime) -> None:
    """Count a refused try (the caller commits). Everyone's tries that left the window are
    dropped on the way, so the table holds about an hour of refusals."""
    session.execute(sa.delete(BindFailure).where(
        BindFailure.failed_at <= now - BIND_FAILURE_WINDOW))
    session.add(BindFailure(openid=openid, failed_at=now))


class CodeUnknown(NotFound):
    message = "绑定码不正确，请核对后重新发送，例如：绑定 123456"


class CodeExpired(Conflict):
    message = "该绑定码已过期或已失效（有效期7天），请联系管理员重新生成。"


class CodeUsed(Conflict):
    message = "该绑定码已被使用，每个绑定码只能使用一次。如需重新绑定请联系管理员。"


class AlreadyBound(Conflict):
    def __init__(self, person: Person):
        super().__init__(
            f"您的微信已绑定 {person.name}（{person.unit.name}），无需重复绑定。"
            "如需更换绑定，请联系管理员。"
        )


def person_for_openid(openid: str) -> Person | None:
    """The active person actively bound to `openid`, with the unit loaded (one query)."""
    return session.scalar(
        sa.select(Person)
        .join(WechatBinding, WechatBinding.person_id == Person.id)
        .where(WechatBinding.openid == openid, WechatBinding.active.is_(True),
               Person.active.is_(True))
        .options(joinedload(Person.unit))
    )


def deactivated_openid(openid: str) -> bool:
    """Whether `openid` is bound to nobody active because its last person was deactivated
    (停用): the chat and the pages then say so, rather than how to bind."""
    if person_for_openid(openid) is not None:
        return False
    last = session.scalar(sa.select(Person.active).join(
        WechatBinding, WechatBinding.person_id == Person.id)
        .where(WechatBinding.openid == openid).order_by(WechatBinding.id.desc()).limit(1))
    return last is False


def end_bindings(person: Person, *, now: datetime, actor, reason: str) -> int:
    """End `person`'s active WeChat binding (停用): audited, the history stays."""
    ended = [binding.openid for binding in session.scalars(sa.select(WechatBinding).where(
        WechatBinding.person_id == person.id, WechatBinding.active.is_(True)))]
    _deactivate(sa.select(WechatBinding).where(WechatBinding.person_id == person.id), now)
    for openid in ended:
        audit.record("wechat.unbind", f"person:{person.id}", now=now, actor=actor,
                     openid=openid, reason=reason)
    return len(ended)


def active_binding(person: Person) -> WechatBinding | None:
    return session.scalar(
        sa.select(WechatBinding).where(
            WechatBinding.person_id == person.id, WechatBinding.active.is_(True)
        )
    )


NEVER_BOUND, UNFOLLOWED = "尚未绑定微信", "已取消关注公众号"


def unreachable(person_ids) -> dict[int, str]:
    """Of `person_ids`, those WeChat cannot reach now, each with why (NEVER_BOUND or
    UNFOLLOWED): a push to them is certain to fail, so whoever sends one is told at once."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = session.execute(sa.select(WechatBinding.person_id, sa.func.max(
        sa.case((WechatBinding.active, 1), else_=0))).where(WechatBinding.person_id.in_(ids))
        .group_by(WechatBinding.person_id)).all()
    bound = {person_id: bool(active) for person_id, active in rows}
    return {person_id: UNFOLLOWED if person_id in bound else NEVER_BOUND
            for person_id in ids if not bound.get(person_id)}


def issue_bind_code(person: Person, *, now: datetime, issued_by: Person | None = None) -> BindCode:
    """A fresh code for `person`; earlier unused codes of theirs stop working."""
    if not person.active:
        raise Conflict(f"{person.name}的账号已停用，请先恢复账号再生成绑定码。")
    session.execute(
        sa.update(BindCode)
        .where(BindCode.person_id == person.id, BindCode.used_at.is_(None))
        .values(revoked=True)
    )
    bind_code = BindCode(
        person_id=person.id, code=_unused_code(now), issued_by_id=issued_by and issued_by.id,
        created_at=now, expires_at=now + CODE_VALIDITY,
    )
    session.add(bind_code)
    audit.record("bind_code.issue", f"person:{person.id}", now=now, actor=issued_by)
    return bind_code


def redeem_bind_code(code: str, openid: str, *, now: datetime) -> Person:
    """Bind `openid` to the code's person, or raise why not (each case its own error)."""
    bound = person_for_openid(openid)
    if bound is not None:
        raise AlreadyBound(bound)
    bind_code = session.scalar(
        sa.select(BindCode)
        .where(BindCode.code == code)
        .order_by(BindCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if bind_code is None:
        raise CodeUnknown()
    if bind_code.used_at is not None:
        raise CodeUsed()
    if bind_code.revoked or bind_code.expires_at <= now:
        raise CodeExpired()
    person = bind_code.person
    if not person.active:
        raise CodeExpired("该账号已停用，绑定码不能使用。如有疑问请联系系统管理员。")
    _deactivate(sa.select(WechatBinding).where(WechatBinding.person_id == person.id), now)
    bind_code.used_at, bind_code.used_by_openid = now, openid
    session.add(WechatBinding(person_id=person.id, openid=openid, bound_at=now))
    audit.record("wechat.bind", f"person:{person.id}", now=now, actor=person,
                 openid=openid, via="code")
    return person


def unbind_openid(openid: str, *, now: datetime) -> Person | None:
    """Unsubscribe: the binding becomes inactive, its history stays."""
    person = person_for_openid(openid)
    _deactivate(sa.select(WechatBinding).where(WechatBinding.openid == openid), now)
    if person is not None:
        audit.record("wechat.unbind", f"person:{person.id}", now=now, actor=person,
                     openid=openid, reason="unsubscribe")
    return person


def _deactivate(query, now: datetime) -> None:
    for binding in session.scalars(query.where(WechatBinding.active.is_(True))):
        binding.active, binding.unbound_at = False, now
    session.flush()


def _unused_code(now: datetime) -> str:
    """Six random digits that no other unused, unexpired code has."""
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        clash = session.scalar(
            sa.select(BindCode.id).where(
                BindCode.code == code, BindCode.used_at.is_(None),
                BindCode.revoked.is_(False), BindCode.expires_at > now,
            )
        )
        if clash is None:
            return code


@dataclass(frozen=True)
class BoundPerson:
    """The bound person as the chat sees them: light enough to cache per openid."""

    id: int
    name: str
    title: str
    role: str
    unit_id: int
    unit_name: str
    care_mode: bool = False

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]


_BOUND_PERSON = (
    sa.select(Person.id, Person.name, Person.title, Person.role, Person.unit_id,
              Unit.name.label("unit_name"), Person.care_mode)
    .join(WechatBinding, WechatBinding.person_id == Person.id)
    .join(Unit, Unit.id == Person.unit_id)
    .where(WechatBinding.openid == sa.bindparam("openid"), WechatBinding.active.is_(True),
           Person.active.is_(True))
)


def bound_person(openid: str) -> BoundPerson | None:
    """One Core query (no ORM objects): the chat's hot path."""
    row = session.execute(_BOUND_PERSON, {"openid": openid}).first()
    return BoundPerson(**row._asdict()) if row else None
