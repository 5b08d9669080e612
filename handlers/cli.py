"""`flask --app app ...` commands (DESIGN.md, Interfaces): db upgrade, seed-demo, menu-publish,
import-people, export-assessment, audit-verify, api-token, bind-code, admin-link, worker, clock,
spot-check list|verify, integrity-scan."""

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from zipfile import BadZipFile

import click
import sqlalchemy as sa
from flask import Blueprint, current_app
from openpyxl.utils.exceptions import InvalidFileException
from redis.exceptions import RedisError
from rq.cron import CronScheduler

from handlers.admin import ADMIN_ROLES, login_link, org_sheet
from handlers.labels import (PENDING_LABEL, RESULT_LABELS, STATE_LABELS, dispatched_text,
                             sample_words, scope_words)
from handlers.wechat.inbox import replay_pending
from jobs import clock as periodic
from jobs.assessment import write_xlsx
from jobs.evidence import store_photo
from jobs.worker import run
from models import (DutyTemplate, NotificationKind, Person, Unit, assessment, session,
                    spot_check, utcnow)
from models.api_token import (DEFAULT_DAYS, ApiToken, issue_token, revoke_token,
                              token_for_secret)
from models.audit import verify_chain
from models.demo import seed_demo as seed
from models.clock import local_time
from models.dispatch import DueInPast, coverage_gaps, dispatch
from models.errors import DomainError
from models.escalation import sweep
from models.integrity_scan import Unreadable, scan
from models.migrate import upgrade
from models.notice_escalation import sweep_notices
from models.notification import KIND_LABELS
from models.org_sheet import COLUMNS, import_rows
from models.spot_check import Result
from models.wechat_binding import issue_bind_code
from wechat.menu import publish

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
    """Create the demo county with people, duty categories, templates and weeks of tasks."""
    if session.scalar(sa.select(sa.func.count(Unit.id))):
        if if_empty:
            click.echo("数据库中已有数据，未导入演示县")
            return
        raise CliError("数据库中已有单位，演示县只能导入空数据库")
    counts = seed(utcnow(), current_app.config["WECHAT_APPID"], store_photo)
    session.commit()
    click.echo("已导入演示县：干部 {people} 名，岗位廉政风险点 {risk_points} 个，责任类别 {categories} 类，"
               "任务清单 {templates} 个，已绑定模拟用户 {bound} 名，近 {days} 天的任务 {tasks} 项，"
               "监督建议书、整改通知书 {notices} 份，抽查核实一轮（抽取 {spot_checked} 项），"
               "近两个月的月度自查 {self_checks} 项，政治生态指数 {index_months} 个月".format(**counts))


@bp.cli.command("dispatch")
@click.argument("template_id", type=int)
@click.argument("period")
@click.option("--now", "now_text", help="ISO 8601 time to dispatch at (default: now).")
@click.option("--unit", "unit_keys", multiple=True,
              help="A unit (id or name) to dispatch to; repeatable. For 个性/临时 tasks.")
@click.option("--person", "person_keys", multiple=True,
              help="A person (id or name) to dispatch to; repeatable. For 个性/临时 tasks.")
@click.option("--allow-past", is_flag=True, help="Dispatch even when the due time has passed.")
def dispatch_command(template_id: int, period: str, now_text: str | None,
                     unit_keys: tuple[str, ...], person_keys: tuple[str, ...], allow_past: bool):
    """Turn template TEMPLATE_ID and PERIOD (2026-11, 2026Q4, 2026, once) into assignments."""
    template = session.get(DutyTemplate, template_id)
    if template is None:
        raise CliError(f"没有编号为 {template_id} 的任务清单")
    units = [_find(Unit, key, "单位") for key in unit_keys]
    people = [_find_person(key) for key in person_keys]
    try:
        created = dispatch(template, period, now=_parse_now(now_text), units=units,
                           people=people, allow_past=allow_past)
    except DueInPast as late:
        raise CliError(f"{late.message}如确需补派，请加 --allow-past。") from None
    except DomainError as error:
        raise CliError(error.message) from None
    session.commit()
    click.echo(dispatched_text(template, period, created, coverage_gaps(template, created)))


