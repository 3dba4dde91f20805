"""The cart and the checkout: from what a person wants to held credit, reserved places and orders.

A checkout is one database transaction. It first locks the buyer's row, so two checkouts
of the same person (a double click, a retry, two tabs) run one after the other: the second
finds the first under the same idempotency key, and never sees credit the first has taken.
Places are taken under a lock on each session row (ascending ids, no deadlock), and the
database refuses an overbooked session whatever the code does.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.accounts.models import FamilyMember
from conciliare.catalogue.models import Offer, OfferSession
from conciliare.catalogue.search import published_offers
from conciliare.catalogue.selectors import age_fits
from conciliare.core.errors import Conflict, IdempotencyConflict, InvalidInput, NotPermitted
from conciliare.ledger import services as ledger
from conciliare.suppliers.models import Supplier

from . import events, notifications
from .allocation import Allocator, LinePlan
from .ledger_accounts import vouchers_outstanding_account
from .models import (
    MAX_QUANTITY,
    Cart,
    CartLine,
    Checkout,
    LinePayment,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)

HOLD_DAYS = 60  # a safety net: lines are released by `orders_daily` long before a hold expires


@dataclass(frozen=True)
class LineRequest:
    offer_id: int
    session_id: int | None = None
    member_id: int | None = None
    quantity: int = 1


def _refuse(message: str, field: str = "lines") -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


# -- Cart ---------------------------------------------------------------------------------


def cart_of(user: Any) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user)
    return cart


def cart_add(*, user: Any, request: LineRequest, today: datetime.date | None = None) -> CartLine:
    """Checks what can be checked now (the checkout checks it all again under locks)."""
    today = today or timezone.localdate()
    offer, session, member = _resolve(user, request, today=today, now=timezone.now())
    cart = cart_of(user)
    if session is not None and cart.lines.filter(session=session, member=member).exists():
        raise Conflict(_("This person is already in your cart for this date."))
    return CartLine.objects.create(cart=cart, offer=offer, session=session, member=member, quantity=request.quantity)


def cart_remove(*, user: Any, line_id: int) -> None:
    deleted, _detail = CartLine.objects.filter(pk=line_id, cart__user=user).delete()
    if not deleted:
        raise NotPermitted(_("This line is not in your cart."))


def cart_requests(user: Any) -> list[LineRequest]:
    return [
        LineRequest(
            offer_id=line.offer_id, session_id=line.session_id, member_id=line.member_id, quantity=line.quantity
        )
        for line in CartLine.objects.filter(cart__user=user).order_by("added_at", "pk")
    ]


# -- Checking a line ------------------------------------------------------------------------


def _check_quantity(quantity: Any) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise _refuse(_("The quantity must be a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY}, "quantity")
    return quantity


def _resolve(
    user: Any, request: LineRequest, *, today: datetime.date, now: datetime.datetime
) -> tuple[Offer, OfferSession | None, FamilyMember | None]:
    quantity = _check_quantity(request.quantity)
    offer = published_offers(today).select_related("supplier__organization").filter(pk=request.offer_id).first()
    if offer is None:
        raise NotPermitted(_("This offer is not (or no longer) on sale."))
    member = None
    if request.member_id is not None:
        member = FamilyMember.objects.filter(pk=request.member_id, user=user).first()
        if member is None:
            raise NotPermitted(_("Family member not found."))
    session = None
    if request.session_id is not None:
        session = OfferSession.objects.filter(pk=request.session_id, offer=offer).first()
        if session is None:
            raise NotPermitted(_("This date is not one of the offer's."))
        if session.starts_at <= now:
            raise Conflict(_("This date has already started: choose a later one."))
        if quantity != 1:
            raise _refuse(_("A booking is for one person: add a line for each person."), "quantity")
    elif offer.sessions.filter(starts_at__gt=now).exists():
        raise _refuse(_("Choose a date for this service."), "session")
    born = member.birth_date if member is not None else user.birth_date
    if not age_fits(offer, born, today):
        if member is None:
            raise _refuse(_("This service is not meant for your age."), "member")
        raise _refuse(_("This service is not meant for the age of %(who)s.") % {"who": member.first_name}, "member")
    return offer, session, member


def _fingerprint(requests: list[LineRequest], payment_method: str, round_up: bool) -> str:
    content = {
        "lines": [[r.offer_id, r.session_id, r.member_id, r.quantity] for r in requests],
        "payment": payment_method,
        "round_up": round_up,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


# -- Preview and checkout -------------------------------------------------------------------


@dataclass
class PlannedLine:
    request: LineRequest
    offer: Offer
    session: OfferSession | None
    member: FamilyMember | None
    plan: LinePlan

    @property
    def beneficiary_name(self) -> str:
        return str(self.member) if self.member is not None else ""


@dataclass
class Quote:
    """What a checkout would do: for each line, which credit pays and what is left to pay."""

    lines: list[PlannedLine]
    fringe_cap: int
    fringe_left_before: int
    fringe_left_after: int
    fringe_considered: bool = False

    @property
    def total(self) -> int:
        return sum(line.plan.amount for line in self.lines)

    @property
    def credit(self) -> int:
        return sum(line.plan.credit for line in self.lines)

    @property
    def own(self) -> int:
        return self.total - self.credit

    def own_by_supplier(self) -> dict[int, int]:
        totals: dict[int, int] = defaultdict(int)
        for line in self.lines:
            totals[line.offer.supplier_id] += line.plan.own
        return dict(totals)


def quote(*, buyer: Any, requests: list[LineRequest], today: datetime.date | None = None) -> Quote:
    """The split of a cart between credit and own money, without moving anything."""
    today = today or timezone.localdate()
    if not requests:
        raise _refuse(_("Your cart is empty."))
    now = timezone.now()
    allocator = Allocator(buyer, today)
    planned = []
    seen: set[tuple[int, str]] = set()
    for request in requests:
        offer, session, member = _resolve(buyer, request, today=today, now=now)
        if session is not None:
            key = (session.pk, f"member:{member.pk}" if member else "self")
            if key in seen:
                raise Conflict(_("The same person appears twice for the same date."))
            seen.add(key)
        amount = offer.price * request.quantity
        plan = allocator.plan_line(offer=offer, member=member, amount=amount)
        planned.append(PlannedLine(request=request, offer=offer, session=session, member=member, plan=plan))
    return Quote(
        lines=planned,
        fringe_cap=allocator.fringe.cap,
        fringe_left_before=allocator.fringe.left,
        fringe_left_after=allocator.fringe_left,
        fringe_considered=allocator.fringe_considered,
    )


def round_up_of(own: int) -> int:
    """Cents to the next whole euro, for the Solidarity Fund (nothing on a whole amount)."""
    return (-own) % 100


def _lock_sessions(lines: list[PlannedLine]) -> dict[int, OfferSession]:
    ids = sorted({line.session.pk for line in lines if line.session is not None})
    locked = {s.pk: s for s in OfferSession.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    needed: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.session is not None:
            needed[line.session.pk] += 1
    for session_id, count in needed.items():
        session = locked[session_id]
        if session.seats - session.seats_taken < count:
            left = session.seats - session.seats_taken
            raise Conflict(
                _("Not enough places left for %(date)s: %(left)s left.") % {"date": session, "left": left}
                if left
                else _("There are no places left for %(date)s.") % {"date": session}
            )
    for session_id, count in needed.items():
        OfferSession.objects.filter(pk=session_id).update(seats_taken=F("seats_taken") + count)
    return locked


def _beneficiary(buyer: Any, line: PlannedLine) -> tuple[str, str]:
    if line.member is not None:
        return f"member:{line.member.pk}", f"{line.member.first_name} {line.member.last_name}"
    return f"self:{buyer.pk}", buyer.full_name or buyer.email


@transaction.atomic
def checkout(
    *,
    buyer: Any,
    requests: list[LineRequest],
    payment_method: str,
    idempotency_key: str,
    round_up: bool = False,
    today: datetime.date | None = None,
) -> Checkout:
    """Places one order per supplier. The same key returns the checkout it made the first time."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise _refuse(_("The request lacks a valid idempotency key: reload the page and try again."), "idempotency_key")
    if payment_method not in PaymentMethod.values:
        raise _refuse(_("Choose how to pay."), "payment_method")
    buyer = get_user_model().objects.select_for_update(no_key=True).get(pk=buyer.pk)
    fingerprint = _fingerprint(requests, payment_method, round_up)
    found = Checkout.objects.filter(buyer=buyer, idempotency_key=key).first()
    if found is not None:
        if found.fingerprint != fingerprint:
            raise IdempotencyConflict(_("This idempotency key was already used for a different checkout."))
        return found
    planned = quote(buyer=buyer, requests=requests, today=today)
    own_total = planned.own
    if own_total == 0 and payment_method != PaymentMethod.NONE:
        payment_method = PaymentMethod.NONE  # credit covers everything: nothing to pay
    if own_total > 0 and payment_method == PaymentMethod.NONE:
        raise _refuse(_("Welfare credit does not cover everything: choose how to pay the rest."), "payment_method")
    _lock_sessions(planned.lines)
    for line in planned.lines:  # under the session's lock, so a concurrent checkout has committed or waits
        if line.session is not None and booked_already(
            session=line.session, beneficiary_key=_beneficiary(buyer, line)[0]
        ):
            raise Conflict(
                _("%(who)s is already booked for %(date)s.")
                % {"who": _beneficiary(buyer, line)[1], "date": line.session}
            )
    made = Checkout.objects.create(buyer=buyer, idempotency_key=key, fingerprint=fingerprint)
    by_supplier: dict[int, list[PlannedLine]] = defaultdict(list)
    for line in planned.lines:
        by_supplier[line.offer.supplier_id].append(line)
    suppliers = Supplier.objects.in_bulk(list(by_supplier))
    for supplier_id, lines in by_supplier.items():
        _place_order(
            buyer=buyer,
            checkout=made,
            supplier=suppliers[supplier_id],
            lines=lines,
            payment_method=payment_method,
            round_up=round_up,
        )
    CartLine.objects.filter(cart__user=buyer).delete()
    return made


