"""transaction_post and transaction_reverse: the one writer of money."""

from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from conciliare.core.errors import ApplicationError, Conflict, IdempotencyConflict, InsufficientCredit
from conciliare.ledger import services
from conciliare.ledger.models import Entry, LedgerAccount, LedgerTransaction, TransactionKind

from .conftest import balances, key

pytestmark = pytest.mark.django_db


def spend(economy, cents, idempotency_key=None, wallet=None):
    return services.transaction_post(
        kind=TransactionKind.SPEND,
        legs=[(wallet or economy.wallet, -cents), (economy.supplier, cents)],
        idempotency_key=idempotency_key or key("spend"),
    )


def test_a_balanced_posting_moves_money_and_keeps_balances(economy, cast):
    economy.load(economy.wallet, 10_000)
    posted = services.transaction_post(
        kind=TransactionKind.SPEND,
        legs=[(economy.wallet, -2_550), (economy.supplier, 2_550)],
        idempotency_key="order-1",
        memo="Settimana al nido",
        actor=cast.employee_anna,
    )
    assert sorted(posted.entries.values_list("account_id", "amount")) == sorted(
        [(economy.wallet.pk, -2_550), (economy.supplier.pk, 2_550)]
    )
    assert balances(economy.wallet, economy.supplier, economy.world) == [(7_450, 0), (2_550, 0), (-10_000, 0)]
    assert posted.actor == cast.employee_anna


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        (lambda e: [(e.wallet, -100)], "at least two"),
        (lambda e: [(e.wallet, -100), (e.wallet, 100)], "appears twice"),
        (lambda e: [(e.wallet, 0), (e.supplier, 0)], "zero"),
        (lambda e: [(e.wallet, -1.5), (e.supplier, 1.5)], "whole cents"),
        (lambda e: [(e.wallet, True), (e.supplier, -1)], "whole cents"),
        (lambda e: [(e.world, -100), (e.supplier, 99)], "sum to zero"),
        (lambda e: [(e.world, -100), (LedgerAccount(pk=987654), 100)], "Unknown ledger account"),
    ],
)
def test_malformed_postings_are_refused_and_change_nothing(economy, legs, message):
    with translation_en(), pytest.raises(ApplicationError) as raised:
        services.transaction_post(kind=TransactionKind.TRANSFER, legs=legs(economy), idempotency_key=key())
    assert message in raised.value.message
    assert LedgerTransaction.objects.count() == 0
    assert balances(economy.world, economy.wallet, economy.supplier) == [(0, 0)] * 3


@pytest.mark.parametrize("bad_key", ["", "   ", "x" * 129, None])
def test_an_idempotency_key_is_required(economy, bad_key):
    with pytest.raises(ApplicationError):
        services.transaction_post(
            kind=TransactionKind.TRANSFER, legs=[(economy.world, -1), (economy.wallet, 1)], idempotency_key=bad_key
        )
    assert LedgerTransaction.objects.count() == 0


@pytest.mark.parametrize("kind", ["gift", TransactionKind.REVERSAL])
def test_unknown_kinds_and_reversals_without_original_are_refused(economy, kind):
    with pytest.raises(ApplicationError):
        services.transaction_post(kind=kind, legs=[(economy.world, -1), (economy.wallet, 1)], idempotency_key=key())
    assert LedgerTransaction.objects.count() == 0


def test_spending_more_than_the_credit_is_refused_with_a_clear_error(economy):
    economy.load(economy.wallet, 1_000)
    with pytest.raises(InsufficientCredit) as raised:
        spend(economy, 1_001)
    assert "Conto welfare Anna" in raised.value.message and "10,00" in raised.value.message
    assert raised.value.code == "insufficient_credit"
    assert balances(economy.wallet, economy.supplier) == [(1_000, 0), (0, 0)]


def test_an_account_that_may_go_negative_does(economy):
    services.transaction_post(
        kind=TransactionKind.FUNDING, legs=[(economy.world, -500), (economy.fund, 500)], idempotency_key=key()
    )
    assert balances(economy.world) == [(-500, 0)]


def test_replaying_a_key_returns_the_first_transaction_and_posts_nothing_more(economy):
    economy.load(economy.wallet, 5_000)
    first = spend(economy, 1_000, "checkout-7")
    again = spend(economy, 1_000, "checkout-7")
    assert again.pk == first.pk
    assert balances(economy.wallet) == [(4_000, 0)]


def test_reusing_a_key_for_other_content_is_a_conflict(economy):
    economy.load(economy.wallet, 5_000)
    spend(economy, 1_000, "checkout-8")
    with pytest.raises(IdempotencyConflict):
        spend(economy, 1_500, "checkout-8")
    assert balances(economy.wallet) == [(4_000, 0)]


