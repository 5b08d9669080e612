"""月度自查 in chat: `自查` (or the menu) starts a guided sequence of short replies for the
cadre's oldest open self-check: for each risk point 是/否, then 防控措施落实情况, then the
小结, then a summary to `确认`. `取消` stops it; a reply that does not fit the question gets a
polite hint and the question again.

The sequence lives in the database (models.self_check_draft): each message reads one row and
writes it back, well inside the callback's 5 s. While it runs, plain texts are its answers,
not 上报 summary paragraphs (the text fallback asks here first).
"""

import functools
import re

from handlers.labels import STATE_LABELS
from handlers.wechat import evidence, notice, texts
from handlers.wechat.context import Context, Handler, bound_only
from models import Assignment, State, session
from models.assignment import OPEN_STATES, open_assignments
from models.duty import period_label
from models.errors import DomainError
from models.late import input_closed
from models.post import MEASURES_MAX, RISK_LEVEL_LABELS
from models.self_check import (MIN_MEASURES, MIN_SUMMARY, SUMMARY_MAX, hand_in, is_self_check,
                               questions)
from models.self_check_draft import (SelfCheckDraft, answers, draft_of, expecting, record, start,
                                     stop)

VERB = "自查"
CONFIRM = "确认"
YES_NO = {"是": True, "否": False, "是的": True, "没有": False, "无": False, "有": True}
PREVIEW = 20


def answer_first(word: str, handler: Handler) -> Handler:
    """While a self-check runs, a text that only starts with command `word` ("提交材料已归档",
    "自查发现一处问题") is its answer; the bare word, or the word and a number, stays the
    command. Costs one row read, only for texts starting with these words."""

    @functools.wraps(handler)
    def wrapped(ctx: Context) -> str:
        content = str(ctx.fields.get("Content") or "").strip()
        if ctx.person is not None and not re.fullmatch(rf"{re.escape(word)}\s*\d*", content) \
                and draft_of(ctx.person.id) is not None:
            return on_text(ctx)
        return handler(ctx)

    return wrapped


@bound_only
def on_start(ctx: Context) -> str:
    """`自查`: begin (or begin again) the oldest open self-check, asking its first question."""
    task = next((t for t in open_assignments(ctx.person)
                 if is_self_check(t) and not input_closed(t, ctx.now)), None)
    if task is None:
        return texts.NO_SELF_CHECK
    asked = questions(ctx.person)
    draft = start(ctx.person, task, asked, now=ctx.now)
    evidence.end_report_session(ctx.openid)
    notice.end_reply_session(ctx.openid)
    lead = texts.SELF_CHECK_STARTED.format(title=task.template.title,
                                           period=period_label(task.period), count=len(asked))
    if not asked:
        lead += "\n" + texts.SELF_CHECK_NO_POINTS
    return lead + "\n" + prompt(draft)


@bound_only
def on_text(ctx: Context) -> str:
    """A text that is no command: the answer to the self-check's current question, else a
    上报 summary paragraph (handlers.wechat.evidence)."""
    draft = draft_of(ctx.person.id)
    if draft is None:
        return evidence.on_text(ctx)
    content = str(ctx.fields.get("Content") or "").strip()
    at = expecting(draft)
    if at.field == "confirm":
        return _confirm(ctx, draft, content)
    refusal = _refusal(draft, at, content)
    if refusal:
        return refusal
    record(draft, YES_NO[content.rstrip("。.!！")] if at.field == "occurred" else content,
           now=ctx.now)
    return prompt(draft)


@bound_only
def on_cancel(ctx: Context) -> str:
    """`取消`: stop the self-check sequence when one runs, else close a 上报 session."""
    draft = draft_of(ctx.person.id)
    if draft is None:
        return evidence.on_cancel(ctx)
    stop(draft, ctx.person, now=ctx.now, cancelled=True)
    return texts.SELF_CHECK_CANCELLED


def prompt(draft: SelfCheckDraft) -> str:
    """The question the next reply answers."""
    at, count = expecting(draft), len(draft.questions)
    if at.field == "occurred":
        asked = draft.questions[at.index]
        return texts.SELF_CHECK_OCCURRED.format(
            number=at.index + 1, count=count, post=asked["post"],
            description=asked["description"], level=RISK_LEVEL_LABELS[asked["level"]])
    if at.field == "measures":
        return texts.SELF_CHECK_MEASURES.format(number=at.index + 1, count=count)
    if at.field == "summary":
        return texts.SELF_CHECK_SUMMARY.format(min=MIN_SUMMARY)
    lines = [texts.SELF_CHECK_LINE.format(
        number=number, description=_cut(asked["description"]),
        occurred=texts.OCCURRED_WORDS[bool(answer["occurred"])], measures=_cut(answer["measures"]))
        for number, (asked, answer) in enumerate(zip(draft.questions, draft.answers,
                                                     strict=True), start=1)]
    return texts.SELF_CHECK_REVIEW.format(lines="\n".join(lines) or "（无风险点）",
                                          summary=_cut(draft.summary, 60))


def _refusal(draft: SelfCheckDraft, at, content: str) -> str:
    """Why `content` does not answer the current question, with the question again; ''."""
    if at.field == "occurred":
        if content.rstrip("。.!！") in YES_NO:
            return ""
        return texts.SELF_CHECK_YES_NO.format(
            number=at.index + 1, description=draft.questions[at.index]["description"])
    least, most = (MIN_MEASURES, MEASURES_MAX) if at.field == "measures" else \
        (MIN_SUMMARY, SUMMARY_MAX)
    if len(content) < least:
        return (texts.SELF_CHECK_TOO_SHORT if at.field == "measures"
                else texts.SELF_CHECK_SUMMARY_SHORT).format(min=least)
    if len(content) > most:
        return texts.SELF_CHECK_TOO_LONG.format(max=most)
    return ""


def _confirm(ctx: Context, draft: SelfCheckDraft, content: str) -> str:
    """`确认` hands the self-check in (models.self_check.hand_in); anything else asks again."""
    if content.rstrip("。.!！") != CONFIRM:
        return texts.SELF_CHECK_CONFIRM
    task = session.get(Assignment, draft.assignment_id)
    try:
        if task.state not in OPEN_STATES:
            raise DomainError(texts.NOT_REPORTABLE.format(
                title=task.template.title, state=STATE_LABELS.get(State(task.state), "")))
        state = hand_in(task, ctx.person, answers(draft), draft.summary, now=ctx.now)
    except DomainError as refused:
        session.rollback()
        stop(draft_of(ctx.person.id), ctx.person, now=ctx.now, cancelled=False)
        return texts.SELF_CHECK_FAILED.format(reason=refused.message)
    risks = sum(1 for answer in draft.answers if answer["occurred"])
    stop(draft, ctx.person, now=ctx.now, cancelled=False)
    done = texts.SELF_CHECK_SUBMITTED.format(
        title=task.template.title, period=period_label(task.period),
        next="已完成" if state == State.COMPLETED else "等待审核")
    return done + ("\n" + texts.SELF_CHECK_RISKS_SENT.format(count=risks) if risks else "")


def _cut(text: str, limit: int = PREVIEW) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
