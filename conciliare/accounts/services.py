"""Writes about people and organizations. Views call these; nothing else writes."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from conciliare.core.errors import ApplicationError, Conflict
from conciliare.core.models import AccessLog
from conciliare.core.services import access_log_record, client_ip

from .models import (
    MEMBERSHIP_REQUIRES_ORGANIZATION_ROLE,
    DependentChildrenDeclaration,
    FamilyMember,
    Membership,
    Organization,
    OrganizationRoleAssignment,
    Relationship,
    User,
)
from .validators import normalize_vat_number

HEALTH_FIELDS = ("non_self_sufficient", "disability", "non_self_sufficiency_certificate")


def _validated(instance: Any) -> Any:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(_("The data is not valid."), fields=error.message_dict) from error
    return instance


@transaction.atomic
def organization_create(
    *, name: str, municipality: Any, roles: list[str], vat_number: str | None = None, **fields: Any
) -> Organization:
    organization = Organization(
        name=name,
        municipality=municipality,
        vat_number=normalize_vat_number(vat_number) if vat_number else None,
        **fields,
    )
    _validated(organization).save()
    for role in sorted(set(roles)):
        OrganizationRoleAssignment.objects.create(organization=organization, role=role)
    return organization


@transaction.atomic
def membership_add(*, user: User, organization: Organization, role: str) -> Membership:
    allowed = MEMBERSHIP_REQUIRES_ORGANIZATION_ROLE.get(role)
    if allowed is None:
        raise ApplicationError(_("Unknown role."))
    plays = set(organization.roles.values_list("role", flat=True))
    if not plays & allowed:
        raise ApplicationError(
            _("%(organization)s does not play a role that allows this membership.") % {"organization": organization}
        )
    membership, _created = Membership.objects.get_or_create(user=user, organization=organization, role=role)
    return membership


def profile_update(*, user: User, data: dict[str, Any]) -> User:
    for name, value in data.items():
        setattr(user, name, value)
    user.save(update_fields=list(data))
    return user


def _log_health_change(*, actor: User, member: FamilyMember, action: str, request: HttpRequest | None) -> None:
    access_log_record(actor=actor, action=action, obj=member, subject_user_id=member.user_id, request=request)


@transaction.atomic
def family_member_save(*, actor: User, member: FamilyMember, request: HttpRequest | None = None) -> FamilyMember:
    """Creates or updates a family member of `actor`; health data changes are logged."""
    if member.user_id != actor.pk:
        raise ApplicationError(_("You can only change your own family."))
    creating = member.pk is None
    old_certificate = None
    if not creating:
        old_certificate = FamilyMember.objects.get(pk=member.pk).non_self_sufficiency_certificate
    member.save()
    if old_certificate and old_certificate.name != member.non_self_sufficiency_certificate.name:
        name, storage = old_certificate.name or "", old_certificate.storage
        transaction.on_commit(lambda: storage.delete(name))
    if member.non_self_sufficient or member.disability or not creating:
        _log_health_change(
            actor=actor,
            member=member,
            action=AccessLog.Action.CREATE if creating else AccessLog.Action.UPDATE,
            request=request,
        )
    return member


@transaction.atomic
def _has_history(member: FamilyMember) -> bool:
    """Whether purchases or reimbursements name this person (they protect the row)."""
    related = [
        relation
        for relation in FamilyMember._meta.get_fields(include_hidden=True)  # hidden: related_name="+"
        if relation.one_to_many and getattr(relation, "on_delete", None) is models.PROTECT
    ]
    return any(
        relation.related_model._default_manager.filter(**{relation.field.name: member}).exists()  # type: ignore[union-attr]
        for relation in related
    )


def family_member_delete(*, actor: User, member: FamilyMember, request: HttpRequest | None = None) -> None:
    if member.user_id != actor.pk:
        raise ApplicationError(_("You can only change your own family."))
    if _has_history(member):
        raise Conflict(
            _(
                "%(name)s has bookings, orders or reimbursement requests: they must keep saying for whom they were,"
                " so this family member cannot be removed."
            )
            % {"name": member.first_name}
        )
    _log_health_change(actor=actor, member=member, action=AccessLog.Action.DELETE, request=request)
    certificate = member.non_self_sufficiency_certificate
    if certificate:
        name, storage = certificate.name or "", certificate.storage
        transaction.on_commit(lambda: storage.delete(name))
    member.delete()


def certificate_open(*, actor: User, member: FamilyMember, request: HttpRequest | None = None) -> Any:
    """Opens a health certificate for reading, and records who read it."""
    if member.user_id != actor.pk or not member.non_self_sufficiency_certificate:
        raise ApplicationError(_("Document not found."))
    access_log_record(
        actor=actor, action=AccessLog.Action.DOWNLOAD, obj=member, subject_user_id=member.user_id, request=request
    )
    return member.non_self_sufficiency_certificate.open("rb")


def dependent_children(user: User) -> list[FamilyMember]:
    return list(FamilyMember.objects.filter(user=user, relationship=Relationship.CHILD, fiscally_dependent=True))


@transaction.atomic
def dependent_declaration_sign(
    *, user: User, tax_year: int, statement: str, request: HttpRequest | None = None
) -> DependentChildrenDeclaration:
    """Records the self-declaration for the year, replacing (withdrawing) an earlier one."""
    children = dependent_children(user)
    if not children:
        raise ApplicationError(_("Mark at least one child as fiscally dependent before declaring."))
    now = timezone.now()
    DependentChildrenDeclaration.objects.select_for_update().filter(
        user=user, tax_year=tax_year, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    return DependentChildrenDeclaration.objects.create(
        user=user,
        tax_year=tax_year,
        children=[
            {
                "first_name": c.first_name,
                "last_name": c.last_name,
                "fiscal_code": c.fiscal_code,
                "birth_date": c.birth_date.isoformat(),
            }
            for c in children
        ],
        statement=statement,
        ip_address=client_ip(request),
    )


@transaction.atomic
def dependent_declaration_withdraw(*, user: User, tax_year: int) -> int:
    return DependentChildrenDeclaration.objects.filter(user=user, tax_year=tax_year, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


@transaction.atomic
def api_token_regenerate(*, user: User) -> Token:
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
