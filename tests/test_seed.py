"""`flask seed-demo`: the demo county the README promises."""

import sqlalchemy as sa

from conftest import openid
from models import DutyCategory, DutyTemplate, Person, Role, Unit, UnitKind, session


def test_seed_demo_builds_the_county(runner, emulator):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    roles = set(session.scalars(sa.select(Person.role)))
    assert roles == {role.value for role in Role}
    assert 20 <= session.scalar(sa.select(sa.func.count(Person.id))) <= 30
    assert session.scalar(sa.select(sa.func.count(DutyCategory.id))) == 16
    assert session.scalar(sa.select(sa.func.count(DutyTemplate.id))) >= 12
    kinds = sa.select(Unit.kind, sa.func.count()).group_by(Unit.kind)
    counts = dict(session.execute(kinds).all())
    assert counts[UnitKind.TOWNSHIP] == 3 and counts[UnitKind.DEPARTMENT] == 2
    assert counts[UnitKind.DISCIPLINE] == 4
    township = session.scalar(sa.select(Unit).where(Unit.kind == UnitKind.TOWNSHIP).limit(1))
    assert township.supervisor.kind == UnitKind.DISCIPLINE
    assert township.supervisor.parent_id == township.id
    # Pre-bound people answer in chat straight away, and have this period's tasks.
    assert emulator.send_text(openid(1), "我的").reply["content"].startswith("姓名：")
    from models import Assignment

    assert session.scalar(sa.select(sa.func.count(Assignment.id))) > 10
    secretary = openid(6)  # 城关镇's secretary is the sixth person seeded
    assert "待办任务（共" in emulator.send_text(secretary, "待办").reply["content"]


def test_seed_demo_if_empty_leaves_data_alone(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not seeded" in result.output
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
