"""Offers of the km-zero catalogue, their photos and schedule, and the signals of what is missing."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from conciliare.core.models import TimeStampedModel
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import Municipality

from .categories import Category


class OfferKind(models.TextChoices):
    SERVICE = "service", _("service")
    PRODUCT = "product", _("product")


class Unit(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    SESSION = "session", _("per session")
    PIECE = "piece", _("per piece")


class CancellationPolicy(models.TextChoices):
    FLEXIBLE = "flexible", _("Free cancellation up to 48 hours before the start")
    MODERATE = "moderate", _("Free cancellation up to 7 days before the start, then half refunded")
    STRICT = "strict", _("Free cancellation up to 14 days before the start, then no refund")


# Hours before the start within which a cancellation is free, and the share refunded after it.
CANCELLATION_TERMS: dict[str, tuple[int, int]] = {
    CancellationPolicy.FLEXIBLE: (48, 0),
    CancellationPolicy.MODERATE: (7 * 24, 50),
    CancellationPolicy.STRICT: (14 * 24, 0),
}

VAT_RATES = ("0.00", "4.00", "5.00", "10.00", "22.00")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Offer(TimeStampedModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("kind"), max_length=10, choices=OfferKind.choices, default=OfferKind.SERVICE)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, db_index=True)
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"))
    origin = models.CharField(
        _("origin"), max_length=200, blank=True, help_text=_("For products: where and by whom it is made or grown.")
    )
    price = models.PositiveIntegerField(_("price with VAT (cents)"))
    # Decimal choices: the field cleans a value to a Decimal before comparing it with them.
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=4, decimal_places=2, choices=[(Decimal(rate), f"{rate} %") for rate in VAT_RATES]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    min_age_months = models.PositiveSmallIntegerField(_("minimum age (months)"), null=True, blank=True)
    max_age_months = models.PositiveSmallIntegerField(_("maximum age (months)"), null=True, blank=True)
    home_service = models.BooleanField(_("delivered at home"), default=False)
    # False: the offer serves only `served_municipalities`, a part of the supplier's area.
    whole_area = models.BooleanField(_("serves the supplier's whole area"), default=True)
    served_municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("municipalities served")
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("How many people it can take at the same time.")
    )
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=10,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.FLEXIBLE,
    )
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Words the search looks in (title, description, origin, supplier, category), kept by the service.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["title"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["status", "category"], name="offer_status_category")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="offer_price_positive"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="offer_category_valid"),
            models.CheckConstraint(
                condition=Q(min_age_months__isnull=True)
                | Q(max_age_months__isnull=True)
                | Q(min_age_months__lte=F("max_age_months")),
                name="offer_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OfferPhoto(models.Model):
    """A photo re-encoded by the platform (never the uploaded bytes), served through a view."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="catalogue/photos/%Y/")
    thumbnail = models.FileField(upload_to="catalogue/thumbnails/%Y/")
    alt_text = models.CharField(_("description of the photo"), max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt_text


class OfferSession(models.Model):
    """A dated session or time slot with a number of seats (a week of CRE, a swimming lesson...)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="sessions")
    label = models.CharField(_("label"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1), MaxValueValidator(10_000)])
    # Kept by bookings under a row lock; the constraint makes overbooking impossible even for a buggy writer.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(seats_taken__lte=F("seats")), name="session_not_overbooked"),
            models.CheckConstraint(condition=Q(seats__gt=0), name="session_seats_positive"),
        ]
        indexes = [models.Index(fields=["offer", "starts_at"], name="session_offer_start")]

    def __str__(self) -> str:
        return self.label or str(self.starts_at)

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken


class SignalKind(models.TextChoices):
    SUPPLIER_WANTED = "supplier_wanted", _("a supplier I would like on the platform")
    UNMET_NEED = "unmet_need", _("a need no offer covers")


class SignalStatus(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("being handled")
    DONE = "done", _("handled")
    DISMISSED = "dismissed", _("dismissed")


class Signal(TimeStampedModel):
    """What people ask for: a supplier they would like, or a need nothing covers. Feeds the gap analysis."""

    kind = models.CharField(_("kind"), max_length=20, choices=SignalKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signals")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="signals")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, blank=True)
    supplier_name = models.CharField(_("supplier's name"), max_length=200, blank=True)
    description = models.TextField(_("why, or what is needed"))
    status = models.CharField(_("status"), max_length=12, choices=SignalStatus.choices, default=SignalStatus.NEW)
    operator_note = models.TextField(_("operator's note"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=SignalKind.SUPPLIER_WANTED) | ~Q(supplier_name=""),
                name="signal_supplier_named",
            )
        ]

    def __str__(self) -> str:
        return self.supplier_name or self.description[:60]
