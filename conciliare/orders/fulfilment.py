"""What happens to an order after checkout: payment, the supplier's answer, cancellation,
release, voucher redemption and delivery. Each function is one database transaction that
locks the rows it changes, moves money only through the ledger under deterministic
idempotency keys, records an event and e-mails after commit.

Money paths (cents):
- checkout: credit held on the buyer's wallets, towards "vouchers outstanding";
- payment by bank transfer confirmed: world → citizen clearing (and round-up → fund);
- supplier confirms: holds captured (wallets → vouchers outstanding);
- voucher used / product delivered: outstanding (and clearing) → supplier payable, then the
  supplier's contribution (payable → fund) and platform fee (payable → platform revenue);
- decline, cancellation, release: holds voided or captured credit moved back to the wallets,
  own money given back (clearing → world).
"""

import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from conciliare.accounts.rules import is_operator_admin
from conciliare.catalogue.models import CANCELLATION_TERMS, OfferSession
from conciliare.catalogue.services import is_supplier_staff
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.fund.models import GRANT_BUCKET
from conciliare.ledger import services as ledger
from conciliare.ledger.models import HoldStatus, LedgerAccount, TransactionKind

from . import events, notifications
from .ledger_accounts import (
    citizen_clearing_account,
    platform_revenue_account,
    supplier_payable_account,
    vouchers_outstanding_account,
)
from .models import (
    FINAL_LINE,
    OPEN_ORDER,
    Contribution,
    ContributionParty,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    RateKind,
    Voucher,
    WithholdingRate,
)
from .payments import provider_for
from .vouchers import new_token, token_from

VOUCHER_MONTHS_WITHOUT_DATE = 12


# -- Locks and small helpers ---------------------------------------------------------------


def _lock_order(order_id: int) -> Order:
    return (
        Order.objects.select_for_update(of=("self",)).select_related("supplier__organization", "buyer").get(pk=order_id)
    )


def _lock_line(line_id: int) -> OrderLine:
    """The order first, then the line: every writer locks in that order, so none waits in a cycle."""
    order_id = OrderLine.objects.filter(pk=line_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotPermitted(_("Order not found."))
    order = _lock_order(order_id)
    line = OrderLine.objects.select_for_update(of=("self",)).select_related("session", "offer").get(pk=line_id)
    line.order = order
    return line


def _move(line: OrderLine, transition: str, *, actor: Any, note: str = "") -> None:
    before = line.status
    method = getattr(line, transition)
    if not can_proceed(method):
        raise Conflict(
            _("This line is %(status)s: it cannot be changed that way.") % {"status": line.get_status_display()}
        )
    method()
    line.decided_at = timezone.now()
    line.save(update_fields=["status", "decided_at", "decline_reason", "refunded"])
    events.record(order=line.order, line=line, actor=actor, from_status=before, to_status=line.status, note=note)


def _move_order(order: Order, transition: str, *, actor: Any, note: str = "") -> None:
    before = order.status
    getattr(order, transition)()
    order.save(update_fields=["status", "paid_at", "payment_confirmed_by", "payment_transaction", "updated_at"])
    events.record(order=order, actor=actor, from_status=before, to_status=order.status, note=note)


def _give_back_place(line: OrderLine) -> None:
    if line.session_id is not None:
        OfferSession.objects.filter(pk=line.session_id).update(seats_taken=F("seats_taken") - 1)


def _void_holds(line: OrderLine) -> None:
    for payment in line.payments.select_related("hold"):
        if payment.hold.status == HoldStatus.PENDING:
            ledger.hold_void(hold=payment.hold)


def _bank_paid(order: Order) -> bool:
    return order.payment_method == PaymentMethod.BANK_TRANSFER and order.payment_transaction_id is not None


def _refund_own(line: OrderLine, amount: int, *, actor: Any) -> None:
    """Own money paid by bank transfer goes back to the buyer (the operator makes the transfer)."""
    if amount <= 0 or not _bank_paid(line.order):
        return
    ledger.transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(citizen_clearing_account(), -amount), (ledger.world_account(), amount)],
        idempotency_key=f"order-line:{line.pk}:refund-own",
        memo=_("Refund to the buyer, %(order)s") % {"order": line.order.reference},
        actor=actor,
    )


