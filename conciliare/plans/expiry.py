"""The end of a plan: residual credit moves by the plan's rule; reminders before it."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, LedgerAccount, TransactionKind

from .models import ExpiryReminder, PlanStatus, ResidualRule, WelfarePlan

REMINDER_DAYS = (30, 7)


@dataclass
class ExpiryOutcome:
    moved: int = 0  # wallets whose residual moved
    waiting: int = 0  # wallets skipped because a hold is pending on them
    closed: bool = False


def _successor_wallet(plan: WelfarePlan, wallet: LedgerAccount) -> LedgerAccount | None:
    """Carry-over: the same person's wallet of the same bucket in the company's next active plan."""
    successors = WelfarePlan.objects.filter(
        company=plan.company, status=PlanStatus.ACTIVE, starts_on__gt=plan.ends_on
    ).order_by("starts_on")
    for successor in successors:
        found = LedgerAccount.objects.filter(
            kind=AccountKind.EMPLOYEE_WALLET,
            plan_reference=successor.ledger_reference,
            owner_user_id=wallet.owner_user_id,
            fiscal_bucket=wallet.fiscal_bucket,
        ).first()
        if found is not None:
            return found
    return None


def _destination(plan: WelfarePlan, wallet: LedgerAccount) -> LedgerAccount:
    if plan.residual_rule == ResidualRule.SOLIDARITY_FUND:
        return ledger.solidarity_fund_account()
    if plan.residual_rule == ResidualRule.CARRY_OVER:
        successor = _successor_wallet(plan, wallet)
        if successor is not None:
            return successor
    return ledger.company_funding_account(plan.company)  # return to company, or nothing to carry into


def plan_expire(*, plan: WelfarePlan, today: datetime.date) -> ExpiryOutcome:
    """Moves each wallet's residual by the plan's rule, never while a hold is pending on it.

    Safe to run again: each wallet's move has its own idempotency key, and a wallet with a
    pending hold is retried on the next run. The plan closes once every wallet is empty.
    """
    outcome = ExpiryOutcome()
    if plan.status != PlanStatus.ACTIVE or plan.ends_on >= today:
        return outcome
    wallet_ids = list(
        LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, plan_reference=plan.ledger_reference)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for wallet_id in wallet_ids:
        with transaction.atomic():
            wallet = LedgerAccount.objects.select_for_update().get(pk=wallet_id)
            if wallet.held:
                outcome.waiting += 1
                continue
            if wallet.balance <= 0:
                continue
            ledger.transaction_post(
                kind=TransactionKind.EXPIRY,
                legs=[(wallet, -wallet.balance), (_destination(plan, wallet), wallet.balance)],
                idempotency_key=f"{plan.ledger_reference}:expiry:{wallet.pk}:{wallet.balance}",
                memo=f"Scadenza del piano «{plan.name}»",
            )
            outcome.moved += 1
    if not LedgerAccount.objects.filter(pk__in=wallet_ids, balance__gt=0).exists():
        WelfarePlan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(status=PlanStatus.CLOSED)
        outcome.closed = True
    return outcome


def expiry_reminders_send(*, today: datetime.date, base_url: str) -> int:
    """E-mails people with credit 30 and 7 days before their plan ends; once per plan and notice."""
    sent = 0
    for days in REMINDER_DAYS:
        horizon = today + datetime.timedelta(days=days)
        for plan in WelfarePlan.objects.filter(status=PlanStatus.ACTIVE, ends_on__gt=today, ends_on__lte=horizon):
            sent += _remind(plan, days, base_url)
    return sent


def _remind(plan: WelfarePlan, days: int, base_url: str) -> int:
    owners: dict[Any, int] = {}
    for wallet in LedgerAccount.objects.filter(
        kind=AccountKind.EMPLOYEE_WALLET, plan_reference=plan.ledger_reference, balance__gt=0
    ).select_related("owner_user"):
        owners[wallet.owner_user] = owners.get(wallet.owner_user, 0) + wallet.balance - wallet.held
    sent = 0
    for user, available in owners.items():
        if available <= 0 or ExpiryReminder.objects.filter(plan=plan, user=user, days_before=days).exists():
            continue
        try:
            with transaction.atomic():
                ExpiryReminder.objects.create(plan=plan, user=user, days_before=days)
                context = {"user": user, "plan": plan, "available": available, "link": f"{base_url}/il-mio-welfare/"}
                with translation.override("it"):
                    send_mail(
                        subject=render_to_string("plans/email/expiry_subject.txt", context).strip(),
                        message=render_to_string("plans/email/expiry_body.txt", context),
                        from_email=None,
                        recipient_list=[user.email],
                    )
        except IntegrityError:  # another worker reminded this person meanwhile
            continue
        sent += 1
    return sent
