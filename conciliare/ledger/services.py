"""The only code in Conciliare that writes money.

Every posting is one database transaction that locks the accounts it touches in
ascending id order (so two postings never wait on each other in a cycle), checks
the available credit, and inserts a transaction with its entries. Idempotency
keys make retries safe: the same key with the same content returns the first
transaction; the same key with other content is a conflict.
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.core.errors import ApplicationError, Conflict, IdempotencyConflict, InsufficientCredit
from conciliare.core.money import format_euro

from .models import AccountKind, Entry, Hold, HoldStatus, LedgerAccount, LedgerTransaction, TransactionKind

Legs = Sequence[tuple[LedgerAccount, int]]
MAX_KEY_LENGTH = 128


def account_open(
    *,
    kind: str,
    name: str,
    owner_organization: Any = None,
    owner_user: Any = None,
    may_go_negative: bool = False,
    plan_reference: str = "",
    fiscal_bucket: str = "",
) -> LedgerAccount:
    return LedgerAccount.objects.create(
        kind=kind,
        name=name,
        owner_organization=owner_organization,
        owner_user=owner_user,
        may_go_negative=may_go_negative,
        plan_reference=plan_reference,
        fiscal_bucket=fiscal_bucket,
    )


def world_account() -> LedgerAccount:
    """The one account for money outside the platform (banks, payrolls, public bodies)."""
    account, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.EXTERNAL_WORLD, defaults={"name": "Mondo esterno", "may_go_negative": True}
    )
    return account


def company_funding_account(company: Any) -> LedgerAccount:
    account, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.COMPANY_FUNDING, owner_organization=company, defaults={"name": f"Fondi welfare · {company}"}
    )
    return account


def solidarity_fund_account() -> LedgerAccount:
    """The alliance's Solidarity Fund (residual credit of some plans, contributions on purchases)."""
    account, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.SOLIDARITY_FUND, owner_organization=None, defaults={"name": "Fondo di Solidarietà"}
    )
    return account


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(_("An idempotency key of 1 to 128 characters is required."))


def _check_legs(legs: Legs) -> list[tuple[int, int]]:
    """Returns (account id, cents) pairs sorted by account id, or refuses the posting."""
    pairs = []
    for account, amount in legs:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ApplicationError(_("Amounts are whole cents (integers)."))
        if amount == 0:
            raise ApplicationError(_("An entry cannot be of zero."))
        pairs.append((account.pk, amount))
    if len(pairs) < 2:
        raise ApplicationError(_("A transaction needs at least two entries."))
    if len({account_id for account_id, _amount in pairs}) != len(pairs):
        raise ApplicationError(_("An account appears twice in the same transaction."))
    if sum(amount for _account_id, amount in pairs) != 0:
        raise ApplicationError(_("The entries of a transaction must sum to zero."))
    return sorted(pairs)


def _fingerprint(**content: Any) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


LOCK_CHUNK = 10_000  # PostgreSQL takes at most 65,535 parameters in one statement


