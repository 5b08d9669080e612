"""Copied summaries (照搬照抄, issue 13): the detector, its shared passages, its stored index."""

import pytest
import sqlalchemy as sa

from models import session
from models.text_print import (COPIED, LEARN_EVERY, TextPrint, TextPrintCommon, _store_common,
                               fingerprint, index, learn_common, load_common, matches,
                               shared_passages, similarity)

TEMPLATE = ("召开党风廉政建设专题会议\n每季度至少召开一次党风廉政建设专题会议，研究部署党风廉政建设"
            "工作，形成会议纪要，上报工作小结和会议照片。")

SOURCE = (
    "2025年6月12日，青山镇党委在三楼会议室召开党风廉政建设专题会议，党委书记王建国主持会议，"
    "班子成员和各村党支部书记共23人参加。会上传达学习了省纪委监委通报的典型问题，王建国结合"
    "违规吃喝问题剖析了3起发生在身边的案例。青山镇聚焦惠民惠农资金管理，逐村逐户核对补贴台账，"
    "共发现问题7个，已整改5个。针对排查出的12个廉政风险点，青山镇落实整改责任人，逐项制定防控"
    "措施并张贴上墙。刘志远与分管站所负责人逐一谈话15人次，提醒在工程项目招投标方面守住底线。")
SENTENCES = [sentence + "。" for sentence in SOURCE.split("。") if sentence]

OTHER = (
    "2026年3月5日，白水镇纪委组织全镇46名党员干部到县警示教育中心参观学习，观看警示教育片"
    "《镜鉴》，并撰写心得体会30篇。镇纪委书记陈海波围绕低保评定中优亲厚友的问题开展专题辅导，"
    "点名道姓通报了两起村干部违规办理低保的案例。随后各村逐一对照低保对象名单开展自查，清退"
    "不符合条件的低保户4户，追回资金1.2万元。镇纪委将在下半年组织回头看，对自查情况进行抽查。")

EDITED = {
    "another unit's name and dates": SOURCE.replace("青山镇", "县自然资源局")
                                           .replace("2025年6月12日", "2026年4月3日"),
    "sentences reordered": "".join(SENTENCES[3:] + SENTENCES[:3]),
    "a sentence dropped": "".join(SENTENCES[:2] + SENTENCES[3:]),
    "punctuation changed": SOURCE.replace("，", "、").replace("。", "；").replace("3", "３"),
    "re-wrapped": "\n".join(SOURCE[i:i + 27] for i in range(0, len(SOURCE), 27)),
    "new opening and closing": ("今年以来，我局坚持把这项工作摆在突出位置，局党组多次专题研究，"
                                "现将工作开展情况总结如下。\n" + SOURCE
                                + "\n下一步，我局将持续巩固整改成果，推动各项措施落地见效，"
                                  "以上报告请审阅。"),
    "everything at once": ("按照县纪委监委的统一部署，现将有关情况报告如下。\n"
                           + "".join(SENTENCES[4:] + SENTENCES[1:3] + SENTENCES[:1])
                           .replace("青山镇", "柳林乡").replace("，", "、")
                           + "\n以上是本阶段工作情况，不足之处请批评指正。"),
}

OWN_WORDS = ("城关镇召开了两次班子会议，对村级财务公开情况逐村检查，发现问题四个，均已整改。",
             "县教育局组织全体教师签订师德承诺书，开展有偿补课专项治理，查处一起违规办班。")


@pytest.mark.parametrize("edit", EDITED)
def test_a_copy_is_judged_copied_whatever_was_edited(edit):
    score = similarity(fingerprint(SOURCE, boilerplate=TEMPLATE),
                       fingerprint(EDITED[edit], boilerplate=TEMPLATE))

    assert score >= COPIED


def test_a_different_summary_of_the_same_template_is_not_copied():
    score = similarity(fingerprint(SOURCE, boilerplate=TEMPLATE),
                       fingerprint(OTHER, boilerplate=TEMPLATE))

    assert score < COPIED / 2


def test_the_templates_wording_and_standard_phrases_do_not_make_a_copy():
    shared = ("按照“每季度至少召开一次党风廉政建设专题会议，研究部署党风廉政建设工作，"
              "形成会议纪要”的要求，我们高度重视，深入学习贯彻党的二十大精神，切实加强党风廉政建设，全面从严治党，"
              "认真落实主体责任和监督责任，坚持一岗双责。")
    first, second = shared + OWN_WORDS[0], shared + OWN_WORDS[1]

    assert similarity(fingerprint(first, boilerplate=TEMPLATE),
                      fingerprint(second, boilerplate=TEMPLATE)) < COPIED


def test_standard_phrases_alone_do_not_make_a_copy():
    phrases = ("我们高度重视，深入学习贯彻党的二十大精神，切实加强党风廉政建设，全面从严治党，"
               "认真落实主体责任和监督责任，坚持一岗双责，持续深化作风建设，营造风清气正的政治生态。")
    first, second = phrases + OWN_WORDS[0], phrases + OWN_WORDS[1]

    assert similarity(fingerprint(first), fingerprint(second)) < COPIED


