"""`flask --app app ...` commands (DESIGN.md, Interfaces): db upgrade, seed-demo, menu-publish,
audit-verify, bind-code, admin-link, worker, clock."""

import sys
import time

import click
import sqlalchemy as sa
from flask import Blueprint, current_app

from models.clock import local_time
from models import Person, Unit, session, utcnow
from models.audit import verify_chain
from models.migrate import upgrade
from models.wechat_binding import issue_bind_code

bp = Blueprint("cli", __name__, cli_group=None)


class CliError(click.ClickException):
    """A refusal on the command line, in Chinese ("错误：…", not click's "Error: …")."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=True)


@bp.cli.group("db")
def db_group():
    """Database schema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str):
    """Migrate the database to REVISION (default: head)."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"数据库已迁移到 {revision}")


@bp.cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when units already exist.")
def seed_demo(if_empty: bool):
    """Create the demo county with people, duty categories and templates."""
    from models.demo import seed_demo as seed

    if session.scalar(sa.select(sa.func.count(Unit.id))):
        if if_empty:
            click.echo("database already has data; demo not seeded")
            return
        raise click.ClickException("the database already has units; seed an empty database")
    counts = seed(utcnow(), current_app.config["WECHAT_APPID"])
    session.commit()
    click.echo("demo seeded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@bp.cli.command("dispatch")
@click.argument("template_id", type=int)
@click.argument("period")
@click.option("--now", "now_text", help="ISO 8601 time to dispatch at (default: now).")
def dispatch_command(template_id: int, period: str, now_text: str | None):
    """Turn template TEMPLATE_ID and PERIOD (2026-11, 2026Q4, 2026, once) into assignments."""
    from models import DutyTemplate
    from models.dispatch import dispatch
    from models.errors import DomainError

    template = session.get(DutyTemplate, template_id)
    if template is None:
        raise click.ClickException(f"no template {template_id}")
    now = _parse_now(now_text)
    try:
        created = dispatch(template, period, now=now)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    session.commit()
    click.echo(f"{template.title} {period}: {len(created)} new assignments")


@bp.cli.command("sweep")
@click.option("--now", "now_text", help="ISO 8601 time to sweep at (default: now).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write nothing.")
def sweep_command(now_text: str | None, dry_run: bool):
    """Run the warning ladder once and print what was (or would be) sent."""
    from models.escalation import sweep

    now = _parse_now(now_text)
    report = sweep(now, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    steps = ", ".join(f"{step}={count}" for step, count in sorted(report.steps.items())) or "none"
    verb = "would record" if dry_run else "recorded"
    recorded = len(report.pushes) if dry_run else report.created
    click.echo(f"sweep at {now.isoformat()}: {report.looked_at} tasks looked at, steps {steps}; "
               f"{verb} {recorded} pushes, {report.digests} digests, "
               f"{report.deferred} waiting for the end of quiet hours")


def _parse_now(text: str | None):
    from datetime import datetime

    if not text:
        return utcnow()
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"--now {text!r} is not ISO 8601, "
                                   "e.g. 2026-11-01T09:00+08:00") from None
    if now.tzinfo is None:
        raise click.ClickException("--now needs a time zone, e.g. 2026-11-01T09:00+08:00")
    return now


@bp.cli.command("menu-publish")
def menu_publish():
    """Publish the custom menu defined in wechat/menu.py."""
    from wechat.menu import publish

    wechat = current_app.extensions["wechat"]
    menu = publish(wechat.client, current_app.config["PUBLIC_BASE_URL"])
    click.echo("菜单已发布：" + "、".join(button["name"] for button in menu["button"]))


@bp.cli.command("audit-verify")
def audit_verify():
    """Check the whole audit hash chain; name the first broken row."""
    result = verify_chain()
    if result.broken_id is not None:
        click.echo(f"审计链已被破坏：第 {result.broken_id} 条记录{result.reason}"
                   f"（此前 {result.checked} 条记录完好）")
        sys.exit(1)
    click.echo(f"审计链完好：共 {result.checked} 条记录，未发现篡改")


def _find_person(key: str) -> Person:
    query = sa.select(Person).where(Person.id == int(key)) if key.isdigit() else \
        sa.select(Person).where(Person.name == key)
    found = session.scalars(query).all()
    if not found:
        raise CliError(f"没有找到人员“{key}”，请核对姓名或改用人员编号")
    if len(found) > 1:
        ids = "、".join(str(person.id) for person in found)
        raise CliError(f"有 {len(found)} 人名为“{key}”（编号 {ids}），请改用人员编号")
    return found[0]


@bp.cli.command("bind-code")
@click.argument("person")
def bind_code(person: str):
    """Issue a one-time bind code for PERSON (id or name)."""
    target = _find_person(person)
    code = issue_bind_code(target, now=utcnow())
    session.commit()
    click.echo(f"{target.name}的绑定码：{code.code}（二维码场景 {code.scene}），"
               f"有效期至 {local_time(code.expires_at)}（北京时间），仅可使用一次")


@bp.cli.command("admin-link")
@click.argument("person")
def admin_link(person: str):
    """Print a one-time sign-in link to the admin pages for PERSON (admin or inspector)."""
    from handlers.admin import ADMIN_ROLES, login_link

    target = _find_person(person)
    if target.role not in ADMIN_ROLES:
        raise CliError(f"{target.name}是{target.role_label}，只有系统管理员和县纪委监委审核人员"
                       "可以登录管理后台")
    click.echo(login_link(target))


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool):
    """Run an RQ worker (with the scheduler) on the push, media and default queues."""
    from jobs.worker import run

    run(current_app._get_current_object(), burst=burst)


@bp.cli.command("clock")
def clock():
    """Enqueue the periodic jobs (jobs/clock.py) on time, in Asia/Shanghai; run exactly one
    clock (RQ's cron holds no lock). The jobs are safe to run twice, so a restart or an
    overlap costs nothing."""
    from redis.exceptions import RedisError
    from rq.cron import CronScheduler

    from handlers.wechat.inbox import replay_pending
    from jobs import clock as periodic

    periodic.use_county_time()
    while True:
        scheduler = CronScheduler(connection=current_app.extensions["redis"])
        periodic.register(scheduler, replay=replay_pending)
        try:
            scheduler.start()
            return
        except RedisError as exc:
            click.echo(f"clock: redis unavailable ({type(exc).__name__}), retrying in 5 s")
            time.sleep(5)
