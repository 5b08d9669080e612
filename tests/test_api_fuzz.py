import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from handlers.api.openapi import DOCUMENT
from models import session

# Bodies that name other rows or depend on the calendar (the template exists and has that
# periodicity, the person belongs to the unit, the day is not after today): the document
# cannot say these, so a schema-valid body may still be refused with 400 in words.
REFERS_TO_ROWS = ["dispatch", "createDeduction", "changeAssignment"]
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
    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


TARGET = Target()
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(DOCUMENT)), config=CONFIG)
schema.app = TARGET


@pytest.fixture(params=["inspector", "member"])
def caller(request, county):
    return county[request.param]


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms(case, app, caller, token):
    TARGET.app = app
    case.call_and_validate(headers={"Authorization": f"Bearer {token(caller)}"})
    session.rollback()
