"""Which welfare credit pays for which line: the rules engine says which buckets may pay for
the service and the person using it; the buyer's wallets in those buckets are used best
bucket first and, within a bucket, the plan that ends first. What credit cannot cover is
paid with own money. Fringe benefits never go past the year's cap: one cent over would
make the whole year's fringe benefits taxable."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef

from conciliare.accounts.models import FamilyMember
from conciliare.catalogue.models import Offer
from conciliare.fund.models import GRANT_BUCKET, Grant
from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.plans import fiscal
from conciliare.plans.models import PlanStatus, WelfarePlan
from conciliare.plans.selectors import FRINGE, fringe_committed, fringe_status_for_user


@dataclass
class Share:
    wallet: LedgerAccount
    bucket: str
    amount: int


@dataclass
class LinePlan:
    amount: int
    shares: list[Share] = field(default_factory=list)

    @property
    def credit(self) -> int:
        return sum(share.amount for share in self.shares)

    @property
    def own(self) -> int:
        return self.amount - self.credit


@dataclass(frozen=True)
class FringeRoom:
    cap: int
    committed: int  # spent this year plus what pending holds reserve

    @property
    def left(self) -> int:
        return max(self.cap - self.committed, 0)


def beneficiary_of(buyer: Any, member: FamilyMember | None) -> fiscal.Beneficiary:
    if member is None:
        return fiscal.Beneficiary(kind=fiscal.EMPLOYEE, birth_date=buyer.birth_date)
    return fiscal.Beneficiary(
        kind=fiscal.FAMILY,
        birth_date=member.birth_date,
        fiscally_dependent=member.fiscally_dependent,
        non_self_sufficient=member.non_self_sufficient,
    )


def spendable_wallets(buyer: Any, day: datetime.date) -> list[LedgerAccount]:
    """The buyer's wallets of active plans that cover `day`, the plan ending first first."""
    wallets = list(LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, owner_user=buyer))
    plan_ids = {int(w.plan_reference.split(":", 1)[1]) for w in wallets if w.plan_reference.startswith("plan:")}
    plans = {
        plan.pk: plan
        for plan in WelfarePlan.objects.filter(
            pk__in=plan_ids, status=PlanStatus.ACTIVE, starts_on__lte=day, ends_on__gte=day
        )
    }
    usable = [w for w in wallets if w.plan_reference.startswith("plan:") and int(w.plan_reference[5:]) in plans]
    return sorted(usable, key=lambda w: (plans[int(w.plan_reference[5:])].ends_on, w.pk))


def spendable_grant_wallets(buyer: Any, day: datetime.date) -> list[LedgerAccount]:
    """The buyer's Solidarity Fund grants still valid on `day`, the one expiring first first."""
    grants = Grant.objects.filter(wallet__owner_user=buyer, expires_on__gte=day).select_related("wallet")
    return [grant.wallet for grant in sorted(grants, key=lambda g: (g.expires_on, g.pk))]


def fringe_room(buyer: Any, day: datetime.date) -> FringeRoom:
    """The cap, and what is spent (as `fringe_status_for_user` counts it) plus held, read in ONE
    statement: a supplier's capture moves an amount from held to spent, and two separate reads
    could see it in neither, leaving room for one line more than the cap allows."""
    status = fringe_status_for_user(buyer, today=day)
    spent, held = fringe_committed(OuterRef("pk"), day.year)
    row = get_user_model().objects.filter(pk=buyer.pk).values(spent=spent, held=held).get()
    return FringeRoom(cap=status.cap, committed=-row["spent"] + row["held"])


class Allocator:
    """Hands out the buyer's credit line by line, remembering what earlier lines took."""

    def __init__(self, buyer: Any, day: datetime.date) -> None:
        self.buyer = buyer
        self.day = day
        self.wallets = spendable_wallets(buyer, day)
        # A grant pays any service on the platform (never cash), after the welfare credit the
        # tax rules allow: the fund's money goes where the employer's cannot.
        self.grant_wallets = spendable_grant_wallets(buyer, day)
        self.left = {wallet.pk: wallet.balance - wallet.held for wallet in [*self.wallets, *self.grant_wallets]}
        self.fringe = fringe_room(buyer, day)
        self.fringe_left = self.fringe.left
        self.fringe_considered = False  # some line could be paid as a fringe benefit

    def plan_line(self, *, offer: Offer, member: FamilyMember | None, amount: int) -> LinePlan:
        plan = LinePlan(amount=amount)
        beneficiary = beneficiary_of(self.buyer, member)
        for option in fiscal.payable_buckets(category=offer.category, beneficiary=beneficiary, day=self.day):
            self.fringe_considered |= option.bucket == FRINGE
            for wallet in (w for w in self.wallets if w.fiscal_bucket == option.bucket):
                need = amount - plan.credit
                take = min(need, self.left[wallet.pk])
                if option.bucket == FRINGE:
                    take = min(take, self.fringe_left)
                if take <= 0:
                    continue
                plan.shares.append(Share(wallet=wallet, bucket=option.bucket, amount=take))
                self.left[wallet.pk] -= take
                if option.bucket == FRINGE:
                    self.fringe_left -= take
            if plan.credit == amount:
                break
        for wallet in self.grant_wallets:
            take = min(amount - plan.credit, self.left[wallet.pk])
            if take > 0:
                plan.shares.append(Share(wallet=wallet, bucket=GRANT_BUCKET, amount=take))
                self.left[wallet.pk] -= take
        return plan
