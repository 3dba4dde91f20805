"""Reads for the welfare pages: a person's wallets, HR's plans. Scoped to who asks."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from conciliare.accounts.models import DependentChildrenDeclaration
from conciliare.accounts.selectors import company_get_for_hr
from conciliare.core.errors import NotPermitted
from conciliare.ledger.models import AccountKind, Entry, LedgerAccount, TransactionKind

from . import fiscal
from .models import BUCKETS, WelfarePlan

BUCKET_LABELS = dict(BUCKETS)
FRINGE = "art51_c3_fringe"


@dataclass
class WalletLine:
    plan: WelfarePlan
    bucket: str
    label: str
    total: int
    held: int

    @property
    def available(self) -> int:
        return self.total - self.held


def wallet_lines_for_user(user: Any) -> list[WalletLine]:
    wallets = list(LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, owner_user=user).order_by("pk"))
    plan_ids = {int(w.plan_reference.split(":", 1)[1]) for w in wallets if w.plan_reference.startswith("plan:")}
    plans = {p.pk: p for p in WelfarePlan.objects.filter(pk__in=plan_ids).select_related("company")}
    lines = []
    for wallet in wallets:
        plan = (
            plans.get(int(wallet.plan_reference.split(":", 1)[1]))
            if wallet.plan_reference.startswith("plan:")
            else None
        )
        if plan is not None:
            lines.append(
                WalletLine(
                    plan=plan,
                    bucket=wallet.fiscal_bucket,
                    label=str(BUCKET_LABELS.get(wallet.fiscal_bucket, wallet.fiscal_bucket)),
                    total=wallet.balance,
                    held=wallet.held,
                )
            )
    return sorted(lines, key=lambda line: (line.plan.ends_on, line.bucket))


@dataclass
class FringeStatus:
    year: int
    cap: int
    used: int
    declared: bool

    @property
    def left(self) -> int:
        return max(self.cap - self.used, 0)

    @property
    def used_percent(self) -> int:
        return min(100, round(100 * self.used / self.cap)) if self.cap else 0


def fringe_spent_entries(user: Any, year: int) -> QuerySet[Entry]:
    """The fringe-benefit spending of `user` (a user, or an OuterRef to one) in a tax year: the
    negative entries of spends and captures on their fringe-benefit wallets."""
    return Entry.objects.filter(
        account__owner_user=user,
        account__kind=AccountKind.EMPLOYEE_WALLET,
        account__fiscal_bucket=FRINGE,
        amount__lt=0,
        transaction__kind__in=[TransactionKind.SPEND, TransactionKind.CAPTURE],
        transaction__effective_date__year=year,
    )


def fringe_committed(user: Any, year: int) -> tuple[Coalesce, Coalesce]:
    """What `user` (an OuterRef to a user id) spent on fringe benefits in the year (a negative sum)
    and what pending holds reserve on their fringe wallets now, as two expressions for one
    statement: a supplier's capture moves an amount from held to spent, and two separate reads
    could see it in neither."""
    spent = fringe_spent_entries(user, year).order_by().values("account__owner_user").annotate(total=Sum("amount"))
    wallets = LedgerAccount.objects.filter(owner_user=user, kind=AccountKind.EMPLOYEE_WALLET, fiscal_bucket=FRINGE)
    held = wallets.order_by().values("owner_user").annotate(total=Sum("held"))
    return Coalesce(Subquery(spent.values("total")), 0), Coalesce(Subquery(held.values("total")), 0)


def fringe_status_for_user(user: Any, *, today: datetime.date) -> FringeStatus:
    """Fringe benefits spent this tax year from the person's wallets, against this year's cap."""
    declared = DependentChildrenDeclaration.objects.filter(
        user=user, tax_year=today.year, withdrawn_at__isnull=True
    ).exists()
    spent = fringe_spent_entries(user, today.year).aggregate(total=Sum("amount", default=0))["total"]
    cap = fiscal.fringe_cap(year=today.year, dependent_children_declared=declared)
    return FringeStatus(year=today.year, cap=cap, used=-spent, declared=declared)


def wallet_entries_for_user(user: Any) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(account__owner_user=user, account__kind=AccountKind.EMPLOYEE_WALLET)
        .select_related("transaction", "account")
        .order_by("-transaction__created_at", "-pk")
    )


def movements_for_user(user: Any, *, page: Any = 1, per_page: int = 20) -> Page:
    return Paginator(wallet_entries_for_user(user), per_page).get_page(page)


def plans_for_hr(*, user: Any, company_id: int) -> QuerySet[WelfarePlan]:
    company = company_get_for_hr(user=user, company_id=company_id)
    return WelfarePlan.objects.filter(company=company).prefetch_related("allowances")


def plan_get_for_hr(*, user: Any, company_id: int, plan_id: int) -> WelfarePlan:
    plan = plans_for_hr(user=user, company_id=company_id).filter(pk=plan_id).first()
    if plan is None:
        raise NotPermitted(_("Plan not found."))
    return plan


def bonuses_for_user(user: Any) -> QuerySet[Any]:
    from .models import PerformanceBonus

    return PerformanceBonus.objects.filter(user=user, plan__bonus_conversion_opens_on__isnull=False).select_related(
        "plan"
    )


def bonus_get_for_owner(*, user: Any, bonus_id: int) -> Any:
    bonus = bonuses_for_user(user).filter(pk=bonus_id).first()
    if bonus is None:
        raise NotPermitted(_("Performance bonus not found."))
    return bonus
