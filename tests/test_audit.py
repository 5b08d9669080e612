"""The hash-chained audit trail and `flask audit-verify`."""

import sqlalchemy as sa

from models import AuditEvent, session, utcnow
from models.audit import GENESIS, record


def _events(count: int) -> None:
    for number in range(count):
        record("test.event", f"thing:{number}", now=utcnow(), number=number, note="审核通过")
    session.commit()


def test_chain_links_each_row_to_the_previous(app):
    _events(3)
    rows = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == GENESIS
    assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]


def test_verify_passes_on_an_intact_chain(runner):
    _events(5)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0
    assert result.output.strip() == "审计链完好：共 5 条记录，未发现篡改"


def test_verify_names_the_first_edited_row(runner, app):
    _events(5)
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(sa.text("UPDATE audit_event SET data = :d WHERE id = 3"),
                           {"d": '{"note":"篡改"}'})
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert result.output.strip() == ("审计链已被破坏：第 3 条记录的内容与其哈希不符（内容被改动）"
                                     "（此前 2 条记录完好）")


def test_verify_detects_a_deleted_row(runner, app):
    _events(5)
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_event WHERE id = 2"))
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "审计链已被破坏：第 3 条记录与前一条记录的哈希不一致" in result.output
