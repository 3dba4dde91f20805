"""Buying: carts, checkouts, orders and their lines (bookings), vouchers, contributions, settlements.

Amounts are integer cents. Money never moves here: `services.py` moves it through the
ledger and records here what was bought, by whom, for whom and in which state it is.
State fields are django-fsm transitions, so an illegal change raises instead of saving.
"""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from conciliare.accounts.models import FamilyMember
from conciliare.catalogue.models import Offer, OfferKind, OfferSession
from conciliare.core.models import TimeStampedModel
from conciliare.ledger.models import Entry, Hold, LedgerAccount, LedgerTransaction
from conciliare.suppliers.models import Supplier

MAX_QUANTITY = 99


class Cart(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart of {self.user_id}"


class CartLine(models.Model):
    """Not financial: a wish, removed at checkout. `member` empty means the buyer themself."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(OfferSession, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="cart_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.offer_id}"


class PaymentMethod(models.TextChoices):
    NONE = "none", _("nothing to pay: welfare credit covers it all")
    BANK_TRANSFER = "bank_transfer", _("bank transfer to the cooperative")
    AT_SUPPLIER = "at_supplier", _("payment at the supplier")


class Checkout(models.Model):
    """One confirmed cart: the unit of idempotency (a double click or a retry finds this row)."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts")
    idempotency_key = models.CharField(_("idempotency key"), max_length=128)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "idempotency_key"], name="checkout_key_once_per_buyer"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="checkout_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"checkout #{self.pk}"


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
    PLACED = "placed", _("awaiting the supplier")
    IN_PROGRESS = "in_progress", _("confirmed by the supplier")
    COMPLETED = "completed", _("completed")
    CLOSED = "closed", _("closed without service")  # every line declined or cancelled
    EXPIRED = "expired", _("released: not paid in time")


OPEN_ORDER = [OrderStatus.PLACED, OrderStatus.IN_PROGRESS]


