"""Schemathesis on the reimbursement operations, with real ids: never a 5xx, always the documented shapes.

The project-wide fuzzing (api/tests/test_schemathesis.py) reaches these operations with ids that do not
exist; here the path parameter points at a real request of Anna, so generated requests get past the 404.
"""

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from conciliare.api.tests.test_schemathesis import error_responses_use_the_one_format, same_connection  # noqa: F401

from .factories import request_details, submit

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
FUZZ = settings(
    max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, error_responses_use_the_one_format]


def _call(case: Any, user: Any, cast: Any, sofia: Any) -> Any:
    # Each example starts from the same data: Anna's request is made and undone with the example.
    savepoint = transaction.savepoint()
    try:
        request = submit(cast.employee_anna, request_details(family_member=sofia))
        parameters = case.path_parameters or {}
        if isinstance(parameters.get("reimbursement_id"), int):
            parameters["reimbursement_id"] = request.pk
        token = Token.objects.get_or_create(user=user)[0]
        return case.call(headers={"Authorization": f"Token {token.key}"})
    finally:
        transaction.savepoint_rollback(savepoint)


@schema.include(path_regex=r"^/api/v1/reimbursements/").parametrize()
@FUZZ
@pytest.mark.django_db
def test_reimbursements_api_as_the_employee(case, cast, plan, sofia, same_connection):  # noqa: F811
    response = _call(case, cast.employee_anna, cast, sofia)
    case.validate_response(response, checks=CHECKS)


@schema.include(path_regex=r"^/api/v1/reimbursements/").parametrize()
@FUZZ
@pytest.mark.django_db
def test_reimbursements_api_as_the_operator(case, cast, plan, sofia, same_connection):  # noqa: F811
    response = _call(case, cast.operator_olga, cast, sofia)
    case.validate_response(response, checks=CHECKS)
