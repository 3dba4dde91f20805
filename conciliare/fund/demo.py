"""Demo data of the Solidarity Fund: what the alliance has collected and granted so far.

Made through the services (applications, committee votes, grants), so the demo's ledger holds
real postings. A second committee member can log in (two approvals are needed). A dozen and a
half past grants fill the transparency page beyond the groups-of-five rule; three applications
wait in the committee's queue. The demo employee has none: the walkthrough lets her apply.
Runs once: if the fund has any application, it does nothing.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from conciliare.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD
from conciliare.accounts.models import Membership, MembershipRole, Organization, User
from conciliare.ledger import services as ledger
from conciliare.ledger.models import TransactionKind
from conciliare.reimbursements.demo import receipt_pdf

from .models import FundApplication, HardshipEvent
from .services import ApplicationInput, application_submit, committee_request_info, committee_vote

SECOND_COMMITTEE_EMAIL = f"comitato2@{DEMO_DOMAIN}"
FIRST_COMMITTEE_EMAIL = f"comitato@{DEMO_DOMAIN}"
DEMO_EMPLOYEE_EMAIL = f"dipendente@{DEMO_DOMAIN}"
ENDOWMENT = 2_500_000  # the members' yearly payment into the fund, as the alliance's agreement sets


@dataclass(frozen=True)
class PastCase:
    events: tuple[str, ...]
    isee: int
    household: int
    amount: int


E = HardshipEvent
# Past grants: enough of each of the commonest events for the public figures (groups of five or more).
PAST_CASES = (
    *[PastCase((E.SERIOUS_ILLNESS,), 900_000 + 50_000 * i, 3 + i % 2, 80_000) for i in range(6)],
    *[PastCase((E.JOB_LOSS,), 700_000 + 80_000 * i, 4, 60_000) for i in range(5)],
    *[PastCase((E.NON_SELF_SUFFICIENT,), 1_400_000 + 40_000 * i, 2, 70_000) for i in range(5)],
    PastCase((E.SINGLE_PARENT,), 1_100_000, 2, 50_000),
    PastCase((E.BEREAVEMENT, E.SINGLE_PARENT), 800_000, 3, 90_000),
)
WAITING_CASES = (
    PastCase((E.SERIOUS_ILLNESS, E.NON_SELF_SUFFICIENT), 650_000, 4, 0),
    PastCase((E.JOB_LOSS,), 1_250_000, 3, 0),
    PastCase((E.OTHER,), 2_050_000, 1, 0),
)


def _document() -> tuple[SimpleUploadedFile, str]:
    pdf = receipt_pdf(["Attestazione ISEE (documento dimostrativo)", "Dichiarazione sostitutiva unica"])
    return SimpleUploadedFile("attestazione-isee.pdf", pdf, content_type="application/pdf"), "pdf"


def _second_committee_member(first: User) -> User:
    own = first.memberships.filter(role=MembershipRole.FUND_COMMITTEE).select_related("organization").get()
    # Another member organization of the alliance sits beside the first one (a cooperative beside a union).
    other = Organization.objects.exclude(pk=own.organization_id).filter(name__icontains="Confcooperative").first()
    member, created = User.objects.get_or_create(
        email=SECOND_COMMITTEE_EMAIL,
        defaults={"first_name": "Davide", "last_name": "Pezzotta", "password": make_password(DEMO_PASSWORD)},
    )
    if created:
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        Membership.objects.create(
            user=member,
            organization=other or own.organization,
            role=MembershipRole.FUND_COMMITTEE,
        )
    return member


def _applicants(count: int) -> list[User]:
    """Demo employees other than the walkthrough's, from several companies and districts."""
    return list(
        User.objects.filter(employee_profile__isnull=False, residence_municipality__isnull=False)
        .exclude(email=DEMO_EMPLOYEE_EMAIL)
        .order_by("employee_profile__company_id", "pk")[:count]
    )


def _apply(applicant: User, case: PastCase, description: str) -> FundApplication:
    return application_submit(
        applicant=applicant,
        data=ApplicationInput(
            events=list(case.events),
            household_size=case.household,
            isee=case.isee,
            isee_protocol=f"INPS-ISEE-2026-{applicant.pk:08d}",
            other_description=description if E.OTHER in case.events else "",
            needs=["home_care"] if E.NON_SELF_SUFFICIENT in case.events else ["nursery"],
            needs_description=description,
            consent=True,
        ),
        documents=[_document()],
    )


@transaction.atomic
def seed_demo_fund() -> int:
    """Creates the fund's demo history once; returns how many grants it made."""
    first = User.objects.filter(email=FIRST_COMMITTEE_EMAIL).first()
    if first is None or FundApplication.objects.exists():
        return 0
    second = _second_committee_member(first)
    ledger.transaction_post(
        kind=TransactionKind.CONTRIBUTION,
        legs=[(ledger.world_account(), -ENDOWMENT), (ledger.solidarity_fund_account(), ENDOWMENT)],
        idempotency_key="demo-fund:endowment",
        memo="Quota annuale dei soci dell'alleanza al Fondo di Solidarietà",
    )
    people = iter(_applicants(len(PAST_CASES) + len(WAITING_CASES)))
    made = 0
    for case, applicant in zip(PAST_CASES, people, strict=False):
        application = _apply(applicant, case, "Spese di cura e assistenza in un periodo difficile.")
        for member in (first, second):
            committee_vote(member=member, application_id=application.pk, vote="approve", amount=case.amount)
        made += 1
    waiting = list(zip(WAITING_CASES, people, strict=False))
    for case, applicant in waiting:
        _apply(applicant, case, "Mi servirebbe aiuto per l'assistenza a casa nei prossimi mesi.")
    if waiting:
        last = FundApplication.objects.filter(applicant=waiting[-1][1]).get()
        committee_request_info(
            member=first, application_id=last.pk, message="Allegate per favore l'attestazione ISEE completa."
        )
    return made