def _lock_accounts(account_ids: list[int]) -> dict[int, LedgerAccount]:
    ordered = sorted(set(account_ids))
    locked: dict[int, LedgerAccount] = {}
    for start in range(0, len(ordered), LOCK_CHUNK):  # ascending chunks keep the global lock order
        chunk = ordered[start : start + LOCK_CHUNK]
        locked.update((a.pk, a) for a in LedgerAccount.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
    if len(locked) != len(set(account_ids)):
        raise ApplicationError(_("Unknown ledger account."))
    return locked


def _ensure_available(account: LedgerAccount, debit: int) -> None:
    if not account.may_go_negative and account.balance - account.held < debit:
        raise InsufficientCredit(
            _("Insufficient credit on %(account)s: %(available)s available, %(needed)s needed.")
            % {
                "account": account.name,
                "available": format_euro(account.balance - account.held),
                "needed": format_euro(debit),
            }
        )


def _existing(key: str, fingerprint: str) -> LedgerTransaction | None:
    found = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if found is not None and found.fingerprint != fingerprint:
        raise IdempotencyConflict(_("This idempotency key was already used for a different operation."))
    return found


@transaction.atomic
def transaction_post(
    *,
    kind: str,
    legs: Legs,
    idempotency_key: str,
    effective_date: datetime.date | None = None,
    memo: str = "",
    actor: Any = None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Posts a balanced transaction, or returns the one already posted under this key."""
    _check_key(idempotency_key)
    if kind not in TransactionKind.values or (kind == TransactionKind.REVERSAL) != (reverses is not None):
        raise ApplicationError(_("Unknown transaction kind."))
    pairs = _check_legs(legs)
    effective_date = effective_date or timezone.localdate()
    fingerprint = _fingerprint(
        kind=kind, legs=pairs, effective_date=effective_date, memo=memo, reverses=reverses.pk if reverses else None
    )
    accounts = _lock_accounts([account_id for account_id, _amount in pairs])
    found = _existing(idempotency_key, fingerprint)
    if found is not None:
        return found
    for account_id, amount in pairs:
        if amount < 0:
            _ensure_available(accounts[account_id], -amount)
    try:
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(
                kind=kind,
                effective_date=effective_date,
                memo=memo[:255],
                actor=actor,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                reverses=reverses,
            )
            Entry.objects.bulk_create(
                [Entry(transaction=posted, account_id=account_id, amount=amount) for account_id, amount in pairs],
                batch_size=5_000,
            )
    except IntegrityError:
        # Another request committed the same key, or reversed the same transaction,
        # between our check and our insert (they touched other accounts, so our
        # locks did not order us).
        found = _existing(idempotency_key, fingerprint)
        if found is not None:
            return found
        if reverses is not None and LedgerTransaction.objects.filter(reverses=reverses).exists():
            raise Conflict(_("This transaction has already been reversed.")) from None
        raise
    return posted


@transaction.atomic
def transaction_reverse(
    *, original: LedgerTransaction, idempotency_key: str, actor: Any = None, memo: str = ""
) -> LedgerTransaction:
    """Posts the mirror image of `original`. A transaction is reversed at most once."""
    if original.kind == TransactionKind.REVERSAL:
        raise Conflict(_("A reversal cannot be reversed; post a new transaction instead."))
    earlier = LedgerTransaction.objects.filter(reverses=original).first()
    if earlier is not None and earlier.idempotency_key != idempotency_key:
        raise Conflict(_("This transaction has already been reversed."))
    entries = list(original.entries.select_related("account"))
    return transaction_post(
        kind=TransactionKind.REVERSAL,
        legs=[(entry.account, -entry.amount) for entry in entries],
        idempotency_key=idempotency_key,
        memo=memo or _("Reversal of transaction %(id)s") % {"id": original.pk},
        actor=actor,
        reverses=original,
    )


def _hold_content(account: LedgerAccount, destination: LedgerAccount, amount: int) -> tuple[int, int, int]:
    return (account.pk, destination.pk, amount)


@transaction.atomic
def hold_place(
    *,
    account: LedgerAccount,
    destination: LedgerAccount,
    amount: int,
    idempotency_key: str,
    expires_at: datetime.datetime,
    memo: str = "",
) -> Hold:
    """Reserves `amount` on `account` for a later capture to `destination`."""
    _check_key(idempotency_key)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(_("A hold is a positive whole number of cents."))
    if account.pk == destination.pk:
        raise ApplicationError(_("A hold moves money between two different accounts."))
    if expires_at <= timezone.now():
        raise ApplicationError(_("A hold must expire in the future."))
    locked = _lock_accounts([account.pk, destination.pk])[account.pk]
    found = Hold.objects.filter(idempotency_key=idempotency_key).first()
    if found is not None:
        if _hold_content(found.account, found.destination, found.amount) != _hold_content(account, destination, amount):
            raise IdempotencyConflict(_("This idempotency key was already used for a different operation."))
        return found
    _ensure_available(locked, amount)
    hold = Hold.objects.create(
        account=account,
        destination=destination,
        amount=amount,
        expires_at=expires_at,
        idempotency_key=idempotency_key,
        memo=memo[:255],
    )
    LedgerAccount.objects.filter(pk=account.pk).update(held=F("held") + amount)
    return hold


def _lock_hold(hold: Hold) -> Hold:
    return Hold.objects.select_for_update(of=("self",)).select_related("capture").get(pk=hold.pk)


def _release(hold: Hold, status: str) -> None:
    LedgerAccount.objects.filter(pk=hold.account_id).update(held=F("held") - hold.amount)
    hold.status = status
    hold.resolved_at = timezone.now()


@transaction.atomic
def hold_capture(
    *, hold: Hold, idempotency_key: str, amount: int | None = None, actor: Any = None, memo: str = ""
) -> LedgerTransaction:
    """Moves all or part of a pending hold to its destination; any remainder is released."""
    locked = _lock_hold(hold)
    if locked.status == HoldStatus.CAPTURED:
        assert locked.capture is not None  # the database guarantees it (ledger_hold_capture_iff_captured)
        if locked.capture.idempotency_key == idempotency_key:
            return locked.capture
        raise Conflict(_("This hold has already been captured."))
    if locked.status != HoldStatus.PENDING:
        raise Conflict(_("This hold was voided or has expired."))
    if locked.expires_at <= timezone.now():
        raise Conflict(_("This hold was voided or has expired."))
    amount = locked.amount if amount is None else amount
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= locked.amount:
        raise ApplicationError(_("A capture is between one cent and the amount held."))
    _lock_accounts([locked.account_id, locked.destination_id])  # in id order, before `held` changes
    _release(locked, HoldStatus.CAPTURED)
    posted = transaction_post(
        kind=TransactionKind.CAPTURE,
        legs=[(locked.account, -amount), (locked.destination, amount)],
        idempotency_key=idempotency_key,
        memo=memo or locked.memo,
        actor=actor,
    )
    locked.capture = posted
    locked.save(update_fields=["status", "resolved_at", "capture"])
    return posted


@transaction.atomic
def hold_void(*, hold: Hold) -> Hold:
    """Releases a pending hold. Voiding twice is harmless; voiding a captured hold is not allowed."""
    locked = _lock_hold(hold)
    if locked.status == HoldStatus.VOIDED:
        return locked
    if locked.status != HoldStatus.PENDING:
        raise Conflict(_("Only a pending hold can be voided."))
    _release(locked, HoldStatus.VOIDED)
    locked.save(update_fields=["status", "resolved_at"])
    return locked


def hold_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Releases every pending hold past its expiry; returns how many. Safe to run concurrently."""
    now = now or timezone.now()
    expired = 0
    for hold_id in Hold.objects.filter(status=HoldStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            locked = Hold.objects.select_for_update().get(pk=hold_id)
            if locked.status == HoldStatus.PENDING:
                _release(locked, HoldStatus.EXPIRED)
                locked.save(update_fields=["status", "resolved_at"])
                expired += 1
    return expired
