"""Employee import: upload → preview (nothing changes) → commit (all valid rows, atomically)."""

import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.accounts.models import (
    EmployeeImport,
    EmployeeProfile,
    Membership,
    MembershipRole,
    Organization,
    User,
)
from conciliare.accounts.tasks import send_employee_invitations
from conciliare.core.errors import ApplicationError, Conflict

from .reading import read_employee_table
from .validation import validate_employee_rows


def employee_import_preview(*, company: Organization, actor: User, upload: UploadedFile) -> EmployeeImport:
    """Reads and checks the file; stores the outcome for review. Changes no person.

    Raises `ImportFileError` when the file as a whole cannot be used.
    """
    table = read_employee_table(upload)
    results = validate_employee_rows(company=company, rows=table.rows)
    return EmployeeImport.objects.create(
        company=company,
        uploaded_by=actor,
        file_name=(upload.name or "file")[:255],
        valid_rows=[
            {"line": r.line, "values": r.values, "cleaned": r.cleaned, "warnings": r.warnings}
            for r in results
            if not r.errors
        ],
        row_errors=[{"line": r.line, "values": r.values, "errors": r.errors} for r in results if r.errors],
    )


def _apply_row(*, company: Organization, cleaned: dict[str, Any]) -> tuple[User, bool]:
    user = User.objects.filter(fiscal_code=cleaned["fiscal_code"]).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(
            email=cleaned["email"],
            first_name=cleaned["first_name"],
            last_name=cleaned["last_name"],
            fiscal_code=cleaned["fiscal_code"],
            birth_date=datetime.date.fromisoformat(cleaned["birth_date"]),
            residence_municipality_id=cleaned["residence_id"],
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    else:
        user.first_name = cleaned["first_name"]
        user.last_name = cleaned["last_name"]
        if cleaned["residence_id"]:
            user.residence_municipality_id = cleaned["residence_id"]
        user.save(update_fields=["first_name", "last_name", "residence_municipality"])
    EmployeeProfile.objects.update_or_create(
        user=user,
        defaults={
            "company": company,
            "workplace_municipality_id": cleaned["workplace_id"],
            "contract_category": cleaned["category"],
            "hire_date": datetime.date.fromisoformat(cleaned["hire_date"]) if cleaned["hire_date"] else None,
        },
    )
    Membership.objects.get_or_create(user=user, organization=company, role=MembershipRole.EMPLOYEE)
    return user, created


@transaction.atomic
def employee_import_commit(*, employee_import: EmployeeImport, actor: User) -> EmployeeImport:
    """Imports every valid row or none. Re-checks the rows against today's data.

    Re-importing the same people updates them (matched by codice fiscale), so a
    retried or repeated import creates no duplicates. New people get an
    invitation e-mail once the transaction has committed.
    """
    locked = EmployeeImport.objects.select_for_update().get(pk=employee_import.pk)
    if locked.status != EmployeeImport.Status.PREVIEW:
        raise Conflict(_("This import has already been confirmed or discarded."))
    if not locked.valid_rows:
        raise ApplicationError(_("There is no valid row to import."))
    recheck = validate_employee_rows(
        company=locked.company, rows=[(row["line"], row["values"]) for row in locked.valid_rows]
    )
    changed = [r for r in recheck if r.errors]
    if changed:
        raise Conflict(
            _("Some rows are no longer valid (for example row %(line)s: %(error)s). Upload the file again.")
            % {"line": changed[0].line, "error": changed[0].errors[0]}
        )
    created_ids: list[int] = []
    updated = 0
    for result in recheck:
        user, created = _apply_row(company=locked.company, cleaned=result.cleaned)
        if created:
            created_ids.append(user.pk)
        else:
            updated += 1
    locked.status = EmployeeImport.Status.COMMITTED
    locked.committed_at = timezone.now()
    locked.created_count = len(created_ids)
    locked.updated_count = updated
    locked.save(update_fields=["status", "committed_at", "created_count", "updated_count"])
    if created_ids:
        transaction.on_commit(
            lambda: send_employee_invitations.enqueue(user_ids=created_ids, company_id=locked.company_id)
        )
    return locked


@transaction.atomic
def employee_import_discard(*, employee_import: EmployeeImport, actor: User) -> EmployeeImport:
    locked = EmployeeImport.objects.select_for_update().get(pk=employee_import.pk)
    if locked.status != EmployeeImport.Status.PREVIEW:
        raise Conflict(_("This import has already been confirmed or discarded."))
    locked.status = EmployeeImport.Status.DISCARDED
    locked.save(update_fields=["status"])
    return locked
