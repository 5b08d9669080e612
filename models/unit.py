"""Units (the organisation tree) and the people in them (DESIGN.md glossary: Unit, Person, roles)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.db import Base


class UnitKind(StrEnum):
    COUNTY = "county"  # the county discipline commission (县纪委监委) at the root
    TOWNSHIP = "township"
    DEPARTMENT = "department"
    VILLAGE = "village"
    DISCIPLINE = "discipline"  # 派驻纪检监察组 / 乡镇纪委: supervises other units


UNIT_KIND_LABELS = {UnitKind.COUNTY: "县纪委监委", UnitKind.TOWNSHIP: "乡镇",
                    UnitKind.DEPARTMENT: "部门", UnitKind.VILLAGE: "村（社区）",
                    UnitKind.DISCIPLINE: "纪检组织"}


class Role(StrEnum):
    COMMITTEE = "committee"
    SECRETARY = "secretary"
    MEMBER = "member"
    STAFF = "staff"
    DISCIPLINE = "discipline"
    INSPECTOR = "inspector"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.COMMITTEE: "党委(党组)班子",
    Role.SECRETARY: "党组织书记",
    Role.MEMBER: "班子成员",
    Role.STAFF: "科室及二级机构负责人",
    Role.DISCIPLINE: "纪检监察人员",
    Role.INSPECTOR: "县纪委监委审核人员",
    Role.ADMIN: "系统管理员",
}


class Unit(Base):
    """A township, department, village or discipline body; a tree rooted at the county."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[UnitKind] = mapped_column(sa.String(20))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    # An inactive unit (停用, or merged into another) keeps its history but leaves pickers,
    # dispatch, the dashboard's tiles and the ranking (models.organisation).
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    created_at: Mapped[datetime]

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    # post_update: a township's own 纪委 is both its child and its supervisor (a cycle).
    supervisor: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[supervisor_id],
                                                     post_update=True)
    people: Mapped[list["Person"]] = relationship(back_populates="unit")

    @property
    def kind_label(self) -> str:
        return UNIT_KIND_LABELS[UnitKind(self.kind)]


class Person(Base):
    """A cadre with an account: one unit, one duty role."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    role: Mapped[Role] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(40), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # 大字模式: every mobile page in WeUI's care mode with our larger type and targets.
    care_mode: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime]

    unit: Mapped[Unit] = relationship(back_populates="people")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]


def set_care_mode(person: Person, on: bool, *, now: datetime) -> bool:
    """Switch a person's 大字模式 on or off, audited; returns whether it changed. The caller
    commits."""
    if person.care_mode == on:
        return False
    person.care_mode = on
    audit.record("person.care_mode", f"person:{person.id}", now=now, actor=person, on=on)
    return True
