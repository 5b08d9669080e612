"""照搬照抄 flags on the review page (issue 13): what each flag shows side by side. 排除 and
退回 citing a flag are the review page's own posts (handlers.mobile.review)."""

from flask import url_for
from markupsafe import Markup, escape

from models.integrity import FlagKind, IntegrityFlag, passages


def marked(text: str, spans: list[tuple[int, int]]) -> Markup:
    """The text with each (start, end) span in <mark>, everything escaped."""
    parts, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        parts += [escape(text[at:start]), Markup("<mark>"), escape(text[start:end]),
                  Markup("</mark>")]
        at = end
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def flag_view(flag: IntegrityFlag) -> dict:
    """One flag for the page: its sentence, and both photos (URLs) or both texts marked."""
    view = {"flag": flag, "photos": None, "texts": None}
    if flag.kind == FlagKind.PHOTO:
        view["photos"] = (
            url_for("mobile.evidence_image", evidence_id=flag.evidence_id, variant="display"),
            url_for("mobile.evidence_image", evidence_id=flag.matched_evidence_id,
                    variant="display") if flag.matched_evidence_id else None)
    elif flag.kind == FlagKind.SUMMARY and flag.matched is not None:
        new, old = flag.evidence.text, flag.matched.text
        spans_new, spans_old = passages(flag)
        view["texts"] = (marked(new, spans_new), marked(old, spans_old))
    return view
