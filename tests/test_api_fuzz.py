"""Schemathesis against the API's own document (issue 14, In CI): every operation of
/api/v1/openapi.json, called in-process on the WSGI app with an inspector's and a cadre's
token, must never answer 500, and every answer must match the document (status, headers,
content type, body schema); schema-valid input is accepted, schema-violating input refused.

A fixed seed, derandomized, with a budget of examples per operation that keeps the whole run
under about two minutes here (60 operation × caller runs). Each run starts from the same small
county with a task, its evidence, a deduction and an assessment, so small ids hit real rows.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from conftest import ONE_OFF
from handlers.api.openapi import DOCUMENT
from models import EvidenceKind, session
from models import assessment as assessments
from models import deduction as deductions
from models.evidence import attach

# Bodies that name other rows or depend on the calendar (the template exists and has that
# periodicity, the person belongs to the unit, the day is not after today): the document
# cannot say these (nor "sample_size or sample_percent, one of them"), so a schema-valid body
# may still be refused with a 400 in words.
REFERS_TO_ROWS = ["dispatch", "createDeduction", "changeAssignment", "createNotice",
                  "openSpotCheck",
                  # The index: a month must have ended to be computed and have been computed to
                  # be read; a tree's weights must sum to 100 under each node.
                  "saveIndicatorTree", "getEcoIndex", "computeEcoIndex", "getEcoIndexUnit",
                  "enterManualValue"]
CONFIG = schemathesis.Config.from_dict({
    "seed": 20261201,
    "generation": {"deterministic": True, "max-examples": 20, "database": "none",
                   # An unknown query parameter is ignored (the document says so).
                   "allow-extra-parameters": False},
    "operations": [{
        "include-operation-id": REFERS_TO_ROWS,
        "checks": {"positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]}},
    }],
})


class Target:
    """The WSGI app the cases call: the test's, set when it runs (the schema is built at
    import, before any app exists)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


TARGET = Target()
# The document exactly as GET /openapi.json serves it (test_served_document_is_the_fuzzed_one).
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(DOCUMENT)), config=CONFIG)
schema.app = TARGET


@pytest.fixture
def world(county, make_template, make_assignment, now):
    """The member's task with a summary, a deduction of the township, a first assessment."""
    task = make_assignment(county["member"], make_template(**ONE_OFF, requires_summary=True),
                           period="once", at=now)
    attach(task, EvidenceKind.TEXT, county["member"], now=now, text="召开专题会议，形成纪要。")
    deductions.record(unit=county["township"], points=1, reason="通报批评一次",
                      day=now.date(), actor=county["inspector"], now=now)
    assessments.generate(now.year, actor=county["inspector"], now=now)
    session.commit()
    return county


@pytest.fixture(params=["inspector", "member"])
def caller(request, world):
    return world[request.param]


def test_served_document_is_the_fuzzed_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == json.loads(json.dumps(DOCUMENT))


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one world per run
def test_api_conforms(case, app, caller, token):
    TARGET.app = app
    case.call_and_validate(headers={"Authorization": f"Bearer {token(caller)}"})
    session.rollback()  # the next case reads what the app committed, not this one's cache
