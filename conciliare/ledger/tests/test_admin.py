import pytest

pytestmark = pytest.mark.django_db


def test_the_operator_sees_the_ledger_but_cannot_write_it(economy, cast, login):
    economy.load(economy.wallet, 1_000)
    client = login(cast.operator_olga)
    for model in ("ledgeraccount", "ledgertransaction", "hold"):
        assert client.get(f"/gestione/ledger/{model}/").status_code == 200
        assert client.get(f"/gestione/ledger/{model}/add/").status_code == 403
    transaction_id = economy.wallet.entries.get().transaction_id
    page = client.get(f"/gestione/ledger/ledgertransaction/{transaction_id}/change/")
    assert page.status_code == 200 and "Conto welfare Anna" in page.content.decode()
    assert client.post(f"/gestione/ledger/ledgertransaction/{transaction_id}/delete/").status_code == 403


def test_nobody_else_reaches_the_ledger_console(economy, cast, login):
    for role, user in cast.role_users().items():
        if role != "operator_admin":
            response = login(user).get("/gestione/ledger/ledgertransaction/")
            assert response.status_code == 302, role
