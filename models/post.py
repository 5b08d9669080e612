"""Posts (岗位) and their risk points (廉政风险点) [seed: 随州 内控管理]: what a person is
responsible for and where corruption could creep in, with how it is prevented.

A person may hold several posts; each post has its duties (岗位职责) and any number of risk
points, each with a level 高/中/低, its prevention measures (防控措施) and who answers for it
(by default the post holder). A monthly self-check (月度自查) is built from exactly these rows:
`posts_of(person)` in order, each post's `risk_points` in order.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from models import audit
from models.db import Base, session
from models.errors import DomainError
from models.unit import Person


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


RISK_LEVEL_LABELS = {RiskLevel.HIGH: "高", RiskLevel.MEDIUM: "中", RiskLevel.LOW: "低"}
NAME_MAX, DUTIES_MAX, DESCRIPTION_MAX, MEASURES_MAX = 80, 2000, 300, 2000


class Post(Base):
    """One post a person holds, with its duties."""

    __tablename__ = "post"
    __table_args__ = (sa.UniqueConstraint("person_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    duties: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship()
    risk_points: Mapped[list["RiskPoint"]] = relationship(
        back_populates="post", order_by="RiskPoint.id", cascade="all, delete-orphan")


class RiskPoint(Base):
    """A 廉政风险点 of a post: what could go wrong, how likely or grave (高/中/低), how it is
    prevented and who answers for it."""

    __tablename__ = "risk_point"
    __table_args__ = (sa.UniqueConstraint("post_id", "description"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(DESCRIPTION_MAX))
    level: Mapped[RiskLevel] = mapped_column(sa.String(10))
    measures: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime]

    post: Mapped[Post] = relationship(back_populates="risk_points")
    responsible: Mapped[Person | None] = relationship()

    @property
    def level_label(self) -> str:
        return RISK_LEVEL_LABELS[RiskLevel(self.level)]


def posts_of(person: Person) -> list[Post]:
    """The person's posts in the order they were added, their risk points loaded."""
    return list(session.scalars(
        sa.select(Post).where(Post.person_id == person.id).order_by(Post.id)
        .options(selectinload(Post.risk_points).selectinload(RiskPoint.responsible))))


def risk_point_holders() -> list[Person]:
    """Active people holding at least one post with a risk point: whom a monthly self-check
    (月度自查) goes to, by id."""
    return list(session.scalars(
        sa.select(Person).where(Person.active.is_(True), Person.id.in_(
            sa.select(Post.person_id).join(RiskPoint, RiskPoint.post_id == Post.id)))
        .order_by(Person.id)))


def check_post(person: Person, name: str, duties: str, post: Post | None = None) -> None:
    """Raise why a post with these values cannot be saved for `person`."""
    if not name:
        raise DomainError("请填写岗位名称。")
    if len(name) > NAME_MAX:
        raise DomainError(f"岗位名称不超过{NAME_MAX}个字。")
    if len(duties) > DUTIES_MAX:
        raise DomainError(f"岗位职责不超过{DUTIES_MAX}个字。")
    clash = session.scalar(sa.select(Post.id).where(Post.person_id == person.id,
                                                    Post.name == name))
    if clash is not None and (post is None or clash != post.id):
        raise DomainError(f"{person.name}已有岗位“{name}”。")


def save_post(person: Person, name: str, duties: str, *, now: datetime, actor,
              post: Post | None = None) -> Post:
    """Add a post to `person`, or change `post`; audited. The caller commits."""
    name, duties = name.strip(), duties.strip()
    check_post(person, name, duties, post)
    action = "post.update" if post else "post.create"
    if post is None:
        post = Post(person_id=person.id, name=name, duties=duties, created_at=now)
        session.add(post)
    else:
        post.name, post.duties = name, duties
    session.flush()
    audit.record(action, f"post:{post.id}", now=now, actor=actor, person=person.id,
                 name=name, duties=duties)
    return post


def remove_post(post: Post, *, now: datetime, actor) -> None:
    """Delete a post with its risk points; what it said stays in the audit trail."""
    audit.record("post.remove", f"post:{post.id}", now=now, actor=actor,
                 person=post.person_id, name=post.name,
                 risk_points=[point.description for point in post.risk_points])
    session.delete(post)
    session.flush()


def check_risk_point(post: Post, description: str, level: str, measures: str,
                     point: RiskPoint | None = None) -> None:
    """Raise why a risk point with these values cannot be saved on `post`."""
    if not description:
        raise DomainError("请填写风险点描述。")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(f"风险点描述不超过{DESCRIPTION_MAX}个字。")
    if level not in set(RiskLevel):
        raise DomainError("风险等级应为高、中或低。")
    if len(measures) > MEASURES_MAX:
        raise DomainError(f"防控措施不超过{MEASURES_MAX}个字。")
    clash = session.scalar(sa.select(RiskPoint.id).where(RiskPoint.post_id == post.id,
                                                         RiskPoint.description == description))
    if clash is not None and (point is None or clash != point.id):
        raise DomainError(f"岗位“{post.name}”已有该风险点。")


def save_risk_point(post: Post, description: str, level: str, measures: str,
                    responsible: Person | None, *, now: datetime, actor,
                    point: RiskPoint | None = None) -> RiskPoint:
    """Add a risk point to `post`, or change `point`; audited. The caller commits."""
    description, measures = description.strip(), measures.strip()
    check_risk_point(post, description, level, measures, point)
    action = "risk_point.update" if point else "risk_point.create"
    responsible_id = responsible.id if responsible else post.person_id
    if point is None:
        point = RiskPoint(post=post, created_at=now, description=description, level=level,
                          measures=measures, responsible_id=responsible_id)
        session.add(point)
    else:
        point.description, point.level, point.measures = description, level, measures
        point.responsible_id = responsible_id
    session.flush()
    audit.record(action, f"risk_point:{point.id}", now=now, actor=actor, post=post.id,
                 description=description, level=level, measures=measures,
                 responsible=responsible_id)
    return point


def remove_risk_point(point: RiskPoint, *, now: datetime, actor) -> None:
    audit.record("risk_point.remove", f"risk_point:{point.id}", now=now, actor=actor,
                 post=point.post_id, description=point.description)
    session.delete(point)
    session.flush()
