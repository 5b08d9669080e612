"""The JSON API at /api/v1 (DESIGN.md, Interfaces), driven over HTTP with CLI-issued tokens."""

import hashlib
import re
from functools import partial

import pytest
import sqlalchemy as sa

from models import (ApiToken, Assignment, AuditEvent, DutyTemplate, Evidence, EvidenceKind,
                    EvidenceStatus, Person, Role, State, TemplateKind, UnitKind, Level, session)
from models.assignment import Action
from models.lifecycle import transition
from models.dispatch import dispatch
from models.storage import content_key

PNG = b"\x89PNG\r\n\x1a\n" + b"original-bytes"


@pytest.fixture
def county(make_unit, make_person):
    """Two townships, each supervised by its own 纪委, and the county's inspector and admin."""
    body, other_body = (make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE),
                        make_unit(name="白水镇纪委", kind=UnitKind.DISCIPLINE))
    township = make_unit(name="青山镇", supervisor_id=body.id)
    other = make_unit(name="白水镇", supervisor_id=other_body.id)
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    people = {
        "secretary": (Role.SECRETARY, township), "liaison": (Role.COMMITTEE, township),
        "member": (Role.MEMBER, township), "colleague": (Role.MEMBER, township),
        "discipline": (Role.DISCIPLINE, body), "other_discipline": (Role.DISCIPLINE, other_body),
        "other_secretary": (Role.SECRETARY, other), "other_member": (Role.MEMBER, other),
        "inspector": (Role.INSPECTOR, county_unit), "admin": (Role.ADMIN, county_unit),
    }
    found = {key: make_person(name=key, role=role, unit=unit) for key, (role, unit) in
             people.items()}
    return {**found, "township": township, "other": other, "body": body,
            "other_body": other_body, "county": county_unit}


@pytest.fixture
def make_template(make_template):
    """This file's templates: common ones (every holder of the role gets one), reviewed twice."""
    return partial(make_template, kind=TemplateKind.COMMON, review_levels=2)


