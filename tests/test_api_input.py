"""Bad input through the API (issue 14 §10): numbers, dates and text beyond what the database
and date arithmetic hold are refused at the edge with a 400 in words, never a 500, and leave
nothing half-written. Run on PostgreSQL too: that is where 2^31 and NUL failed."""

import pytest
import sqlalchemy as sa

from conftest import ONE_OFF
from models import Assignment, AuditEvent, Evidence, Instruction, session
from models.deduction import Deduction

BEYOND_INTEGER = 2**31  # PostgreSQL integer columns end at 2^31 − 1
BEYOND_BIGINT = 2**63  # SQLite's integers end at 2^63 − 1


@pytest.fixture
def task(county, make_template, make_assignment, now):
    """The member's own one-off task, dispatched now."""
    return make_assignment(county["member"], make_template(**ONE_OFF), period="once", at=now)


def _refused(response, *words):
    assert response.status_code == 400, (response.status_code, response.get_data(as_text=True))
    error = response.get_json()["error"]
    assert all(word in error for word in words), error
    return error


def _count(model) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("method, path", [
    ("GET", "/assignments/{id}"),
    ("PATCH", "/assignments/{id}"),
    ("POST", "/assignments/{id}/urge"),
    ("GET", "/assignments/{id}/notifications"),
    ("GET", "/evidence/{id}/file"),
    ("GET", "/units/{id}/score"),
    ("POST", "/deductions/{id}/revoke"),
    ("GET", "/assessments/{id}.xlsx"),
])
@pytest.mark.parametrize("big", [BEYOND_INTEGER, BEYOND_BIGINT])
def test_path_ids_beyond_the_column_are_400(api, county, method, path, big):
    response = api(county["inspector"], method, path.format(id=big), json={})
    _refused(response, "编号", "2147483647")


@pytest.mark.parametrize("query", [
    "/assignments?unit={big}", "/assignments?person={big}", "/assignments?offset={big}",
    "/people?unit={big}", "/notifications?person_id={big}", "/notifications?unit_id={big}",
    "/deductions?unit={big}",
])
@pytest.mark.parametrize("big", [BEYOND_INTEGER, BEYOND_BIGINT])
def test_query_ids_beyond_the_column_are_400(api, county, query, big):
    _refused(api(county["inspector"], "GET", query.format(big=big)), "2147483647")


@pytest.mark.parametrize("body", [
    {"template_id": BEYOND_INTEGER, "period": "once"},
    {"template_id": "TEMPLATE", "period": "once", "unit_ids": [BEYOND_BIGINT]},
    {"template_id": "TEMPLATE", "period": "once", "person_ids": [BEYOND_INTEGER]},
])
def test_dispatch_ids_beyond_the_column_are_400(api, county, make_template, body):
    template = make_template(**ONE_OFF)
    body = {key: template.id if value == "TEMPLATE" else value for key, value in body.items()}
    _refused(api(county["inspector"], "POST", "/dispatch", json=body), "2147483647")
    assert _count(Assignment) == 0


def test_reassign_and_deduction_ids_beyond_the_column_are_400(api, county, task):
    inspector = county["inspector"]
    _refused(api(inspector, "PATCH", f"/assignments/{task.id}",
                 json={"person_id": BEYOND_INTEGER}), "person_id", "2147483647")
    deduction = {"unit_id": BEYOND_BIGINT, "points": 1, "reason": "通报批评一次", "day": "2026-11-02"}
    _refused(api(inspector, "POST", "/deductions", json=deduction), "unit_id", "2147483647")
    _refused(api(inspector, "POST", "/deductions",
                 json={**deduction, "unit_id": county["township"].id,
                       "person_id": BEYOND_INTEGER}), "person_id")
    assert _count(Deduction) == 0
    assert session.get(Assignment, task.id).person_id == county["member"].id


@pytest.mark.parametrize("due", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00",
                                 "1999-12-31T17:00:00+08:00"])
@pytest.mark.parametrize("role", ["member", "inspector"])
def test_a_due_time_beyond_the_years_is_400_for_a_cadre_too(api, county, task, due, role):
    """A cadre reached the 500 on their own task: the time is read before who may change it."""
    before = session.get(Assignment, task.id).due_at
    response = api(county[role], "PATCH", f"/assignments/{task.id}", json={"due_at": due})
    _refused(response, "due_at", "2000", "2100")
    assert session.get(Assignment, task.id).due_at == before


