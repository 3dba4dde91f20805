import pytest
from django.core import mail
from django.utils import timezone

from conciliare.catalogue.tests.factories import make_supplier
from conciliare.suppliers.models import SupplierStatus
from conciliare.suppliers.tasks import durc_reminders_send

pytestmark = pytest.mark.django_db


def test_durc_reminders_go_30_and_7_days_ahead_and_the_day_after_expiry(django_capture_on_commit_callbacks) -> None:
    today = timezone.localdate()
    reminded = {days: make_supplier(durc_days=days) for days in (30, 7, -1)}
    make_supplier(durc_days=29)
    make_supplier(durc_days=120)
    make_supplier(durc_days=7, status=SupplierStatus.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        sent = durc_reminders_send(today=today)
    assert sent == 3
    recipients = {address for message in mail.outbox for address in message.to}
    for supplier in reminded.values():
        assert supplier.applied_by.email in recipients
    expired = next(m for m in mail.outbox if reminded[-1].applied_by.email in m.to)
    assert "expired" in expired.subject.lower() or "scaduto" in expired.subject.lower()
