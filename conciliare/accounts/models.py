import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conciliare.core.models import TimeStampedModel
from conciliare.territory.models import Municipality

from .validators import validate_fiscal_code, validate_vat_number

FISCAL_CODE_PATTERN = r"^[A-Z0-9]{16}$"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with e-mail. Without a membership, a citizen.

    Identity data (names, codice fiscale, birth date, residence) belongs to the
    person, not to an employment: a citizen buying with own money has it too.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    fiscal_code = models.CharField(
        _("codice fiscale"), max_length=16, unique=True, null=True, blank=True, validators=[validate_fiscal_code]
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    residence_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality of residence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)  # type: ignore[assignment]
    is_staff = models.BooleanField(_("can use the admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            models.CheckConstraint(
                condition=Q(fiscal_code__isnull=True) | Q(fiscal_code__regex=FISCAL_CODE_PATTERN),
                name="user_fiscal_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.email


class OrganizationRole(models.TextChoices):
    CLIENT_COMPANY = "client_company", _("client company")
    SUPPLIER = "supplier", _("supplier")
    OPERATOR = "operator", _("platform operator")
    PUBLIC_BODY = "public_body", _("public body")
    UNION = "union", _("trade union")
    TRADE_ASSOCIATION = "trade_association", _("trade association")
    COOPERATIVE = "cooperative", _("cooperative")


class Organization(TimeStampedModel):
    """Any body in the alliance: company, supplier, district, union, cooperative..."""

    name = models.CharField(_("name"), max_length=200)
    vat_number = models.CharField(
        _("partita IVA"), max_length=11, unique=True, null=True, blank=True, validators=[validate_vat_number]
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    alliance_member = models.BooleanField(
        _("member of the alliance"), default=True, help_text=_("Has signed the alliance's territorial agreement.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_number__isnull=True) | Q(vat_number__regex=r"^[0-9]{11}$"),
                name="organization_vat_number_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def plays(self, role: str) -> bool:
        return any(item.role == role for item in self.roles.all())


class OrganizationRoleAssignment(models.Model):
    """A role an organization plays; one organization may play several."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=OrganizationRole.choices)

    class Meta:
        verbose_name = _("organization role")
        verbose_name_plural = _("organization roles")
        constraints = [
            models.UniqueConstraint(fields=["organization", "role"], name="organization_role_once"),
            models.CheckConstraint(condition=Q(role__in=OrganizationRole.values), name="organization_role_valid"),
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class MembershipRole(models.TextChoices):
    EMPLOYEE = "employee", _("employee")
    HR_MANAGER = "hr_manager", _("HR manager")
    SUPPLIER_STAFF = "supplier_staff", _("supplier staff")
    OPERATOR_ADMIN = "operator_admin", _("operator administrator")
    FUND_COMMITTEE = "fund_committee", _("Solidarity Fund committee member")
    CONSULTANT = "consultant", _("welfare consultant")
    MONITORING = "monitoring", _("territorial monitoring (public body)")


# Which role an organization must play for a membership role to make sense.
MEMBERSHIP_REQUIRES_ORGANIZATION_ROLE: dict[str, set[str]] = {
    MembershipRole.EMPLOYEE: {OrganizationRole.CLIENT_COMPANY},
    MembershipRole.HR_MANAGER: {OrganizationRole.CLIENT_COMPANY},
    MembershipRole.SUPPLIER_STAFF: {OrganizationRole.SUPPLIER},
    MembershipRole.OPERATOR_ADMIN: {OrganizationRole.OPERATOR},
    MembershipRole.FUND_COMMITTEE: set(OrganizationRole.values),
    MembershipRole.CONSULTANT: set(OrganizationRole.values),
    MembershipRole.MONITORING: {
        OrganizationRole.PUBLIC_BODY,
        OrganizationRole.UNION,
        OrganizationRole.TRADE_ASSOCIATION,
        OrganizationRole.OPERATOR,
    },
}

# Roles that see other people's data or money: a second factor is required.
MFA_ROLES = {MembershipRole.OPERATOR_ADMIN, MembershipRole.HR_MANAGER, MembershipRole.FUND_COMMITTEE}


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=MembershipRole.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_role_once"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class ContractCategory(models.TextChoices):
    """Homogeneous employee categories (welfare plans are offered to categories)."""

    WORKERS = "operai", _("blue-collar workers (operai)")
    CLERKS = "impiegati", _("clerical staff (impiegati)")
    MIDDLE_MANAGERS = "quadri", _("middle managers (quadri)")
    EXECUTIVES = "dirigenti", _("executives (dirigenti)")
    APPRENTICES = "apprendisti", _("apprentices (apprendisti)")


class EmployeeProfile(TimeStampedModel):
    """The employment of a person at a client company."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee_profile")
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="employees")
    workplace_municipality = models.ForeignKey(
        Municipality, verbose_name=_("workplace"), on_delete=models.PROTECT, related_name="employeeprofile_workplace"
    )
    contract_category = models.CharField(_("contract category"), max_length=16, choices=ContractCategory.choices)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    shift_worker = models.BooleanField(_("works shifts"), default=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("employee profile")
        verbose_name_plural = _("employee profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_category__in=ContractCategory.values), name="employee_contract_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"


class Relationship(models.TextChoices):
    CHILD = "child", _("child")
    SPOUSE = "spouse", _("spouse or civil partner")
    PARTNER = "partner", _("cohabiting partner")
    PARENT = "parent", _("parent")
    PARENT_IN_LAW = "parent_in_law", _("parent-in-law")
    SIBLING = "sibling", _("brother or sister")
    GRANDPARENT = "grandparent", _("grandparent")
    OTHER = "other", _("other relative")


def certificate_upload_to(instance: "FamilyMember", filename: str) -> str:
    # The original name may carry personal data: keep only the extension.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"certificates/{instance.user_id}/{timezone.now():%Y%m%d%H%M%S%f}.{extension}"


class FamilyMember(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_members")
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    fiscal_code = models.CharField(_("codice fiscale"), max_length=16, validators=[validate_fiscal_code])
    birth_date = models.DateField(_("birth date"))
    fiscally_dependent = models.BooleanField(_("fiscally dependent"), default=False)
    non_self_sufficient = models.BooleanField(_("not self-sufficient"), default=False)
    non_self_sufficiency_certificate = models.FileField(
        _("certificate of non-self-sufficiency"), upload_to=certificate_upload_to, blank=True
    )
    disability = models.BooleanField(_("disability"), default=False)

    class Meta:
        ordering = ["birth_date"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.UniqueConstraint(fields=["user", "fiscal_code"], name="family_member_once_per_user"),
            models.CheckConstraint(
                condition=Q(fiscal_code__regex=FISCAL_CODE_PATTERN), name="family_fiscal_code_format"
            ),
            models.CheckConstraint(condition=Q(relationship__in=Relationship.values), name="family_relationship_valid"),
            models.CheckConstraint(
                condition=Q(non_self_sufficient=True) | Q(non_self_sufficiency_certificate=""),
                name="family_certificate_only_if_non_self_sufficient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date | None = None) -> int:
        day = day or timezone.localdate()
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class DependentChildrenDeclaration(models.Model):
    """The employee's self-declaration that these children are fiscally dependent.

    It raises the fringe-benefit cap for the tax year (TUIR art. 51 c.3). It is
    kept as signed: a change withdraws it and a new one is made.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dependent_declarations")
    tax_year = models.PositiveSmallIntegerField(_("tax year"))
    children = models.JSONField(_("children declared"), help_text=_("Name, codice fiscale and share of each child."))
    statement = models.TextField(_("statement signed"))
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-tax_year", "-declared_at"]
        verbose_name = _("declaration of dependent children")
        verbose_name_plural = _("declarations of dependent children")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tax_year"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_dependent_declaration_per_year",
            ),
            models.CheckConstraint(
                condition=Q(tax_year__gte=2000, tax_year__lte=2100), name="declaration_tax_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.tax_year}"


class EmployeeImport(models.Model):
    """An uploaded employee file: first previewed, then committed all at once."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("to be confirmed")
        COMMITTED = "committed", _("imported")
        DISCARDED = "discarded", _("discarded")

    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="employee_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW)
    valid_rows = models.JSONField(_("valid rows"), default=list)
    row_errors = models.JSONField(_("rows with errors"), default=list)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("people created"), default=0)
    updated_count = models.PositiveIntegerField(_("people updated"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("employee import")
        verbose_name_plural = _("employee imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["preview", "committed", "discarded"]), name="import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="committed", committed_at__isnull=False) | ~Q(status="committed"),
                name="import_committed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
