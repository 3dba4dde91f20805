"""Own money: the `PaymentProvider` interface and the one provider that needs no outside service.

A provider says what the buyer must do to pay (`instructions`) and records, through the ledger,
that the money arrived (`record_received`). The offline provider covers the two ways the
cooperative takes money today: a bank transfer to its account, quoting the order's reference,
or payment at the supplier's counter; in both cases the operator confirms what was seen. A card
or PagoPA provider would implement the same two methods and confirm by its own callback.
"""

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from conciliare.ledger import services as ledger
from conciliare.ledger.models import LedgerAccount, LedgerTransaction, TransactionKind

from .ledger_accounts import citizen_clearing_account, supplier_payable_account
from .models import Contribution, ContributionParty, Order, PaymentMethod


@dataclass(frozen=True)
class PaymentInstructions:
    method: str
    amount: int  # cents, the round-up included
    reference: str
    due_at: datetime.datetime | None
    holder: str = ""  # bank transfer only
    iban: str = ""  # bank transfer only
    pay_at: str = ""  # payment at the supplier: where


class PaymentProvider(Protocol):
    methods: tuple[str, ...]

    def instructions(self, order: Order) -> PaymentInstructions: ...

    def record_received(self, *, order: Order, actor: Any) -> LedgerTransaction | None:
        """Posts the money received for `order` (called once, inside the confirming transaction)."""
        ...


class OfflinePayments:
    """Bank transfer to the cooperative, or payment at the supplier's counter, confirmed by the operator."""

    methods: tuple[str, ...] = (PaymentMethod.BANK_TRANSFER.value, PaymentMethod.AT_SUPPLIER.value)

    def instructions(self, order: Order) -> PaymentInstructions:
        by_transfer = order.payment_method == PaymentMethod.BANK_TRANSFER
        organization = order.supplier.organization
        return PaymentInstructions(
            method=order.payment_method,
            amount=order.own_due,
            reference=order.reference,
            due_at=order.payment_due_at,
            holder=settings.CONCILIARE_TRANSFER_HOLDER if by_transfer else "",
            iban=settings.CONCILIARE_TRANSFER_IBAN if by_transfer else "",
            pay_at="" if by_transfer else f"{organization.name}, {organization.address or organization.municipality}",
        )

    def record_received(self, *, order: Order, actor: Any) -> LedgerTransaction | None:
        """A transfer enters the platform (world → clearing, round-up → fund); money paid at the counter
        stays with the supplier, which owes the round-up to the fund from its payable."""
        fund = ledger.solidarity_fund_account()
        own = order.own_to_collect  # what is still wanted: lines cancelled before paying are not paid
        if order.payment_method == PaymentMethod.BANK_TRANSFER:
            legs: list[tuple[LedgerAccount, int]] = (
                [(ledger.world_account(), -(own + order.round_up))] if own + order.round_up else []
            )
            if own:
                legs.append((citizen_clearing_account(), own))
        else:
            legs = [(supplier_payable_account(order.supplier), -order.round_up)] if order.round_up else []
        if order.round_up:
            legs.append((fund, order.round_up))
        if not legs:
            return None
        posted = ledger.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=legs,
            idempotency_key=f"order:{order.pk}:payment",
            memo=_("Payment of %(order)s") % {"order": order.reference},
            actor=actor,
        )
        if order.round_up:
            Contribution.objects.create(
                order=order,
                party=ContributionParty.EMPLOYEE,
                base=own,
                amount=order.round_up,
                transaction=posted,
            )
        return posted


def provider_for(method: str) -> PaymentProvider:
    if method not in OfflinePayments.methods:
        raise LookupError(method)
    return OfflinePayments()
