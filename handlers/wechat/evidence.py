"""上报 in chat: an evidence session per cadre (Redis, 30 min idle), texts and photos, 删除,
提交/取消.

`上报 N` opens the session on task N and takes the photos the cadre sent before choosing a
task (they wait 24 hours, models.evidence.keep_pending); a reworked task starts with what the
last round handed in. What the round holds is listed, numbered for `删除 N`. Then text messages
become summary paragraphs and photos become photo evidence (downloaded by a job at once:
MediaIds die in 3 days). `提交` hands the task in once the template's proof is there; `取消`
closes the session and keeps a draft.
"""

import functools

from flask import current_app

from handlers.wechat import notice, texts
from handlers.labels import STATE_LABELS, describe_evidence, missing_words
from handlers.wechat.assignment import LIST_LIMIT, remember_numbering, task_by_number
from handlers.wechat.context import Context, Handler, bound_only
from jobs import redis_connection
from jobs.evidence import queue_checks, queue_fetch
from models import Assignment, Evidence, EvidenceKind, session
from models.assignment import Action, State, open_assignments
from models.clock import local_time
from models.errors import DomainError
from models.evidence import (EvidenceGone, MissingProof, NotAssignee, attach, attach_pending,
                             current_round, keep_pending, missing_proof, remove, require_assignee,
                             round_evidence)
from models.late import InputClosed, input_closed, require_open
from models.lifecycle import transition
from models.self_check import is_self_check
from models.self_check_draft import draft_of, stop
from models.shown_list import EVIDENCE, recall, remember

SESSION_SECONDS = 1800
# Photos sent without a session within this of each other are one batch: one answer.
BATCH_SECONDS = 600
REPORTABLE = (State.DISPATCHED, State.ACKNOWLEDGED, State.RETURNED)
ITEMS_LIMIT = 15
SUMMARY_PREVIEW = 16
REMOVE_VERB = "删除"


def _key(openid: str) -> str:
    return "wechat:evidence-session:" + openid


def _batch_key(openid: str) -> str:
    return "wechat:pending-photos:" + openid


def refusal_ends_session(handler: Handler) -> Handler:
    """Answer input the task no longer takes, and end the 上报 session: nothing more can go to
    that task. Input closed by the late policy (models.late) says when and what to do; input
    from someone who is no longer the assignee (改派 while the session was open) says so."""

    @functools.wraps(handler)
    def wrapped(ctx: Context) -> str:
        try:
            return handler(ctx)
        except InputClosed as closed:
            answer = texts.INPUT_CLOSED.format(title=closed.title, at=local_time(closed.closed_at))
        except NotAssignee as refused:
            answer = texts.NOT_ASSIGNEE.format(title=refused.title)
        session.rollback()
        redis_connection().delete(_key(ctx.openid))
        return answer

    return wrapped


def open_session(ctx: Context) -> Assignment | None:
    """The task of the cadre's open evidence session (refreshing its idle timeout); NotAssignee
    once it went to someone else (改派), so nothing of it is shown or changed."""
    redis = redis_connection()
    value = redis.get(_key(ctx.openid))
    task = session.get(Assignment, int(value)) if value else None
    if task is None or task.state not in REPORTABLE:
        return None
    require_assignee(task, ctx.person)
    redis.expire(_key(ctx.openid), SESSION_SECONDS)
    return task


