"""Random sequences of credits, spends, holds, captures, voids, reversals and expiries.

After every step the ledger's balances equal a plain-Python model and
`ledger_verify` is clean.
"""

import datetime
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from conciliare.core.errors import Conflict, InsufficientCredit
from conciliare.ledger import services
from conciliare.ledger.models import AccountKind, Hold, LedgerAccount, LedgerTransaction
from conciliare.ledger.verification import ledger_verify

WALLETS = 3
_run = itertools.count()
cents = st.integers(min_value=1, max_value=5_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        run = next(_run)
        self.keys = (f"m{run}-{i}" for i in itertools.count())
        self.world = services.world_account()  # shared by every example: the model starts from its balance
        self.supplier = services.account_open(kind=AccountKind.SUPPLIER_PAYABLE, name=f"supplier {run}")
        owner = USER[0]
        self.wallets = [
            services.account_open(
                kind=AccountKind.EMPLOYEE_WALLET,
                name=f"wallet {run}.{i}",
                owner_user=owner,
                plan_reference=f"plan:m{run}",
                fiscal_bucket=f"bucket-{i}",
            )
            for i in range(WALLETS)
        ]
        # the model: (balance, held) per account id, and what can still be undone
        self.model = {a.pk: [0, 0] for a in [self.supplier, *self.wallets]}
        self.model[self.world.pk] = list(
            LedgerAccount.objects.filter(pk=self.world.pk).values_list("balance", "held").get()
        )
        self.pending: list[Hold] = []
        self.reversible: list[LedgerTransaction] = []
        self.last: tuple[LedgerTransaction, str, int, int] | None = None

    def _post(self, kind, legs):
        key = next(self.keys)
        posted = services.transaction_post(kind=kind, legs=legs, idempotency_key=key)
        for account, amount in legs:
            self.model[account.pk][0] += amount
        self.reversible.append(posted)
        self.last = (posted, key, legs[0][0].pk, legs[0][1])
        return posted

    def _available(self, account) -> int:
        balance, held = self.model[account.pk]
        return balance - held

    @rule(wallet=st.integers(0, WALLETS - 1), amount=cents)
    def credit(self, wallet, amount):
        self._post("credit", [(self.world, -amount), (self.wallets[wallet], amount)])

    @rule(wallet=st.integers(0, WALLETS - 1), amount=cents)
    def spend(self, wallet, amount):
        account = self.wallets[wallet]
        if amount <= self._available(account):
            self._post("spend", [(account, -amount), (self.supplier, amount)])
        else:
            with pytest.raises(InsufficientCredit):
                services.transaction_post(
                    kind="spend", legs=[(account, -amount), (self.supplier, amount)], idempotency_key=next(self.keys)
                )

    @precondition(lambda self: self.last is not None)
    @rule()
    def replay_last(self):
        posted, key, account_id, amount = self.last
        legs = [(e.account, e.amount) for e in posted.entries.select_related("account").order_by("account_id")]
        again = services.transaction_post(
            kind=posted.kind,
            legs=legs,
            idempotency_key=key,
            effective_date=posted.effective_date,
            memo=posted.memo,
            reverses=posted.reverses,
        )
        assert again.pk == posted.pk

    @rule(wallet=st.integers(0, WALLETS - 1), amount=cents)
    def hold(self, wallet, amount):
        account = self.wallets[wallet]
        args = {
            "account": account,
            "destination": self.supplier,
            "amount": amount,
            "idempotency_key": next(self.keys),
            "expires_at": timezone.now() + datetime.timedelta(hours=1),
        }
        if amount <= self._available(account):
            self.pending.append(services.hold_place(**args))
            self.model[account.pk][1] += amount
        else:
            with pytest.raises(InsufficientCredit):
                services.hold_place(**args)

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100), share=st.integers(1, 100))
    def capture(self, index, share):
        hold = self.pending.pop(index % len(self.pending))
        amount = max(1, hold.amount * share // 100)
        posted = services.hold_capture(hold=hold, amount=amount, idempotency_key=next(self.keys))
        self.model[hold.account_id][1] -= hold.amount
        self.model[hold.account_id][0] -= amount
        self.model[hold.destination_id][0] += amount
        self.reversible.append(posted)

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100))
    def void(self, index):
        hold = self.pending.pop(index % len(self.pending))
        services.hold_void(hold=hold)
        self.model[hold.account_id][1] -= hold.amount

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100))
    def expire(self, index):
        hold = self.pending.pop(index % len(self.pending))
        Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        assert services.hold_expire_due() == 1
        self.model[hold.account_id][1] -= hold.amount

    @precondition(lambda self: self.reversible)
    @rule(index=st.integers(0, 1_000))
    def reverse(self, index):
        original = self.reversible.pop(index % len(self.reversible))
        legs = list(original.entries.values_list("account_id", "amount"))
        affordable = all(
            amount <= 0
            or LedgerAccount.objects.get(pk=account_id).may_go_negative
            or amount <= self.model[account_id][0] - self.model[account_id][1]
            for account_id, amount in legs
        )
        if affordable:
            services.transaction_reverse(original=original, idempotency_key=next(self.keys))
            for account_id, amount in legs:
                self.model[account_id][0] -= amount
        else:
            with pytest.raises(InsufficientCredit):
                services.transaction_reverse(original=original, idempotency_key=next(self.keys))
            self.reversible.append(original)
        reversal = LedgerTransaction.objects.filter(reverses=original).first()
        if reversal is not None:
            with pytest.raises(Conflict):  # a reversal is never reversed
                services.transaction_reverse(original=reversal, idempotency_key=next(self.keys))

    @invariant()
    def balances_match_the_model(self):
        stored = {
            pk: [balance, held]
            for pk, balance, held in LedgerAccount.objects.filter(pk__in=self.model).values_list(
                "pk", "balance", "held"
            )
        }
        assert stored == self.model

    @invariant()
    def ledger_verifies(self):
        report = ledger_verify()
        assert report.clean, report.violations


USER: list = []


@pytest.mark.django_db
def test_random_money_sequences_keep_every_invariant(cast):
    USER[:] = [cast.employee_anna]
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