@pytest.mark.parametrize("period", ["9999-12", "0001", "1999Q4", "2101-01"])
def test_a_dispatch_period_beyond_the_years_is_400(api, county, make_template, period):
    template = make_template(period="monthly", target_role="member")
    response = api(county["inspector"], "POST", "/dispatch",
                   json={"template_id": template.id, "period": period, "allow_past": True})
    _refused(response, "周期", "2000", "2100")
    assert _count(Assignment) == 0


@pytest.mark.parametrize("query", [
    "/notifications?from=0001-01-01", "/notifications?to=9999-12-31",
    "/units/{unit}/score?as_of=9999-12-31", "/units/{unit}/score?as_of=0001-01-01T00:00:00%2B08:00",
])
def test_query_dates_beyond_the_years_are_400(api, county, query):
    path = query.format(unit=county["township"].id)
    _refused(api(county["inspector"], "GET", path), "2000", "2100")


def test_a_deduction_day_beyond_the_years_is_400(api, county):
    body = {"unit_id": county["township"].id, "points": 1, "reason": "通报批评一次",
            "day": "0001-01-01"}
    _refused(api(county["inspector"], "POST", "/deductions", json=body), "day", "2000")
    assert _count(Deduction) == 0


@pytest.mark.parametrize("text", ["会议\x00纪要", "\ud800会议纪要"])
def test_text_that_no_column_can_store_is_400(api, county, task, text):
    """NUL failed on PostgreSQL (its text cannot hold it); a lone surrogate is not UTF-8."""
    member, inspector = county["member"], county["inspector"]
    _refused(api(member, "POST", f"/assignments/{task.id}/evidence", json={"text": text}),
             "text", "NUL")
    _refused(api(county["secretary"], "POST", f"/assignments/{task.id}/instructions",
                 json={"text": text}), "text")
    _refused(api(inspector, "PATCH", f"/assignments/{task.id}",
                 json={"due_at": "2026-12-31T17:00:00+08:00", "reason": text}), "reason")
    assert _count(Evidence) == 0 and _count(Instruction) == 0
    assert not session.scalars(sa.select(AuditEvent.action)
                               .where(AuditEvent.action == "assignment.extend")).all()


@pytest.mark.parametrize("query", ["/assignments?period=2026%00", "/notifications?name=%00"])
def test_query_text_with_nul_is_400(api, county, query):
    _refused(api(county["inspector"], "GET", query), "NUL")


def test_json_nested_ten_thousand_deep_is_400(api, county):
    deep = "[" * 10_000 + "]" * 10_000
    response = api(county["inspector"], "POST", "/dispatch", data=deep,
                   content_type="application/json")
    _refused(response, "嵌套")


def test_a_repeated_query_parameter_is_400(api, county):
    _refused(api(county["inspector"], "GET", "/people?unit=&unit=1"), "unit", "一次")


def test_only_true_narrows_templates_to_active_ones(api, county):
    assert api(county["inspector"], "GET", "/templates?active=true").status_code == 200
    _refused(api(county["inspector"], "GET", "/templates?active=yes"), "active")


def test_an_integral_number_is_an_integer(api, county):
    """2026.0 is an integer to JSON Schema (the document's `integer`), so it is one here."""
    response = api(county["inspector"], "POST", "/assessments", json={"year": 2026.0})
    assert response.status_code == 201 and response.get_json()["year"] == 2026
    unit = county["township"].id
    by_float = api(county["inspector"], "GET", f"/notifications?unit_id={unit}.0")
    assert by_float.status_code == 200
    assert by_float.get_json() == api(county["inspector"], "GET",
                                      f"/notifications?unit_id={unit}").get_json()
    for shape in ("5.5", "inf", "nan", "1e400"):
        _refused(api(county["inspector"], "GET", f"/notifications?unit_id={shape}"), "unit_id")


def test_405_keeps_its_allow_header(client):
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    assert response.get_json()["error"] == "不支持该操作。"


def test_the_document_states_the_bounds(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"] == {"type": "integer", "minimum": 1,
                                                   "maximum": 2147483647}, path
    dispatch = document["components"]["schemas"]["DispatchRequest"]["properties"]
    assert dispatch["template_id"]["maximum"] == 2147483647
    assert dispatch["unit_ids"]["items"]["maximum"] == 2147483647