@bound_only
@refusal_ends_session
def on_report(ctx: Context) -> str:
    task = task_by_number(ctx, "上报")
    if isinstance(task, str):
        return task
    if task.state not in REPORTABLE:
        return texts.NOT_REPORTABLE.format(title=task.template.title,
                                           state=STATE_LABELS.get(State(task.state), ""))
    if is_self_check(task):  # its form is the cadre's risk points, asked one by one
        return texts.SELF_CHECK_BY_VERB.format(title=task.template.title)
    require_open(task, ctx.now)
    if (draft := draft_of(ctx.person.id)) is not None:  # texts are this 上报's from now on
        stop(draft, ctx.person, now=ctx.now, cancelled=True)
    redis = redis_connection()
    redis.set(_key(ctx.openid), task.id, ex=SESSION_SECONDS)
    notice.end_reply_session(ctx.openid)
    taken = attach_pending(task, ctx.person, now=ctx.now)
    if taken:
        redis.delete(_batch_key(ctx.openid))
        session.commit()  # the check must see them taken
        queue_checks(taken)  # 照搬照抄: they were stored before they had a task
    template = task.template
    needs = []
    if template.requires_summary:
        needs.append("工作小结（直接发送文字）")
    if template.min_photos:
        needs.append(f"至少{template.min_photos}张照片（点“+”选择照片发送）")
    lines = [texts.REPORT_OPENED.format(title=template.title, needs="、".join(needs) or "无")]
    if taken:
        lines.append(texts.PENDING_ATTACHED.format(count=len(taken)))
    lines += [_round_so_far(ctx, task), texts.REPORT_HOW]
    return "\n".join(line for line in lines if line)


@bound_only
@refusal_ends_session
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
@refusal_ends_session
def on_image(ctx: Context) -> str:
    task = open_session(ctx)
    media_id = str(ctx.fields.get("MediaId") or "")
    if task is None:  # a 整改回复 just sent takes it, else it waits for the next 上报
        return notice.reply_photo(ctx, media_id) or _keep_for_later(ctx, media_id)
    evidence = attach(task, EvidenceKind.PHOTO, ctx.person, now=ctx.now, media_id=media_id)
    session.commit()  # the job must see the row
    queue_fetch(evidence.id)
    count = len(round_evidence(task, EvidenceKind.PHOTO))
    return texts.PHOTO_RECEIVED.format(number=count)


@bound_only
@refusal_ends_session
def on_remove(ctx: Context) -> str:
    """`删除 N`: take item N of the round's list out; bare `删除` shows the list. Any other
    text after 删除 is a summary paragraph that happens to start with the word."""
    rest = str(ctx.fields.get("Content") or "").strip().removeprefix(REMOVE_VERB).strip()
    if rest and not rest.isdigit():
        return on_text(ctx)
    task = open_session(ctx)
    if task is None:
        return texts.NO_SESSION
    if not rest:
        return _round_so_far(ctx, task) or texts.NOTHING_TO_REMOVE
    number, ids = int(rest), recall(ctx.person.id, EVIDENCE, now=ctx.now)
    if ids is None or not 0 < number <= len(ids):
        lead = texts.ITEMS_GONE if ids is None else texts.ITEM_NOT_FOUND.format(number=number)
        return "\n".join(filter(None, [lead, _round_so_far(ctx, task)]))
    try:
        removed = remove(task, ids[number - 1], ctx.person, now=ctx.now)
    except EvidenceGone as gone:
        return "\n".join(filter(None, [gone.message, _round_so_far(ctx, task)]))
    done = texts.REMOVED.format(number=number, item=_kind_label(removed))
    left = _round_so_far(ctx, task) or texts.NOTHING_LEFT.format(
        missing="；".join(_missing_words(missing_proof(task))))
    return done + "\n" + left


@bound_only
@refusal_ends_session
def on_submit(ctx: Context) -> str:
    task = open_session(ctx)
    if task is None:
        return texts.NO_SESSION
    require_open(task, ctx.now)  # before what is missing: nothing more can be added
    missing = missing_proof(task)
    if missing:
        return texts.PROOF_MISSING.format(
            missing="\n".join(f"· {line}" for line in _missing_words(missing)))
    try:
        state = transition(task, Action.SUBMIT, ctx.person, now=ctx.now)
    except DomainError as error:
        return error.message
    redis_connection().delete(_key(ctx.openid))
    return texts.SUBMITTED.format(title=task.template.title,
                                  next="已完成" if state == State.COMPLETED else "等待审核")