def test_distinct_paragraphs_of_one_report_are_not_copies():
    paragraphs = [SENTENCES[0] + SENTENCES[1], SENTENCES[2] + SENTENCES[3],
                  SENTENCES[4] + SENTENCES[0].replace("召开党风廉政建设专题会议", "开展谈心谈话")]
    prints = [fingerprint(paragraph) for paragraph in paragraphs]

    assert similarity(prints[0], prints[1]) < COPIED
    assert similarity(prints[1], prints[2]) < COPIED


def test_a_short_answer_everyone_gives_is_too_short_to_judge():
    assert similarity(fingerprint("已按要求完成本月工作任务。"),
                      fingerprint("已按要求完成本月工作任务。")) == 0.0


def test_the_shared_passages_are_marked_in_both_texts():
    copy = EDITED["new opening and closing"]

    in_source, in_copy = shared_passages(SOURCE, copy, boilerplate=TEMPLATE)

    marked = "".join(copy[start:end] for start, end in in_copy)
    assert "逐村逐户核对补贴台账" in marked
    assert "我局坚持把这项工作摆在突出位置" not in marked
    assert "逐村逐户核对补贴台账" in "".join(SOURCE[start:end] for start, end in in_source)
    assert all(copy[start:end] for start, end in in_copy)


def test_shared_passages_leave_the_templates_wording_unmarked():
    text = "按照“研究部署党风廉政建设工作，形成会议纪要”的要求，" + SOURCE

    _, marks = shared_passages(OTHER, text, boilerplate=TEMPLATE)

    assert "形成会议纪要" not in "".join(text[start:end] for start, end in marks)


def test_a_print_survives_its_bytes():
    print_ = fingerprint(SOURCE, boilerplate=TEMPLATE)

    assert TextPrint.from_bytes(print_.to_bytes()) == print_


def test_an_indexed_summary_is_found_by_its_copy(app, now):
    source = index(fingerprint(SOURCE, boilerplate=TEMPLATE), label="青山镇2025-06专题会议.txt",
                   now=now)
    index(fingerprint(OTHER, boilerplate=TEMPLATE), label="白水镇警示教育.txt", now=now)
    session.commit()

    found = matches(fingerprint(EDITED["everything at once"], boilerplate=TEMPLATE))

    assert [(match.row_id, match.label) for match in found] == [
        (source.id, "青山镇2025-06专题会议.txt")]
    assert found[0].similarity >= COPIED


def test_a_summary_nobody_wrote_before_has_no_match(app, now):
    index(fingerprint(SOURCE, boilerplate=TEMPLATE), now=now)
    session.commit()

    assert matches(fingerprint(OTHER, boilerplate=TEMPLATE)) == []


def test_the_same_tasks_earlier_round_is_not_a_match(app, make_person, make_assignment, now):
    task = make_assignment(make_person())
    other_task = make_assignment(make_person(name="李明"), period="2026-10", allow_past=True)
    index(fingerprint(SOURCE), assignment_id=task.id, unit_id=task.unit_id, now=now)
    earlier = index(fingerprint(SOURCE), assignment_id=other_task.id, now=now)
    session.commit()

    found = matches(fingerprint(EDITED["a sentence dropped"]), exclude_assignment_id=task.id)

    assert [match.row_id for match in found] == [earlier.id]


def test_matches_are_best_first_and_limited(app, now):
    rows = [index(fingerprint(SOURCE[:length]), now=now) for length in (len(SOURCE), 160, 120)]
    index(fingerprint(OTHER), now=now)
    session.commit()

    found = matches(fingerprint(EDITED["a sentence dropped"]), limit=2)

    assert len(found) == 2
    assert found[0].similarity >= found[1].similarity
    assert {match.row_id for match in found} <= {row.id for row in rows}


EVERYONE = "全体干部职工签订了廉洁从业承诺书，并在单位公示栏进行了公示，接受群众监督。"


def index_everyones_wording(now):
    for number in range(30):
        index(fingerprint(f"第{number}份：" + OTHER[number:number + 40] + EVERYONE), now=now)


def test_wording_in_very_many_stored_summaries_is_learned_as_common(app, now):
    index_everyones_wording(now)
    learn_common()
    session.commit()
    common = load_common()

    assert common
    assert similarity(fingerprint("城关镇" + EVERYONE + SOURCE[:40]),
                      fingerprint("河口乡" + EVERYONE + OTHER[-40:]), common=common) < COPIED


def test_the_common_set_is_relearned_as_the_index_grows(app, now):
    for _ in range(LEARN_EVERY):
        index(fingerprint(SOURCE), now=now)

    assert session.scalar(sa.select(sa.func.count()).select_from(TextPrintCommon)) > 0


def test_relearning_drops_grams_no_longer_common(app, now):
    session.add(TextPrintCommon(gram=12345))
    index_everyones_wording(now)

    learned = learn_common()

    assert len(load_common()) == learned
    assert 12345 not in load_common()


def test_two_processes_relearning_at_once_do_not_collide(app, now):
    index_everyones_wording(now)
    learn_common()  # the first process's rows are in; the second read the set while empty:
    common = load_common()

    _store_common(common, stored=frozenset())

    assert load_common() == common


def test_the_common_set_read_once_follows_the_table(app, now):
    index_everyones_wording(now)
    learn_common()
    before = load_common()

    session.add(TextPrintCommon(gram=12345))
    session.flush()

    assert load_common() == before | {12345}