@pytest.fixture
def tasks(county, now, make_template):
    """Personal tasks for the three members and unit tasks for both townships, by owner."""
    personal = dispatch(make_template(), "2026-11", now=now)
    unit = dispatch(make_template(target_role="committee", title="主体责任清单"), "2026-11",
                    now=now)
    session.commit()
    by_person = {a.person_id: a.id for a in personal}
    by_unit = {a.unit_id: a.id for a in unit}
    return {
        "member": by_person[county["member"].id],
        "colleague": by_person[county["colleague"].id],
        "other_member": by_person[county["other_member"].id],
        "township": by_unit[county["township"].id],
        "other": by_unit[county["other"].id],
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


# Authentication and tokens

@pytest.mark.parametrize("header", [None, "Bearer ql_not-a-real-token", "Bearer ", "Basic abc"])
def test_missing_or_bad_token_is_401_with_challenge(client, county, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in response.get_json()["error"]


def test_cli_prints_the_secret_once_and_stores_only_its_hash(runner, client, county):
    result = runner.invoke(args=["api-token", "inspector", "--name", "报表系统"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"ql_[A-Za-z0-9_-]{43}", secret)
    row = session.scalar(sa.select(ApiToken))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (row.name, row.person_id, row.revoked) == ("报表系统", county["inspector"].id, False)
    assert session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.subject == f"person:{county['inspector'].id}")) == "api_token.issue"
    used = client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"})
    assert used.status_code == 200
    assert session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_cli_refuses_an_unknown_person(runner, county):
    result = runner.invoke(args=["api-token", "nobody"])
    assert result.exit_code != 0
    assert result.output.strip() == "错误：没有找到人员“nobody”，请核对姓名或改用人员编号"


def test_revoked_token_and_inactive_person_are_refused(client, county, token):
    secret = token(county["member"])
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    session.execute(sa.update(ApiToken).values(revoked=True))
    session.commit()
    assert client.get("/api/v1/units", headers=headers).status_code == 401
    session.execute(sa.update(ApiToken).values(revoked=False))
    session.execute(sa.update(Person).where(Person.id == county["member"].id).values(active=False))
    session.commit()
    assert client.get("/api/v1/units", headers=headers).status_code == 401


# Directory: units, people, templates

def test_units_and_people_follow_the_callers_reach(api, county):
    c = county
    assert _ids(api(c["inspector"], "GET", "/units")) == {
        u.id for u in (c["township"], c["other"], c["body"], c["other_body"], c["county"])}
    assert _ids(api(c["discipline"], "GET", "/units")) == {c["body"].id, c["township"].id}
    assert _ids(api(c["member"], "GET", "/units")) == {c["township"].id}
    township_people = {c[k].id for k in ("secretary", "liaison", "member", "colleague")}
    assert _ids(api(c["member"], "GET", "/people")) == township_people
    assert _ids(api(c["discipline"], "GET", "/people")) == township_people | {c["discipline"].id}
    narrowed = api(c["inspector"], "GET", f"/people?unit={c['other'].id}")
    assert _ids(narrowed) == {c["other_secretary"].id, c["other_member"].id}
    person = api(c["admin"], "GET", "/people").get_json()["items"][0]
    assert set(person) == {"id", "name", "unit_id", "role", "role_label", "title", "active"}


def test_a_merged_unit_stays_listed_as_merged_and_active_true_leaves_it_out(api, county, now):
    from models.organisation import merge_units
    c = county
    merge_units(c["other"], c["township"], now=now, actor=c["admin"])
    session.commit()
    listed = {u["id"]: u for u in api(c["inspector"], "GET", "/units").get_json()["items"]}
    assert (listed[c["other"].id]["active"], listed[c["other"].id]["merged_into_id"]) == (
        False, c["township"].id)
    assert (listed[c["township"].id]["active"], listed[c["township"].id]["merged_into_id"]) == (
        True, None)
    assert _ids(api(c["inspector"], "GET", "/units?active=true")) == set(listed) - {c["other"].id}
    bad = api(c["inspector"], "GET", "/units?active=yes")
    assert bad.status_code == 400 and "active" in bad.get_json()["error"]


def test_templates_are_listed(api, county, make_template):
    first, second = make_template(), make_template(kind=TemplateKind.ADHOC, title="专项整治")
    session.execute(sa.update(DutyTemplate).where(DutyTemplate.id == second.id)
                    .values(active=False))
    session.commit()
    items = api(county["member"], "GET", "/templates").get_json()["items"]
    assert [(t["id"], t["responsibility"], t["kind"]) for t in items] == [
        (first.id, "principal", "common"), (second.id, "principal", "adhoc")]
    assert _ids(api(county["member"], "GET", "/templates?active=true")) == {first.id}


# Dispatch

def test_dispatch_creates_then_repeats_with_nothing_new(api, county, make_template):
    template = make_template()
    body = {"template_id": template.id, "period": "2026-12"}
    first = api(county["inspector"], "POST", "/dispatch", json=body)
    assert first.status_code == 201
    assert first.get_json()["created"] == 3
    again = api(county["admin"], "POST", "/dispatch", json=body)
    assert again.status_code == 200
    assert again.get_json() == {"template_id": template.id, "period": "2026-12", "created": 0,
                                "assignment_ids": [], "gaps": []}
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 3


def test_dispatch_to_named_units_and_people(api, county, make_template):
    template = make_template(kind=TemplateKind.ADHOC, title="专项整治")
    body = {"template_id": template.id, "period": "2026-12",
            "unit_ids": [county["other"].id], "person_ids": [county["colleague"].id]}
    created = api(county["inspector"], "POST", "/dispatch", json=body).get_json()
    assert created["created"] == 2
    rows = session.execute(sa.select(Assignment.unit_id, Assignment.person_id)
                           .order_by(Assignment.id)).all()
    assert rows == [(county["other"].id, None), (county["township"].id, county["colleague"].id)]


def test_dispatch_with_a_past_due_time_needs_allow_past(api, county, now, make_template):
    template = make_template()  # day:25: November's due time, 2026-11-25 17:00, is still ahead
    late = {"template_id": template.id, "period": "2026-10"}
    refused = api(county["inspector"], "POST", "/dispatch", json=late)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert "截止时间 2026-10-25 17:00 已过去25天" in error and "allow_past" in error
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 0
    bad = api(county["inspector"], "POST", "/dispatch", json={**late, "allow_past": "yes"})
    assert bad.status_code == 400 and "true 或 false" in bad.get_json()["error"]
    allowed = api(county["inspector"], "POST", "/dispatch", json={**late, "allow_past": True})
    assert allowed.status_code == 201 and allowed.get_json()["created"] == 3
    ahead = api(county["inspector"], "POST", "/dispatch",
                json={"template_id": template.id, "period": "2026-11"})
    assert ahead.status_code == 201


@pytest.mark.parametrize("body, words", [
    ({"period": "2026-12"}, "缺少字段 template_id"),
    ({"template_id": "1", "period": "2026-12"}, "类型有误"),
    ({"template_id": True, "period": "2026-12"}, "类型有误"),
    ({"template_id": 99999, "period": "2026-12"}, "不存在"),
    ({"template_id": None, "period": 202612}, "缺少字段 template_id"),
    ({"template_id": "TEMPLATE", "period": "2026/12"}, "周期"),
    ({"template_id": "TEMPLATE"}, "缺少字段 period"),
    ({"template_id": "TEMPLATE", "period": "2026-12", "unit_ids": "1"}, "整数数组"),
    ({"template_id": "TEMPLATE", "period": "2026-12", "unit_ids": [99999]}, "单位不存在"),
    ({"template_id": "SPECIFIC", "period": "2026-12"}, "需要指定单位或人员"),
    ([1, 2], "JSON 对象"),
])
def test_dispatch_bad_input_is_400_in_chinese(api, county, body, words, make_template):
    ids = {"TEMPLATE": make_template().id,
           "SPECIFIC": make_template(kind=TemplateKind.SPECIFIC).id}
    if isinstance(body, dict):
        body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = api(county["inspector"], "POST", "/dispatch", json=body)
    assert response.status_code == 400
    assert words in response.get_json()["error"]


def test_dispatch_without_a_json_body_is_400(api, county):
    response = api(county["inspector"], "POST", "/dispatch", data="template_id=1")
    assert response.status_code == 400 and "JSON" in response.get_json()["error"]


@pytest.mark.parametrize("role", ["secretary", "member", "discipline"])
def test_only_inspectors_and_admins_dispatch(api, county, role, make_template):
    body = {"template_id": make_template().id, "period": "2026-12"}
    response = api(county[role], "POST", "/dispatch", json=body)
    assert response.status_code == 403 and response.get_json()["error"]
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


# Visibility (issue §7): who sees which assignment; everything else is 404

VISIBLE = {
    "member": {"member"},
    "colleague": {"colleague"},
    "liaison": {"township"},
    "secretary": {"member", "colleague", "township"},
    "discipline": {"member", "colleague", "township"},
    "other_discipline": {"other_member", "other"},
    "other_secretary": {"other_member", "other"},
    "inspector": {"member", "colleague", "township", "other_member", "other"},
    "admin": {"member", "colleague", "township", "other_member", "other"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_only_its_assignments_and_404_for_the_rest(api, county, tasks, role):
    caller = county[role]
    expected = {tasks[key] for key in VISIBLE[role]}
    assert _ids(api(caller, "GET", "/assignments")) == expected
    for assignment_id in tasks.values():
        response = api(caller, "GET", f"/assignments/{assignment_id}")
        if assignment_id in expected:
            assert response.status_code == 200
            assert response.get_json()["id"] == assignment_id
        else:
            assert response.status_code == 404
            assert response.get_json() == {"error": "未找到该任务。"}
    missing = api(caller, "GET", "/assignments/999999")
    assert (missing.status_code, missing.get_json()) == (404, {"error": "未找到该任务。"})


def test_can_see_agrees_with_the_list_filter(county, tasks):
    from handlers.api.visibility import visible_assignments
    from models.hierarchy import can_see

    for role in VISIBLE:
        person = session.get(Person, county[role].id)
        listed = set(session.scalars(visible_assignments(person).with_only_columns(
            Assignment.id)))
        for assignment_id in tasks.values():
            assignment = session.get(Assignment, assignment_id)
            assert can_see(person, assignment) == (assignment_id in listed), (role, assignment_id)


# Filters and pagination

def test_filters_narrow_the_visible_list(api, county, tasks):
    c, inspector = county, county["inspector"]
    session.execute(sa.update(Assignment).where(Assignment.id == tasks["colleague"])
                    .values(warning=Level.RED, state=State.ACKNOWLEDGED))
    session.commit()
    assert _ids(api(inspector, "GET", f"/assignments?unit={c['other'].id}")) == {
        tasks["other_member"], tasks["other"]}
    assert _ids(api(inspector, "GET", f"/assignments?person={c['member'].id}")) == {
        tasks["member"]}
    assert _ids(api(inspector, "GET", "/assignments?warning=red")) == {tasks["colleague"]}
    assert _ids(api(inspector, "GET", "/assignments?state=acknowledged")) == {tasks["colleague"]}
    assert _ids(api(inspector, "GET", "/assignments?period=2026-10")) == set()
    assert len(_ids(api(inspector, "GET", "/assignments?period=2026-11"))) == 5
    # Filters never widen what a caller sees.
    assert _ids(api(c["member"], "GET", f"/assignments?unit={c['other'].id}")) == set()


@pytest.mark.parametrize("query, words", [
    ("state=done", "state"), ("warning=purple", "warning"), ("limit=201", "limit"),
    ("limit=0", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"), ("unit=x", "unit"),
])
def test_bad_filters_are_400(api, county, query, words):
    response = api(county["inspector"], "GET", f"/assignments?{query}")
    assert response.status_code == 400 and words in response.get_json()["error"]


def test_pagination_walks_the_whole_list_in_due_order(api, county, tasks):
    seen, offset = [], 0
    while True:
        page = api(county["inspector"], "GET", f"/assignments?limit=2&offset={offset}").get_json()
        assert page["total"] == 5 and page["limit"] == 2 and len(page["items"]) <= 2
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        offset += 2
    assert len(seen) == 5 and set(seen) == set(tasks.values())
    default = api(county["inspector"], "GET", "/assignments").get_json()
    assert default["limit"] == 50 and default["offset"] == 0


# Detail, reviews, instructions

def _submit(assignment_id: int, person: Person, now) -> None:
    assignment = session.get(Assignment, assignment_id)
    transition(assignment, Action.SUBMIT, session.get(Person, person.id), now=now)
    session.commit()


def test_review_approve_then_final_return_then_409(api, county, tasks, now):
    task = tasks["member"]
    _submit(task, county["member"], now)
    first = api(county["discipline"], "POST", f"/assignments/{task}/reviews",
                json={"decision": "approve"})
    assert first.status_code == 201
    assert first.get_json()["state"] == "first_approved"
    final = api(county["inspector"], "POST", f"/assignments/{task}/reviews",
                json={"decision": "return", "reason": "照片不清晰，请补充会议记录"})
    assert final.get_json()["state"] == "returned"
    assert [(r["level"], r["decision"]) for r in final.get_json()["reviews"]] == [
        (1, "approve"), (2, "return")]
    again = api(county["inspector"], "POST", f"/assignments/{task}/reviews",
                json={"decision": "approve"})
    assert again.status_code == 409 and again.get_json() == {"error": "该任务已处理。"}


def test_review_refusals(api, county, tasks, now):
    task = tasks["member"]
    _submit(task, county["member"], now)
    url = f"/assignments/{task}/reviews"
    short = api(county["discipline"], "POST", url, json={"decision": "return", "reason": "太短"})
    assert short.status_code == 400 and "退回理由" in short.get_json()["error"]
    bad = api(county["discipline"], "POST", url, json={"decision": "maybe"})
    assert bad.status_code == 400 and "approve 或 return" in bad.get_json()["error"]
    assert api(county["discipline"], "POST", url, json={}).status_code == 400
    # The assignee and the inspector (first level is the 纪委's) see it but may not review.
    assert api(county["member"], "POST", url, json={"decision": "approve"}).status_code == 403
    assert api(county["inspector"], "POST", url, json={"decision": "approve"}).status_code == 403
    # Another township's 纪委 does not even see it.
    assert api(county["other_discipline"], "POST", url,
               json={"decision": "approve"}).status_code == 404
    assert session.get(Assignment, task).state == State.SUBMITTED


def test_instructions_by_the_units_secretary_and_inspectors(api, county, tasks):
    task = tasks["member"]
    url = f"/assignments/{task}/instructions"
    made = api(county["secretary"], "POST", url, json={"text": "  请按时完成，注意留存会议记录。 "})
    assert made.status_code == 201
    assert made.get_json()["text"] == "请按时完成，注意留存会议记录。"
    assert api(county["inspector"], "POST", url, json={"text": "同意"}).status_code == 201
    for role, status in (("discipline", 403), ("member", 403), ("other_secretary", 404)):
        assert api(county[role], "POST", url, json={"text": "批示"}).status_code == status
    assert api(county["secretary"], "POST", url, json={"text": "  "}).status_code == 400
    assert api(county["secretary"], "POST", url, json={"text": 5}).status_code == 400
    detail = api(county["member"], "GET", f"/assignments/{task}").get_json()
    assert [(i["author_name"], i["text"]) for i in detail["instructions"]] == [
        ("secretary", "请按时完成，注意留存会议记录。"), ("inspector", "同意")]
    audited = session.scalars(sa.select(AuditEvent.actor_id).where(
        AuditEvent.action == "assignment.instruct").order_by(AuditEvent.id)).all()
    assert audited == [county["secretary"].id, county["inspector"].id]


# Evidence

@pytest.fixture
def photo(app, county, tasks, now):
    """A stored photo on the member's task: original PNG plus display and thumbnail JPEGs."""
    from jobs.evidence import storage

    sha = hashlib.sha256(PNG).hexdigest()
    store = storage()
    store.put(content_key("originals", sha, "png"), PNG)
    store.put(content_key("display", sha, "jpg"), b"display-jpeg")
    store.put(content_key("thumbs", sha, "jpg"), b"thumb-jpeg")
    evidence = Evidence(assignment_id=tasks["member"], kind=EvidenceKind.PHOTO, sha256=sha,
                        status=EvidenceStatus.STORED, content_type="image/png",
                        size_bytes=len(PNG), width=4, height=3, gps_lat=25.1, gps_lng=114.9,
                        created_by_id=county["member"].id, created_at=now)
    text = Evidence(assignment_id=tasks["member"], kind=EvidenceKind.TEXT, text="已召开专题会议",
                    status=EvidenceStatus.STORED, created_by_id=county["member"].id,
                    created_at=now)
    session.add_all([evidence, text])
    session.commit()
    return {"photo": evidence.id, "text": text.id}


@pytest.mark.parametrize("variant, body, content_type", [
    ("original", PNG, "image/png"), ("display", b"display-jpeg", "image/jpeg"),
    ("thumb", b"thumb-jpeg", "image/jpeg"), (None, b"display-jpeg", "image/jpeg"),
])
def test_evidence_file_variants(api, county, photo, variant, body, content_type):
    query = f"?variant={variant}" if variant else ""
    response = api(county["discipline"], "GET", f"/evidence/{photo['photo']}/file{query}")
    assert response.status_code == 200
    assert response.data == body
    assert response.content_type == content_type


def test_evidence_metadata_and_its_visibility(api, county, tasks, photo):
    meta = api(county["secretary"], "GET", f"/evidence/{photo['photo']}").get_json()
    assert (meta["kind"], meta["content_type"], meta["width"]) == ("photo", "image/png", 4)
    detail = api(county["member"], "GET", f"/assignments/{tasks['member']}").get_json()
    assert [e["id"] for e in detail["evidence"]] == [photo["photo"], photo["text"]]
    for role in ("colleague", "other_discipline", "other_secretary"):
        assert api(county[role], "GET", f"/evidence/{photo['photo']}").status_code == 404
        assert api(county[role], "GET", f"/evidence/{photo['photo']}/file").status_code == 404
    assert api(county["inspector"], "GET", "/evidence/999999").status_code == 404


def _gps_jpeg() -> bytes:
    """A camera JPEG with orientation, capture time and GPS in its EXIF, and XMP naming the
    place too."""
    import io

    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 09:30:00"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (25.0, 51.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (114.0, 56.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        out, "JPEG", exif=exif, xmp=b'<x:xmpmeta><exif:GPSLatitude>25,51N</exif:GPSLatitude>'
        b'</x:xmpmeta>')
    return out.getvalue()


@pytest.fixture
def located(app, county, tasks, now, work):
    """The member's photo with GPS, through the job that reads its position."""
    from jobs.evidence import keep_upload, queue_fetch
    from models.evidence import attach
    from models.photo import inspect_photo

    data = _gps_jpeg()
    task = session.get(Assignment, tasks["member"])
    evidence = attach(task, EvidenceKind.PHOTO, session.get(Person, county["member"].id), now=now)
    keep_upload(evidence, data, inspect_photo(data))
    session.commit()
    queue_fetch(evidence.id)
    work()
    return {"id": evidence.id, "bytes": data}


@pytest.mark.parametrize("role, sees", [
    ("inspector", True), ("member", False), ("secretary", False), ("discipline", False),
    ("admin", False)])
def test_where_a_photo_was_taken_is_for_inspectors_only(api, county, tasks, located, role,
                                                         sees):
    import io

    from PIL import ExifTags, Image

    person = county[role]
    meta = api(person, "GET", f"/evidence/{located['id']}").get_json()
    position = (25.85, 114.93333)
    assert (round(meta["gps_lat"], 5), round(meta["gps_lng"], 5)) == position if sees else \
        (meta["gps_lat"], meta["gps_lng"]) == (None, None)
    [listed] = [e for e in api(person, "GET", f"/assignments/{tasks['member']}").get_json()[
        "evidence"] if e["id"] == located["id"]]
    assert (listed["gps_lat"] is not None) == sees
    original = api(person, "GET", f"/evidence/{located['id']}/file?variant=original")
    assert original.status_code == 200 and original.content_type == "image/jpeg"
    if sees:
        assert original.data == located["bytes"]  # the evidence, byte for byte
        return
    assert b"GPSLatitude" not in original.data and b"xmpmeta" not in original.data
    image = Image.open(io.BytesIO(original.data))
    exif = image.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert exif[ExifTags.Base.Orientation] == 6  # still shown upright
    assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2026:11:20 09:30:00"
    image.load()  # the pixels untouched and whole
    assert image.size == (64, 48)


def test_evidence_without_bytes_or_bad_variant(api, county, photo):
    text_file = api(county["member"], "GET", f"/evidence/{photo['text']}/file")
    assert text_file.status_code == 404 and text_file.get_json()["error"]
    bad = api(county["member"], "GET", f"/evidence/{photo['photo']}/file?variant=raw")
    assert bad.status_code == 400 and "variant" in bad.get_json()["error"]


# OpenAPI and the schema

def test_openapi_document_is_valid_and_describes_every_route(app, client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    described = {(path, method.upper()) for path, item in document["paths"].items()
                 for method in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed and routed == described


@pytest.mark.parametrize("table", ["api_token", "evidence", "shown_list", "admin_link_use",
                                   "bind_failure", "spot_check_round", "spot_check_item",
                                   "indicator_tree", "manual_value", "index_month", "index_value"])
def test_migration_matches_the_model(app, table):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if table in str(d)]
    assert differences == []
