"""API tokens expire and can be revoked (issue 14, item 8): `flask api-token --days / --revoke`,
the admin page 接口令牌 with last use and a revoke button, and deactivating a person; the API
then answers 401 saying why, in Chinese."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa

from models import ApiToken, AuditEvent, Person, session
from models.migrate import upgrade

SH = ZoneInfo("Asia/Shanghai")


def _issue(runner, person, *options) -> tuple[ApiToken, str]:
    result = runner.invoke(args=["api-token", str(person.id), *options])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    return session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()).limit(1)), secret


def _units(client, secret):
    """GET /api/v1/units as a client elsewhere would (over HTTP, its own database session)."""
    response = requests.get(client.application.config["PUBLIC_BASE_URL"] + "api/v1/units",
                            headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    response.get_json = response.json
    return response


def _actions(subject_id: int) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject == f"person:{subject_id}").order_by(AuditEvent.id)))


def test_a_token_lives_a_year_unless_issued_for_fewer_days(runner, county, now):
    token, _ = _issue(runner, county["inspector"], "--name", "报表系统")
    assert token.expires_at == token.created_at + timedelta(days=365)
    short, _ = _issue(runner, county["inspector"], "--days", "30")
    assert short.expires_at == short.created_at + timedelta(days=30)
    result = runner.invoke(args=["api-token", str(county["inspector"].id), "--days", "30"])
    expiry = (short.created_at + timedelta(days=30)).astimezone(SH)
    assert f"有效期至 {expiry:%Y-%m-%d}" in result.output and "令牌编号" in result.output


def test_a_bad_number_of_days_is_refused_in_chinese(runner, county):
    for days in ("0", "3651", "abc", "-5"):
        result = runner.invoke(args=["api-token", str(county["inspector"].id), "--days", days])
        assert result.exit_code == 1
        assert result.output.strip() == "错误：有效天数须为 1 至 3650 之间的整数。"
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_an_expired_token_is_refused_saying_when_it_expired(runner, client, county, clock):
    token, secret = _issue(runner, county["member"], "--days", "1")
    assert _units(client, secret).status_code == 200
    clock.shift(timedelta(days=1, seconds=1))
    refused = _units(client, secret)
    expiry = token.expires_at.astimezone(SH)
    assert refused.status_code == 401
    assert refused.get_json()["error"] == (f"该访问令牌已于 {expiry:%Y-%m-%d %H:%M}（北京时间）过期，"
                                           "请联系系统管理员重新签发。")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_cli_revokes_a_token_by_number_or_by_its_secret(runner, client, county):
    first, first_secret = _issue(runner, county["member"], "--name", "填报助手")
    second, second_secret = _issue(runner, county["member"])

    result = runner.invoke(args=["api-token", "--revoke", str(first.id)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"已吊销李明的令牌 {first.id}（填报助手），"
                                     "此后使用它的请求一律被拒绝")
    refused = _units(client, first_secret)
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "该访问令牌已被吊销，请联系系统管理员重新签发。"
    assert _units(client, second_secret).status_code == 200

    assert runner.invoke(args=["api-token", "--revoke", second_secret]).exit_code == 0
    assert _units(client, second_secret).status_code == 401
    assert _actions(county["member"].id).count("api_token.revoke") == 2

    again = runner.invoke(args=["api-token", "--revoke", str(first.id)])
    assert again.exit_code == 1 and again.output.strip() == f"错误：李明的令牌 {first.id}（填报助手）此前已吊销"
    unknown = runner.invoke(args=["api-token", "--revoke", "999"])
    assert unknown.exit_code == 1 and "没有找到令牌“999”" in unknown.output
    both = runner.invoke(args=["api-token", "李明", "--revoke", str(second.id)])
    assert both.exit_code == 1 and "不必指定人员" in both.output


def test_the_admin_page_lists_tokens_with_their_last_use(runner, client, county,
                                                         admin_browser):
    used, secret = _issue(runner, county["member"], "--name", "填报助手")
    _issue(runner, county["inspector"], "--name", "报表系统", "--days", "7")
    assert _units(client, secret).status_code == 200
    session.refresh(used)

    page = admin_browser(county["inspector"]).get("/admin/api-tokens")

    assert page.status_code == 200
    rows = page.text.split('<tr id="t')[1:]
    assert [row.split('"')[0] for row in rows] == [str(used.id + 1), str(used.id)]
    member_row = rows[1]
    assert "李明" in member_row and "填报助手" in member_row and "有效" in member_row
    assert used.last_used_at.astimezone(SH).strftime("%Y-%m-%d %H:%M") in member_row
    assert "从未使用" in rows[0]
    assert "吊销</button>" not in page.text  # inspectors look; system admins revoke


def test_an_admin_revokes_a_token_on_the_page_with_csrf_and_audit(runner, client, county,
                                                                  admin_browser):
    token, secret = _issue(runner, county["member"], "--name", "填报助手")
    admin = admin_browser(county["admin"])
    path = f"/admin/api-tokens/{token.id}/revoke"

    forged = admin.http.post(admin.base + path, allow_redirects=False, timeout=10)
    assert forged.status_code == 400 and _units(client, secret).status_code == 200

    done = admin.post(path, {}, form_page="/admin/api-tokens")
    assert done.status_code == 303
    page = admin.get("/admin/api-tokens").text
    assert f"已吊销李明的令牌 {token.id}" in page and "已吊销" in page.split('<tr id="t')[1]
    assert _units(client, secret).status_code == 401
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoke"))
    assert event.actor_id == county["admin"].id and f'"token": {token.id}' in event.data

    inspector = admin_browser(county["inspector"])
    other, _ = _issue(runner, county["member"])
    refused = inspector.post(f"/admin/api-tokens/{other.id}/revoke", {},
                             form_page="/admin/people")  # a CSRF token from a page with forms
    assert refused.status_code == 403
    session.refresh(other)
    assert other.revoked is False


def test_deactivating_a_person_revokes_their_tokens_for_good(runner, client, county,
                                                             admin_browser):
    _, secret = _issue(runner, county["member"])
    _, kept = _issue(runner, county["colleague"])
    admin = admin_browser(county["admin"])
    people = admin.get("/admin/people").text
    assert people.count("停用账号</button>") == 7  # everyone but the admin themself

    done = admin.post(f"/admin/people/{county['member'].id}/deactivate", {},
                      form_page="/admin/people")

    assert done.status_code == 303
    assert "已停用李明的账号，并吊销其 1 个接口令牌" in admin.get("/admin/people").text
    assert _units(client, secret).status_code == 401
    assert _units(client, kept).status_code == 200
    assert _actions(county["member"].id)[-3:] == ["api_token.revoke", "wechat.unbind",
                                                  "person.deactivate"]
    session.execute(sa.update(Person).where(Person.id == county["member"].id).values(active=True))
    session.commit()  # reactivated by hand: the token stays revoked
    assert _units(client, secret).get_json()["error"] == "该访问令牌已被吊销，请联系系统管理员重新签发。"


def test_an_admin_cannot_deactivate_themself(county, admin_browser):
    admin = admin_browser(county["admin"])
    refused = admin.post(f"/admin/people/{county['admin'].id}/deactivate", {},
                         form_page="/admin/people")
    assert refused.status_code == 403 and "不能停用自己的账号" in refused.text
    assert admin.get("/admin/people").status_code == 200


def test_tokens_issued_before_the_migration_expire_a_year_after_issue(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0014_default_ladder")
    engine = sa.create_engine(url)
    issued = datetime(2026, 3, 1, 8, 30)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO unit (id, name, kind, created_at) VALUES (1, '青山镇', 'township', :at)"),
            {"at": issued})
        connection.execute(sa.text(
            "INSERT INTO person (id, name, unit_id, role, title, phone, active, care_mode,"
            " created_at) VALUES (1, '李明', 1, 'member', '', '', 1, 0, :at)"), {"at": issued})
        connection.execute(sa.text(
            "INSERT INTO api_token (person_id, name, token_hash, created_at, revoked)"
            " VALUES (1, '', 'x', :at, 0)"), {"at": issued})
    upgrade(url)
    with engine.connect() as connection:
        expires = connection.execute(sa.text("SELECT expires_at FROM api_token")).scalar()
    engine.dispose()
    assert str(expires).startswith("2027-03-01 08:30:00")