def test_a_key_committed_by_a_concurrent_request_is_returned_not_duplicated(economy):
    # Given another request committed the key between our check and our insert,
    economy.load(economy.wallet, 5_000)
    first = spend(economy, 1_000, "checkout-9")
    real_existing = services._existing
    with mock.patch.object(services, "_existing", side_effect=[None, real_existing("checkout-9", first.fingerprint)]):
        # when we insert, the unique key refuses us and we return theirs.
        again = spend(economy, 1_000, "checkout-9")
    assert again.pk == first.pk
    assert LedgerTransaction.objects.filter(idempotency_key="checkout-9").count() == 1


def test_the_database_check_refuses_an_overdraft_the_service_missed(economy):
    economy.load(economy.wallet, 100)
    with mock.patch.object(services, "_ensure_available"), pytest.raises(IntegrityError):
        spend(economy, 101)
    assert balances(economy.wallet) == [(100, 0)]


def test_reversal_mirrors_and_restores_balances(economy, cast):
    economy.load(economy.wallet, 3_000)
    original = spend(economy, 1_200)
    reversal = services.transaction_reverse(original=original, idempotency_key="refund-1", actor=cast.operator_olga)
    assert reversal.reverses == original and reversal.kind == "reversal"
    assert sorted(reversal.entries.values_list("account_id", "amount")) == sorted(
        (account, -amount) for account, amount in original.entries.values_list("account_id", "amount")
    )
    assert balances(economy.wallet, economy.supplier) == [(3_000, 0), (0, 0)]
    assert "Reversal of transaction" in reversal.memo or "Storno" in reversal.memo


def test_a_transaction_is_reversed_at_most_once(economy):
    economy.load(economy.wallet, 3_000)
    original = spend(economy, 1_200)
    first = services.transaction_reverse(original=original, idempotency_key="refund-2")
    assert services.transaction_reverse(original=original, idempotency_key="refund-2").pk == first.pk
    with pytest.raises(Conflict):
        services.transaction_reverse(original=original, idempotency_key="refund-3")
    with pytest.raises(Conflict):
        services.transaction_reverse(original=first, idempotency_key="refund-4")
    assert LedgerTransaction.objects.filter(reverses=original).count() == 1


def test_a_second_reversal_racing_past_the_check_hits_the_unique_constraint(economy):
    # Given a payout to the outside world (its reversal debits the world, which may go negative)
    services.transaction_post(
        kind=TransactionKind.FUNDING, legs=[(economy.world, -5_000), (economy.fund, 5_000)], idempotency_key=key()
    )
    original = services.transaction_post(
        kind=TransactionKind.TRANSFER, legs=[(economy.fund, -1_000), (economy.world, 1_000)], idempotency_key=key()
    )
    services.transaction_reverse(original=original, idempotency_key="refund-5")
    legs = [(entry.account, -entry.amount) for entry in original.entries.select_related("account")]
    # when a second reversal skips the service's check, the unique constraint on `reverses` refuses it
    with translation_en(), pytest.raises(Conflict) as raised:
        services.transaction_post(
            kind=TransactionKind.REVERSAL, legs=legs, idempotency_key="refund-6", reverses=original
        )
    assert "already been reversed" in raised.value.message
    assert balances(economy.fund) == [(5_000, 0)]


def test_reversing_money_already_spent_elsewhere_is_refused(economy):
    economy.load(economy.wallet, 1_000)
    credit = LedgerTransaction.objects.filter(kind="credit").get()
    spend(economy, 800)
    with pytest.raises(InsufficientCredit):
        services.transaction_reverse(original=credit, idempotency_key="claw-back")
    assert balances(economy.wallet) == [(200, 0)]


def test_entries_are_one_per_account_per_transaction(economy):
    assert Entry._meta.constraints  # sanity: the model declares its constraints
    with pytest.raises(ApplicationError):
        services.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(economy.world, -2), (economy.wallet, 1), (economy.wallet, 1)],
            idempotency_key=key(),
        )


def translation_en():
    from django.utils import translation

    return translation.override("en")


def test_posting_is_atomic_when_an_entry_fails(economy):
    # Given the entry insert fails half-way, no transaction row remains.
    with (
        mock.patch.object(Entry.objects, "bulk_create", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        services.transaction_post(
            kind=TransactionKind.FUNDING, legs=[(economy.world, -5), (economy.fund, 5)], idempotency_key="atomic"
        )
    assert not LedgerTransaction.objects.filter(idempotency_key="atomic").exists()


def test_the_solidarity_fund_account_exists_once(economy):
    fund = services.solidarity_fund_account()
    assert (
        services.solidarity_fund_account() == fund
        and fund.kind == "solidarity_fund"
        and fund.owner_organization is None
    )


def test_world_and_company_funding_accounts_exist_once(economy, cast):
    assert services.world_account() == economy.world  # the economy's world is the one world
    funding = services.company_funding_account(cast.other_company)
    assert services.company_funding_account(cast.other_company) == funding
    assert (funding.kind, funding.owner_organization, funding.may_go_negative) == (
        "company_funding",
        cast.other_company,
        False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        services.account_open(kind="external_world", name="Un altro mondo", may_go_negative=True)
