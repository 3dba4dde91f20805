"""Suppliers of the alliance and the ethical charter (Carta etica) they sign.

A supplier is the supplier side of an `Organization`: a member company can be a
supplier too, with the same organization. It may publish and sell only while it
is approved, has signed the charter version in force and has an unexpired DURC
(see `eligibility.py`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from conciliare.accounts.models import Organization
from conciliare.core.models import TimeStampedModel
from conciliare.territory.models import Municipality


class CharterVersion(models.Model):
    """One published version of the Carta etica. Versions are never edited: a change is a new version."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    fund_contribution_percent = models.DecimalField(
        _("Solidarity Fund contribution (per cent of each sale)"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("ethical charter version")
        verbose_name_plural = _("ethical charter versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(fund_contribution_percent__gte=0) & Q(fund_contribution_percent__lte=20),
                name="charter_fund_percent_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class CommitmentKind(models.TextChoices):
    SOLIDARITY_FUND = "solidarity_fund", _("Solidarity Fund")
    EMPLOYMENT = "employment", _("regular employment")
    ENVIRONMENT = "environment", _("environment")
    TERRITORY = "territory", _("territory")
    PRODUCT_ORIGIN = "product_origin", _("product origin")


class CharterCommitment(models.Model):
    """An explicit commitment of a charter version; the signer accepts each one."""

    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=32, choices=CommitmentKind.choices)
    text = models.TextField(_("commitment"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("charter commitment")
        verbose_name_plural = _("charter commitments")

    def __str__(self) -> str:
        return self.text


class CharterSignature(models.Model):
    """Who signed which version for which organization, when and from where. Never changed."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="charter_signatures")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="signatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("charter signature")
        verbose_name_plural = _("charter signatures")
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="charter_signed_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.version}"


class SupplierStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting review")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ServiceAreaMode(models.TextChoices):
    RADIUS = "radius", _("within a radius of the registered office")
    MUNICIPALITIES = "municipalities", _("listed municipalities")


class Supplier(TimeStampedModel):
    """The supplier side of an organization: its application, review state and service area."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="supplier")
    status = FSMField(_("status"), max_length=20, choices=SupplierStatus.choices, default=SupplierStatus.SUBMITTED)
    description = models.TextField(_("who we are"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    home_service = models.BooleanField(_("serves at home"), default=False)
    area_mode = models.CharField(
        _("service area"), max_length=16, choices=ServiceAreaMode.choices, default=ServiceAreaMode.RADIUS
    )
    service_radius_km = models.PositiveSmallIntegerField(
        _("radius (km)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Always holds the municipalities served: listed ones, or those within the radius (kept by the service).
    served_municipalities = models.ManyToManyField(
        Municipality, related_name="served_by_suppliers", verbose_name=_("municipalities served")
    )
    categories = models.JSONField(_("categories"), default=list)
    durc_expires_on = models.DateField(_("DURC valid until"))
    durc_document = models.FileField(_("DURC document"), upload_to="suppliers/durc/%Y/")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SupplierStatus.values), name="supplier_status_valid"),
            models.CheckConstraint(
                condition=~Q(area_mode=ServiceAreaMode.RADIUS) | Q(service_radius_km__isnull=False),
                name="supplier_radius_when_radius_mode",
            ),
        ]

    def __str__(self) -> str:
        return self.organization.name

    # Transitions: the only way the status changes (services call them and save).
    @transition(field=status, source=SupplierStatus.SUBMITTED, target=SupplierStatus.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=SupplierStatus.SUBMITTED, target=SupplierStatus.CHANGES_REQUESTED)
    def request_changes(self) -> None:
        pass

    @transition(field=status, source=SupplierStatus.SUBMITTED, target=SupplierStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(
        field=status,
        source=[SupplierStatus.CHANGES_REQUESTED, SupplierStatus.REJECTED],
        target=SupplierStatus.SUBMITTED,
    )
    def resubmit(self) -> None:
        pass


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    REJECTED = "rejected", _("rejected")
    DURC_RENEWED = "durc_renewed", _("DURC renewed")


class SupplierReviewEvent(models.Model):
    """The history of an application: every submission and decision, with its reason."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="review_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=20, choices=ReviewDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self) -> str:
        return f"{self.supplier} — {self.get_decision_display()}"