@bound_only
def on_cancel(ctx: Context) -> str:
    end_report_session(ctx.openid)
    return texts.REPORT_CANCELLED


def end_report_session(openid: str) -> None:
    """Close the cadre's 上报 session (a self-check started): texts are no summaries now."""
    redis_connection().delete(_key(openid))


def _round_so_far(ctx: Context, task: Assignment) -> str:
    """What the round being prepared holds, numbered for `删除 N` (remembered as shown), with
    what the last round handed in marked; '' while it holds nothing."""
    items = round_evidence(task)[:ITEMS_LIMIT]
    remember(ctx.person.id, EVIDENCE, [item.id for item in items], now=ctx.now)
    if not items:
        return ""
    number = current_round(task)
    carried = [item for item in items if not item.is_new_in(number)]
    missing = "；".join(_missing_words(missing_proof(task)))
    if carried:
        head = (texts.KEPT_INCOMPLETE.format(what=describe_evidence(carried), missing=missing)
                if missing else texts.KEPT.format(what=describe_evidence(carried)))
    else:
        head = (texts.DRAFT_INCOMPLETE.format(what=describe_evidence(items), missing=missing)
                if missing else texts.DRAFT_READY.format(what=describe_evidence(items)))
    lines = [head] + [f"{n}. {label}" for n, label in enumerate(_labels(items, number), start=1)]
    return "\n".join(lines + [texts.REMOVE_HINT.format(example=len(items))])


def _labels(items: list[Evidence], number: int) -> list[str]:
    """`小结：…` or `照片2` per item, those carried over into round `number` marked."""
    labels, photos = [], 0
    for item in items:
        if item.kind == EvidenceKind.PHOTO:
            photos += 1
            label = texts.PHOTO_ITEM.format(number=photos)
        else:
            label = _kind_label(item)
        labels.append(label + ("" if item.is_new_in(number) else texts.EARLIER))
    return labels


def _kind_label(item: Evidence) -> str:
    if item.kind == EvidenceKind.PHOTO:
        return texts.PHOTO_ITEM.format(number="")
    preview = item.text[:SUMMARY_PREVIEW] + ("…" if len(item.text) > SUMMARY_PREVIEW else "")
    return texts.SUMMARY_ITEM.format(text=preview)


def _missing_words(missing: MissingProof) -> list[str]:
    return missing_words(missing, texts.MISSING_SUMMARY)


def _keep_for_later(ctx: Context, media_id: str) -> str:
    """A photo with no session open: kept for the next 上报, the cadre told once per batch
    which tasks it could go to (numbered as that list, remembered)."""
    evidence = keep_pending(ctx.person, media_id, now=ctx.now)
    session.commit()  # the job must see the row
    queue_fetch(evidence.id)
    if not _first_of_batch(ctx):
        return ""
    tasks = [t for t in open_assignments(ctx.person)
             if t.state in REPORTABLE and not input_closed(t, ctx.now)][:LIST_LIMIT]
    if not tasks:
        return texts.PHOTO_KEPT_NO_TASK
    remember_numbering(ctx, tasks)
    lines = [f"{n}. {t.template.title}" for n, t in enumerate(tasks, start=1)]
    return texts.PHOTO_KEPT.format(tasks="\n".join(lines)) + texts.WORKBENCH_LINK.format(
        url=current_app.config["PUBLIC_BASE_URL"] + "m/")


def _first_of_batch(ctx: Context) -> bool:
    """Whether this photo starts a batch: none came within BATCH_SECONDS before it (by the
    message's time; the key's TTL only cleans up)."""
    pipe = redis_connection().pipeline(transaction=True)
    pipe.getset(_batch_key(ctx.openid), ctx.now.timestamp())
    pipe.expire(_batch_key(ctx.openid), BATCH_SECONDS)
    before, _ = pipe.execute()
    return before is None or ctx.now.timestamp() - float(before) > BATCH_SECONDS