class Order(TimeStampedModel):
    """What one buyer bought from one supplier in one checkout."""

    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    status = FSMField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    total = models.BigIntegerField(_("total (cents)"))
    credit_total = models.BigIntegerField(_("paid with welfare credit (cents)"))
    own_total = models.BigIntegerField(_("paid with own money (cents)"))
    round_up = models.BigIntegerField(_("round-up for the Solidarity Fund (cents)"), default=0)
    payment_due_at = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payment confirmed at"), null=True, blank=True)
    payment_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(payment_method__in=PaymentMethod.values), name="order_payment_valid"),
            models.CheckConstraint(
                condition=Q(credit_total__gte=0, own_total__gte=0, round_up__gte=0, round_up__lt=100),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(total=F("credit_total") + F("own_total")), name="order_total_adds_up"),
            models.CheckConstraint(
                condition=Q(payment_method="none", own_total=0, round_up=0)
                | (~Q(payment_method="none") & Q(own_total__gt=0)),
                name="order_payment_method_matches_own_money",
            ),
        ]
        indexes = [models.Index(fields=["supplier", "status"], name="order_supplier_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """What the buyer writes in the bank transfer's description."""
        return f"CNC-{self.pk:06d}"

    @property
    def own_due(self) -> int:
        """Own money to pay, the round-up included."""
        return self.own_to_collect + self.round_up

    @property
    def own_to_collect(self) -> int:
        """While the order waits for its payment, the own money of the lines still wanted: a line the
        buyer cancels before paying is not paid for (nor refunded). Uses prefetched lines if any."""
        if self.status != OrderStatus.AWAITING_PAYMENT:
            return self.own_total
        gone = (LineStatus.CANCELLED, LineStatus.DECLINED, LineStatus.RELEASED)
        return sum(line.own_amount for line in self.lines.all() if line.status not in gone)

    @transition(field=status, source=OrderStatus.AWAITING_PAYMENT, target=OrderStatus.PLACED)
    def mark_paid(self) -> None:
        """The operator saw the buyer's money (bank transfer, or at the supplier's counter)."""

    @transition(field=status, source=OrderStatus.AWAITING_PAYMENT, target=OrderStatus.EXPIRED)
    def expire(self) -> None:
        """Not paid by the deadline: places and credit are given back."""

    @transition(field=status, source=OPEN_ORDER, target=OrderStatus.IN_PROGRESS)
    def progress(self) -> None:
        """At least one line was confirmed; the others may still wait."""

    @transition(field=status, source=[*OPEN_ORDER, OrderStatus.AWAITING_PAYMENT], target=OrderStatus.CLOSED)
    def close(self) -> None:
        """Every line was declined or cancelled."""

    @transition(field=status, source=OPEN_ORDER, target=OrderStatus.COMPLETED)
    def complete(self) -> None:
        """Every line is used, delivered, declined or cancelled, and at least one was used or delivered."""


class LineStatus(models.TextChoices):
    PENDING = "pending", _("awaiting the supplier")
    CONFIRMED = "confirmed", _("confirmed")
    DECLINED = "declined", _("declined by the supplier")
    CANCELLED = "cancelled", _("cancelled")
    RELEASED = "released", _("released")
    REDEEMED = "redeemed", _("voucher used")
    DELIVERED = "delivered", _("delivered")


def _is_service(line: Any) -> bool:
    return bool(line.kind == OfferKind.SERVICE)


def _is_product(line: Any) -> bool:
    return not _is_service(line)


LIVE_LINE = [LineStatus.PENDING, LineStatus.CONFIRMED, LineStatus.REDEEMED, LineStatus.DELIVERED]
FINAL_LINE = [LineStatus.DECLINED, LineStatus.CANCELLED, LineStatus.RELEASED, LineStatus.REDEEMED, LineStatus.DELIVERED]


class OrderLine(models.Model):
    """One service booking or product line, for one person. Titles and prices are copied:
    the order says what was bought even if the offer changes later."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="order_lines")
    session = models.ForeignKey(OfferSession, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    member = models.ForeignKey(FamilyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # "self:<user id>" or "member:<id>": one live booking per person and session.
    beneficiary_key = models.CharField(max_length=32)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=210)
    title = models.CharField(_("service or product"), max_length=140)
    kind = models.CharField(_("kind"), max_length=10, choices=OfferKind.choices)
    category = models.CharField(_("category"), max_length=32)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.PositiveIntegerField(_("unit price (cents)"))
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    amount = models.BigIntegerField(_("amount (cents)"))
    credit_amount = models.BigIntegerField(_("welfare credit (cents)"))
    own_amount = models.BigIntegerField(_("own money (cents)"))
    refunded = models.BigIntegerField(_("refunded (cents)"), default=0)
    status = FSMField(_("status"), max_length=12, choices=LineStatus.choices, default=LineStatus.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LineStatus.values), name="line_status_valid"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="line_quantity_range"
            ),
            models.CheckConstraint(condition=Q(amount=F("unit_price") * F("quantity")), name="line_amount_is_price"),
            models.CheckConstraint(
                condition=Q(credit_amount__gte=0, own_amount__gte=0, amount=F("credit_amount") + F("own_amount")),
                name="line_amount_split",
            ),
            models.CheckConstraint(condition=Q(refunded__gte=0, refunded__lte=F("amount")), name="line_refund_range"),
            models.UniqueConstraint(
                fields=["session", "beneficiary_key"],
                condition=Q(session__isnull=False, status__in=["pending", "confirmed", "redeemed"]),
                name="line_one_live_booking_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.beneficiary_name}"

    @property
    def is_service(self) -> bool:
        return self.kind == OfferKind.SERVICE

    @transition(field=status, source=LineStatus.PENDING, target=LineStatus.CONFIRMED)
    def confirm(self) -> None:
        """The supplier accepts: held credit is captured, a service gets its voucher."""

    @transition(field=status, source=LineStatus.PENDING, target=LineStatus.DECLINED)
    def decline(self) -> None:
        """The supplier refuses: holds are voided, the place is given back."""

    @transition(field=status, source=[LineStatus.PENDING, LineStatus.CONFIRMED], target=LineStatus.CANCELLED)
    def cancel(self) -> None:
        """The buyer cancels; after confirmation the offer's cancellation policy decides the refund."""

    @transition(field=status, source=LineStatus.PENDING, target=LineStatus.RELEASED)
    def release(self) -> None:
        """The order was not paid, or the supplier did not answer, in time."""

    @transition(field=status, source=LineStatus.CONFIRMED, target=LineStatus.REDEEMED, conditions=[_is_service])
    def redeem(self) -> None:
        """The supplier redeemed the voucher: the amount becomes payable to it."""

    @transition(
        field=status,
        source=LineStatus.CONFIRMED,
        target=LineStatus.DELIVERED,
        conditions=[_is_product],
    )
    def deliver(self) -> None:
        """The supplier delivered the product: the amount becomes payable to it."""


class LinePayment(models.Model):
    """The welfare credit of one wallet that pays for (part of) a line, held until the supplier confirms."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="payments")
    wallet = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    bucket = models.CharField(_("fiscal bucket"), max_length=32)
    amount = models.BigIntegerField(_("amount (cents)"))
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="line_payment")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("credit used")
        verbose_name_plural = _("credit used")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="line_payment_positive")]

    def __str__(self) -> str:
        return f"{self.bucket} {self.amount}"


class OrderEvent(models.Model):
    """Who changed what, when, from which state to which. Append-only."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("valid")
    REDEEMED = "redeemed", _("used")
    CANCELLED = "cancelled", _("cancelled")


class Voucher(models.Model):
    """A nominative voucher for one whole service (no partial use, no top-up, no cash).

    `token` is random (80 bits); the printed code adds an HMAC tag (see vouchers.py), so a
    mistyped or forged code is refused before the database is asked."""

    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="voucher")
    token = models.CharField(max_length=16, unique=True)
    status = FSMField(_("status"), max_length=12, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=210)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    redeemed_at = models.DateTimeField(_("used at"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VoucherStatus.values), name="voucher_status_valid"),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="voucher_validity_ordered"),
            models.CheckConstraint(
                condition=Q(status="redeemed", redeemed_at__isnull=False)
                | (~Q(status="redeemed") & Q(redeemed_at__isnull=True)),
                name="voucher_redeemed_iff_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"voucher #{self.pk}"

    @transition(field=status, source=VoucherStatus.ISSUED, target=VoucherStatus.REDEEMED)
    def redeem(self) -> None:
        """Used once, for the whole service."""

    @transition(field=status, source=VoucherStatus.ISSUED, target=VoucherStatus.CANCELLED)
    def cancel(self) -> None:
        """The booking was cancelled before the service."""


class RateKind(models.TextChoices):
    SUPPLIER_CONTRIBUTION = "supplier_contribution", _("Solidarity Fund contribution paid by the supplier")
    COMPANY_CONTRIBUTION = "company_contribution", _("Solidarity Fund contribution paid by the company on credit spent")
    PLATFORM_FEE = "platform_fee", _("platform fee paid by the supplier")


class WithholdingRate(models.Model):
    """A percentage withheld on every purchase made payable, valid for a period.

    Configurable data (the fund regulation and the charter change): the rate of the day of
    the purchase applies, and each contribution records the rate it used."""

    kind = models.CharField(_("kind"), max_length=24, choices=RateKind.choices)
    percent = models.DecimalField(
        _("per cent"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("source or decision"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("withholding rate")
        verbose_name_plural = _("withholding rates")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RateKind.values), name="rate_kind_valid"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=20), name="rate_percent_range"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")), name="rate_period_ordered"
            ),
            models.UniqueConstraint(fields=["kind", "valid_from"], name="rate_once_per_kind_and_start"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.percent}% from {self.valid_from}"


class ContributionParty(models.TextChoices):
    SUPPLIER = "supplier", _("supplier")
    COMPANY = "company", _("company")
    EMPLOYEE = "employee", _("employee (round-up)")


class Contribution(models.Model):
    """One contribution to the Solidarity Fund, traceable to the purchase that caused it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="contributions")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions")
    party = models.CharField(_("paid by"), max_length=12, choices=ContributionParty.choices)
    percent = models.DecimalField(_("per cent"), max_digits=5, decimal_places=2, null=True, blank=True)
    base = models.BigIntegerField(_("on (cents)"))
    amount = models.BigIntegerField(_("amount (cents)"))
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("Solidarity Fund contribution")
        verbose_name_plural = _("Solidarity Fund contributions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_positive"),
            models.UniqueConstraint(fields=["line", "party"], name="contribution_once_per_line_and_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.amount}"


class StatementStatus(models.TextChoices):
    ISSUED = "issued", _("issued, to be paid")
    PAID = "paid", _("paid")


class SettlementStatement(models.Model):
    """What the cooperative owes a supplier for a period: every movement of the supplier's
    payable account not yet in an earlier statement, up to the end of the period."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = FSMField(_("status"), max_length=8, choices=StatementStatus.choices, default=StatementStatus.ISSUED)
    gross = models.BigIntegerField(_("services and products (cents)"))
    contributions = models.BigIntegerField(_("Solidarity Fund contributions (cents)"))
    fees = models.BigIntegerField(_("platform fees (cents)"))
    adjustments = models.BigIntegerField(_("other movements (cents)"), default=0)
    net = models.BigIntegerField(_("net payable (cents)"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="statement_period_ordered"),
            models.CheckConstraint(
                condition=Q(net=F("gross") - F("contributions") - F("fees") + F("adjustments")),
                name="statement_net_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(status="paid", paid_at__isnull=False, payment_transaction__isnull=False)
                | Q(status="issued", paid_at__isnull=True, payment_transaction__isnull=True),
                name="statement_paid_iff_posted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RND-{self.pk:05d}"

    @transition(field=status, source=StatementStatus.ISSUED, target=StatementStatus.PAID)
    def mark_paid(self) -> None:
        """The cooperative paid the net amount to the supplier's IBAN."""


class StatementItem(models.Model):
    """One movement of the supplier's payable, in exactly one statement."""

    statement = models.ForeignKey(SettlementStatement, on_delete=models.PROTECT, related_name="items")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="statement_item")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16)  # "service", "product", "contribution", "fee", "other"
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("statement item")
        verbose_name_plural = _("statement items")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