@bp.cli.command("sweep")
@click.option("--now", "now_text", help="ISO 8601 time to sweep at, not in the future unless "
                                        "--dry-run (default: now).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write nothing.")
def sweep_command(now_text: str | None, dry_run: bool):
    """Run the warning ladder once and print what was (or would be) sent."""
    now = _parse_now(now_text)
    if now > utcnow() and not dry_run:
        raise CliError(
            f"--now {local_time(now)} 还没有到：按未来时间扫描会写入日期在未来的推送记录。"
            "想预览届时会发送什么，请加 --dry-run。")
    report = sweep(now, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    steps = "，".join(f"{KIND_LABELS[NotificationKind(step)]} {count} 项"
                     for step, count in sorted(report.steps.items())) or "无"
    verb = "将记录" if dry_run else "已记录"
    recorded = len(report.pushes) if dry_run else report.created
    click.echo(f"扫描时间 {local_time(now)}（北京时间）：查看 {report.looked_at} 项任务，"
               f"到达的预警：{steps}；{verb} {recorded} 条推送、{report.digests} 条合并提醒，"
               f"{report.deferred} 项等免打扰时段结束后再发")
    notices = sweep_notices(now)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    steps = "，".join(f"{KIND_LABELS[NotificationKind(step)]} {count} 项"
                     for step, count in sorted(notices.steps.items())) or "无"
    click.echo(f"整改通知：查看 {notices.looked_at} 项，到达的预警：{steps}；{verb} "
               f"{len(notices.pushes)} 条推送、{notices.deductions} 笔逾期扣分")


def _parse_now(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now {text!r} 不是 ISO 8601 时间，"
                                   "例如 2026-11-01T09:00+08:00") from None
    if now.tzinfo is None:
        raise CliError("--now 须带时区，例如 2026-11-01T09:00+08:00")
    return now


@bp.cli.command("import-people")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--apply", "apply_", is_flag=True,
              help="Save the rows (default: only report what would change).")
