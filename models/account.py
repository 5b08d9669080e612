"""A person's account as admins maintain it (issue 12): created, edited (name, title, phone,
role), moved to another unit, deactivated (停用) and reactivated.

Deactivating keeps their history and ends every way in: their API tokens are revoked for good
(issue 14, item 8), their WeChat binding ends so the chat stops too, page sessions end on
their next request (handlers.web.session_person re-checks that the person is active). Moving
or deactivating someone hands each of their unfinished tasks over as the admin chose
(models.handover). Reactivating needs a new bind code: the old binding stays ended.
"""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from models import audit
from models.api_token import revoke_tokens_of
from models.db import session
from models.errors import Conflict, DomainError, NotAllowed
from models.handover import Choice, hand_over
from models.unit import ROLE_LABELS, Person, Role, Unit
from models.wechat_binding import end_bindings

NAME_MAX, TITLE_MAX = 40, 40
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


class AlreadyInactive(Conflict):
    message = "该账号已停用。"


class NotYourself(NotAllowed):
    message = "不能停用自己的账号，请由另一位系统管理员操作。"


@dataclass
class PersonFields:
    """What the person form (or an import row) sets."""

    name: str
    unit: Unit | None
    role: str
    title: str = ""
    phone: str = ""


def check_person(fields: PersonFields, person: Person | None = None) -> None:
    """Raise why these values cannot be saved: a missing name or unit, an inactive unit, an
    unknown role, a malformed phone number or one another active person already has."""
    if not fields.name:
        raise DomainError("请填写姓名。")
    if len(fields.name) > NAME_MAX:
        raise DomainError(f"姓名不超过{NAME_MAX}个字。")
    if fields.unit is None:
        raise DomainError("请选择所属单位。")
    if not fields.unit.active:
        raise DomainError(f"单位“{fields.unit.name}”已停用。")
    if fields.role not in set(Role):
        raise DomainError("角色应为：" + "、".join(ROLE_LABELS.values()) + "。")
    if len(fields.title) > TITLE_MAX:
        raise DomainError(f"职务不超过{TITLE_MAX}个字。")
    check_phone(fields.phone, person)


def check_phone(phone: str, person: Person | None = None) -> None:
    """Raise unless `phone` is empty, or a well-formed number no other active person has."""
    if not phone:
        return
    if not PHONE.match(phone):
        raise DomainError(f"手机号“{phone}”格式不正确，应为11位手机号或带区号的固定电话。")
    other = session.scalar(sa.select(Person).where(
        Person.phone == phone, Person.active.is_(True), Person.id != (person.id if person else 0)))
    if other is not None:
        raise DomainError(f"手机号{phone}已登记为{other.name}（{other.unit.name}）的号码。")


def _clean(fields: PersonFields) -> PersonFields:
    fields.name, fields.title = fields.name.strip(), fields.title.strip()
    fields.phone = fields.phone.strip().replace(" ", "")
    return fields


def create_person(fields: PersonFields, *, now: datetime, actor) -> Person:
    """A new active person; they bind their WeChat with a bind code. Audited; the caller
    commits."""
    check_person(_clean(fields))
    person = Person(name=fields.name, unit=fields.unit, role=fields.role, title=fields.title,
                    phone=fields.phone, created_at=now)
    session.add(person)
    session.flush()
    audit.record("person.create", f"person:{person.id}", now=now, actor=actor,
                 **_described(person))
    return person


def update_person(person: Person, fields: PersonFields, *, now: datetime, actor) -> dict:
    """Change name, title, phone or role (the unit changes only by `move_person`); audited
    with what changed. Returns {field: (old, new)}. The caller commits."""
    fields.unit = person.unit
    check_person(_clean(fields), person)
    before = _described(person)
    person.name, person.role, person.title, person.phone = (fields.name, fields.role,
                                                            fields.title, fields.phone)
    session.flush()
    changed = {key: (before[key], value) for key, value in _described(person).items()
               if before[key] != value}
    if changed:
        audit.record("person.update", f"person:{person.id}", now=now, actor=actor,
                     **{key: list(pair) for key, pair in changed.items()})
    return changed


def _described(person: Person) -> dict:
    return {"name": person.name, "unit": person.unit_id, "role": str(person.role),
            "title": person.title, "phone": person.phone}


def move_person(person: Person, unit: Unit, choices: dict[int, Choice], *, now: datetime,
                actor) -> dict[str, int]:
    """调动: `person` joins `unit`; each unfinished task of theirs (it belongs to the old
    unit) is first handed over as `choices` say. Audited; the caller commits."""
    if not person.active:
        raise AlreadyInactive()
    if unit.id == person.unit_id:
        raise DomainError(f"{person.name}已在{unit.name}。")
    if not unit.active:
        raise DomainError(f"单位“{unit.name}”已停用。")
    done = hand_over(person, choices, now=now, actor=actor, why="move")
    old = person.unit_id
    person.unit = unit
    session.flush()
    audit.record("person.move", f"person:{person.id}", now=now, actor=actor, old_unit=old,
                 unit=unit.id, **done)
    return done


def deactivate(person: Person, *, now: datetime, actor: Person,
               choices: dict[int, Choice] | None = None) -> int:
    """Deactivate `person`: their unfinished tasks handed over as `choices` say, their API
    tokens revoked, their WeChat binding ended (all audited); how many tokens were live.
    The caller commits."""
    if not person.active:
        raise AlreadyInactive()
    if person.id == actor.id:
        raise NotYourself()
    done = hand_over(person, choices or {}, now=now, actor=actor, why="deactivate")
    person.active = False
    revoked = revoke_tokens_of(person, now=now, actor=actor, reason="deactivated")
    end_bindings(person, now=now, actor=actor, reason="deactivated")
    audit.record("person.deactivate", f"person:{person.id}", now=now, actor=actor,
                 tokens_revoked=revoked, **done)
    return revoked


def reactivate(person: Person, *, now: datetime, actor) -> None:
    """Undo a 停用: the account works again once they bind with a new bind code (the old
    binding stays ended, the old tokens revoked). Audited; the caller commits."""
    if person.active:
        raise Conflict(f"{person.name}的账号未停用。")
    if not person.unit.active:
        raise DomainError(f"{person.name}所在的单位“{person.unit.name}”已停用，请先把其调到在用的单位。")
    check_person(PersonFields(person.name, person.unit, person.role, person.title,
                              person.phone), person)
    person.active = True
    audit.record("person.reactivate", f"person:{person.id}", now=now, actor=actor)
