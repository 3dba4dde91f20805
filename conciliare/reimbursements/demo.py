"""Demo data of the reimbursements context: a few requests of the demo employee, in several states.

Made through the services (submission, review), so the demo's ledger holds the real postings.
Runs once: if the demo employee already has a request, it does nothing.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from conciliare.accounts.models import FamilyMember, MembershipRole, User

from .models import ReimbursementRequest
from .services import APPROVE, REJECT, REQUEST_CHANGES, RequestDetails, reimbursement_review, reimbursement_submit

DEMO_EMPLOYEE_EMAIL = "dipendente@demo.conciliare.it"
DEMO_OPERATOR_EMAIL = "gestore@demo.conciliare.it"
DEMO_YEAR = 2026  # the demo plan's year


def receipt_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text (Latin-1), enough for a viewer to show a receipt."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 60 780 Td 16 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _day(month: int, day: int, today: datetime.date) -> datetime.date:
    return min(datetime.date(DEMO_YEAR, month, day), today)


def _pdf(name: str, *lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, receipt_pdf(list(lines)), content_type="application/pdf")


@transaction.atomic
def seed_demo_reimbursements() -> int:
    """Creates the demo requests once; returns how many it created."""
    employee = User.objects.filter(email=DEMO_EMPLOYEE_EMAIL, employee_profile__isnull=False).first()
    operator = User.objects.filter(email=DEMO_OPERATOR_EMAIL, memberships__role=MembershipRole.OPERATOR_ADMIN).first()
    today = timezone.localdate()
    if employee is None or operator is None or today.year < DEMO_YEAR:
        return 0
    if ReimbursementRequest.objects.filter(employee=employee).exists():
        return 0
    children = list(FamilyMember.objects.filter(user=employee, relationship="child").order_by("-birth_date"))
    if len(children) < 2:
        return 0
    younger, older = children[0], children[1]
    me = employee.full_name
    made = []

    def ask(details: RequestDetails, *lines: str) -> ReimbursementRequest:
        request = reimbursement_submit(
            actor=employee, details=details, receipt=_pdf("ricevuta.pdf", *lines), today=today
        )
        made.append(request)
        return request

    # 1. Nursery fees of the younger child: approved, the credit moved to the payroll payable.
    nursery = ask(
        RequestDetails(
            bucket="art51_c2_fbis",
            category="nursery",
            amount=18_000,
            expense_date=_day(3, 5, today),
            family_member=younger,
            addressed_to_name=me,
            names_beneficiary=True,
            names_service=True,
            description="Retta di febbraio dell'asilo nido.",
        ),
        "Asilo Nido Comunale - ricevuta n. 214",
        f"Ricevuto da: {me}",
        f"Per: retta asilo nido di {younger.first_name} {younger.last_name}, febbraio",
        "Importo: 180,00 euro",
    )
    reimbursement_review(actor=operator, request=nursery, decision=APPROVE, today=today)

    # 2. Summer camp of the older child, receipt addressed to the other parent: waiting, flagged.
    ask(
        RequestDetails(
            bucket="art51_c2_fbis",
            category="summer_camp",
            amount=9_500,
            expense_date=_day(7, 14, today),
            family_member=older,
            addressed_to_name="Marco Bianchi",
            names_beneficiary=True,
            names_service=True,
        ),
        "Parrocchia San Martino - CRE estivo",
        "Ricevuto da: Marco Bianchi",
        f"Iscrizione al CRE di {older.first_name}, due settimane di luglio",
        "Importo: 95,00 euro",
    )

    # 3. The electricity bill: the reviewer asks for the whole bill, not the payment slip.
    bill = ask(
        RequestDetails(
            bucket="art51_c3_fringe",
            category="utilities",
            amount=7_340,
            expense_date=_day(9, 30, today),
            family_member=None,
            addressed_to_name=me,
            names_beneficiary=True,
            names_service=False,
        ),
        "Ricevuta di pagamento bolletta",
        f"Intestatario: {me}",
        "Importo: 73,40 euro",
    )
    reimbursement_review(
        actor=operator,
        request=bill,
        decision=REQUEST_CHANGES,
        reason="Serve la bolletta completa (con il periodo e l'indirizzo di fornitura), non solo la ricevuta.",
        today=today,
    )

    # 4. School canteen tickets: rejected, with the reason the employee reads.
    canteen = ask(
        RequestDetails(
            bucket="art51_c2_fbis",
            category="school_canteen",
            amount=4_200,
            expense_date=_day(10, 10, today),
            family_member=older,
            addressed_to_name=me,
            names_beneficiary=False,
            names_service=True,
        ),
        "Comune - servizio mensa scolastica",
        f"Pagato da: {me}",
        "Buoni pasto mensa, ottobre",
        "Importo: 42,00 euro",
    )
    reimbursement_review(
        actor=operator,
        request=canteen,
        decision=REJECT,
        reason="Il documento non indica chi ha usato il servizio: la stessa spesa è già stata rimborsata in ottobre.",
        today=today,
    )
    return len(made)