def import_people(path: str, apply_: bool):
    """Import units, people, posts and risk points from the .xlsx of 批量导入导出."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        sheets = org_sheet.read_workbook(data)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise CliError("无法读取该Excel文件，请用Excel另存为 .xlsx 后重试。") from None
    report = import_rows(sheets, now=utcnow(), actor=None, apply=apply_)
    if report.problems:
        session.rollback()
        for problem in report.shown_problems():
            click.echo(problem, err=True)
        raise CliError(f"有{len(report.problems)}处有误，未保存任何内容。")
    session.commit()
    for sheet in COLUMNS:
        counts = report.counts(sheet)
        click.echo(f"{sheet}：新增 {counts['new']}，修改 {counts['changed']}，"
                   f"不变 {counts['unchanged']}")
    click.echo("已导入。" if apply_ else "未保存（加 --apply 导入）。")


@bp.cli.command("export-assessment")
@click.option("--year", type=int, required=True, help="The assessment's year, e.g. 2026.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The .xlsx file to write.")
@click.option("--version", "version", type=int,
              help="A generated version (default: the newest).")
def export_assessment(year: int, out: str, version: int | None):
    """Write the year-end assessment of YEAR as .xlsx: the newest (or the given) generated
    version, or the live scores when none has been generated."""
    rows = assessment.of_year(year)
    if version is not None:
        row = next((row for row in rows if row.version == version), None)
        if row is None:
            known = "、".join(f"第{row.version}版" for row in reversed(rows)) or "无"
            raise CliError(f"{year}年度考核没有第{version}版（已生成：{known}）")
        rows = [row]
    if rows:
        content = rows[0].rows()
        what = f"{year}年度考核第{rows[0].version}版（sha256 {rows[0].sha256[:12]}）"
    else:
        content = assessment.live(year, utcnow())
        click.echo(f"{year}年度考核尚未生成，已按截至{local_time(utcnow())}的实时得分导出",
                   err=True)
        what = f"{year}年实时得分"
    try:
        write_xlsx(content, out)
    except OSError as error:
        raise CliError(f"无法写入 {out}：{error.strerror or error}") from None
    click.echo(f"已导出{what}到 {out}：{len(content['units'])} 个单位，"
               f"{len(content['lines'])} 项任务，{len(content['deductions'])} 条扣分加分")


@bp.cli.command("menu-publish")
def menu_publish():
    """Publish the custom menu defined in wechat/menu.py."""
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


def _find(model, key: str, label: str, named: str = "名称", many: str = "个单位"):
    """One unit or person by id or exact name, or a CliError saying why not."""
    query = sa.select(model).where(model.id == int(key)) if key.isdigit() else \
        sa.select(model).where(model.name == key)
    found = session.scalars(query.order_by(model.id)).all()
    if not found:
        raise CliError(f"没有找到{label}“{key}”，请核对{named}或改用{label}编号")
    if len(found) > 1:
        ids = "、".join(str(row.id) for row in found)
        raise CliError(f"有 {len(found)} {many}名为“{key}”（编号 {ids}），请改用{label}编号")
    return found[0]


def _find_person(key: str) -> Person:
    return _find(Person, key, "人员", named="姓名", many="人")


@bp.cli.command("api-token")
@click.argument("person", required=False)
@click.option("--name", default="", help="What the token is for, e.g. the client's name.")
@click.option("--days", default=str(DEFAULT_DAYS), show_default=True,
              help="How many days the token is valid.")
@click.option("--revoke", "revoke", metavar="TOKEN",
              help="Revoke token TOKEN (its number, or the secret itself) instead.")
def api_token_command(person: str | None, name: str, days: str, revoke: str | None):
    """Issue an API token for PERSON (id or name), valid --days days (default a year); the
    secret is printed only this once. With --revoke TOKEN, revoke that token for good."""
    if revoke is not None:
        if person is not None:
            raise CliError("吊销令牌时不必指定人员，请执行 api-token --revoke 令牌编号")
        return _revoke_token(revoke)
    if person is None:
        raise CliError("请指定人员（编号或姓名），如 api-token 张三；吊销令牌用 --revoke 令牌编号")
    target = _find_person(person)
    if not target.active:
        raise CliError(f"{target.name}的账号已停用，不能签发令牌")
    try:
        token, secret = issue_token(target, name, now=utcnow(),
                                    days=int(days) if days.isdigit() else 0)
    except DomainError as error:
        raise CliError(error.message) from None
    session.commit()
    click.echo(f"{target.name}（编号 {target.id}）的 API 令牌（令牌编号 {token.id}，有效期至 "
               f"{local_time(token.expires_at)}，北京时间）如下，只显示这一次，请立即妥善保存：")
    click.echo(secret)


def _revoke_token(key: str) -> None:
    token = (session.get(ApiToken, int(key)) if key.isdigit() and len(key) < 10
             else token_for_secret(key.strip()))
    if token is None:
        raise CliError(f"没有找到令牌“{key}”，请核对令牌编号（见管理后台“接口令牌”）")
    owner = f"{token.person.name}的令牌 {token.id}" + (f"（{token.name}）" if token.name else "")
    if not revoke_token(token, now=utcnow(), actor_label="cli"):
        raise CliError(f"{owner}此前已吊销")
    session.commit()
    click.echo(f"已吊销{owner}，此后使用它的请求一律被拒绝")


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
    target = _find_person(person)
    if target.role not in ADMIN_ROLES:
        raise CliError(f"{target.name}是{target.role_label}，只有系统管理员和县纪委监委审核人员"
                       "可以登录管理后台")
    click.echo(login_link(target))


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool):
    """Run an RQ worker (with the scheduler) on the push, media and default queues."""
    run(current_app._get_current_object(), burst=burst)


@bp.cli.command("clock")
def clock():
    """Enqueue the periodic jobs (jobs/clock.py) on time, in Asia/Shanghai; run exactly one
    clock (RQ's cron holds no lock). The jobs are safe to run twice, so a restart or an
    overlap costs nothing."""

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


@bp.cli.group("spot-check")
def spot_check_group():
    """Spot checks (抽查核实): list rounds, re-draw a round from its seed."""


@spot_check_group.command("list")
@click.option("--year", type=int, help="Only this year's rounds.")
def spot_check_list(year: int | None):
    """Every round: when drawn, population, sample, results."""
    found = spot_check.rounds(year)
    if not found:
        click.echo("尚无抽查轮次")
    for row in found:
        counts = {key: sum(unit[key] for unit in spot_check.unit_results(row))
                  for key in ("drawn", *map(str, Result), "pending")}
        click.echo(f"{row.id}\t{row.name}\t{local_time(row.drawn_at)}\t总体 {len(row.population)} 项"
                   f"\t抽取 {counts['drawn']} 项\t" + "、".join(
                       f"{RESULT_LABELS[result]} {counts[str(result)]}" for result in Result)
                   + f"、{PENDING_LABEL} {counts['pending']}")


@spot_check_group.command("verify")
@click.argument("round_id", type=int)
def spot_check_verify(round_id: int):
    """Redo ROUND's draw from its recorded seed and population, compare it with the stored
    sample and the audit trail; exit 1 when they differ."""
    try:
        row = spot_check.get(round_id)
    except DomainError as error:
        raise CliError(f"{error.message}（编号 {round_id}）") from None
    found = spot_check.check_draw(row)
    for line in _draw_report(row, found):
        click.echo(line)
    if not found.ok:
        sys.exit(1)


def _ids(values) -> str:
    return "、".join(map(str, values)) or "无"


def _draw_report(row, found) -> list[str]:
    """`spot-check verify`'s lines: what was recorded, what the re-draw gave, the verdict,
    and how the scope asked again today differs from the recorded population."""
    lines = [f"{row.name}（编号 {row.id}）",
             f"范围：{'；'.join(scope_words(row))}",
             f"抽取时间：{local_time(row.drawn_at)}（北京时间）",
             f"种子：{row.seed}",
             f"总体：{found.population_size} 项已完成任务，sha256 {row.population_sha256}",
             f"样本量：{sample_words(row)}，n = {found.n}",
             f"按种子重新抽取的任务：{_ids(found.redrawn)}",
             f"保存的样本：{_ids(found.stored)}"]
    if found.ok:
        lines.append("结论：一致。本轮样本正是由记录的种子和总体按公开的算法抽出的，"
                     "总体名单与留痕记录一致，抽取后没有重抽或改动。")
    else:
        lines += ["结论：不一致。", *(f"  - {problem}" for problem in found.problems)]
    if not found.missing and not found.extra:
        lines.append("按抽取时刻重新查询范围：与总体名单相同。")
        return lines
    lines.append("按抽取时刻重新查询范围，与总体名单的差异：")
    for aid, state, reopened in found.missing:
        why = "抽查核实不实，已退回整改" if reopened else "此后状态发生变化"
        lines.append(f"  - 任务 {aid}：{why}（现状态：{STATE_LABELS.get(state, '已删除')}），"
                     "现在已不属于抽取时刻的已完成任务；总体以抽取时记录的名单为准")
    for aid in found.extra:
        lines.append(f"  - 任务 {aid}：现在显示为抽取时刻前已完成，但不在总体名单中，"
                     "请核查其完成时间记录")
    return lines


@bp.cli.command("integrity-scan")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--index", "keep", is_flag=True,
              help="Also keep the files' fingerprints, so later evidence matches them.")
def integrity_scan(folder: Path, keep: bool):
    """One JSON line per reused photo or copied summary among FOLDER's .jpg/.jpeg/.png and
    UTF-8 .txt files (照搬照抄); an unreadable file is one line on stderr."""
    for found in scan(folder, keep=keep, now=utcnow()):
        if isinstance(found, Unreadable):
            click.echo(f"无法读取 {found.name}（{found.why}），已跳过", err=True)
            continue
        click.echo(json.dumps({"a": found.a, "b": found.b, "kind": found.kind,
                               "similarity": found.similarity}, ensure_ascii=False))
