"""The checklist: items from the rules engine, decided against the request."""

import datetime

import pytest
from django.core.files.base import ContentFile

from conciliare.catalogue.tests.factories import PDF_BYTES
from conciliare.plans import fiscal
from conciliare.reimbursements.checklist import Facts, checklist_evaluate, name_tokens
from conciliare.reimbursements.services import reimbursement_check
from conciliare.testing.factories import make_family_member, make_fiscal_code

from .factories import request_details

pytestmark = pytest.mark.django_db

MARCO = make_fiscal_code("Marco", "Bianchi", datetime.date(1980, 1, 1), "M")
REFUNDABLE = ["art51_c2_fbis", "art51_c2_fter", "art51_c2_dbis", "art51_c3_fringe"]


def _results(cast, **overrides) -> dict[str, tuple[bool, str]]:
    results = reimbursement_check(actor=cast.employee_anna, details=request_details(**overrides))
    return {result.id: (result.passed, result.severity) for result in results}


# --- The rules engine -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", fiscal.available_years())
def test_every_year_has_a_checklist_whose_items_cite_the_years_sources(year):
    rules = fiscal.rules_for(year)
    items = rules["reimbursement_checklist"]["items"]
    assert items
    for item in items:
        assert item["check"] in ("automatic", "declared")
        assert item["severity"] in ("block", "warning")
        assert item["text"]["it"] and item["text"]["en"]
        assert item["sources"] and all(source in rules["sources"] for source in item["sources"]), item["id"]
        assert set(item["buckets"]) <= set(rules["buckets"])


def test_the_checklist_of_a_bucket_has_only_its_items():
    fter = [item.id for item in fiscal.reimbursement_checklist(bucket="art51_c2_fter", year=2026)]
    fbis = [item.id for item in fiscal.reimbursement_checklist(bucket="art51_c2_fbis", year=2026)]
    assert "elderly_or_certified" in fter and "elderly_or_certified" not in fbis
    fringe = [item.id for item in fiscal.reimbursement_checklist(bucket="art51_c3_fringe", year=2026)]
    assert "fringe_within_cap" in fringe and "fringe_within_cap" not in fbis
    assert [item.id for item in fiscal.reimbursement_checklist(bucket="art51_c2_f", year=2026)] == [
        "bucket_reimbursable"
    ]


def test_refundable_categories_follow_the_rules():
    child = fiscal.Beneficiary(kind=fiscal.FAMILY, birth_date=datetime.date(2023, 5, 10), fiscally_dependent=True)
    me = fiscal.Beneficiary()
    day = datetime.date(2026, 3, 1)
    assert "nursery" in fiscal.reimbursable_categories(bucket="art51_c2_fbis", beneficiary=child, day=day)
    assert fiscal.reimbursable_categories(bucket="art51_c2_fbis", beneficiary=me, day=day) == []  # family only
    assert fiscal.reimbursable_categories(bucket="art51_c2_f", beneficiary=child, day=day) == []  # never refunds
    assert fiscal.reimbursable_categories(bucket="art51_c3_fringe", beneficiary=me, day=day) == ["utilities"]
    assert fiscal.reimbursable_categories(bucket="art51_c2_dbis", beneficiary=me, day=day) == ["public_transport_pass"]


# --- Who the document is addressed to -------------------------------------------------------------------------


def test_names_are_compared_without_accents_case_or_punctuation():
    assert name_tokens("  nicolò D'Amico-ROSSI ") == {"NICOLO", "D", "AMICO", "ROSSI"}


@pytest.mark.parametrize(
    ("name", "code", "passes"),
    [
        ("Anna Rossi", "", True),  # the employee
        ("ROSSI ANNA", "", True),
        ("Sofia Rossi", "", True),  # the beneficiary
        ("Marco Bianchi", "", False),  # the other parent
        ("Rossi", "", False),  # a surname alone names nobody
        ("Anna Rossi", MARCO, False),  # somebody else's codice fiscale
    ],
)
def test_a_document_addressed_to_someone_else_is_flagged(cast, plan, sofia, name, code, passes):
    results = _results(cast, family_member=sofia, addressed_to_name=name, addressed_to_fiscal_code=code)
    assert results["addressed_to_employee_or_beneficiary"] == (passes, "warning")


def test_the_codice_fiscale_of_the_beneficiary_passes(cast, plan, sofia):
    results = _results(
        cast, family_member=sofia, addressed_to_name="Sofia Rossi", addressed_to_fiscal_code=sofia.fiscal_code.lower()
    )
    assert results["addressed_to_employee_or_beneficiary"] == (True, "warning")


def test_the_employees_answers_about_the_document_are_warnings(cast, plan, sofia):
    results = _results(cast, family_member=sofia, names_beneficiary=False, names_service=False)
    assert results["names_beneficiary"] == (False, "warning")
    assert results["names_service"] == (False, "warning")


