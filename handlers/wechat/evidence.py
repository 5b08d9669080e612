"""上报 in chat: an evidence session per cadre (Redis, 30 min idle), texts and photos, 提交/取消.

`上报 N` opens the session on task N; then text messages become summary paragraphs and photos
become photo evidence (downloaded by a job at once: MediaIds die in 3 days). `提交` hands the
task in once the template's proof is there; `取消` closes the session and keeps a draft.
"""

from flask import current_app

from handlers.wechat import texts
from handlers.labels import STATE_LABELS
from handlers.wechat.assignment import LIST_LIMIT, remember_numbering, task_by_number
from handlers.wechat.context import Context, bound_only
from jobs import redis_connection
from jobs.evidence import queue_fetch
from models import Assignment, EvidenceKind, session
from models.assignment import Action, State, open_assignments
from models.lifecycle import transition
from models.errors import DomainError
from models.evidence import attach, missing_proof, round_evidence

SESSION_SECONDS = 1800
REPORTABLE = (State.DISPATCHED, State.ACKNOWLEDGED, State.RETURNED)


def _key(openid: str) -> str:
    return "wechat:evidence-session:" + openid


def open_session(ctx: Context) -> Assignment | None:
    """The task of the cadre's open evidence session (refreshing its idle timeout)."""
    redis = redis_connection()
    value = redis.get(_key(ctx.openid))
    task = session.get(Assignment, int(value)) if value else None
    if task is None or task.state not in REPORTABLE:
        return None
    redis.expire(_key(ctx.openid), SESSION_SECONDS)
    return task


@bound_only
def on_report(ctx: Context) -> str:
    task = task_by_number(ctx, "上报")
    if isinstance(task, str):
        return task
    if task.state not in REPORTABLE:
        return texts.NOT_REPORTABLE.format(title=task.template.title,
                                           state=STATE_LABELS.get(State(task.state), ""))
    redis_connection().set(_key(ctx.openid), task.id, ex=SESSION_SECONDS)
    template = task.template
    needs = []
    if template.requires_summary:
        needs.append("工作小结（直接发送文字）")
    if template.min_photos:
        needs.append(f"至少{template.min_photos}张照片（点“+”选择照片发送）")
    return texts.REPORT_OPENED.format(title=template.title, needs="、".join(needs) or "无")


@bound_only
def on_text(ctx: Context) -> str:
    """Text that is no command: a summary paragraph when a session is open."""
    task = open_session(ctx)
    if task is None:
        return texts.UNKNOWN_COMMAND
    content = str(ctx.fields.get("Content") or "").strip()
    attach(task, EvidenceKind.TEXT, ctx.person, now=ctx.now, text=content)
    count = len(round_evidence(task, EvidenceKind.TEXT))
    return texts.SUMMARY_RECEIVED.format(number=count)


@bound_only
def on_image(ctx: Context) -> str:
    task = open_session(ctx)
    if task is None:
        return _where_to_attach(ctx)
    evidence = attach(task, EvidenceKind.PHOTO, ctx.person, now=ctx.now,
                      media_id=str(ctx.fields.get("MediaId") or ""))
    session.commit()  # the job must see the row
    queue_fetch(evidence.id)
    count = len(round_evidence(task, EvidenceKind.PHOTO))
    return texts.PHOTO_RECEIVED.format(number=count)


@bound_only
def on_submit(ctx: Context) -> str:
    task = open_session(ctx)
    if task is None:
        return texts.NO_SESSION
    missing = missing_proof(task)
    if missing:
        lines = ([texts.MISSING_SUMMARY] if missing.summary else []) + (
            [texts.MISSING_PHOTOS.format(missing=missing.photos, required=missing.required_photos)]
            if missing.photos else [])
        return texts.PROOF_MISSING.format(missing="\n".join(f"· {line}" for line in lines))
    try:
        state = transition(task, Action.SUBMIT, ctx.person, now=ctx.now)
    except DomainError as error:
        return error.message
    redis_connection().delete(_key(ctx.openid))
    return texts.SUBMITTED.format(title=task.template.title,
                                  next="已完成" if state == State.COMPLETED else "等待审核")


@bound_only
def on_cancel(ctx: Context) -> str:
    redis_connection().delete(_key(ctx.openid))
    return texts.REPORT_CANCELLED


def _where_to_attach(ctx: Context) -> str:
    tasks = [t for t in open_assignments(ctx.person) if t.state in REPORTABLE][:LIST_LIMIT]
    if not tasks:
        return texts.PHOTO_WITHOUT_TASK
    remember_numbering(ctx, tasks)  # `上报 1` means item 1 of this list
    lines = [f"{n}. {t.template.title}" for n, t in enumerate(tasks, start=1)]
    return texts.PHOTO_WHICH_TASK.format(tasks="\n".join(lines)) + texts.WORKBENCH_LINK.format(
        url=current_app.config["PUBLIC_BASE_URL"] + "m/")
