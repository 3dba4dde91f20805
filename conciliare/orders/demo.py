"""Demo data of buying: a few orders in every interesting state, made through the services.

Nothing is inserted by hand: each order goes through `checkout`, the operator confirms bank
transfers with `payment_confirm`, suppliers answer with `line_confirm`, redeem with
`voucher_redeem` and deliver with `line_deliver`, so the ledger holds real holds, captures,
payables and Solidarity Fund contributions.

The demo employee (see accounts/demo.py) gets a used voucher (after-school for the older child), a
confirmed week with its voucher, a delivered product and an order waiting for a bank transfer;
the demo nursery (the supplier login) gets bookings of other employees' infants, one used,
one confirmed and two to confirm. People age and plans end: every choice is made on the day of
the seed (who fits which offer, which week still has places, what credit is left), and what
credit does not cover is paid by bank transfer and confirmed by the demo operator.

E-mails of these orders are not sent: the demo people are fictional.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify

from conciliare.accounts.demo import DEMO_DOMAIN, DEMO_NURSERY, FIRST_COMPANY, demo_login
from conciliare.accounts.models import FamilyMember, Membership, MembershipRole, Relationship, User
from conciliare.accounts.services import membership_add
from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Offer, OfferSession
from conciliare.catalogue.search import published_offers
from conciliare.catalogue.selectors import age_fits
from conciliare.suppliers.models import Supplier

from .checkout import LineRequest, checkout, quote
from .fulfilment import line_confirm, line_deliver, payment_confirm, voucher_redeem
from .models import MAX_QUANTITY, Checkout, Order, OrderStatus, PaymentMethod
from .vouchers import code_for

KEY_PREFIX = "demo-orders:"
NURSERY_BOOKINGS = ("redeemed", "confirmed", "pending", "pending")
SCHOOL_AGE = (Category.AFTER_SCHOOL, Category.YOUTH_CENTRE, Category.SCHOOL_CANTEEN)
WEEKS = (Category.SUMMER_CAMP, Category.BABY_SUMMER_CAMP)
ELDERLY_CARE = (Category.DAY_CENTRE_ELDERLY, Category.HOME_CARE, Category.CARER, Category.TRANSPORT_FRAIL)
GOODS = (Category.LOCAL_FOOD, Category.GROCERY_DELIVERY, Category.CRAFT_PRODUCTS)


class _Seeder:
    def __init__(self, operator: User) -> None:
        self.operator = operator
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.orders = 0

    # -- Choosing what to buy ---------------------------------------------------------------------

    def session_for(self, offer: Offer) -> OfferSession | None:
        """The first future date with a place left, or None for an offer without dates."""
        future = offer.sessions.filter(starts_at__gt=self.now).order_by("starts_at", "pk")
        if not future.exists():
            return None
        return next((s for s in future if s.seats_taken < s.seats), None)

    def offers(
        self, categories: Iterable[str], born: datetime.date | None, *, supplier: Supplier | None = None
    ) -> list[Offer]:
        found = published_offers(self.today).filter(category__in=list(categories)).order_by("pk")
        if supplier is not None:
            found = found.filter(supplier=supplier)
        return [offer for offer in found if age_fits(offer, born, self.today)]

    def request(self, offer: Offer, member: FamilyMember | None, quantity: int = 1) -> LineRequest | None:
        session = self.session_for(offer)
        if offer.sessions.filter(starts_at__gt=self.now).exists() and session is None:
            return None  # every date is full
        return LineRequest(
            offer_id=offer.pk,
            session_id=session.pk if session else None,
            member_id=member.pk if member else None,
            quantity=quantity,
        )

    # -- Buying and answering ---------------------------------------------------------------------

    def buy(self, buyer: User, request: LineRequest, key: str, *, pay: bool = True) -> Order:
        """Credit first; the rest by bank transfer, confirmed by the operator when `pay`."""
        own = quote(buyer=buyer, requests=[request], today=self.today).own
        made = checkout(
            buyer=buyer,
            requests=[request],
            payment_method=PaymentMethod.BANK_TRANSFER if own else PaymentMethod.NONE,
            idempotency_key=f"{KEY_PREFIX}{key}",
            round_up=bool(own),
            today=self.today,
        )
        order = Order.objects.get(checkout=made)
        if pay and order.status == OrderStatus.AWAITING_PAYMENT:
            order = payment_confirm(actor=self.operator, order_id=order.pk)
        self.orders += 1
        return order

    def answer(self, order: Order, outcome: str) -> None:
        """`outcome`: "pending" (left to the supplier), "confirmed", "redeemed" or "delivered"."""
        if outcome == "pending":
            return
        staff = staff_of(order.supplier)
        line = order.lines.get()
        line_confirm(actor=staff, line_id=line.pk)
        if outcome == "redeemed":
            line.refresh_from_db()
            voucher_redeem(actor=staff, supplier_id=order.supplier_id, code=code_for(line.voucher.token))
        elif outcome == "delivered":
            line_deliver(actor=staff, line_id=line.pk)


def staff_of(supplier: Supplier) -> User:
    """Who answers orders for the supplier: its first staff member. The demo's suppliers other than
    the demo nursery have none (the operator applied for them): they get an office account that
    cannot sign in."""
    membership = (
        Membership.objects.filter(organization_id=supplier.organization_id, role=MembershipRole.SUPPLIER_STAFF)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    first, _space, last = (supplier.contact_name or "Ufficio ordini").partition(" ")
    email = f"ordini.{slugify(supplier.organization.name)[:60]}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, password=None, first_name=first, last_name=last or supplier.organization.name[:100]
    )
    membership_add(user=user, organization=supplier.organization, role=MembershipRole.SUPPLIER_STAFF)
    return user


def _children(user: User) -> list[FamilyMember]:
    """The youngest first."""
    return list(user.family_members.filter(relationship=Relationship.CHILD).order_by("-birth_date", "pk"))


def _first(seeder: _Seeder, offers: list[Offer], member: FamilyMember | None) -> LineRequest | None:
    for offer in offers:
        request = seeder.request(offer, member)
        if request is not None:
            return request
    return None


def _demo_employee_orders(seeder: _Seeder, employee: User) -> None:
    children = _children(employee)
    oldest = children[-1] if children else None
    # A month of after-school for the older child, confirmed and its voucher used.
    if oldest is not None:
        offers = [o for o in seeder.offers(SCHOOL_AGE, oldest.birth_date) if not o.sessions.exists()]
        offers.sort(key=lambda offer: SCHOOL_AGE.index(offer.category))  # after-school first
        request = _first(seeder, offers, oldest)
        if request is not None:
            seeder.answer(seeder.buy(employee, request, "employee:after-school"), "redeemed")
    # A week (summer camp, or any dated childcare) for a child, confirmed: its voucher waits to be used.
    # The oldest first: the walkthrough books a nursery week for the youngest with the f-bis credit left.
    for child in reversed(children):
        offers = [o for o in seeder.offers(WEEKS, child.birth_date) if o.sessions.exists()]
        request = _first(seeder, offers, child)
        if request is not None:
            seeder.answer(seeder.buy(employee, request, f"employee:week:{child.pk}"), "confirmed")
            break
    # Local food for herself, delivered.
    goods = [o for o in seeder.offers(GOODS, employee.birth_date) if o.kind == "product"]
    if goods:
        cheese = goods[0]
        request = seeder.request(cheese, None, quantity=2)
        if request is not None:
            seeder.answer(seeder.buy(employee, request, "employee:goods"), "delivered")
    # Care for an elderly relative, or more goods: more than the credit left, waiting for the transfer.
    elderly = employee.family_members.exclude(relationship=Relationship.CHILD).order_by("birth_date", "pk").first()
    candidates: list[tuple[Offer, FamilyMember | None]] = []
    if elderly is not None:
        candidates += [(o, elderly) for o in seeder.offers(ELDERLY_CARE, elderly.birth_date)]
    candidates += [(o, None) for o in goods[1:]]
    for offer, member in candidates:
        request = seeder.request(offer, member)
        if request is None:
            continue
        planned = quote(buyer=employee, requests=[request], today=seeder.today)
        if planned.own == 0 and request.session_id is None:  # more of it, until credit does not cover it
            credit = planned.credit
            quantity = min(credit // offer.price + 1, MAX_QUANTITY)
            request = LineRequest(offer_id=offer.pk, member_id=request.member_id, quantity=quantity)
            planned = quote(buyer=employee, requests=[request], today=seeder.today)
        if planned.own > 0:
            seeder.buy(employee, request, "employee:awaiting-transfer", pay=False)
            return


def _nursery_orders(seeder: _Seeder, nursery: Supplier, employee: User) -> None:
    """Infants of the demo company's employees (then of anyone) booked at the demo nursery."""
    offers = list(published_offers(seeder.today).filter(supplier=nursery).order_by("-price", "pk"))
    if not offers:
        return
    people = User.objects.filter(employee_profile__isnull=False).exclude(pk=employee.pk)
    ordered = list(people.filter(employee_profile__company__name=FIRST_COMPANY).order_by("pk")) + list(
        people.exclude(employee_profile__company__name=FIRST_COMPANY).order_by("pk")
    )
    outcomes = list(NURSERY_BOOKINGS)
    for parent in ordered:
        if not outcomes:
            return
        for child in _children(parent):
            fitting = [offer for offer in offers if age_fits(offer, child.birth_date, seeder.today)]
            request = _first(seeder, fitting, child)
            if request is not None:
                seeder.answer(seeder.buy(parent, request, f"nursery:{child.pk}"), outcomes.pop(0))
                break


def seed_demo_orders() -> int:
    """Makes the demo orders once; returns how many (0 when they exist, or the demo people do not)."""
    if Checkout.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return 0
    employee = User.objects.filter(email=demo_login(MembershipRole.EMPLOYEE).email).first()
    operator = User.objects.filter(email=demo_login(MembershipRole.OPERATOR_ADMIN).email).first()
    nursery = Supplier.objects.filter(organization__name=DEMO_NURSERY).first()
    if employee is None or operator is None or nursery is None:
        return 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _seed(employee, operator, nursery)


@transaction.atomic
def _seed(employee: User, operator: User, nursery: Supplier) -> int:
    seeder = _Seeder(operator)
    _demo_employee_orders(seeder, employee)
    _nursery_orders(seeder, nursery, employee)
    return seeder.orders