def _place_order(
    *, buyer: Any, checkout: Checkout, supplier: Supplier, lines: list[PlannedLine], payment_method: str, round_up: bool
) -> Order:
    credit = sum(line.plan.credit for line in lines)
    own = sum(line.plan.own for line in lines)
    method = payment_method if own else PaymentMethod.NONE
    now = timezone.now()
    awaiting = own > 0
    order = Order.objects.create(
        checkout=checkout,
        buyer=buyer,
        supplier=supplier,
        status=OrderStatus.AWAITING_PAYMENT if awaiting else OrderStatus.PLACED,
        payment_method=method,
        total=credit + own,
        credit_total=credit,
        own_total=own,
        round_up=round_up_of(own) if (round_up and own) else 0,
        payment_due_at=now + datetime.timedelta(days=settings.CONCILIARE_PAYMENT_DAYS) if awaiting else None,
    )
    outstanding = vouchers_outstanding_account()
    for planned in lines:
        key, name = _beneficiary(buyer, planned)
        line = OrderLine.objects.create(
            order=order,
            offer=planned.offer,
            session=planned.session,
            member=planned.member,
            beneficiary_key=key,
            beneficiary_name=name,
            title=planned.offer.title,
            kind=planned.offer.kind,
            category=planned.offer.category,
            unit=planned.offer.unit,
            unit_price=planned.offer.price,
            quantity=planned.request.quantity,
            amount=planned.plan.amount,
            credit_amount=planned.plan.credit,
            own_amount=planned.plan.own,
        )
        for share in planned.plan.shares:
            hold = ledger.hold_place(
                account=share.wallet,
                destination=outstanding,
                amount=share.amount,
                idempotency_key=f"order-line:{line.pk}:wallet:{share.wallet.pk}",
                expires_at=now + datetime.timedelta(days=HOLD_DAYS),
                memo=f"{order.reference} · {line.title}",
            )
            LinePayment.objects.create(
                line=line, wallet=share.wallet, bucket=share.bucket, amount=share.amount, hold=hold
            )
    events.record(order=order, actor=buyer, from_status="", to_status=order.status)
    if awaiting:
        notifications.tell_buyer(order, _("Your order is waiting for your payment."))
        notifications.tell_operators(order, _("A new order waits for payment."))
    else:
        notifications.tell_buyer(order, _("Your order has been sent to the supplier."))
        notifications.tell_supplier(order, _("You have a new order to confirm."))
    return order


def booked_already(*, session: OfferSession, beneficiary_key: str) -> bool:
    return OrderLine.objects.filter(
        session=session,
        beneficiary_key=beneficiary_key,
        status__in=[LineStatus.PENDING, LineStatus.CONFIRMED, LineStatus.REDEEMED],
    ).exists()