def _settle_order(order: Order, *, actor: Any) -> None:
    """Closes or completes the order once none of its lines can change any more."""
    statuses = list(order.lines.values_list("status", flat=True))
    if not all(status in FINAL_LINE for status in statuses):
        return
    used = any(status in (LineStatus.REDEEMED, LineStatus.DELIVERED) for status in statuses)
    if used and order.status in OPEN_ORDER:
        _move_order(order, "complete", actor=actor)
    elif not used and order.status != OrderStatus.CLOSED and order.status != OrderStatus.EXPIRED:
        _move_order(order, "close", actor=actor)


def _assert_supplier(user: Any, order: Order) -> None:
    if not is_supplier_staff(user, order.supplier):
        raise NotPermitted(_("Order not found."))


def _assert_operator(user: Any) -> None:
    if not is_operator_admin(user):
        raise NotPermitted(_("Order not found."))


# -- Payment ---------------------------------------------------------------------------------


@transaction.atomic
def payment_confirm(*, actor: Any, order_id: int) -> Order:
    """The operator saw the own money arrive (bank transfer) or the supplier collected it."""
    _assert_operator(actor)
    order = _lock_order(order_id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise Conflict(_("This order is not waiting for a payment."))
    posted = provider_for(order.payment_method).record_received(order=order, actor=actor)
    order.paid_at = timezone.now()
    order.payment_confirmed_by = actor
    order.payment_transaction = posted
    _move_order(order, "mark_paid", actor=actor)
    notifications.tell_buyer(order, _("We received your payment: the order has been sent to the supplier."))
    notifications.tell_supplier(order, _("You have a new order to confirm."))
    return order


# -- The supplier's answer ---------------------------------------------------------------------


@transaction.atomic
def line_confirm(*, actor: Any, line_id: int) -> OrderLine:
    """Captures the held credit; a service gets its voucher."""
    line = _lock_line(line_id)
    _assert_supplier(actor, line.order)
    if line.order.status not in OPEN_ORDER:
        raise Conflict(
            _("This order cannot be confirmed now: it is %(status)s.") % {"status": line.order.get_status_display()}
        )
    for payment in line.payments.select_related("hold"):
        ledger.hold_capture(
            hold=payment.hold, idempotency_key=f"order-line:{line.pk}:capture:{payment.pk}", actor=actor
        )
    _move(line, "confirm", actor=actor)
    if line.is_service:
        _issue_voucher(line)
    if line.order.status == OrderStatus.PLACED:
        _move_order(line.order, "progress", actor=actor)
    notifications.tell_buyer(
        line.order,
        _("%(supplier)s confirmed %(title)s.")
        % {"supplier": line.order.supplier.organization.name, "title": line.title},
        detail=_("Your voucher is ready on the order's page.") if line.is_service else "",
    )
    return line


def _issue_voucher(line: OrderLine) -> Voucher:
    today = timezone.localdate()
    if line.session is not None:
        zone = timezone.get_current_timezone()
        valid_from = min(today, line.session.starts_at.astimezone(zone).date())
        valid_until = line.session.ends_at.astimezone(zone).date()
    else:
        valid_from = today
        valid_until = today + datetime.timedelta(days=365 * VOUCHER_MONTHS_WITHOUT_DATE // 12)
    return Voucher.objects.create(
        line=line,
        token=new_token(),
        beneficiary_name=line.beneficiary_name,
        valid_from=valid_from,
        valid_until=max(valid_until, valid_from),
    )


@transaction.atomic
def line_decline(*, actor: Any, line_id: int, reason: str) -> OrderLine:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why you decline."), fields={"reason": [_("Say why you decline.")]})
    line = _lock_line(line_id)
    _assert_supplier(actor, line.order)
    if line.order.status not in OPEN_ORDER:
        raise Conflict(
            _("This order cannot be declined now: it is %(status)s.") % {"status": line.order.get_status_display()}
        )
    line.decline_reason = reason[:300]
    line.refunded = line.amount
    _move(line, "decline", actor=actor, note=reason)
    _give_back_place(line)  # the session's row before any account, as in a checkout
    _void_holds(line)
    _refund_own(line, line.own_amount, actor=actor)
    _settle_order(line.order, actor=actor)
    notifications.tell_buyer(
        line.order,
        _("%(supplier)s could not accept %(title)s.")
        % {"supplier": line.order.supplier.organization.name, "title": line.title},
        detail=_("Reason: %(reason)s. Your credit is available again.") % {"reason": reason},
    )
    return line


# -- Cancellation by the buyer -----------------------------------------------------------------


def refund_percent(line: OrderLine, *, now: datetime.datetime) -> int:
    """What the offer's policy gives back if the buyer cancels `line` now (before the supplier
    confirms, always everything)."""
    if line.status == LineStatus.PENDING or line.session is None:
        return 100
    free_hours, late_percent = CANCELLATION_TERMS[line.offer.cancellation_policy]
    if line.session.starts_at - now >= datetime.timedelta(hours=free_hours):
        return 100
    return late_percent


def _part(amount: int, percent: int) -> int:
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@transaction.atomic
def line_cancel(*, actor: Any, line_id: int) -> OrderLine:
    line = _lock_line(line_id)
    if line.order.buyer_id != actor.pk:
        raise NotPermitted(_("Order not found."))
    now = timezone.now()
    if line.status == LineStatus.CONFIRMED:
        if not line.is_service:
            raise Conflict(_("The supplier has already accepted this product: contact them to cancel."))
        if line.session is not None and line.session.starts_at <= now:
            raise Conflict(_("The service has already started: it can no longer be cancelled."))
    percent = refund_percent(line, now=now)
    was = line.status
    if not can_proceed(line.cancel):
        raise Conflict(_("This line is %(status)s: it cannot be cancelled.") % {"status": line.get_status_display()})
    _give_back_place(line)  # the session's row first, as a checkout locks it before any account
    if was == LineStatus.PENDING:
        line.refunded = line.amount
        _move(line, "cancel", actor=actor)
        _void_holds(line)
        _refund_own(line, line.own_amount, actor=actor)
    else:
        credit_back = sum(_part(p.amount, percent) for p in line.payments.all())
        own_back = _part(line.own_amount, percent)
        line.refunded = credit_back + own_back
        _move(line, "cancel", actor=actor, note=_("%(percent)s per cent refunded") % {"percent": percent})
        voucher = Voucher.objects.select_for_update().get(line=line)
        voucher.cancel()
        voucher.save(update_fields=["status"])
        _refund_captured_credit(line, percent, actor=actor)
        _refund_own(line, own_back, actor=actor)
        kept_credit = line.credit_amount - credit_back
        kept_own = line.own_amount - own_back
        if kept_credit or kept_own:
            _make_payable(
                line,
                credit=kept_credit,
                own=kept_own,
                actor=actor,
                reason="cancellation",
                employer_credit=_employer_credit(line, percent_back=percent),
            )
    if line.order.status == OrderStatus.AWAITING_PAYMENT and all(
        status == LineStatus.CANCELLED for status in line.order.lines.values_list("status", flat=True)
    ):
        _move_order(line.order, "close", actor=actor)
    else:
        _settle_order(line.order, actor=actor)
    notifications.tell_buyer(line.order, _("You cancelled %(title)s.") % {"title": line.title})
    notifications.tell_supplier(
        line.order, _("%(who)s cancelled %(title)s.") % {"who": line.beneficiary_name, "title": line.title}
    )
    return line


def _refund_captured_credit(line: OrderLine, percent: int, *, actor: Any) -> None:
    outstanding = vouchers_outstanding_account()
    for payment in line.payments.select_related("wallet"):
        back = _part(payment.amount, percent)
        if back:
            ledger.transaction_post(
                kind=TransactionKind.TRANSFER,
                legs=[(outstanding, -back), (payment.wallet, back)],
                idempotency_key=f"order-line:{line.pk}:refund:{payment.pk}",
                memo=_("Refund of %(title)s, %(order)s") % {"title": line.title, "order": line.order.reference},
                actor=actor,
            )


# -- Release of unpaid or unanswered orders -----------------------------------------------------


def _release_line(line: OrderLine, *, note: str) -> None:
    line.refunded = line.amount
    _move(line, "release", actor=None, note=note)
    _give_back_place(line)  # the session's row before any account, as in a checkout
    _void_holds(line)
    _refund_own(line, line.own_amount, actor=None)


@transaction.atomic
def order_expire(*, order_id: int, now: datetime.datetime | None = None) -> bool:
    """Releases an order whose own money did not arrive by the deadline."""
    order = _lock_order(order_id)
    if (
        order.status != OrderStatus.AWAITING_PAYMENT
        or order.payment_due_at is None
        or order.payment_due_at > (now or timezone.now())
    ):
        return False
    for line in order.lines.select_for_update(of=("self",)).select_related("session"):
        line.order = order
        if line.status == LineStatus.PENDING:
            _release_line(line, note=_("not paid in time"))
    _move_order(order, "expire", actor=None)
    notifications.tell_buyer(order, _("Your order was released: the payment did not arrive in time."))
    return True


@transaction.atomic
def line_release_unanswered(*, line_id: int) -> bool:
    """A supplier that does not answer in time (or before the service starts) loses the booking."""
    line = _lock_line(line_id)
    if line.status != LineStatus.PENDING or line.order.status not in OPEN_ORDER:
        return False
    _release_line(line, note=_("the supplier did not answer in time"))
    _settle_order(line.order, actor=None)
    notifications.tell_buyer(
        line.order, _("%(title)s was released: the supplier did not answer in time.") % {"title": line.title}
    )
    notifications.tell_supplier(
        line.order, _("%(title)s was released: you did not answer in time.") % {"title": line.title}
    )
    return True


def orders_daily(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Releases unpaid orders past their deadline and lines the supplier did not answer."""
    now = now or timezone.now()
    unpaid = Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, payment_due_at__lte=now).values_list(
        "pk", flat=True
    )
    expired = sum(order_expire(order_id=order_id, now=now) for order_id in list(unpaid))
    answer_by = now - datetime.timedelta(days=settings.CONCILIARE_SUPPLIER_ANSWER_DAYS)
    stale = OrderLine.objects.filter(status=LineStatus.PENDING, order__status__in=OPEN_ORDER).filter(
        Q(order__paid_at__lte=answer_by)
        | Q(order__paid_at__isnull=True, order__created_at__lte=answer_by)
        | Q(session__starts_at__lte=now)
    )
    released = sum(line_release_unanswered(line_id=line_id) for line_id in list(stale.values_list("pk", flat=True)))
    expired_holds = ledger.hold_expire_due(now=now)
    return {"orders_expired": expired, "lines_released": released, "holds_expired": expired_holds}


# -- Redemption and delivery ---------------------------------------------------------------------


def rate_on(kind: str, day: datetime.date) -> Decimal:
    rate = (
        WithholdingRate.objects.filter(kind=kind, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("-valid_from")
        .first()
    )
    return rate.percent if rate is not None else Decimal(0)


def _percent_of(base: int, percent: Decimal) -> int:
    return int((Decimal(base) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _employer_credit(line: OrderLine, *, percent_back: int = 0) -> int:
    """The employer's welfare credit the supplier keeps on `line` (what a cancellation did not give
    back): a Solidarity Fund grant is the fund's own money, not the employer's."""
    return sum(
        payment.amount - _part(payment.amount, percent_back)
        for payment in line.payments.all()
        if payment.bucket != GRANT_BUCKET
    )


def _make_payable(
    line: OrderLine, *, credit: int, own: int, actor: Any, reason: str, employer_credit: int | None = None
) -> None:
    """Moves what the supplier earned on `line` to its payable, then withholds the
    Solidarity Fund contribution and the platform fee of the day, each traceable to the line."""
    order = line.order
    payable = supplier_payable_account(order.supplier)
    bank_own = own if order.payment_method == PaymentMethod.BANK_TRANSFER else 0
    legs: list[tuple[LedgerAccount, int]] = []
    if credit:
        legs.append((vouchers_outstanding_account(), -credit))
    if bank_own:
        legs.append((citizen_clearing_account(), -bank_own))
    if legs:
        legs.append((payable, credit + bank_own))
        ledger.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=legs,
            idempotency_key=f"order-line:{line.pk}:payable",
            memo=f"{order.reference} · {line.title} ({reason})",
            actor=actor,
        )
    base = credit + own
    day = timezone.localdate()
    withholdings = [
        (RateKind.SUPPLIER_CONTRIBUTION, ledger.solidarity_fund_account(), TransactionKind.CONTRIBUTION),
        (RateKind.PLATFORM_FEE, platform_revenue_account(), TransactionKind.FEE),
    ]
    for kind, destination, transaction_kind in withholdings:
        percent = rate_on(kind, day)
        amount = _percent_of(base, percent)
        if amount <= 0:
            continue
        posted = ledger.transaction_post(
            kind=transaction_kind,
            legs=[(payable, -amount), (destination, amount)],
            idempotency_key=f"order-line:{line.pk}:{kind}",
            memo=f"{order.reference} · {line.title} · {percent}%",
            actor=actor,
        )
        if kind == RateKind.SUPPLIER_CONTRIBUTION:
            Contribution.objects.create(
                order=order,
                line=line,
                party=ContributionParty.SUPPLIER,
                percent=percent,
                base=base,
                amount=amount,
                transaction=posted,
            )
    employer = _employer_credit(line) if employer_credit is None else employer_credit
    _company_contribution(line, credit=employer, actor=actor, day=day)


def _company_contribution(line: OrderLine, *, credit: int, actor: Any, day: datetime.date) -> None:
    """The buyer's company adds its share on its welfare credit spent, charged to it with the
    plan's funding (money from outside the platform, so from the world account)."""
    percent = rate_on(RateKind.COMPANY_CONTRIBUTION, day)
    amount = _percent_of(credit, percent)
    profile = getattr(line.order.buyer, "employee_profile", None)
    if amount <= 0 or profile is None:
        return
    posted = ledger.transaction_post(
        kind=TransactionKind.CONTRIBUTION,
        legs=[(ledger.world_account(), -amount), (ledger.solidarity_fund_account(), amount)],
        idempotency_key=f"order-line:{line.pk}:{RateKind.COMPANY_CONTRIBUTION}",
        memo=f"{line.order.reference} · {profile.company.name} · {percent}%",
        actor=actor,
    )
    Contribution.objects.create(
        order=line.order,
        line=line,
        party=ContributionParty.COMPANY,
        percent=percent,
        base=credit,
        amount=amount,
        transaction=posted,
    )


@transaction.atomic
def voucher_redeem(*, actor: Any, supplier_id: int, code: str) -> Voucher:
    """Used once, whatever happens concurrently: the voucher row is locked and its state checked."""
    token = token_from(code)
    voucher_line = Voucher.objects.filter(token=token).values_list("line_id", flat=True).first()
    if voucher_line is None:
        raise NotPermitted(_("No voucher has this code."))
    line = _lock_line(voucher_line)
    if line.order.supplier_id != supplier_id or not is_supplier_staff(actor, line.order.supplier):
        raise NotPermitted(_("No voucher has this code."))
    voucher = Voucher.objects.select_for_update().get(token=token)
    if voucher.status == "redeemed":
        when = timezone.localtime(voucher.redeemed_at).strftime("%d/%m/%Y %H:%M") if voucher.redeemed_at else ""
        raise Conflict(_("This voucher was already used on %(when)s.") % {"when": when})
    if voucher.status != "issued":
        raise Conflict(_("This voucher was cancelled."))
    today = timezone.localdate()
    if today < voucher.valid_from:
        raise Conflict(_("This voucher is valid from %(day)s.") % {"day": voucher.valid_from.strftime("%d/%m/%Y")})
    if today > voucher.valid_until:
        raise Conflict(_("This voucher expired on %(day)s.") % {"day": voucher.valid_until.strftime("%d/%m/%Y")})
    voucher.redeem()
    voucher.redeemed_at = timezone.now()
    voucher.redeemed_by = actor
    voucher.save(update_fields=["status", "redeemed_at", "redeemed_by"])
    _move(line, "redeem", actor=actor)
    _make_payable(line, credit=line.credit_amount, own=line.own_amount, actor=actor, reason="voucher")
    _settle_order(line.order, actor=actor)
    notifications.tell_buyer(line.order, _("The voucher for %(title)s was used.") % {"title": line.title})
    return voucher


@transaction.atomic
def line_deliver(*, actor: Any, line_id: int) -> OrderLine:
    line = _lock_line(line_id)
    _assert_supplier(actor, line.order)
    if line.is_service:
        raise Conflict(_("A service is not delivered: the supplier redeems its voucher."))
    _move(line, "deliver", actor=actor)
    _make_payable(line, credit=line.credit_amount, own=line.own_amount, actor=actor, reason="delivery")
    _settle_order(line.order, actor=actor)
    notifications.tell_buyer(line.order, _("%(title)s was delivered.") % {"title": line.title})
    return line