# --- f-ter: age or certificate --------------------------------------------------------------------------------


def test_f_ter_for_a_relative_aged_75_or_more_passes(cast, plan, grandpa):
    results = _results(
        cast, bucket="art51_c2_fter", category="home_care", family_member=grandpa, addressed_to_name="Giuseppe Rossi"
    )
    assert results["elderly_or_certified"] == (True, "block")
    assert results["service_for_beneficiary"] == (True, "block")


def test_f_ter_for_a_younger_relative_without_certificate_blocks(cast, plan):
    mother = make_family_member(
        cast.employee_anna,
        first_name="Lucia",
        relationship="parent",
        birth_date=datetime.date(1956, 6, 1),
        non_self_sufficient=True,  # declared, but no certificate uploaded
    )
    results = _results(cast, bucket="art51_c2_fter", category="home_care", family_member=mother)
    assert results["elderly_or_certified"] == (False, "block")
    assert results["service_for_beneficiary"] == (False, "block")


def test_f_ter_with_the_certificate_passes_at_any_age(cast, plan):
    mother = make_family_member(
        cast.employee_anna,
        first_name="Lucia",
        relationship="parent",
        birth_date=datetime.date(1966, 6, 1),
        non_self_sufficient=True,
    )
    mother.non_self_sufficiency_certificate.save("certificato.pdf", ContentFile(PDF_BYTES))
    results = _results(cast, bucket="art51_c2_fter", category="carer", family_member=mother)
    assert results["elderly_or_certified"] == (True, "block")


def test_f_ter_for_the_employee_blocks(cast, plan):
    results = _results(cast, bucket="art51_c2_fter", category="home_care")
    assert results["elderly_or_certified"] == (False, "block")


# --- Buckets, services, dates ---------------------------------------------------------------------------------


def test_letter_f_never_refunds(cast, plan, sofia):
    assert _results(cast, bucket="art51_c2_f", category="nursery", family_member=sofia) == {
        "bucket_reimbursable": (False, "block")
    }


def test_a_service_the_bucket_does_not_pay_blocks(cast, plan, sofia):
    assert _results(cast, bucket="art51_c3_fringe", category="local_food")["service_for_beneficiary"] == (
        False,
        "block",
    )
    assert _results(cast, bucket="art51_c2_fbis", category="nursery")["service_for_beneficiary"] == (False, "block")
    assert _results(cast, bucket="art51_c2_dbis", category="public_transport_pass")["service_for_beneficiary"] == (
        True,
        "block",
    )
    # d-bis pays passes of dependent family members only; Sofia is dependent.
    assert _results(cast, bucket="art51_c2_dbis", category="public_transport_pass", family_member=sofia)[
        "service_for_beneficiary"
    ] == (True, "block")


def test_an_expense_outside_any_active_plan_blocks_and_last_year_is_a_warning(cast, plan, sofia, today):
    last_year = datetime.date(today.year - 1, 12, 15)
    if today.year - 1 not in fiscal.available_years():
        pytest.skip("no rules for last year")
    results = _results(cast, family_member=sofia, expense_date=last_year)
    assert results["within_plan_period"] == (False, "block")
    assert results["same_tax_year"] == (False, "warning")


def test_without_a_plan_the_expense_blocks(cast, sofia):
    assert _results(cast, family_member=sofia)["within_plan_period"] == (False, "block")


def test_fringe_over_the_cap_is_a_warning_before_submission(cast, plan):
    results = _results(cast, bucket="art51_c3_fringe", category="utilities", amount=150_000)
    assert results["fringe_within_cap"] == (False, "warning")
    assert _results(cast, bucket="art51_c3_fringe", category="utilities", amount=5_000)["fringe_within_cap"] == (
        True,
        "warning",
    )


def test_an_item_the_code_does_not_know_is_a_warning_never_a_pass(cast, plan, monkeypatch):
    original = fiscal.reimbursement_checklist

    def with_new_item(*, bucket, year):
        return [
            *original(bucket=bucket, year=year),
            fiscal.ChecklistItem("new_rule", "automatic", "block", "x", "x", ()),
        ]

    monkeypatch.setattr(fiscal, "reimbursement_checklist", with_new_item)
    facts = Facts(
        employee=cast.employee_anna,
        bucket="art51_c2_dbis",
        category="public_transport_pass",
        expense_date=datetime.date.today(),
        amount=100,
        family_member=None,
        addressed_to_name="Anna Rossi",
        addressed_to_fiscal_code="",
        names_beneficiary=True,
        names_service=True,
        today=datetime.date.today(),
    )
    unknown = [result for result in checklist_evaluate(facts) if result.id == "new_rule"]
    assert [(result.passed, result.severity) for result in unknown] == [(False, "warning")]
